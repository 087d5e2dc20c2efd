//! The one decoding rule for everything we read off the wire: where a contract declares an
//! object (a struct), only a JSON object is accepted.
//!
//! serde's derived `Deserialize` for a struct also accepts a sequence and fills the fields
//! by position, so `[1, "x"]` would decode as a two-field struct; Go's `encoding/json`
//! refuses that, and so must we (00-overview "Decoding"). Rather than a patch per type,
//! every consumed record, nested object and foreign answer is decoded through [`Strict`],
//! a deserializer over a parsed [`Value`] whose `deserialize_struct` accepts maps only.
//! It wraps every nested value the same way, so the rule holds at any depth, and
//! `serde_path_to_error` names the path of the first field that does not fit.

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

/// A parsed JSON value to be decoded under the object rule.
pub struct Strict(pub Value);

/// Decodes `value` as `T` under the object rule; the error names the path of the first
/// field that does not fit (`body.changes[0].amount: invalid type …`).
pub fn from_value<T: de::DeserializeOwned>(value: Value) -> Result<T, String> {
    serde_path_to_error::deserialize(Strict(value)).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            inner.to_string()
        } else {
            format!("{path}: {inner}")
        }
    })
}

/// Parses and decodes bytes (a foreign service's answer, a stored document) under the
/// object rule.
pub fn from_slice<T: de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    from_value(value)
}

fn not_an_object(value: &Value) -> serde_json::Error {
    let unexpected = match value {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Number(_) => de::Unexpected::Other("number"),
        Value::String(s) => de::Unexpected::Str(s),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    };
    de::Error::invalid_type(unexpected, &"a JSON object")
}

macro_rules! forward_to_value {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
                self.0.$method(visitor)
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for Strict {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Array(items) => visitor.visit_seq(Items(items.into_iter())),
            Value::Object(map) => visitor.visit_map(Entries::new(map)),
            scalar => scalar.deserialize_any(visitor),
        }
    }

    forward_to_value! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char deserialize_str
        deserialize_string deserialize_bytes deserialize_byte_buf deserialize_unit
        deserialize_identifier
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            value => visitor.visit_some(Strict(value)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_unit_struct(name, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Array(items) => visitor.visit_seq(Items(items.into_iter())),
            other => other.deserialize_seq(visitor),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(self, _name: &'static str, _len: usize, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(Entries::new(map)),
            other => other.deserialize_map(visitor),
        }
    }

    /// The rule itself: a struct is read from an object and nothing else.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(Entries::new(map)),
            other => Err(not_an_object(&other)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        // Our contracts read enums from strings only (unit variants), where nothing nests.
        self.0.deserialize_enum(name, variants, visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }
}

/// The elements of an array, each decoded under the rule.
struct Items(std::vec::IntoIter<Value>);

impl<'de> SeqAccess<'de> for Items {
    type Error = serde_json::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Self::Error> {
        self.0.next().map(|value| seed.deserialize(Strict(value))).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// The entries of an object, each value decoded under the rule.
struct Entries {
    entries: serde_json::map::IntoIter,
    value: Option<Value>,
}

impl Entries {
    fn new(map: Map<String, Value>) -> Entries {
        Entries { entries: map.into_iter(), value: None }
    }
}

impl<'de> MapAccess<'de> for Entries {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Self::Error> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                let key: de::value::StringDeserializer<serde_json::Error> = key.into_deserializer();
                seed.deserialize(key).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Self::Error> {
        let value = self.value.take().ok_or_else(|| de::Error::custom("a value asked for before its key"))?;
        seed.deserialize(Strict(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A body whose fields this message type does not read: an object (or `null`/absent,
/// Go's zero value), never a scalar or an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub struct IgnoredObject {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::json::{nullable, nullable_object};
    use serde_json::json;

    #[derive(Debug, Default, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Inner {
        #[serde(default, deserialize_with = "nullable")]
        amount: i32,
    }

    #[derive(Debug, Default, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Outer {
        #[serde(default, deserialize_with = "nullable")]
        id: u32,
        #[serde(default, deserialize_with = "nullable")]
        items: Vec<Inner>,
        #[serde(default, deserialize_with = "nullable_object")]
        body: Inner,
        #[serde(default)]
        maybe: Option<Inner>,
    }

    #[test]
    fn objects_decode_at_every_depth() {
        let outer: Outer =
            from_value(json!({"id": 7, "items": [{"amount": -1}], "body": {"amount": 2}, "maybe": {"amount": 3}, "extra": [1]}))
                .expect("valid");
        assert_eq!(outer.id, 7);
        assert_eq!(outer.items, vec![Inner { amount: -1 }]);
        assert_eq!(outer.body.amount, 2);
        assert_eq!(outer.maybe, Some(Inner { amount: 3 }));
        let nulls: Outer = from_value(json!({"id": null, "items": null, "body": null, "maybe": null})).expect("nulls");
        assert_eq!(nulls, Outer::default());
    }

    #[test]
    fn arrays_where_objects_belong_are_refused_with_their_path() {
        for (bad, path) in [
            (json!([7, [], {}]), "invalid type"),
            (json!({"items": [[5]]}), "items[0]"),
            (json!({"body": [2]}), "body"),
            (json!({"maybe": [3]}), "maybe"),
            (json!({"items": [{"amount": "1"}]}), "items[0].amount"),
        ] {
            let error = from_value::<Outer>(bad.clone()).expect_err("refused");
            assert!(error.contains(path), "{bad}: {error}");
        }
    }

    #[test]
    fn values_and_maps_still_decode() {
        let value: Value = from_value(json!({"a": [1, {"b": null}]})).expect("value");
        assert_eq!(value, json!({"a": [1, {"b": null}]}));
        let map: std::collections::BTreeMap<String, u8> = from_value(json!({"x": 1})).expect("map");
        assert_eq!(map["x"], 1);
        assert!(from_value::<IgnoredObject>(json!([])).is_err());
        assert!(from_value::<IgnoredObject>(json!(5)).is_err());
        assert!(from_value::<IgnoredObject>(json!({"any": [1]})).is_ok());
    }
}
