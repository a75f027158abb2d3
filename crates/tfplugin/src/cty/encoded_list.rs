//! A list value whose elements are stored already msgpack-encoded.
//!
//! A data source that returns many elements would otherwise hold each one as a tree of
//! [`Value`]s (a map per object, a `String` per attribute) until the whole state is encoded at
//! the end: for 100,000 backups that tree alone is hundreds of megabytes. An [`EncodedList`]
//! checks each element against the element type when it is pushed and keeps only its msgpack
//! bytes (a few hundred per backup); the msgpack encoder then writes the array header and the
//! bytes as they are. The result on the wire is exactly what encoding a [`Value::List`] of the
//! same elements gives.

use super::{CodecError, Type, Value, msgpack};
use crate::diag::{AttributePath, PathStep};

/// Elements of one list type, each checked and encoded when pushed.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodedList {
    element: Type,
    len: usize,
    bytes: Vec<u8>,
}

impl EncodedList {
    /// An empty list of elements of type `element`.
    pub fn new(element: Type) -> Self {
        EncodedList {
            element,
            len: 0,
            bytes: Vec::new(),
        }
    }

    /// Appends `item` after checking that it is wholly known and has exactly the element type;
    /// on error (which names the element's index and the path inside it) nothing is appended.
    pub fn push(&mut self, item: &Value) -> Result<(), CodecError> {
        let index = i64::try_from(self.len).unwrap_or(i64::MAX);
        let at_index = |error: CodecError| {
            let mut steps = vec![PathStep::ElementKeyInt(index)];
            steps.extend(error.path().steps.iter().cloned());
            CodecError::new(AttributePath { steps }, error.message())
        };
        if !item.is_wholly_known() {
            return Err(at_index(CodecError::new(
                AttributePath::default(),
                "an element with unknown values cannot be encoded",
            )));
        }
        item.conforms_to(&self.element).map_err(at_index)?;
        let before = self.bytes.len();
        if let Err(error) = msgpack::encode_into(&mut self.bytes, item, &self.element) {
            self.bytes.truncate(before);
            return Err(at_index(error));
        }
        self.len += 1;
        Ok(())
    }

    /// Elements pushed so far.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The type of every element.
    pub fn element_type(&self) -> &Type {
        &self.element
    }

    /// Bytes of the encoded elements (without the array header), to watch a size limit.
    pub fn encoded_len(&self) -> usize {
        self.bytes.len()
    }

    /// The encoded elements, one after the other.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn element() -> Type {
        Type::object([("id", Type::String), ("size", Type::Number)])
    }

    fn item(id: &str, size: Value) -> Value {
        Value::object([("id", Value::from(id)), ("size", size)])
    }

    fn state_type() -> Type {
        Type::object([("items", Type::list(element()))])
    }

    #[test]
    fn encodes_exactly_like_a_list_of_values() {
        let items = vec![
            item("a", Value::from(1)),
            item("b", Value::Null),
            Value::Null,
        ];
        let mut encoded = EncodedList::new(element());
        for item in &items {
            encoded.push(item).expect("conforms");
        }
        assert_eq!(encoded.len(), 3);
        let plain = Value::object([("items", Value::List(items))]);
        let pre = Value::object([("items", Value::EncodedList(encoded))]);
        pre.conforms_to(&state_type()).expect("conforms");
        let plain_bytes = msgpack::encode(&plain, &state_type()).expect("encodes");
        assert_eq!(
            msgpack::encode(&pre, &state_type()).expect("encodes"),
            plain_bytes
        );
        // And it decodes back to the plain list.
        assert_eq!(
            msgpack::decode(&plain_bytes, &state_type()).expect("decodes"),
            plain
        );
        let empty = Value::object([("items", Value::EncodedList(EncodedList::new(element())))]);
        assert_eq!(
            msgpack::encode(&empty, &state_type()).expect("encodes"),
            msgpack::encode(
                &Value::object([("items", Value::List(Vec::new()))]),
                &state_type()
            )
            .expect("encodes")
        );
    }

    #[test]
    fn elements_that_do_not_conform_are_refused_naming_the_index() {
        let mut encoded = EncodedList::new(element());
        encoded.push(&item("a", Value::from(1))).expect("conforms");
        let before = encoded.encoded_len();
        let error = encoded
            .push(&item("b", Value::from("not a number")))
            .expect_err("a string is not a number");
        assert!(error.to_string().contains("[1]"), "{error}");
        assert!(error.to_string().contains("size"), "{error}");
        let error = encoded
            .push(&item("c", Value::Unknown))
            .expect_err("unknown values are refused");
        assert!(error.to_string().contains("unknown"), "{error}");
        assert_eq!(encoded.len(), 1);
        assert_eq!(encoded.encoded_len(), before, "nothing appended on error");
    }

    #[test]
    fn a_list_of_another_element_type_does_not_conform() {
        let encoded = EncodedList::new(Type::String);
        let error = Value::object([("items", Value::EncodedList(encoded))])
            .conforms_to(&state_type())
            .expect_err("list of string is not list of object");
        assert!(error.to_string().contains("items"), "{error}");
    }
}
