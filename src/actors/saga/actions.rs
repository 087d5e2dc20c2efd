//! The action table of spec 40 §5: each action's command (topic, key, value), whether it
//! completes on dispatch, which status events complete or fail it (§4.4), and its inverse
//! for compensation (§7.1).

use super::payload::Payload;
use serde_json::{json, Value};
use uuid::Uuid;

/// One record to produce.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub topic: &'static str,
    pub key: u32,
    pub value: Value,
}

/// Every action name the orchestrator accepts.
pub const ACTIONS: [&str; 57] = [
    "award_asset", "award_inventory", "destroy_asset", "equip_asset", "unequip_asset", "create_and_equip_asset",
    "accept_to_character", "release_from_character", "warp_to_random_portal", "warp_to_portal", "award_experience",
    "deduct_experience", "award_level", "award_mesos", "award_fame", "change_job", "change_hair", "change_face",
    "change_skin", "set_hp", "create_character", "create_skill", "update_skill", "request_guild_name",
    "request_guild_emblem", "request_guild_disband", "request_guild_capacity_increase", "create_invite",
    "increase_buddy_capacity", "gain_closeness", "start_quest", "complete_quest", "apply_consumable_effect",
    "award_currency", "send_message", "play_portal_sound", "show_info", "show_info_text", "update_area_info",
    "show_hint", "block_portal", "unblock_portal", "cancel_all_buffs", "show_storage", "deposit_to_storage",
    "update_storage_mesos", "accept_to_storage", "release_from_storage", "accept_to_cash_shop",
    "release_from_cash_shop", "transfer_to_storage", "withdraw_from_storage", "transfer_to_cash_shop",
    "withdraw_from_cash_shop", "validate_character_state", "spawn_monster", "spawn_reactor_drops",
];

pub const COMPOSITES: [&str; 4] = ["transfer_to_storage", "withdraw_from_storage", "transfer_to_cash_shop", "withdraw_from_cash_shop"];

/// §4.3: actions that complete once dispatched.
pub fn synchronous(action: &str) -> bool {
    matches!(
        action,
        "send_message" | "play_portal_sound" | "show_info" | "show_info_text" | "update_area_info" | "show_hint"
            | "block_portal" | "unblock_portal" | "show_storage" | "cancel_all_buffs" | "spawn_reactor_drops"
            | "spawn_monster" | "validate_character_state"
    )
}

/// Inventory type of a template id (1..=5), else a dispatch failure.
pub fn inventory_type(template: u32) -> Result<u8, String> {
    match template / 1_000_000 {
        t @ 1..=5 => Ok(t as u8),
        t => Err(format!("template {template} has no inventory type ({t})")),
    }
}

fn compartment(t: Uuid, character: u32, inventory: u8, kind: &str, body: Value) -> Command {
    let value = json!({"transactionId": t, "characterId": character, "inventoryType": inventory, "type": kind, "body": body});
    Command { topic: "COMMAND_TOPIC_COMPARTMENT", key: character, value }
}

fn character(t: Uuid, p: &Payload, kind: &str, body: Value) -> Result<Command, String> {
    let id = p.u32("characterId")?;
    let value = json!({"transactionId": t, "worldId": p.u8("worldId")?, "characterId": id, "type": kind, "body": body});
    Ok(Command { topic: "COMMAND_TOPIC_CHARACTER", key: id, value })
}

fn create_asset(t: Uuid, p: &Payload, keep_expiration: bool) -> Result<Command, String> {
    let item = p.object("item")?;
    let template = item.u32("templateId")?;
    let expiration = if keep_expiration { item.time("expiration")? } else { crate::contracts::json::GoTime::zero() };
    let body = json!({"templateId": template, "quantity": item.u32("quantity")?, "expiration": expiration,
        "ownerId": 0, "flag": 0, "rechargeable": 0});
    Ok(compartment(t, p.u32("characterId")?, inventory_type(template)?, "CREATE_ASSET", body))
}

fn equip(t: Uuid, p: &Payload, kind: &str, reverse: bool) -> Result<Command, String> {
    let (source, destination) = (p.i16("source")?, p.i16("destination")?);
    let (source, destination) = if reverse { (destination, source) } else { (source, destination) };
    let inventory = p.u32("inventoryType")? as u8;
    let body = json!({"inventoryType": 0, "source": source, "destination": destination});
    Ok(compartment(t, p.u32("characterId")?, inventory, kind, body))
}

fn system_message(t: Uuid, p: &Payload, kind: &str, body: Value) -> Result<Command, String> {
    let id = p.u32("characterId")?;
    let value = json!({"transactionId": t, "worldId": p.u8("worldId")?, "channelId": p.u8("channelId")?,
        "characterId": id, "type": kind, "body": body});
    Ok(Command { topic: "COMMAND_TOPIC_SYSTEM_MESSAGE", key: id, value })
}

/// A `COMMAND_TOPIC_STORAGE_COMPARTMENT` command; `characterId` is omitted when 0 (§5.2).
fn storage_compartment(p: &Payload, account: u32, kind: &str, body: Value) -> Result<Command, String> {
    let mut value = json!({"worldId": p.u8("worldId")?, "accountId": account, "type": kind, "body": body});
    let character = p.u32("characterId")?;
    if character != 0 {
        value["characterId"] = json!(character);
    }
    Ok(Command { topic: "COMMAND_TOPIC_STORAGE_COMPARTMENT", key: account, value })
}

/// The payload's own transactionId for internal steps, else the saga's (§5.3).
fn internal(t: Uuid, p: &Payload) -> Result<Uuid, String> {
    let own = p.uuid("transactionId")?;
    Ok(if own.is_nil() { t } else { own })
}

