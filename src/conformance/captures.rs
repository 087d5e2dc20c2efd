//! Captured values and `$ref:NAME` substitution in what the runner sends (produce
//! values, HTTP paths and request bodies, stub responses).

use serde_json::Value;
use std::collections::HashMap;

/// Values captured by `$capture:NAME`, kept for the rest of the scenario.
pub type Captures = HashMap<String, Value>;

pub const REF_PREFIX: &str = "$ref:";

fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// `NAME` when `text` is exactly `$ref:NAME`.
pub fn whole_ref(text: &str) -> Option<&str> {
    let name = text.strip_prefix(REF_PREFIX)?;
    (!name.is_empty() && name.chars().all(name_char)).then_some(name)
}

/// A value as text: a string's content, anything else its JSON text.
pub fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Replaces every `$ref:NAME` inside `text` (NAME ending at the first character outside
/// `[A-Za-z0-9_-]`) with the captured value as text. A `$ref:` followed by no name
/// character is left as it is.
pub fn substitute_text(text: &str, captures: &Captures) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(REF_PREFIX) {
        out.push_str(&rest[..at]);
        let after = &rest[at + REF_PREFIX.len()..];
        let end = after.find(|c: char| !name_char(c)).unwrap_or(after.len());
        if end == 0 {
            out.push_str(REF_PREFIX);
        } else {
            let name = &after[..end];
            let value = captures.get(name).ok_or_else(|| format!("$ref:{name}: nothing captured as {name}"))?;
            out.push_str(&as_text(value));
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Substitutes references throughout a JSON value: a string that is exactly `$ref:NAME`
/// becomes the captured value itself (keeping its type); references inside longer
/// strings are spliced in as text. Object keys are left alone.
pub fn substitute_value(value: &Value, captures: &Captures) -> Result<Value, String> {
    Ok(match value {
        Value::String(text) => match whole_ref(text) {
            Some(name) => captures.get(name).cloned().ok_or_else(|| format!("$ref:{name}: nothing captured as {name}"))?,
            None if text.contains(REF_PREFIX) => Value::String(substitute_text(text, captures)?),
            None => value.clone(),
        },
        Value::Array(elements) => Value::Array(elements.iter().map(|e| substitute_value(e, captures)).collect::<Result<_, _>>()?),
        Value::Object(fields) => {
            Value::Object(fields.iter().map(|(k, v)| Ok((k.clone(), substitute_value(v, captures)?))).collect::<Result<_, String>>()?)
        }
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn captures() -> Captures {
        Captures::from([
            ("mid".to_string(), json!(1000000001)),
            ("tx".to_string(), json!("5a6a0007-1111-4aaa-8bbb-000000004107")),
            ("obj".to_string(), json!({"a": [1, 2]})),
            ("my-id_2".to_string(), json!("x")),
        ])
    }

    #[test]
    fn whole_refs_need_a_valid_name() {
        assert_eq!(whole_ref("$ref:mid"), Some("mid"));
        assert_eq!(whole_ref("$ref:my-id_2"), Some("my-id_2"));
        assert_eq!(whole_ref("$ref:"), None);
        assert_eq!(whole_ref("$ref:a/b"), None);
        assert_eq!(whole_ref("x$ref:a"), None);
    }

    #[test]
    fn refs_in_paths_end_at_the_first_other_character() {
        let c = captures();
        assert_eq!(substitute_text("/api/messengers/$ref:mid/members", &c).expect("test fixture"), "/api/messengers/1000000001/members");
        assert_eq!(substitute_text("/api/messengers/$ref:mid", &c).expect("test fixture"), "/api/messengers/1000000001");
        assert_eq!(
            substitute_text("/q?id=$ref:tx&x=$ref:my-id_2.", &c).expect("test fixture"),
            "/q?id=5a6a0007-1111-4aaa-8bbb-000000004107&x=x."
        );
        assert_eq!(substitute_text("cost $ref: 5", &c).expect("test fixture"), "cost $ref: 5");
        assert_eq!(substitute_text("no refs", &c).expect("test fixture"), "no refs");
        assert!(substitute_text("/api/$ref:missing/x", &c).unwrap_err().contains("missing"));
        assert_eq!(substitute_text("$ref:obj", &c).expect("test fixture"), r#"{"a":[1,2]}"#);
    }

    #[test]
    fn whole_string_refs_in_values_keep_their_type() {
        let c = captures();
        let produced = substitute_value(
            &json!({"messengerId": "$ref:mid", "body": {"tx": "$ref:tx", "list": ["$ref:obj", "id-$ref:mid"]}, "n": 1}),
            &c,
        )
        .expect("test fixture");
        assert_eq!(
            produced,
            json!({"messengerId": 1000000001, "body": {"tx": "5a6a0007-1111-4aaa-8bbb-000000004107", "list": [{"a": [1, 2]}, "id-1000000001"]}, "n": 1})
        );
        assert!(substitute_value(&json!({"a": "$ref:nope"}), &c).is_err());
        assert_eq!(substitute_value(&json!({"$ref:mid": "$any"}), &c).expect("test fixture"), json!({"$ref:mid": "$any"}));
    }
}
