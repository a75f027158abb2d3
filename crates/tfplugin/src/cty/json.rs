//! cty values in JSON: the legacy `DynamicValue.json` form. Terraform sends msgpack today, but
//! the protocol still allows JSON, so the server decodes both.
//!
//! The JSON is plain (no unknowns are possible) and read against the expected type, with
//! go-cty's conversions: strings may hold numbers and bools, numbers and bools may stand for
//! strings, object attributes that are absent are null, and a `dynamic` value is
//! `{"type": <type JSON>, "value": <value>}`.
//!
//! Limitation: serde_json reads non-integer numbers as f64, so a fraction with more digits
//! than f64 holds is rounded (integers up to 64 bits are exact).

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::error::Walk;
use super::{CodecError, Number, Type, Value, type_json};

/// Decodes JSON `bytes` as a value of type `ty`.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let mut walk = Walk::new();
    // serde_json's error names line and column only, never the content.
    let json: Json = serde_json::from_slice(bytes)
        .map_err(|error| walk.error(format!("invalid JSON: {error}")))?;
    decode_value(&json, ty, &mut walk)
}

fn decode_value(json: &Json, ty: &Type, walk: &mut Walk) -> Result<Value, CodecError> {
    if json.is_null() {
        return Ok(Value::Null);
    }
    match (ty, json) {
        (Type::Dynamic, Json::Object(fields)) => decode_dynamic(fields, walk),
        (Type::Bool, Json::Bool(b)) => Ok(Value::Bool(*b)),
        (Type::Bool, Json::String(text)) if text == "true" => Ok(Value::Bool(true)),
        (Type::Bool, Json::String(text)) if text == "false" => Ok(Value::Bool(false)),
        (Type::Number, Json::Number(number)) => parse_number(&number.to_string(), walk),
        (Type::Number, Json::String(text)) => parse_number(text, walk),
        (Type::String, Json::String(text)) => Ok(Value::String(text.clone())),
        (Type::String, Json::Number(number)) => Ok(Value::String(number.to_string())),
        (Type::String, Json::Bool(b)) => Ok(Value::String(b.to_string())),
        (Type::List(element), Json::Array(items)) => {
            decode_elements(items, element, walk).map(Value::List)
        }
        (Type::Set(element), Json::Array(items)) => {
            decode_elements(items, element, walk).map(Value::Set)
        }
        (Type::Tuple(types), Json::Array(items)) => {
            if items.len() != types.len() {
                return Err(walk.error(format!(
                    "expected a tuple of {} elements, found {}",
                    types.len(),
                    items.len()
                )));
            }
            let mut values = Vec::with_capacity(items.len());
            for (index, (item, ty)) in items.iter().zip(types).enumerate() {
                values.push(walk.index(index, |walk| decode_value(item, ty, walk))?);
            }
            Ok(Value::Tuple(values))
        }
        (Type::Map(element), Json::Object(entries)) => {
            let mut values = BTreeMap::new();
            for (key, entry) in entries {
                values.insert(
                    key.clone(),
                    walk.key(key, |walk| decode_value(entry, element, walk))?,
                );
            }
            Ok(Value::Map(values))
        }
        (Type::Object(types), Json::Object(fields)) => {
            let mut attributes = BTreeMap::new();
            for (name, field) in fields {
                let Some(attribute_type) = types.get(name) else {
                    return Err(walk.error(format!("unexpected attribute {name:?}")));
                };
                attributes.insert(
                    name.clone(),
                    walk.attribute(name, |walk| decode_value(field, attribute_type, walk))?,
                );
            }
            for name in types.keys() {
                attributes.entry(name.clone()).or_insert(Value::Null);
            }
            Ok(Value::Object(attributes))
        }
        (ty, json) => Err(walk.error(format!("expected {ty}, found {}", json_kind(json)))),
    }
}

fn decode_elements(
    items: &[Json],
    element: &Type,
    walk: &mut Walk,
) -> Result<Vec<Value>, CodecError> {
    let mut values = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        values.push(walk.index(index, |walk| decode_value(item, element, walk))?);
    }
    Ok(values)
}

fn parse_number(text: &str, walk: &Walk) -> Result<Value, CodecError> {
    Number::parse(text)
        .map(Value::Number)
        .map_err(|error| walk.error(error.message()))
}

/// `{"type": T, "value": V}`, as go-cty writes a value whose schema type is `dynamic`.
fn decode_dynamic(
    fields: &serde_json::Map<String, Json>,
    walk: &mut Walk,
) -> Result<Value, CodecError> {
    if let Some(other) = fields.keys().find(|key| *key != "type" && *key != "value") {
        return Err(walk.error(format!("invalid key {other:?} in dynamically-typed value")));
    }
    let (Some(type_json), Some(value)) = (fields.get("type"), fields.get("value")) else {
        return Err(walk.error("a dynamically-typed value needs both \"type\" and \"value\""));
    };
    let ty = type_json::from_json(type_json).map_err(|error| walk.error(error.message()))?;
    if ty == Type::Dynamic {
        return Err(walk.error("a dynamic value's type must be concrete, found \"dynamic\""));
    }
    walk.nested(|walk| decode_value(value, &ty, walk))
}