fn omit_empty(mut body: Value, key: &str, value: Option<Value>) -> Value {
    if let Some(value) = value.filter(|v| !v.is_null() && v != &json!({}) && v != &json!("")) {
        body[key] = value;
    }
    body
}

/// The command(s) of an action that needs no foreign look-up, or `None` for those that do
/// (dispatched by `lookups`). Errors are payloads that do not fit the action.
pub fn command(action: &str, p: &Payload, t: Uuid) -> Result<Option<Vec<Command>>, String> {
    let one = |c: Command| Ok(Some(vec![c]));
    let channel_body = |key: &str, value: Value| -> Result<Value, String> { Ok(json!({"channelId": p.u8("channelId")?, key: value})) };
    match action {
        "award_asset" | "award_inventory" => one(create_asset(t, p, true)?),
        "create_and_equip_asset" => one(create_asset(t, p, false)?),
        "equip_asset" => one(equip(t, p, "EQUIP", false)?),
        "unequip_asset" => one(equip(t, p, "UNEQUIP", false)?),
        "accept_to_character" => {
            let own = internal(t, p)?;
            let body = json!({"transactionId": own, "referenceId": p.u32("referenceId")?, "templateId": p.u32("templateId")?,
                "referenceType": p.str("referenceType")?, "quantity": p.u32("quantity")?});
            let body = omit_empty(body, "referenceData", p.raw("referenceData"));
            one(compartment(own, p.u32("characterId")?, p.u8("inventoryType")?, "ACCEPT", body))
        }
        "release_from_character" => {
            let own = internal(t, p)?;
            let body = json!({"transactionId": own, "assetId": p.u32("assetId")?, "quantity": p.u32("quantity")?});
            one(compartment(own, p.u32("characterId")?, p.u8("inventoryType")?, "RELEASE", body))
        }
        "award_experience" => {
            let mut distributions = Vec::new();
            for d in p.array("distributions")? {
                distributions.push(json!({"experienceType": d.str("experienceType")?, "amount": d.u32("amount")?, "attr1": d.u32("attr1")?}));
            }
            one(character(t, p, "AWARD_EXPERIENCE", json!({"channelId": p.u8("channelId")?, "distributions": distributions}))?)
        }
        "deduct_experience" => one(character(t, p, "DEDUCT_EXPERIENCE", channel_body("amount", json!(p.u32("amount")?))?)?),
        "award_level" => one(character(t, p, "AWARD_LEVEL", channel_body("amount", json!(p.u8("amount")?))?)?),
        "award_mesos" => {
            let body = json!({"actorId": p.u32("actorId")?, "actorType": p.str("actorType")?, "amount": p.i32("amount")?});
            one(character(t, p, "REQUEST_CHANGE_MESO", body)?)
        }
        "award_fame" => {
            // Truncated to 8 bits two's complement, as Go does.
            let amount = p.i16("amount")? as i8;
            one(character(t, p, "REQUEST_CHANGE_FAME", json!({"actorId": 0, "actorType": "SYSTEM", "amount": amount}))?)
        }
        "change_job" => one(character(t, p, "CHANGE_JOB", channel_body("jobId", json!(p.u16("jobId")?))?)?),
        "change_hair" => one(character(t, p, "CHANGE_HAIR", channel_body("styleId", json!(p.u32("styleId")?))?)?),
        "change_face" => one(character(t, p, "CHANGE_FACE", channel_body("styleId", json!(p.u32("styleId")?))?)?),
        "change_skin" => one(character(t, p, "CHANGE_SKIN", channel_body("styleId", json!(p.u8("styleId")?))?)?),
        "set_hp" => one(character(t, p, "SET_HP", channel_body("amount", json!(p.u16("amount")?))?)?),
        "create_character" => {
            let account = p.u32("accountId")?;
            let body = json!({"accountId": account, "worldId": p.u8("worldId")?, "name": p.str("name")?, "level": p.u8("level")?,
                "strength": p.u16("strength")?, "dexterity": p.u16("dexterity")?, "intelligence": p.u16("intelligence")?,
                "luck": p.u16("luck")?, "maxHp": p.u16("hp")?, "maxMp": p.u16("mp")?, "jobId": p.u16("jobId")?,
                "gender": p.u8("gender")?, "hair": p.u32("hair")?, "face": p.u32("face")?, "skinColor": p.u8("skin")?,
                "mapId": p.u32("mapId")?});
            let _ = (p.u32("top")?, p.u32("bottom")?, p.u32("shoes")?, p.u32("weapon")?);
            let value = json!({"transactionId": t, "worldId": p.u8("worldId")?, "characterId": 0, "type": "CREATE_CHARACTER", "body": body});
            one(Command { topic: "COMMAND_TOPIC_CHARACTER", key: account, value })
        }
        "create_skill" | "update_skill" => {
            let id = p.u32("characterId")?;
            let kind = if action == "create_skill" { "REQUEST_CREATE" } else { "REQUEST_UPDATE" };
            let body = json!({"skillId": p.u32("skillId")?, "level": p.u8("level")?, "masterLevel": p.u8("masterLevel")?,
                "expiration": p.time("expiration")?});
            one(Command { topic: "COMMAND_TOPIC_SKILL", key: id, value: json!({"transactionId": t, "characterId": id, "type": kind, "body": body}) })
        }
        "request_guild_name" | "request_guild_emblem" | "request_guild_disband" | "request_guild_capacity_increase" => {
            let kind = match action {
                "request_guild_name" => "REQUEST_NAME",
                "request_guild_emblem" => "REQUEST_EMBLEM",
                "request_guild_disband" => "REQUEST_DISBAND",
                _ => "REQUEST_CAPACITY_INCREASE",
            };
            let id = p.u32("characterId")?;
            let value = json!({"characterId": id, "type": kind, "body": {"worldId": p.u8("worldId")?, "channelId": p.u8("channelId")?}, "transactionId": t});
            one(Command { topic: "COMMAND_TOPIC_GUILD", key: id, value })
        }
        "create_invite" => {
            let reference = p.u32("referenceId")?;
            let value = json!({"transactionId": t, "worldId": p.u8("worldId")?, "inviteType": p.str("inviteType")?, "type": "CREATE",
                "body": {"originatorId": p.u32("originatorId")?, "targetId": p.u32("targetId")?, "referenceId": reference}});
            one(Command { topic: "COMMAND_TOPIC_INVITE", key: reference, value })
        }
        "increase_buddy_capacity" => {
            let id = p.u32("characterId")?;
            let value = json!({"transactionId": t, "worldId": p.u8("worldId")?, "characterId": id, "type": "INCREASE_CAPACITY",
                "body": {"newCapacity": p.u8("amount")?}});
            let _ = p.u8("channelId")?;
            one(Command { topic: "COMMAND_TOPIC_BUDDY_LIST", key: id, value })
        }
        "gain_closeness" => {
            let pet = p.u32("petId")?;
            let value = json!({"transactionId": t, "actorId": 0, "petId": pet, "type": "AWARD_CLOSENESS", "body": {"amount": p.u16("amount")?}});
            one(Command { topic: "COMMAND_TOPIC_PET", key: pet, value })
        }
        "start_quest" | "complete_quest" => {
            let id = p.u32("characterId")?;
            let mut body = json!({"questId": p.u32("questId")?});
            let npc = p.u32("npcId")?;
            if npc != 0 {
                body["npcId"] = json!(npc);
            }
            let kind = if action == "start_quest" { "START" } else { "COMPLETE" };
            if action == "complete_quest" && p.bool("force")? {
                body["force"] = json!(true);
            }
            let value = json!({"transactionId": t, "worldId": p.u8("worldId")?, "characterId": id, "type": kind, "body": body});
            one(Command { topic: "COMMAND_TOPIC_QUEST", key: id, value })
        }
        "apply_consumable_effect" => {
            let id = p.u32("characterId")?;
            let value = json!({"transactionId": t, "worldId": p.u8("worldId")?, "channelId": p.u8("channelId")?, "characterId": id,
                "type": "APPLY_CONSUMABLE_EFFECT", "body": {"itemId": p.u32("itemId")?}});
            one(Command { topic: "COMMAND_TOPIC_CONSUMABLE", key: id, value })
        }
        "award_currency" => {
            let account = p.u32("accountId")?;
            let _ = p.u32("characterId")?;
            let value = json!({"transactionId": t, "accountId": account, "currencyType": p.u32("currencyType")?, "amount": p.i32("amount")?, "type": "ADJUST_CURRENCY"});
            one(Command { topic: "COMMAND_TOPIC_WALLET", key: account, value })
        }
        "send_message" => one(system_message(t, p, "SEND_MESSAGE", json!({"messageType": p.str("messageType")?, "message": p.str("message")?}))?),
        "play_portal_sound" => one(system_message(t, p, "PLAY_PORTAL_SOUND", json!({}))?),
        "show_info" => one(system_message(t, p, "SHOW_INFO", json!({"path": p.str("path")?}))?),
        "show_info_text" => one(system_message(t, p, "SHOW_INFO_TEXT", json!({"text": p.str("text")?}))?),
        "update_area_info" => one(system_message(t, p, "UPDATE_AREA_INFO", json!({"area": p.u16("area")?, "info": p.str("info")?}))?),
        "show_hint" => one(system_message(t, p, "SHOW_HINT", json!({"hint": p.str("hint")?, "width": p.u16("width")?, "height": p.u16("height")?}))?),
        "block_portal" | "unblock_portal" => {
            let id = p.u32("characterId")?;
            let kind = if action == "block_portal" { "BLOCK" } else { "UNBLOCK" };
            let value = json!({"worldId": 0, "channelId": 0, "mapId": p.u32("mapId")?, "portalId": p.u32("portalId")?, "type": kind, "body": {"characterId": id}});
            one(Command { topic: "COMMAND_TOPIC_PORTAL", key: id, value })
        }
        "cancel_all_buffs" => {
            let id = p.u32("characterId")?;
            let value = json!({"worldId": p.u8("worldId")?, "channelId": p.u8("channelId")?, "characterId": id, "type": "CANCEL_ALL", "body": {}});
            one(Command { topic: "COMMAND_TOPIC_CHARACTER_BUFF", key: id, value })
        }
        "show_storage" => {
            let id = p.u32("characterId")?;
            let value = json!({"transactionId": t, "worldId": p.u8("worldId")?, "channelId": p.u8("channelId")?, "characterId": id,
                "npcId": p.u32("npcId")?, "accountId": p.u32("accountId")?, "type": "SHOW_STORAGE"});
            one(Command { topic: "COMMAND_TOPIC_STORAGE_SHOW", key: id, value })
        }
        "update_storage_mesos" => {
            let account = p.u32("accountId")?;
            let value = json!({"transactionId": t, "worldId": p.u8("worldId")?, "accountId": account, "type": "UPDATE_MESOS",
                "body": {"mesos": p.u32("mesos")?, "operation": p.str("operation")?}});
            one(Command { topic: "COMMAND_TOPIC_STORAGE", key: account, value })
        }
        "deposit_to_storage" => {
            let account = p.u32("accountId")?;
            let mut data = json!({});
            for (key, value) in [("quantity", p.u32("quantity")?), ("ownerId", p.u32("ownerId")?), ("flag", u32::from(p.u16("flag")?))] {
                if value != 0 {
                    data[key] = json!(value);
                }
            }
            let body = json!({"slot": p.i16("slot")?, "templateId": p.u32("templateId")?, "expiration": p.time("expiration")?,
                "referenceId": p.u32("referenceId")?, "referenceType": p.str("referenceType")?, "referenceData": data});
            let value = json!({"transactionId": t, "worldId": p.u8("worldId")?, "accountId": account, "type": "DEPOSIT", "body": body});
            one(Command { topic: "COMMAND_TOPIC_STORAGE", key: account, value })
        }
        "accept_to_storage" => {
            let account = p.u32("accountId")?;
            let body = json!({"transactionId": internal(t, p)?, "slot": -1, "templateId": p.u32("templateId")?,
                "referenceId": p.u32("referenceId")?, "referenceType": p.str("referenceType")?, "quantity": p.u32("quantity")?});
            let body = omit_empty(body, "referenceData", p.raw("referenceData"));
            one(storage_compartment(p, account, "ACCEPT", body)?)
        }
        "release_from_storage" => {
            let account = p.u32("accountId")?;
            let body = json!({"transactionId": internal(t, p)?, "assetId": p.u32("assetId")?, "quantity": p.u32("quantity")?});
            one(storage_compartment(p, account, "RELEASE", body)?)
        }
        "accept_to_cash_shop" | "release_from_cash_shop" => {
            let id = p.u32("characterId")?;
            let own = internal(t, p)?;
            let (kind, body) = if action == "accept_to_cash_shop" {
                let body = json!({"transactionId": own, "compartmentId": p.uuid("compartmentId")?, "cashId": p.i64("cashId")?,
                    "templateId": p.u32("templateId")?, "referenceId": p.u32("referenceId")?, "referenceType": p.str("referenceType")?});
                ("ACCEPT", omit_empty(body, "referenceData", p.raw("referenceData")))
            } else {
                ("RELEASE", json!({"transactionId": own, "compartmentId": p.uuid("compartmentId")?, "assetId": p.u32("assetId")?,
                    "cashId": p.i64("cashId")?, "templateId": p.u32("templateId")?}))
            };
            let value = json!({"accountId": p.u32("accountId")?, "characterId": id, "compartmentType": p.u8("compartmentType")?, "type": kind, "body": body});
            one(Command { topic: "COMMAND_TOPIC_CASH_COMPARTMENT", key: id, value })
        }
        _ => Ok(None),
    }
}

