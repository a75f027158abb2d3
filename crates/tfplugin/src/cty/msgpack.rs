//! cty values in msgpack: the form Terraform uses in `DynamicValue.msgpack`, compatible with
//! go-cty's `msgpack` package.
//!
//! The wire rules, as Terraform applies them:
//! - null is msgpack nil for any type; an unknown value is any msgpack extension (Terraform
//!   writes `d4 00 00`, refined unknowns use extension type 12 with a payload we skip);
//! - numbers arrive as ints of any width, float32/64, or strings of decimal digits;
//! - lists, sets and tuples are arrays; maps and objects are maps keyed by strings, and an
//!   object carries every attribute of its type;
//! - where the type is `dynamic`, a known value travels as `[type JSON (bin), value]`.
//!
//! Decoding is driven by the expected type, never trusts lengths for allocation, limits
//! nesting, and reports truncated or malformed input as a [`CodecError`] naming the path.

use std::collections::BTreeMap;

use rmp::Marker;

use super::error::Walk;
use super::number::WireNumber;
use super::{CodecError, Number, Type, Value, type_json};

/// What go-cty writes for a wholly unknown value: a fixext1 of type 0 holding one zero byte.
const UNKNOWN: [u8; 3] = [0xd4, 0x00, 0x00];

/// Decodes `bytes` as a value of type `ty`. The whole input must be one value.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let mut reader = Reader { input: bytes };
    let mut walk = Walk::new();
    let value = decode_value(&mut reader, ty, &mut walk)?;
    if !reader.input.is_empty() {
        return Err(walk.error(format!(
            "{} unexpected bytes after the value",
            reader.input.len()
        )));
    }
    Ok(value)
}

/// Encodes `value` as type `ty`, writing every attribute of each object type (absent ones as
/// null). The value must conform to `ty` (see [`Value::conforms_to`]); where it does not, the
/// error names the path.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::new();
    encode_value(&mut out, value, ty, &mut Walk::new())?;
    Ok(out)
}

/// Appends the encoding of `value` as type `ty` to `out` (see [`encode`]).
pub(crate) fn encode_into(out: &mut Vec<u8>, value: &Value, ty: &Type) -> Result<(), CodecError> {
    encode_value(out, value, ty, &mut Walk::new())
}

fn decode_value(reader: &mut Reader<'_>, ty: &Type, walk: &mut Walk) -> Result<Value, CodecError> {
    let marker = reader.peek_marker(walk)?;
    // Extensions come first: an unknown value of any type, `dynamic` included.
    if is_extension(marker) {
        reader.skip_extension(walk)?;
        return Ok(Value::Unknown);
    }
    // Null is nil for every type, `dynamic` included.
    if marker == Marker::Null {
        reader.marker(walk)?;
        return Ok(Value::Null);
    }
    match ty {
        Type::Dynamic => decode_dynamic(reader, walk),
        Type::Bool => match reader.marker(walk)? {
            Marker::True => Ok(Value::Bool(true)),
            Marker::False => Ok(Value::Bool(false)),
            other => Err(walk.error(format!("expected bool, found {}", marker_kind(other)))),
        },
        Type::Number => decode_number(reader, walk).map(Value::Number),
        Type::String => match reader.text(walk)? {
            Some(text) => Ok(Value::String(text)),
            None => Err(walk.error(format!("expected string, found {}", marker_kind(marker)))),
        },
        Type::List(element) => decode_elements(reader, element, walk, ty).map(Value::List),
        Type::Set(element) => decode_elements(reader, element, walk, ty).map(Value::Set),
        Type::Tuple(types) => {
            let length = reader.array_length(walk, ty)?;
            if length != types.len() {
                return Err(walk.error(format!(
                    "expected a tuple of {} elements, found {length}",
                    types.len()
                )));
            }
            let mut items = Vec::with_capacity(length);
            for (index, ty) in types.iter().enumerate() {
                items.push(walk.index(index, |walk| decode_value(reader, ty, walk))?);
            }
            Ok(Value::Tuple(items))
        }
        Type::Map(element) => {
            let length = reader.map_length(walk, ty)?;
            let mut entries = BTreeMap::new();
            for _ in 0..length {
                let key = reader.key(walk)?;
                let value = walk.key(&key, |walk| decode_value(reader, element, walk))?;
                if entries.contains_key(&key) {
                    return Err(walk.error(format!("duplicate map key {key:?}")));
                }
                entries.insert(key, value);
            }
            Ok(Value::Map(entries))
        }
        Type::Object(types) => {
            let length = reader.map_length(walk, ty)?;
            let mut attributes = BTreeMap::new();
            for _ in 0..length {
                let name = reader.key(walk)?;
                let Some(attribute_type) = types.get(&name) else {
                    return Err(walk.error(format!("unexpected attribute {name:?}")));
                };
                let value =
                    walk.attribute(&name, |walk| decode_value(reader, attribute_type, walk))?;
                if attributes.contains_key(&name) {
                    return Err(walk.error(format!("duplicate attribute {name:?}")));
                }
                attributes.insert(name, value);
            }
            // Terraform always sends every attribute; be lenient and read absent ones as null.
            for name in types.keys() {
                attributes.entry(name.clone()).or_insert(Value::Null);
            }
            Ok(Value::Object(attributes))
        }
    }
}

