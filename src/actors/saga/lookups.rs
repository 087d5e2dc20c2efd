//! Dispatch of the actions that need a foreign look-up first (spec 40 §12): L1 (inventory
//! compartment), L2 (map portals), L3 (storage projection) and L5 (validations). A failed
//! look-up is a dispatch failure.

use super::actions::{inventory_type, record, Command};
use super::Step;
use crate::actors::foreign::{self, Foreign};
use crate::contracts::json::nullable;
use crate::contracts::saga_commands::{ChangeMapBody, CharacterCommand, CompartmentCommand, DestroyBody, DropSpawn, DropSpawnBody};
use crate::contracts::saga_payload::{
    AcceptToCashShop, AcceptToCharacter, AcceptToStorage, Action, Condition, ReleaseFromCashShop, ReleaseFromCharacter, ReleaseFromStorage,
    SpawnReactorDrops,
};
use crate::contracts::strict;
use crate::contracts::tenant::Tenant;
use rand::seq::SliceRandom;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// An asset of a compartment, in relationship order.
struct Asset {
    id: u32,
    attributes: AssetAttributes,
}

/// A foreign answer decoded as `T` under the object rule; one that does not fit is a
/// failed look-up.
fn answer<T: DeserializeOwned>(document: Value, what: &str) -> Result<T, String> {
    strict::from_value(document).map_err(|e| format!("{what} answer: {e}"))
}

async fn compartment_assets(services: &Foreign, tenant: &Tenant, character: u32, inventory: u8) -> Result<Vec<Asset>, String> {
    let path = format!("characters/{character}/inventory/compartments?type={inventory}");
    let document: Value = foreign::get(services, tenant, "INVENTORY_SERVICE_URL", &path).await.ok_or("inventory look-up failed")?;
    let document: CompartmentDocument<AssetAttributes> = answer(document, "inventory")?;
    if document.data.kind != "compartments" {
        return Err("inventory look-up answered no compartment".into());
    }
    let mut included = document.included;
    let mut assets = Vec::new();
    for identifier in document.data.relationships.assets.data {
        let Some(at) = included.iter().position(|r| r.kind == "assets" && r.id == identifier.id) else { continue };
        let resource = included.swap_remove(at);
        let id: u32 = identifier.id.parse().map_err(|_| format!("asset id {} is not numeric", identifier.id))?;
        assets.push(Asset { id, attributes: resource.attributes });
    }
    Ok(assets)
}

/// The field a warp goes to: `fieldId`, or (later upstream form, FIX-5) the payload's
/// world, channel and map when `fieldId` is empty.
fn field(field_id: &str, world: u8, channel: u8, map: u32) -> Result<(u8, u8, u32), String> {
    if field_id.is_empty() {
        return Ok((world, channel, map));
    }
    let parts: Vec<&str> = field_id.split(':').collect();
    let parse = || -> Option<(u8, u8, u32)> {
        if parts.len() < 3 {
            return None;
        }
        Some((parts[0].parse().ok()?, parts[1].parse().ok()?, parts[2].parse().ok()?))
    };
    parse().ok_or_else(|| format!("fieldId {field_id} is not world:channel:map:instance"))
}

async fn portals(services: &Foreign, tenant: &Tenant, map: u32) -> Result<Vec<Resource<PortalAttributes>>, String> {
    let document: Value =
        foreign::get(services, tenant, "DATA_SERVICE_URL", &format!("data/maps/{map}/portals")).await.ok_or("portal look-up failed")?;
    let portals: Many<PortalAttributes> = answer(document, "portal")?;
    if portals.data.iter().any(|p| p.kind != "portals") {
        return Err("portal look-up answered other resources".into());
    }
    Ok(portals.data)
}

fn change_map(t: Uuid, character: u32, (world, channel, map): (u8, u8, u32), portal: u32) -> Command {
    let body = ChangeMapBody { channel_id: channel, map_id: map, portal_id: portal };
    record(
        "COMMAND_TOPIC_CHARACTER",
        character,
        &CharacterCommand { transaction_id: t, world_id: world, character_id: character, kind: "CHANGE_MAP", body },
    )
}