/// Checks a payload against its action's schema, for the actions dispatched by look-ups.
pub fn check_lookup_payload(action: &str, p: &Payload) -> Result<(), String> {
    match action {
        "destroy_asset" => (p.u32("characterId")?, p.u32("templateId")?, p.u32("quantity")?, p.bool("removeAll")?).0,
        "warp_to_random_portal" | "warp_to_portal" => {
            let _ = (p.str("fieldId")?, p.u8("worldId")?, p.u8("channelId")?, p.u32("mapId")?, p.u32("portalId")?, p.str("portalName")?);
            p.u32("characterId")?
        }
        "validate_character_state" => {
            for c in p.array("conditions")? {
                let _ = (c.str("type")?, c.str("operator")?, c.i64("value")?, c.u32("itemId")?);
            }
            p.u32("characterId")?
        }
        "transfer_to_storage" | "withdraw_from_storage" => {
            let _ = (p.uuid("transactionId")?, p.u8("worldId")?, p.u32("accountId")?, p.i16("sourceSlot")?, p.u32("quantity")?);
            let _ = (p.u8("sourceInventoryType")?, p.u8("inventoryType")?);
            p.u32("characterId")?
        }
        "transfer_to_cash_shop" | "withdraw_from_cash_shop" => {
            let _ = (p.uuid("transactionId")?, p.u32("accountId")?, p.u8("compartmentType")?, p.u8("sourceInventoryType")?, p.u8("inventoryType")?);
            p.u32("characterId")?
        }
        "spawn_monster" => {
            let _ = (p.u8("worldId")?, p.u8("channelId")?, p.u32("mapId")?, p.u32("monsterId")?, p.i16("x")?, p.i16("y")?, p.i64("count")?);
            p.u32("characterId")?
        }
        "spawn_reactor_drops" => {
            let _ = (p.u8("worldId")?, p.u8("channelId")?, p.u32("mapId")?, p.u32("reactorId")?, p.str("classification")?);
            let _ = (p.i16("x")?, p.i16("y")?, p.str("dropType")?, p.bool("meso")?, p.u32("mesoChance")?, p.u32("mesoMin")?, p.u32("mesoMax")?, p.u32("minItems")?);
            p.u32("characterId")?
        }
        other => return Err(format!("unknown action {other}")),
    };
    Ok(())
}

