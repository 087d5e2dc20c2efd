//! Account storage: the storage window's actions and the sagas they start (spec 51 §4.2,
//! §4.34, with Q9 fixed), the storage records pushed back (spec 50 §4.33, §4.34, with Q-20
//! fixed) and failed storage sagas (§4.35, with Q-13 fixed: the character's own session
//! here, once).

use super::actions::{self, command};
use super::commands::{Context as Session, Outcome};
use super::deliver::{Recipients, Scope};
use super::sessions::Session as Connected;
use super::updates::{kind, part, push};
use super::{lookups, Edge};
use crate::contracts::channel::storage::{
    ArrangeKind, ArrangeStorage, CloseStorage, CompartmentMoved, CompartmentRecord, MesosUpdated, Payload, ProjectionCreated, SagaFailed,
    Step, StorageError, StorageOperation, StorageRecord, StorageSaga,
};
use crate::contracts::channel::Empty;
use crate::contracts::decode::{self, Decoded, Reject};
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;
use uuid::Uuid;

/// The storage client frame (docs/client-protocol.md).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum Action {
    StorageOperation {
        operation: StorageOp,
        #[serde(default)]
        inventory_type: u8,
        #[serde(default)]
        slot: i16,
        #[serde(default)]
        item_id: u32,
        #[serde(default)]
        quantity: u16,
        /// Mesos: negative to deposit, positive to withdraw.
        #[serde(default)]
        amount: i32,
    },
}

/// What the storage window asks (v83 RETRIEVE_ASSET 4, STORE_ASSET 5, ARRANGE_ASSET 6, MESO 7, CLOSE 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StorageOp {
    RetrieveAsset,
    StoreAsset,
    ArrangeAsset,
    Meso,
    Close,
}

/// A storage action's transaction, its instant, and the keeper's fee for it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Found {
    pub transaction: Uuid,
    pub at: String,
    pub keeper: Option<u32>,
    /// The keeper's fee for this action (0: none, or no keeper).
    pub fee: i32,
}

pub async fn resolve(edge: &Edge, session: &Connected, action: &Action) -> actions::Context {
    let Action::StorageOperation { operation, .. } = action;
    let keeper = session.state().storage_npc;
    if *operation == StorageOp::Close {
        // Q9: the keeper is forgotten once the window closes, so later sagas charge no fee.
        session.update(|s| s.storage_npc = None);
    }
    let field = match operation {
        StorageOp::RetrieveAsset => "trunk_get",
        StorageOp::StoreAsset => "trunk_put",
        _ => "",
    };
    let fee = match keeper {
        Some(npc) if !field.is_empty() => {
            let template = lookups::one(&edge.services, &session.tenant, "DATA", &format!("data/npcs/{npc}")).await;
            template.map_or(0, |t| i32::try_from(lookups::number(&t, field)).unwrap_or(0))
        }
        _ => 0,
    };
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    actions::Context { storage: Found { transaction: Uuid::new_v4(), at, keeper, fee }, ..actions::Context::default() }
}

pub fn translate(action: &Action, ctx: &Session) -> Outcome {
    let Action::StorageOperation { operation, inventory_type, slot, item_id, quantity, amount } = action;
    let found = &ctx.play.storage;
    let (c, account, world_id, channel_id) = (ctx.character, ctx.account, ctx.field.world, ctx.field.channel);
    let step = |id: &'static str, payload: Payload| Step::pending(id, payload, &found.at);
    let award = |actor_id: u32, actor_type: &'static str, amount: i32| Payload::AwardMesos {
        character_id: c,
        world_id,
        channel_id,
        actor_id,
        actor_type,
        amount,
    };
    let storage_mesos = |operation: &'static str, mesos: u32| Payload::UpdateStorageMesos {
        character_id: c,
        account_id: account,
        world_id,
        operation,
        mesos,
    };
    let fee = |id: &'static str| match (found.keeper, found.fee) {
        (Some(npc), fee) if fee > 0 => vec![step(id, award(npc, "NPC", -fee))],
        _ => Vec::new(),
    };
    let saga = |steps: Vec<Step>| vec![command(&StorageSaga::new(found.transaction, steps))];
    let transaction_id = found.transaction;
    let commands = match operation {
        StorageOp::ArrangeAsset => {
            vec![command(&ArrangeStorage { transaction_id, world_id, account_id: account, kind: ArrangeKind::Arrange(Empty {}) })]
        }
        StorageOp::Close => vec![command(&CloseStorage { character_id: c })],
        StorageOp::RetrieveAsset => {
            let withdraw = Payload::WithdrawFromStorage {
                transaction_id,
                character_id: c,
                world_id,
                account_id: account,
                source_slot: *slot,
                inventory_type: *inventory_type,
                // 0: the whole stack.
                quantity: 0,
            };
            let mut steps = fee("charge_withdrawal_fee");
            steps.push(step("withdraw_from_storage", withdraw));
            saga(steps)
        }
        StorageOp::StoreAsset => match u8::try_from(item_id / 1_000_000) {
            Ok(source_inventory_type @ 1..=5) => {
                let transfer = Payload::TransferToStorage {
                    transaction_id,
                    character_id: c,
                    world_id,
                    account_id: account,
                    source_slot: *slot,
                    source_inventory_type,
                    quantity: u32::from(*quantity),
                };
                let mut steps = fee("charge_deposit_fee");
                steps.push(step("transfer_to_storage", transfer));
                saga(steps)
            }
            _ => Vec::new(),
        },
        StorageOp::Meso if *amount < 0 => saga(vec![
            step("deduct_character_mesos", award(c, "STORAGE", *amount)),
            step("add_storage_mesos", storage_mesos("ADD", amount.unsigned_abs())),
        ]),
        StorageOp::Meso if *amount > 0 => saga(vec![
            step("subtract_storage_mesos", storage_mesos("SUBTRACT", amount.unsigned_abs())),
            step("add_character_mesos", award(c, "STORAGE", *amount)),
        ]),
        StorageOp::Meso => Vec::new(),
    };
    Outcome { commands, ..Outcome::default() }
}