fn decode_elements(
    reader: &mut Reader<'_>,
    element: &Type,
    walk: &mut Walk,
    ty: &Type,
) -> Result<Vec<Value>, CodecError> {
    let length = reader.array_length(walk, ty)?;
    // Never trust a length for allocation: each element needs at least one byte.
    let mut items = Vec::with_capacity(length.min(reader.input.len()));
    for index in 0..length {
        items.push(walk.index(index, |walk| decode_value(reader, element, walk))?);
    }
    Ok(items)
}

fn decode_number(reader: &mut Reader<'_>, walk: &mut Walk) -> Result<Number, CodecError> {
    let marker = reader.marker(walk)?;
    let number = match marker {
        Marker::FixPos(n) => Number::Int(i64::from(n)),
        Marker::FixNeg(n) => Number::Int(i64::from(n)),
        Marker::U8 => Number::Int(i64::from(reader.array::<1>(walk)?[0])),
        Marker::U16 => Number::Int(i64::from(u16::from_be_bytes(reader.array(walk)?))),
        Marker::U32 => Number::Int(i64::from(u32::from_be_bytes(reader.array(walk)?))),
        Marker::U64 => Number::from(u64::from_be_bytes(reader.array(walk)?)),
        Marker::I8 => Number::Int(i64::from(i8::from_be_bytes(reader.array(walk)?))),
        Marker::I16 => Number::Int(i64::from(i16::from_be_bytes(reader.array(walk)?))),
        Marker::I32 => Number::Int(i64::from(i32::from_be_bytes(reader.array(walk)?))),
        Marker::I64 => Number::Int(i64::from_be_bytes(reader.array(walk)?)),
        Marker::F32 => Number::from(f64::from(f32::from_be_bytes(reader.array(walk)?))),
        Marker::F64 => Number::from(f64::from_be_bytes(reader.array(walk)?)),
        _ => {
            // go-cty sends numbers that fit neither i64 nor f64 as decimal strings.
            let Some(text) = reader.text_after(marker, walk)? else {
                return Err(walk.error(format!("expected number, found {}", marker_kind(marker))));
            };
            return Number::parse(&text).map_err(|error| walk.error(error.message()));
        }
    };
    if matches!(number, Number::Float(f) if f.is_nan()) {
        return Err(walk.error("NaN is not a valid number"));
    }
    Ok(number)
}

/// A known, non-null value of a `dynamic` slot: `[type JSON, value]` (`decode_value` has
/// already handled nil and unknown).
fn decode_dynamic(reader: &mut Reader<'_>, walk: &mut Walk) -> Result<Value, CodecError> {
    let marker = reader.marker(walk)?;
    let malformed = "a dynamic value must be a two-element array [type, value]";
    if reader.length_after(marker, walk)? != Some((Collection::Array, 2)) {
        return Err(walk.error(malformed));
    }
    let type_marker = reader.marker(walk)?;
    let Some(type_bytes) = reader.bytes_after(type_marker, walk)? else {
        return Err(walk.error(malformed));
    };
    let type_json: serde_json::Value = serde_json::from_slice(type_bytes)
        .map_err(|error| walk.error(format!("invalid type JSON in dynamic value: {error}")))?;
    let ty = type_json::from_json(&type_json).map_err(|error| walk.error(error.message()))?;
    if ty == Type::Dynamic {
        // go-cty never wraps a value whose type is itself dynamic; allowing it would also let
        // input recurse without consuming nesting.
        return Err(walk.error("a dynamic value's type must be concrete, found \"dynamic\""));
    }
    walk.nested(|walk| decode_value(reader, &ty, walk))
}

