//! Server-to-player messages (spec 50 §4.26): the COMMAND_TOPIC_SYSTEM_MESSAGE record
//! scripts and sagas send, and the frames each of its eight types becomes.

use super::Push;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The envelope: the recipient and its channel (a missing field is its zero value).
///
/// `{"transactionId":"1c2d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5","worldId":0,"channelId":1,"characterId":30001,"type":"SEND_MESSAGE","body":{"messageType":"NOTICE","message":"Welcome!"}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SystemMessageRecord {
    pub transaction_id: Uuid,
    pub world_id: u8,
    pub channel_id: u8,
    pub character_id: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SendMessage {
    pub message_type: String,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct PathBody {
    pub path: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct TextBody {
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct AreaInfo {
    pub area: u16,
    pub info: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct CharacterHint {
    pub hint: String,
    pub width: u16,
    pub height: u16,
}

impl Push for CharacterHint {
    const WRITER: &'static str = "CharacterHint";
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GuideHint {
    pub hint_id: u32,
    pub duration: u32,
}

/// How long a guide hint stays when the record gives no duration.
pub const GUIDE_HINT_MS: u32 = 7000;

/// The kinds of world message a script can send; an unknown kind is pink text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MessageMode {
    Notice,
    PopUp,
    PinkText,
    BlueText,
}

impl MessageMode {
    pub fn named(name: &str) -> MessageMode {
        match name {
            "NOTICE" => MessageMode::Notice,
            "POP_UP" => MessageMode::PopUp,
            "BLUE_TEXT" => MessageMode::BlueText,
            _ => MessageMode::PinkText,
        }
    }
}

/// `WorldMessage` from a script.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorldMessage {
    pub mode: MessageMode,
    pub message: String,
}

impl Push for WorldMessage {
    const WRITER: &'static str = "WorldMessage";
}

/// `CharacterEffect` a script shows its player.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "effect", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScriptEffect {
    PlayPortalSound,
    ShowInfo { path: String },
    ShowIntro { path: String },
}

impl Push for ScriptEffect {
    const WRITER: &'static str = "CharacterEffect";
}

/// `CharacterStatusMessage` from a script.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScriptStatus {
    SystemMessage { message: String },
    QuestRecordEx { area: u16, info: String },
}

impl Push for ScriptStatus {
    const WRITER: &'static str = "CharacterStatusMessage";
}

/// `GuideTalk`: a numbered guide hint for `duration` milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GuideTalk {
    pub hint_id: u32,
    pub duration: u32,
}

impl Push for GuideTalk {
    const WRITER: &'static str = "GuideTalk";
}
