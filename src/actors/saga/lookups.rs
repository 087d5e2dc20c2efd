//! Dispatch of the actions that need a foreign look-up first (spec 40 §12): L1 (inventory
//! compartment), L2 (map portals), L3 (storage projection) and L5 (validations). A failed
//! look-up is a dispatch failure.

use super::actions::{inventory_type, Command};
use super::payload::Payload;
use super::Step;
use crate::actors::{foreign, Services};
use crate::contracts::tenant::Tenant;
use rand::seq::SliceRandom;
use serde_json::{json, Value};
use uuid::Uuid;

/// An asset of a compartment, in relationship order.
struct Asset {
    id: u32,
    attributes: Value,
}

async fn compartment_assets(services: &Services, tenant: &Tenant, character: u32, inventory: u8) -> Result<Vec<Asset>, String> {
    let path = format!("characters/{character}/inventory/compartments?type={inventory}");
    let document: Value = foreign::get(services, tenant, "INVENTORY_SERVICE_URL", &path).await.ok_or("inventory look-up failed")?;
    if document["data"]["type"] != "compartments" {
        return Err("inventory look-up answered no compartment".into());
    }
    let included = document["included"].as_array().cloned().unwrap_or_default();
    let listed = document["data"]["relationships"]["assets"]["data"].as_array().cloned().unwrap_or_default();
    let mut assets = Vec::new();
    for identifier in listed {
        let Some(id) = identifier["id"].as_str() else { continue };
        let Some(resource) = included.iter().find(|r| r["type"] == "assets" && r["id"] == id) else { continue };
        let id: u32 = id.parse().map_err(|_| format!("asset id {id} is not numeric"))?;
        assets.push(Asset { id, attributes: resource["attributes"].clone() });
    }
    Ok(assets)
}

fn field(p: &Payload) -> Result<(u8, u8, u32), String> {
    let text = p.str("fieldId")?;
    if text.is_empty() {
        return Ok((p.u8("worldId")?, p.u8("channelId")?, p.u32("mapId")?));
    }
    let parts: Vec<&str> = text.split(':').collect();
    let parse = || -> Option<(u8, u8, u32)> {
        if parts.len() < 3 {
            return None;
        }
        Some((parts[0].parse().ok()?, parts[1].parse().ok()?, parts[2].parse().ok()?))
    };
    parse().ok_or_else(|| format!("fieldId {text} is not world:channel:map:instance"))
}

async fn portals(services: &Services, tenant: &Tenant, map: u32) -> Result<Vec<Value>, String> {
    let document: Value =
        foreign::get(services, tenant, "DATA_SERVICE_URL", &format!("data/maps/{map}/portals")).await.ok_or("portal look-up failed")?;
    let portals = document["data"].as_array().cloned().ok_or("portal look-up answered no list")?;
    if portals.iter().any(|p| p["type"] != "portals") {
        return Err("portal look-up answered other resources".into());
    }
    Ok(portals)
}

fn change_map(t: Uuid, character: u32, (world, channel, map): (u8, u8, u32), portal: u32) -> Command {
    let value = json!({"transactionId": t, "worldId": world, "characterId": character, "type": "CHANGE_MAP",
        "body": {"channelId": channel, "mapId": map, "portalId": portal}});
    Command { topic: "COMMAND_TOPIC_CHARACTER", key: character, value }
}