fn encode_value(
    out: &mut Vec<u8>,
    value: &Value,
    ty: &Type,
    walk: &mut Walk,
) -> Result<(), CodecError> {
    match (value, ty) {
        (Value::Unknown, _) => {
            out.extend_from_slice(&UNKNOWN);
            Ok(())
        }
        (Value::Null, _) => written(rmp::encode::write_nil(out), walk),
        (_, Type::Dynamic) => encode_dynamic(out, value, walk),
        (Value::Bool(b), Type::Bool) => written(rmp::encode::write_bool(out, *b), walk),
        (Value::Number(number), Type::Number) => {
            match number.wire_form().map_err(|problem| walk.error(problem))? {
                WireNumber::Int(n) => written(rmp::encode::write_sint(out, n), walk),
                WireNumber::Float(f) => written(rmp::encode::write_f64(out, f), walk),
                WireNumber::Text(text) => write_text(out, &text, walk),
            }
        }
        (Value::String(text), Type::String) => write_text(out, text, walk),
        (Value::List(items), Type::List(element)) | (Value::Set(items), Type::Set(element)) => {
            written(
                rmp::encode::write_array_len(out, wire_length(items.len(), walk)?),
                walk,
            )?;
            for (index, item) in items.iter().enumerate() {
                walk.index(index, |walk| encode_value(out, item, element, walk))?;
            }
            Ok(())
        }
        // Elements encoded when they were pushed: the array header, then their bytes as they are.
        (Value::EncodedList(list), Type::List(element)) if list.element_type() == &**element => {
            written(
                rmp::encode::write_array_len(out, wire_length(list.len(), walk)?),
                walk,
            )?;
            out.extend_from_slice(list.bytes());
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
            written(
                rmp::encode::write_array_len(out, wire_length(items.len(), walk)?),
                walk,
            )?;
            for (index, (item, ty)) in items.iter().zip(types).enumerate() {
                walk.index(index, |walk| encode_value(out, item, ty, walk))?;
            }
            Ok(())
        }
        (Value::Map(entries), Type::Map(element)) => {
            written(
                rmp::encode::write_map_len(out, wire_length(entries.len(), walk)?),
                walk,
            )?;
            for (key, entry) in entries {
                write_text(out, key, walk)?;
                walk.key(key, |walk| encode_value(out, entry, element, walk))?;
            }
            Ok(())
        }
        (Value::Object(attributes), Type::Object(types)) => {
            if let Some(extra) = attributes.keys().find(|name| !types.contains_key(*name)) {
                return Err(walk.error(format!("unexpected attribute {extra:?}")));
            }
            written(
                rmp::encode::write_map_len(out, wire_length(types.len(), walk)?),
                walk,
            )?;
            // Sorted by name (BTreeMap order), as go-cty writes them.
            for (name, ty) in types {
                write_text(out, name, walk)?;
                let attribute = attributes.get(name).unwrap_or(&Value::Null);
                walk.attribute(name, |walk| encode_value(out, attribute, ty, walk))?;
            }
            Ok(())
        }
        (value, ty) => Err(walk.error(format!("expected {ty}, found {}", value.kind_name()))),
    }
}

/// A known value where the type is `dynamic`: `[type JSON as bin, value]`, as go-cty writes it.
fn encode_dynamic(out: &mut Vec<u8>, value: &Value, walk: &mut Walk) -> Result<(), CodecError> {
    let Some(ty) = value.implied_type() else {
        return Err(walk.error("elements of a collection must all have the same type"));
    };
    written(rmp::encode::write_array_len(out, 2), walk)?;
    written(rmp::encode::write_bin(out, &type_json::to_bytes(&ty)), walk)?;
    walk.nested(|walk| encode_value(out, value, &ty, walk))
}

fn write_text(out: &mut Vec<u8>, text: &str, walk: &Walk) -> Result<(), CodecError> {
    wire_length(text.len(), walk)?;
    written(rmp::encode::write_str(out, text), walk)
}

/// msgpack lengths are 32-bit.
fn wire_length(length: usize, walk: &Walk) -> Result<u32, CodecError> {
    u32::try_from(length)
        .map_err(|_| walk.error("too long for msgpack (more than 2^32-1 items or bytes)"))
}

/// Writing to a `Vec` cannot fail, but rmp's signatures are generic over writers.
fn written<T, E: std::fmt::Display>(result: Result<T, E>, walk: &Walk) -> Result<(), CodecError> {
    result
        .map(drop)
        .map_err(|error| walk.error(format!("msgpack write failed: {error}")))
}

fn is_extension(marker: Marker) -> bool {
    matches!(
        marker,
        Marker::FixExt1
            | Marker::FixExt2
            | Marker::FixExt4
            | Marker::FixExt8
            | Marker::FixExt16
            | Marker::Ext8
            | Marker::Ext16
            | Marker::Ext32
    )
}

/// The msgpack kind of a marker, for "expected X, found Y" messages.
fn marker_kind(marker: Marker) -> &'static str {
    match marker {
        Marker::Null => "null",
        Marker::True | Marker::False => "bool",
        Marker::FixPos(_) | Marker::FixNeg(_) => "integer",
        Marker::U8 | Marker::U16 | Marker::U32 | Marker::U64 => "integer",
        Marker::I8 | Marker::I16 | Marker::I32 | Marker::I64 => "integer",
        Marker::F32 | Marker::F64 => "float",
        Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => "string",
        Marker::Bin8 | Marker::Bin16 | Marker::Bin32 => "binary",
        Marker::FixArray(_) | Marker::Array16 | Marker::Array32 => "array",
        Marker::FixMap(_) | Marker::Map16 | Marker::Map32 => "map",
        Marker::FixExt1
        | Marker::FixExt2
        | Marker::FixExt4
        | Marker::FixExt8
        | Marker::FixExt16
        | Marker::Ext8
        | Marker::Ext16
        | Marker::Ext32 => "extension",
        Marker::Reserved => "reserved byte 0xc1",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Collection {
    Array,
    Map,
}

/// A cursor over the input. Every read checks the remaining length first, so truncated input
/// is an error, never a panic.
struct Reader<'a> {
    input: &'a [u8],
}

