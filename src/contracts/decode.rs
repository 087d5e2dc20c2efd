//! Decoding of consumed values, with the reasons a record is refused (00-overview:
//! refused records are dead-lettered with one of these reasons).

use serde::de::DeserializeOwned;
use serde_json::Value;

/// Why a record could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reject {
    #[error("empty value")]
    EmptyValue,
    #[error("value is not JSON: {0}")]
    NotJson(String),
    #[error("value has no type")]
    MissingType,
    #[error("bad field: {0}")]
    BadField(String),
}

impl Reject {
    /// The `dlq-reason` header value.
    pub fn reason(&self) -> &'static str {
        match self {
            Reject::EmptyValue => "empty_value",
            Reject::NotJson(_) => "not_json",
            Reject::MissingType => "missing_type",
            Reject::BadField(_) => "bad_field",
        }
    }
}

/// The outcome of decoding a record on a shared topic: a message we handle, or a well-formed
/// record of a type none of our domains handles (skipped and counted, not an error).
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded<T> {
    Message(T),
    Unhandled(String),
}

/// Parses a value as a JSON object.
pub fn object(bytes: &[u8]) -> Result<Value, Reject> {
    if bytes.is_empty() {
        return Err(Reject::EmptyValue);
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| Reject::NotJson(e.to_string()))?;
    if !value.is_object() {
        return Err(Reject::BadField("value is not a JSON object".into()));
    }
    Ok(value)
}

/// Parses a value that carries a `type`, returning the type and the whole value.
pub fn typed(bytes: &[u8]) -> Result<(String, Value), Reject> {
    let value = object(bytes)?;
    match value.get("type") {
        None | Some(Value::Null) => Err(Reject::MissingType),
        Some(Value::String(kind)) => Ok((kind.clone(), value)),
        Some(other) => Err(Reject::BadField(format!("type is not a string: {other}"))),
    }
}

/// Decodes a whole value into `T` under the object rule ([`super::strict`]); a field that
/// does not fit becomes [`Reject::BadField`] naming its path.
pub fn into<T: DeserializeOwned>(value: Value) -> Result<T, Reject> {
    super::strict::from_value(value).map_err(Reject::BadField)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_carry_their_reason() {
        assert_eq!(typed(b"").unwrap_err().reason(), "empty_value");
        assert_eq!(typed(b"not json").unwrap_err().reason(), "not_json");
        assert_eq!(typed(b"{\"a\":1}").unwrap_err().reason(), "missing_type");
        assert_eq!(typed(b"{\"type\":5}").unwrap_err().reason(), "bad_field");
        assert_eq!(typed(b"[1]").unwrap_err().reason(), "bad_field");
        assert_eq!(typed(b"{\"type\":\"X\"}").expect("test fixture").0, "X");
    }
}