/// Dispatches a look-up action: its commands (none for a passed validation).
pub async fn dispatch(services: &Services, tenant: &Tenant, action: &str, p: &Payload<'_>, t: Uuid) -> Result<Vec<Command>, String> {
    match action {
        "destroy_asset" => {
            let (character, template) = (p.u32("characterId")?, p.u32("templateId")?);
            let inventory = inventory_type(template)?;
            let assets = compartment_assets(services, tenant, character, inventory).await?;
            let asset = assets
                .iter()
                .find(|a| a.attributes["templateId"].as_u64() == Some(u64::from(template)))
                .ok_or_else(|| format!("character {character} holds no {template}"))?;
            let body = json!({"slot": asset.attributes["slot"].as_i64().unwrap_or_default(), "quantity": p.u32("quantity")?, "removeAll": p.bool("removeAll")?});
            let value = json!({"transactionId": t, "characterId": character, "inventoryType": inventory, "type": "DESTROY", "body": body});
            Ok(vec![Command { topic: "COMMAND_TOPIC_COMPARTMENT", key: character, value }])
        }
        "warp_to_random_portal" => {
            let (character, field) = (p.u32("characterId")?, field(p)?);
            let candidates: Vec<u32> = portals(services, tenant, field.2)
                .await?
                .iter()
                .filter(|p| p["attributes"]["type"] == 0 && p["attributes"]["targetMapId"] == 999_999_999)
                .filter_map(|p| p["id"].as_str()?.parse().ok())
                .collect();
            let portal = *candidates.choose(&mut rand::thread_rng()).ok_or("the map has no spawn portal")?;
            Ok(vec![change_map(t, character, field, portal)])
        }
        "warp_to_portal" => {
            let (character, field, name) = (p.u32("characterId")?, field(p)?, p.str("portalName")?);
            let portal = if name.is_empty() {
                p.u32("portalId")?
            } else {
                portals(services, tenant, field.2)
                    .await?
                    .iter()
                    .find(|p| p["attributes"]["name"] == name.as_str())
                    .and_then(|p| p["id"].as_str()?.parse().ok())
                    .unwrap_or(0)
            };
            Ok(vec![change_map(t, character, field, portal)])
        }
        "validate_character_state" => {
            let character = p.u32("characterId")?;
            let mut attributes = json!({"passed": false});
            let conditions = p.raw("conditions").filter(|c| c.as_array().is_some_and(|a| !a.is_empty()));
            if let Some(conditions) = conditions {
                attributes["conditions"] = conditions;
            }
            let body = json!({"data": {"type": "validations", "id": character.to_string(), "attributes": attributes}});
            let document: Value = foreign::post(services, tenant, "QUERY_AGGREGATOR_SERVICE_URL", "validations", &body)
                .await
                .ok_or("validation look-up failed")?;
            let results = document["data"]["attributes"]["results"].as_array().cloned().unwrap_or_default();
            let failed = results.iter().any(|r| {
                r.as_object().is_some_and(|o| o.iter().any(|(k, v)| k.eq_ignore_ascii_case("passed") && v == &Value::Bool(false)))
            });
            if failed {
                return Err("validation not passed".into());
            }
            Ok(Vec::new())
        }
        "spawn_monster" => {
            let (world, channel, map) = (p.u8("worldId")?, p.u8("channelId")?, p.u32("mapId")?);
            let (monster, x, y) = (p.u32("monsterId")?, p.i16("x")?, p.i16("y")?);
            let below = json!({"data": {"type": "positions", "id": "0", "attributes": {"x": x, "y": y}}});
            let foothold: Value = foreign::post(services, tenant, "DATA_SERVICE_URL", &format!("data/maps/{map}/footholds/below"), &below)
                .await
                .unwrap_or_default();
            let fh = foothold["data"]["attributes"]["id"].as_u64().unwrap_or_default();
            let path = format!("worlds/{world}/channels/{channel}/maps/{map}/monsters");
            let body = json!({"data": {"type": "monsters", "id": monster.to_string(), "attributes": {
                "monsterId": monster, "x": x, "y": y, "fh": fh, "team": p.i64("team")?}}});
            for _ in 0..p.i64("count")?.max(1) {
                foreign::post_for(services, tenant, "MONSTERS_SERVICE_URL", &path, &body).await.ok_or("spawning a monster failed")?;
            }
            Ok(Vec::new())
        }
        "spawn_reactor_drops" => Ok(reactor_drops(services, tenant, p, t).await),
        other => Err(format!("action {other} has no look-up dispatch")),
    }
}

