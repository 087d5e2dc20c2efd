//! Chalkboards from the client (spec 51 §4.19): writing on one with a chalkboard cash item
//! and putting it away. (What the map is shown is in `field`.)

use super::{FieldBlock, Produced};
use serde::Serialize;

/// Chalkboard items are the cash items whose id / 10000 is this.
pub const CHALKBOARD_FAMILY: u32 = 537;

/// COMMAND_TOPIC_CHALKBOARD, keyed by the writer.
///
/// `{"worldId":0,"channelId":1,"mapId":910000000,"instance":"00000000-0000-0000-0000-000000000000","characterId":30001,"type":"SET","body":{"message":"Selling stuff"}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChalkboardCommand {
    #[serde(flatten)]
    pub field: FieldBlock,
    pub character_id: u32,
    #[serde(flatten)]
    pub kind: ChalkboardCommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChalkboardCommandKind {
    Set { message: String },
    Clear {},
}

impl Produced for ChalkboardCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_CHALKBOARD";
    fn key(&self) -> u32 {
        self.character_id
    }
}
