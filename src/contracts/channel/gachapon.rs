//! Gachapon (spec 50 §4.38): the reward record and the megaphone every player of the world
//! sees.

use super::Push;
use serde::{Deserialize, Serialize};

/// EVENT_TOPIC_GACHAPON_REWARD_WON: flat, no `type`.
///
/// `{"characterId":30001,"worldId":0,"itemId":1302020,"quantity":1,"tier":"rare","gachaponId":"henesys","gachaponName":"Henesys","assetId":88020}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RewardWon {
    pub character_id: u32,
    pub world_id: u8,
    pub item_id: u32,
    pub quantity: u32,
    pub tier: String,
    pub gachapon_id: String,
    pub gachapon_name: String,
    pub asset_id: u32,
}

/// An inventory asset as the inventory service holds it (attributes); `referenceData`
/// carries what the item is (an equipment's stats, a stack's quantity) and is shown as is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct WonItem {
    pub slot: i16,
    pub template_id: u32,
    pub expiration: String,
    pub reference_id: u32,
    pub reference_type: String,
    pub reference_data: serde_json::Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MegaphoneMode {
    Gachapon,
}

/// `WorldMessage` of a gachapon win: who won what, where.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GachaponMegaphone {
    pub mode: MegaphoneMode,
    pub medal: String,
    pub character_name: String,
    /// The winner's channel (spec 50 Q-21 fixed), or the recipient's when unknown.
    pub channel_id: u8,
    pub gachapon_name: String,
    pub asset_id: u32,
    pub item: WonItem,
}

impl Push for GachaponMegaphone {
    const WRITER: &'static str = "WorldMessage";
}
