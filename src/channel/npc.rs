//! NPC talk and shops: the client's clicks on NPCs and in their shops (spec 51 §4.22,
//! §4.23) and the dialogue boxes and shop windows pushed back (spec 50 §4.23, §4.24).

use super::actions::{self, command, field};
use super::commands::{Context as Session, Outcome};
use super::deliver::{Recipients, Scope};
use super::sessions::Session as Connected;
use super::updates::{kind, part, push};
use super::{lookups, Edge};
use crate::actors::foreign;
use crate::contracts::channel::npc::{
    Commodity, ContinueConversation, ConversationRecord, Dialog, NpcCommand, NpcCommandKind, NpcConversation, NpcShop, NpcShopCommand,
    NpcShopCommandKind, NpcShopOperation, NumberBody, ShopEntered, ShopError, SimpleKind, SlideMenuBody, StartConversation, StyleBody,
};
use crate::contracts::channel::Empty;
use crate::contracts::decode::{self, Decoded, Reject};
use serde::Deserialize;
use serde_json::Value;

/// The NPC client frames (docs/client-protocol.md).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum Action {
    /// A click on an NPC object of the map.
    #[serde(rename = "NPCStartConversation")]
    StartConversation { object_id: u32 },
    /// An answer to the box shown: `lastMessageType` 2 is a text prompt, whose `action` 0
    /// cancels the conversation.
    #[serde(rename = "NPCContinueConversation")]
    ContinueConversation {
        last_message_type: u8,
        action: u8,
        #[serde(default)]
        selection: i32,
    },
    #[serde(rename = "NPCShop")]
    Shop {
        operation: ShopOperation,
        #[serde(default)]
        slot: i16,
        #[serde(default)]
        item_id: u32,
        #[serde(default)]
        quantity: u16,
        #[serde(default)]
        discount_price: u32,
    },
}

/// What the shop window asks (v83 BUY 0, SELL 1, RECHARGE 2, LEAVE 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ShopOperation {
    Buy,
    Sell,
    Recharge,
    Leave,
}

/// The clicked NPC's template (from the map's NPCs in the data service) and whether it
/// keeps a shop (the shop service knows it).
pub async fn resolve(edge: &Edge, session: &Connected, ctx: &Session, action: &Action) -> actions::Context {
    let Action::StartConversation { object_id } = action else { return actions::Context::default() };
    let (services, tenant) = (&edge.services, &session.tenant);
    let npcs = lookups::resources(services, tenant, "DATA", &format!("data/maps/{}/npcs", ctx.field.map)).await;
    let template = npcs
        .iter()
        .find(|(id, _)| id.parse::<u32>().ok() == Some(*object_id))
        .and_then(|(_, npc)| npc["template"].as_u64().and_then(|t| u32::try_from(t).ok()));
    let npc_has_shop = match template {
        Some(template) => lookups::data(services, tenant, "NPC_SHOP", &format!("npcs/{template}/shop")).await.is_some(),
        None => false,
    };
    actions::Context { npc_template: template, npc_has_shop, ..actions::Context::default() }
}

pub fn translate(action: &Action, ctx: &Session) -> Outcome {
    let c = ctx.character;
    let npc = |npc_id: u32, kind: NpcCommandKind| command(&NpcCommand { npc_id, character_id: c, kind });
    let shop = |kind: NpcShopCommandKind| command(&NpcShopCommand { character_id: c, kind });
    let commands = match action {
        Action::StartConversation { .. } => match (ctx.play.npc_template, ctx.play.npc_has_shop) {
            // Clicking an object that is no NPC of the map breaks the rules (spec 51 §4.22).
            (None, _) => return Outcome { destroy: true, ..Outcome::default() },
            (Some(template), true) => vec![shop(NpcShopCommandKind::Enter { npc_template_id: template })],
            (Some(template), false) => {
                let start = StartConversation { field: field(ctx), account_id: ctx.account };
                vec![npc(template, NpcCommandKind::StartConversation(start))]
            }
        },
        Action::ContinueConversation { last_message_type: 2, action: 0, .. } => vec![npc(0, NpcCommandKind::EndConversation(Empty {}))],
        Action::ContinueConversation { last_message_type, action, selection } => {
            // A text answer is not forwarded: its selection is −1.
            let selection = if *last_message_type == 2 { -1 } else { *selection };
            let body = ContinueConversation { action: *action, last_message_type: *last_message_type, selection };
            vec![npc(0, NpcCommandKind::ContinueConversation(body))]
        }
        Action::Shop { operation, slot, item_id, quantity, discount_price } => {
            let (item_template_id, quantity) = (*item_id, u32::from(*quantity));
            let kind = match operation {
                ShopOperation::Leave => Some(NpcShopCommandKind::Exit(Empty {})),
                ShopOperation::Buy => u16::try_from(*slot).ok().map(|slot| NpcShopCommandKind::Buy {
                    slot,
                    item_template_id,
                    quantity,
                    discount_price: *discount_price,
                }),
                ShopOperation::Sell => Some(NpcShopCommandKind::Sell { slot: *slot, item_template_id, quantity }),
                ShopOperation::Recharge => u16::try_from(*slot).ok().map(|slot| NpcShopCommandKind::Recharge { slot }),
            };
            kind.map(shop).into_iter().collect()
        }
    };
    Outcome { commands, ..Outcome::default() }
}

