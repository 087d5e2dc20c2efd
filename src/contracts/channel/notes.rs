//! Notes (memos) from the client (spec 51 §4.29): the commands of the note window and its
//! `NoteOperation` answers. (A note's arrival is in `character`.)

use super::{Produced, Push};
use serde::{Deserialize, Serialize};

/// The flag of a note a player sends (spec 51 §4.29: always 1).
pub const SENT_FLAG: u8 = 1;

/// COMMAND_TOPIC_NOTE. `CREATE` names the **receiver** as `characterId` and is keyed by
/// the sender (spec 51 Q13); `DISCARD` names and is keyed by the discarding character.
///
/// `{"worldId":0,"channelId":1,"characterId":30002,"type":"CREATE","body":{"senderId":30001,"message":"see you at 8","flag":1}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteCommand {
    pub world_id: u8,
    pub channel_id: u8,
    pub character_id: u32,
    #[serde(flatten)]
    pub kind: NoteCommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum NoteCommandKind {
    Create { sender_id: u32, message: String, flag: u8 },
    Discard { note_ids: Vec<u32> },
}

impl Produced for NoteCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_NOTE";
    fn key(&self) -> u32 {
        match self.kind {
            NoteCommandKind::Create { sender_id, .. } => sender_id,
            NoteCommandKind::Discard { .. } => self.character_id,
        }
    }
}

/// A note as the note service holds it (`GET notes/{id}`, `GET characters/{id}/notes`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Note {
    pub character_id: u32,
    pub sender_id: u32,
    pub message: String,
    pub flag: u8,
    pub timestamp: String,
}

/// A note as the client lists it: the sender by name ("Unknown" when it cannot be read).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListedNote {
    pub id: u32,
    pub sender_name: String,
    pub message: String,
    pub timestamp: String,
    pub flag: u8,
}

/// Why a note was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NoteSendError {
    ReceiverUnknown,
}

/// `NoteOperation` answering the note window (the login bundle's `LIST` has this shape).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "operation", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum NoteOperation {
    List { notes: Vec<ListedNote> },
    Error { error: NoteSendError },
}

impl Push for NoteOperation {
    const WRITER: &'static str = "NoteOperation";
}
