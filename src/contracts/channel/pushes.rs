//! The frames the first wave pushes to clients (spec 50 §4.2, §4.5–§4.16, §4.20), each a
//! value named after its Go writer; the WebSocket transport writes it as JSON with that
//! name as `type`.

use super::answers::{Attributes, KeyAttributes};
use super::first_wave::{AssetData, Scroll, StatChange};
use super::notes::ListedNote;
use super::Push;
use crate::contracts::json::GoTime;
use crate::contracts::skill::MacroBody;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

macro_rules! writer {
    ($($push:ty => $writer:literal),+ $(,)?) => {
        $(impl Push for $push {
            const WRITER: &'static str = $writer;
        })+
    };
}

writer! {
    CharacterExpression => "CharacterExpression",
    ChannelChange => "ChannelChange",
    StatsChanged => "StatChanged",
    Warp => "SetField",
    Login => "SetField",
    StatusMessage => "CharacterStatusMessage",
    FameGiven => "FameResponse",
    LevelUp => "CharacterEffect",
    LevelUpForeign => "CharacterEffectForeign",
    PartyMemberHp => "PartyMemberHP",
    CharacterDespawn => "CharacterDespawn",
    InventoryChange => "CharacterInventoryChange",
    AppearanceUpdate => "CharacterAppearanceUpdate",
    MessengerOperation => "MessengerOperation",
    CompartmentMerge => "CompartmentMerge",
    CompartmentSort => "CompartmentSort",
    ChatGeneral => "CharacterChatGeneral",
    ChatMulti => "CharacterChatMulti",
    ChatWhisper => "CharacterChatWhisper",
    PetChat => "PetChat",
    Announcement => "WorldMessage",
    BuffGiven => "CharacterBuffGive",
    BuffsGiven => "CharacterBuffGive",
    BuffGivenForeign => "CharacterBuffGiveForeign",
    BuffCancelled => "CharacterBuffCancel",
    BuffCancelledForeign => "CharacterBuffCancelForeign",
    SkillChange => "CharacterSkillChange",
    SkillCooldown => "CharacterSkillCooldown",
    SpawnMonster => "SpawnMonster",
    DestroyMonster => "DestroyMonster",
    MonsterHealth => "MonsterHealth",
    ControlMonster => "ControlMonster",
    DropSpawn => "DropSpawn",
    DropDestroy => "DropDestroy",
    PetCashFoodResult => "PetCashFoodResult",
    ItemUpgrade => "CharacterItemUpgrade",
    BuddyListRedraw => "BuddyOperation",
    GuildInfo => "GuildOperation",
    KeyMapAutoHp => "CharacterKeyMapAutoHp",
    KeyMapAutoMp => "CharacterKeyMapAutoMp",
    KeyMap => "CharacterKeyMap",
    SkillMacros => "CharacterSkillMacro",
    NoteList => "NoteOperation",
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CharacterExpression {
    pub character_id: u32,
    pub expression: u32,
}

/// Reconnect to another channel (§4.2).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelChange {
    pub ip_address: String,
    pub port: u16,
}

/// `StatChanged`: each updated stat with its current value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatsChanged {
    pub updates: BTreeMap<String, i64>,
    pub excl_request_sent: bool,
}

/// `SetField` of a warp.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Warp {
    pub warp: bool,
    pub channel_id: u8,
    pub map_id: u32,
    pub instance: Uuid,
    pub portal_id: u32,
    pub hp: u16,
}

/// A skill in the login form.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginSkill {
    pub skill_id: u32,
    pub level: u8,
    pub master_level: u8,
    pub expiration: GoTime,
    pub cooldown_expires_at: GoTime,
}

/// `SetField` of a login: the character and its belongings as their services gave them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Login {
    pub warp: bool,
    pub channel_id: u8,
    pub character_id: u32,
    pub character: Attributes,
    pub skills: Vec<LoginSkill>,
    pub inventory: Option<Value>,
    pub pets: Option<Value>,
    pub quests: Option<Value>,
    pub buddy_capacity: u8,
}

/// `CharacterStatusMessage`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum StatusMessage {
    Experience(ExperienceGained),
    Meso {
        amount: i32,
    },
    MesoPickedUp {
        amount: u32,
    },
    ItemPickedUp {
        item_id: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        quantity: Option<u32>,
    },
    ItemExpiredReplaced {
        template_id: u32,
        message: String,
    },
    CashItemExpired {
        template_id: u32,
        message: String,
    },
    ItemExpired {
        template_id: u32,
        message: String,
    },
}

