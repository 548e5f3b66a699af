//! `appmux schema`: the JSON Schema (draft 2020-12) of every document of the contract,
//! generated from the types, as one document (`documents` names each one's definition) or, for
//! one name, a schema of its own. The schemas describe what appmux writes: a key that is always
//! written is required, even when its value may be null.

use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value, json};

use super::*;

type Subschema = fn(&mut SchemaGenerator) -> Schema;
type RootSchema = fn(SchemaGenerator) -> Schema;

/// Each document: its name, what it is, and how to make its schema.
const DOCUMENTS: &[(&str, &str, Subschema, RootSchema)] = &[
    doc::<LsDocument>("ls", "appmux ls --json"),
    doc::<Describe>("describe", "appmux describe --json"),
    doc::<Why>("why", "appmux why --json"),
    doc::<CheckReport>("check", "appmux check --json"),
    doc::<Vec<ActionEntry>>("action-list", "appmux action list --json"),
    doc::<LogLine>("logs", "a line of appmux logs --json"),
    doc::<EventLine>("events", "a line of appmux events --json"),
    doc::<ScaleReport>("scale", "appmux scale --json"),
    doc::<WaitReport>("wait", "the control API's wait result"),
    doc::<ControlMessage>("api", "a line the control API (and appmux api) writes"),
];

const fn doc<T: JsonSchema>(
    name: &'static str,
    about: &'static str,
) -> (&'static str, &'static str, Subschema, RootSchema) {
    (
        name,
        about,
        |g| g.subschema_for::<T>(),
        |g| g.into_root_schema_for::<T>(),
    )
}

fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
}

/// The names `appmux schema NAME` takes.
pub fn document_names() -> Vec<&'static str> {
    DOCUMENTS.iter().map(|d| d.0).collect()
}

/// The schema of document `name`, or of them all; `None` for an unknown name.
pub fn schema_json(name: Option<&str>) -> Option<Value> {
    if let Some(name) = name {
        let (_, about, _, root) = DOCUMENTS.iter().find(|d| d.0 == name)?;
        let mut schema = root(generator()).to_value();
        if let Some(obj) = schema.as_object_mut() {
            obj.insert("description".into(), json!(about));
        }
        return Some(schema);
    }
    let mut generator = generator();
    let mut documents = Map::new();
    let mut any = Vec::new();
    for (name, about, sub, _) in DOCUMENTS {
        let mut schema = sub(&mut generator).to_value();
        if let Some(obj) = schema.as_object_mut() {
            obj.insert("description".into(), json!(about));
        }
        any.push(schema.clone());
        documents.insert((*name).to_owned(), schema);
    }
    Some(json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "appmux JSON contract",
        "schema": SCHEMA,
        "documents": documents,
        "anyOf": any,
        "$defs": generator.take_definitions(true),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `$ref` of the whole schema points at a definition it has.
    #[test]
    fn every_reference_resolves() {
        let all = schema_json(None).unwrap();
        let defs = all["$defs"].as_object().unwrap();
        fn refs(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(m) => {
                    if let Some(Value::String(r)) = m.get("$ref") {
                        out.push(r.clone());
                    }
                    m.values().for_each(|v| refs(v, out));
                }
                Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
                _ => {}
            }
        }
        let mut found = Vec::new();
        refs(&all, &mut found);
        assert!(found.len() > 10);
        for r in found {
            let name = r.strip_prefix("#/$defs/").expect("local reference");
            assert!(defs.contains_key(name), "{r} has no definition");
        }
        for name in document_names() {
            assert!(all["documents"][name].is_object(), "{name}");
            assert!(schema_json(Some(name)).is_some(), "{name}");
        }
        assert!(schema_json(Some("nope")).is_none());
    }

    /// A key that is always written is required, null or not.
    #[test]
    fn nullable_keys_that_are_always_written_are_required() {
        let ls = schema_json(Some("ls")).unwrap();
        let required = ls["required"].as_array().unwrap();
        for key in ["schema", "server_pid", "sessions", "orphans"] {
            assert!(required.contains(&json!(key)), "{key}: {ls}");
        }
        let app = &ls["$defs"]["AppInfo"];
        assert!(app["required"].as_array().unwrap().contains(&json!("pid")));
    }
}
