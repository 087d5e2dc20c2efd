//! Pets (spec 51 §4.4, §4.8, the PET rows of §4.11, §4.20; spec 50 §4.27): the commands a
//! pet's owner gives, the pet records, and their pushes.

use super::{FieldBlock, Produced, Push};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// COMMAND_TOPIC_PET, keyed by the pet.
///
/// `{"actorId":30001,"petId":7001,"type":"SPAWN","body":{"lead":false}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PetCommand {
    pub actor_id: u32,
    pub pet_id: u32,
    #[serde(flatten)]
    pub kind: PetCommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum PetCommandKind {
    Spawn { lead: bool },
    Despawn {},
    AttemptCommand { command_id: u8, by_name: bool },
    Exclude { items: Vec<u32> },
}

impl Produced for PetCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_PET";
    fn key(&self) -> u32 {
        self.pet_id
    }
}

/// COMMAND_TOPIC_PET_MOVEMENT: flat, keyed by the pet (low 32 bits of its id).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PetMovementCommand {
    #[serde(flatten)]
    pub field: FieldBlock,
    pub object_id: u64,
    pub observer_id: u32,
    pub x: i16,
    pub y: i16,
    pub stance: u8,
}

impl Produced for PetMovementCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_PET_MOVEMENT";
    fn key(&self) -> u32 {
        // Spec 51 §2.2: a 64-bit id keys by its low 32 bits.
        (self.object_id & u64::from(u32::MAX)) as u32
    }
}

/// COMMAND_TOPIC_CHARACTER_CHAT `PET`, keyed by the pet.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PetChatCommand {
    #[serde(flatten)]
    pub field: FieldBlock,
    pub actor_id: u32,
    pub message: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub body: PetChatBody,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PetChatBody {
    pub owner_id: u32,
    pub pet_slot: i8,
    #[serde(rename = "type")]
    pub chat_type: u8,
    pub action: u8,
    pub balloon: bool,
}

impl Produced for PetChatCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_CHARACTER_CHAT";
    fn key(&self) -> u32 {
        self.actor_id
    }
}

/// COMMAND_TOPIC_DROP `REQUEST_RESERVATION` by a pet, keyed by the drop.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PetLootCommand {
    #[serde(flatten)]
    pub field: FieldBlock,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub body: Loot,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Loot {
    pub drop_id: u32,
    pub character_id: u32,
    pub character_x: i16,
    pub character_y: i16,
    pub pet_slot: i8,
}

impl Produced for PetLootCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_DROP";
    fn key(&self) -> u32 {
        self.body.drop_id
    }
}

/// EVENT_TOPIC_PET_STATUS envelope.
///
/// `{"petId":9001,"ownerId":30001,"type":"SLOT_CHANGED","body":{"oldSlot":-1,"newSlot":0}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PetRecord {
    pub pet_id: u32,
    pub owner_id: u32,
}

/// The bodies of the pet records, each type using some of these fields.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PetBody {
    pub template_id: u32,
    pub name: String,
    pub slot: i8,
    pub old_slot: i8,
    pub new_slot: i8,
    pub level: u8,
    pub closeness: u16,
    pub fullness: u8,
    pub x: i16,
    pub y: i16,
    pub stance: u8,
    pub fh: i16,
    pub reason: String,
    pub command_id: u8,
    pub success: bool,
    pub amount: i16,
    pub items: Vec<u32>,
}

/// Why a pet went back into the inventory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DespawnReason {
    Normal,
    Hunger,
    Expired,
    #[serde(rename = "UNKNOWN_1")]
    Unknown1,
    #[serde(rename = "UNKNOWN_2")]
    Unknown2,
}

/// `PetActivated`: a pet appears next to its owner, or leaves.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "mode", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum PetActivated {
    Spawn { owner_id: u32, slot: i8, template_id: u32, name: String, pet_id: u32, x: i16, y: i16, stance: u8, fh: i16 },
    Despawn { owner_id: u32, slot: i8, reason: DespawnReason },
}

impl Push for PetActivated {
    const WRITER: &'static str = "PetActivated";
}

/// `PetCommandResponse`: a pet's reaction to a command or to food.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PetCommandResponse {
    pub owner_id: u32,
    pub slot: i8,
    pub command_id: u8,
    pub success: bool,
    pub food: bool,
}

impl Push for PetCommandResponse {
    const WRITER: &'static str = "PetCommandResponse";
}

/// `CharacterEffect` of a pet's level-up, own and as seen by the map.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "effect", rename = "PET_LEVEL_UP", rename_all = "camelCase")]
pub struct PetLevelUp {
    pub slot: i8,
}

impl Push for PetLevelUp {
    const WRITER: &'static str = "CharacterEffect";
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "effect", rename = "PET_LEVEL_UP", rename_all = "camelCase")]
pub struct PetLevelUpForeign {
    pub character_id: u32,
    pub slot: i8,
}

impl Push for PetLevelUpForeign {
    const WRITER: &'static str = "CharacterEffectForeign";
}

/// `PetExcludeResponse`: the items a pet does not loot.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PetExcludeResponse {
    pub pet_id: u32,
    pub items: Vec<u32>,
}

impl Push for PetExcludeResponse {
    const WRITER: &'static str = "PetExcludeResponse";
}

/// `PetMovement`: another character's pet moved.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PetMovement<P: Serialize> {
    pub owner_id: u32,
    pub slot: i8,
    pub path: P,
}

impl<P: Serialize> Push for PetMovement<P> {
    const WRITER: &'static str = "PetMovement";
}

/// `StatChanged` of a pet serial (`PET_SN_1`..`PET_SN_3`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PetSerialChanged {
    pub updates: std::collections::BTreeMap<String, u32>,
    pub excl_request_sent: bool,
}

impl Push for PetSerialChanged {
    const WRITER: &'static str = "StatChanged";
}

/// `CharacterInventoryChange` refreshing a pet's cash item (remove, then add).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PetItemRefresh {
    pub silent: bool,
    pub operations: Vec<ItemOperation>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "mode", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum ItemOperation {
    Remove { inventory_type: u8, slot: i16 },
    Add { inventory_type: u8, slot: i16, item: Value },
}

impl Push for PetItemRefresh {
    const WRITER: &'static str = "CharacterInventoryChange";
}