/// The "experience gained" message; the bonuses set by a distribution are shown.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExperienceGained {
    pub amount: u32,
    pub white: bool,
    pub in_chat: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monster_book_bonus: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mob_event_bonus_percent: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub play_time_hour: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wedding_bonus: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quest_bonus_rate: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party_bonus: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party_event_rate: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_bonus: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub premium_ip_bonus: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rainbow_week_bonus: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party_ring_bonus: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cake_pie_bonus: Option<u32>,
}

/// `FameResponse` of a fame change, to its target and to its giver.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "mode", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FameGiven {
    Received { name: String, amount: i8 },
    Gave { name: String, amount: i8, fame: i16 },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "effect", rename = "LEVEL_UP")]
pub struct LevelUp {}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "effect", rename = "LEVEL_UP", rename_all = "camelCase")]
pub struct LevelUpForeign {
    pub character_id: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyMemberHp {
    pub character_id: u32,
    pub hp: u16,
    pub max_hp: u16,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CharacterDespawn {
    pub character_id: u32,
}

/// `CharacterInventoryChange`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InventoryChange {
    pub silent: bool,
    pub operations: Vec<InventoryOperation>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "mode", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum InventoryOperation {
    Add { inventory_type: u8, slot: i16, item: Item },
    Remove { inventory_type: u8, slot: i16 },
    Quantity { inventory_type: u8, slot: i16, quantity: u32 },
    Move { inventory_type: u8, slot: i16, destination: i16 },
}

/// An item as the client is shown it: the asset's ids and its data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    pub asset_id: u32,
    pub template_id: u32,
    #[serde(flatten)]
    pub data: AssetData,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppearanceUpdate {
    pub character_id: u32,
    pub template_id: u32,
    pub slot: i16,
    pub old_slot: i16,
}

/// `MessengerOperation`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "operation", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum MessengerOperation {
    Add { slot: u8, character_id: u32, name: String, channel_id: u8 },
    Join { slot: u8 },
    Remove { slot: u8 },
    Chat { message: String },
    Invite { name: String, messenger_id: u32 },
    InviteDeclined { name: String },
    UpdateAvatar { slot: u8, character_id: u32, channel_id: u8 },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompartmentMerge {
    pub inventory_type: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompartmentSort {
    pub inventory_type: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatGeneral {
    pub character_id: u32,
    pub gm: bool,
    pub message: String,
    pub balloon_only: bool,
}

/// Group chat; `mode` 0 buddy, 1 party, 2 guild, 3 alliance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatMulti {
    pub name: String,
    pub message: String,
    pub mode: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "mode", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum ChatWhisper {
    SendResult { name: String, success: bool },
    Receive { name: String, channel_id: u8, message: String },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PetChat {
    pub owner_id: u32,
    pub pet_slot: i8,
    pub kind: u8,
    pub action: u8,
    pub message: String,
    pub balloon: bool,
}

/// `WorldMessage` of the chat relay and the login bundle.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "mode", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Announcement {
    PinkText { medal: String, name: String, message: String },
    TopScroll { message: String },
}

/// `CharacterBuffGive` of one buff.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BuffGiven {
    pub source_id: i32,
    pub duration: i32,
    pub changes: Vec<StatChange>,
    pub created_at: GoTime,
    pub expires_at: GoTime,
}

/// `CharacterBuffGive` of the login bundle: the buffs as the buffs service gave them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BuffsGiven {
    pub buffs: Vec<Attributes>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BuffGivenForeign {
    pub character_id: u32,
    pub source_id: i32,
    pub changes: Vec<StatChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BuffCancelled {
    pub changes: Vec<StatChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BuffCancelledForeign {
    pub character_id: u32,
    pub changes: Vec<StatChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillChange {
    pub skill_id: u32,
    pub level: u8,
    pub master_level: u8,
    pub expiration: GoTime,
    pub excl_request_sent: bool,
    pub sn: bool,
}

/// The remaining whole seconds of a cooldown (0: cleared).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillCooldown {
    pub skill_id: u32,
    pub seconds: i64,
}

/// `SpawnMonster` of a fresh spawn: the monster as the monsters service gave it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpawnMonster {
    pub unique_id: u32,
    pub monster_id: u32,
    pub fresh: bool,
    #[serde(flatten)]
    pub attributes: Attributes,
}

impl SpawnMonster {
    /// The frame's own fields win over attributes of the same name.
    pub fn fresh(unique_id: u32, monster_id: u32, mut attributes: Attributes) -> SpawnMonster {
        for own in ["uniqueId", "monsterId", "fresh"] {
            attributes.remove(own);
        }
        SpawnMonster { unique_id, monster_id, fresh: true, attributes }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DestroyMonster {
    pub unique_id: u32,
    pub animation: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MonsterHealth {
    pub unique_id: u32,
    pub percent: u64,
}

/// `ControlMonster`: control of a monster starts (with where it is) or stops.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged, rename_all_fields = "camelCase")]
pub enum ControlMonster {
    Start { control: bool, unique_id: u32, monster_id: u32, x: i16, y: i16, stance: u8, fh: i16, team: i8 },
    Stop { control: bool, unique_id: u32 },
}

/// `DropSpawn` of a fresh drop.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DropSpawn {
    pub drop_id: u32,
    pub enter_type: &'static str,
    pub item_id: u32,
    pub quantity: u32,
    pub meso: u32,
    pub ownership_type: u8,
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

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "mode", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum DropDestroy {
    Expire { drop_id: u32 },
    PickUp { drop_id: u32, character_id: u32, pet_slot: i8 },
    PetPickUp { drop_id: u32, character_id: u32, pet_slot: i8 },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PetCashFoodResult {
    pub error: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemUpgrade {
    pub character_id: u32,
    #[serde(flatten)]
    pub scroll: Scroll,
}

/// `BuddyOperation` `UPDATE` of the login bundle: the buddies as the buddy service gave them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "operation", rename = "UPDATE")]
pub struct BuddyListRedraw {
    pub buddies: Vec<Attributes>,
}

/// `GuildOperation` `INFO`: the guild as the guild service gave it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "operation", rename = "INFO", rename_all = "camelCase")]
pub struct GuildInfo {
    pub guild_id: u32,
    pub guild: Attributes,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyMapAutoHp {
    pub action: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyMapAutoMp {
    pub action: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyMap {
    pub keys: Vec<KeyAttributes>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkillMacros {
    pub macros: Vec<MacroBody>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "operation", rename = "LIST")]
pub struct NoteList {
    pub notes: Vec<ListedNote>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pushes_write_the_frames_of_the_spec() {
        let value = |push: &dyn erased::Json| push.json();
        assert_eq!(
            value(&MessengerOperation::Add { slot: 1, character_id: 30002, name: "Bo".into(), channel_id: 1 }),
            json!({"operation": "ADD", "slot": 1, "characterId": 30002, "name": "Bo", "channelId": 1})
        );
        assert_eq!(
            value(&DropDestroy::PetPickUp { drop_id: 5012, character_id: 30001, pet_slot: 0 }),
            json!({"mode": "PET_PICK_UP", "dropId": 5012, "characterId": 30001, "petSlot": 0})
        );
        assert_eq!(value(&DropDestroy::Expire { drop_id: 5 }), json!({"mode": "EXPIRE", "dropId": 5}));
        assert_eq!(
            value(&StatusMessage::ItemPickedUp { item_id: 4000019, quantity: None }),
            json!({"kind": "ITEM_PICKED_UP", "itemId": 4000019})
        );
        assert_eq!(value(&LevelUpForeign { character_id: 3 }), json!({"effect": "LEVEL_UP", "characterId": 3}));
        assert_eq!(value(&ControlMonster::Stop { control: false, unique_id: 7 }), json!({"control": false, "uniqueId": 7}));
        let experience = ExperienceGained { amount: 5, party_bonus: Some(2), ..ExperienceGained::default() };
        assert_eq!(
            value(&StatusMessage::Experience(experience)),
            json!({"kind": "EXPERIENCE", "amount": 5, "white": false, "inChat": false, "partyBonus": 2})
        );
        let mut attributes = Attributes::new();
        attributes.insert("monsterId".into(), json!(1));
        attributes.insert("hp".into(), json!(40));
        assert_eq!(
            value(&SpawnMonster::fresh(9, 100100, attributes)),
            json!({"uniqueId": 9, "monsterId": 100100, "fresh": true, "hp": 40})
        );
    }

    mod erased {
        pub trait Json {
            fn json(&self) -> serde_json::Value;
        }

        impl<T: serde::Serialize> Json for T {
            fn json(&self) -> serde_json::Value {
                serde_json::to_value(self).expect("serializes")
            }
        }
    }
}
