//! NPC talk and shops (spec 51 §4.22, §4.23; spec 50 §4.23, §4.24): the commands a click
//! on an NPC or in its shop produces, the dialogue and shop records, and their pushes.

use super::{Empty, FieldBlock, Produced, Push};
use serde::{Deserialize, Serialize};

/// COMMAND_TOPIC_NPC, keyed by the character; `npcId` is 0 after the first box (Q17).
///
/// `{"npcId":0,"characterId":30001,"type":"CONTINUE_CONVERSATION","body":{"action":1,"lastMessageType":4,"selection":2}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NpcCommand {
    pub npc_id: u32,
    pub character_id: u32,
    #[serde(flatten)]
    pub kind: NpcCommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NpcCommandKind {
    StartConversation(StartConversation),
    ContinueConversation(ContinueConversation),
    EndConversation(Empty),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartConversation {
    #[serde(flatten)]
    pub field: FieldBlock,
    pub account_id: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContinueConversation {
    pub action: u8,
    pub last_message_type: u8,
    pub selection: i32,
}

impl Produced for NpcCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_NPC";
    fn key(&self) -> u32 {
        self.character_id
    }
}

/// COMMAND_TOPIC_NPC_SHOP, keyed by the character.
///
/// `{"characterId":30001,"type":"BUY","body":{"slot":0,"itemTemplateId":2000000,"quantity":100,"discountPrice":0}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NpcShopCommand {
    pub character_id: u32,
    #[serde(flatten)]
    pub kind: NpcShopCommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum NpcShopCommandKind {
    Enter { npc_template_id: u32 },
    Exit(Empty),
    Buy { slot: u16, item_template_id: u32, quantity: u32, discount_price: u32 },
    Sell { slot: i16, item_template_id: u32, quantity: u32 },
    Recharge { slot: u16 },
}

impl Produced for NpcShopCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_NPC_SHOP";
    fn key(&self) -> u32 {
        self.character_id
    }
}

/// COMMAND_TOPIC_NPC_CONVERSATION: a dialogue box the conversation service asks the
/// channel to show (spec 50 §4.23). A missing field is its zero value.
///
/// `{"worldId":0,"channelId":1,"characterId":30001,"npcId":9010000,"speaker":"NPC","endChat":false,"secondaryNpcId":0,"message":"Hello.","type":"SIMPLE","body":{"type":"NEXT"}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConversationRecord {
    pub world_id: u8,
    pub channel_id: u8,
    pub character_id: u32,
    pub npc_id: u32,
    pub speaker: String,
    pub end_chat: bool,
    pub secondary_npc_id: u32,
    pub message: String,
}

/// The `SIMPLE` box kinds; any other is logged and ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SimpleKind {
    Ok,
    Next,
    Previous,
    NextPrevious,
    YesNo,
    Simple,
    AcceptDecline,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NumberBody {
    pub default_value: u32,
    pub min_value: u32,
    pub max_value: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct StyleBody {
    pub styles: Vec<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SlideMenuBody {
    pub menu_type: u32,
}

/// The box a conversation record asks for.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "dialog", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum Dialog {
    /// `OK`, `NEXT`, `PREVIOUS`, `NEXT_PREVIOUS`: a "say" box with those buttons.
    Say {
        previous: bool,
        next: bool,
    },
    YesNo,
    /// `SIMPLE`: a menu whose options are in the text.
    Menu,
    /// A quest's accept/decline box.
    AcceptDecline,
    Number {
        default_value: u32,
        min_value: u32,
        max_value: u32,
    },
    Style {
        styles: Vec<u32>,
    },
    SlideMenu {
        menu_type: u32,
    },
}

impl From<SimpleKind> for Dialog {
    fn from(kind: SimpleKind) -> Dialog {
        match kind {
            SimpleKind::Ok => Dialog::Say { previous: false, next: false },
            SimpleKind::Next => Dialog::Say { previous: false, next: true },
            SimpleKind::Previous => Dialog::Say { previous: true, next: false },
            SimpleKind::NextPrevious => Dialog::Say { previous: true, next: true },
            SimpleKind::YesNo => Dialog::YesNo,
            SimpleKind::Simple => Dialog::Menu,
            SimpleKind::AcceptDecline => Dialog::AcceptDecline,
        }
    }
}

/// `NPCConversation`: a dialogue box. `speaker` is the client's byte: bit 0 when there is
/// no "end chat" button, bit 1 when the character speaks, bit 2 with a second NPC.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NpcConversation {
    pub npc_id: u32,
    pub speaker: u8,
    pub secondary_npc_id: u32,
    pub message: String,
    #[serde(flatten)]
    pub dialog: Dialog,
}

