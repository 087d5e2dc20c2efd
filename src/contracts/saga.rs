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
/// or `None` when it carries none (absent, nil, not a UUID) or is not an object with a type.
pub fn saga_event(topic: &'static str, bytes: &[u8]) -> Option<SagaEvent> {
    let value: Value = serde_json::from_slice(bytes).ok()?;
    let kind = value.get("type")?.as_str()?.to_string();
    let in_body = match topic {
        "EVENT_TOPIC_COMPARTMENT_STATUS" => matches!(kind.as_str(), "ACCEPTED" | "RELEASED"),
        "EVENT_TOPIC_BUDDY_LIST_STATUS" | "EVENT_TOPIC_PET_STATUS" | "EVENT_TOPIC_CONSUMABLE_STATUS" | "EVENT_TOPIC_WALLET_STATUS"
        | "EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS" | "EVENT_TOPIC_CASH_COMPARTMENT_STATUS" => true,
        _ => false,
    };
    let field = if in_body { value.get("body")?.get("transactionId") } else { value.get("transactionId") };
    let transaction = Uuid::parse_str(field?.as_str()?).ok().filter(|t| !t.is_nil())?;
    Some(SagaEvent { topic, kind, transaction, value })
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
        assert!(saga_event("EVENT_TOPIC_COMPARTMENT_STATUS", accepted).is_some());
        let error = br#"{"transactionId":"5a6a0001-1111-4aaa-8bbb-000000004101","type":"ERROR","body":{}}"#;
        assert!(saga_event("EVENT_TOPIC_COMPARTMENT_STATUS", error).is_some());
        let nil = br#"{"type":"CAPACITY_CHANGE","body":{"transactionId":"00000000-0000-0000-0000-000000000000"}}"#;
        assert!(saga_event("EVENT_TOPIC_BUDDY_LIST_STATUS", nil).is_none());
    }
}