/// Dispatches a look-up action: its commands (none for a passed validation).
pub async fn dispatch(services: &Foreign, tenant: &Tenant, action: &Action, t: Uuid) -> Result<Vec<Command>, String> {
    match action {
        Action::DestroyAsset(p) => {
            let (character, template) = (p.character_id, p.template_id);
            let inventory = inventory_type(template)?;
            let assets = compartment_assets(services, tenant, character, inventory).await?;
            let asset = assets
                .iter()
                .find(|a| a.attributes.template_id == template)
                .ok_or_else(|| format!("character {character} holds no {template}"))?;
            let slot = asset.attributes.slot;
            let body = DestroyBody { slot, quantity: p.quantity, remove_all: p.remove_all };
            let command =
                CompartmentCommand { transaction_id: t, character_id: character, inventory_type: inventory, kind: "DESTROY", body };
            Ok(vec![record("COMMAND_TOPIC_COMPARTMENT", character, &command)])
        }
        Action::WarpToRandomPortal(p) => {
            let (character, field) = (p.character_id, field(&p.field_id, p.world_id, p.channel_id, p.map_id)?);
            let candidates: Vec<u32> = portals(services, tenant, field.2)
                .await?
                .iter()
                .filter(|portal| portal.attributes.kind == 0 && portal.attributes.target_map_id == 999_999_999)
                .filter_map(|portal| portal.id.parse().ok())
                .collect();
            let portal = *candidates.choose(&mut rand::thread_rng()).ok_or("the map has no spawn portal")?;
            Ok(vec![change_map(t, character, field, portal)])
        }
        Action::WarpToPortal(p) => {
            let (character, field, name) = (p.character_id, field(&p.field_id, p.world_id, p.channel_id, p.map_id)?, &p.portal_name);
            let portal = if name.is_empty() {
                p.portal_id
            } else {
                portals(services, tenant, field.2)
                    .await?
                    .iter()
                    .find(|portal| portal.attributes.name == *name)
                    .and_then(|portal| portal.id.parse().ok())
                    .unwrap_or(0)
            };
            Ok(vec![change_map(t, character, field, portal)])
        }
        Action::ValidateCharacterState(p) => {
            let character = p.character_id;
            let body = Request::new("validations", character, Validation { conditions: &p.conditions, passed: false });
            let document: Value = foreign::post(services, tenant, "QUERY_AGGREGATOR_SERVICE_URL", "validations", &body)
                .await
                .ok_or("validation look-up failed")?;
            let validation: One<ValidationAttributes> = answer(document, "validation")?;
            if validation.data.attributes.failed()? {
                return Err("validation not passed".into());
            }
            Ok(Vec::new())
        }
        Action::SpawnMonster(p) => {
            let (world, channel, map) = (p.world_id, p.channel_id, p.map_id);
            let (monster, x, y) = (p.monster_id, p.x, p.y);
            let below = Request::new("positions", 0, Below { x, y });
            let foothold: Value = foreign::post(services, tenant, "DATA_SERVICE_URL", &format!("data/maps/{map}/footholds/below"), &below)
                .await
                .unwrap_or_default();
            // Without an answer that fits, the foothold is 0 (as when the call fails).
            let fh = answer::<One<FootholdAttributes>>(foothold, "foothold").map_or(0, |f| f.data.attributes.id);
            let path = format!("worlds/{world}/channels/{channel}/maps/{map}/monsters");
            let body = Request::new("monsters", monster, MonsterSpawn { fh, monster_id: monster, team: p.team, x, y });
            for _ in 0..p.count.max(1) {
                foreign::post_for(services, tenant, "MONSTERS_SERVICE_URL", &path, &body).await.ok_or("spawning a monster failed")?;
            }
            Ok(Vec::new())
        }
        Action::SpawnReactorDrops(p) => Ok(reactor_drops(services, tenant, p, t).await),
        other => Err(format!("action {} has no look-up dispatch", other.name())),
    }
}

