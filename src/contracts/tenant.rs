//! The tenant identity carried by every Atlas record and request.
//!
//! Kafka headers: `TENANT_ID` (36-byte UUID text), `REGION` (text), `MAJOR_VERSION` and
//! `MINOR_VERSION` (2 bytes big-endian each). REST headers use the same names with the
//! versions as decimal text.

use rdkafka::message::{Header, Headers, OwnedHeaders};
use uuid::Uuid;

pub const TENANT_ID: &str = "TENANT_ID";
pub const REGION: &str = "REGION";
pub const MAJOR_VERSION: &str = "MAJOR_VERSION";
pub const MINOR_VERSION: &str = "MINOR_VERSION";

/// Trace context headers copied from a causing record to its outputs.
pub const TRACE_HEADERS: [&str; 2] = ["traceparent", "tracestate"];

/// The execution environment of an operation (Atlas's `ENVIRONMENT` header, "main",
/// "pr-123"; absent means the legacy, not environment-aware, value). It belongs to the
/// operation, so it is copied from each input to its outputs unchanged.
pub const ENVIRONMENT: &str = "ENVIRONMENT";

/// Every header copied from a causing record to its outputs and foreign calls.
pub const CARRIED_HEADERS: [&str; 3] = ["traceparent", "tracestate", ENVIRONMENT];

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tenant {
    pub id: Uuid,
    pub region: String,
    pub major: u16,
    pub minor: u16,
}

impl Tenant {
    /// Reads the tenant from Kafka headers. `None` when `TENANT_ID` is absent or not a
    /// 36-byte UUID; like Go, malformed versions read as 0 and a missing region as "".
    pub fn from_kafka<H: Headers>(headers: Option<&H>) -> Option<Tenant> {
        let headers = headers?;
        if duplicated_kafka_header(headers).is_some() {
            return None;
        }
        let find = |name: &str| headers.iter().find(|h| h.key == name).and_then(|h| h.value);
        let id =
            find(TENANT_ID).filter(|v| v.len() == 36).and_then(|v| std::str::from_utf8(v).ok()).and_then(|s| Uuid::parse_str(s).ok())?;
        let region = find(REGION).map(|v| String::from_utf8_lossy(v).into_owned()).unwrap_or_default();
        let version = |name: &str| match find(name) {
            Some(&[hi, lo]) => u16::from_be_bytes([hi, lo]),
            _ => 0,
        };
        Some(Tenant { id, region, major: version(MAJOR_VERSION), minor: version(MINOR_VERSION) })
    }

    /// The first tenant header present more than once, if any: which one is meant is
    /// ambiguous, so such a record is refused rather than read by its first or last.
    pub fn duplicated_in_kafka<H: Headers>(headers: Option<&H>) -> Option<&'static str> {
        duplicated_kafka_header(headers?)
    }

    /// Appends the four tenant headers, in Atlas's wire encoding.
    pub fn to_kafka(&self, headers: OwnedHeaders) -> OwnedHeaders {
        let id = self.id.hyphenated().to_string();
        headers
            .insert(Header { key: TENANT_ID, value: Some(id.as_bytes()) })
            .insert(Header { key: REGION, value: Some(self.region.as_bytes()) })
            .insert(Header { key: MAJOR_VERSION, value: Some(&self.major.to_be_bytes()) })
            .insert(Header { key: MINOR_VERSION, value: Some(&self.minor.to_be_bytes()) })
    }

    /// Reads the tenant from HTTP headers: all four are required and must parse
    /// (spec 10 §10.1); header names are case-insensitive.
    pub fn from_http(get: impl Fn(&str) -> Option<String>) -> Option<Tenant> {
        let id = Uuid::parse_str(get(TENANT_ID)?.trim()).ok()?;
        let region = get(REGION).filter(|r| !r.is_empty())?;
        let major = get(MAJOR_VERSION)?.trim().parse().ok()?;
        let minor = get(MINOR_VERSION)?.trim().parse().ok()?;
        Some(Tenant { id, region, major, minor })
    }

    /// The HTTP header pairs for calls to foreign services.
    pub fn http_headers(&self) -> [(&'static str, String); 4] {
        [
            (TENANT_ID, self.id.hyphenated().to_string()),
            (REGION, self.region.clone()),
            (MAJOR_VERSION, self.major.to_string()),
            (MINOR_VERSION, self.minor.to_string()),
        ]
    }
}

fn duplicated_kafka_header<H: Headers>(headers: &H) -> Option<&'static str> {
    [TENANT_ID, REGION, MAJOR_VERSION, MINOR_VERSION].into_iter().find(|name| headers.iter().filter(|h| h.key == *name).count() > 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::message::BorrowedHeaders;

    fn sample() -> Tenant {
        Tenant {
            id: Uuid::parse_str("0f8e4b0c-2c0e-4c9a-9f57-2d2b2f1b7a11").expect("test fixture"),
            region: "GMS".into(),
            major: 83,
            minor: 1,
        }
    }

    #[test]
    fn kafka_round_trip_uses_two_byte_big_endian_versions() {
        let headers = sample().to_kafka(OwnedHeaders::new());
        let major = headers.iter().find(|h| h.key == MAJOR_VERSION).expect("test fixture");
        assert_eq!(major.value, Some(&[0x00, 0x53][..]));
        let id = headers.iter().find(|h| h.key == TENANT_ID).expect("test fixture");
        assert_eq!(id.value.expect("test fixture").len(), 36);
        let borrowed: &BorrowedHeaders = headers.as_borrowed();
        assert_eq!(Tenant::from_kafka(Some(borrowed)), Some(sample()));
    }

    #[test]
    fn kafka_without_tenant_id_is_none_and_bad_versions_are_zero() {
        let headers = OwnedHeaders::new().insert(Header { key: REGION, value: Some("GMS".as_bytes()) });
        assert_eq!(Tenant::from_kafka(Some(headers.as_borrowed())), None);
        let headers = OwnedHeaders::new()
            .insert(Header { key: TENANT_ID, value: Some("0f8e4b0c-2c0e-4c9a-9f57-2d2b2f1b7a11".as_bytes()) })
            .insert(Header { key: MAJOR_VERSION, value: Some(&[1, 2, 3][..]) });
        let tenant = Tenant::from_kafka(Some(headers.as_borrowed())).expect("test fixture");
        assert_eq!((tenant.region.as_str(), tenant.major, tenant.minor), ("", 0, 0));
    }

    #[test]
    fn http_requires_all_four_headers() {
        let full = |name: &str| match name {
            TENANT_ID => Some("0f8e4b0c-2c0e-4c9a-9f57-2d2b2f1b7a11".to_string()),
            REGION => Some("GMS".to_string()),
            MAJOR_VERSION => Some("83".to_string()),
            MINOR_VERSION => Some("1".to_string()),
            _ => None,
        };
        assert_eq!(Tenant::from_http(full), Some(sample()));
        assert_eq!(Tenant::from_http(|n| if n == REGION { None } else { full(n) }), None);
        assert_eq!(Tenant::from_http(|n| if n == MAJOR_VERSION { Some("x".into()) } else { full(n) }), None);
    }
}
