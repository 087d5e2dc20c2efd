//! Spec 40 §5: the payload of each saga action as a type. A step's payload is decoded into
//! its action's type at intake (the object rule and every field's type checked, so a
//! payload that does not fit refuses the whole document, §3.3 item 1), and REST shows the
//! decoded payload re-encoded, zero values included (§10). [`Action`] pairs each action
//! with its payload type.

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

/// Declares the action enum: one variant per action of §5.1 with its payload type, and the
/// action's wire name.
macro_rules! actions {
    ($($variant:ident($payload:ty) = $name:literal,)*) => {
        /// A saga step's action with its decoded payload (spec 40 §5).
        #[derive(Debug, Clone, PartialEq)]
        pub enum Action {
            $($variant($payload),)*
        }

        impl Action {
            /// Every action name the orchestrator accepts, in §5.1 order.
            pub const NAMES: [&'static str; 57] = [$($name,)*];

            /// The action's wire name.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Action::$variant(_) => $name,)*
                }
            }

            /// Decodes a step's `action` and `payload` under the object rule; an error names
            /// an unknown action or the payload's first field that does not fit.
            pub fn decode(name: &str, payload: &Value) -> Result<Action, String> {
                match name {
                    $($name => strict::from_value::<$payload>(payload.clone()).map(Action::$variant),)*
                    other => Err(format!("unknown action {other:?}")),
                }
            }

            /// The payload re-encoded with every field of its type (§10).
            pub fn payload(&self) -> Value {
                let encoded = match self {
                    $(Action::$variant(payload) => serde_json::to_value(payload),)*
                };
                encoded.unwrap_or(Value::Null)
            }
        }
    };
}

actions! {
    AwardAsset(AwardAsset) = "award_asset",
    AwardInventory(AwardAsset) = "award_inventory",
    DestroyAsset(DestroyAsset) = "destroy_asset",
    EquipAsset(MoveAsset) = "equip_asset",
    UnequipAsset(MoveAsset) = "unequip_asset",
    CreateAndEquipAsset(AwardAsset) = "create_and_equip_asset",
    AcceptToCharacter(AcceptToCharacter) = "accept_to_character",
    ReleaseFromCharacter(ReleaseFromCharacter) = "release_from_character",
    WarpToRandomPortal(WarpToRandomPortal) = "warp_to_random_portal",
    WarpToPortal(WarpToPortal) = "warp_to_portal",
    AwardExperience(AwardExperience) = "award_experience",
    DeductExperience(DeductExperience) = "deduct_experience",
    AwardLevel(AwardLevel) = "award_level",
    AwardMesos(AwardMesos) = "award_mesos",
    AwardFame(AwardFame) = "award_fame",
    ChangeJob(ChangeJob) = "change_job",
    ChangeHair(ChangeStyle) = "change_hair",
    ChangeFace(ChangeStyle) = "change_face",
    ChangeSkin(ChangeSkin) = "change_skin",
    SetHp(SetHp) = "set_hp",
    CreateCharacter(CreateCharacter) = "create_character",
    CreateSkill(SkillChange) = "create_skill",
    UpdateSkill(SkillChange) = "update_skill",
    RequestGuildName(CharacterPlace) = "request_guild_name",
    RequestGuildEmblem(CharacterPlace) = "request_guild_emblem",
    RequestGuildDisband(CharacterPlace) = "request_guild_disband",
    RequestGuildCapacityIncrease(CharacterPlace) = "request_guild_capacity_increase",
    CreateInvite(CreateInvite) = "create_invite",
    IncreaseBuddyCapacity(IncreaseBuddyCapacity) = "increase_buddy_capacity",
    GainCloseness(GainCloseness) = "gain_closeness",
    StartQuest(StartQuest) = "start_quest",
    CompleteQuest(CompleteQuest) = "complete_quest",
    ApplyConsumableEffect(ApplyConsumableEffect) = "apply_consumable_effect",
    AwardCurrency(AwardCurrency) = "award_currency",
    SendMessage(SendMessage) = "send_message",
    PlayPortalSound(CharacterPlace) = "play_portal_sound",
    ShowInfo(ShowInfo) = "show_info",
    ShowInfoText(ShowInfoText) = "show_info_text",
    UpdateAreaInfo(UpdateAreaInfo) = "update_area_info",
    ShowHint(ShowHint) = "show_hint",
    BlockPortal(PortalBlock) = "block_portal",
    UnblockPortal(PortalBlock) = "unblock_portal",
    CancelAllBuffs(CharacterPlace) = "cancel_all_buffs",
    ShowStorage(ShowStorage) = "show_storage",
    DepositToStorage(DepositToStorage) = "deposit_to_storage",
    UpdateStorageMesos(UpdateStorageMesos) = "update_storage_mesos",
    AcceptToStorage(AcceptToStorage) = "accept_to_storage",
    ReleaseFromStorage(ReleaseFromStorage) = "release_from_storage",
    AcceptToCashShop(AcceptToCashShop) = "accept_to_cash_shop",
    ReleaseFromCashShop(ReleaseFromCashShop) = "release_from_cash_shop",
    TransferToStorage(TransferToStorage) = "transfer_to_storage",
    WithdrawFromStorage(WithdrawFromStorage) = "withdraw_from_storage",
    TransferToCashShop(TransferToCashShop) = "transfer_to_cash_shop",
    WithdrawFromCashShop(WithdrawFromCashShop) = "withdraw_from_cash_shop",
    ValidateCharacterState(ValidateCharacterState) = "validate_character_state",
    SpawnMonster(SpawnMonster) = "spawn_monster",
    SpawnReactorDrops(SpawnReactorDrops) = "spawn_reactor_drops",
}