/// §5.10 `spawn_reactor_drops`: roll the reactor's drop table and produce one `SPAWN` per
/// drop. Never fails: look-up errors give an empty table and fallback positions.
async fn reactor_drops(services: &Foreign, tenant: &Tenant, p: &SpawnReactorDrops, t: Uuid) -> Vec<Command> {
    let (world, channel, map, reactor, character, x, y) = (p.world_id, p.channel_id, p.map_id, p.reactor_id, p.character_id, p.x, p.y);
    let mut items = Vec::new();
    if let Ok(classification) = p.classification.parse::<u32>() {
        let table: Value = foreign::get(services, tenant, "DROP_INFORMATION_SERVICE_URL", &format!("reactors/{classification}/drops"))
            .await
            .unwrap_or_default();
        let mut rng = rand::thread_rng();
        // A table that does not fit is an empty table (as when the call fails).
        let table = answer::<DropTable>(table, "drop table").map(|t| t.included).unwrap_or_default();
        for drop in table.iter().filter(|d| d.kind == "drops") {
            let item: Option<u32> = drop.id.split(':').nth(1).and_then(|item| item.parse().ok());
            let chance = u64::from(drop.attributes.chance);
            if let Some(item) = item.filter(|_| chance > 0 && rand::Rng::gen_range(&mut rng, 0..chance) == 0) {
                items.push(item);
            }
        }
    }
    let (min_items, meso_min, meso_max) = (p.min_items, p.meso_min, p.meso_max);
    let mesos = if min_items as usize > items.len() {
        min_items as usize - items.len()
    } else {
        let chance = u64::from(p.meso_chance);
        usize::from(p.meso && chance > 0 && rand::Rng::gen_range(&mut rand::thread_rng(), 0..chance) == 0)
    };
    let spray = p.drop_type == "spray";
    let mut commands = Vec::new();
    for i in 0..items.len() + mesos {
        let offset = ((i as i32 + 1) / 2 * 25) as i16;
        let initial_x = match i {
            0 => x,
            i if i % 2 == 1 => x.saturating_add(offset),
            _ => x.saturating_sub(offset),
        };
        // The spread is only the requested start; without an answer every drop lands at the
        // reactor itself (§5.10 step 4), which is also the fallback the request names.
        let body = Request::new("positions", 0, DropPosition { fallback_x: x, fallback_y: y, initial_x, initial_y: y });
        let point: Value = foreign::post(services, tenant, "DATA_SERVICE_URL", &format!("data/maps/{map}/drops/position"), &body)
            .await
            .unwrap_or_default();
        // An answer that does not fit is no answer: the drop lands at the reactor.
        let point = answer::<One<PositionAttributes>>(point, "drop position").map(|p| p.data.attributes).unwrap_or_default();
        let (item, quantity, amount) = match items.get(i) {
            Some(item) => (*item, 1, 0),
            None if meso_min >= meso_max => (0, 0, meso_min),
            None => (0, 0, rand::Rng::gen_range(&mut rand::thread_rng(), meso_min..=meso_max)),
        };
        let body = DropSpawnBody {
            item_id: item,
            quantity,
            mesos: amount,
            drop_type: if spray { 1 } else { 2 },
            x: point.x.unwrap_or(x),
            y: point.y.unwrap_or(y),
            owner_id: character,
            owner_party_id: 0,
            dropper_id: reactor,
            dropper_x: x,
            dropper_y: y,
            player_drop: false,
            modifier: if spray { i as u32 } else { 0 },
        };
        let command = DropSpawn { transaction_id: t, world_id: world, channel_id: channel, map_id: map, kind: "SPAWN", body };
        commands.push(record("COMMAND_TOPIC_DROP", map, &command));
    }
    commands
}

/// The attributes of an inventory or storage asset that expansions copy into new steps,
/// decoded with their types (a look-up answer that does not fit fails the expansion).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AssetAttributes {
    #[serde(default, deserialize_with = "nullable")]
    slot: i16,
    #[serde(default, deserialize_with = "nullable")]
    template_id: u32,
    #[serde(default, deserialize_with = "nullable")]
    reference_id: u32,
    #[serde(default, deserialize_with = "nullable")]
    reference_type: String,
    #[serde(default)]
    reference_data: Value,
}

/// A cash-shop item (L4) as withdraw_from_cash_shop reads it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CashItem {
    #[serde(default, deserialize_with = "nullable")]
    cash_id: String,
    #[serde(default, deserialize_with = "nullable")]
    template_id: u32,
    #[serde(default, deserialize_with = "nullable")]
    quantity: u32,
    #[serde(default)]
    flag: Value,
    #[serde(default)]
    purchased_by: Value,
}

