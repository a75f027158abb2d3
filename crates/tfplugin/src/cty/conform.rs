//! Does a value have exactly a given type? The server checks every state a data source returns
//! with this before encoding it, because Terraform rejects a state that is not exactly the
//! schema's type ("Provider produced invalid object") with a message that does not say where.
//! Checking here turns a provider bug into an error naming the attribute path.

use super::error::Walk;
use super::implied_type::common_type;
use super::{CodecError, Type, Value};

impl Value {
    /// Checks that this value has exactly type `ty`: objects carry exactly the type's
    /// attributes, collections and tuples hold elements of the right types. Null and unknown
    /// are accepted anywhere (callers that need a wholly known value check
    /// [`Value::is_wholly_known`] separately).
    pub fn conforms_to(&self, ty: &Type) -> Result<(), CodecError> {
        check(self, ty, &mut Walk::new())
    }
}

fn check(value: &Value, ty: &Type, walk: &mut Walk) -> Result<(), CodecError> {
    match (value, ty) {
        (Value::Null | Value::Unknown, _) => Ok(()),
        (_, Type::Dynamic) => match value.implied_type() {
            Some(_) => Ok(()),
            None => Err(walk.error("elements of a collection must all have the same type")),
        },
        (Value::Bool(_), Type::Bool) | (Value::String(_), Type::String) => Ok(()),
        (Value::Number(number), Type::Number) => number
            .wire_form()
            .map(drop)
            .map_err(|problem| walk.error(problem)),
        (Value::List(items), Type::List(element)) | (Value::Set(items), Type::Set(element)) => {
            same_element_types(items.iter(), element, walk)?;
            for (index, item) in items.iter().enumerate() {
                walk.index(index, |walk| check(item, element, walk))?;
            }
            Ok(())
        }
        // Each element was checked against the list's element type when it was pushed.
        (Value::EncodedList(list), Type::List(element)) if list.element_type() == &**element => {
            Ok(())
        }
        (Value::EncodedList(list), Type::List(element)) => Err(walk.error(format!(
            "expected list of {element}, found list of {}",
            list.element_type()
        ))),
        (Value::Map(entries), Type::Map(element)) => {
            same_element_types(entries.values(), element, walk)?;
            for (key, entry) in entries {
                walk.key(key, |walk| check(entry, element, walk))?;
            }
            Ok(())
        }
        (Value::Tuple(items), Type::Tuple(types)) => {
            if items.len() != types.len() {
                return Err(walk.error(format!(
                    "expected a tuple of {} elements, found {}",
                    types.len(),
                    items.len()
                )));
            }
            for (index, (item, ty)) in items.iter().zip(types).enumerate() {
                walk.index(index, |walk| check(item, ty, walk))?;
            }
            Ok(())
        }
        (Value::Object(attributes), Type::Object(types)) => {
            if let Some(extra) = attributes.keys().find(|name| !types.contains_key(*name)) {
                return Err(walk.error(format!("unexpected attribute {extra:?}")));
            }
            if let Some(missing) = types.keys().find(|name| !attributes.contains_key(*name)) {
                return Err(walk.error(format!("missing attribute {missing:?}")));
            }
            for (name, ty) in types {
                if let Some(attribute) = attributes.get(name) {
                    walk.attribute(name, |walk| check(attribute, ty, walk))?;
                }
            }
            Ok(())
        }
        (value, ty) => Err(walk.error(format!("expected {ty}, found {}", value.kind_name()))),
    }
}