/// §5.10 `spawn_reactor_drops`: roll the reactor's drop table and produce one `SPAWN` per
/// drop. Never fails: look-up errors give an empty table and fallback positions.
async fn reactor_drops(services: &Services, tenant: &Tenant, p: &Payload<'_>, t: Uuid) -> Vec<Command> {
    let read = |p: &Payload<'_>| -> Result<(u8, u8, u32, u32, u32, i16, i16), String> {
        Ok((p.u8("worldId")?, p.u8("channelId")?, p.u32("mapId")?, p.u32("reactorId")?, p.u32("characterId")?, p.i16("x")?, p.i16("y")?))
    };
    let Ok((world, channel, map, reactor, character, x, y)) = read(p) else { return Vec::new() };
    let mut items = Vec::new();
    if let Ok(classification) = p.str("classification").unwrap_or_default().parse::<u32>() {
        let table: Value = foreign::get(services, tenant, "DROP_INFORMATION_SERVICE_URL", &format!("reactors/{classification}/drops"))
            .await
            .unwrap_or_default();
        let mut rng = rand::thread_rng();
        for drop in table["included"].as_array().into_iter().flatten().filter(|d| d["type"] == "drops") {
            let item: Option<u32> = drop["id"].as_str().and_then(|id| id.split(':').nth(1)?.parse().ok());
            let chance = drop["attributes"]["chance"].as_u64().unwrap_or_default();
            if let Some(item) = item.filter(|_| chance > 0 && rand::Rng::gen_range(&mut rng, 0..chance) == 0) {
                items.push(item);
            }
        }
    }
    let (min_items, meso_min, meso_max) = (p.u32("minItems").unwrap_or_default(), p.u32("mesoMin").unwrap_or_default(), p.u32("mesoMax").unwrap_or_default());
    let mesos = if min_items as usize > items.len() {
        min_items as usize - items.len()
    } else {
        let chance = u64::from(p.u32("mesoChance").unwrap_or_default());
        usize::from(p.bool("meso").unwrap_or_default() && chance > 0 && rand::Rng::gen_range(&mut rand::thread_rng(), 0..chance) == 0)
    };
    let spray = p.str("dropType").unwrap_or_default() == "spray";
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
        let body = json!({"data": {"type": "positions", "id": "0", "attributes": {"initialX": initial_x, "initialY": y, "fallbackX": x, "fallbackY": y}}});
        let point: Value = foreign::post(services, tenant, "DATA_SERVICE_URL", &format!("data/maps/{map}/drops/position"), &body).await.unwrap_or_default();
        let at = |key: &str, fallback: i16| point["data"]["attributes"][key].as_i64().and_then(|v| i16::try_from(v).ok()).unwrap_or(fallback);
        let (item, quantity, amount) = match items.get(i) {
            Some(item) => (*item, 1, 0),
            None if meso_min >= meso_max => (0, 0, meso_min),
            None => (0, 0, rand::Rng::gen_range(&mut rand::thread_rng(), meso_min..=meso_max)),
        };
        let value = json!({"transactionId": t, "worldId": world, "channelId": channel, "mapId": map, "type": "SPAWN", "body": {
            "itemId": item, "quantity": quantity, "mesos": amount, "dropType": if spray { 1 } else { 2 },
            "x": at("x", x), "y": at("y", y), "ownerId": character, "ownerPartyId": 0, "dropperId": reactor,
            "dropperX": x, "dropperY": y, "playerDrop": false, "mod": if spray { i } else { 0 }}});
        commands.push(Command { topic: "COMMAND_TOPIC_DROP", key: map, value });
    }
    commands
}

