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

/// Body of `LOGIN` and `LOGOUT` (and what this server keeps of `CHANNEL_CHANGED`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionBody {
    #[serde(default, deserialize_with = "nullable")]
    pub channel_id: u8,
    #[serde(default, deserialize_with = "nullable")]
    pub map_id: u32,
    #[serde(default)]
    pub instance: Option<uuid::Uuid>,
}

/// Body of `CHANNEL_CHANGED`: the session body plus `oldChannelId`, a field only this
/// type has, so only this type is refused for a malformed one (spec 30 §3.2).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelChangedBody {
    #[serde(default, deserialize_with = "nullable")]
    pub channel_id: u8,
    #[serde(default, deserialize_with = "nullable")]
    pub old_channel_id: u8,
    #[serde(default, deserialize_with = "nullable")]
    pub map_id: u32,
    #[serde(default)]
    pub instance: Option<uuid::Uuid>,
}

impl From<ChannelChangedBody> for SessionBody {
    fn from(body: ChannelChangedBody) -> SessionBody {
        SessionBody { channel_id: body.channel_id, map_id: body.map_id, instance: body.instance }
    }
}

impl<B: Default> StatusEnvelope<B> {
    /// The same envelope with its body converted.
    pub fn map_body<C: Default>(self, f: impl FnOnce(B) -> C) -> StatusEnvelope<C> {
        StatusEnvelope { world_id: self.world_id, character_id: self.character_id, body: f(self.body), transaction_id: self.transaction_id }
    }
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
            "CHANNEL_CHANGED" => {
                let changed: StatusEnvelope<ChannelChangedBody> = decode::into(value)?;
                CharacterStatus::ChannelChanged(changed.map_body(SessionBody::from))
            }
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
            assert!(matches!(
                CharacterStatus::decode(deleted.as_bytes()).expect("test fixture"),
                Decoded::Message(CharacterStatus::Deleted(_))
            ));
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

    #[test]
    fn each_type_decodes_its_own_fields_only() {
        let login = br#"{"characterId":1001,"type":"LOGIN","body":{"channelId":1,"oldChannelId":"x","mapId":1}}"#;
        assert!(matches!(CharacterStatus::decode(login), Ok(Decoded::Message(CharacterStatus::Login(_)))));
        let logout = br#"{"characterId":1001,"type":"LOGOUT","body":{"channelId":1,"oldChannelId":[1]}}"#;
        assert!(matches!(CharacterStatus::decode(logout), Ok(Decoded::Message(CharacterStatus::Logout(_)))));
        let changed = br#"{"characterId":1001,"type":"CHANNEL_CHANGED","body":{"channelId":2,"oldChannelId":"x"}}"#;
        assert_eq!(CharacterStatus::decode(changed).unwrap_err().reason(), "bad_field");
        let changed = br#"{"characterId":1001,"type":"CHANNEL_CHANGED","body":{"channelId":2,"oldChannelId":1}}"#;
        let Ok(Decoded::Message(CharacterStatus::ChannelChanged(e))) = CharacterStatus::decode(changed) else { panic!("changed") };
        assert_eq!(e.body.channel_id, 2);
    }
}
