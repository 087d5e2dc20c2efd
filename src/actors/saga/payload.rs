//! Strictly typed reads of a step payload (spec 40 §2.4): an absent or `null` field is the
//! zero value; a present field of the wrong JSON type or out of range is an error.

use crate::contracts::json::GoTime;
use serde_json::Value;

#[derive(Debug, Clone, Copy)]
pub struct Payload<'a>(pub &'a Value);

fn present(value: Option<&Value>) -> Option<&Value> {
    value.filter(|v| !v.is_null())
}

impl<'a> Payload<'a> {
    fn field(&self, key: &str) -> Option<&'a Value> {
        present(self.0.get(key))
    }

    fn unsigned(&self, key: &str, max: u64) -> Result<u64, String> {
        match self.field(key) {
            None => Ok(0),
            Some(v) => v.as_u64().filter(|n| *n <= max).ok_or_else(|| format!("{key} is not an integer in 0..={max}")),
        }
    }

    fn signed(&self, key: &str, min: i64, max: i64) -> Result<i64, String> {
        match self.field(key) {
            None => Ok(0),
            Some(v) => v.as_i64().filter(|n| (min..=max).contains(n)).ok_or_else(|| format!("{key} is not an integer in {min}..={max}")),
        }
    }

    pub fn u8(&self, key: &str) -> Result<u8, String> {
        self.unsigned(key, u8::MAX.into()).map(|n| n as u8)
    }
    pub fn u16(&self, key: &str) -> Result<u16, String> {
        self.unsigned(key, u16::MAX.into()).map(|n| n as u16)
    }
    pub fn u32(&self, key: &str) -> Result<u32, String> {
        self.unsigned(key, u32::MAX.into()).map(|n| n as u32)
    }
    pub fn i16(&self, key: &str) -> Result<i16, String> {
        self.signed(key, i16::MIN.into(), i16::MAX.into()).map(|n| n as i16)
    }
    pub fn i32(&self, key: &str) -> Result<i32, String> {
        self.signed(key, i32::MIN.into(), i32::MAX.into()).map(|n| n as i32)
    }
    pub fn i64(&self, key: &str) -> Result<i64, String> {
        self.signed(key, i64::MIN, i64::MAX)
    }

    pub fn bool(&self, key: &str) -> Result<bool, String> {
        match self.field(key) {
            None => Ok(false),
            Some(v) => v.as_bool().ok_or_else(|| format!("{key} is not a boolean")),
        }
    }

    pub fn str(&self, key: &str) -> Result<String, String> {
        match self.field(key) {
            None => Ok(String::new()),
            Some(v) => v.as_str().map(str::to_string).ok_or_else(|| format!("{key} is not a string")),
        }
    }

    pub fn time(&self, key: &str) -> Result<GoTime, String> {
        match self.field(key) {
            None => Ok(GoTime::zero()),
            Some(v) => v.as_str().and_then(GoTime::parse).ok_or_else(|| format!("{key} is not an RFC 3339 time")),
        }
    }

    pub fn uuid(&self, key: &str) -> Result<uuid::Uuid, String> {
        match self.field(key) {
            None => Ok(uuid::Uuid::nil()),
            Some(v) => v.as_str().and_then(|s| uuid::Uuid::parse_str(s).ok()).ok_or_else(|| format!("{key} is not a UUID")),
        }
    }

    /// A nested object (an absent one reads as empty).
    pub fn object(&self, key: &str) -> Result<Payload<'a>, String> {
        static EMPTY: Value = Value::Null;
        match self.field(key) {
            None => Ok(Payload(&EMPTY)),
            Some(v) if v.is_object() => Ok(Payload(v)),
            Some(_) => Err(format!("{key} is not an object")),
        }
    }

    pub fn array(&self, key: &str) -> Result<Vec<Payload<'a>>, String> {
        match self.field(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => Ok(items.iter().map(Payload).collect()),
            Some(_) => Err(format!("{key} is not an array")),
        }
    }

    /// A raw JSON value passed through (`referenceData`).
    pub fn raw(&self, key: &str) -> Option<Value> {
        self.field(key).cloned()
    }
}
