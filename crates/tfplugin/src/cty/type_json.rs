//! cty's JSON type syntax: `"string"`, `"number"`, `"bool"`, `"dynamic"`, `["list",T]`,
//! `["set",T]`, `["map",T]`, `["object",{"name":T,...}]`, `["tuple",[T,...]]`.
//!
//! Terraform parses `Schema.Attribute.type` with this syntax (and crashes on invalid JSON
//! there), and msgpack's dynamic values carry their type in it, so types are always generated
//! from [`Type`] and parsed back with a depth limit, never written by hand.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};

use super::error::Walk;
use super::{CodecError, Type};

/// The JSON form of `ty`. Object attributes come out sorted by name, as Terraform writes them.
pub fn to_json(ty: &Type) -> Json {
    match ty {
        Type::String => Json::from("string"),
        Type::Number => Json::from("number"),
        Type::Bool => Json::from("bool"),
        Type::Dynamic => Json::from("dynamic"),
        Type::List(element) => Json::Array(vec![Json::from("list"), to_json(element)]),
        Type::Set(element) => Json::Array(vec![Json::from("set"), to_json(element)]),
        Type::Map(element) => Json::Array(vec![Json::from("map"), to_json(element)]),
        Type::Object(attributes) => {
            let attributes: Map<String, Json> = attributes
                .iter()
                .map(|(name, ty)| (name.clone(), to_json(ty)))
                .collect();
            Json::Array(vec![Json::from("object"), Json::Object(attributes)])
        }
        Type::Tuple(elements) => Json::Array(vec![
            Json::from("tuple"),
            Json::Array(elements.iter().map(to_json).collect()),
        ]),
    }
}

/// Compact JSON bytes of `ty`, as `Schema.Attribute.type` expects them.
pub fn to_bytes(ty: &Type) -> Vec<u8> {
    to_json(ty).to_string().into_bytes()
}

/// Parses the JSON form of a type. Also accepts the three-element object form
/// `["object",{...},["optional",...]]` Terraform uses for type constraints; the list of
/// optional attributes is checked and then ignored, since a value's type has none.
pub fn from_json(json: &Json) -> Result<Type, CodecError> {
    parse(json, &mut Walk::new())
}

fn parse(json: &Json, walk: &mut Walk) -> Result<Type, CodecError> {
    walk.nested(|walk| match json {
        Json::String(name) => match name.as_str() {
            "string" => Ok(Type::String),
            "number" => Ok(Type::Number),
            "bool" => Ok(Type::Bool),
            "dynamic" => Ok(Type::Dynamic),
            other => Err(invalid(walk, &format!("unknown primitive type {other:?}"))),
        },
        Json::Array(items) => parse_compound(items, walk),
        _ => Err(invalid(walk, "a type must be a string or an array")),
    })
}

fn parse_compound(items: &[Json], walk: &mut Walk) -> Result<Type, CodecError> {
    let Some(kind) = items.first().and_then(Json::as_str) else {
        return Err(invalid(
            walk,
            "a compound type must start with its kind name",
        ));
    };
    match (kind, &items[1..]) {
        ("list", [element]) => Ok(Type::list(parse(element, walk)?)),
        ("set", [element]) => Ok(Type::set(parse(element, walk)?)),
        ("map", [element]) => Ok(Type::map(parse(element, walk)?)),
        ("object", [Json::Object(attributes)]) => parse_object(attributes, walk),
        ("object", [Json::Object(attributes), Json::Array(optional)]) => {
            let object = parse_object(attributes, walk)?;
            for name in optional {
                match name.as_str() {
                    Some(name) if attributes.contains_key(name) => {}
                    _ => {
                        return Err(invalid(
                            walk,
                            "optional attributes must name attributes of the object",
                        ));
                    }
                }
            }
            Ok(object)
        }
        ("tuple", [Json::Array(elements)]) => Ok(Type::Tuple(
            elements
                .iter()
                .map(|element| parse(element, walk))
                .collect::<Result<_, _>>()?,
        )),
        ("list" | "set" | "map" | "object" | "tuple", _) => {
            Err(invalid(walk, &format!("malformed {kind} type")))
        }
        (other, _) => Err(invalid(walk, &format!("unknown type kind {other:?}"))),
    }
}

fn parse_object(attributes: &Map<String, Json>, walk: &mut Walk) -> Result<Type, CodecError> {
    let attributes = attributes
        .iter()
        .map(|(name, ty)| Ok((name.clone(), parse(ty, walk)?)))
        .collect::<Result<BTreeMap<_, _>, CodecError>>()?;
    Ok(Type::Object(attributes))
}

fn invalid(walk: &Walk, problem: &str) -> CodecError {
    walk.error(format!("invalid type JSON: {problem}"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn every_kind_of_type() -> Vec<(Type, Json)> {
        vec![
            (Type::String, json!("string")),
            (Type::Number, json!("number")),
            (Type::Bool, json!("bool")),
            (Type::Dynamic, json!("dynamic")),
            (Type::list(Type::String), json!(["list", "string"])),
            (Type::set(Type::Number), json!(["set", "number"])),
            (Type::map(Type::Bool), json!(["map", "bool"])),
            (
                Type::object([("b", Type::Number), ("a", Type::String)]),
                json!(["object", {"a": "string", "b": "number"}]),
            ),
            (
                Type::object(Vec::<(String, Type)>::new()),
                json!(["object", {}]),
            ),
            (
                Type::Tuple(vec![Type::String, Type::Dynamic]),
                json!(["tuple", ["string", "dynamic"]]),
            ),
            (Type::Tuple(vec![]), json!(["tuple", []])),
            (
                Type::list(Type::object([
                    ("size", Type::Number),
                    ("tags", Type::map(Type::String)),
                ])),
                json!(["list", ["object", {"size": "number", "tags": ["map", "string"]}]]),
            ),
        ]
    }

    #[test]
    fn every_type_has_the_documented_json_and_round_trips() {
        for (ty, expected) in every_kind_of_type() {
            assert_eq!(to_json(&ty), expected, "{ty}");
            assert_eq!(from_json(&expected).unwrap(), ty, "{expected}");
        }
    }

    #[test]
    fn bytes_are_compact_with_sorted_attributes() {
        let ty = Type::object([("zone", Type::String), ("id", Type::list(Type::Number))]);
        assert_eq!(
            to_bytes(&ty),
            br#"["object",{"id":["list","number"],"zone":"string"}]"#
        );
        assert_eq!(to_bytes(&Type::String), br#""string""#);
    }

    #[test]
    fn object_with_optional_attributes_is_accepted() {
        let ty = from_json(&json!(["object", {"a": "string"}, ["a"]])).unwrap();
        assert_eq!(ty, Type::object([("a", Type::String)]));
        assert!(from_json(&json!(["object", {"a": "string"}, ["b"]])).is_err());
    }

    #[test]
    fn malformed_types_are_errors() {
        for bad in [
            json!("str"),
            json!(42),
            json!(null),
            json!([]),
            json!(["list"]),
            json!(["list", "string", "string"]),
            json!(["object", ["a"]]),
            json!(["tuple", "string"]),
            json!(["thing", "string"]),
            json!([1, "string"]),
        ] {
            let error = from_json(&bad).unwrap_err();
            assert!(
                error.to_string().starts_with("invalid type JSON"),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn nesting_is_limited() {
        let mut json = json!("string");
        for _ in 0..200 {
            json = json!(["list", json]);
        }
        let error = from_json(&json).unwrap_err();
        assert!(error.to_string().contains("nested more than"), "{error}");
    }
}
