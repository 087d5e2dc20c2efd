//! Spec 20 wire types: session, buff and asset status events (consumed) and the HP/MP
//! clamp commands (produced). `STAT_CHANGED` is in `character`.

use super::decode::{self, Decoded, Reject};
use super::json::{nullable, GoTime};
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

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuffEnvelope {
    #[serde(default, deserialize_with = "nullable")]
    pub world_id: u8,
    #[serde(default, deserialize_with = "nullable")]
    pub channel_id: u8,
    #[serde(default, deserialize_with = "nullable")]
    pub character_id: u32,
    #[serde(default, deserialize_with = "nullable")]
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
            "APPLIED" => BuffStatus::Applied(decode::into(value)?),
            "EXPIRED" => BuffStatus::Expired(decode::into(value)?),
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
#[serde(rename_all = "camelCase", bound(deserialize = "B: Deserialize<'de> + Default"))]
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
    #[serde(default, deserialize_with = "nullable")]
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
