//! Spec 40 §6: the envelopes and bodies of the status events a saga reads, as types. An
//! event that could complete or fail a step is decoded with its topic's envelope and its
//! type's body before anything else looks at it (§4.4 rule 1); one that does not decode
//! is refused (dead-lettered) and completes nothing.

use super::json::{nullable, GoTime};
use super::strict::{self, IgnoredObject};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

/// Declares a decoded-only message type: fields camelCase on the wire, absent or `null`
/// read as their zero value (Go).
macro_rules! message {
    ($($(#[$doc:meta])* $name:ident { $($field:ident : $ty:ty),* $(,)? })*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Default, Deserialize)]
        #[serde(rename_all = "camelCase")]
        #[allow(dead_code)]
        pub struct $name {
            $(#[serde(default, deserialize_with = "nullable")] pub $field: $ty,)*
        }
    )*};
}

message! {
    AssetEnvelope { transaction_id: Option<Uuid>, character_id: u32, compartment_id: Option<Uuid>, asset_id: u32, template_id: u32, slot: i16, body: IgnoredObject }
    AssetCreated { reference_id: u32, reference_type: String, reference_data: Value, expiration: GoTime }
    AssetMoved { old_slot: i16 }
    AssetQuantityChanged { quantity: u32 }
    CompartmentEnvelope { transaction_id: Option<Uuid>, character_id: u32, compartment_id: Option<Uuid>, body: IgnoredObject }
    CompartmentCreationFailed { error_code: String, message: String }
    CompartmentError { error_code: String, transaction_id: Option<Uuid> }
    BodyTransaction { transaction_id: Option<Uuid> }
    CharacterEnvelope { transaction_id: Option<Uuid>, world_id: u8, character_id: u32, body: IgnoredObject }
    MapChanged { channel_id: u8, old_map_id: u32, target_map_id: u32, target_portal_id: u32 }
    ExperienceDistribution { experience_type: String, amount: u32, attr1: u32 }
    ExperienceChanged { channel_id: u8, current: u32, distributions: Vec<ExperienceDistribution> }
    LevelChanged { channel_id: u8, amount: u8, current: u8 }
    MesoChanged { actor_id: u32, actor_type: String, amount: i32 }
    JobChanged { channel_id: u8, job_id: u16 }
    StatChanged { channel_id: u8, excl_request_sent: bool, updates: Vec<String> }
    CharacterCreated { name: String }
    CharacterCreationFailed { name: String, message: String }
    CharacterError { error: String, amount: i32 }
    SkillEnvelope { transaction_id: Option<Uuid>, character_id: u32, skill_id: u32, body: IgnoredObject }
    SkillChanged { level: u8, master_level: u8, expiration: GoTime }
    GuildEnvelope { world_id: u8, guild_id: u32, transaction_id: Option<Uuid>, body: IgnoredObject }
    GuildRequestAgreement { actor_id: u32, proposed_name: String }
    GuildDisbanded { members: Vec<Value> }
    GuildEmblemUpdated { logo: u16, logo_color: u8, logo_background: u16, logo_background_color: u8 }
    GuildCapacityUpdated { capacity: u32 }
    GuildError { actor_id: u32, error: String }
    InviteEnvelope { transaction_id: Option<Uuid>, world_id: u8, invite_type: String, reference_id: u32, body: IgnoredObject }
    InviteBody { originator_id: u32, target_id: u32 }
    BuddyListEnvelope { world_id: u8, character_id: u32, body: IgnoredObject }
    BuddyCapacityChanged { capacity: u8, transaction_id: Option<Uuid> }
    PetEnvelope { pet_id: u32, owner_id: u32, body: IgnoredObject }
    PetClosenessChanged { slot: i8, closeness: u16, amount: i16, transaction_id: Option<Uuid> }
    ConsumableEnvelope { character_id: u32, body: IgnoredObject }
    ConsumableEffectApplied { item_id: u32, transaction_id: Option<Uuid> }
    WalletEnvelope { account_id: u32, body: IgnoredObject }
    WalletUpdated { credit: u32, points: u32, prepaid: u32, transaction_id: Option<Uuid> }
    QuestEnvelope { transaction_id: Option<Uuid>, world_id: u8, character_id: u32, body: IgnoredObject }
    QuestChanged { quest_id: u32 }
    QuestError { quest_id: u32, error: String }
    StorageEnvelope { transaction_id: Option<Uuid>, world_id: u8, account_id: u32, body: IgnoredObject }
    StorageMesosUpdated { old_mesos: u32, new_mesos: u32 }
    StorageError { error_code: String, message: String }
    StorageCompartmentEnvelope { world_id: u8, account_id: u32, body: IgnoredObject }
    StorageCompartmentAccepted { transaction_id: Option<Uuid>, asset_id: u32, slot: i16 }
    StorageCompartmentReleased { transaction_id: Option<Uuid>, asset_id: u32 }
    StorageCompartmentError { transaction_id: Option<Uuid>, error_code: String, message: String }
    CashCompartmentEnvelope { compartment_id: Option<Uuid>, compartment_type: u8, body: IgnoredObject }
    CashCompartmentError { error_code: String, transaction_id: Option<Uuid> }
}

/// Checks one part of an event (its envelope or its body) against a type.
type Check = fn(&Value) -> Result<(), String>;

fn fits<T: serde::de::DeserializeOwned>(value: &Value) -> Result<(), String> {
    strict::from_value::<T>(value.clone()).map(drop)
}

fn body_fits<T: serde::de::DeserializeOwned>(value: &Value) -> Result<(), String> {
    let body = value.get("body").cloned().unwrap_or(Value::Null);
    // The envelope has already required an object (or null) here.
    strict::from_value::<Option<T>>(body).map(drop).map_err(|e| format!("body.{e}"))
}

/// Checks an event of `topic` (its variable) and `kind` against the envelope and body the
/// spec gives them. `Ok(true)`: a type sagas read, well-formed; `Ok(false)`: a type sagas
/// do not read (ignored, §4.5); `Err`: a type sagas read that does not decode.
pub fn check(topic: &str, kind: &str, value: &Value) -> Result<bool, String> {
    let (envelope, body): (Check, Check) = match (topic, kind) {
        ("EVENT_TOPIC_ASSET_STATUS", "CREATED") => (fits::<AssetEnvelope>, body_fits::<AssetCreated>),
        ("EVENT_TOPIC_ASSET_STATUS", "DELETED") => (fits::<AssetEnvelope>, body_fits::<IgnoredObject>),
        ("EVENT_TOPIC_ASSET_STATUS", "MOVED") => (fits::<AssetEnvelope>, body_fits::<AssetMoved>),
        ("EVENT_TOPIC_ASSET_STATUS", "QUANTITY_CHANGED") => (fits::<AssetEnvelope>, body_fits::<AssetQuantityChanged>),
        ("EVENT_TOPIC_COMPARTMENT_STATUS", "CREATION_FAILED") => (fits::<CompartmentEnvelope>, body_fits::<CompartmentCreationFailed>),
        ("EVENT_TOPIC_COMPARTMENT_STATUS", "ERROR") => (fits::<CompartmentEnvelope>, body_fits::<CompartmentError>),
        ("EVENT_TOPIC_COMPARTMENT_STATUS", "ACCEPTED" | "RELEASED") => (fits::<CompartmentEnvelope>, body_fits::<BodyTransaction>),
        ("EVENT_TOPIC_CHARACTER_STATUS", "MAP_CHANGED") => (fits::<CharacterEnvelope>, body_fits::<MapChanged>),
        ("EVENT_TOPIC_CHARACTER_STATUS", "EXPERIENCE_CHANGED") => (fits::<CharacterEnvelope>, body_fits::<ExperienceChanged>),
        ("EVENT_TOPIC_CHARACTER_STATUS", "LEVEL_CHANGED") => (fits::<CharacterEnvelope>, body_fits::<LevelChanged>),
        ("EVENT_TOPIC_CHARACTER_STATUS", "MESO_CHANGED") => (fits::<CharacterEnvelope>, body_fits::<MesoChanged>),
        ("EVENT_TOPIC_CHARACTER_STATUS", "JOB_CHANGED") => (fits::<CharacterEnvelope>, body_fits::<JobChanged>),
        ("EVENT_TOPIC_CHARACTER_STATUS", "STAT_CHANGED") => (fits::<CharacterEnvelope>, body_fits::<StatChanged>),
        ("EVENT_TOPIC_CHARACTER_STATUS", "CREATED") => (fits::<CharacterEnvelope>, body_fits::<CharacterCreated>),
        ("EVENT_TOPIC_CHARACTER_STATUS", "CREATION_FAILED") => (fits::<CharacterEnvelope>, body_fits::<CharacterCreationFailed>),
        ("EVENT_TOPIC_CHARACTER_STATUS", "ERROR") => (fits::<CharacterEnvelope>, body_fits::<CharacterError>),
        ("EVENT_TOPIC_SKILL_STATUS", "CREATED" | "UPDATED") => (fits::<SkillEnvelope>, body_fits::<SkillChanged>),
        ("EVENT_TOPIC_GUILD_STATUS", "REQUEST_AGREEMENT") => (fits::<GuildEnvelope>, body_fits::<GuildRequestAgreement>),
        ("EVENT_TOPIC_GUILD_STATUS", "CREATED") => (fits::<GuildEnvelope>, body_fits::<IgnoredObject>),
        ("EVENT_TOPIC_GUILD_STATUS", "DISBANDED") => (fits::<GuildEnvelope>, body_fits::<GuildDisbanded>),
        ("EVENT_TOPIC_GUILD_STATUS", "EMBLEM_UPDATED") => (fits::<GuildEnvelope>, body_fits::<GuildEmblemUpdated>),
        ("EVENT_TOPIC_GUILD_STATUS", "CAPACITY_UPDATED") => (fits::<GuildEnvelope>, body_fits::<GuildCapacityUpdated>),
        ("EVENT_TOPIC_GUILD_STATUS", "ERROR") => (fits::<GuildEnvelope>, body_fits::<GuildError>),
        ("EVENT_TOPIC_INVITE_STATUS", "CREATED" | "ACCEPTED" | "REJECTED") => (fits::<InviteEnvelope>, body_fits::<InviteBody>),
        ("EVENT_TOPIC_BUDDY_LIST_STATUS", "CAPACITY_CHANGE") => (fits::<BuddyListEnvelope>, body_fits::<BuddyCapacityChanged>),
        ("EVENT_TOPIC_PET_STATUS", "CLOSENESS_CHANGED") => (fits::<PetEnvelope>, body_fits::<PetClosenessChanged>),
        ("EVENT_TOPIC_CONSUMABLE_STATUS", "EFFECT_APPLIED") => (fits::<ConsumableEnvelope>, body_fits::<ConsumableEffectApplied>),
        ("EVENT_TOPIC_WALLET_STATUS", "UPDATED") => (fits::<WalletEnvelope>, body_fits::<WalletUpdated>),
        ("EVENT_TOPIC_QUEST_STATUS", "STARTED" | "COMPLETED") => (fits::<QuestEnvelope>, body_fits::<QuestChanged>),
        ("EVENT_TOPIC_QUEST_STATUS", "ERROR") => (fits::<QuestEnvelope>, body_fits::<QuestError>),
        ("EVENT_TOPIC_STORAGE_STATUS", "MESOS_UPDATED") => (fits::<StorageEnvelope>, body_fits::<StorageMesosUpdated>),
        ("EVENT_TOPIC_STORAGE_STATUS", "ERROR") => (fits::<StorageEnvelope>, body_fits::<StorageError>),
        ("EVENT_TOPIC_STORAGE_STATUS", "DEPOSITED") => (fits::<StorageEnvelope>, body_fits::<IgnoredObject>),
        ("EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS", "ACCEPTED") => {
            (fits::<StorageCompartmentEnvelope>, body_fits::<StorageCompartmentAccepted>)
        }
        ("EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS", "RELEASED") => {
            (fits::<StorageCompartmentEnvelope>, body_fits::<StorageCompartmentReleased>)
        }
        ("EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS", "ERROR") => (fits::<StorageCompartmentEnvelope>, body_fits::<StorageCompartmentError>),
        ("EVENT_TOPIC_CASH_COMPARTMENT_STATUS", "ACCEPTED" | "RELEASED") => (fits::<CashCompartmentEnvelope>, body_fits::<BodyTransaction>),
        ("EVENT_TOPIC_CASH_COMPARTMENT_STATUS", "ERROR") => (fits::<CashCompartmentEnvelope>, body_fits::<CashCompartmentError>),
        _ => return Ok(false),
    };
    envelope(value)?;
    body(value)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_sagas_read_must_fit_their_types() {
        let meso = json!({"transactionId": "5a6a0003-1111-4aaa-8bbb-000000004103", "worldId": 0, "characterId": 4103,
            "type": "MESO_CHANGED", "body": {"actorId": 0, "actorType": "", "amount": -10}});
        assert_eq!(check("EVENT_TOPIC_CHARACTER_STATUS", "MESO_CHANGED", &meso), Ok(true));
        let mut bad = meso.clone();
        bad["characterId"] = json!("4103");
        assert!(check("EVENT_TOPIC_CHARACTER_STATUS", "MESO_CHANGED", &bad).expect_err("string id").contains("characterId"));
        let mut bad = meso.clone();
        bad["body"] = json!([0, "", -10]);
        assert!(check("EVENT_TOPIC_CHARACTER_STATUS", "MESO_CHANGED", &bad).is_err());
        let mut bad = meso;
        bad["body"]["amount"] = json!("ten");
        assert!(check("EVENT_TOPIC_CHARACTER_STATUS", "MESO_CHANGED", &bad).expect_err("amount").contains("body.amount"));
        let stat = json!({"type": "STAT_CHANGED", "body": {"updates": [["FAME"]]}});
        assert!(check("EVENT_TOPIC_CHARACTER_STATUS", "STAT_CHANGED", &stat).is_err());
        let ignored = json!({"type": "LOGIN", "characterId": "x"});
        assert_eq!(check("EVENT_TOPIC_CHARACTER_STATUS", "LOGIN", &ignored), Ok(false));
    }
}