impl<'a> Reader<'a> {
    fn peek_marker(&self, walk: &Walk) -> Result<Marker, CodecError> {
        match self.input.first() {
            Some(byte) => Ok(Marker::from_u8(*byte)),
            None => Err(truncated(walk)),
        }
    }

    fn marker(&mut self, walk: &Walk) -> Result<Marker, CodecError> {
        Ok(Marker::from_u8(self.take(1, walk)?[0]))
    }

    fn take(&mut self, count: usize, walk: &Walk) -> Result<&'a [u8], CodecError> {
        if count > self.input.len() {
            return Err(truncated(walk));
        }
        let (taken, rest) = self.input.split_at(count);
        self.input = rest;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self, walk: &Walk) -> Result<[u8; N], CodecError> {
        let mut bytes = [0; N];
        bytes.copy_from_slice(self.take(N, walk)?);
        Ok(bytes)
    }

    /// A big-endian length of `width` bytes (1, 2 or 4).
    fn length(&mut self, width: usize, walk: &Walk) -> Result<usize, CodecError> {
        let length = match width {
            1 => u32::from(self.array::<1>(walk)?[0]),
            2 => u32::from(u16::from_be_bytes(self.array(walk)?)),
            _ => u32::from_be_bytes(self.array(walk)?),
        };
        usize::try_from(length).map_err(|_| walk.error("length does not fit in memory"))
    }

    /// The element count of an array or map marker; `None` for any other marker.
    fn length_after(
        &mut self,
        marker: Marker,
        walk: &Walk,
    ) -> Result<Option<(Collection, usize)>, CodecError> {
        Ok(Some(match marker {
            Marker::FixArray(n) => (Collection::Array, usize::from(n)),
            Marker::Array16 => (Collection::Array, self.length(2, walk)?),
            Marker::Array32 => (Collection::Array, self.length(4, walk)?),
            Marker::FixMap(n) => (Collection::Map, usize::from(n)),
            Marker::Map16 => (Collection::Map, self.length(2, walk)?),
            Marker::Map32 => (Collection::Map, self.length(4, walk)?),
            _ => return Ok(None),
        }))
    }

    fn array_length(&mut self, walk: &Walk, ty: &Type) -> Result<usize, CodecError> {
        self.collection_length(Collection::Array, walk, ty)
    }

    fn map_length(&mut self, walk: &Walk, ty: &Type) -> Result<usize, CodecError> {
        self.collection_length(Collection::Map, walk, ty)
    }

    fn collection_length(
        &mut self,
        expected: Collection,
        walk: &Walk,
        ty: &Type,
    ) -> Result<usize, CodecError> {
        let marker = self.marker(walk)?;
        match self.length_after(marker, walk)? {
            Some((kind, length)) if kind == expected => Ok(length),
            _ => Err(walk.error(format!("expected {ty}, found {}", marker_kind(marker)))),
        }
    }

    /// The payload of a str or bin marker; `None` for any other marker.
    fn bytes_after(&mut self, marker: Marker, walk: &Walk) -> Result<Option<&'a [u8]>, CodecError> {
        let length = match marker {
            Marker::FixStr(n) => usize::from(n),
            Marker::Str8 | Marker::Bin8 => self.length(1, walk)?,
            Marker::Str16 | Marker::Bin16 => self.length(2, walk)?,
            Marker::Str32 | Marker::Bin32 => self.length(4, walk)?,
            _ => return Ok(None),
        };
        self.take(length, walk).map(Some)
    }

    /// A UTF-8 string after `marker` (str or bin, as go-cty's decoder accepts both).
    fn text_after(&mut self, marker: Marker, walk: &Walk) -> Result<Option<String>, CodecError> {
        let Some(bytes) = self.bytes_after(marker, walk)? else {
            return Ok(None);
        };
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Some(text.to_owned())),
            Err(_) => Err(walk.error("string is not valid UTF-8")),
        }
    }

    fn text(&mut self, walk: &Walk) -> Result<Option<String>, CodecError> {
        let marker = self.marker(walk)?;
        self.text_after(marker, walk)
    }

    /// A map key, which must be a string.
    fn key(&mut self, walk: &Walk) -> Result<String, CodecError> {
        let marker = self.peek_marker(walk)?;
        match self.text(walk)? {
            Some(key) => Ok(key),
            None => Err(walk.error(format!(
                "map keys must be strings, found {}",
                marker_kind(marker)
            ))),
        }
    }

    /// Skips one extension value (marker, optional length, type byte, payload).
    fn skip_extension(&mut self, walk: &Walk) -> Result<(), CodecError> {
        let payload = match self.marker(walk)? {
            Marker::FixExt1 => 1,
            Marker::FixExt2 => 2,
            Marker::FixExt4 => 4,
            Marker::FixExt8 => 8,
            Marker::FixExt16 => 16,
            Marker::Ext8 => self.length(1, walk)?,
            Marker::Ext16 => self.length(2, walk)?,
            Marker::Ext32 => self.length(4, walk)?,
            other => {
                return Err(walk.error(format!("expected extension, found {}", marker_kind(other))));
            }
        };
        self.take(1, walk)?; // the extension type: any type means "unknown"
        self.take(payload, walk)?;
        Ok(())
    }
}