/// A JSON:API request document: `{"data": {"type", "id", "attributes"}}`. Fields are in
/// alphabetical order, as the services have always received them.
#[derive(Debug, Serialize)]
struct Request<A: Serialize> {
    data: RequestData<A>,
}

#[derive(Debug, Serialize)]
struct RequestData<A: Serialize> {
    attributes: A,
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
}

impl<A: Serialize> Request<A> {
    fn new(kind: &'static str, id: impl ToString, attributes: A) -> Request<A> {
        Request { data: RequestData { attributes, id: id.to_string(), kind } }
    }
}

/// The query aggregator's validation request; no conditions, no `conditions` field.
#[derive(Debug, Serialize)]
struct Validation<'a> {
    #[serde(skip_serializing_if = "<[Condition]>::is_empty")]
    conditions: &'a [Condition],
    passed: bool,
}

/// The point whose foothold below is asked for.
#[derive(Debug, Serialize)]
struct Below {
    x: i16,
    y: i16,
}

/// A monster to spawn.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct MonsterSpawn {
    fh: u32,
    monster_id: u32,
    team: i8,
    x: i16,
    y: i16,
}

/// Where a drop would start and where it falls back to (§5.10 step 4).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DropPosition {
    fallback_x: i16,
    fallback_y: i16,
    initial_x: i16,
    initial_y: i16,
}

/// A cash item's reference data, carried opaquely by the accept step's payload.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CashReference<'a> {
    cash_id: String,
    flag: &'a Value,
    purchased_by: &'a Value,
    quantity: u32,
}

fn attributes<T: serde::de::DeserializeOwned>(value: &Value) -> Result<T, String> {
    strict::from_value(value.clone()).map_err(|e| format!("look-up answer: {e}"))
}

