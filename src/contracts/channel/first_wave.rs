//! The records of the channel's first wave (spec 50 §4.2, §4.5–§4.16, §4.20): one type per
//! topic, each message type with exactly the body fields the spec gives it. Decoded like
//! Go under the object rule (`contracts::strict`): an absent field is its zero value, a
//! field of the wrong type, or an array where an object belongs, refuses the record; the
//! body of a type the channel does not push is not read at all.

use super::FieldBlock;
use crate::contracts::decode::{self, Decoded, Reject};
use crate::contracts::json::{nullable, GoTime};
use crate::contracts::strict::IgnoredObject;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use uuid::Uuid;

/// A record of a first-wave topic the edge pushes.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    AccountSession(AccountSession),
    Character(CharacterStatus),
    Map(MapStatus),
    Asset(AssetStatus),
    Compartment(CompartmentStatus),
    Chat(Chat),
    Expression(Expression),
    Buff(BuffStatus),
    Skill(SkillStatus),
    Messenger(MessengerStatus),
    Monster(MonsterStatus),
    Drop(DropStatus),
    Consumable(ConsumableStatus),
    Invite(InviteStatus),
}

impl Record {
    /// What the record is about: its map for map-wide records, its room for a messenger's,
    /// else its character (or session), so records of one subject keep their order.
    pub fn subject(&self) -> u64 {
        match self {
            Record::AccountSession(r) => r.envelope.session_id.as_u64_pair().0,
            Record::Character(r) => u64::from(r.envelope.character_id),
            Record::Map(r) => u64::from(r.envelope.field.map_id),
            Record::Asset(r) => u64::from(r.envelope.character_id),
            Record::Compartment(r) => u64::from(r.envelope.character_id),
            Record::Chat(r) if r.envelope.field.map_id != 0 => u64::from(r.envelope.field.map_id),
            Record::Chat(r) => u64::from(r.envelope.actor_id),
            Record::Expression(r) if r.field.map_id != 0 => u64::from(r.field.map_id),
            Record::Expression(r) => u64::from(r.character_id),
            Record::Buff(r) => u64::from(r.envelope.character_id),
            Record::Skill(r) => u64::from(r.envelope.character_id),
            Record::Messenger(r) if r.envelope.messenger_id != 0 => u64::from(r.envelope.messenger_id),
            Record::Messenger(r) => u64::from(r.envelope.actor_id),
            Record::Monster(r) => u64::from(r.envelope.field.map_id),
            Record::Drop(r) => u64::from(r.envelope.field.map_id),
            Record::Consumable(r) => u64::from(r.envelope.character_id),
            Record::Invite(r) => u64::from(r.body().originator_id),
        }
    }
}

/// The `type` of an enveloped record.
fn kind(value: &Value) -> Result<&str, Reject> {
    match value.get("type") {
        None | Some(Value::Null) => Err(Reject::MissingType),
        Some(Value::String(kind)) => Ok(kind),
        Some(other) => Err(Reject::BadField(format!("type is not a string: {other}"))),
    }
}

/// The body of a record decoded as `T` (absent or `null`: Go's zero value).
fn body<T: DeserializeOwned + Default>(value: &Value) -> Result<T, Reject> {
    match value.get("body") {
        None | Some(Value::Null) => Ok(T::default()),
        Some(body) => decode::into(body.clone()).map_err(|reject| match reject {
            Reject::BadField(error) => Reject::BadField(format!("body: {error}")),
            other => other,
        }),
    }
}

