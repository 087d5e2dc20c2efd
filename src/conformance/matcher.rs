//! The subset matcher of `FORMAT.md` and its placeholders.
//!
//! `matches` never mutates the caller's captures: it works on a copy and hands it back
//! only when the whole value matched, so a record that fails half-way (or an `$unordered`
//! arrangement that is abandoned) leaves no stray captures behind.

use super::captures::{self, Captures};
use serde_json::{Map, Number, Value};
use std::fmt;

/// Where and why an expected value did not match.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// JSONPath-like location, `$` being the whole value.
    pub path: String,
    pub reason: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at {}: {}", self.path, self.reason)
    }
}

/// A placeholder string of the format.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Placeholder<'a> {
    Any,
    Uuid,
    Time,
    Capture(&'a str),
    Ref(&'a str),
    Not(&'a str),
}

fn placeholder(text: &str) -> Option<Placeholder<'_>> {
    match text {
        "$any" => return Some(Placeholder::Any),
        "$uuid" => return Some(Placeholder::Uuid),
        "$time" => return Some(Placeholder::Time),
        _ => {}
    }
    if let Some(name) = text.strip_prefix("$capture:") {
        return Some(Placeholder::Capture(name));
    }
    if let Some(name) = captures::whole_ref(text) {
        return Some(Placeholder::Ref(name));
    }
    text.strip_prefix("$not:").map(Placeholder::Not)
}

/// Matches `actual` against `expected` with the subset rule. On success returns `known`
/// plus the captures this match made.
pub fn matches(expected: &Value, actual: &Value, known: &Captures) -> Result<Captures, Mismatch> {
    let mut captures = known.clone();
    walk(expected, actual, "$", &mut captures)?;
    Ok(captures)
}

fn mismatch(path: &str, reason: impl Into<String>) -> Mismatch {
    Mismatch { path: path.to_string(), reason: reason.into() }
}

fn walk(expected: &Value, actual: &Value, path: &str, captures: &mut Captures) -> Result<(), Mismatch> {
    match expected {
        Value::String(text) => match placeholder(text) {
            Some(p) => check_placeholder(p, actual, path, captures),
            None if text.contains(captures::REF_PREFIX) => {
                // A reference inside text: compare with the captured values spliced in.
                let text = captures::substitute_text(text, captures).map_err(|e| mismatch(path, e))?;
                match actual {
                    Value::String(s) if *s == text => Ok(()),
                    _ => Err(mismatch(path, format!("expected {}, got {}", show(&Value::String(text)), show(actual)))),
                }
            }
            None => match actual {
                Value::String(s) if s == text => Ok(()),
                _ => Err(mismatch(path, format!("expected {}, got {}", show(expected), show(actual)))),
            },
        },
        Value::Object(fields) => {
            if let Some(elements) = unordered(fields) {
                return walk_unordered(elements, actual, path, captures);
            }
            let Value::Object(actual_fields) = actual else {
                return Err(mismatch(path, format!("expected an object, got {}", show(actual))));
            };
            for (key, expected_value) in fields {
                let child = child_path(path, key);
                match actual_fields.get(key) {
                    Some(actual_value) => walk(expected_value, actual_value, &child, captures)?,
                    None => return Err(mismatch(&child, "missing key")),
                }
            }
            Ok(())
        }
        Value::Array(elements) => {
            let Value::Array(actual_elements) = actual else {
                return Err(mismatch(path, format!("expected an array, got {}", show(actual))));
            };
            if elements.len() != actual_elements.len() {
                return Err(mismatch(
                    path,
                    format!("expected {} elements, got {}: {}", elements.len(), actual_elements.len(), show(actual)),
                ));
            }
            for (i, (e, a)) in elements.iter().zip(actual_elements).enumerate() {
                walk(e, a, &format!("{path}[{i}]"), captures)?;
            }
            Ok(())
        }
        Value::Number(n) => match actual {
            Value::Number(m) if numbers_equal(n, m) => Ok(()),
            _ => Err(mismatch(path, format!("expected {n}, got {}", show(actual)))),
        },
        Value::Bool(_) | Value::Null => {
            if expected == actual {
                Ok(())
            } else {
                Err(mismatch(path, format!("expected {expected}, got {}", show(actual))))
            }
        }
    }
}

fn check_placeholder(p: Placeholder<'_>, actual: &Value, path: &str, captures: &mut Captures) -> Result<(), Mismatch> {
    match p {
        Placeholder::Any => Ok(()),
        Placeholder::Capture(name) => {
            captures.insert(name.to_string(), actual.clone());
            Ok(())
        }
        Placeholder::Uuid => match actual {
            // The hyphenated form only: what Atlas (Go's uuid.String) writes.
            Value::String(s) if s.len() == 36 && uuid::Uuid::try_parse(s).is_ok() => Ok(()),
            _ => Err(mismatch(path, format!("expected a UUID, got {}", show(actual)))),
        },
        Placeholder::Time => match actual {
            Value::String(s) if chrono::DateTime::parse_from_rfc3339(s).is_ok() => Ok(()),
            _ => Err(mismatch(path, format!("expected an RFC 3339 time, got {}", show(actual)))),
        },
        Placeholder::Ref(name) => match captures.get(name) {
            Some(captured) if json_equal(captured, actual) => Ok(()),
            Some(captured) => Err(mismatch(path, format!("expected $ref:{name} = {}, got {}", show(captured), show(actual)))),
            None => Err(mismatch(path, format!("$ref:{name}: nothing captured as {name}"))),
        },
        Placeholder::Not(text) => {
            let text = captures::substitute_text(text, captures).map_err(|e| mismatch(path, e))?;
            if same_text(actual, &text) {
                Err(mismatch(path, format!("expected anything but {text}, got {}", show(actual))))
            } else {
                Ok(())
            }
        }
    }
}

/// `{"$unordered": [...]}`: the elements, if `fields` is exactly that.
fn unordered(fields: &Map<String, Value>) -> Option<&Vec<Value>> {
    match (fields.len(), fields.get("$unordered")) {
        (1, Some(Value::Array(elements))) => Some(elements),
        _ => None,
    }
}

fn walk_unordered(expected: &[Value], actual: &Value, path: &str, captures: &mut Captures) -> Result<(), Mismatch> {
    let Value::Array(elements) = actual else {
        return Err(mismatch(path, format!("expected an array (any order), got {}", show(actual))));
    };
    if expected.len() != elements.len() {
        return Err(mismatch(path, format!("expected {} elements (any order), got {}: {}", expected.len(), elements.len(), show(actual))));
    }
    let actual = elements;
    // Name an element that matches nothing, for a useful report.
    for (i, e) in expected.iter().enumerate() {
        if !actual.iter().any(|a| matches(e, a, captures).is_ok()) {
            return Err(mismatch(&format!("{path}[{i}]"), format!("no element matches (any order): {}", show(e))));
        }
    }
    let mut used = vec![false; actual.len()];
    match arrange(expected, actual, &mut used, captures) {
        Some(found) => {
            *captures = found;
            Ok(())
        }
        None => Err(mismatch(path, "no one-to-one arrangement of the elements matches")),
    }
}

/// Backtracking search for a one-to-one assignment (captures made by one element may
/// constrain later ones, so greedy assignment is not enough).
fn arrange(expected: &[Value], actual: &[Value], used: &mut [bool], captures: &Captures) -> Option<Captures> {
    let Some((first, rest)) = expected.split_first() else {
        return Some(captures.clone());
    };
    for j in 0..actual.len() {
        if used[j] {
            continue;
        }
        if let Ok(next) = matches(first, &actual[j], captures) {
            used[j] = true;
            if let Some(found) = arrange(rest, actual, used, &next) {
                return Some(found);
            }
            used[j] = false;
        }
    }
    None
}

fn child_path(path: &str, key: &str) -> String {
    if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("{path}.{key}")
    } else {
        format!("{path}[{key:?}]")
    }
}

