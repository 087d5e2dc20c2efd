//! Parties and invitations (spec 51 §4.13, §4.30; spec 50 §4.17, §4.18, §4.20): the
//! commands of the party window, the party and invitation records, and their pushes.

use super::{Empty, Produced, Push};
use serde::{Deserialize, Serialize};

/// COMMAND_TOPIC_PARTY, keyed by the actor.
///
/// `{"actorId":30001,"type":"LEAVE","body":{"partyId":40,"force":false}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyCommand {
    pub actor_id: u32,
    #[serde(flatten)]
    pub kind: PartyCommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum PartyCommandKind {
    Create(Empty),
    /// `force`: the actor is expelled by the leader (spec 51 Q5: the actor is the target).
    Leave {
        party_id: u32,
        force: bool,
    },
    ChangeLeader {
        party_id: u32,
        leader_id: u32,
    },
    RequestInvite {
        character_id: u32,
    },
}

impl Produced for PartyCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_PARTY";
    fn key(&self) -> u32 {
        self.actor_id
    }
}

/// The kinds of invitation the channel answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InviteType {
    Buddy,
    Party,
    Guild,
    Messenger,
}

/// COMMAND_TOPIC_INVITE, keyed by the invited character who answers.
///
/// `{"worldId":0,"inviteType":"PARTY","type":"ACCEPT","body":{"targetId":30002,"referenceId":40}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteCommand {
    pub world_id: u8,
    pub invite_type: InviteType,
    #[serde(flatten)]
    pub kind: InviteCommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum InviteCommandKind {
    Accept { target_id: u32, reference_id: u32 },
    Reject { target_id: u32, originator_id: u32 },
}

impl Produced for InviteCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_INVITE";
    fn key(&self) -> u32 {
        match self.kind {
            InviteCommandKind::Accept { target_id, .. } | InviteCommandKind::Reject { target_id, .. } => target_id,
        }
    }
}

/// EVENT_TOPIC_PARTY_STATUS envelope; a missing field is its zero value.
///
/// `{"actorId":30002,"worldId":0,"partyId":41,"type":"JOINED","body":{}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PartyStatusRecord {
    pub actor_id: u32,
    pub world_id: u8,
    pub party_id: u32,
}

/// `EXPEL` and `CHANGE_LEADER` bodies.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PartyTarget {
    pub character_id: u32,
    pub disconnected: bool,
}

/// `DISBAND` body: the former members.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Disbanded {
    pub members: Vec<u32>,
}

/// `ERROR` body: the error key and the character it is about.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PartyError {
    #[serde(rename = "type")]
    pub error: String,
    pub character_name: String,
}

/// EVENT_TOPIC_PARTY_MEMBER_STATUS envelope (`LOGIN`, `LOGOUT`).
///
/// `{"worldId":0,"partyId":41,"characterId":30003,"type":"LOGOUT","body":{}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PartyMemberRecord {
    pub world_id: u8,
    pub party_id: u32,
    pub character_id: u32,
}

/// EVENT_TOPIC_INVITE_STATUS envelope.
///
/// `{"worldId":0,"inviteType":"PARTY","referenceId":41,"type":"CREATED","body":{"originatorId":30001,"targetId":30004}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct InviteRecord {
    pub world_id: u8,
    pub invite_type: String,
    pub reference_id: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct InviteParties {
    pub originator_id: u32,
    pub target_id: u32,
}

/// One member in a party window, as seen from one channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyListMember {
    pub id: u32,
    pub name: String,
    pub job_id: u16,
    pub level: u8,
    /// −2 when offline.
    pub channel_id: i16,
    /// Only for members on the viewer's channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub map_id: Option<u32>,
}

/// A party window: at most six members and the leader.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyList {
    pub leader_id: u32,
    pub members: Vec<PartyListMember>,
}

/// `PartyOperation`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "operation", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum PartyOperation {
    Created {
        party_id: u32,
    },
    Join {
        party_id: u32,
        party: PartyList,
        name: String,
    },
    Leave {
        party_id: u32,
        party: PartyList,
        character_id: u32,
        name: String,
    },
    Expel {
        party_id: u32,
        party: PartyList,
        character_id: u32,
        name: String,
    },
    Disband {
        party_id: u32,
        leader_id: u32,
    },
    ChangeLeader {
        leader_id: u32,
        disconnected: bool,
    },
    Update {
        party_id: u32,
        party: PartyList,
    },
    Invite {
        party_id: u32,
        name: String,
    },
    /// An error key of the party service (or the channel's own, for an invitee not here).
    Error {
        error: String,
        name: String,
    },
}

impl Push for PartyOperation {
    const WRITER: &'static str = "PartyOperation";
}

/// The error shown when an invited character is not on the inviter's channel.
pub const NOT_IN_THIS_CHANNEL: &str = "UNABLE_TO_FIND_THE_REQUESTED_CHARACTER_IN_THIS_CHANNEL";
/// The error shown to an inviter whose party invitation was declined.
pub const DENIED: &str = "HAVE_DENIED_REQUEST_TO_THE_PARTY";
