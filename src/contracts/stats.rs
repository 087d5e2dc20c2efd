//! Spec 20 wire types: session, buff and asset status events (consumed) and the HP/MP
//! clamp commands (produced). `STAT_CHANGED` is in `character`.

use super::decode::{self, Decoded, Reject};
use super::json::{nullable, nullable_object, GoTime};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `EVENT_TOPIC_SESSION_STATUS` (a flat record).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionStatus {
    #[serde(default)]
    pub session_id: Option<Uuid>,
    #[serde(default, deserialize_with = "nullable")]
    pub account_id: u32,
    #[serde(default, deserialize_with = "nullable")]
    pub character_id: u32,
    #[serde(default, deserialize_with = "nullable")]
    pub world_id: u8,
    #[serde(default, deserialize_with = "nullable")]
    pub channel_id: u8,
    #[serde(default, deserialize_with = "nullable")]
    pub issuer: String,
    #[serde(rename = "type")]
    pub kind: String,
}

pub fn decode_session(bytes: &[u8]) -> Result<Decoded<SessionStatus>, Reject> {
    let (kind, value) = decode::typed(bytes)?;
    match kind.as_str() {
        "CREATED" | "DESTROYED" => Ok(Decoded::Message(decode::into(value)?)),
        _ => Ok(Decoded::Unhandled(kind)),
    }
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct StatChange {
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub kind: String,
    #[serde(default, deserialize_with = "nullable")]
    pub amount: i32,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuffBody {
    #[serde(default, deserialize_with = "nullable")]
    pub from_id: u32,
    #[serde(default, deserialize_with = "nullable")]
    pub source_id: i32,
    #[serde(default, deserialize_with = "nullable")]
    pub duration: i32,
    #[serde(default, deserialize_with = "nullable")]
    pub changes: Vec<StatChange>,
    #[serde(default)]
    pub created_at: GoTime,
    #[serde(default)]
    pub expires_at: GoTime,
}

/// Body of `EXPIRED`: `APPLIED`'s without `fromId` (spec 20 §4.2), so a malformed
/// `fromId` never keeps a buff from expiring.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpiredBody {
    #[serde(default, deserialize_with = "nullable")]
    pub source_id: i32,
    #[serde(default, deserialize_with = "nullable")]
    pub duration: i32,
    #[serde(default, deserialize_with = "nullable")]
    pub changes: Vec<StatChange>,
    #[serde(default)]
    pub created_at: GoTime,
    #[serde(default)]
    pub expires_at: GoTime,
}

impl From<ExpiredBody> for BuffBody {
    fn from(body: ExpiredBody) -> BuffBody {
        let ExpiredBody { source_id, duration, changes, created_at, expires_at } = body;
        BuffBody { from_id: 0, source_id, duration, changes, created_at, expires_at }
    }
}

/// The envelope of a buff event with the body of its type.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "B: serde::de::DeserializeOwned + Default"))]
struct TypedBuffEnvelope<B: Default> {
    #[serde(default, deserialize_with = "nullable")]
    world_id: u8,
    #[serde(default, deserialize_with = "nullable")]
    channel_id: u8,
    #[serde(default, deserialize_with = "nullable")]
    character_id: u32,
    #[serde(default, deserialize_with = "nullable_object")]
    body: B,
}

impl<B: Default + Into<BuffBody>> From<TypedBuffEnvelope<B>> for BuffEnvelope {
    fn from(e: TypedBuffEnvelope<B>) -> BuffEnvelope {
        BuffEnvelope { world_id: e.world_id, channel_id: e.channel_id, character_id: e.character_id, body: e.body.into() }
    }
}

/// A buff event as the character actor reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct BuffEnvelope {
    pub world_id: u8,
    pub channel_id: u8,
    pub character_id: u32,
    pub body: BuffBody,
}

/// `EVENT_TOPIC_CHARACTER_BUFF_STATUS`.
#[derive(Debug, Clone, PartialEq)]
pub enum BuffStatus {
    Applied(BuffEnvelope),
    Expired(BuffEnvelope),
}

impl BuffStatus {
    pub fn decode(bytes: &[u8]) -> Result<Decoded<BuffStatus>, Reject> {
        let (kind, value) = decode::typed(bytes)?;
        Ok(Decoded::Message(match kind.as_str() {
            "APPLIED" => BuffStatus::Applied(decode::into::<TypedBuffEnvelope<BuffBody>>(value)?.into()),
            "EXPIRED" => BuffStatus::Expired(decode::into::<TypedBuffEnvelope<ExpiredBody>>(value)?.into()),
            _ => return Ok(Decoded::Unhandled(kind)),
        }))
    }

    pub fn character_id(&self) -> u32 {
        match self {
            BuffStatus::Applied(e) | BuffStatus::Expired(e) => e.character_id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MovedBody {
    #[serde(default, deserialize_with = "nullable")]
    pub old_slot: i16,
    #[serde(default)]
    pub created_at: GoTime,
    #[serde(default, deserialize_with = "nullable")]
    pub reference_type: String,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct AnyBody {}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "B: serde::de::DeserializeOwned + Default"))]
pub struct AssetEnvelope<B: Default> {
    #[serde(default)]
    pub transaction_id: Option<Uuid>,
    #[serde(default, deserialize_with = "nullable")]
    pub character_id: u32,
    #[serde(default)]
    pub compartment_id: Option<Uuid>,
    #[serde(default, deserialize_with = "nullable")]
    pub asset_id: u32,
    #[serde(default, deserialize_with = "nullable")]
    pub template_id: u32,
    #[serde(default, deserialize_with = "nullable")]
    pub slot: i16,
    #[serde(default, deserialize_with = "nullable_object")]
    pub body: B,
}

/// `EVENT_TOPIC_ASSET_STATUS` (the types this server reads).
#[derive(Debug, Clone, PartialEq)]
pub enum AssetStatus {
    Moved(AssetEnvelope<MovedBody>),
    Deleted(AssetEnvelope<AnyBody>),
}

impl AssetStatus {
    pub fn decode(bytes: &[u8]) -> Result<Decoded<AssetStatus>, Reject> {
        let (kind, value) = decode::typed(bytes)?;
        Ok(Decoded::Message(match kind.as_str() {
            "MOVED" => AssetStatus::Moved(decode::into(value)?),
            "DELETED" => AssetStatus::Deleted(decode::into(value)?),
            _ => return Ok(Decoded::Unhandled(kind)),
        }))
    }