/// §4.6.2 / §5.9: the two concrete steps replacing a composite step.
pub async fn expand(services: &Foreign, tenant: &Tenant, step: &Step) -> Result<Vec<Step>, String> {
    let concrete = |action: Action| Step::new(action.name(), action);
    match &step.action {
        Action::TransferToStorage(p) => {
            let (own, character, slot, inventory, quantity) =
                (p.transaction_id, p.character_id, p.source_slot, p.source_inventory_type, p.quantity);
            let assets = compartment_assets(services, tenant, character, inventory).await?;
            let asset = assets.into_iter().find(|a| a.attributes.slot == slot).ok_or_else(|| format!("no asset in slot {slot}"))?;
            let a = asset.attributes;
            Ok(vec![
                concrete(Action::AcceptToStorage(AcceptToStorage {
                    transaction_id: own,
                    world_id: p.world_id,
                    account_id: p.account_id,
                    character_id: character,
                    template_id: a.template_id,
                    reference_id: a.reference_id,
                    reference_type: a.reference_type,
                    reference_data: a.reference_data,
                    quantity,
                })),
                concrete(Action::ReleaseFromCharacter(ReleaseFromCharacter {
                    transaction_id: own,
                    character_id: character,
                    inventory_type: inventory,
                    asset_id: asset.id,
                    quantity,
                })),
            ])
        }
        Action::WithdrawFromStorage(p) => {
            let (own, character, slot, inventory, quantity) =
                (p.transaction_id, p.character_id, p.source_slot, p.inventory_type, p.quantity);
            let path = format!("storage/projections/{character}/compartments/{inventory}/assets/{slot}");
            let document: Value = foreign::get(services, tenant, "STORAGE_SERVICE_URL", &path).await.ok_or("storage look-up failed")?;
            let One { data } = answer::<One<AssetAttributes>>(document, "storage")?;
            if data.kind != "storage_assets" {
                return Err("storage look-up answered no storage asset".into());
            }
            let asset: u32 = data.id.parse().map_err(|_| "storage asset id is not numeric")?;
            let a = data.attributes;
            let resolved = match a.reference_data["quantity"].as_u64().and_then(|held| u32::try_from(held).ok()) {
                Some(held) if quantity == 0 && held > 0 => held,
                _ => quantity,
            };
            Ok(vec![
                concrete(Action::AcceptToCharacter(AcceptToCharacter {
                    transaction_id: own,
                    character_id: character,
                    inventory_type: inventory,
                    template_id: a.template_id,
                    reference_id: a.reference_id,
                    reference_type: a.reference_type,
                    reference_data: a.reference_data,
                    quantity: resolved,
                })),
                concrete(Action::ReleaseFromStorage(ReleaseFromStorage {
                    transaction_id: own,
                    world_id: p.world_id,
                    account_id: p.account_id,
                    character_id: character,
                    asset_id: asset,
                    quantity,
                })),
            ])
        }
        Action::TransferToCashShop(p) => {
            let (own, character, account, inventory, cash, kind) =
                (p.transaction_id, p.character_id, p.account_id, p.source_inventory_type, p.cash_id, p.compartment_type);
            let assets = compartment_assets(services, tenant, character, inventory).await?;
            // Assets whose reference data does not parse are skipped (§5.9).
            let asset = assets
                .into_iter()
                .find(|a| a.attributes.reference_data["cashId"].as_str().and_then(|c| c.parse::<i64>().ok()) == Some(cash))
                .ok_or_else(|| format!("no asset with cash id {cash}"))?;
            let (compartment, _) = cash_compartment(services, tenant, account, kind).await?;
            let a = asset.attributes;
            Ok(vec![
                concrete(Action::AcceptToCashShop(AcceptToCashShop {
                    transaction_id: own,
                    character_id: character,
                    account_id: account,
                    compartment_id: compartment,
                    compartment_type: kind,
                    cash_id: cash,
                    template_id: a.template_id,
                    reference_id: a.reference_id,
                    reference_type: a.reference_type,
                    reference_data: a.reference_data,
                })),
                concrete(Action::ReleaseFromCharacter(ReleaseFromCharacter {
                    transaction_id: own,
                    character_id: character,
                    inventory_type: inventory,
                    asset_id: asset.id,
                    quantity: 0,
                })),
            ])
        }
        Action::WithdrawFromCashShop(p) => {
            let (own, character, account, inventory, kind) =
                (p.transaction_id, p.character_id, p.account_id, p.inventory_type, p.compartment_type);
            let cash = p.cash_id;
            let (compartment, items) = cash_compartment(services, tenant, account, kind).await?;
            // Items that do not decode, or whose cash id is not a number, are not the one.
            let (id, item) = items
                .iter()
                .filter_map(|(id, item)| attributes::<CashItem>(item).ok().map(|item| (id, item)))
                .find(|(_, item)| item.cash_id.parse::<u64>().ok() == Some(cash))
                .ok_or_else(|| format!("no cash item with cash id {cash}"))?;
            let reference_type = if item.template_id / 1_000_000 == 1 { "cash-equipable" } else { "cash" };
            let data =
                CashReference { cash_id: cash.to_string(), flag: &item.flag, purchased_by: &item.purchased_by, quantity: item.quantity };
            let data = serde_json::to_value(data).map_err(|e| format!("cash item reference: {e}"))?;
            Ok(vec![
                concrete(Action::AcceptToCharacter(AcceptToCharacter {
                    transaction_id: own,
                    character_id: character,
                    inventory_type: inventory,
                    template_id: item.template_id,
                    reference_id: *id,
                    reference_type: reference_type.into(),
                    reference_data: data,
                    quantity: item.quantity,
                })),
                concrete(Action::ReleaseFromCashShop(ReleaseFromCashShop {
                    transaction_id: own,
                    character_id: character,
                    account_id: account,
                    compartment_id: compartment,
                    compartment_type: kind,
                    asset_id: *id,
                    cash_id: i64::try_from(cash).unwrap_or(i64::MAX),
                    template_id: item.template_id,
                })),
            ])
        }
        other => Err(format!("{} is not a composite action", other.name())),
    }
}

/// L4: the account's cash compartment of `kind`: its id and its items (id, attributes).
async fn cash_compartment(services: &Foreign, tenant: &Tenant, account: u32, kind: u8) -> Result<(Uuid, Vec<(u32, Value)>), String> {
    let path = format!("accounts/{account}/cash-shop/inventory/compartments?type={kind}");
    let document: Value = foreign::get(services, tenant, "CASHSHOP_SERVICE_URL", &path).await.ok_or("cash shop look-up failed")?;
    let document: CompartmentDocument<Map<String, Value>> = answer(document, "cash shop")?;
    let data = document.data;
    if data.kind != "compartments" {
        return Err("cash shop look-up answered no compartment".into());
    }
    let compartment = Uuid::parse_str(&data.id).map_err(|_| "cash compartment id is not a UUID")?;
    let find = |kind: &str, id: &str| document.included.iter().find(|r| r.kind == kind && r.id == id);
    let mut items = Vec::new();
    for identifier in &data.relationships.assets.data {
        let Some(asset) = find("assets", &identifier.id) else { continue };
        let Some(item) = find("items", &asset.relationships.item.data.id) else { continue };
        let Ok(id) = item.id.parse() else { continue };
        items.push((id, Value::Object(item.attributes.clone())));
    }
    Ok((compartment, items))
}

