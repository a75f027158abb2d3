//! The type a value implies on its own. Needed where the schema says `dynamic`: there the
//! wire form carries the value's concrete type, which must be derived from the value itself.
//!
//! [`Value`] does not record types on nulls, unknowns or empty collections, so those imply
//! `dynamic`, and elements of one collection are merged (a null element takes its type from its
//! siblings).

use super::{Type, Value};

impl Value {
    /// The concrete type of this value, or `None` when the elements of a collection disagree
    /// (a list of a string and a number is not a cty value).
    pub fn implied_type(&self) -> Option<Type> {
        Some(match self {
            Value::Null | Value::Unknown => Type::Dynamic,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(items) => Type::list(common_type(items.iter())?),
            Value::EncodedList(list) => Type::list(list.element_type().clone()),
            Value::Set(items) => Type::set(common_type(items.iter())?),
            Value::Map(entries) => Type::map(common_type(entries.values())?),
            Value::Object(attributes) => Type::Object(
                attributes
                    .iter()
                    .map(|(name, value)| Some((name.clone(), value.implied_type()?)))
                    .collect::<Option<_>>()?,
            ),
            Value::Tuple(items) => Type::Tuple(
                items
                    .iter()
                    .map(Value::implied_type)
                    .collect::<Option<_>>()?,
            ),
        })
    }
}

/// The one type all `values` share, `dynamic` when there are none (or all are null/unknown).
pub(crate) fn common_type<'a>(values: impl Iterator<Item = &'a Value>) -> Option<Type> {
    values
        .map(Value::implied_type)
        .try_fold(Type::Dynamic, |common, ty| unify(common, ty?))
}

/// The most specific type that both `a` and `b` describe, treating `dynamic` as "not yet known".
fn unify(a: Type, b: Type) -> Option<Type> {
    match (a, b) {
        (Type::Dynamic, other) | (other, Type::Dynamic) => Some(other),
        (Type::List(a), Type::List(b)) => Some(Type::list(unify(*a, *b)?)),
        (Type::Set(a), Type::Set(b)) => Some(Type::set(unify(*a, *b)?)),
        (Type::Map(a), Type::Map(b)) => Some(Type::map(unify(*a, *b)?)),
        (Type::Object(a), Type::Object(b)) => {
            if a.len() != b.len() || !a.keys().eq(b.keys()) {
                return None;
            }
            let merged = a
                .into_iter()
                .zip(b)
                .map(|((name, a), (_, b))| Some((name, unify(a, b)?)));
            Some(Type::Object(merged.collect::<Option<_>>()?))
        }
        (Type::Tuple(a), Type::Tuple(b)) => {
            if a.len() != b.len() {
                return None;
            }
            Some(Type::Tuple(
                a.into_iter()
                    .zip(b)
                    .map(|(a, b)| unify(a, b))
                    .collect::<Option<_>>()?,
            ))
        }
        (a, b) => (a == b).then_some(a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitives_and_nulls() {
        assert_eq!(Value::from("x").implied_type(), Some(Type::String));
        assert_eq!(Value::from(1).implied_type(), Some(Type::Number));
        assert_eq!(Value::from(true).implied_type(), Some(Type::Bool));
        assert_eq!(Value::Null.implied_type(), Some(Type::Dynamic));
        assert_eq!(
            Value::List(vec![]).implied_type(),
            Some(Type::list(Type::Dynamic))
        );
    }

    #[test]
    fn null_elements_take_their_siblings_type() {
        let list = Value::List(vec![
            Value::object([("a", Value::Null), ("b", Value::from(1))]),
            Value::object([("a", Value::from("x")), ("b", Value::Unknown)]),
        ]);
        let expected = Type::list(Type::object([("a", Type::String), ("b", Type::Number)]));
        assert_eq!(list.implied_type(), Some(expected));
    }

    #[test]
    fn disagreeing_elements_have_no_type() {
        assert_eq!(
            Value::List(vec![Value::from("x"), Value::from(1)]).implied_type(),
            None
        );
        let objects = Value::Set(vec![
            Value::object([("a", Value::from(1))]),
            Value::object([("b", Value::from(1))]),
        ]);
        assert_eq!(objects.implied_type(), None);
    }

    #[test]
    fn tuples_keep_each_element_type() {
        let tuple = Value::Tuple(vec![Value::from("x"), Value::from(false)]);
        assert_eq!(
            tuple.implied_type(),
            Some(Type::Tuple(vec![Type::String, Type::Bool]))
        );
    }
}