/// Decodes a record of a first-wave topic (by variable); `None` for other topics.
pub fn decode(topic: &str, value: &Value) -> Option<Result<Decoded<Record>, Reject>> {
    let decoded = match topic {
        "EVENT_TOPIC_ACCOUNT_SESSION_STATUS" => lift(AccountSession::decode(value), Record::AccountSession),
        "EVENT_TOPIC_CHARACTER_STATUS" => lift(CharacterStatus::decode(value), Record::Character),
        "EVENT_TOPIC_MAP_STATUS" => lift(MapStatus::decode(value), Record::Map),
        "EVENT_TOPIC_ASSET_STATUS" => lift(AssetStatus::decode(value), Record::Asset),
        "EVENT_TOPIC_COMPARTMENT_STATUS" => lift(CompartmentStatus::decode(value), Record::Compartment),
        "EVENT_TOPIC_CHARACTER_CHAT" => lift(Chat::decode(value), Record::Chat),
        "EVENT_TOPIC_EXPRESSION" => decode::into(value.clone()).map(|e| Decoded::Message(Record::Expression(e))),
        "EVENT_TOPIC_CHARACTER_BUFF_STATUS" => lift(BuffStatus::decode(value), Record::Buff),
        "EVENT_TOPIC_SKILL_STATUS" => lift(SkillStatus::decode(value), Record::Skill),
        "EVENT_TOPIC_MESSENGER_STATUS" => lift(MessengerStatus::decode(value), Record::Messenger),
        "EVENT_TOPIC_MONSTER_STATUS" => lift(MonsterStatus::decode(value), Record::Monster),
        "EVENT_TOPIC_DROP_STATUS" => lift(DropStatus::decode(value), Record::Drop),
        "EVENT_TOPIC_CONSUMABLE_STATUS" => lift(ConsumableStatus::decode(value), Record::Consumable),
        "EVENT_TOPIC_INVITE_STATUS" => lift(InviteStatus::decode(value), Record::Invite),
        _ => return None,
    };
    Some(decoded)
}

/// The message of `decoded` wrapped by `wrap`; an unhandled type stays unhandled.
fn lift<T, U>(decoded: Result<Decoded<T>, Reject>, wrap: fn(T) -> U) -> Result<Decoded<U>, Reject> {
    Ok(match decoded? {
        Decoded::Message(message) => Decoded::Message(wrap(message)),
        Decoded::Unhandled(kind) => Decoded::Unhandled(kind),
    })
}

/// Declares a topic's record: its envelope type, and per handled `type` a variant with
/// its body type. The envelope and the body are read only for a handled type.
macro_rules! record {
    ($(#[$doc:meta])* $name:ident, $envelope:ty, $event:ident { $($kind:literal => $variant:ident($body:ty)),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            pub envelope: $envelope,
            pub event: $event,
        }

        #[derive(Debug, Clone, PartialEq)]
        pub enum $event {
            $($variant($body)),+
        }

        impl $name {
            pub fn decode(value: &Value) -> Result<Decoded<$name>, Reject> {
                let event = match kind(value)? {
                    $($kind => $event::$variant(body(value)?),)+
                    other => return Ok(Decoded::Unhandled(other.to_string())),
                };
                Ok(Decoded::Message($name { envelope: decode::into(value.clone())?, event }))
            }
        }
    };
}

// §4.2 EVENT_TOPIC_ACCOUNT_SESSION_STATUS.

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SessionEnvelope {
    pub session_id: Uuid,
    pub account_id: u32,
    pub account_name: String,
}