/// A compartment document (L1, L4): the compartment, its assets in relationship order, and
/// the included resources with attributes `A`.
#[derive(Debug, Default, Deserialize)]
#[serde(bound = "A: DeserializeOwned + Default")]
struct CompartmentDocument<A> {
    data: Compartment,
    #[serde(default, deserialize_with = "nullable")]
    included: Vec<Included<A>>,
}

#[derive(Debug, Default, Deserialize)]
struct Compartment {
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    kind: String,
    #[serde(default, deserialize_with = "nullable")]
    id: String,
    #[serde(default, deserialize_with = "nullable")]
    relationships: AssetLinks,
}

#[derive(Debug, Default, Deserialize)]
struct AssetLinks {
    #[serde(default, deserialize_with = "nullable")]
    assets: ToMany,
}

#[derive(Debug, Default, Deserialize)]
struct ToMany {
    #[serde(default, deserialize_with = "nullable")]
    data: Vec<Identifier>,
}

/// A resource identifier, read for its id only.
#[derive(Debug, Default, Deserialize)]
struct Identifier {
    #[serde(default, deserialize_with = "nullable")]
    id: String,
}

/// An included resource; a cash asset links its item.
#[derive(Debug, Default, Deserialize)]
#[serde(bound = "A: DeserializeOwned + Default")]
struct Included<A> {
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    kind: String,
    #[serde(default, deserialize_with = "nullable")]
    id: String,
    #[serde(default, deserialize_with = "nullable")]
    attributes: A,
    #[serde(default, deserialize_with = "nullable")]
    relationships: ItemLink,
}

#[derive(Debug, Default, Deserialize)]
struct ItemLink {
    #[serde(default, deserialize_with = "nullable")]
    item: ToOne,
}

#[derive(Debug, Default, Deserialize)]
struct ToOne {
    #[serde(default, deserialize_with = "nullable")]
    data: Identifier,
}

/// A JSON:API document with one resource.
#[derive(Debug, Default, Deserialize)]
#[serde(bound = "A: DeserializeOwned + Default")]
struct One<A> {
    data: Resource<A>,
}

/// A JSON:API document with a list of resources.
#[derive(Debug, Default, Deserialize)]
#[serde(bound = "A: DeserializeOwned + Default")]
struct Many<A> {
    data: Vec<Resource<A>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(bound = "A: DeserializeOwned + Default")]
struct Resource<A> {
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    kind: String,
    #[serde(default, deserialize_with = "nullable")]
    id: String,
    #[serde(default, deserialize_with = "nullable")]
    attributes: A,
}

/// L2: a portal of a map.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct PortalAttributes {
    name: String,
    #[serde(rename = "type")]
    kind: i32,
    target_map_id: u32,
}

/// L5: the validation's results; each has a `passed` flag (any letter case, as Go reads it).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ValidationAttributes {
    #[serde(deserialize_with = "nullable")]
    results: Vec<Map<String, Value>>,
}

impl ValidationAttributes {
    /// Whether a result did not pass; a `passed` that is not a bool does not fit (Go
    /// matches the key case-insensitively).
    fn failed(&self) -> Result<bool, String> {
        let mut failed = false;
        for result in &self.results {
            for (_, passed) in result.iter().filter(|(key, _)| key.eq_ignore_ascii_case("passed")) {
                failed |= !passed.as_bool().ok_or("validation answer: passed is not a bool")?;
            }
        }
        Ok(failed)
    }
}

/// The foothold below a point.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FootholdAttributes {
    id: u32,
}

/// §5.10: a reactor's drop table; a drop's id is `reactor:item`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DropTable {
    #[serde(deserialize_with = "nullable")]
    included: Vec<Resource<DropAttributes>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DropAttributes {
    chance: u32,
}

