//! A small JSON Schema validator for the subset that schemars writes (`$ref` into `$defs`,
//! `type`, `properties`, `required`, `additionalProperties`, `items`, `anyOf`, `oneOf`,
//! `allOf`, `const`, `enum`, `minimum`, `maximum`), enough to check appmux's real outputs
//! against `appmux schema` without a large dependency. An unknown keyword that constrains
//! values fails loudly, so the schema cannot outgrow the checker unnoticed.

use serde_json::Value;

/// Keywords that only describe or are handled elsewhere.
const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$defs",
    "$id",
    "title",
    "description",
    "default",
    "format",
    "examples",
    "documents",
    "schema",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// Every way `value` breaks `schema` (the root, whose `$defs` the references name), as
/// `path: problem`; empty when it conforms.
pub fn errors(root: &Value, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    check(root, root, value, "$", &mut out);
    out
}

fn check(root: &Value, schema: &Value, value: &Value, path: &str, out: &mut Vec<String>) {
    let obj = match schema {
        Value::Bool(true) => return,
        Value::Bool(false) => return out.push(format!("{path}: nothing is allowed here")),
        Value::Object(o) => o,
        other => return out.push(format!("{path}: schema is not an object: {other}")),
    };
    for (key, rule) in obj {
        match key.as_str() {
            "$ref" => {
                let name = rule.as_str().and_then(|r| r.strip_prefix("#/$defs/"));
                match name.and_then(|n| root["$defs"].get(n)) {
                    Some(def) => check(root, def, value, path, out),
                    None => out.push(format!("{path}: unresolved reference {rule}")),
                }
            }
            "type" => {
                let types: Vec<&str> = match rule {
                    Value::String(t) => vec![t.as_str()],
                    Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                    _ => vec![],
                };
                if !types.iter().any(|t| is_type(value, t)) {
                    out.push(format!("{path}: expected {types:?}, found {value}"));
                }
            }
            "properties" => {
                let (Some(props), Some(map)) = (rule.as_object(), value.as_object()) else {
                    continue;
                };
                for (name, sub) in props {
                    if let Some(v) = map.get(name) {
                        check(root, sub, v, &format!("{path}.{name}"), out);
                    }
                }
            }
            "required" => {
                let Some(map) = value.as_object() else {
                    continue;
                };
                for name in rule
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    if !map.contains_key(name) {
                        out.push(format!("{path}: missing required key `{name}`"));
                    }
                }
            }
            "additionalProperties" => {
                let Some(map) = value.as_object() else {
                    continue;
                };
                let known = obj.get("properties").and_then(Value::as_object);
                for (name, v) in map {
                    if !known.is_some_and(|k| k.contains_key(name)) {
                        check(root, rule, v, &format!("{path}.{name}"), out);
                    }
                }
            }
            "items" => {
                for (i, v) in value.as_array().into_iter().flatten().enumerate() {
                    check(root, rule, v, &format!("{path}[{i}]"), out);
                }
            }
            "anyOf" | "oneOf" | "allOf" => {
                let subs = rule.as_array().cloned().unwrap_or_default();
                let passing = subs
                    .iter()
                    .filter(|s| {
                        let mut e = Vec::new();
                        check(root, s, value, path, &mut e);
                        e.is_empty()
                    })
                    .count();
                let ok = match key.as_str() {
                    "anyOf" => passing >= 1,
                    "oneOf" => passing == 1,
                    _ => passing == subs.len(),
                };
                if !ok {
                    out.push(format!("{path}: {passing} of {} `{key}` match", subs.len()));
                }
            }
            "const" => {
                if value != rule {
                    out.push(format!("{path}: expected {rule}, found {value}"));
                }
            }
            "enum" => {
                if !rule.as_array().is_some_and(|a| a.contains(value)) {
                    out.push(format!("{path}: {value} is not one of {rule}"));
                }
            }
            "minimum" | "maximum" => {
                let (Some(n), Some(limit)) = (value.as_f64(), rule.as_f64()) else {
                    continue;
                };
                if (key == "minimum" && n < limit) || (key == "maximum" && n > limit) {
                    out.push(format!("{path}: {n} is outside the {key} {limit}"));
                }
            }
            k if ANNOTATIONS.contains(&k) => {}
            k => out.push(format!(
                "{path}: the checker does not know the keyword `{k}`"
            )),
        }
    }
}

fn is_type(v: &Value, t: &str) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "string" => v.is_string(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64(),
        _ => false,
    }
}

#[test]
fn the_checker_finds_what_is_wrong_and_passes_what_is_right() {
    let schema = serde_json::json!({
        "$defs": {"P": {"type": "object", "properties": {"n": {"type": "integer", "minimum": 0}},
                        "required": ["n"]}},
        "type": "object",
        "properties": {"p": {"$ref": "#/$defs/P"}, "k": {"type": ["string", "null"]},
                       "t": {"const": "x"}, "e": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "boolean"}}]}},
        "required": ["p", "k"],
    });
    let good = serde_json::json!({"p": {"n": 3}, "k": null, "t": "x", "e": [true]});
    assert_eq!(errors(&schema, &good), Vec::<String>::new());
    let bad = serde_json::json!({"p": {"n": -1.5}, "t": "y", "e": [1]});
    let e = errors(&schema, &bad);
    for needle in [
        "$.p.n: expected",
        "missing required key `k`",
        "$.t: expected",
        "$.e: 0 of 2",
    ] {
        assert!(e.iter().any(|x| x.contains(needle)), "{needle} in {e:?}");
    }
}
