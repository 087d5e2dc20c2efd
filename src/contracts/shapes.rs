//! Shape mutations of a JSON value, for the strictness tests of every decoder: each node is
//! swapped for a value of another JSON shape (object ↔ array ↔ scalar), one node at a time.
//! A decoder that follows the object rule (`strict`) refuses every one of them, except at
//! paths whose contract is "any JSON" (raw pass-through fields).

use serde_json::{json, Map, Value};

/// One mutated copy of a value: the path changed (`body.changes[0]`) and the whole value.
#[derive(Debug, Clone)]
pub struct Mutation {
    pub path: String,
    pub value: Value,
}

/// Other shapes for a node: what a decoder of the node's declared type must refuse.
fn other_shapes(node: &Value) -> Vec<Value> {
    match node {
        // json! stays below: these are deliberately wrong JSON shapes fed to decoders, not messages.
        Value::Object(map) => vec![Value::Array(map.values().cloned().collect()), json!(7), json!("x")],
        Value::Array(items) => vec![json!({"0": items.first().cloned().unwrap_or(Value::Null)}), json!(7), json!("x")],
        Value::Number(n) => vec![json!(n.to_string()), json!([n]), json!({"n": n})],
        Value::String(s) => vec![json!(7), json!([s]), json!({"s": s})],
        Value::Bool(b) => vec![json!(b.to_string()), json!([b]), json!(1)],
        // `null` is every type's zero value: nothing to mutate.
        Value::Null => Vec::new(),
    }
}

fn walk(node: &Value, path: &str, exempt: &[&str], out: &mut Vec<(String, Value)>) {
    if exempt.contains(&path) {
        return;
    }
    for shape in other_shapes(node) {
        out.push((path.to_string(), shape));
    }
    match node {
        Value::Object(map) => {
            for (key, child) in map {
                let child_path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                walk(child, &child_path, exempt, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                walk(child, &format!("{path}[{i}]"), exempt, out);
            }
        }
        _ => {}
    }
}

fn replace(root: &Value, path: &str, with: &Value) -> Value {
    fn go(node: &mut Value, steps: &[String], with: &Value) {
        let Some((first, rest)) = steps.split_first() else {
            *node = with.clone();
            return;
        };
        let child = match (node, first.strip_prefix('#')) {
            (Value::Array(items), Some(index)) => index.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
            (Value::Object(map), None) => map.get_mut(first),
            _ => None,
        };
        if let Some(child) = child {
            go(child, rest, with);
        }
    }
    let mut copy = root.clone();
    let steps: Vec<String> = path.replace('[', ".#").replace(']', "").split('.').filter(|s| !s.is_empty()).map(str::to_string).collect();
    go(&mut copy, &steps, with);
    copy
}

/// Every one-node shape mutation of `value`; `exempt` lists paths (and so their subtrees)
/// whose contract accepts any JSON. The type field is never mutated: a record of another
/// type is not a malformed record of this one.
pub fn mutations(value: &Value, exempt: &[&str]) -> Vec<Mutation> {
    let mut exempt = exempt.to_vec();
    exempt.push("type");
    let mut found = Vec::new();
    walk(value, "", &exempt, &mut found);
    found.into_iter().map(|(path, shape)| Mutation { value: replace(value, &path, &shape), path }).collect()
}

/// `value` with extra members at the root and in each object named in `into`: fields the
/// message type does not have, with values of any shape, which it must ignore.
pub fn with_foreign_fields(value: &Value, into: &[&str], fields: &Map<String, Value>) -> Value {
    let mut copy = value.clone();
    for path in std::iter::once("").chain(into.iter().copied()) {
        let target = if path.is_empty() { Some(&mut copy) } else { path.split('.').try_fold(&mut copy, |node, key| node.get_mut(key)) };
        if let Some(Value::Object(map)) = target {
            for (key, field) in fields {
                map.entry(key.clone()).or_insert_with(|| field.clone());
            }
        }
    }
    copy
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_node_is_mutated_once_per_other_shape() {
        let value = json!({"type": "X", "a": 1, "b": {"c": [true]}, "raw": {"d": 1}});
        let found = mutations(&value, &["raw"]);
        let paths: Vec<&str> = found.iter().map(|m| m.path.as_str()).collect();
        assert!(paths.contains(&"") && paths.contains(&"a") && paths.contains(&"b.c[0]"));
        assert!(!paths.iter().any(|p| p.starts_with("raw") || *p == "type"));
        let deep = found.iter().find(|m| m.path == "b.c[0]").expect("deep");
        assert_eq!(deep.value["b"]["c"][0], json!("true"));
        assert_eq!(deep.value["a"], 1);
    }

    #[test]
    fn foreign_fields_are_added_where_absent() {
        let fields = json!({"a": "x", "z": [1]}).as_object().cloned().unwrap_or_default();
        let value = with_foreign_fields(&json!({"a": 1, "body": {}}), &["body"], &fields);
        assert_eq!(value, json!({"a": 1, "z": [1], "body": {"a": "x", "z": [1]}}));
    }
}
