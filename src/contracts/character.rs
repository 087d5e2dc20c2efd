//! `EVENT_TOPIC_CHARACTER_STATUS`: character status events (consumed). Each domain that
//! owns a part of the character reacts to its own types; the rest are unhandled.

use super::decode::{self, Decoded, Reject};
use super::json::{nullable, nullable_object};
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "B: serde::de::DeserializeOwned + Default"))]
pub struct StatusEnvelope<B: Default> {
    #[serde(default, deserialize_with = "nullable")]
    pub world_id: u8,
    #[serde(default, deserialize_with = "nullable")]
    pub character_id: u32,
    #[serde(default, deserialize_with = "nullable_object")]
    pub body: B,
    #[serde(default)]
    pub transaction_id: Option<uuid::Uuid>,
}

/// Body of `LOGIN`, `LOGOUT` and `CHANNEL_CHANGED` (`oldChannelId` only on the latter).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionBody {
    #[serde(default, deserialize_with = "nullable")]
    pub channel_id: u8,
    #[serde(default, deserialize_with = "nullable")]
    pub old_channel_id: u8,
    #[serde(default, deserialize_with = "nullable")]
    pub map_id: u32,
    #[serde(default)]
    pub instance: Option<uuid::Uuid>,
}

/// An object body whose fields are not used (`{}`, `null` or absent; not a scalar).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct AnyBody {}

/// Body of `STAT_CHANGED`: the names of changed stats and their new absolute values.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatChangedBody {
    #[serde(default, deserialize_with = "nullable")]
    pub channel_id: u8,
    #[serde(default, deserialize_with = "nullable")]
    pub excl_request_sent: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub updates: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub values: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CharacterStatus {
    StatChanged(StatusEnvelope<StatChangedBody>),
    Login(StatusEnvelope<SessionBody>),
    Logout(StatusEnvelope<SessionBody>),
    ChannelChanged(StatusEnvelope<SessionBody>),
    Deleted(StatusEnvelope<AnyBody>),
}

impl CharacterStatus {
    pub fn decode(bytes: &[u8]) -> Result<Decoded<CharacterStatus>, Reject> {
        let (kind, value) = decode::typed(bytes)?;
        Ok(Decoded::Message(match kind.as_str() {
            "LOGIN" => CharacterStatus::Login(decode::into(value)?),
            "LOGOUT" => CharacterStatus::Logout(decode::into(value)?),
            "CHANNEL_CHANGED" => CharacterStatus::ChannelChanged(decode::into(value)?),
            "DELETED" => CharacterStatus::Deleted(decode::into(value)?),
            "STAT_CHANGED" => CharacterStatus::StatChanged(decode::into(value)?),
            _ => return Ok(Decoded::Unhandled(kind)),
        }))
    }

    pub fn character_id(&self) -> u32 {
        match self {
            CharacterStatus::Login(e) | CharacterStatus::Logout(e) | CharacterStatus::ChannelChanged(e) => e.character_id,
            CharacterStatus::Deleted(e) => e.character_id,
            CharacterStatus::StatChanged(e) => e.character_id,
        }
    }

    pub fn transaction_id(&self) -> Option<uuid::Uuid> {
        match self {
            CharacterStatus::Login(e) | CharacterStatus::Logout(e) | CharacterStatus::ChannelChanged(e) => e.transaction_id,
            CharacterStatus::Deleted(e) => e.transaction_id,
            CharacterStatus::StatChanged(e) => e.transaction_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples_decode_and_scalar_bodies_are_refused() {
        let logout = br#"{"worldId":0,"characterId":1001,"type":"LOGOUT","body":{"channelId":1,"mapId":100000000}}"#;
        assert!(matches!(CharacterStatus::decode(logout).expect("test fixture"), Decoded::Message(CharacterStatus::Logout(_))));
        for deleted in [
            r#"{"worldId":0,"characterId":1001,"type":"DELETED","body":{}}"#,
            r#"{"worldId":0,"characterId":1001,"type":"DELETED","body":null}"#,
            r#"{"worldId":0,"characterId":1001,"type":"DELETED"}"#,
        ] {
            assert!(matches!(CharacterStatus::decode(deleted.as_bytes()).expect("test fixture"), Decoded::Message(CharacterStatus::Deleted(_))));
        }
        let bad = br#"{"characterId":1001,"type":"DELETED","body":5}"#;
        assert_eq!(CharacterStatus::decode(bad).unwrap_err().reason(), "bad_field");
        let other = br#"{"characterId":1001,"type":"MAP_CHANGED","body":{}}"#;
        let changed = br#"{"transactionId":"3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b","worldId":0,"characterId":1001,"type":"STAT_CHANGED","body":{"channelId":1,"exclRequestSent":true,"updates":["AVAILABLE_AP","STRENGTH"],"values":{"strength":41}}}"#;
        assert!(matches!(CharacterStatus::decode(changed).expect("test fixture"), Decoded::Message(CharacterStatus::StatChanged(_))));
        let array_body = br#"{"characterId":1001,"type":"STAT_CHANGED","body":[]}"#;
        assert_eq!(CharacterStatus::decode(array_body).unwrap_err().reason(), "bad_field", "a body is an object, as in Go");
        let array_values = br#"{"characterId":1001,"type":"STAT_CHANGED","body":{"values":[41]}}"#;
        assert_eq!(CharacterStatus::decode(array_values).unwrap_err().reason(), "bad_field");
        assert_eq!(CharacterStatus::decode(other).expect("test fixture"), Decoded::Unhandled("MAP_CHANGED".into()));
    }
}