    pub fn character_id(&self) -> u32 {
        match self {
            AssetStatus::Moved(e) => e.character_id,
            AssetStatus::Deleted(e) => e.character_id,
        }
    }
}

/// `CLAMP_HP` / `CLAMP_MP` on `COMMAND_TOPIC_CHARACTER`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClampCommand {
    pub transaction_id: Uuid,
    pub world_id: u8,
    pub character_id: u32,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub body: ClampBody,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClampBody {
    pub channel_id: u8,
    pub max_value: u16,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason<T: std::fmt::Debug>(decoded: Result<Decoded<T>, Reject>) -> &'static str {
        decoded.expect_err("refused").reason()
    }

    #[test]
    fn spec_examples_decode() {
        let session = br#"{"sessionId":"7c9e6679-7425-40de-944b-e07fc1f90ae7","accountId":17,"characterId":1001,"worldId":0,"channelId":1,"issuer":"CHANNEL","type":"CREATED"}"#;
        assert!(matches!(decode_session(session), Ok(Decoded::Message(SessionStatus { character_id: 1001, .. }))));
        let applied =
            br#"{"worldId":0,"channelId":1,"characterId":1001,"type":"APPLIED","body":{"fromId":1001,"sourceId":1301007,"duration":300000,
            "changes":[{"type":"HYPER_BODY_HP","amount":60}],"createdAt":"2026-02-03T18:37:12Z","expiresAt":"2026-02-03T18:42:12Z"}}"#;
        let Ok(Decoded::Message(BuffStatus::Applied(event))) = BuffStatus::decode(applied) else { panic!("APPLIED decodes") };
        assert_eq!((event.body.source_id, event.body.changes.len()), (1301007, 1));
        let moved = br#"{"transactionId":"0b7c3c52-0d1f-4c5e-9f07-3b8f6f6d2a10","characterId":1001,"compartmentId":"5d0c3b1e-6c55-4a39-9f3c-0b2c8f0f6e11",
            "assetId":70001,"templateId":1302000,"slot":-11,"type":"MOVED","body":{"oldSlot":3,"createdAt":"2026-02-03T18:37:12Z","referenceType":"equipable"}}"#;
        let Ok(Decoded::Message(AssetStatus::Moved(event))) = AssetStatus::decode(moved) else { panic!("MOVED decodes") };
        assert_eq!((event.slot, event.body.old_slot, event.body.reference_type.as_str()), (-11, 3, "equipable"));
        let deleted = br#"{"characterId":1001,"assetId":70001,"slot":-11,"type":"DELETED","body":{"anything":1}}"#;
        assert!(matches!(AssetStatus::decode(deleted), Ok(Decoded::Message(AssetStatus::Deleted(_)))));
        let other = br#"{"characterId":1001,"assetId":70001,"slot":-11,"type":"QUANTITY_CHANGED","body":{}}"#;
        assert_eq!(AssetStatus::decode(other), Ok(Decoded::Unhandled("QUANTITY_CHANGED".into())));
    }

    #[test]
    fn wrong_types_make_the_record_undecodable() {
        assert_eq!(
            reason(AssetStatus::decode(br#"{"characterId":1,"slot":-1,"type":"DELETED","body":[]}"#)),
            "bad_field",
            "a body must be an object"
        );
        assert_eq!(reason(BuffStatus::decode(br#"{"characterId":1,"type":"EXPIRED","body":[5]}"#)), "bad_field");
        assert_eq!(
            reason(AssetStatus::decode(br#"{"characterId":1,"slot":70000,"type":"DELETED","body":{}}"#)),
            "bad_field",
            "slot is int16"
        );
        assert_eq!(reason(AssetStatus::decode(br#"{"characterId":1,"transactionId":"","type":"DELETED","body":{}}"#)), "bad_field");
        assert_eq!(reason(BuffStatus::decode(br#"{"characterId":1,"type":"APPLIED","body":{"createdAt":""}}"#)), "bad_field", "Q-21");
        assert_eq!(reason(BuffStatus::decode(br#"{"characterId":1,"type":"APPLIED","body":{"sourceId":2147483648}}"#)), "bad_field");
        assert_eq!(reason(decode_session(br#"{"sessionId":"x","characterId":1,"type":"CREATED"}"#)), "bad_field");
        assert_eq!(reason(decode_session(br#"{"characterId":1,"worldId":256,"type":"CREATED"}"#)), "bad_field");
        let null_body = br#"{"characterId":1,"slot":-1,"type":"DELETED","body":null}"#;
        assert!(matches!(AssetStatus::decode(null_body), Ok(Decoded::Message(_))), "null is the zero value, as in Go");
    }
}