/// How a status event bears on the current step (§4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Completes,
    Fails,
}

/// `topic` is the event topic's variable; `event` its whole value.
pub fn verdict(action: &str, p: &Payload, topic: &str, kind: &str, event: &Value) -> Option<Verdict> {
    use Verdict::*;
    let updates_has = |name: &str| event["body"]["updates"].as_array().is_some_and(|u| u.iter().any(|v| v == name));
    // The step's template: its item's where the payload has an item (award, create), else
    // the payload's own `templateId` (destroy_asset).
    let template = match p.0.get("item").filter(|item| item.is_object()) {
        Some(_) => p.object("item").and_then(|item| item.u32("templateId")),
        None => p.u32("templateId"),
    };
    let same_template = || template.clone().ok().is_none_or(|t| t == 0 || event["templateId"].as_u64() == Some(u64::from(t)));
    match (topic, kind) {
        ("EVENT_TOPIC_COMPARTMENT_STATUS", "ERROR") if matches!(action, "award_asset" | "award_inventory" | "create_and_equip_asset"
            | "destroy_asset" | "equip_asset" | "unequip_asset" | "accept_to_character" | "release_from_character") => Some(Fails),
        ("EVENT_TOPIC_COMPARTMENT_STATUS", "CREATION_FAILED") if matches!(action, "award_asset" | "award_inventory" | "create_and_equip_asset") => Some(Fails),
        ("EVENT_TOPIC_ASSET_STATUS", "CREATED") if matches!(action, "award_asset" | "award_inventory" | "create_and_equip_asset") && same_template() => Some(Completes),
        ("EVENT_TOPIC_ASSET_STATUS", "QUANTITY_CHANGED") if matches!(action, "award_asset" | "award_inventory" | "destroy_asset") && same_template() => Some(Completes),
        ("EVENT_TOPIC_ASSET_STATUS", "DELETED") if action == "destroy_asset" && same_template() => Some(Completes),
        ("EVENT_TOPIC_ASSET_STATUS", "MOVED") if matches!(action, "equip_asset" | "unequip_asset") => {
            let source = p.i16("source").ok().map(i64::from);
            let touched = [event["slot"].as_i64(), event["body"]["oldSlot"].as_i64()];
            touched.contains(&source).then_some(Completes)
        }
        ("EVENT_TOPIC_COMPARTMENT_STATUS", "ACCEPTED") if action == "accept_to_character" => Some(Completes),
        ("EVENT_TOPIC_COMPARTMENT_STATUS", "RELEASED") if action == "release_from_character" => Some(Completes),
        ("EVENT_TOPIC_CHARACTER_STATUS", "ERROR") if matches!(action, "warp_to_random_portal" | "warp_to_portal" | "award_experience"
            | "deduct_experience" | "award_level" | "award_mesos" | "change_job" | "award_fame" | "change_hair" | "change_face"
            | "change_skin" | "set_hp" | "create_character") => Some(Fails),
        ("EVENT_TOPIC_CHARACTER_STATUS", "MAP_CHANGED") if matches!(action, "warp_to_random_portal" | "warp_to_portal") => Some(Completes),
        ("EVENT_TOPIC_CHARACTER_STATUS", "EXPERIENCE_CHANGED") if matches!(action, "award_experience" | "deduct_experience") => Some(Completes),
        ("EVENT_TOPIC_CHARACTER_STATUS", "LEVEL_CHANGED") if action == "award_level" => Some(Completes),
        ("EVENT_TOPIC_CHARACTER_STATUS", "MESO_CHANGED") if action == "award_mesos" => Some(Completes),
        ("EVENT_TOPIC_CHARACTER_STATUS", "JOB_CHANGED") if action == "change_job" => Some(Completes),
        ("EVENT_TOPIC_CHARACTER_STATUS", "STAT_CHANGED") => {
            let wanted = match action {
                "award_fame" => "FAME",
                "change_hair" => "HAIR",
                "change_face" => "FACE",
                "change_skin" => "SKIN_COLOR",
                "set_hp" => "HP",
                _ => return None,
            };
            updates_has(wanted).then_some(Completes)
        }
        ("EVENT_TOPIC_CHARACTER_STATUS", "CREATED") if action == "create_character" => Some(Completes),
        ("EVENT_TOPIC_CHARACTER_STATUS", "CREATION_FAILED") if action == "create_character" => Some(Fails),
        ("EVENT_TOPIC_SKILL_STATUS", "CREATED") if action == "create_skill" => Some(Completes),
        ("EVENT_TOPIC_SKILL_STATUS", "UPDATED") if action == "update_skill" => Some(Completes),
        ("EVENT_TOPIC_GUILD_STATUS", k) => match (action, k) {
            ("request_guild_name", "REQUEST_AGREEMENT" | "CREATED")
            | ("request_guild_emblem", "EMBLEM_UPDATED")
            | ("request_guild_disband", "DISBANDED")
            | ("request_guild_capacity_increase", "CAPACITY_UPDATED") => Some(Completes),
            (a, "ERROR") if a.starts_with("request_guild_") => Some(Fails),
            _ => None,
        },
        ("EVENT_TOPIC_INVITE_STATUS", "CREATED" | "ACCEPTED") if action == "create_invite" => Some(Completes),
        ("EVENT_TOPIC_INVITE_STATUS", "REJECTED") if action == "create_invite" => Some(Fails),
        ("EVENT_TOPIC_BUDDY_LIST_STATUS", "CAPACITY_CHANGE") if action == "increase_buddy_capacity" => Some(Completes),
        ("EVENT_TOPIC_PET_STATUS", "CLOSENESS_CHANGED") if action == "gain_closeness" => Some(Completes),
        ("EVENT_TOPIC_CONSUMABLE_STATUS", "EFFECT_APPLIED") if action == "apply_consumable_effect" => Some(Completes),
        ("EVENT_TOPIC_WALLET_STATUS", "UPDATED") if action == "award_currency" => Some(Completes),
        ("EVENT_TOPIC_QUEST_STATUS", "STARTED") if action == "start_quest" => Some(Completes),
        ("EVENT_TOPIC_QUEST_STATUS", "COMPLETED") if action == "complete_quest" => Some(Completes),
        ("EVENT_TOPIC_QUEST_STATUS", "ERROR") if matches!(action, "start_quest" | "complete_quest") => Some(Fails),
        ("EVENT_TOPIC_STORAGE_STATUS", "MESOS_UPDATED") if action == "update_storage_mesos" => Some(Completes),
        ("EVENT_TOPIC_STORAGE_STATUS", "DEPOSITED") if action == "deposit_to_storage" => Some(Completes),
        ("EVENT_TOPIC_STORAGE_STATUS", "ERROR") if matches!(action, "update_storage_mesos" | "deposit_to_storage") => Some(Fails),
        ("EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS", "ACCEPTED") if action == "accept_to_storage" => Some(Completes),
        ("EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS", "RELEASED") if action == "release_from_storage" => Some(Completes),
        ("EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS", "ERROR") if matches!(action, "accept_to_storage" | "release_from_storage") => Some(Fails),
        ("EVENT_TOPIC_CASH_COMPARTMENT_STATUS", "ACCEPTED") if action == "accept_to_cash_shop" => Some(Completes),
        ("EVENT_TOPIC_CASH_COMPARTMENT_STATUS", "RELEASED") if action == "release_from_cash_shop" => Some(Completes),
        ("EVENT_TOPIC_CASH_COMPARTMENT_STATUS", "ERROR") if matches!(action, "accept_to_cash_shop" | "release_from_cash_shop") => Some(Fails),
        _ => None,
    }
}

