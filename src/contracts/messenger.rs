//! Spec 30 wire types: messenger commands and invite status events (consumed); messenger
//! status, member status and invite commands (produced).

use super::decode::{self, Decoded, Reject};
use super::json::nullable;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A consumed transactionId: absent, `null` and the nil UUID all mean "none" (spec 30 §2.4);
/// a string that is not a UUID makes the record undecodable.
pub fn transaction(id: Option<Uuid>) -> Option<Uuid> {
    id.filter(|id| !id.is_nil())
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessengerIdBody {
    #[serde(default, deserialize_with = "nullable")]
    pub messenger_id: u32,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CharacterIdBody {
    #[serde(default, deserialize_with = "nullable")]
    pub character_id: u32,
}

/// A body whose fields are ignored (`{}`, `null` or absent; not a scalar).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct NoBody {}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "B: Deserialize<'de> + Default"))]
pub struct Command<B: Default> {
    #[serde(default)]
    pub transaction_id: Option<Uuid>,
    #[serde(default, deserialize_with = "nullable")]
    pub actor_id: u32,
    #[serde(default, deserialize_with = "nullable")]
    pub body: B,
}

/// A command of `COMMAND_TOPIC_MESSENGER`.
#[derive(Debug, Clone, PartialEq)]
pub enum MessengerCommand {
    Create(Command<NoBody>),
    Join(Command<MessengerIdBody>),
    Leave(Command<MessengerIdBody>),
    RequestInvite(Command<CharacterIdBody>),
}

impl MessengerCommand {
    /// The character the command is about.
    pub fn actor_id(&self) -> u32 {
        match self {
            MessengerCommand::Create(c) => c.actor_id,
            MessengerCommand::Join(c) | MessengerCommand::Leave(c) => c.actor_id,
            MessengerCommand::RequestInvite(c) => c.actor_id,
        }
    }

    pub fn decode(bytes: &[u8]) -> Result<Decoded<MessengerCommand>, Reject> {
        let (kind, value) = decode::typed(bytes)?;
        Ok(Decoded::Message(match kind.as_str() {
            "CREATE" => MessengerCommand::Create(decode::into(value)?),
            "JOIN" => MessengerCommand::Join(decode::into(value)?),
            "LEAVE" => MessengerCommand::Leave(decode::into(value)?),
            "REQUEST_INVITE" => MessengerCommand::RequestInvite(decode::into(value)?),
            _ => return Ok(Decoded::Unhandled(kind)),
        }))
    }
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteBody {
    #[serde(default, deserialize_with = "nullable")]
    pub originator_id: u32,
    #[serde(default, deserialize_with = "nullable")]
    pub target_id: u32,
}

/// An invite status event of `EVENT_TOPIC_INVITE_STATUS`; only `ACCEPTED` is decoded.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteAccepted {
    #[serde(default)]
    pub transaction_id: Option<Uuid>,
    #[serde(default, deserialize_with = "nullable")]
    pub world_id: u8,
    #[serde(default, deserialize_with = "nullable")]
    pub invite_type: String,
    #[serde(default, deserialize_with = "nullable")]
    pub reference_id: u32,
    #[serde(default, deserialize_with = "nullable")]
    pub body: InviteBody,
}

pub fn decode_invite_status(bytes: &[u8]) -> Result<Decoded<InviteAccepted>, Reject> {
    let (kind, value) = decode::typed(bytes)?;
    match kind.as_str() {
        "ACCEPTED" => Ok(Decoded::Message(decode::into(value)?)),
        _ => Ok(Decoded::Unhandled(kind)),
    }
}

/// `EVENT_TOPIC_MESSENGER_STATUS`, fields in Go's order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessengerStatus<B> {
    pub transaction_id: Uuid,
    pub actor_id: u32,
    pub world_id: u8,
    pub messenger_id: u32,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub body: B,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlotBody {
    pub slot: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    #[serde(rename = "type")]
    pub code: &'static str,
    pub character_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmptyBody {}

/// `EVENT_TOPIC_MESSENGER_MEMBER_STATUS`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberStatus {
    pub transaction_id: Uuid,
    pub world_id: u8,
    pub messenger_id: u32,
    pub character_id: u32,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub body: EmptyBody,
}

/// `COMMAND_TOPIC_INVITE`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteCommand {
    pub transaction_id: Uuid,
    pub world_id: u8,
    pub invite_type: &'static str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub body: InviteCommandBody,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteCommandBody {
    pub originator_id: u32,
    pub target_id: u32,
    pub reference_id: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples_decode() {
        let join =
            br#"{"transactionId":"3f2b8a8e-0c7d-4d59-9a51-6f6c0e1d2a11","actorId":5102,"type":"JOIN","body":{"messengerId":1000000000}}"#;
        let Ok(Decoded::Message(MessengerCommand::Join(c))) = MessengerCommand::decode(join) else { panic!("join") };
        assert_eq!((c.actor_id, c.body.messenger_id), (5102, 1000000000));
        let accepted = br#"{"transactionId":"77aa0e52-9b1c-4f7e-b0a4-1c2d3e4f5a6b","worldId":0,"inviteType":"MESSENGER","referenceId":1000000000,"type":"ACCEPTED","body":{"originatorId":5101,"targetId":5103}}"#;
        let Ok(Decoded::Message(a)) = decode_invite_status(accepted) else { panic!("accepted") };
        assert_eq!((a.reference_id, a.body.target_id), (1000000000, 5103));
    }

    #[test]
    fn bad_transaction_ids_and_bodies_are_refused() {
        for bad in [
            r#"{"transactionId":"","actorId":1,"type":"CREATE","body":{}}"#,
            r#"{"actorId":1,"type":"JOIN","body":5}"#,
            r#"{"actorId":1,"type":"JOIN","body":{"messengerId":-1}}"#,
        ] {
            assert_eq!(MessengerCommand::decode(bad.as_bytes()).unwrap_err().reason(), "bad_field", "{bad}");
        }
        let nil = br#"{"transactionId":"00000000-0000-0000-0000-000000000000","actorId":1,"type":"CREATE"}"#;
        let Ok(Decoded::Message(MessengerCommand::Create(c))) = MessengerCommand::decode(nil) else { panic!() };
        assert_eq!(transaction(c.transaction_id), None);
    }
}
