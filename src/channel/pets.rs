//! Pets: what their owners do with them (spec 51 §4.4, §4.8, and the pet rows of §4.11,
//! §4.20, §4.27, with Q10 fixed) and the pet records pushed back (spec 50 §4.27).

use super::actions::{self, command, field};
use super::commands::{Context as Session, Outcome};
use super::deliver::{Recipients, Scope};
use super::frames::{enable_actions, Path};
use super::sessions::Session as Connected;
use super::updates::{kind, part, push};
use super::{lookups, Edge};
use crate::actors::foreign;
use crate::channel::Services;
use crate::contracts::channel::inventory::{ConsumableCommand, ConsumableKind};
use crate::contracts::channel::pet::{
    DespawnReason, ItemOperation, Loot, PetActivated, PetBody, PetChatBody, PetChatCommand, PetCommand, PetCommandKind, PetCommandResponse,
    PetExcludeResponse, PetItemRefresh, PetLevelUp, PetLevelUpForeign, PetLootCommand, PetMovement, PetMovementCommand, PetRecord,
    PetSerialChanged,
};
use crate::contracts::decode::{self, Decoded, Reject};
use crate::contracts::tenant::Tenant;
use serde::Deserialize;
use serde_json::Value;

/// A pet's loot-exclusion list holds at most this many items (its count is a byte).
const MAX_EXCLUDED: usize = 255;
/// The cash inventory, where pets live.
const CASH: u8 = 5;

/// The pet client frames (docs/client-protocol.md). Pet ids are the client's 64-bit ids;
/// Atlas uses their low 32 bits.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum Action {
    /// Summoning or sending back the pet in a cash slot.
    PetSpawn {
        slot: i16,
        #[serde(default)]
        lead: bool,
    },
    PetCommand {
        pet_id: u64,
        #[serde(default)]
        by_name: bool,
        command: u8,
    },
    PetItemExclude {
        pet_id: u64,
        items: Vec<i32>,
    },
    PetMovement {
        pet_id: u64,
        path: Path,
    },
    PetDropPickUp {
        pet_id: u64,
        drop_id: u32,
        x: i16,
        y: i16,
    },
    PetFood {
        slot: i16,
        item_id: u32,
    },
    /// The pet's auto-potion.
    PetItemUse {
        pet_id: u64,
        #[serde(default)]
        buff_skill: bool,
        slot: i16,
        item_id: u32,
    },
    PetChat {
        pet_id: u64,
        #[serde(default)]
        chat_type: u8,
        #[serde(default)]
        action: u8,
        message: String,
    },
}

/// A pet of the acting character, and the slot it is out in (−1: in the inventory).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OwnPet {
    pub id: u32,
    pub slot: i8,
}

fn low(id: u64) -> u32 {
    (id & u64::from(u32::MAX)) as u32
}

/// A pet as the pet service holds it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Pet {
    owner_id: u32,
    slot: i8,
    template_id: u32,
    name: String,
    x: i16,
    y: i16,
    stance: u8,
    fh: i16,
    excludes: Vec<Excluded>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Excluded {
    item_id: u32,
}

/// `GET pets/{id}`.
async fn pet(services: &Services, tenant: &Tenant, id: u32) -> Option<Pet> {
    let attributes = lookups::one(services, tenant, "PETS", &format!("pets/{id}")).await?;
    serde_json::from_value(attributes).ok()
}

/// The assets of a character's inventory document: (id, attributes).
async fn assets(services: &Services, tenant: &Tenant, character: u32) -> Vec<(String, Value)> {
    let path = format!("characters/{character}/inventory");
    let Some(document) = foreign::get::<Value>(&services.foreign, tenant, "INVENTORY_SERVICE_URL", &path).await else { return Vec::new() };
    let listed = document["included"].as_array().into_iter().flatten().chain(document["data"].as_array().into_iter().flatten());
    listed.filter(|r| r["type"] == "assets").map(|r| (r["id"].as_str().unwrap_or_default().to_string(), r["attributes"].clone())).collect()
}

/// A pet item: a cash item of the 500xxxx templates.
fn is_pet(asset: &Value) -> bool {
    lookups::number(asset, "templateId") / 10_000 == 500
}

pub async fn resolve(edge: &Edge, session: &Connected, ctx: &Session, action: &Action) -> actions::Context {
    let (services, tenant) = (&edge.services, &session.tenant);
    let own = |id: u32| async move {
        // Q10: a pet that cannot be read, or is another's, acts for nobody.
        pet(services, tenant, id).await.filter(|p| p.owner_id == ctx.character).map(|p| OwnPet { id, slot: p.slot })
    };
    let pet_found = match action {
        Action::PetSpawn { slot, .. } => {
            let items = assets(services, tenant, ctx.character).await;
            let item = items.iter().find(|(_, a)| lookups::number(a, "slot") == i64::from(*slot) && is_pet(a));
            match item.map(|(_, a)| lookups::number(a, "petId")).and_then(|id| u32::try_from(id).ok()).filter(|id| *id > 0) {
                Some(id) => own(id).await,
                None => None,
            }
        }
        Action::PetMovement { pet_id, .. } | Action::PetDropPickUp { pet_id, .. } | Action::PetChat { pet_id, .. } => {
            own(low(*pet_id)).await
        }
        _ => None,
    };
    actions::Context { pet: pet_found, ..actions::Context::default() }
}