/// §7.1: the inverse of a completed step, if its action has one.
pub fn inverse(action: &str, p: &Payload, t: Uuid, created_slot: Option<i16>) -> Option<Command> {
    match action {
        "equip_asset" => equip(t, p, "UNEQUIP", true).ok(),
        "unequip_asset" => equip(t, p, "EQUIP", true).ok(),
        "create_and_equip_asset" => {
            let item = p.object("item").ok()?;
            let inventory = inventory_type(item.u32("templateId").ok()?).ok()?;
            let body = json!({"slot": created_slot.unwrap_or_default(), "quantity": item.u32("quantity").ok()?, "removeAll": false});
            Some(compartment(t, p.u32("characterId").ok()?, inventory, "DESTROY", body))
        }
        _ => None,
    }
}

/// §8.2 reason and §8.3 error code of a failed step.
pub fn failure(action: &str, step: &str, saga_type: &str) -> (String, &'static str) {
    let reason = match action {
        "validate_character_state" => "Validation failed".to_string(),
        "award_mesos" | "accept_to_storage" | "accept_to_character" | "release_from_storage" | "release_from_character" => {
            format!("Storage operation failed at step [{step}] action [{action}]")
        }
        _ => format!("Saga step failed at step [{step}] action [{action}]"),
    };
    let code = match (saga_type, action) {
        ("storage_operation", "award_mesos") => "NOT_ENOUGH_MESOS",
        ("storage_operation", "accept_to_character") => "INVENTORY_FULL",
        ("storage_operation", "accept_to_storage") => "STORAGE_FULL",
        _ => "UNKNOWN",
    };
    (reason, code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_compartment_commands_omit_a_zero_character() {
        let t = Uuid::nil();
        for action in ["accept_to_storage", "release_from_storage"] {
            let without = command(action, &Payload(&json!({"accountId": 7, "characterId": 0})), t).expect("fits").expect("a command");
            assert!(without[0].value.get("characterId").is_none(), "{action}: {}", without[0].value);
            let with = command(action, &Payload(&json!({"accountId": 7, "characterId": 4110})), t).expect("fits").expect("a command");
            assert_eq!(with[0].value["characterId"], 4110, "{action}");
        }
    }

    const C: &str = "EVENT_TOPIC_CHARACTER_STATUS";
    const A: &str = "EVENT_TOPIC_ASSET_STATUS";
    const K: &str = "EVENT_TOPIC_COMPARTMENT_STATUS";

    /// (action, command topic, command type, completing event, failing event).
    const TABLE: &[(&str, &str, &str, Option<(&str, &str)>, Option<(&str, &str)>)] = &[
        ("award_asset", "COMMAND_TOPIC_COMPARTMENT", "CREATE_ASSET", Some((A, "CREATED")), Some((K, "CREATION_FAILED"))),
        ("award_inventory", "COMMAND_TOPIC_COMPARTMENT", "CREATE_ASSET", Some((A, "QUANTITY_CHANGED")), Some((K, "ERROR"))),
        ("create_and_equip_asset", "COMMAND_TOPIC_COMPARTMENT", "CREATE_ASSET", Some((A, "CREATED")), Some((K, "ERROR"))),
        ("equip_asset", "COMMAND_TOPIC_COMPARTMENT", "EQUIP", Some((A, "MOVED")), Some((K, "ERROR"))),
        ("unequip_asset", "COMMAND_TOPIC_COMPARTMENT", "UNEQUIP", Some((A, "MOVED")), Some((K, "ERROR"))),
        ("accept_to_character", "COMMAND_TOPIC_COMPARTMENT", "ACCEPT", Some((K, "ACCEPTED")), Some((K, "ERROR"))),
        ("release_from_character", "COMMAND_TOPIC_COMPARTMENT", "RELEASE", Some((K, "RELEASED")), Some((K, "ERROR"))),
        ("award_experience", "COMMAND_TOPIC_CHARACTER", "AWARD_EXPERIENCE", Some((C, "EXPERIENCE_CHANGED")), Some((C, "ERROR"))),
        ("deduct_experience", "COMMAND_TOPIC_CHARACTER", "DEDUCT_EXPERIENCE", Some((C, "EXPERIENCE_CHANGED")), Some((C, "ERROR"))),
        ("award_level", "COMMAND_TOPIC_CHARACTER", "AWARD_LEVEL", Some((C, "LEVEL_CHANGED")), Some((C, "ERROR"))),
        ("award_mesos", "COMMAND_TOPIC_CHARACTER", "REQUEST_CHANGE_MESO", Some((C, "MESO_CHANGED")), Some((C, "ERROR"))),
        ("award_fame", "COMMAND_TOPIC_CHARACTER", "REQUEST_CHANGE_FAME", Some((C, "STAT_CHANGED")), Some((C, "ERROR"))),
        ("change_job", "COMMAND_TOPIC_CHARACTER", "CHANGE_JOB", Some((C, "JOB_CHANGED")), Some((C, "ERROR"))),
        ("change_hair", "COMMAND_TOPIC_CHARACTER", "CHANGE_HAIR", Some((C, "STAT_CHANGED")), Some((C, "ERROR"))),
        ("change_face", "COMMAND_TOPIC_CHARACTER", "CHANGE_FACE", Some((C, "STAT_CHANGED")), Some((C, "ERROR"))),
        ("change_skin", "COMMAND_TOPIC_CHARACTER", "CHANGE_SKIN", Some((C, "STAT_CHANGED")), Some((C, "ERROR"))),
        ("set_hp", "COMMAND_TOPIC_CHARACTER", "SET_HP", Some((C, "STAT_CHANGED")), Some((C, "ERROR"))),
        ("create_character", "COMMAND_TOPIC_CHARACTER", "CREATE_CHARACTER", Some((C, "CREATED")), Some((C, "CREATION_FAILED"))),
        ("create_skill", "COMMAND_TOPIC_SKILL", "REQUEST_CREATE", Some(("EVENT_TOPIC_SKILL_STATUS", "CREATED")), None),
        ("update_skill", "COMMAND_TOPIC_SKILL", "REQUEST_UPDATE", Some(("EVENT_TOPIC_SKILL_STATUS", "UPDATED")), None),
        ("request_guild_name", "COMMAND_TOPIC_GUILD", "REQUEST_NAME", Some(("EVENT_TOPIC_GUILD_STATUS", "REQUEST_AGREEMENT")), Some(("EVENT_TOPIC_GUILD_STATUS", "ERROR"))),
        ("request_guild_emblem", "COMMAND_TOPIC_GUILD", "REQUEST_EMBLEM", Some(("EVENT_TOPIC_GUILD_STATUS", "EMBLEM_UPDATED")), Some(("EVENT_TOPIC_GUILD_STATUS", "ERROR"))),
        ("request_guild_disband", "COMMAND_TOPIC_GUILD", "REQUEST_DISBAND", Some(("EVENT_TOPIC_GUILD_STATUS", "DISBANDED")), Some(("EVENT_TOPIC_GUILD_STATUS", "ERROR"))),
        ("request_guild_capacity_increase", "COMMAND_TOPIC_GUILD", "REQUEST_CAPACITY_INCREASE", Some(("EVENT_TOPIC_GUILD_STATUS", "CAPACITY_UPDATED")), Some(("EVENT_TOPIC_GUILD_STATUS", "ERROR"))),
        ("create_invite", "COMMAND_TOPIC_INVITE", "CREATE", Some(("EVENT_TOPIC_INVITE_STATUS", "ACCEPTED")), Some(("EVENT_TOPIC_INVITE_STATUS", "REJECTED"))),
        ("increase_buddy_capacity", "COMMAND_TOPIC_BUDDY_LIST", "INCREASE_CAPACITY", Some(("EVENT_TOPIC_BUDDY_LIST_STATUS", "CAPACITY_CHANGE")), None),
        ("gain_closeness", "COMMAND_TOPIC_PET", "AWARD_CLOSENESS", Some(("EVENT_TOPIC_PET_STATUS", "CLOSENESS_CHANGED")), None),
        ("start_quest", "COMMAND_TOPIC_QUEST", "START", Some(("EVENT_TOPIC_QUEST_STATUS", "STARTED")), Some(("EVENT_TOPIC_QUEST_STATUS", "ERROR"))),
        ("complete_quest", "COMMAND_TOPIC_QUEST", "COMPLETE", Some(("EVENT_TOPIC_QUEST_STATUS", "COMPLETED")), Some(("EVENT_TOPIC_QUEST_STATUS", "ERROR"))),
        ("apply_consumable_effect", "COMMAND_TOPIC_CONSUMABLE", "APPLY_CONSUMABLE_EFFECT", Some(("EVENT_TOPIC_CONSUMABLE_STATUS", "EFFECT_APPLIED")), None),
        ("award_currency", "COMMAND_TOPIC_WALLET", "ADJUST_CURRENCY", Some(("EVENT_TOPIC_WALLET_STATUS", "UPDATED")), None),
        ("send_message", "COMMAND_TOPIC_SYSTEM_MESSAGE", "SEND_MESSAGE", None, None),
        ("play_portal_sound", "COMMAND_TOPIC_SYSTEM_MESSAGE", "PLAY_PORTAL_SOUND", None, None),
        ("show_info", "COMMAND_TOPIC_SYSTEM_MESSAGE", "SHOW_INFO", None, None),
        ("show_info_text", "COMMAND_TOPIC_SYSTEM_MESSAGE", "SHOW_INFO_TEXT", None, None),
        ("update_area_info", "COMMAND_TOPIC_SYSTEM_MESSAGE", "UPDATE_AREA_INFO", None, None),
        ("show_hint", "COMMAND_TOPIC_SYSTEM_MESSAGE", "SHOW_HINT", None, None),
        ("block_portal", "COMMAND_TOPIC_PORTAL", "BLOCK", None, None),
        ("unblock_portal", "COMMAND_TOPIC_PORTAL", "UNBLOCK", None, None),
        ("cancel_all_buffs", "COMMAND_TOPIC_CHARACTER_BUFF", "CANCEL_ALL", None, None),
        ("show_storage", "COMMAND_TOPIC_STORAGE_SHOW", "SHOW_STORAGE", None, None),
        ("update_storage_mesos", "COMMAND_TOPIC_STORAGE", "UPDATE_MESOS", Some(("EVENT_TOPIC_STORAGE_STATUS", "MESOS_UPDATED")), Some(("EVENT_TOPIC_STORAGE_STATUS", "ERROR"))),
        ("deposit_to_storage", "COMMAND_TOPIC_STORAGE", "DEPOSIT", Some(("EVENT_TOPIC_STORAGE_STATUS", "DEPOSITED")), Some(("EVENT_TOPIC_STORAGE_STATUS", "ERROR"))),
        ("accept_to_storage", "COMMAND_TOPIC_STORAGE_COMPARTMENT", "ACCEPT", Some(("EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS", "ACCEPTED")), Some(("EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS", "ERROR"))),
        ("release_from_storage", "COMMAND_TOPIC_STORAGE_COMPARTMENT", "RELEASE", Some(("EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS", "RELEASED")), Some(("EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS", "ERROR"))),
        ("accept_to_cash_shop", "COMMAND_TOPIC_CASH_COMPARTMENT", "ACCEPT", Some(("EVENT_TOPIC_CASH_COMPARTMENT_STATUS", "ACCEPTED")), Some(("EVENT_TOPIC_CASH_COMPARTMENT_STATUS", "ERROR"))),
        ("release_from_cash_shop", "COMMAND_TOPIC_CASH_COMPARTMENT", "RELEASE", Some(("EVENT_TOPIC_CASH_COMPARTMENT_STATUS", "RELEASED")), Some(("EVENT_TOPIC_CASH_COMPARTMENT_STATUS", "ERROR"))),
    ];

    #[test]
    fn each_action_has_its_command_completion_failure_and_compensation() {
        let t = Uuid::new_v4();
        let payload = json!({"characterId": 7, "accountId": 9, "referenceId": 11, "petId": 13, "source": 3, "destination": -5,
            "inventoryType": 1, "item": {"templateId": 1302000, "quantity": 1}, "templateId": 1302000,
            "body": {"updates": ["FAME", "HAIR", "FACE", "SKIN_COLOR", "HP"]}});
        let p = Payload(&payload);
        for (action, topic, kind, completes, fails) in TABLE {
            let commands = command(action, &p, t).unwrap_or_else(|e| panic!("{action}: {e}")).expect("a pure action");
            assert_eq!(commands[0].topic, *topic, "{action}");
            assert_eq!(commands[0].value["type"], *kind, "{action}");
            assert_eq!(synchronous(action), completes.is_none(), "{action} is synchronous exactly when no event completes it");
            let event = |topic_kind: &(&str, &str)| {
                let updates = match *action {
                    "award_fame" => "FAME",
                    "change_hair" => "HAIR",
                    "change_face" => "FACE",
                    "change_skin" => "SKIN_COLOR",
                    _ => "HP",
                };
                json!({"type": topic_kind.1, "slot": 3, "templateId": 1302000, "body": {"oldSlot": -5, "updates": [updates]}})
            };
            if let Some(c) = completes {
                assert_eq!(verdict(action, &p, c.0, c.1, &event(c)), Some(Verdict::Completes), "{action} completes on {c:?}");
            }
            if let Some(f) = fails {
                assert_eq!(verdict(action, &p, f.0, f.1, &event(f)), Some(Verdict::Fails), "{action} fails on {f:?}");
            }
            // An unrelated event type never bears on the step.
            assert_eq!(verdict(action, &p, C, "LOGIN", &json!({"type": "LOGIN"})), None, "{action}");
            let inverse_kind = inverse(action, &p, t, Some(4)).map(|c| c.value["type"].as_str().unwrap_or_default().to_string());
            let expected = match *action {
                "equip_asset" => Some("UNEQUIP"),
                "unequip_asset" => Some("EQUIP"),
                "create_and_equip_asset" => Some("DESTROY"),
                _ => None,
            };
            assert_eq!(inverse_kind.as_deref(), expected, "{action}'s compensation");
        }
    }

    #[test]
    fn equip_completion_accepts_either_moved_orientation_and_compensation_swaps_slots() {
        let payload = json!({"characterId": 7, "inventoryType": 1, "source": 9, "destination": -11});
        let p = Payload(&payload);
        let seed_era = json!({"type": "MOVED", "slot": 9, "body": {"oldSlot": -11}});
        let fixed = json!({"type": "MOVED", "slot": -11, "body": {"oldSlot": 9}});
        let other = json!({"type": "MOVED", "slot": -5, "body": {"oldSlot": 4}});
        assert_eq!(verdict("equip_asset", &p, A, "MOVED", &seed_era), Some(Verdict::Completes));
        assert_eq!(verdict("equip_asset", &p, A, "MOVED", &fixed), Some(Verdict::Completes));
        assert_eq!(verdict("equip_asset", &p, A, "MOVED", &other), None);
        let undo = inverse("equip_asset", &p, Uuid::nil(), None).expect("an inverse");
        assert_eq!(undo.value["body"], json!({"inventoryType": 0, "source": -11, "destination": 9}));
    }

    #[test]
    fn failure_reasons_and_codes() {
        assert_eq!(failure("award_mesos", "s", "storage_operation"), ("Storage operation failed at step [s] action [award_mesos]".into(), "NOT_ENOUGH_MESOS"));
        assert_eq!(failure("award_mesos", "s", "quest_reward").1, "UNKNOWN");
        assert_eq!(failure("validate_character_state", "v", "x").0, "Validation failed");
        assert_eq!(failure("set_hp", "h", "x").0, "Saga step failed at step [h] action [set_hp]");
    }
}
