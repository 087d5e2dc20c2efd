//! Inventory actions of the second wave: merging or sorting a tab (spec 51 §4.1) and
//! applying an upgrade scroll (§4.27). Their results come back on the P1 topics
//! (compartment and consumable status).

use super::actions::{command, field};
use super::commands::{Context as Session, Outcome};
use crate::contracts::channel::inventory::{CompartmentCommand, CompartmentCommandKind, ConsumableCommand, ConsumableKind};
use crate::contracts::channel::Empty;
use serde::Deserialize;

/// The white-scroll bit of the client's scroll flags.
const WHITE_SCROLL: i16 = 0x2;

/// The inventory client frames (docs/client-protocol.md).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum Action {
    CompartmentMerge {
        inventory_type: u8,
    },
    CompartmentSort {
        inventory_type: u8,
    },
    CharacterItemUseScroll {
        scroll_slot: i16,
        equip_slot: i16,
        #[serde(default)]
        white_scroll_flags: i16,
        #[serde(default)]
        legendary_spirit: bool,
    },
}

pub fn translate(action: &Action, ctx: &Session) -> Outcome {
    let c = ctx.character;
    let compartment = |inventory_type: u8, kind| match inventory_type {
        // Equip, use, setup, etc and cash; any other tab is ignored.
        1..=5 => vec![command(&CompartmentCommand { character_id: c, inventory_type, kind })],
        _ => Vec::new(),
    };
    let commands = match action {
        Action::CompartmentMerge { inventory_type } => compartment(*inventory_type, CompartmentCommandKind::Merge(Empty {})),
        Action::CompartmentSort { inventory_type } => compartment(*inventory_type, CompartmentCommandKind::Sort(Empty {})),
        Action::CharacterItemUseScroll { scroll_slot, equip_slot, white_scroll_flags, legendary_spirit } => {
            let kind = ConsumableKind::RequestScroll {
                scroll_slot: *scroll_slot,
                equip_slot: *equip_slot,
                white_scroll: white_scroll_flags & WHITE_SCROLL != 0,
                legendary_spirit: *legendary_spirit,
            };
            vec![command(&ConsumableCommand { field: field(ctx), character_id: c, kind })]
        }
    };
    Outcome { commands, ..Outcome::default() }
}