/// A collection whose element type involves `dynamic` may still only hold elements of one
/// concrete type; the type itself cannot say so, the elements must agree.
fn same_element_types<'a>(
    items: impl Iterator<Item = &'a Value>,
    element: &Type,
    walk: &Walk,
) -> Result<(), CodecError> {
    if element.has_dynamic() && common_type(items).is_none() {
        return Err(walk.error("elements of a collection must all have the same type"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backups_type() -> Type {
        Type::object([
            ("instance_id", Type::String),
            (
                "backups",
                Type::list(Type::object([
                    ("id", Type::String),
                    ("size", Type::Number),
                    (
                        "datastore",
                        Type::object([("type", Type::String), ("version", Type::String)]),
                    ),
                    ("databases", Type::list(Type::String)),
                ])),
            ),
            ("tags", Type::map(Type::String)),
        ])
    }

    fn backup(size: Value) -> Value {
        Value::object([
            ("id", Value::from("b1")),
            ("size", size),
            (
                "datastore",
                Value::object([
                    ("type", Value::from("MySQL")),
                    ("version", Value::from("8.0")),
                ]),
            ),
            ("databases", Value::List(vec![Value::from("db1")])),
        ])
    }

    fn state(backups: Vec<Value>) -> Value {
        Value::object([
            ("instance_id", Value::from("i-1")),
            ("backups", Value::List(backups)),
            (
                "tags",
                Value::Map([("env".to_owned(), Value::from("prod"))].into()),
            ),
        ])
    }

    #[test]
    fn a_matching_state_conforms() {
        let value = state(vec![backup(Value::from(10)), backup(Value::Null)]);
        assert_eq!(value.conforms_to(&backups_type()), Ok(()));
    }

    #[test]
    fn null_and_unknown_conform_anywhere() {
        assert_eq!(Value::Null.conforms_to(&backups_type()), Ok(()));
        assert_eq!(Value::Unknown.conforms_to(&backups_type()), Ok(()));
        assert_eq!(
            state(vec![Value::Unknown, Value::Null]).conforms_to(&backups_type()),
            Ok(())
        );
    }

    #[test]
    fn a_wrong_primitive_is_reported_with_its_path() {
        let backups = vec![
            backup(Value::from(1)),
            backup(Value::from(2)),
            backup(Value::from(3)),
            backup(Value::from("big")),
        ];
        let error = state(backups).conforms_to(&backups_type()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "at .backups[3].size: expected number, found string"
        );
    }

    #[test]
    fn objects_must_have_exactly_the_type_attributes() {
        let mut missing = backup(Value::from(1));
        if let Value::Object(attributes) = &mut missing {
            attributes.remove("databases");
        }
        let error = state(vec![missing])
            .conforms_to(&backups_type())
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"at .backups[0]: missing attribute "databases""#
        );

        let mut extra = backup(Value::from(1));
        if let Value::Object(attributes) = &mut extra {
            attributes.insert("surprise".into(), Value::Null);
        }
        let error = state(vec![extra]).conforms_to(&backups_type()).unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"at .backups[0]: unexpected attribute "surprise""#
        );
    }

    #[test]
    fn collection_kinds_must_match() {
        let error = Value::Set(vec![])
            .conforms_to(&Type::list(Type::String))
            .unwrap_err();
        assert_eq!(error.to_string(), "expected list of string, found set");
        let error = Value::Map([("k".to_owned(), Value::from(1))].into())
            .conforms_to(&Type::map(Type::String))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"at ["k"]: expected string, found number"#
        );
    }

    #[test]
    fn tuples_check_length_and_each_element() {
        let ty = Type::Tuple(vec![Type::String, Type::Bool]);
        assert_eq!(
            Value::Tuple(vec![Value::from("a"), Value::from(true)]).conforms_to(&ty),
            Ok(())
        );
        assert!(
            Value::Tuple(vec![Value::from("a")])
                .conforms_to(&ty)
                .is_err()
        );
        let error = Value::Tuple(vec![Value::from("a"), Value::from("b")])
            .conforms_to(&ty)
            .unwrap_err();
        assert_eq!(error.to_string(), "at [1]: expected bool, found string");
    }

    #[test]
    fn dynamic_accepts_any_consistent_value() {
        assert_eq!(Value::from("x").conforms_to(&Type::Dynamic), Ok(()));
        let mixed = Value::List(vec![Value::from("x"), Value::from(1)]);
        assert!(mixed.conforms_to(&Type::Dynamic).is_err());
        assert!(mixed.conforms_to(&Type::list(Type::Dynamic)).is_err());
        let same = Value::List(vec![Value::from("x"), Value::Null]);
        assert_eq!(same.conforms_to(&Type::list(Type::Dynamic)), Ok(()));
    }

    #[test]
    fn nan_is_not_a_number() {
        let error = Value::Number(f64::NAN.into())
            .conforms_to(&Type::Number)
            .unwrap_err();
        assert!(error.to_string().contains("NaN"));
    }
}