impl NpcConversation {
    pub fn new(record: &ConversationRecord, dialog: Dialog) -> NpcConversation {
        let speaker =
            u8::from(!record.end_chat) | u8::from(record.speaker == "CHARACTER") << 1 | u8::from(record.secondary_npc_id != 0) << 2;
        NpcConversation {
            npc_id: record.npc_id,
            speaker,
            secondary_npc_id: record.secondary_npc_id,
            message: record.message.clone(),
            dialog,
        }
    }
}

impl Push for NpcConversation {
    const WRITER: &'static str = "NPCConversation";
}

/// EVENT_TOPIC_NPC_SHOP_STATUS `ENTERED` body.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ShopEntered {
    pub npc_template_id: u32,
}

/// The result keys of a shop operation (spec 50 §4.24).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ShopResult {
    Ok,
    OutOfStock,
    NotEnoughMoney,
    InventoryFull,
    #[serde(rename = "OUT_OF_STOCK_2")]
    OutOfStock2,
    #[serde(rename = "OUT_OF_STOCK_3")]
    OutOfStock3,
    #[serde(rename = "NOT_ENOUGH_MONEY_2")]
    NotEnoughMoney2,
    NeedMoreItems,
    OverLevelRequirement,
    UnderLevelRequirement,
    TradeLimit,
    GenericError,
    GenericErrorWithReason,
}

/// EVENT_TOPIC_NPC_SHOP_STATUS `ERROR` body.
///
/// `{"characterId":30001,"type":"ERROR","body":{"error":"NOT_ENOUGH_MONEY","levelLimit":0,"reason":""}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ShopError {
    pub error: String,
    pub level_limit: u32,
    pub reason: String,
}

impl ShopError {
    /// The result this error names; `None` for a key the client has no message for.
    pub fn operation(&self) -> Option<NpcShopOperation> {
        let result: ShopResult = serde_json::from_value(serde_json::Value::String(self.error.clone())).ok()?;
        let level = matches!(result, ShopResult::OverLevelRequirement | ShopResult::UnderLevelRequirement);
        let reason = result == ShopResult::GenericErrorWithReason;
        Some(NpcShopOperation { result, level_limit: level.then_some(self.level_limit), reason: reason.then(|| self.reason.clone()) })
    }
}

/// One item of a shop, as the shop service lists it (`npcs/{id}/shop?include=commodities`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Commodity {
    pub template_id: u32,
    pub meso_price: u32,
    pub discount_rate: u8,
    pub token_template_id: u32,
    pub token_price: u32,
    pub period: u32,
    pub level_limit: u32,
    pub unit_price: f64,
    pub slot_max: u32,
}

/// `NPCShop`: the shop window of an NPC.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NpcShop {
    pub npc_id: u32,
    pub commodities: Vec<Commodity>,
}

impl Push for NpcShop {
    const WRITER: &'static str = "NPCShop";
}

/// `NPCShopOperation`: the result of a purchase, sale or recharge; `levelLimit` only with
/// the level results, `reason` only with `GENERIC_ERROR_WITH_REASON`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NpcShopOperation {
    pub result: ShopResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level_limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Push for NpcShopOperation {
    const WRITER: &'static str = "NPCShopOperation";
}