fn json_kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "bool",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_type() -> Type {
        Type::object([
            ("instance_id", Type::String),
            ("limit", Type::Number),
            ("include_deleted", Type::Bool),
            (
                "filter",
                Type::object([("name", Type::String), ("values", Type::list(Type::String))]),
            ),
            ("tags", Type::map(Type::String)),
        ])
    }

    #[test]
    fn decodes_a_data_source_config() {
        let json = br#"{
            "instance_id": "inst-1",
            "limit": 50,
            "include_deleted": false,
            "filter": {"name": "type", "values": ["auto", "manual"]},
            "tags": {"env": "prod"}
        }"#;
        let expected = Value::object([
            ("instance_id", Value::from("inst-1")),
            ("limit", Value::from(50)),
            ("include_deleted", Value::from(false)),
            (
                "filter",
                Value::object([
                    ("name", Value::from("type")),
                    (
                        "values",
                        Value::List(vec![Value::from("auto"), Value::from("manual")]),
                    ),
                ]),
            ),
            (
                "tags",
                Value::Map([("env".to_owned(), Value::from("prod"))].into()),
            ),
        ]);
        let value = decode(json, &config_type()).unwrap();
        assert_eq!(value, expected);
        assert_eq!(value.conforms_to(&config_type()), Ok(()));
    }

    #[test]
    fn absent_and_null_attributes_are_null() {
        let value = decode(
            br#"{"instance_id": null, "filter": {"name": "x"}}"#,
            &config_type(),
        )
        .unwrap();
        assert_eq!(value.get("instance_id"), Some(&Value::Null));
        assert_eq!(value.get("limit"), Some(&Value::Null));
        assert_eq!(
            value.get("filter").and_then(|f| f.get("values")),
            Some(&Value::Null)
        );
        assert_eq!(decode(b"null", &config_type()), Ok(Value::Null));
    }

    #[test]
    fn applies_go_cty_primitive_conversions() {
        assert_eq!(decode(br#""true""#, &Type::Bool), Ok(Value::from(true)));
        assert_eq!(decode(br#""12""#, &Type::Number), Ok(Value::from(12)));
        assert_eq!(decode(b"12", &Type::String), Ok(Value::from("12")));
        assert_eq!(decode(b"false", &Type::String), Ok(Value::from("false")));
        assert_eq!(
            decode(b"1.5", &Type::Number),
            Ok(Value::from(Number::from(1.5)))
        );
        assert_eq!(
            decode(b"18446744073709551615", &Type::Number),
            Ok(Value::from(Number::from(u64::MAX)))
        );
        assert_eq!(
            decode(br#""12345678901234567890123""#, &Type::Number),
            Ok(Value::Number(Number::Decimal(
                "12345678901234567890123".into()
            )))
        );
        assert!(decode(br#""yes""#, &Type::Bool).is_err());
        assert!(decode(br#""ten""#, &Type::Number).is_err());
    }

    #[test]
    fn errors_name_the_path() {
        let error = decode(br#"{"filter": {"values": ["a", ["b"]]}}"#, &config_type()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "at .filter.values[1]: expected string, found array"
        );
        let error = decode(br#"{"surprise": 1}"#, &config_type()).unwrap_err();
        assert_eq!(error.to_string(), r#"unexpected attribute "surprise""#);
        let error = decode(br#"{"tags": {"env": {}}}"#, &config_type()).unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"at .tags["env"]: expected string, found object"#
        );
        assert!(
            decode(b"{", &config_type())
                .unwrap_err()
                .to_string()
                .starts_with("invalid JSON")
        );
        assert!(decode(b"[1]", &Type::Tuple(vec![Type::Number, Type::Number])).is_err());
    }

    #[test]
    fn collections_and_tuples() {
        let set = decode(br#"["b", "a"]"#, &Type::set(Type::String)).unwrap();
        assert_eq!(set, Value::Set(vec![Value::from("b"), Value::from("a")]));
        let tuple = decode(
            br#"["a", 1, true]"#,
            &Type::Tuple(vec![Type::String, Type::Number, Type::Bool]),
        )
        .unwrap();
        assert_eq!(
            tuple,
            Value::Tuple(vec![Value::from("a"), Value::from(1), Value::from(true)])
        );
    }

    #[test]
    fn dynamic_values_carry_their_type() {
        let value = decode(
            br#"{"type": ["list", "number"], "value": [1, 2]}"#,
            &Type::Dynamic,
        )
        .unwrap();
        assert_eq!(value, Value::List(vec![Value::from(1), Value::from(2)]));
        assert!(decode(br#"{"value": 1}"#, &Type::Dynamic).is_err());
        assert!(decode(br#"{"type": "number", "value": 1, "x": 2}"#, &Type::Dynamic).is_err());
        assert!(decode(b"1", &Type::Dynamic).is_err());
    }

    #[test]
    fn nesting_is_limited() {
        let mut ty = Type::String;
        let mut json = String::from("\"leaf\"");
        for _ in 0..100 {
            ty = Type::list(ty);
            json = format!("[{json}]");
        }
        let error = decode(json.as_bytes(), &ty).unwrap_err();
        assert!(error.message().contains("nested more than"), "{error}");
    }
}