/// A storage or saga record for this process's sessions.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    Mesos { world: u8, account: u32, mesos: u32 },
    Arranged { world: u8, account: u32 },
    Error { world: u8, account: u32, operation: StorageOperation },
    Projection(ProjectionCreated),
    Moved { world: u8, account: u32, character: u32, accepted: bool, inventory_type: u8 },
    SagaFailed { character: u32, operation: StorageOperation },
}

impl Update {
    pub fn subject(&self) -> u32 {
        match self {
            Update::Mesos { account, .. } | Update::Arranged { account, .. } | Update::Error { account, .. } => *account,
            Update::Projection(p) => p.character_id,
            Update::Moved { character, .. } | Update::SagaFailed { character, .. } => *character,
        }
    }
}

/// EVENT_TOPIC_STORAGE_STATUS (`DEPOSITED`, `WITHDRAWN`, `PROJECTION_DESTROYED` need nothing).
pub fn decode_status(value: &Value) -> Result<Decoded<Update>, Reject> {
    let kind = kind(value)?;
    let StorageRecord { world_id: world, account_id: account, .. } = decode::into(value.clone())?;
    let body = value.get("body");
    let update = match kind {
        "MESOS_UPDATED" => Update::Mesos { world, account, mesos: part::<MesosUpdated>(body)?.new_mesos },
        "ARRANGED" => Update::Arranged { world, account },
        "ERROR" => {
            let StorageError { error_code, message } = part(body)?;
            let operation = match error_code.as_str() {
                "STORAGE_FULL" => StorageOperation::InventoryFull,
                "NOT_ENOUGH_MESOS" => StorageOperation::NotEnoughMesos,
                "ONE_OF_A_KIND" => StorageOperation::OneOfAKind,
                _ => StorageOperation::ErrorMessage { message },
            };
            Update::Error { world, account, operation }
        }
        "PROJECTION_CREATED" => Update::Projection(part(body)?),
        other => return Ok(Decoded::Unhandled(other.to_string())),
    };
    Ok(Decoded::Message(update))
}

/// EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS.
pub fn decode_compartment(value: &Value) -> Result<Decoded<Update>, Reject> {
    let kind = kind(value)?;
    let record: CompartmentRecord = decode::into(value.clone())?;
    let moved: CompartmentMoved = part(value.get("body"))?;
    let accepted = match kind {
        "ACCEPTED" => true,
        "RELEASED" => false,
        other => return Ok(Decoded::Unhandled(other.to_string())),
    };
    if record.character_id == 0 {
        return Ok(Decoded::Unhandled(format!("{kind} without a character")));
    }
    let (world, account, character) = (record.world_id, record.account_id, record.character_id);
    Ok(Decoded::Message(Update::Moved { world, account, character, accepted, inventory_type: moved.inventory_type }))
}

/// EVENT_TOPIC_SAGA_STATUS: a failed storage saga (`COMPLETED` and other sagas need nothing).
pub fn decode_saga(value: &Value) -> Result<Decoded<Update>, Reject> {
    let kind = kind(value)?;
    let _: Option<Uuid> = part(value.get("transactionId"))?;
    if kind != "FAILED" {
        return Ok(Decoded::Unhandled(kind.to_string()));
    }
    let failed: SagaFailed = part(value.get("body"))?;
    if failed.saga_type != "storage_operation" {
        return Ok(Decoded::Unhandled(format!("FAILED {}", failed.saga_type)));
    }
    let operation = match failed.error_code.as_str() {
        "NOT_ENOUGH_MESOS" => StorageOperation::NotEnoughMesos,
        "INVENTORY_FULL" | "STORAGE_FULL" => StorageOperation::InventoryFull,
        other => return Ok(Decoded::Unhandled(format!("FAILED storage_operation {other}"))),
    };
    Ok(Decoded::Message(Update::SagaFailed { character: failed.character_id, operation }))
}

/// The first logged-in session of an account in a world here.
fn of_account(to: &Recipients<'_>, world: u8, account: u32) -> Option<Arc<Connected>> {
    let mut sessions = to.edge.sessions.all();
    sessions.sort_by_key(|s| s.id);
    sessions.into_iter().find(|s| s.tenant == *to.tenant && s.world == world && s.character() != 0 && s.state().account == account)
}

