//! Things in a map (spec 51 §4.18, §4.33; spec 50 §4.28–§4.30): chairs and reactors
//! players act on, chalkboards, their records and the pushes to the map.

use super::{FieldBlock, Produced, Push};
use serde::{Deserialize, Serialize};

/// A map seat or a portable chair item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChairType {
    Fixed,
    Portable,
}

/// COMMAND_TOPIC_CHAIR, keyed by the sitter (no top-level `characterId`, Q13).
///
/// `{"worldId":0,"channelId":1,"mapId":100000000,"instance":"00000000-0000-0000-0000-000000000000","type":"USE","body":{"characterId":30001,"chairType":"PORTABLE","chairId":3010000}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChairCommand {
    #[serde(flatten)]
    pub field: FieldBlock,
    #[serde(flatten)]
    pub kind: ChairCommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum ChairCommandKind {
    Use { character_id: u32, chair_type: ChairType, chair_id: u32 },
    Cancel { character_id: u32 },
}

impl Produced for ChairCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_CHAIR";
    fn key(&self) -> u32 {
        match self.kind {
            ChairCommandKind::Use { character_id, .. } | ChairCommandKind::Cancel { character_id } => character_id,
        }
    }
}

/// COMMAND_TOPIC_REACTOR `HIT`, keyed by the reactor's object id.
///
/// `{"worldId":0,"channelId":1,"mapId":100000000,"instance":"00000000-0000-0000-0000-000000000000","type":"HIT","body":{"reactorId":2000012,"characterId":30001,"stance":1,"skillId":0}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReactorCommand {
    #[serde(flatten)]
    pub field: FieldBlock,
    #[serde(flatten)]
    pub kind: ReactorCommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum ReactorCommandKind {
    Hit { reactor_id: u32, character_id: u32, stance: u16, skill_id: u32 },
}

impl Produced for ReactorCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_REACTOR";
    fn key(&self) -> u32 {
        let ReactorCommandKind::Hit { reactor_id, .. } = self.kind;
        reactor_id
    }
}

/// EVENT_TOPIC_REACTOR_STATUS envelope (a missing field is its zero value).
///
/// `{"worldId":0,"channelId":1,"mapId":108010101,"instance":"00000000-0000-0000-0000-000000000000","reactorId":77,"type":"HIT","body":{"classification":1022000,"state":1,"x":120,"y":35,"direction":0,"destroyed":false}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ReactorRecord {
    #[serde(flatten)]
    pub field: FieldBlock,
    pub reactor_id: u32,
}

/// A reactor record's body (`CREATED`, `HIT`, `DESTROYED` use parts of it).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ReactorBody {
    pub classification: u32,
    pub name: String,
    pub state: i8,
    pub x: i16,
    pub y: i16,
    pub direction: u8,
    pub destroyed: bool,
}

/// `ReactorSpawn`, `ReactorHit`, `ReactorDestroy`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReactorSpawn {
    pub reactor_id: u32,
    pub classification: u32,
    pub name: String,
    pub state: i8,
    pub x: i16,
    pub y: i16,
    pub direction: u8,
}

impl Push for ReactorSpawn {
    const WRITER: &'static str = "ReactorSpawn";
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReactorHit {
    pub reactor_id: u32,
    pub state: i8,
    pub x: i16,
    pub y: i16,
    pub direction: u8,
}

impl Push for ReactorHit {
    const WRITER: &'static str = "ReactorHit";
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReactorDestroy {
    pub reactor_id: u32,
    pub state: i8,
    pub x: i16,
    pub y: i16,
}

impl Push for ReactorDestroy {
    const WRITER: &'static str = "ReactorDestroy";
}

/// EVENT_TOPIC_CHAIR_STATUS envelope.
///
/// `{"worldId":0,"channelId":1,"mapId":104000000,"instance":"00000000-0000-0000-0000-000000000000","chairType":"PORTABLE","chairId":3010000,"type":"USED","body":{"characterId":30001}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ChairRecord {
    #[serde(flatten)]
    pub field: FieldBlock,
    pub chair_type: String,
    pub chair_id: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ChairBody {
    pub character_id: u32,
    /// `ERROR` only: `INTERNAL`, or the kind of an illegitimate request.
    #[serde(rename = "type")]
    pub error: String,
}

/// `CharacterShowChair`: the chair another character sits on (0: none).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShowChair {
    pub character_id: u32,
    pub chair_id: u32,
}

impl Push for ShowChair {
    const WRITER: &'static str = "CharacterShowChair";
}

/// `CharacterSitResult`: sat on a map seat, or stood up.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum SitResult {
    Sit { seat_id: u16 },
    StandUp,
}

impl Push for SitResult {
    const WRITER: &'static str = "CharacterSitResult";
}

/// EVENT_TOPIC_CHALKBOARD_STATUS envelope.
///
/// `{"worldId":0,"channelId":1,"mapId":910000000,"instance":"00000000-0000-0000-0000-000000000000","characterId":30001,"type":"SET","body":{"message":"Selling scrolls!"}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ChalkboardRecord {
    #[serde(flatten)]
    pub field: FieldBlock,
    pub character_id: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ChalkboardBody {
    pub message: String,
}

/// `ChalkboardUse`: a character's board, or its removal (no `message`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChalkboardUse {
    pub character_id: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Push for ChalkboardUse {
    const WRITER: &'static str = "ChalkboardUse";
}
