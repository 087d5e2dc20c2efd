//! Spec 40 §5: the payload of each saga action as a type. A step's payload is decoded into
//! its action's type at intake (the object rule and every field's type checked, so a
//! payload that does not fit refuses the whole document, §3.3 item 1), and REST shows the
//! decoded payload re-encoded, zero values included (§10).

use super::json::{nullable, GoTime};
use super::strict;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// Declares a payload type: every field camelCase on the wire, absent or `null` read as
/// its zero value (Go), always written.
macro_rules! payload {
    ($($(#[$doc:meta])* $name:ident { $($field:ident : $ty:ty),* $(,)? })*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            $(#[serde(default, deserialize_with = "nullable")] pub $field: $ty,)*
        }
    )*};
}

payload! {
    /// The item of `award_asset`, `award_inventory` and `create_and_equip_asset`.
    Item { template_id: u32, quantity: u32, expiration: GoTime }
    /// `award_asset`, `award_inventory`, `create_and_equip_asset`.
    AwardAsset { character_id: u32, item: Item }
    DestroyAsset { character_id: u32, template_id: u32, quantity: u32, remove_all: bool }
    /// `equip_asset`, `unequip_asset`.
    MoveAsset { character_id: u32, inventory_type: u32, source: i16, destination: i16 }
    AcceptToCharacter {
        transaction_id: Uuid, character_id: u32, inventory_type: u8, template_id: u32, reference_id: u32,
        reference_type: String, reference_data: Value, quantity: u32,
    }
    ReleaseFromCharacter { transaction_id: Uuid, character_id: u32, inventory_type: u8, asset_id: u32, quantity: u32 }
    /// `warp_to_random_portal`; the field is `fieldId`, or (later upstream form, FIX-5)
    /// `worldId:channelId:mapId` when `fieldId` is empty.
    WarpToRandomPortal { character_id: u32, field_id: String, world_id: u8, channel_id: u8, map_id: u32 }
    WarpToPortal {
        character_id: u32, field_id: String, world_id: u8, channel_id: u8, map_id: u32, portal_id: u32, portal_name: String,
    }
    Distribution { experience_type: String, amount: u32, attr1: u32 }
    AwardExperience { character_id: u32, world_id: u8, channel_id: u8, distributions: Vec<Distribution> }
    DeductExperience { character_id: u32, world_id: u8, channel_id: u8, amount: u32 }
    AwardLevel { character_id: u32, world_id: u8, channel_id: u8, amount: u8 }
    AwardMesos { character_id: u32, world_id: u8, channel_id: u8, actor_id: u32, actor_type: String, amount: i32 }
    AwardFame { character_id: u32, world_id: u8, channel_id: u8, amount: i16 }
    ChangeJob { character_id: u32, world_id: u8, channel_id: u8, job_id: u16 }
    /// `change_hair`, `change_face`.
    ChangeStyle { character_id: u32, world_id: u8, channel_id: u8, style_id: u32 }
    ChangeSkin { character_id: u32, world_id: u8, channel_id: u8, style_id: u8 }
    SetHp { character_id: u32, world_id: u8, channel_id: u8, amount: u16 }
    CreateCharacter {
        account_id: u32, world_id: u8, name: String, gender: u8, level: u8, strength: u16, dexterity: u16,
        intelligence: u16, luck: u16, job_id: u16, hp: u16, mp: u16, face: u32, hair: u32, skin: u8, top: u32,
        bottom: u32, shoes: u32, weapon: u32, map_id: u32,
    }
    /// `create_skill`, `update_skill`.
    SkillChange { character_id: u32, skill_id: u32, level: u8, master_level: u8, expiration: GoTime }
    /// The four guild requests, `cancel_all_buffs` and `play_portal_sound`: a character
    /// where it is.
    CharacterPlace { character_id: u32, world_id: u8, channel_id: u8 }
    CreateInvite { invite_type: String, originator_id: u32, target_id: u32, reference_id: u32, world_id: u8 }
    IncreaseBuddyCapacity { character_id: u32, world_id: u8, channel_id: u8, amount: u8 }
    GainCloseness { pet_id: u32, amount: u16 }
    StartQuest { character_id: u32, world_id: u8, quest_id: u32, npc_id: u32 }
    CompleteQuest { character_id: u32, world_id: u8, quest_id: u32, npc_id: u32, force: bool }
    ApplyConsumableEffect { character_id: u32, world_id: u8, channel_id: u8, item_id: u32 }
    AwardCurrency { character_id: u32, account_id: u32, currency_type: u32, amount: i32 }
    SendMessage { character_id: u32, world_id: u8, channel_id: u8, message_type: String, message: String }
    ShowInfo { character_id: u32, world_id: u8, channel_id: u8, path: String }
    ShowInfoText { character_id: u32, world_id: u8, channel_id: u8, text: String }
    UpdateAreaInfo { character_id: u32, world_id: u8, channel_id: u8, area: u16, info: String }
    ShowHint { character_id: u32, world_id: u8, channel_id: u8, hint: String, width: u16, height: u16 }
    /// `block_portal`, `unblock_portal`.
    PortalBlock { character_id: u32, map_id: u32, portal_id: u32 }
    ShowStorage { character_id: u32, npc_id: u32, world_id: u8, channel_id: u8, account_id: u32 }
    UpdateStorageMesos { character_id: u32, account_id: u32, world_id: u8, operation: String, mesos: u32 }
    DepositToStorage {
        character_id: u32, account_id: u32, world_id: u8, slot: i16, template_id: u32, reference_id: u32,
        reference_type: String, expiration: GoTime, quantity: u32, owner_id: u32, flag: u16,
    }
    AcceptToStorage {
        transaction_id: Uuid, world_id: u8, account_id: u32, character_id: u32, template_id: u32, reference_id: u32,
        reference_type: String, reference_data: Value, quantity: u32,
    }
    ReleaseFromStorage { transaction_id: Uuid, world_id: u8, account_id: u32, character_id: u32, asset_id: u32, quantity: u32 }
    AcceptToCashShop {
        transaction_id: Uuid, character_id: u32, account_id: u32, compartment_id: Uuid, compartment_type: u8,
        cash_id: i64, template_id: u32, reference_id: u32, reference_type: String, reference_data: Value,
    }
    ReleaseFromCashShop {
        transaction_id: Uuid, character_id: u32, account_id: u32, compartment_id: Uuid, compartment_type: u8,
        asset_id: u32, cash_id: i64, template_id: u32,
    }
    TransferToStorage {
        transaction_id: Uuid, character_id: u32, world_id: u8, account_id: u32, source_slot: i16,
        source_inventory_type: u8, quantity: u32,
    }
    WithdrawFromStorage {
        transaction_id: Uuid, character_id: u32, world_id: u8, account_id: u32, source_slot: i16, inventory_type: u8,
        quantity: u32,
    }
    TransferToCashShop {
        transaction_id: Uuid, character_id: u32, account_id: u32, cash_id: i64, source_inventory_type: u8,
        compartment_type: u8,
    }
    WithdrawFromCashShop {
        transaction_id: Uuid, character_id: u32, account_id: u32, cash_id: u64, compartment_type: u8, inventory_type: u8,
    }
    /// One condition of `validate_character_state` (passed through unchecked).
    Condition { r#type: String, operator: String, value: i64, item_id: u32 }
    ValidateCharacterState { character_id: u32, conditions: Vec<Condition> }
    SpawnMonster {
        character_id: u32, world_id: u8, channel_id: u8, map_id: u32, monster_id: u32, x: i16, y: i16, team: i8, count: i64,
    }
    SpawnReactorDrops {
        character_id: u32, world_id: u8, channel_id: u8, map_id: u32, reactor_id: u32, classification: String, x: i16,
        y: i16, drop_type: String, meso: bool, meso_chance: u32, meso_min: u32, meso_max: u32, min_items: u32,
    }
}

/// Decodes `payload` as `T` and writes it back.
fn through<T: serde::de::DeserializeOwned + Serialize>(payload: &Value) -> Result<Value, String> {
    let decoded: T = strict::from_value(payload.clone())?;
    serde_json::to_value(decoded).map_err(|e| e.to_string())
}

/// The payload of `action` decoded and re-encoded with every field of its type (zero values
/// included); an error when the action is unknown or the payload does not fit it.
pub fn canonical(action: &str, payload: &Value) -> Result<Value, String> {
    match action {
        "award_asset" | "award_inventory" | "create_and_equip_asset" => through::<AwardAsset>(payload),
        "destroy_asset" => through::<DestroyAsset>(payload),
        "equip_asset" | "unequip_asset" => through::<MoveAsset>(payload),
        "accept_to_character" => through::<AcceptToCharacter>(payload),
        "release_from_character" => through::<ReleaseFromCharacter>(payload),
        "warp_to_random_portal" => through::<WarpToRandomPortal>(payload),
        "warp_to_portal" => through::<WarpToPortal>(payload),
        "award_experience" => through::<AwardExperience>(payload),
        "deduct_experience" => through::<DeductExperience>(payload),
        "award_level" => through::<AwardLevel>(payload),
        "award_mesos" => through::<AwardMesos>(payload),
        "award_fame" => through::<AwardFame>(payload),
        "change_job" => through::<ChangeJob>(payload),
        "change_hair" | "change_face" => through::<ChangeStyle>(payload),
        "change_skin" => through::<ChangeSkin>(payload),
        "set_hp" => through::<SetHp>(payload),
        "create_character" => through::<CreateCharacter>(payload),
        "create_skill" | "update_skill" => through::<SkillChange>(payload),
        "request_guild_name" | "request_guild_emblem" | "request_guild_disband" | "request_guild_capacity_increase"
        | "cancel_all_buffs" | "play_portal_sound" => through::<CharacterPlace>(payload),
        "create_invite" => through::<CreateInvite>(payload),
        "increase_buddy_capacity" => through::<IncreaseBuddyCapacity>(payload),
        "gain_closeness" => through::<GainCloseness>(payload),
        "start_quest" => through::<StartQuest>(payload),
        "complete_quest" => through::<CompleteQuest>(payload),
        "apply_consumable_effect" => through::<ApplyConsumableEffect>(payload),
        "award_currency" => through::<AwardCurrency>(payload),
        "send_message" => through::<SendMessage>(payload),
        "show_info" => through::<ShowInfo>(payload),
        "show_info_text" => through::<ShowInfoText>(payload),
        "update_area_info" => through::<UpdateAreaInfo>(payload),
        "show_hint" => through::<ShowHint>(payload),
        "block_portal" | "unblock_portal" => through::<PortalBlock>(payload),
        "show_storage" => through::<ShowStorage>(payload),
        "update_storage_mesos" => through::<UpdateStorageMesos>(payload),
        "deposit_to_storage" => through::<DepositToStorage>(payload),
        "accept_to_storage" => through::<AcceptToStorage>(payload),
        "release_from_storage" => through::<ReleaseFromStorage>(payload),
        "accept_to_cash_shop" => through::<AcceptToCashShop>(payload),
        "release_from_cash_shop" => through::<ReleaseFromCashShop>(payload),
        "transfer_to_storage" => through::<TransferToStorage>(payload),
        "withdraw_from_storage" => through::<WithdrawFromStorage>(payload),
        "transfer_to_cash_shop" => through::<TransferToCashShop>(payload),
        "withdraw_from_cash_shop" => through::<WithdrawFromCashShop>(payload),
        "validate_character_state" => through::<ValidateCharacterState>(payload),
        "spawn_monster" => through::<SpawnMonster>(payload),
        "spawn_reactor_drops" => through::<SpawnReactorDrops>(payload),
        other => Err(format!("unknown action {other:?}")),
    }
}

/// The character a payload names, for the actions whose payload has one (FAILED's
/// `characterId`, §8.2); 0 for the others.
pub fn character_id(action: &str, payload: &Value) -> u32 {
    let has_character = !matches!(action, "create_invite" | "gain_closeness" | "create_character");
    match canonical(action, payload) {
        Ok(decoded) if has_character => decoded.get("characterId").and_then(Value::as_u64).and_then(|id| u32::try_from(id).ok()).unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_rest_example_re_encodes_with_zero_values() {
        let payload = json!({"characterId": 4101, "item": {"templateId": 2000000, "quantity": 5}});
        assert_eq!(
            canonical("award_asset", &payload).expect("fits"),
            json!({"characterId": 4101, "item": {"templateId": 2000000, "quantity": 5, "expiration": "0001-01-01T00:00:00Z"}})
        );
        let warp = canonical("warp_to_portal", &json!({"characterId": 1, "fieldId": "0:1:100000000:00000000-0000-0000-0000-000000000000"}))
            .expect("fits");
        assert_eq!(warp["portalName"], "");
        assert_eq!(warp["worldId"], 0);
        let mesos = canonical("award_mesos", &json!({"characterId": 1, "amount": -5})).expect("fits");
        assert_eq!(mesos["actorType"], "");
        let accept = canonical("accept_to_character", &json!({})).expect("fits");
        assert_eq!(accept["referenceData"], Value::Null);
        assert_eq!(accept["transactionId"], "00000000-0000-0000-0000-000000000000");
    }

    #[test]
    fn payloads_that_do_not_fit_are_refused_with_their_path() {
        for (action, payload, path) in [
            ("play_portal_sound", json!([1, 2, 3]), "object"),
            ("award_asset", json!({"item": [2000000, 5]}), "item"),
            ("award_experience", json!({"distributions": [["WHITE", 5, 0]]}), "distributions[0]"),
            ("validate_character_state", json!({"conditions": [{"value": "5"}]}), "conditions[0].value"),
            ("award_level", json!({"amount": 256}), "amount"),
            ("spawn_monster", json!({"team": 128}), "team"),
            ("fly", json!({}), "unknown action"),
        ] {
            let error = canonical(action, &payload).expect_err("refused");
            assert!(error.contains(path), "{action} {payload}: {error}");
        }
    }

    #[test]
    fn failed_names_the_payloads_character_only_where_it_has_one() {
        assert_eq!(character_id("award_mesos", &json!({"characterId": 7})), 7);
        assert_eq!(character_id("gain_closeness", &json!({"characterId": 7, "petId": 1})), 0);
        assert_eq!(character_id("award_mesos", &json!({"characterId": "7"})), 0);
    }
}