/// 1 == 1.0; integers compare exactly, anything else as f64.
pub fn numbers_equal(a: &Number, b: &Number) -> bool {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return x == y;
    }
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Deep equality with numeric comparison: what a `$ref` demands of its captured value.
pub fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => numbers_equal(x, y),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_equal(a, b)),
        (Value::Object(x), Value::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w))),
        _ => a == b,
    }
}

/// `$not:` compares as text: a string's content, anything else its JSON text; numbers
/// also numerically, so `$not:1` rejects `1.0`.
fn same_text(actual: &Value, text: &str) -> bool {
    if let Value::Number(n) = actual {
        if let Ok(Value::Number(m)) = serde_json::from_str::<Value>(text) {
            return numbers_equal(n, &m);
        }
    }
    captures::as_text(actual) == text
}

/// A compact, bounded rendering of a value for mismatch reasons.
pub fn show(value: &Value) -> String {
    const LIMIT: usize = 200;
    let text = value.to_string();
    if text.len() <= LIMIT {
        return text;
    }
    let mut end = LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(expected: Value, actual: Value) -> Captures {
        match matches(&expected, &actual, &Captures::new()) {
            Ok(c) => c,
            Err(m) => panic!("expected a match: {m}"),
        }
    }

    fn no(expected: Value, actual: Value) -> Mismatch {
        matches(&expected, &actual, &Captures::new()).expect_err("expected a mismatch")
    }

    #[test]
    fn objects_are_subsets_and_nested() {
        ok(json!({"a": 1}), json!({"a": 1, "b": 2}));
        ok(json!({}), json!({"a": 1}));
        ok(json!({"a": {"b": {"c": "x"}}}), json!({"a": {"b": {"c": "x", "d": 1}, "e": []}}));
        let m = no(json!({"a": {"b": {"c": "x"}}}), json!({"a": {"b": {"c": "y"}}}));
        assert_eq!(m.path, "$.a.b.c");
        assert_eq!(no(json!({"a": null}), json!({})).reason, "missing key");
        ok(json!({"a": null}), json!({"a": null}));
        no(json!({"a": 1}), json!([1]));
        no(json!({"a": "1"}), json!({"a": 1}));
        no(json!({"a": true}), json!({"a": false}));
    }

    #[test]
    fn numbers_compare_by_value() {
        ok(json!(1), json!(1.0));
        ok(json!(1.0), json!(1));
        ok(json!(-3), json!(-3.0));
        ok(json!(u64::MAX), json!(u64::MAX));
        no(json!(1), json!(1.5));
        no(json!(1), json!("1"));
        no(json!(u64::MAX), json!(u64::MAX - 1));
    }

    #[test]
    fn arrays_are_ordered_and_same_length() {
        ok(json!([1, {"a": 2}]), json!([1, {"a": 2, "b": 3}]));
        no(json!([1, 2]), json!([2, 1]));
        let m = no(json!([1, 2]), json!([1, 2, 3]));
        assert!(m.reason.starts_with("expected 2 elements, got 3"), "{m}");
        assert_eq!(no(json!([1, [2, 3]]), json!([1, [2, 4]])).path, "$[1][1]");
        ok(json!([]), json!([]));
    }

    #[test]
    fn unordered_arrays() {
        ok(json!({"$unordered": [1, 2, 3]}), json!([3, 1, 2]));
        ok(json!({"x": {"$unordered": [{"a": 1}, {"a": 2}]}}), json!({"x": [{"a": 2, "b": 0}, {"a": 1}]}));
        no(json!({"$unordered": [1, 2]}), json!([1, 2, 3]));
        no(json!({"$unordered": [1, 1]}), json!([1, 2]));
        no(json!({"$unordered": [1]}), json!({"a": 1}));
        // Needs backtracking: the first element would greedily take the second's only match.
        ok(json!({"$unordered": [{"a": 1}, {"a": 1, "b": 2}]}), json!([{"a": 1, "b": 2}, {"a": 1, "b": 3}]));
        // Captures inside constrain the arrangement.
        let c = ok(json!({"$unordered": [{"k": "$capture:k", "v": 1}, {"k": "b"}]}), json!([{"k": "b", "v": 2}, {"k": "a", "v": 1}]));
        assert_eq!(c["k"], json!("a"));
        // An object with "$unordered" and other keys is an ordinary object.
        ok(json!({"$unordered": [1], "z": 1}), json!({"$unordered": [1], "z": 1, "y": 0}));
    }

    #[test]
    fn any_needs_the_key_but_accepts_null() {
        ok(json!({"a": "$any"}), json!({"a": null}));
        ok(json!({"a": "$any"}), json!({"a": {"deep": [1]}}));
        assert_eq!(no(json!({"a": "$any"}), json!({"b": 1})).reason, "missing key");
        ok(json!(["$any", 2]), json!([{"x": 1}, 2]));
    }

    #[test]
    fn uuid_and_time() {
        ok(json!({"id": "$uuid"}), json!({"id": "0f8e4b0c-2c0e-4c9a-9f57-2d2b2f1b7a11"}));
        no(json!({"id": "$uuid"}), json!({"id": "0f8e4b0c2c0e4c9a9f572d2b2f1b7a11"}));
        no(json!({"id": "$uuid"}), json!({"id": "not-a-uuid"}));
        no(json!({"id": "$uuid"}), json!({"id": 5}));
        ok(json!({"t": "$time"}), json!({"t": "2025-01-01T00:00:00Z"}));
        ok(json!({"t": "$time"}), json!({"t": "0001-01-01T00:00:00Z"}));
        ok(json!({"t": "$time"}), json!({"t": "2025-06-01T12:30:45.123456789+02:00"}));
        no(json!({"t": "$time"}), json!({"t": "2025-01-01"}));
        no(json!({"t": "$time"}), json!({"t": 1700000000}));
        no(json!({"t": "$time"}), json!({}));
    }

    #[test]
    fn not_compares_as_text_and_needs_the_key() {
        ok(json!({"a": "$not:00000000-0000-0000-0000-000000000000"}), json!({"a": "0f8e4b0c-2c0e-4c9a-9f57-2d2b2f1b7a11"}));
        no(json!({"a": "$not:00000000-0000-0000-0000-000000000000"}), json!({"a": "00000000-0000-0000-0000-000000000000"}));
        no(json!({"a": "$not:5"}), json!({"a": 5}));
        no(json!({"a": "$not:5"}), json!({"a": "5"}));
        no(json!({"a": "$not:5"}), json!({"a": 5.0}));
        ok(json!({"a": "$not:5"}), json!({"a": 6}));
        no(json!({"a": "$not:null"}), json!({"a": null}));
        no(json!({"a": "$not:true"}), json!({"a": true}));
        ok(json!({"a": "$not:true"}), json!({"a": null}));
        assert_eq!(no(json!({"a": "$not:x"}), json!({})).reason, "missing key");
    }

    #[test]
    fn capture_then_ref_keeps_the_type() {
        let c = ok(json!({"id": "$capture:id", "n": "$capture:n"}), json!({"id": "abc", "n": 7}));
        assert_eq!(c["id"], json!("abc"));
        assert_eq!(c["n"], json!(7));
        // A later step (later call) sees earlier captures.
        assert!(matches(&json!({"x": "$ref:n"}), &json!({"x": 7.0}), &c).is_ok());
        assert!(matches(&json!({"x": "$ref:n"}), &json!({"x": "7"}), &c).is_err());
        assert!(matches(&json!({"x": "$ref:id"}), &json!({"x": "abc"}), &c).is_ok());
        assert!(matches(&json!({"x": "$ref:id"}), &json!({"x": "abd"}), &c).is_err());
        // Inside text, a reference is spliced in as text.
        assert!(matches(&json!("/m/$ref:n/members"), &json!("/m/7/members"), &c).is_ok());
        assert!(matches(&json!("$not:$ref:id"), &json!("abc"), &c).is_err());
        // Unknown names fail with a reason.
        let m = matches(&json!({"x": "$ref:nope"}), &json!({"x": 1}), &c).unwrap_err();
        assert!(m.reason.contains("nope"));
    }

    #[test]
    fn failed_matches_leave_captures_untouched() {
        let known = Captures::from([("k".to_string(), json!(1))]);
        let m = matches(&json!({"a": "$capture:a", "b": 2}), &json!({"a": 1, "b": 3}), &known);
        assert!(m.is_err());
        assert_eq!(known.len(), 1);
        // Within one value a capture may be used by a later key (keys are walked in order).
        let c = matches(&json!({"a": "$capture:x", "b": "$ref:x"}), &json!({"a": 5, "b": 5}), &known).expect("test fixture");
        assert_eq!(c["x"], json!(5));
        assert!(matches(&json!({"a": "$capture:x", "b": "$ref:x"}), &json!({"a": 5, "b": 6}), &known).is_err());
    }

    #[test]
    fn ordinary_dollar_strings_are_literals() {
        ok(json!("$anything"), json!("$anything"));
        no(json!("$anything"), json!("x"));
        ok(json!("$"), json!("$"));
    }
}