/// `STATE_CHANGED`: `params` names a character (login) or an address (channel change).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct StateChanged {
    pub state: u8,
    #[serde(deserialize_with = "nullable")]
    pub params: StateParams,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct StateParams {
    pub character_id: u32,
    pub ip_address: String,
    pub port: u16,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SessionError {
    pub code: String,
    pub reason: u8,
    pub until: u64,
}

record!(
    /// EVENT_TOPIC_ACCOUNT_SESSION_STATUS: the account service's answers about a session.
    AccountSession, SessionEnvelope, AccountSessionEvent {
        "STATE_CHANGED" => StateChanged(StateChanged),
        "ERROR" => Error(SessionError),
    }
);

// §4.5 EVENT_TOPIC_CHARACTER_STATUS.

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CharacterEnvelope {
    pub transaction_id: Uuid,
    pub world_id: u8,
    pub character_id: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct StatChanged {
    pub channel_id: u8,
    pub excl_request_sent: bool,
    #[serde(deserialize_with = "nullable")]
    pub updates: Vec<String>,
    /// Sent by the producer, not read; an object when present.
    #[serde(deserialize_with = "nullable")]
    pub values: IgnoredObject,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MapChanged {
    pub channel_id: u8,
    pub old_map_id: u32,
    pub old_instance: Uuid,
    pub target_map_id: u32,
    pub target_instance: Uuid,
    pub target_portal_id: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ExperienceChanged {
    pub channel_id: u8,
    pub current: u32,
    #[serde(deserialize_with = "nullable")]
    pub distributions: Vec<Distribution>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Distribution {
    pub experience_type: String,
    pub amount: u32,
    pub attr1: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FameChanged {
    pub actor_id: u32,
    pub actor_type: String,
    pub amount: i8,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MesoChanged {
    pub actor_id: u32,
    pub actor_type: String,
    pub amount: i32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LevelChanged {
    pub channel_id: u8,
    pub amount: u8,
    pub current: u8,
}

record!(
    /// EVENT_TOPIC_CHARACTER_STATUS: stats, warps, experience, fame, meso, level.
    CharacterStatus, CharacterEnvelope, CharacterEvent {
        "STAT_CHANGED" => StatChanged(StatChanged),
        "MAP_CHANGED" => MapChanged(MapChanged),
        "EXPERIENCE_CHANGED" => ExperienceChanged(ExperienceChanged),
        "FAME_CHANGED" => FameChanged(FameChanged),
        "MESO_CHANGED" => MesoChanged(MesoChanged),
        "LEVEL_CHANGED" => LevelChanged(LevelChanged),
    }
);

// §4.6 EVENT_TOPIC_MAP_STATUS.

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MapEnvelope {
    pub transaction_id: Uuid,
    #[serde(flatten)]
    pub field: FieldBlock,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MapCharacter {
    pub character_id: u32,
}

record!(
    /// EVENT_TOPIC_MAP_STATUS: a character entered or left a map instance.
    MapStatus, MapEnvelope, MapEvent {
        "CHARACTER_ENTER" => Enter(MapCharacter),
        "CHARACTER_EXIT" => Exit(MapCharacter),
    }
);

// §4.7 EVENT_TOPIC_ASSET_STATUS.

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AssetEnvelope {
    pub transaction_id: Uuid,
    pub character_id: u32,
    pub compartment_id: Uuid,
    pub asset_id: u32,
    pub template_id: u32,
    pub slot: i16,
}

/// An item's data as the inventory service sends it; the client is shown the same fields.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AssetData {
    pub expiration: GoTime,
    pub created_at: GoTime,
    pub quantity: u32,
    pub owner_id: u32,
    pub flag: u16,
    pub rechargeable: u64,
    pub strength: u16,
    pub dexterity: u16,
    pub intelligence: u16,
    pub luck: u16,
    pub hp: u16,
    pub mp: u16,
    pub weapon_attack: u16,
    pub magic_attack: u16,
    pub weapon_defense: u16,
    pub magic_defense: u16,
    pub accuracy: u16,
    pub avoidability: u16,
    pub hands: u16,
    pub speed: u16,
    pub jump: u16,
    pub slots: u16,
    pub locked: bool,
    pub spikes: bool,
    pub karma_used: bool,
    pub cold: bool,
    pub can_be_traded: bool,
    pub level_type: u8,
    pub level: u8,
    pub experience: u32,
    pub hammers_applied: u32,
    pub equipped_since: Option<GoTime>,
    #[serde(with = "decimal")]
    pub cash_id: i64,
    pub commodity_id: u32,
    pub purchase_by: u32,
    pub pet_id: u32,
}

/// Go's `int64` with the `,string` tag: a string of decimal digits, never a bare number.
mod decimal {
    use super::*;

    pub fn serialize<S: Serializer>(value: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&value.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(|_| serde::de::Error::custom(format!("{text:?} is not a decimal int64")))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct QuantityChanged {
    pub quantity: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AssetMoved {
    pub old_slot: i16,
    pub created_at: GoTime,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AssetExpired {
    pub is_cash: bool,
    pub replace_item_id: u32,
    pub replace_message: String,
}

record!(
    /// EVENT_TOPIC_ASSET_STATUS: inventory items.
    AssetStatus, AssetEnvelope, AssetEvent {
        "CREATED" => Created(AssetData),
        "ACCEPTED" => Accepted(AssetData),
        "UPDATED" => Updated(AssetData),
        "QUANTITY_CHANGED" => QuantityChanged(QuantityChanged),
        "MOVED" => Moved(AssetMoved),
        "DELETED" => Deleted(IgnoredObject),
        "RELEASED" => Released(IgnoredObject),
        "EXPIRED" => Expired(AssetExpired),
    }
);

// §4.8 EVENT_TOPIC_COMPARTMENT_STATUS.

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CompartmentEnvelope {
    pub character_id: u32,
    pub compartment_id: Uuid,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ReservationCancelled {
    pub item_id: u32,
    pub slot: i16,
    pub quantity: u32,
}

/// `MERGE_COMPLETE` / `SORT_COMPLETE`: the inventory type.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Arranged {
    #[serde(rename = "type")]
    pub inventory_type: u8,
}

record!(
    /// EVENT_TOPIC_COMPARTMENT_STATUS: compartment operations finished.
    CompartmentStatus, CompartmentEnvelope, CompartmentEvent {
        "RESERVATION_CANCELLED" => ReservationCancelled(ReservationCancelled),
        "MERGE_COMPLETE" => Merged(Arranged),
        "SORT_COMPLETE" => Sorted(Arranged),
    }
);

// §4.9 EVENT_TOPIC_CHARACTER_CHAT.

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ChatEnvelope {
    #[serde(flatten)]
    pub field: FieldBlock,
    pub actor_id: u32,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GeneralChat {
    pub balloon_only: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Recipients {
    #[serde(deserialize_with = "nullable")]
    pub recipients: Vec<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Whisper {
    pub recipient: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PetChat {
    pub owner_id: u32,
    pub pet_slot: i8,
    #[serde(rename = "type")]
    pub kind: u8,
    pub action: u8,
    pub balloon: bool,
}

record!(
    /// EVENT_TOPIC_CHARACTER_CHAT: the chat relay.
    Chat, ChatEnvelope, ChatEvent {
        "GENERAL" => General(GeneralChat),
        "BUDDY" => Buddy(Recipients),
        "PARTY" => Party(Recipients),
        "GUILD" => Guild(Recipients),
        "ALLIANCE" => Alliance(Recipients),
        "WHISPER" => Whisper(Whisper),
        "MESSENGER" => Messenger(Recipients),
        "PET" => Pet(PetChat),
        "PINK_TEXT" => PinkText(Recipients),
    }
);

// §4.10 EVENT_TOPIC_EXPRESSION (flat).

/// EVENT_TOPIC_EXPRESSION: an emote.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Expression {
    pub character_id: u32,
    #[serde(flatten)]
    pub field: FieldBlock,
    pub expression: u32,
}

// §4.11 EVENT_TOPIC_CHARACTER_BUFF_STATUS.

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct BuffEnvelope {
    pub world_id: u8,
    pub character_id: u32,
}

/// One temporary stat of a buff.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct StatChange {
    #[serde(rename = "type")]
    pub kind: String,
    pub amount: i32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct BuffApplied {
    pub from_id: u32,
    pub source_id: i32,
    pub duration: i32,
    #[serde(deserialize_with = "nullable")]
    pub changes: Vec<StatChange>,
    pub created_at: GoTime,
    pub expires_at: GoTime,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct BuffExpired {
    pub source_id: i32,
    pub duration: i32,
    #[serde(deserialize_with = "nullable")]
    pub changes: Vec<StatChange>,
    pub created_at: GoTime,
    pub expires_at: GoTime,
}

record!(
    /// EVENT_TOPIC_CHARACTER_BUFF_STATUS: buffs applied and expired.
    BuffStatus, BuffEnvelope, BuffEvent {
        "APPLIED" => Applied(BuffApplied),
        "EXPIRED" => Expired(BuffExpired),
    }
);

// §4.12 EVENT_TOPIC_SKILL_STATUS.

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SkillEnvelope {
    pub character_id: u32,
    pub skill_id: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SkillLevel {
    pub level: u8,
    pub master_level: u8,
    pub expiration: GoTime,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CooldownApplied {
    pub cooldown_expires_at: GoTime,
}

record!(
    /// EVENT_TOPIC_SKILL_STATUS: skill levels and cooldowns.
    SkillStatus, SkillEnvelope, SkillEvent {
        "CREATED" => Created(SkillLevel),
        "UPDATED" => Updated(SkillLevel),
        "COOLDOWN_APPLIED" => CooldownApplied(CooldownApplied),
        "COOLDOWN_EXPIRED" => CooldownExpired(IgnoredObject),
    }
);

// §4.13 EVENT_TOPIC_MESSENGER_STATUS.

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MessengerEnvelope {
    pub actor_id: u32,
    pub world_id: u8,
    pub messenger_id: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Seat {
    pub slot: u8,
}

record!(
    /// EVENT_TOPIC_MESSENGER_STATUS: messenger rooms.
    MessengerStatus, MessengerEnvelope, MessengerEvent {
        "JOINED" => Joined(Seat),
        "LEFT" => Left(Seat),
    }
);

// §4.14 EVENT_TOPIC_MONSTER_STATUS.

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MonsterEnvelope {
    #[serde(flatten)]
    pub field: FieldBlock,
    pub unique_id: u32,
    pub monster_id: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MonsterActor {
    pub actor_id: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DamageEntry {
    pub character_id: u32,
    pub damage: i64,
}

/// `DAMAGED` and `KILLED`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MonsterHit {
    pub x: i16,
    pub y: i16,
    pub actor_id: u32,
    #[serde(deserialize_with = "nullable")]
    pub damage_entries: Vec<DamageEntry>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct StartControl {
    pub actor_id: u32,
    pub x: i16,
    pub y: i16,
    pub stance: u8,
    pub fh: i16,
    pub team: i8,
}

record!(
    /// EVENT_TOPIC_MONSTER_STATUS: monsters.
    MonsterStatus, MonsterEnvelope, MonsterEvent {
        "CREATED" => Created(MonsterActor),
        "DESTROYED" => Destroyed(MonsterActor),
        "KILLED" => Killed(MonsterHit),
        "DAMAGED" => Damaged(MonsterHit),
        "START_CONTROL" => StartControl(StartControl),
        "STOP_CONTROL" => StopControl(MonsterActor),
    }
);

// §4.15 EVENT_TOPIC_DROP_STATUS.

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DropEnvelope {
    #[serde(flatten)]
    pub field: FieldBlock,
    pub drop_id: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DropCreated {
    pub item_id: u32,
    pub quantity: u32,
    pub meso: u32,
    /// The ownership type.
    #[serde(rename = "type")]
    pub ownership: u8,
    pub x: i16,
    pub y: i16,
    pub owner_id: u32,
    pub owner_party_id: u32,
    pub drop_time: GoTime,
    pub dropper_unique_id: u32,
    pub dropper_x: i16,
    pub dropper_y: i16,
    pub player_drop: bool,
    #[serde(rename = "mod")]
    pub delay: u8,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PickedUp {
    pub character_id: u32,
    pub item_id: u32,
    pub equipment_id: u32,
    pub quantity: u32,
    pub meso: u32,
    pub pet_slot: i8,
}

record!(
    /// EVENT_TOPIC_DROP_STATUS: items and meso on the ground.
    DropStatus, DropEnvelope, DropEvent {
        "CREATED" => Created(DropCreated),
        "EXPIRED" => Expired(IgnoredObject),
        "PICKED_UP" => PickedUp(PickedUp),
    }
);

// §4.16 EVENT_TOPIC_CONSUMABLE_STATUS.

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConsumableEnvelope {
    pub character_id: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ConsumableError {
    pub error: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Scroll {
    pub success: bool,
    pub cursed: bool,
    pub legendary_spirit: bool,
    pub white_scroll: bool,
}

record!(
    /// EVENT_TOPIC_CONSUMABLE_STATUS: item use results.
    ConsumableStatus, ConsumableEnvelope, ConsumableEvent {
        "ERROR" => Error(ConsumableError),
        "SCROLL" => Scroll(Scroll),
    }
);

// §4.20 EVENT_TOPIC_INVITE_STATUS.

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct InviteEnvelope {
    pub world_id: u8,
    pub invite_type: String,
    pub reference_id: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Invitation {
    pub originator_id: u32,
    pub target_id: u32,
}

record!(
    /// EVENT_TOPIC_INVITE_STATUS: invitations created and rejected.
    InviteStatus, InviteEnvelope, InviteEvent {
        "CREATED" => Created(Invitation),
        "REJECTED" => Rejected(Invitation),
    }
);

impl InviteStatus {
    pub fn body(&self) -> &Invitation {
        match &self.event {
            InviteEvent::Created(body) | InviteEvent::Rejected(body) => body,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(topic: &str, value: Value) -> Record {
        match decode(topic, &value) {
            Some(Ok(Decoded::Message(record))) => record,
            other => panic!("{topic} {value}: {other:?}"),
        }
    }

    #[test]
    fn spec_examples_decode() {
        let Record::Character(status) = message(
            "EVENT_TOPIC_CHARACTER_STATUS",
            json!({"transactionId": "0b6c8a52-3d1e-4f7a-9c2b-5e4d3c2b1a09", "worldId": 0, "characterId": 30001, "type": "MAP_CHANGED",
                "body": {"channelId": 1, "oldMapId": 100000000, "oldInstance": "00000000-0000-0000-0000-000000000000",
                "targetMapId": 104000000, "targetInstance": "00000000-0000-0000-0000-000000000000", "targetPortalId": 2}}),
        ) else {
            panic!("character status")
        };
        let CharacterEvent::MapChanged(warp) = status.event else { panic!("a warp") };
        assert_eq!((status.envelope.character_id, warp.channel_id, warp.target_map_id, warp.target_portal_id), (30001, 1, 104000000, 2));
        let Record::Asset(asset) = message(
            "EVENT_TOPIC_ASSET_STATUS",
            json!({"characterId": 30001, "assetId": 88001, "templateId": 2000000, "slot": 4, "type": "CREATED",
                "body": {"quantity": 50, "cashId": "123456789", "equippedSince": null}}),
        ) else {
            panic!("asset status")
        };
        let AssetEvent::Created(data) = asset.event else { panic!("created") };
        assert_eq!((data.quantity, data.cash_id, data.equipped_since), (50, 123456789, None));
        let text = serde_json::to_value(&data).expect("serializes");
        assert_eq!((text["cashId"].clone(), text["expiration"].clone()), (json!("123456789"), json!("0001-01-01T00:00:00Z")));
    }

    #[test]
    fn each_type_reads_its_own_body_only() {
        let expired = json!({"worldId": 0, "characterId": 1, "type": "EXPIRED", "body": {"fromId": "x", "sourceId": 1}});
        assert!(matches!(decode("EVENT_TOPIC_CHARACTER_BUFF_STATUS", &expired), Some(Ok(Decoded::Message(_)))));
        let applied = json!({"worldId": 0, "characterId": 1, "type": "APPLIED", "body": {"fromId": "x"}});
        let Some(Err(reject)) = decode("EVENT_TOPIC_CHARACTER_BUFF_STATUS", &applied) else { panic!("refused") };
        assert!(reject.to_string().contains("body: fromId"), "{reject}");
        let ignored = json!({"characterId": "x", "type": "JOB_CHANGED", "body": [1]});
        assert!(matches!(decode("EVENT_TOPIC_CHARACTER_STATUS", &ignored), Some(Ok(Decoded::Unhandled(_)))));
        for bad in [json!({"cashId": 5}), json!({"cashId": "five"}), json!({"expiration": "soon"})] {
            let value = json!({"characterId": 1, "templateId": 2000000, "type": "UPDATED", "body": bad});
            assert!(matches!(decode("EVENT_TOPIC_ASSET_STATUS", &value), Some(Err(_))), "{value}");
        }
        assert!(matches!(decode("EVENT_TOPIC_MAP_STATUS", &json!({"type": "CHARACTER_ENTER", "body": [30001]})), Some(Err(_))));
        assert!(decode("EVENT_TOPIC_PARTY_STATUS", &json!({})).is_none(), "not a first-wave topic");
    }
}
