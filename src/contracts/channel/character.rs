//! A character's fame and notes (spec 51 §4.17; spec 50 §4.31, §4.32): the fame request,
//! its refusal and the note-arrived refresh.

use super::{Produced, Push};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// COMMAND_TOPIC_FAME `REQUEST_CHANGE`, keyed by the character giving fame.
///
/// `{"worldId":0,"characterId":30001,"type":"REQUEST_CHANGE","body":{"channelId":1,"mapId":100000000,"instance":"00000000-0000-0000-0000-000000000000","targetId":30002,"amount":1}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FameCommand {
    pub world_id: u8,
    pub character_id: u32,
    #[serde(flatten)]
    pub kind: FameCommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum FameCommandKind {
    RequestChange { channel_id: u8, map_id: u32, instance: Uuid, target_id: u32, amount: i8 },
}

impl Produced for FameCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_FAME";
    fn key(&self) -> u32 {
        self.character_id
    }
}

/// EVENT_TOPIC_FAME_STATUS `ERROR`.
///
/// `{"worldId":0,"characterId":30001,"type":"ERROR","body":{"channelId":1,"error":"NOT_TODAY"}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FameRecord {
    pub world_id: u8,
    pub character_id: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FameError {
    pub channel_id: u8,
    pub error: String,
}

/// Why a fame request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FameRefusal {
    NotToday,
    NotThisMonth,
    InvalidName,
    NotMinimumLevel,
    Unexpected,
}

/// `FameResponse` of a refused request.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "mode", rename = "ERROR")]
pub struct FameRefused {
    pub error: FameRefusal,
}

impl Push for FameRefused {
    const WRITER: &'static str = "FameResponse";
}

/// EVENT_TOPIC_NOTE_STATUS `CREATED` (the note itself is shown at the next login).
///
/// `{"characterId":30002,"type":"CREATED","body":{"noteId":501,"senderId":30001,"message":"gg","flag":0,"time":"2025-03-01T12:00:00Z"}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NoteRecord {
    pub character_id: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NoteCreated {
    pub note_id: u32,
    pub sender_id: u32,
    pub message: String,
    pub flag: u8,
    pub time: String,
}

/// `NoteOperation` `REFRESH`: the client asks for its notes again.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "operation", rename = "REFRESH")]
pub struct NoteRefresh {}

impl Push for NoteRefresh {
    const WRITER: &'static str = "NoteOperation";
}