pub fn translate(action: &Action, ctx: &Session) -> Outcome {
    let c = ctx.character;
    let pet_command = |pet_id: u32, kind: PetCommandKind| command(&PetCommand { actor_id: c, pet_id, kind });
    let consume = |source: i16, item_id: u32| {
        let kind = ConsumableKind::RequestItemConsume { source, item_id, quantity: 1 };
        command(&ConsumableCommand { field: field(ctx), character_id: c, kind })
    };
    let found = ctx.play.pet;
    let commands = match (action, found) {
        (Action::PetSpawn { lead, .. }, Some(pet)) if pet.slot == -1 => vec![pet_command(pet.id, PetCommandKind::Spawn { lead: *lead })],
        (Action::PetSpawn { .. }, Some(pet)) => vec![pet_command(pet.id, PetCommandKind::Despawn {})],
        // The client locked itself when it asked: an empty or non-pet slot unlocks it.
        (Action::PetSpawn { .. }, None) => return Outcome { reply: vec![enable_actions()], ..Outcome::default() },
        (Action::PetCommand { pet_id, by_name, command }, _) => {
            vec![pet_command(low(*pet_id), PetCommandKind::AttemptCommand { command_id: *command, by_name: *by_name })]
        }
        (Action::PetItemExclude { pet_id, items }, _) if items.len() <= MAX_EXCLUDED => {
            // The client sends signed ids; Atlas reads them as unsigned.
            let items = items.iter().map(|item| *item as u32).collect();
            vec![pet_command(low(*pet_id), PetCommandKind::Exclude { items })]
        }
        (Action::PetMovement { pet_id, path }, Some(pet)) if !path.elements.is_empty() => {
            let (x, y, stance) = path.summary();
            let moved = PetMovementCommand { field: field(ctx), object_id: *pet_id, observer_id: c, x, y, stance };
            let seen = push(&PetMovement { owner_id: c, slot: pet.slot, path: path.clone() });
            return Outcome { commands: vec![command(&moved)], to_map: vec![seen], ..Outcome::default() };
        }
        (Action::PetDropPickUp { drop_id, x, y, .. }, Some(pet)) => {
            let body = Loot { drop_id: *drop_id, character_id: c, character_x: *x, character_y: *y, pet_slot: pet.slot };
            vec![command(&PetLootCommand { field: field(ctx), kind: "REQUEST_RESERVATION", body })]
        }
        (Action::PetFood { slot, item_id }, _) | (Action::PetItemUse { slot, item_id, .. }, _) => vec![consume(*slot, *item_id)],
        (Action::PetChat { chat_type, action, message, .. }, Some(pet)) => {
            let body = PetChatBody { owner_id: c, pet_slot: pet.slot, chat_type: *chat_type, action: *action, balloon: false };
            vec![command(&PetChatCommand { field: field(ctx), actor_id: pet.id, message: message.clone(), kind: "PET", body })]
        }
        _ => Vec::new(),
    };
    Outcome { commands, ..Outcome::default() }
}

/// A pet record for its owner.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub pet: u32,
    pub owner: u32,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Spawned(PetBody),
    Despawned(PetBody, DespawnReason),
    CommandResponse(PetBody),
    ClosenessChanged,
    FullnessChanged(PetBody),
    LevelChanged(PetBody),
    SlotChanged(PetBody),
    ExcludeChanged,
}

/// EVENT_TOPIC_PET_STATUS.
pub fn decode(value: &Value) -> Result<Decoded<Update>, Reject> {
    let kind = kind(value)?;
    let record: PetRecord = decode::into(value.clone())?;
    let body: PetBody = part(value.get("body"))?;
    let change = match kind {
        "SPAWNED" => Change::Spawned(body),
        "DESPAWNED" => match serde_json::from_value(Value::String(body.reason.clone())) {
            Ok(reason) => Change::Despawned(body, reason),
            Err(_) => return Ok(Decoded::Unhandled(format!("DESPAWNED for {:?}", body.reason))),
        },
        "COMMAND_RESPONSE" => Change::CommandResponse(body),
        "CLOSENESS_CHANGED" => Change::ClosenessChanged,
        "FULLNESS_CHANGED" => Change::FullnessChanged(body),
        "LEVEL_CHANGED" => Change::LevelChanged(body),
        "SLOT_CHANGED" => Change::SlotChanged(body),
        "EXCLUDE_CHANGED" => Change::ExcludeChanged,
        other => return Ok(Decoded::Unhandled(other.to_string())),
    };
    Ok(Decoded::Message(Update { pet: record.pet_id, owner: record.owner_id, change }))
}

