//! Spec 40 §5.2: the commands sagas produce, one type per topic envelope and per body. A
//! saga's command is built by constructing one of these; field order is Go's.

use super::json::GoTime;
use super::saga_payload::Distribution;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// Declares produced message types: fields camelCase, in Go's order, all written.
macro_rules! produced {
    ($($(#[$doc:meta])* $name:ident $(<$b:ident>)? { $($(#[$fdoc:meta])* $field:ident : $ty:ty),* $(,)? })*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name $(<$b: Serialize>)? {
            $($(#[$fdoc])* pub $field: $ty,)*
        }
    )*};
}

produced! {
    /// `COMMAND_TOPIC_COMPARTMENT`.
    CompartmentCommand<B> { transaction_id: Uuid, character_id: u32, inventory_type: u8, #[serde(rename = "type")] kind: &'static str, body: B }
    CreateAssetBody { template_id: u32, quantity: u32, expiration: GoTime, owner_id: u32, flag: u16, rechargeable: u16 }
    DestroyBody { slot: i16, quantity: u32, remove_all: bool }
    EquipBody { inventory_type: u8, source: i16, destination: i16 }
    AcceptBody {
        transaction_id: Uuid, reference_id: u32, template_id: u32, reference_type: String,
        #[serde(skip_serializing_if = "is_empty")] reference_data: Value,
        quantity: u32,
    }
    ReleaseBody { transaction_id: Uuid, asset_id: u32, quantity: u32 }
    /// `COMMAND_TOPIC_CHARACTER`.
    CharacterCommand<B> { transaction_id: Uuid, world_id: u8, character_id: u32, #[serde(rename = "type")] kind: &'static str, body: B }
    ChannelAmount<A> { channel_id: u8, amount: A }
    ExperienceBody { channel_id: u8, distributions: Vec<Distribution> }
    ActorAmount<A> { actor_id: u32, actor_type: String, amount: A }
    JobBody { channel_id: u8, job_id: u16 }
    StyleBody<S> { channel_id: u8, style_id: S }
    ChangeMapBody { channel_id: u8, map_id: u32, portal_id: u32 }
    CreateCharacterBody {
        account_id: u32, world_id: u8, name: String, level: u8, strength: u16, dexterity: u16, intelligence: u16, luck: u16,
        max_hp: u16, max_mp: u16, job_id: u16, gender: u8, hair: u32, face: u32, skin_color: u8, map_id: u32,
    }
    /// `COMMAND_TOPIC_SKILL`.
    SkillRequest { transaction_id: Uuid, character_id: u32, #[serde(rename = "type")] kind: &'static str, body: SkillRequestBody }
    SkillRequestBody { skill_id: u32, level: u8, master_level: u8, expiration: GoTime }
    /// `COMMAND_TOPIC_GUILD` (transactionId last, as Go writes it).
    GuildRequest { character_id: u32, #[serde(rename = "type")] kind: &'static str, body: WorldChannel, transaction_id: Uuid }
    WorldChannel { world_id: u8, channel_id: u8 }
    /// `COMMAND_TOPIC_INVITE`.
    InviteCreate { transaction_id: Uuid, world_id: u8, invite_type: String, #[serde(rename = "type")] kind: &'static str, body: InviteCreateBody }
    InviteCreateBody { originator_id: u32, target_id: u32, reference_id: u32 }
    /// `COMMAND_TOPIC_BUDDY_LIST`.
    BuddyCapacity { transaction_id: Uuid, world_id: u8, character_id: u32, #[serde(rename = "type")] kind: &'static str, body: NewCapacity }
    NewCapacity { new_capacity: u8 }
    /// `COMMAND_TOPIC_PET`.
    PetCloseness { transaction_id: Uuid, actor_id: u32, pet_id: u32, #[serde(rename = "type")] kind: &'static str, body: Amount<u16> }
    Amount<A> { amount: A }
    /// `COMMAND_TOPIC_QUEST`.
    QuestCommand { transaction_id: Uuid, world_id: u8, character_id: u32, #[serde(rename = "type")] kind: &'static str, body: QuestBody }
    /// `npcId` omitted when 0, `force` when false; `selection` is always 0 and so never written.
    QuestBody {
        quest_id: u32,
        #[serde(skip_serializing_if = "is_zero")] npc_id: u32,
        #[serde(skip_serializing_if = "std::ops::Not::not")] force: bool,
    }
    /// `COMMAND_TOPIC_CONSUMABLE`.
    ConsumableEffect { transaction_id: Uuid, world_id: u8, channel_id: u8, character_id: u32, #[serde(rename = "type")] kind: &'static str, body: ItemBody }
    ItemBody { item_id: u32 }
    /// `COMMAND_TOPIC_WALLET` (flat).
    AdjustCurrency { transaction_id: Uuid, account_id: u32, currency_type: u32, amount: i32, #[serde(rename = "type")] kind: &'static str }
    /// `COMMAND_TOPIC_SYSTEM_MESSAGE`.
    SystemMessage<B> { transaction_id: Uuid, world_id: u8, channel_id: u8, character_id: u32, #[serde(rename = "type")] kind: &'static str, body: B }
    MessageBody { message_type: String, message: String }
    PathBody { path: String }
    TextBody { text: String }
    AreaInfoBody { area: u16, info: String }
    HintBody { hint: String, width: u16, height: u16 }
    /// `COMMAND_TOPIC_PORTAL` (world and channel always 0).
    PortalCommand { world_id: u8, channel_id: u8, map_id: u32, portal_id: u32, #[serde(rename = "type")] kind: &'static str, body: CharacterBody }
    CharacterBody { character_id: u32 }
    /// `COMMAND_TOPIC_CHARACTER_BUFF` (no transactionId).
    CancelAllBuffs { world_id: u8, channel_id: u8, character_id: u32, #[serde(rename = "type")] kind: &'static str, body: Empty }
    Empty {}
    /// `COMMAND_TOPIC_STORAGE_SHOW` (flat).
    ShowStorage { transaction_id: Uuid, world_id: u8, channel_id: u8, character_id: u32, npc_id: u32, account_id: u32, #[serde(rename = "type")] kind: &'static str }
    /// `COMMAND_TOPIC_STORAGE`.
    StorageCommand<B> { transaction_id: Uuid, world_id: u8, account_id: u32, #[serde(rename = "type")] kind: &'static str, body: B }
    MesosBody { mesos: u32, operation: String }
    DepositBody { slot: i16, template_id: u32, expiration: GoTime, reference_id: u32, reference_type: String, reference_data: DepositData }
    /// Each member omitted when 0; the object itself is always written.
    DepositData {
        #[serde(skip_serializing_if = "is_zero")] quantity: u32,
        #[serde(skip_serializing_if = "is_zero")] owner_id: u32,
        #[serde(skip_serializing_if = "is_zero_u16")] flag: u16,
    }
    /// `COMMAND_TOPIC_STORAGE_COMPARTMENT`: `characterId` omitted when 0.
    StorageCompartmentCommand<B> {
        world_id: u8, account_id: u32,
        #[serde(skip_serializing_if = "is_zero")] character_id: u32,
        #[serde(rename = "type")] kind: &'static str, body: B,
    }
    StorageAcceptBody {
        transaction_id: Uuid, slot: i16, template_id: u32, reference_id: u32, reference_type: String,
        #[serde(skip_serializing_if = "is_empty")] reference_data: Value,
        quantity: u32,
    }
    /// `COMMAND_TOPIC_CASH_COMPARTMENT`.
    CashCompartmentCommand<B> { account_id: u32, character_id: u32, compartment_type: u8, #[serde(rename = "type")] kind: &'static str, body: B }
    CashAcceptBody {
        transaction_id: Uuid, compartment_id: Uuid, cash_id: i64, template_id: u32, reference_id: u32, reference_type: String,
        #[serde(skip_serializing_if = "is_empty")] reference_data: Value,
    }
    CashReleaseBody { transaction_id: Uuid, compartment_id: Uuid, asset_id: u32, cash_id: i64, template_id: u32 }
    /// `COMMAND_TOPIC_DROP`.
    DropSpawn { transaction_id: Uuid, world_id: u8, channel_id: u8, map_id: u32, #[serde(rename = "type")] kind: &'static str, body: DropSpawnBody }
    DropSpawnBody {
        item_id: u32, quantity: u32, mesos: u32, drop_type: u8, x: i16, y: i16, owner_id: u32, owner_party_id: u32,
        dropper_id: u32, dropper_x: i16, dropper_y: i16, player_drop: bool,
        #[serde(rename = "mod")] modifier: u32,
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn is_zero_u16(n: &u16) -> bool {
    *n == 0
}

/// Raw reference data is left out when empty: `null`, `{}` or `""` (§5.3).
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(map) => map.is_empty(),
        Value::String(text) => text.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_spec_examples_encode_field_for_field() {
        let t = Uuid::nil();
        let create = CompartmentCommand {
            transaction_id: t,
            character_id: 4101,
            inventory_type: 2,
            kind: "CREATE_ASSET",
            body: CreateAssetBody { template_id: 2000000, quantity: 5, expiration: GoTime::zero(), owner_id: 0, flag: 0, rechargeable: 0 },
        };
        assert_eq!(
            serde_json::to_string(&create).expect("json"),
            r#"{"transactionId":"00000000-0000-0000-0000-000000000000","characterId":4101,"inventoryType":2,"type":"CREATE_ASSET","body":{"templateId":2000000,"quantity":5,"expiration":"0001-01-01T00:00:00Z","ownerId":0,"flag":0,"rechargeable":0}}"#
        );
        let quest = QuestBody { quest_id: 1000, npc_id: 0, force: false };
        assert_eq!(serde_json::to_value(quest).expect("json"), json!({"questId": 1000}));
        let release = StorageCompartmentCommand { world_id: 0, account_id: 7110, character_id: 0, kind: "RELEASE", body: Empty {} };
        assert_eq!(serde_json::to_value(release).expect("json"), json!({"worldId": 0, "accountId": 7110, "type": "RELEASE", "body": {}}));
        let accept = AcceptBody {
            transaction_id: t,
            reference_id: 0,
            template_id: 1,
            reference_type: "x".into(),
            reference_data: json!({}),
            quantity: 1,
        };
        assert!(serde_json::to_value(accept).expect("json").get("referenceData").is_none());
        let data = DepositData { quantity: 3, owner_id: 0, flag: 0 };
        assert_eq!(serde_json::to_value(data).expect("json"), json!({"quantity": 3}));
    }
}
