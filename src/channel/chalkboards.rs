//! Chalkboards from the client (spec 51 §4.19): a chalkboard cash item the player holds
//! opens one with its message; closing it clears it.

use super::actions::{command, field};
use super::commands::{Context as Session, Outcome};
use super::sessions::Session as Connected;
use super::{last_wave, Edge};
use crate::contracts::channel::chalkboard::{ChalkboardCommand, ChalkboardCommandKind, CHALKBOARD_FAMILY};
use serde::Deserialize;
use serde_json::Value;

/// The cash tab.
const CASH: u8 = 5;

/// The chalkboard client frames (docs/client-protocol.md).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum Action {
    /// Using a cash item from `slot`; only chalkboards produce anything.
    CharacterCashItemUse {
        slot: i16,
        item_id: u32,
        #[serde(default)]
        message: String,
    },
    ChalkboardClose,
}

fn chalkboard(item: u32) -> bool {
    item / 10_000 == CHALKBOARD_FAMILY
}

/// Whether the cash slot holds the chalkboard item named (`GET characters/{id}/inventory/compartments?type=5`).
pub async fn resolve(edge: &Edge, session: &Connected, ctx: &Session, action: &Action) -> last_wave::Context {
    let Action::CharacterCashItemUse { slot, item_id, .. } = action else { return last_wave::Context::default() };
    if !chalkboard(*item_id) {
        return last_wave::Context::default();
    }
    let path = format!("characters/{}/inventory/compartments?type={CASH}", ctx.character);
    let document: Option<Value> =
        crate::actors::foreign::get(&edge.services.foreign, &session.tenant, "INVENTORY_SERVICE_URL", &path).await;
    let held = document.is_some_and(|d| {
        d["included"].as_array().into_iter().flatten().any(|r| {
            r["type"] == "assets"
                && r["attributes"]["slot"].as_i64() == Some(i64::from(*slot))
                && r["attributes"]["templateId"].as_u64() == Some(u64::from(*item_id))
        })
    });
    last_wave::Context { chalkboard_held: held, ..last_wave::Context::default() }
}

pub fn translate(action: &Action, ctx: &Session) -> Outcome {
    let board = |kind: ChalkboardCommandKind| command(&ChalkboardCommand { field: field(ctx), character_id: ctx.character, kind });
    let commands = match action {
        Action::CharacterCashItemUse { item_id, message, .. } if chalkboard(*item_id) && ctx.later.chalkboard_held => {
            vec![board(ChalkboardCommandKind::Set { message: message.clone() })]
        }
        // Other cash items, or a chalkboard the slot does not hold.
        Action::CharacterCashItemUse { .. } => Vec::new(),
        Action::ChalkboardClose => vec![board(ChalkboardCommandKind::Clear {})],
    };
    Outcome { commands, ..Outcome::default() }
}