impl Action {
    /// The character the payload names, for FAILED (§8.2): 0 for the actions whose
    /// payload has none (`create_character`, `create_invite`, `gain_closeness`).
    pub fn character_id(&self) -> u32 {
        use Action::*;
        match self {
            AwardAsset(p) | AwardInventory(p) | CreateAndEquipAsset(p) => p.character_id,
            DestroyAsset(p) => p.character_id,
            EquipAsset(p) | UnequipAsset(p) => p.character_id,
            AcceptToCharacter(p) => p.character_id,
            ReleaseFromCharacter(p) => p.character_id,
            WarpToRandomPortal(p) => p.character_id,
            WarpToPortal(p) => p.character_id,
            AwardExperience(p) => p.character_id,
            DeductExperience(p) => p.character_id,
            AwardLevel(p) => p.character_id,
            AwardMesos(p) => p.character_id,
            AwardFame(p) => p.character_id,
            ChangeJob(p) => p.character_id,
            ChangeHair(p) | ChangeFace(p) => p.character_id,
            ChangeSkin(p) => p.character_id,
            SetHp(p) => p.character_id,
            CreateSkill(p) | UpdateSkill(p) => p.character_id,
            RequestGuildName(p)
            | RequestGuildEmblem(p)
            | RequestGuildDisband(p)
            | RequestGuildCapacityIncrease(p)
            | PlayPortalSound(p)
            | CancelAllBuffs(p) => p.character_id,
            IncreaseBuddyCapacity(p) => p.character_id,
            StartQuest(p) => p.character_id,
            CompleteQuest(p) => p.character_id,
            ApplyConsumableEffect(p) => p.character_id,
            AwardCurrency(p) => p.character_id,
            SendMessage(p) => p.character_id,
            ShowInfo(p) => p.character_id,
            ShowInfoText(p) => p.character_id,
            UpdateAreaInfo(p) => p.character_id,
            ShowHint(p) => p.character_id,
            BlockPortal(p) | UnblockPortal(p) => p.character_id,
            ShowStorage(p) => p.character_id,
            DepositToStorage(p) => p.character_id,
            UpdateStorageMesos(p) => p.character_id,
            AcceptToStorage(p) => p.character_id,
            ReleaseFromStorage(p) => p.character_id,
            AcceptToCashShop(p) => p.character_id,
            ReleaseFromCashShop(p) => p.character_id,
            TransferToStorage(p) => p.character_id,
            WithdrawFromStorage(p) => p.character_id,
            TransferToCashShop(p) => p.character_id,
            WithdrawFromCashShop(p) => p.character_id,
            ValidateCharacterState(p) => p.character_id,
            SpawnMonster(p) => p.character_id,
            SpawnReactorDrops(p) => p.character_id,
            CreateCharacter(_) | CreateInvite(_) | GainCloseness(_) => 0,
        }
    }
}

/// The stored and document form of an action: its name beside its payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedAction {
    pub action: String,
    #[serde(default)]
    pub payload: Value,
}

impl From<Action> for NamedAction {
    fn from(action: Action) -> NamedAction {
        NamedAction { action: action.name().to_string(), payload: action.payload() }
    }
}

impl TryFrom<NamedAction> for Action {
    type Error = String;

    fn try_from(named: NamedAction) -> Result<Action, String> {
        Action::decode(&named.action, &named.payload)
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
            Action::decode("award_asset", &payload).expect("fits").payload(),
            json!({"characterId": 4101, "item": {"templateId": 2000000, "quantity": 5, "expiration": "0001-01-01T00:00:00Z"}})
        );
        let warp =
            Action::decode("warp_to_portal", &json!({"characterId": 1, "fieldId": "0:1:100000000:00000000-0000-0000-0000-000000000000"}))
                .expect("fits")
                .payload();
        assert_eq!(warp["portalName"], "");
        assert_eq!(warp["worldId"], 0);
        let mesos = Action::decode("award_mesos", &json!({"characterId": 1, "amount": -5})).expect("fits").payload();
        assert_eq!(mesos["actorType"], "");
        let accept = Action::decode("accept_to_character", &json!({})).expect("fits").payload();
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
            let error = Action::decode(action, &payload).expect_err("refused");
            assert!(error.contains(path), "{action} {payload}: {error}");
        }
    }

    #[test]
    fn failed_names_the_payloads_character_only_where_it_has_one() {
        let character = |name: &str, payload: Value| Action::decode(name, &payload).expect("fits").character_id();
        assert_eq!(character("award_mesos", json!({"characterId": 7})), 7);
        assert_eq!(character("gain_closeness", json!({"characterId": 7, "petId": 1})), 0);
        assert_eq!(Action::NAMES.iter().filter(|name| Action::decode(name, &json!({})).is_ok()).count(), 57);
    }
}
