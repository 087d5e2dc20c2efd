//! Spec 40 wire types: the saga document (consumed on `COMMAND_TOPIC_SAGA`), the status
//! events of other services a saga waits for, and its terminal events.

use super::decode::{self, Reject};
use super::json::{nullable, GoTime};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    #[serde(default)]
    pub transaction_id: Option<Uuid>,
    #[serde(default, deserialize_with = "nullable")]
    pub saga_type: String,
    #[serde(default, deserialize_with = "nullable")]
    pub initiated_by: String,
    #[serde(default, deserialize_with = "nullable")]
    pub steps: Vec<StepDocument>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepDocument {
    #[serde(default, deserialize_with = "nullable")]
    pub step_id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    #[serde(default, deserialize_with = "nullable")]
    pub action: String,
    #[serde(default)]
    pub payload: Value,
    #[serde(default)]
    pub created_at: GoTime,
    #[serde(default)]
    pub updated_at: GoTime,
}

/// Decodes a saga document; `check` validates each step's payload against its action.
pub fn decode_document(bytes: &[u8], check: impl Fn(&str, &Value) -> Result<(), String>) -> Result<Document, Reject> {
    let document: Document = decode::into(decode::object(bytes)?)?;
    for step in &document.steps {
        check(&step.action, &step.payload).map_err(|e| Reject::BadField(format!("step {}: {e}", step.step_id)))?;
    }
    Ok(document)
}

/// A status event of another service that may concern a saga.
#[derive(Debug, Clone, PartialEq)]
pub struct SagaEvent {
    /// The topic's variable (e.g. `EVENT_TOPIC_ASSET_STATUS`).
    pub topic: &'static str,
    pub kind: String,
    pub transaction: Uuid,
    pub value: Value,
}

/// Topics whose events sagas wait for.
pub const EVENT_TOPICS: [&str; 14] = [
    "EVENT_TOPIC_ASSET_STATUS",
    "EVENT_TOPIC_COMPARTMENT_STATUS",
    "EVENT_TOPIC_CHARACTER_STATUS",
    "EVENT_TOPIC_SKILL_STATUS",
    "EVENT_TOPIC_GUILD_STATUS",
    "EVENT_TOPIC_INVITE_STATUS",
    "EVENT_TOPIC_BUDDY_LIST_STATUS",
    "EVENT_TOPIC_PET_STATUS",
    "EVENT_TOPIC_CONSUMABLE_STATUS",
    "EVENT_TOPIC_WALLET_STATUS",
    "EVENT_TOPIC_QUEST_STATUS",
    "EVENT_TOPIC_STORAGE_STATUS",
    "EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS",
    "EVENT_TOPIC_CASH_COMPARTMENT_STATUS",
];

/// §6: the event's correlation id (top-level or `body.transactionId`, by topic and type),
/// or `None` when it carries none (absent, nil) or is not an object with a type. An event
/// of a type sagas read is first decoded with its spec types (§4.4 rule 1): one that does
/// not fit them is refused.
pub fn saga_event(topic: &'static str, bytes: &[u8]) -> Result<Option<SagaEvent>, Reject> {
    let Ok(value) = serde_json::from_slice::<Value>(bytes) else { return Ok(None) };
    let Some(kind) = value.get("type").and_then(Value::as_str).map(str::to_string) else { return Ok(None) };
    if !super::saga_events::check(topic, &kind, &value).map_err(Reject::BadField)? {
        return Ok(None);
    }
    let in_body = match topic {
        "EVENT_TOPIC_COMPARTMENT_STATUS" => matches!(kind.as_str(), "ACCEPTED" | "RELEASED"),
        "EVENT_TOPIC_BUDDY_LIST_STATUS"
        | "EVENT_TOPIC_PET_STATUS"
        | "EVENT_TOPIC_CONSUMABLE_STATUS"
        | "EVENT_TOPIC_WALLET_STATUS"
        | "EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS"
        | "EVENT_TOPIC_CASH_COMPARTMENT_STATUS" => true,
        _ => false,
    };
    let field = if in_body { value.get("body").and_then(|b| b.get("transactionId")) } else { value.get("transactionId") };
    let transaction = field.and_then(Value::as_str).and_then(|t| Uuid::parse_str(t).ok()).filter(|t| !t.is_nil());
    Ok(transaction.map(|transaction| SagaEvent { topic, kind, transaction, value }))
}

/// The key of a saga status event: the id's first four bytes, big-endian.
pub fn status_key(transaction: Uuid) -> u32 {
    let b = transaction.as_bytes();
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SagaStatus<B> {
    #[serde(rename = "transactionId")]
    pub transaction_id: Uuid,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub body: B,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailedBody {
    pub reason: String,
    pub failed_step: String,
    pub character_id: u32,
    pub saga_type: String,
    pub error_code: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_key_is_the_first_four_bytes_big_endian() {
        assert_eq!(status_key(Uuid::parse_str("5a6a0001-1111-4aaa-8bbb-000000004101").expect("test fixture")), 1516896257);
    }

    #[test]
    fn correlation_comes_from_the_body_where_the_spec_says() {
        let accepted = br#"{"transactionId":"00000000-0000-0000-0000-000000000000","type":"ACCEPTED","body":{"transactionId":"5a6a0001-1111-4aaa-8bbb-000000004101"}}"#;
        assert!(saga_event("EVENT_TOPIC_COMPARTMENT_STATUS", accepted).expect("decodes").is_some());
        let error = br#"{"transactionId":"5a6a0001-1111-4aaa-8bbb-000000004101","type":"ERROR","body":{}}"#;
        assert!(saga_event("EVENT_TOPIC_COMPARTMENT_STATUS", error).expect("decodes").is_some());
        let nil = br#"{"type":"CAPACITY_CHANGE","body":{"transactionId":"00000000-0000-0000-0000-000000000000"}}"#;
        assert!(saga_event("EVENT_TOPIC_BUDDY_LIST_STATUS", nil).expect("decodes").is_none());
        let malformed = br#"{"transactionId":"5a6a0001-1111-4aaa-8bbb-000000004101","characterId":"4101","type":"MESO_CHANGED","body":{}}"#;
        assert_eq!(saga_event("EVENT_TOPIC_CHARACTER_STATUS", malformed).expect_err("refused").reason(), "bad_field");
    }
}
