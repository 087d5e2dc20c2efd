//! Inventory actions of the second wave (spec 51 §4.1, §4.27): merging and sorting a
//! tab, and applying an upgrade scroll.

use super::{Empty, FieldBlock, Produced};
use serde::Serialize;

/// COMMAND_TOPIC_COMPARTMENT `MERGE` and `SORT`, keyed by the character.
///
/// `{"characterId":30001,"inventoryType":2,"type":"SORT","body":{}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompartmentCommand {
    pub character_id: u32,
    pub inventory_type: u8,
    #[serde(flatten)]
    pub kind: CompartmentCommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CompartmentCommandKind {
    Merge(Empty),
    Sort(Empty),
}

impl Produced for CompartmentCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_COMPARTMENT";
    fn key(&self) -> u32 {
        self.character_id
    }
}

/// COMMAND_TOPIC_CONSUMABLE `REQUEST_SCROLL` and (for pets) `REQUEST_ITEM_CONSUME`, keyed
/// by the character.
///
/// `{"worldId":0,"channelId":1,"mapId":100000000,"instance":"00000000-0000-0000-0000-000000000000","characterId":30001,"type":"REQUEST_SCROLL","body":{"scrollSlot":4,"equipSlot":-11,"whiteScroll":true,"legendarySpirit":false}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsumableCommand {
    #[serde(flatten)]
    pub field: FieldBlock,
    pub character_id: u32,
    #[serde(flatten)]
    pub kind: ConsumableKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum ConsumableKind {
    RequestScroll {
        scroll_slot: i16,
        equip_slot: i16,
        white_scroll: bool,
        legendary_spirit: bool,
    },
    /// `quantity` is always 1.
    RequestItemConsume {
        source: i16,
        item_id: u32,
        quantity: i16,
    },
}

impl Produced for ConsumableCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_CONSUMABLE";
    fn key(&self) -> u32 {
        self.character_id
    }
}