/// Compartment names of the storage projection, in inventory-type order.
const COMPARTMENTS: [&str; 5] = ["equip", "use", "setup", "etc", "cash"];
/// A storage holds at most this many assets in a window (its capacity is a byte).
const MAX_ASSETS: usize = 255;

/// A storage as the storage service shows it: capacity, mesos, assets by inventory type
/// (1–5).
#[derive(Debug, Default)]
struct Stored {
    capacity: u32,
    mesos: u32,
    assets: Vec<(u8, Value)>,
}

impl Stored {
    fn of_type(&self, inventory_type: u8) -> Vec<Value> {
        self.assets.iter().filter(|(t, _)| *t == inventory_type).map(|(_, a)| a.clone()).collect()
    }

    fn all(&self) -> Vec<Value> {
        self.assets.iter().map(|(_, a)| a.clone()).collect()
    }
}

fn counted(attributes: &Value, field: &str) -> u32 {
    u32::try_from(lookups::number(attributes, field)).unwrap_or(0)
}

/// `GET storage/projections/{characterId}`: the window a character has open.
async fn projection(to: &Recipients<'_>, character: u32) -> Option<Stored> {
    let attributes = lookups::one(&to.edge.services, to.tenant, "STORAGE", &format!("storage/projections/{character}")).await?;
    let mut assets = Vec::new();
    for (index, name) in COMPARTMENTS.iter().enumerate() {
        let listed = attributes["compartments"][name].as_array().cloned().unwrap_or_default();
        let inventory_type = u8::try_from(index + 1).unwrap_or(0);
        assets.extend(listed.into_iter().map(|asset| (inventory_type, asset)));
    }
    assets.truncate(MAX_ASSETS);
    Some(Stored { capacity: counted(&attributes, "capacity"), mesos: counted(&attributes, "mesos"), assets })
}

/// `GET storage/accounts/{accountId}?worldId=`: the account's storage, its assets the
/// document's included resources.
async fn account_storage(to: &Recipients<'_>, world: u8, account: u32) -> Option<Stored> {
    let path = format!("storage/accounts/{account}?worldId={world}");
    let document: Value = crate::actors::foreign::get(&to.edge.services.foreign, to.tenant, "STORAGE_SERVICE_URL", &path).await?;
    let attributes = document["data"]["attributes"].clone();
    let included = document["included"].as_array().cloned().unwrap_or_default();
    let assets = included
        .into_iter()
        .take(MAX_ASSETS)
        .map(|r| {
            let asset = r["attributes"].clone();
            let inventory_type = u8::try_from(lookups::number(&asset, "templateId") / 1_000_000).unwrap_or(0);
            (inventory_type, asset)
        })
        .collect();
    Some(Stored { capacity: counted(&attributes, "capacity"), mesos: counted(&attributes, "mesos"), assets })
}

pub(super) async fn deliver(to: &Recipients<'_>, update: Update) {
    match update {
        Update::Mesos { world, account, mesos } => {
            if let Some(session) = of_account(to, world, account) {
                session.push(&push(&StorageOperation::UpdateMeso { mesos }));
            }
        }
        Update::Error { world, account, operation } => {
            if let Some(session) = of_account(to, world, account) {
                session.push(&push(&operation));
            }
        }
        Update::Arranged { world, account } => {
            let Some(session) = of_account(to, world, account) else { return };
            let Some(stored) = account_storage(to, world, account).await else { return };
            // the keeper whose window is open, not 0.
            let npc_id = session.state().storage_npc.unwrap_or(0);
            session.push(&push(&StorageOperation::Show { npc_id, capacity: stored.capacity, mesos: stored.mesos, assets: stored.all() }));
        }
        Update::Projection(created) => {
            let scope = Scope::Channel(created.world_id, created.channel_id);
            let Some(session) = to.session(created.character_id, scope) else { return };
            let Some(stored) = projection(to, created.character_id).await else { return };
            session.update(|s| s.storage_npc = Some(created.npc_id));
            session.push(&push(&StorageOperation::Show {
                npc_id: created.npc_id,
                capacity: stored.capacity,
                mesos: stored.mesos,
                assets: stored.all(),
            }));
        }
        Update::Moved { world, account, character, accepted, inventory_type } => {
            let Some(session) = to.session(character, Scope::World(world)) else { return };
            // without a projection the account's storage stands in, filtered to the tab.
            let stored = match projection(to, character).await {
                Some(stored) => stored,
                None => match account_storage(to, world, account).await {
                    Some(stored) => stored,
                    None => return,
                },
            };
            let (capacity, assets) = (stored.capacity, stored.of_type(inventory_type));
            let operation = match accepted {
                true => StorageOperation::StoreAssets { capacity, inventory_type, assets },
                false => StorageOperation::RetrieveAssets { capacity, inventory_type, assets },
            };
            session.push(&push(&operation));
        }
        Update::SagaFailed { character, operation } => {
            to.one(character, Scope::Tenant, &push(&operation));
        }
    }
}
