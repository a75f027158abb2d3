//! Decoding helpers that accept only the JSON shapes the API documents.
//!
//! serde's derived `Deserialize` for a struct also accepts a JSON array, read field by field in
//! declaration order, and an `Option` field also accepts `null`. A server answering `[[...],1]`
//! or `"total_count": null` would then pass for a page; these helpers refuse such shapes.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, de};

/// A `T` that must come from a JSON object (never from an array).
pub(crate) struct ObjectOnly<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOnly<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = ObjectOnly<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(ObjectOnly)
            }
        }

        deserializer.deserialize_map(ObjectVisitor(PhantomData))
    }
}

/// For an optional object field: absent (with `#[serde(default)]`) or `null` is `None`, an
/// object is `Some`, anything else is an error.
pub(crate) fn object_or_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<ObjectOnly<T>>::deserialize(deserializer).map(|object| object.map(|o| o.0))
}

/// For an optional array-of-objects field: as [`object_or_null`], each element an object.
pub(crate) fn objects_or_null<'de, D, T>(deserializer: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<Vec<ObjectOnly<T>>>::deserialize(deserializer)
        .map(|objects| objects.map(|all| all.into_iter().map(|o| o.0).collect()))
}

/// For a field that may be absent (`#[serde(default)]` gives `None`) but, when present, must be
/// a non-negative integer: `null`, negative, fractional or quoted numbers are errors.
pub(crate) fn present_u64<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    u64::deserialize(deserializer)
        .map(Some)
        .map_err(|e: D::Error| de::Error::custom(format_args!("{e} (a non-negative integer)")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Pair {
        a: u8,
        b: u8,
    }

    #[test]
    fn derived_structs_accept_arrays_but_object_only_does_not() {
        // The gap this module closes: a derived struct reads `[1,2]` as {a:1, b:2}.
        assert!(serde_json::from_str::<Pair>("[1,2]").is_ok());
        let error = serde_json::from_str::<ObjectOnly<Pair>>("[1,2]")
            .err()
            .expect("an array is not an object");
        assert!(error.to_string().contains("a JSON object"), "{error}");
        let ObjectOnly(pair) =
            serde_json::from_str::<ObjectOnly<Pair>>(r#"{"a":1,"b":2}"#).expect("an object");
        assert_eq!(pair, Pair { a: 1, b: 2 });
    }

    #[test]
    fn present_u64_refuses_null_and_non_integers() {
        #[derive(Deserialize)]
        struct Counted {
            #[serde(default, deserialize_with = "present_u64")]
            n: Option<u64>,
        }
        let read = |json: &str| serde_json::from_str::<Counted>(json).map(|c| c.n);
        assert_eq!(read("{}").ok(), Some(None));
        assert_eq!(read(r#"{"n":7}"#).ok(), Some(Some(7)));
        for bad in [
            r#"{"n":null}"#,
            r#"{"n":-1}"#,
            r#"{"n":1.5}"#,
            r#"{"n":"7"}"#,
        ] {
            let error = read(bad).err().unwrap_or_else(|| panic!("{bad} accepted"));
            assert!(
                error.to_string().contains("non-negative integer"),
                "{error}"
            );
        }
    }
}