/// §4.6.2 / §5.9: the two concrete steps replacing a composite step.
pub async fn expand(services: &Services, tenant: &Tenant, step: &Step) -> Result<Vec<Step>, String> {
    let p = Payload(&step.payload);
    let own = p.uuid("transactionId")?;
    let (character, world, account) = (p.u32("characterId")?, p.u8("worldId")?, p.u32("accountId")?);
    let concrete = |action: &str, payload: Value| Step::new(action, action, payload);
    match step.action.as_str() {
        "transfer_to_storage" => {
            let (slot, inventory, quantity) = (p.i16("sourceSlot")?, p.u8("sourceInventoryType")?, p.u32("quantity")?);
            let assets = compartment_assets(services, tenant, character, inventory).await?;
            let asset = assets
                .iter()
                .find(|a| a.attributes["slot"].as_i64() == Some(i64::from(slot)))
                .ok_or_else(|| format!("no asset in slot {slot}"))?;
            let a = &asset.attributes;
            Ok(vec![
                concrete("accept_to_storage", json!({"transactionId": own, "worldId": world, "accountId": account, "characterId": character,
                    "templateId": a["templateId"], "referenceId": a["referenceId"], "referenceType": a["referenceType"],
                    "referenceData": a["referenceData"], "quantity": quantity})),
                concrete("release_from_character", json!({"transactionId": own, "characterId": character, "inventoryType": inventory,
                    "assetId": asset.id, "quantity": quantity})),
            ])
        }
        "withdraw_from_storage" => {
            let (slot, inventory, quantity) = (p.i16("sourceSlot")?, p.u8("inventoryType")?, p.u32("quantity")?);
            let path = format!("storage/projections/{character}/compartments/{inventory}/assets/{slot}");
            let document: Value = foreign::get(services, tenant, "STORAGE_SERVICE_URL", &path).await.ok_or("storage look-up failed")?;
            let data = &document["data"];
            if data["type"] != "storage_assets" {
                return Err("storage look-up answered no storage asset".into());
            }
            let asset: u32 = data["id"].as_str().and_then(|id| id.parse().ok()).ok_or("storage asset id is not numeric")?;
            let a = &data["attributes"];
            let resolved = match a["referenceData"]["quantity"].as_u64() {
                Some(held) if quantity == 0 && held > 0 => held as u32,
                _ => quantity,
            };
            Ok(vec![
                concrete("accept_to_character", json!({"transactionId": own, "characterId": character, "inventoryType": inventory,
                    "templateId": a["templateId"], "referenceId": a["referenceId"], "referenceType": a["referenceType"],
                    "referenceData": a["referenceData"], "quantity": resolved})),
                concrete("release_from_storage", json!({"transactionId": own, "worldId": world, "accountId": account,
                    "characterId": character, "assetId": asset, "quantity": quantity})),
            ])
        }
        "transfer_to_cash_shop" => {
            let (inventory, cash, kind) = (p.u8("sourceInventoryType")?, p.i64("cashId")?, p.u8("compartmentType")?);
            let assets = compartment_assets(services, tenant, character, inventory).await?;
            let asset = assets
                .iter()
                .find(|a| a.attributes["referenceData"]["cashId"].as_str().and_then(|c| c.parse::<i64>().ok()) == Some(cash))
                .ok_or_else(|| format!("no asset with cash id {cash}"))?;
            let (compartment, _) = cash_compartment(services, tenant, account, kind).await?;
            let a = &asset.attributes;
            Ok(vec![
                concrete("accept_to_cash_shop", json!({"transactionId": own, "characterId": character, "accountId": account,
                    "compartmentId": compartment, "compartmentType": kind, "cashId": cash, "templateId": a["templateId"],
                    "referenceId": a["referenceId"], "referenceType": a["referenceType"], "referenceData": a["referenceData"]})),
                concrete("release_from_character", json!({"transactionId": own, "characterId": character, "inventoryType": inventory,
                    "assetId": asset.id, "quantity": 0})),
            ])
        }
        "withdraw_from_cash_shop" => {
            let (inventory, cash, kind) = (p.u8("inventoryType")?, p.i64("cashId")?, p.u8("compartmentType")?);
            let (compartment, items) = cash_compartment(services, tenant, account, kind).await?;
            let (id, item) = items
                .iter()
                .find(|(_, item)| item["cashId"].as_str().and_then(|c| c.parse::<i64>().ok()) == Some(cash))
                .ok_or_else(|| format!("no cash item with cash id {cash}"))?;
            let template = item["templateId"].as_u64().unwrap_or_default();
            let reference_type = if template / 1_000_000 == 1 { "cash-equipable" } else { "cash" };
            let data = json!({"cashId": cash.to_string(), "flag": item["flag"], "purchasedBy": item["purchasedBy"], "quantity": item["quantity"]});
            Ok(vec![
                concrete("accept_to_character", json!({"transactionId": own, "characterId": character, "inventoryType": inventory,
                    "templateId": template, "referenceId": id, "referenceType": reference_type, "referenceData": data,
                    "quantity": item["quantity"]})),
                concrete("release_from_cash_shop", json!({"transactionId": own, "characterId": character, "accountId": account,
                    "compartmentId": compartment, "compartmentType": kind, "assetId": id, "cashId": cash, "templateId": template})),
            ])
        }
        other => Err(format!("{other} is not a composite action")),
    }
}

/// L4: the account's cash compartment of `kind`: its id and its items (id, attributes).
async fn cash_compartment(services: &Services, tenant: &Tenant, account: u32, kind: u8) -> Result<(Uuid, Vec<(u32, Value)>), String> {
    let path = format!("accounts/{account}/cash-shop/inventory/compartments?type={kind}");
    let document: Value = foreign::get(services, tenant, "CASHSHOP_SERVICE_URL", &path).await.ok_or("cash shop look-up failed")?;
    let data = &document["data"];
    if data["type"] != "compartments" {
        return Err("cash shop look-up answered no compartment".into());
    }
    let compartment = data["id"].as_str().and_then(|id| Uuid::parse_str(id).ok()).ok_or("cash compartment id is not a UUID")?;
    let included = document["included"].as_array().cloned().unwrap_or_default();
    let find = |kind: &str, id: &Value| included.iter().find(|r| r["type"] == kind && &r["id"] == id).cloned();
    let mut items = Vec::new();
    for identifier in data["relationships"]["assets"]["data"].as_array().into_iter().flatten() {
        let Some(asset) = find("assets", &identifier["id"]) else { continue };
        let Some(item) = find("items", &asset["relationships"]["item"]["data"]["id"]) else { continue };
        let Some(id) = item["id"].as_str().and_then(|id| id.parse().ok()) else { continue };
        items.push((id, item["attributes"].clone()));
    }
    Ok((compartment, items))
}
