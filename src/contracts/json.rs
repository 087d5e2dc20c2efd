//! JSON encodings of Go types, as Go's `encoding/json` reads and writes them.

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Go's `time.Time`: RFC 3339 with up to nine fractional digits, trailing zeros trimmed,
/// the fraction left out when zero; `null`/missing is the zero time
/// `0001-01-01T00:00:00Z`; `""` or any non-RFC 3339 string is a decoding error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GoTime(pub DateTime<FixedOffset>);

impl GoTime {
    pub fn zero() -> GoTime {
        let zero = NaiveDate::from_ymd_opt(1, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).unwrap_or_default();
        GoTime(Utc.from_utc_datetime(&zero).fixed_offset())
    }

    pub fn is_zero(&self) -> bool {
        *self == GoTime::zero()
    }

    pub fn from_utc(at: DateTime<Utc>) -> GoTime {
        GoTime(at.fixed_offset())
    }

    pub fn utc(&self) -> DateTime<Utc> {
        self.0.with_timezone(&Utc)
    }

    /// Microseconds since the Unix epoch, the stored form.
    pub fn micros(&self) -> i64 {
        self.0.timestamp_micros()
    }

    pub fn from_micros(micros: i64) -> GoTime {
        GoTime::from_utc(DateTime::from_timestamp_micros(micros).unwrap_or_default())
    }

    /// The stored form of this instant: UTC, truncated to microseconds.
    pub fn stored(&self) -> GoTime {
        GoTime::from_micros(self.micros())
    }

    /// The current instant in its stored form.
    pub fn now() -> GoTime {
        GoTime::from_micros(Utc::now().timestamp_micros())
    }

    pub fn parse(text: &str) -> Option<GoTime> {
        DateTime::parse_from_rfc3339(text).ok().map(GoTime)
    }

    pub fn format(&self) -> String {
        let text = self.0.to_rfc3339_opts(SecondsFormat::Nanos, true);
        // Go trims trailing zeros of the fraction, and the dot when nothing is left.
        let Some(dot) = text.find('.') else { return text };
        let zone = text[dot..].find(['Z', '+', '-']).map(|i| dot + i).unwrap_or(text.len());
        let fraction = text[dot + 1..zone].trim_end_matches('0');
        if fraction.is_empty() {
            format!("{}{}", &text[..dot], &text[zone..])
        } else {
            format!("{}.{}{}", &text[..dot], fraction, &text[zone..])
        }
    }
}

impl Default for GoTime {
    fn default() -> GoTime {
        GoTime::zero()
    }
}

impl std::fmt::Display for GoTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.format())
    }
}

impl Serialize for GoTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.format())
    }
}

impl<'de> Deserialize<'de> for GoTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<GoTime, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(GoTime::zero()),
            Some(text) => GoTime::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("not an RFC 3339 time: {text:?}"))),
        }
    }
}

/// Reads a field where JSON `null` means the zero value, as in Go. Use with
/// `#[serde(default, deserialize_with = "nullable")]` so a missing field is zero too.
pub fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Like [`nullable`] for a Go struct. The object rule itself is enforced by the decoder
/// every record goes through ([`super::strict`]); this name marks the fields where the
/// contract says "object".
pub fn nullable_object<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    nullable(d)
}

#[cfg(test)]
mod tests {
    use super::GoTime;

    #[test]
    fn formats_like_go() {
        let t = |s: &str| GoTime::parse(s).expect("test fixture").format();
        assert_eq!(t("2099-01-01T00:00:00Z"), "2099-01-01T00:00:00Z");
        assert_eq!(t("2026-01-24T14:03:32.123456789Z"), "2026-01-24T14:03:32.123456789Z");
        assert_eq!(t("2026-01-24T14:03:32.123400Z"), "2026-01-24T14:03:32.1234Z");
        assert_eq!(t("2026-01-24T12:00:00.500+00:00"), "2026-01-24T12:00:00.5Z");
        assert_eq!(t("2026-01-24T12:00:00+02:00"), "2026-01-24T12:00:00+02:00");
        assert_eq!(GoTime::zero().format(), "0001-01-01T00:00:00Z");
    }

    #[test]
    fn zero_time_round_trips_through_storage() {
        let zero = GoTime::zero();
        assert_eq!(GoTime::from_micros(zero.micros()), zero);
        assert!(GoTime::from_micros(zero.micros()).is_zero());
    }

    #[test]
    fn null_is_zero_and_empty_is_an_error() {
        assert!(serde_json::from_str::<GoTime>("null").expect("test fixture").is_zero());
        assert!(serde_json::from_str::<GoTime>("\"\"").is_err());
        assert!(serde_json::from_str::<GoTime>("\"yesterday\"").is_err());
    }
}
