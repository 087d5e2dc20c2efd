//! Buddy lists (spec 51 §4.12; spec 50 §4.19, the BUDDY rows of §4.20): the commands of
//! the buddy window, the buddy-list records, and the `BuddyOperation` pushes.

use super::{Produced, Push};
use serde::{Deserialize, Serialize};

/// The group a buddy request lands in until the player moves it.
pub const DEFAULT_GROUP: &str = "Default Group";

/// COMMAND_TOPIC_BUDDY_LIST, keyed by the acting character.
///
/// `{"worldId":0,"characterId":30001,"type":"REQUEST_ADD","body":{"characterId":30002,"group":"Default Group"}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BuddyListCommand {
    pub world_id: u8,
    pub character_id: u32,
    #[serde(flatten)]
    pub kind: BuddyListCommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum BuddyListCommandKind {
    RequestAdd { character_id: u32, group: String },
    RequestDelete { character_id: u32 },
}

impl Produced for BuddyListCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_BUDDY_LIST";
    fn key(&self) -> u32 {
        self.character_id
    }
}

/// EVENT_TOPIC_BUDDY_LIST_STATUS envelope; the owner of the list is the recipient.
///
/// `{"worldId":0,"characterId":30001,"type":"BUDDY_CHANNEL_CHANGE","body":{"characterId":30005,"channelId":2}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct BuddyListRecord {
    pub world_id: u8,
    pub character_id: u32,
}

/// A buddy as a record or the buddy service describes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Buddy {
    pub character_id: u32,
    pub group: String,
    pub character_name: String,
    /// −1 when offline.
    pub channel_id: i8,
    pub in_shop: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Capacity {
    pub capacity: u8,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct BuddyError {
    pub error: String,
}

/// The error keys of a buddy operation (spec 50 §4.19).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BuddyResult {
    BuddyListFull,
    OtherBuddyListFull,
    AlreadyBuddy,
    CannotBuddyGm,
    CharacterNotFound,
    UnknownError,
}

/// `BuddyOperation`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "operation", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum BuddyOperation {
    /// The whole list, redrawn.
    Update {
        buddies: Vec<Buddy>,
    },
    /// A buddy request: the pending entry names the requester (Q-17 fixed).
    Invite {
        originator_id: u32,
        name: String,
        buddy: Buddy,
    },
    BuddyUpdate {
        buddy: Buddy,
    },
    ChannelChange {
        character_id: u32,
        channel_id: i8,
    },
    CapacityChange {
        capacity: u8,
    },
    Error {
        error: BuddyResult,
    },
}

impl Push for BuddyOperation {
    const WRITER: &'static str = "BuddyOperation";
}