/// Every row needs the owner's session here (checked first, Q-9).
pub(super) async fn deliver(to: &Recipients<'_>, update: Update) {
    let (owner, pet_id, scope) = (update.owner, update.pet, Scope::Tenant);
    let Some(session) = to.session(owner, scope) else { return };
    let services = &to.edge.services;
    let appear = |b: &PetBody| PetActivated::Spawn {
        owner_id: owner,
        slot: b.slot,
        template_id: b.template_id,
        name: b.name.clone(),
        pet_id,
        x: b.x,
        y: b.y,
        stance: b.stance,
        fh: b.fh,
    };
    match update.change {
        Change::Spawned(body) => shown(to, &session, appear(&body)).await,
        Change::Despawned(body, reason) => {
            shown(to, &session, PetActivated::Despawn { owner_id: owner, slot: body.old_slot, reason }).await
        }
        Change::CommandResponse(body) => {
            session.push(&enable_actions());
            let response =
                PetCommandResponse { owner_id: owner, slot: body.slot, command_id: body.command_id, success: body.success, food: false };
            to.map_of(owner, scope, true, &push(&response)).await;
        }
        Change::ClosenessChanged => refresh(to, owner, pet_id).await,
        Change::FullnessChanged(body) => {
            refresh(to, owner, pet_id).await;
            if body.amount > 0 {
                let fed = PetCommandResponse { owner_id: owner, slot: body.slot, command_id: 0, success: true, food: true };
                to.map_of(owner, scope, true, &push(&fed)).await;
            }
        }
        Change::LevelChanged(body) => {
            refresh(to, owner, pet_id).await;
            session.push(&push(&PetLevelUp { slot: body.slot }));
            to.map_of(owner, scope, false, &push(&PetLevelUpForeign { character_id: owner, slot: body.slot })).await;
        }
        Change::SlotChanged(body) => {
            let Some((stat, value)) = serial(body.old_slot, body.new_slot, pet_id) else { return };
            let updates = std::iter::once((stat, value)).collect();
            session.push(&push(&PetSerialChanged { updates, excl_request_sent: true }));
            if body.old_slot >= 0 && body.new_slot >= 0 {
                let Some(pet) = pet(services, to.tenant, pet_id).await else { return };
                if body.old_slot > body.new_slot {
                    shown(to, &session, PetActivated::Despawn { owner_id: owner, slot: body.old_slot, reason: DespawnReason::Normal })
                        .await;
                }
                let at = PetBody {
                    slot: pet.slot,
                    template_id: pet.template_id,
                    name: pet.name,
                    x: pet.x,
                    y: pet.y,
                    stance: pet.stance,
                    fh: pet.fh,
                    ..PetBody::default()
                };
                shown(to, &session, appear(&at)).await;
            }
        }
        Change::ExcludeChanged => {
            let Some(pet) = pet(services, to.tenant, pet_id).await.filter(|p| p.slot >= 0) else { return };
            let items = pet.excludes.iter().map(|e| e.item_id).collect();
            session.push(&push(&PetExcludeResponse { pet_id, items }));
        }
    }
}

/// A pet appearing or leaving: the owner is unlocked and sees it, then the others in its map.
async fn shown(to: &Recipients<'_>, session: &Connected, activated: PetActivated) {
    session.push(&enable_actions());
    let frame = push(&activated);
    session.push(&frame);
    to.map_of(session.character(), Scope::Tenant, false, &frame).await;
}

/// The pet serial a slot change sets: `PET_SN_n` of the new slot, or 0 in the old one
/// when the pet went back (slots past the third share `PET_SN_3`).
fn serial(old_slot: i8, new_slot: i8, pet_id: u32) -> Option<(String, u32)> {
    let name = |slot: i8| format!("PET_SN_{}", slot.min(2) + 1);
    match (old_slot, new_slot) {
        (_, new) if new >= 0 => Some((name(new), pet_id)),
        (old, _) if old >= 0 => Some((name(old), 0)),
        _ => None,
    }
}

/// Shows the pet's cash item again (remove, then add) from the owner's inventory.
async fn refresh(to: &Recipients<'_>, owner: u32, pet_id: u32) {
    let items = assets(&to.edge.services, to.tenant, owner).await;
    let Some((id, attributes)) = items.into_iter().find(|(_, a)| lookups::number(a, "petId") == i64::from(pet_id)) else { return };
    let slot = i16::try_from(lookups::number(&attributes, "slot")).unwrap_or(0);
    let mut item = attributes;
    if let Value::Object(fields) = &mut item {
        fields.insert("assetId".into(), Value::from(id.parse::<u64>().unwrap_or(0)));
    }
    let operations = vec![ItemOperation::Remove { inventory_type: CASH, slot }, ItemOperation::Add { inventory_type: CASH, slot, item }];
    to.one(owner, Scope::Tenant, &push(&PetItemRefresh { silent: false, operations }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_changes_set_the_serial_of_the_slot() {
        assert_eq!(serial(-1, 0, 9001), Some(("PET_SN_1".into(), 9001)));
        assert_eq!(serial(0, -1, 9001), Some(("PET_SN_1".into(), 0)));
        assert_eq!(serial(1, 4, 9001), Some(("PET_SN_3".into(), 9001)));
        assert_eq!(serial(-1, -1, 9001), None);
    }
}
