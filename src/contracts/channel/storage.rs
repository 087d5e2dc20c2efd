//! Account storage (spec 51 §4.2, the storage sagas of §4.34; spec 50 §4.33–§4.35): the
//! storage window's commands and sagas, the storage and saga records, and the
//! `StorageOperation` pushes.

use super::{Empty, Produced, Push};
use crate::contracts::saga::status_key;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// COMMAND_TOPIC_STORAGE `ARRANGE`, keyed by the account.
///
/// `{"transactionId":"5b0e7c1e-2f7d-4a36-9a57-0c7f1d0b9e21","worldId":0,"accountId":12,"type":"ARRANGE","body":{}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArrangeStorage {
    pub transaction_id: Uuid,
    pub world_id: u8,
    pub account_id: u32,
    #[serde(flatten)]
    pub kind: ArrangeKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ArrangeKind {
    Arrange(Empty),
}

impl Produced for ArrangeStorage {
    const TOPIC: &'static str = "COMMAND_TOPIC_STORAGE";
    fn key(&self) -> u32 {
        self.account_id
    }
}

/// COMMAND_TOPIC_STORAGE `CLOSE_STORAGE` (no body), keyed by the character.
///
/// `{"characterId":30001,"type":"CLOSE_STORAGE"}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename = "CLOSE_STORAGE", rename_all = "camelCase")]
pub struct CloseStorage {
    pub character_id: u32,
}

impl Produced for CloseStorage {
    const TOPIC: &'static str = "COMMAND_TOPIC_STORAGE";
    fn key(&self) -> u32 {
        self.character_id
    }
}

/// A `storage_operation` saga on COMMAND_TOPIC_SAGA, keyed by its transaction id.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageSaga {
    pub transaction_id: Uuid,
    pub saga_type: &'static str,
    pub initiated_by: &'static str,
    pub steps: Vec<Step>,
}

impl StorageSaga {
    pub fn new(transaction_id: Uuid, steps: Vec<Step>) -> StorageSaga {
        StorageSaga { transaction_id, saga_type: "storage_operation", initiated_by: "STORAGE", steps }
    }
}

impl Produced for StorageSaga {
    const TOPIC: &'static str = "COMMAND_TOPIC_SAGA";
    fn key(&self) -> u32 {
        status_key(self.transaction_id)
    }
}

/// One pending step; both times are the saga's creation instant.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub step_id: &'static str,
    pub status: &'static str,
    pub action: &'static str,
    pub payload: Payload,
    pub created_at: String,
    pub updated_at: String,
}

impl Step {
    pub fn pending(step_id: &'static str, payload: Payload, at: &str) -> Step {
        Step { step_id, status: "pending", action: payload.action(), payload, created_at: at.to_string(), updated_at: at.to_string() }
    }
}

/// The payloads of the storage steps, fields in the spec's order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged, rename_all_fields = "camelCase")]
pub enum Payload {
    AwardMesos {
        character_id: u32,
        world_id: u8,
        channel_id: u8,
        actor_id: u32,
        actor_type: &'static str,
        amount: i32,
    },
    UpdateStorageMesos {
        character_id: u32,
        account_id: u32,
        world_id: u8,
        operation: &'static str,
        mesos: u32,
    },
    WithdrawFromStorage {
        transaction_id: Uuid,
        character_id: u32,
        world_id: u8,
        account_id: u32,
        source_slot: i16,
        inventory_type: u8,
        quantity: u32,
    },
    TransferToStorage {
        transaction_id: Uuid,
        character_id: u32,
        world_id: u8,
        account_id: u32,
        source_slot: i16,
        source_inventory_type: u8,
        quantity: u32,
    },
}

impl Payload {
    pub fn action(&self) -> &'static str {
        match self {
            Payload::AwardMesos { .. } => "award_mesos",
            Payload::UpdateStorageMesos { .. } => "update_storage_mesos",
            Payload::WithdrawFromStorage { .. } => "withdraw_from_storage",
            Payload::TransferToStorage { .. } => "transfer_to_storage",
        }
    }
}

/// EVENT_TOPIC_STORAGE_STATUS envelope.
///
/// `{"transactionId":"2b3c4d5e-6f70-4a81-92a3-b4c5d6e7f809","worldId":0,"accountId":1001,"type":"PROJECTION_CREATED","body":{"characterId":30001,"accountId":1001,"worldId":0,"channelId":1,"npcId":1002100}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct StorageRecord {
    pub transaction_id: Uuid,
    pub world_id: u8,
    pub account_id: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MesosUpdated {
    pub old_mesos: u32,
    pub new_mesos: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct StorageError {
    pub error_code: String,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ProjectionCreated {
    pub character_id: u32,
    pub account_id: u32,
    pub world_id: u8,
    pub channel_id: u8,
    pub npc_id: u32,
}

/// EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS envelope and body.
///
/// `{"worldId":0,"accountId":1001,"characterId":30001,"type":"ACCEPTED","body":{"transactionId":"7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d","assetId":88001,"slot":3,"inventoryType":2}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CompartmentRecord {
    pub world_id: u8,
    pub account_id: u32,
    pub character_id: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CompartmentMoved {
    pub transaction_id: Uuid,
    pub asset_id: u32,
    pub slot: i16,
    pub inventory_type: u8,
}

/// EVENT_TOPIC_SAGA_STATUS `FAILED` body.
///
/// `{"transactionId":"4d5e6f70-8192-4a3b-9c4d-5e6f708192a3","type":"FAILED","body":{"reason":"insufficient funds","failedStep":"withdraw_mesos","characterId":30001,"sagaType":"storage_operation","errorCode":"NOT_ENOUGH_MESOS"}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SagaFailed {
    pub reason: String,
    pub failed_step: String,
    pub character_id: u32,
    pub saga_type: String,
    pub error_code: String,
}

/// `StorageOperation`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "operation", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum StorageOperation {
    /// The storage window with every asset (`npcId` of the storage keeper, Q-20).
    Show {
        npc_id: u32,
        capacity: u32,
        mesos: u32,
        assets: Vec<Value>,
    },
    UpdateMeso {
        mesos: u32,
    },
    StoreAssets {
        capacity: u32,
        inventory_type: u8,
        assets: Vec<Value>,
    },
    RetrieveAssets {
        capacity: u32,
        inventory_type: u8,
        assets: Vec<Value>,
    },
    InventoryFull,
    NotEnoughMesos,
    OneOfAKind,
    ErrorMessage {
        message: String,
    },
}

impl Push for StorageOperation {
    const WRITER: &'static str = "StorageOperation";
}