/// Where a drop lands; a coordinate the answer lacks is the reactor's.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PositionAttributes {
    x: Option<i16>,
    y: Option<i16>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::shapes::mutations;
    use serde_json::json;

    /// Every one-node shape mutation of a valid answer is refused (except under `raw`).
    fn refuses_every_mutation<T: DeserializeOwned>(document: Value, raw: &[&str], check: impl Fn(T) -> Result<(), String>) {
        let decode = |value: Value| answer::<T>(value, "test").and_then(&check);
        assert!(decode(document.clone()).is_ok(), "the valid answer decodes: {document}");
        let found = mutations(&document, raw);
        assert!(!found.is_empty());
        for m in found {
            assert!(decode(m.value.clone()).is_err(), "{} was not refused: {}", m.path, m.value);
        }
    }

    fn fits<T>(_: T) -> Result<(), String> {
        Ok(())
    }

    #[test]
    fn saga_answers_refuse_every_shape_mutation() {
        let asset = json!({"type": "assets", "id": "7", "attributes": {"slot": 4, "templateId": 2000000, "referenceId": 3,
            "referenceType": "consumable", "referenceData": {"quantity": 12}}});
        // Identifiers are read for their ids only; reference data is copied as given.
        let raw = ["data.relationships.assets.data[0].type", "included[0].attributes.referenceData"];
        refuses_every_mutation::<CompartmentDocument<AssetAttributes>>(
            json!({"data": {"type": "compartments", "id": "c", "attributes": {"type": 2, "capacity": 24},
                "relationships": {"assets": {"data": [{"type": "assets", "id": "7"}]}}}, "included": [asset]}),
            &["data.attributes", "data.relationships.assets.data[0].type", raw[1]],
            fits,
        );
        refuses_every_mutation::<CompartmentDocument<Map<String, Value>>>(
            json!({"data": {"type": "compartments", "id": "8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b",
                "relationships": {"assets": {"data": [{"type": "assets", "id": "1"}]}}},
                "included": [{"type": "assets", "id": "1", "relationships": {"item": {"data": {"type": "items", "id": "5"}}}},
                    {"type": "items", "id": "5", "attributes": {"cashId": "7000000123", "templateId": 5000000}}]}),
            &[raw[0], "included[0].relationships.item.data.type", "included[1].attributes.cashId", "included[1].attributes.templateId"],
            fits,
        );
        refuses_every_mutation::<Many<PortalAttributes>>(
            json!({"data": [{"type": "portals", "id": "2", "attributes": {"name": "sp", "type": 0, "targetMapId": 999999999}}]}),
            &[],
            fits,
        );
        refuses_every_mutation::<One<AssetAttributes>>(
            json!({"data": {"type": "storage_assets", "id": "88001", "attributes": {"slot": 0, "templateId": 2000000, "referenceId": 3,
                "referenceType": "consumable", "referenceData": {"quantity": 12}}}}),
            &["data.attributes.referenceData"],
            fits,
        );
        refuses_every_mutation::<One<ValidationAttributes>>(
            json!({"data": {"type": "validations", "id": "1", "attributes": {"results": [{"passed": true}]}}}),
            &[],
            |v: One<ValidationAttributes>| v.data.attributes.failed().map(|_| ()),
        );
        refuses_every_mutation::<One<FootholdAttributes>>(
            json!({"data": {"type": "footholds", "id": "21", "attributes": {"id": 21}}}),
            &[],
            fits,
        );
        refuses_every_mutation::<DropTable>(
            json!({"included": [{"type": "drops", "id": "1022000:4000019", "attributes": {"chance": 3}}]}),
            &[],
            fits,
        );
        refuses_every_mutation::<One<PositionAttributes>>(
            json!({"data": {"type": "positions", "id": "0", "attributes": {"x": 10, "y": -20}}}),
            &[],
            fits,
        );
    }

    #[test]
    fn a_validation_result_not_passed_fails() {
        let answer = |results: Value| ValidationAttributes { results: serde_json::from_value(results).expect("results") };
        assert_eq!(answer(json!([{"passed": true}, {"Passed": false}])).failed(), Ok(true));
        assert_eq!(answer(json!([{"passed": true}])).failed(), Ok(false));
        assert!(answer(json!([{"passed": "no"}])).failed().is_err());
    }
}