/// A dialogue box or shop record to push.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    Conversation { record: ConversationRecord, dialog: Dialog },
    ShopEntered { character: u32, npc_template: u32 },
    ShopResult { character: u32, operation: NpcShopOperation },
}

impl Update {
    pub fn subject(&self) -> u32 {
        match self {
            Update::Conversation { record, .. } => record.character_id,
            Update::ShopEntered { character, .. } | Update::ShopResult { character, .. } => *character,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SimpleBody {
    #[serde(rename = "type")]
    kind: String,
}

/// COMMAND_TOPIC_NPC_CONVERSATION: `SIMPLE`, `NUMBER`, `STYLE`, `SLIDE_MENU`.
pub fn decode_conversation(value: &Value) -> Result<Decoded<Update>, Reject> {
    let kind = kind(value)?;
    let record: ConversationRecord = decode::into(value.clone())?;
    let body = value.get("body");
    let dialog = match kind {
        "SIMPLE" => {
            let simple: SimpleBody = part(body)?;
            match serde_json::from_value::<SimpleKind>(Value::String(simple.kind.clone())) {
                Ok(kind) => Dialog::from(kind),
                // Go panics here; the record is skipped (and logged as unhandled).
                Err(_) => return Ok(Decoded::Unhandled(format!("SIMPLE box of unknown type {:?}", simple.kind))),
            }
        }
        "NUMBER" => {
            let NumberBody { default_value, min_value, max_value } = part(body)?;
            Dialog::Number { default_value, min_value, max_value }
        }
        "STYLE" => Dialog::Style { styles: part::<StyleBody>(body)?.styles },
        "SLIDE_MENU" => Dialog::SlideMenu { menu_type: part::<SlideMenuBody>(body)?.menu_type },
        other => return Ok(Decoded::Unhandled(other.to_string())),
    };
    Ok(Decoded::Message(Update::Conversation { record, dialog }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ShopRecord {
    character_id: u32,
}

/// EVENT_TOPIC_NPC_SHOP_STATUS: `ENTERED`, `ERROR` (`EXITED` needs nothing).
pub fn decode_shop(value: &Value) -> Result<Decoded<Update>, Reject> {
    let kind = kind(value)?;
    let ShopRecord { character_id: character } = decode::into(value.clone())?;
    let body = value.get("body");
    match kind {
        "ENTERED" => Ok(Decoded::Message(Update::ShopEntered { character, npc_template: part::<ShopEntered>(body)?.npc_template_id })),
        "ERROR" => {
            let error: ShopError = part(body)?;
            match error.operation() {
                Some(operation) => Ok(Decoded::Message(Update::ShopResult { character, operation })),
                None => Ok(Decoded::Unhandled(format!("ERROR {:?}", error.error))),
            }
        }
        other => Ok(Decoded::Unhandled(other.to_string())),
    }
}

/// Dialogue boxes go to the talking character on the record's channel; shop windows and
/// results to the shopper wherever it is connected here (scope T).
pub(super) async fn deliver(to: &Recipients<'_>, update: Update) {
    match update {
        Update::Conversation { record, dialog } => {
            let scope = Scope::Channel(record.world_id, record.channel_id);
            to.one(record.character_id, scope, &push(&NpcConversation::new(&record, dialog)));
        }
        Update::ShopEntered { character, npc_template } => {
            if to.session(character, Scope::Tenant).is_none() {
                return;
            }
            let Some(commodities) = commodities(to, npc_template).await else { return };
            to.one(character, Scope::Tenant, &push(&NpcShop { npc_id: npc_template, commodities }));
        }
        Update::ShopResult { character, operation } => {
            to.one(character, Scope::Tenant, &push(&operation));
        }
    }
}

/// Most items a shop window lists (the client's own limit is far lower).
const MAX_COMMODITIES: usize = 1000;

/// The shop's commodities, from the `included` resources of its JSON:API document; `None`
/// when the shop cannot be read.
async fn commodities(to: &Recipients<'_>, npc_template: u32) -> Option<Vec<Commodity>> {
    let path = format!("npcs/{npc_template}/shop?include=commodities");
    let document: Value = foreign::get(&to.edge.services.foreign, to.tenant, "NPC_SHOP_SERVICE_URL", &path).await?;
    let included = document.get("included").and_then(Value::as_array).cloned().unwrap_or_default();
    let listed = included.into_iter().filter(|r| r["type"] == "commodities").take(MAX_COMMODITIES);
    Some(listed.filter_map(|r| serde_json::from_value(r["attributes"].clone()).ok()).collect())
}