fn truncated(walk: &Walk) -> CodecError {
    walk.error("truncated msgpack input")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// msgpack str header + bytes, for hand-written payloads.
    fn s(text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        rmp::encode::write_str(&mut out, text).unwrap();
        out
    }

    fn cat(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    fn round_trip(value: &Value, ty: &Type) {
        let bytes = encode(value, ty).unwrap_or_else(|e| panic!("encode {value:?}: {e}"));
        let decoded = decode(&bytes, ty).unwrap_or_else(|e| panic!("decode {bytes:02x?}: {e}"));
        assert_eq!(&decoded, value, "bytes {bytes:02x?}");
    }

    fn backup_type() -> Type {
        Type::object([
            ("id", Type::String),
            ("size", Type::Number),
            (
                "datastore",
                Type::object([("type", Type::String), ("version", Type::String)]),
            ),
            ("databases", Type::list(Type::String)),
            ("encrypted", Type::Bool),
        ])
    }

    fn state_type() -> Type {
        Type::object([
            ("instance_id", Type::String),
            ("backups", Type::list(backup_type())),
            ("tags", Type::map(Type::String)),
        ])
    }

    fn backup(id: &str, size: i64) -> Value {
        Value::object([
            ("id", Value::from(id)),
            ("size", Value::from(size)),
            (
                "datastore",
                Value::object([
                    ("type", Value::from("MySQL")),
                    ("version", Value::from("8.0")),
                ]),
            ),
            (
                "databases",
                Value::List(vec![Value::from("orders"), Value::from("users")]),
            ),
            ("encrypted", Value::from(true)),
        ])
    }

    #[test]
    fn primitives_round_trip() {
        round_trip(&Value::from("hello"), &Type::String);
        round_trip(&Value::from(""), &Type::String);
        round_trip(&Value::from("x".repeat(70_000)), &Type::String);
        round_trip(&Value::from(true), &Type::Bool);
        round_trip(&Value::from(false), &Type::Bool);
        for n in [
            0,
            -1,
            1,
            127,
            128,
            -32,
            -33,
            255,
            65_536,
            i64::MAX,
            i64::MIN,
        ] {
            round_trip(&Value::from(n), &Type::Number);
        }
        round_trip(&Value::from(Number::from(u64::MAX)), &Type::Number);
        round_trip(&Value::from(Number::from(1.5)), &Type::Number);
        round_trip(&Value::from(Number::from(1e300)), &Type::Number);
        round_trip(&Value::from(Number::from(f64::INFINITY)), &Type::Number);
        round_trip(
            &Value::Number(Number::parse("12345678901234567890123").unwrap()),
            &Type::Number,
        );
        round_trip(&Value::Number(Number::parse("0.1").unwrap()), &Type::Number);
    }

    #[test]
    fn collections_round_trip() {
        round_trip(
            &Value::List(vec![Value::from(1), Value::from(2)]),
            &Type::list(Type::Number),
        );
        round_trip(&Value::List(vec![]), &Type::list(Type::Number));
        // Set order is kept as given.
        round_trip(
            &Value::Set(vec![Value::from("b"), Value::from("a")]),
            &Type::set(Type::String),
        );
        let map = Value::Map(
            [
                ("env".to_owned(), Value::from("prod")),
                ("team".to_owned(), Value::Null),
            ]
            .into(),
        );
        round_trip(&map, &Type::map(Type::String));
        let tuple = Value::Tuple(vec![Value::from("a"), Value::from(1), Value::Unknown]);
        round_trip(
            &tuple,
            &Type::Tuple(vec![Type::String, Type::Number, Type::Bool]),
        );
        round_trip(&Value::Tuple(vec![]), &Type::Tuple(vec![]));
        round_trip(
            &Value::Object(BTreeMap::new()),
            &Type::Object(BTreeMap::new()),
        );
    }

    #[test]
    fn data_source_state_round_trips() {
        let state = Value::object([
            ("instance_id", Value::from("inst-1")),
            (
                "backups",
                Value::List(vec![backup("b1", 10), backup("b2", 1 << 40)]),
            ),
            (
                "tags",
                Value::Map([("env".to_owned(), Value::from("prod"))].into()),
            ),
        ]);
        round_trip(&state, &state_type());
    }

    #[test]
    fn nulls_round_trip_at_every_level() {
        round_trip(&Value::Null, &state_type());
        let mut backup_with_nulls = backup("b", 1);
        if let Value::Object(attributes) = &mut backup_with_nulls {
            for value in attributes.values_mut() {
                *value = Value::Null;
            }
        }
        let nested_nulls = Value::object([
            (
                "datastore",
                Value::object([("type", Value::Null), ("version", Value::from("5.7"))]),
            ),
            (
                "databases",
                Value::List(vec![Value::Null, Value::from("x")]),
            ),
            ("id", Value::Null),
            ("size", Value::Null),
            ("encrypted", Value::Null),
        ]);
        let state = Value::object([
            ("instance_id", Value::Null),
            (
                "backups",
                Value::List(vec![Value::Null, backup_with_nulls, nested_nulls]),
            ),
            ("tags", Value::Null),
        ]);
        round_trip(&state, &state_type());
    }

    #[test]
    fn unknowns_round_trip_at_every_level() {
        round_trip(&Value::Unknown, &state_type());
        let state = Value::object([
            ("instance_id", Value::Unknown),
            ("backups", Value::List(vec![Value::Unknown, backup("b", 1)])),
            (
                "tags",
                Value::Map([("k".to_owned(), Value::Unknown)].into()),
            ),
        ]);
        round_trip(&state, &state_type());
        assert_eq!(encode(&Value::Unknown, &Type::String).unwrap(), UNKNOWN);
        assert_eq!(encode(&Value::Unknown, &Type::Dynamic).unwrap(), UNKNOWN);
    }

    #[test]
    fn every_extension_form_decodes_as_unknown() {
        let forms: Vec<Vec<u8>> = vec![
            vec![0xd4, 0x00, 0x00],
            // Refined unknown: ext type 12 holding {1: false} ("definitely not null").
            vec![0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2],
            vec![0xd4, 0x0c, 0x00],
            vec![0xd5, 0x01, 0xaa, 0xbb],
            vec![0xd6, 0x05, 1, 2, 3, 4],
            vec![0xd7, 0x7f, 1, 2, 3, 4, 5, 6, 7, 8],
            cat(&[&[0xd8, 0x80], &[9; 16]]),
            vec![0xc7, 0x00, 0x00],
            cat(&[&[0xc8, 0x01, 0x00, 0x0c], &[0; 256]]),
            vec![0xc9, 0x00, 0x00, 0x00, 0x02, 0x0c, 0x80, 0x00],
        ];
        for form in forms {
            for ty in [
                Type::String,
                Type::Number,
                Type::Dynamic,
                state_type(),
                Type::list(Type::Bool),
            ] {
                assert_eq!(
                    decode(&form, &ty),
                    Ok(Value::Unknown),
                    "{form:02x?} as {ty}"
                );
            }
        }
    }

    #[test]
    fn numbers_decode_from_every_wire_form() {
        let cases: Vec<(Vec<u8>, Number)> = vec![
            (vec![0x00], Number::Int(0)),
            (vec![0x7f], Number::Int(127)),
            (vec![0xff], Number::Int(-1)),
            (vec![0xe0], Number::Int(-32)),
            (vec![0xcc, 0xff], Number::Int(255)),
            (vec![0xcd, 0x01, 0x00], Number::Int(256)),
            (
                vec![0xce, 0xff, 0xff, 0xff, 0xff],
                Number::Int(4_294_967_295),
            ),
            (
                vec![0xcf, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
                Number::Int(i64::MAX),
            ),
            (
                vec![0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
                Number::from(u64::MAX),
            ),
            (vec![0xd0, 0x80], Number::Int(-128)),
            (vec![0xd1, 0x80, 0x00], Number::Int(-32_768)),
            (vec![0xd2, 0xff, 0xff, 0xff, 0xfe], Number::Int(-2)),
            (vec![0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0], Number::Int(i64::MIN)),
            (vec![0xca, 0x3f, 0xc0, 0x00, 0x00], Number::Float(1.5)),
            (cat(&[&[0xcb], &1.5f64.to_be_bytes()]), Number::Float(1.5)),
            (
                cat(&[&[0xcb], &1e300f64.to_be_bytes()]),
                Number::Float(1e300),
            ),
            (cat(&[&[0xcb], &2.0f64.to_be_bytes()]), Number::Int(2)),
            (
                s("12345678901234567890123"),
                Number::Decimal("12345678901234567890123".into()),
            ),
            (s("42"), Number::Int(42)),
            (vec![0xc4, 0x02, b'-', b'7'], Number::Int(-7)),
        ];
        for (bytes, expected) in cases {
            assert_eq!(
                decode(&bytes, &Type::Number),
                Ok(Value::Number(expected.clone())),
                "{bytes:02x?}"
            );
        }
    }

    #[test]
    fn numbers_encode_as_go_cty_does() {
        let encoded = |n: Number| encode(&Value::Number(n), &Type::Number).unwrap();
        assert_eq!(encoded(Number::Int(0)), [0x00]);
        assert_eq!(encoded(Number::Int(-1)), [0xff]);
        assert_eq!(encoded(Number::Float(3.0)), [0x03]);
        assert_eq!(
            encoded(Number::Float(1.5)),
            cat(&[&[0xcb], &1.5f64.to_be_bytes()])
        );
        assert_eq!(
            encoded(Number::Float(f64::NEG_INFINITY)),
            cat(&[&[0xcb], &f64::NEG_INFINITY.to_be_bytes()])
        );
        assert_eq!(
            encoded(Number::from(1u64 << 63)),
            cat(&[&[0xcb], &9.223_372_036_854_776e18_f64.to_be_bytes()])
        );
        assert_eq!(
            encoded(Number::Decimal("12345678901234567890123".into())),
            s("12345678901234567890123")
        );
        assert_eq!(encoded(Number::Decimal("0.1".into())), s("0.1"));
        let i64_max = encoded(Number::Int(i64::MAX));
        assert_eq!(decode(&i64_max, &Type::Number), Ok(Value::from(i64::MAX)));
        assert!(encode(&Value::Number(Number::Float(f64::NAN)), &Type::Number).is_err());
        assert!(decode(&cat(&[&[0xcb], &f64::NAN.to_be_bytes()]), &Type::Number).is_err());
        assert!(decode(&s("twelve"), &Type::Number).is_err());
    }

    #[test]
    fn hand_written_terraform_provider_config_decodes() {
        // provider "rds" { region = "cn-north-4", access_key = null, max_retries = var.unknown }
        let bytes = cat(&[
            &[0x83],
            &s("access_key"),
            &[0xc0],
            &s("max_retries"),
            &[0xd4, 0x00, 0x00],
            &s("region"),
            &s("cn-north-4"),
        ]);
        let ty = Type::object([
            ("access_key", Type::String),
            ("max_retries", Type::Number),
            ("region", Type::String),
        ]);
        let value = decode(&bytes, &ty).unwrap();
        assert_eq!(
            value.get("region").and_then(Value::as_str),
            Some("cn-north-4")
        );
        assert_eq!(value.get("access_key"), Some(&Value::Null));
        assert_eq!(value.get("max_retries"), Some(&Value::Unknown));
        assert!(!value.is_wholly_known());
        assert_eq!(encode(&value, &ty).unwrap(), bytes);
    }

    #[test]
    fn objects_encode_every_attribute_sorted() {
        let ty = Type::object([
            ("c", Type::list(Type::Bool)),
            ("a", Type::String),
            ("b", Type::Number),
        ]);
        let value = Value::object([
            ("a", Value::from("x")),
            ("c", Value::List(vec![Value::from(true)])),
        ]);
        let expected = cat(&[
            &[0x83],
            &s("a"),
            &s("x"),
            &s("b"),
            &[0xc0],
            &s("c"),
            &[0x91, 0xc3],
        ]);
        assert_eq!(encode(&value, &ty).unwrap(), expected);
    }

    #[test]
    fn absent_attributes_decode_as_null_but_unknown_ones_are_errors() {
        let ty = Type::object([("a", Type::String), ("b", Type::String)]);
        let partial = cat(&[&[0x81], &s("a"), &s("x")]);
        assert_eq!(
            decode(&partial, &ty),
            Ok(Value::object([("a", Value::from("x")), ("b", Value::Null)]))
        );
        let extra = cat(&[&[0x81], &s("z"), &s("x")]);
        assert_eq!(
            decode(&extra, &ty).unwrap_err().to_string(),
            r#"unexpected attribute "z""#
        );
        let duplicate = cat(&[&[0x82], &s("a"), &s("x"), &s("a"), &s("y")]);
        assert!(decode(&duplicate, &ty).is_err());
        let value = Value::object([("z", Value::from("x"))]);
        assert!(encode(&value, &ty).is_err());
    }

    #[test]
    fn type_mismatches_name_the_path() {
        let mut wrong = backup("b", 1);
        if let Value::Object(attributes) = &mut wrong {
            attributes.insert("size".into(), Value::from("big"));
        }
        let state = Value::object([
            ("instance_id", Value::from("i")),
            (
                "backups",
                Value::List(vec![backup("a", 1), backup("b", 2), backup("c", 3), wrong]),
            ),
            ("tags", Value::Null),
        ]);
        let error = encode(&state, &state_type()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "at .backups[3].size: expected number, found string"
        );

        let bytes = cat(&[&[0x81], &s("backups"), &[0x91, 0x81], &s("size"), &s("big")]);
        let error = decode(&bytes, &state_type()).unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"at .backups[0].size: "big" is not a number"#
        );

        let bytes = cat(&[&[0x81], &s("tags"), &[0x81], &s("env"), &[0x01]]);
        let error = decode(&bytes, &state_type()).unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"at .tags["env"]: expected string, found integer"#
        );

        assert_eq!(
            decode(&[0x91, 0x01], &Type::String)
                .unwrap_err()
                .to_string(),
            "expected string, found array"
        );
        assert!(decode(&[0xa1, b'x'], &Type::Bool).is_err());
        assert!(decode(&[0x92, 0x01, 0x02], &Type::Tuple(vec![Type::Number])).is_err());
        assert!(decode(&[0x81, 0x01, 0xa1, b'x'], &Type::map(Type::String)).is_err());
        assert!(decode(&[0xa2, 0xff, 0xfe], &Type::String).is_err());
        assert!(decode(&[0xc1], &Type::String).is_err());
    }

    #[test]
    fn dynamic_values_carry_their_type() {
        let bytes = encode(&Value::from("hi"), &Type::Dynamic).unwrap();
        assert_eq!(bytes, cat(&[&[0x92, 0xc4, 0x08], b"\"string\"", &s("hi")]));
        assert_eq!(decode(&bytes, &Type::Dynamic), Ok(Value::from("hi")));
        // The type JSON may also arrive as a msgpack str.
        let as_str = cat(&[&[0x92], &s(r#"["list","number"]"#), &[0x92, 0x01, 0x02]]);
        assert_eq!(
            decode(&as_str, &Type::Dynamic),
            Ok(Value::List(vec![Value::from(1), Value::from(2)]))
        );
        assert_eq!(encode(&Value::Null, &Type::Dynamic).unwrap(), [0xc0]);
        assert_eq!(decode(&[0xc0], &Type::Dynamic), Ok(Value::Null));

        let nested = Value::object([
            ("name", Value::from("x")),
            (
                "attrs",
                Value::List(vec![Value::Null, Value::object([("n", Value::from(1))])]),
            ),
        ]);
        let ty = Type::object([("name", Type::String), ("attrs", Type::Dynamic)]);
        round_trip(&nested, &ty);
        round_trip(
            &Value::List(vec![Value::from("a"), Value::from(true)]),
            &Type::list(Type::Dynamic),
        );

        assert!(
            encode(
                &Value::List(vec![Value::from("a"), Value::from(1)]),
                &Type::Dynamic
            )
            .is_err()
        );
        assert!(decode(&[0x91, 0xc0], &Type::Dynamic).is_err());
        assert!(decode(&cat(&[&[0x92], &s("\"dynamic\""), &[0xc0]]), &Type::Dynamic).is_err());
        assert!(decode(&cat(&[&[0x92], &s("not json"), &[0xc0]]), &Type::Dynamic).is_err());
        assert!(decode(&cat(&[&[0x92], &s("\"string\""), &[0x01]]), &Type::Dynamic).is_err());
    }

    #[test]
    fn truncated_input_is_an_error_at_every_cut() {
        let state = Value::object([
            ("instance_id", Value::from("inst-1")),
            (
                "backups",
                Value::List(vec![backup("b1", 1 << 40), Value::Unknown]),
            ),
            (
                "tags",
                Value::Map([("env".to_owned(), Value::from("prod"))].into()),
            ),
        ]);
        let bytes = encode(&state, &state_type()).unwrap();
        for cut in 0..bytes.len() {
            let error = decode(&bytes[..cut], &state_type()).unwrap_err();
            assert!(
                error.message().contains("truncated"),
                "cut at {cut}: {error}"
            );
        }
        let dynamic = encode(&Value::from(Number::from(1.5)), &Type::Dynamic).unwrap();
        for cut in 0..dynamic.len() {
            assert!(
                decode(&dynamic[..cut], &Type::Dynamic).is_err(),
                "cut at {cut}"
            );
        }
        // A huge declared length with nothing behind it must not allocate or panic.
        assert!(decode(&[0xdd, 0xff, 0xff, 0xff, 0xff], &Type::list(Type::String)).is_err());
        assert!(decode(&[0xc9, 0xff, 0xff, 0xff, 0xff, 0x00], &Type::String).is_err());
    }

    #[test]
    fn trailing_bytes_are_an_error() {
        let error = decode(&[0x01, 0x02], &Type::Number).unwrap_err();
        assert_eq!(error.to_string(), "1 unexpected bytes after the value");
    }

    #[test]
    fn nesting_is_limited() {
        // Hostile input: dynamic values of type ["list","dynamic"] nested inside each other.
        let mut bytes = Vec::new();
        for _ in 0..200 {
            bytes.extend_from_slice(&[0x92]);
            bytes.extend_from_slice(&s(r#"["list","dynamic"]"#));
            bytes.push(0x91);
        }
        bytes.push(0xc0);
        let error = decode(&bytes, &Type::Dynamic).unwrap_err();
        assert!(error.message().contains("nested more than"), "{error}");

        let mut deep_type = Type::String;
        let mut deep_value = Value::from("leaf");
        for _ in 0..100 {
            deep_type = Type::list(deep_type);
            deep_value = Value::List(vec![deep_value]);
        }
        assert!(
            encode(&deep_value, &deep_type)
                .unwrap_err()
                .message()
                .contains("nested more than")
        );
        let mut deep_bytes = vec![0x91; 100];
        deep_bytes.extend_from_slice(&s("leaf"));
        assert!(
            decode(&deep_bytes, &deep_type)
                .unwrap_err()
                .message()
                .contains("nested more than")
        );
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A small deterministic generator; any outcome but a panic is fine.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let types = [
            state_type(),
            Type::Dynamic,
            Type::list(Type::Dynamic),
            Type::Number,
            Type::map(Type::String),
        ];
        for round in 0..5_000 {
            let length = round % 40;
            let bytes: Vec<u8> = (0..length)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    (seed >> 56) as u8
                })
                .collect();
            for ty in &types {
                let _ = decode(&bytes, ty);
            }
        }
    }
}
