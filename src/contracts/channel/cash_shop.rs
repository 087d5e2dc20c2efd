//! The cash shop (spec 51 §4.28, §4.34's `cash_shop_operation`; spec 50 §4.36, §4.37):
//! purchase and slot commands, the cash-locker sagas, the cash-shop and cash-compartment
//! records, and the `CashShopOperation` and `CashShopCashQueryResult` pushes.

use super::{Produced, Push};
use crate::contracts::saga::status_key;
use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

/// The cash-shop compartment the locker moves use (Explorer, always; spec 51 §4.34).
pub const EXPLORER: u8 = 1;

/// COMMAND_TOPIC_CASH_SHOP, keyed by the shopper.
///
/// `{"characterId":30001,"type":"REQUEST_PURCHASE","body":{"currency":1,"serialNumber":20000123}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CashShopCommand {
    pub character_id: u32,
    #[serde(flatten)]
    pub kind: CashShopCommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum CashShopCommandKind {
    RequestPurchase { currency: u32, serial_number: u32 },
    RequestInventoryIncreaseByType { currency: u32, inventory_type: u8 },
    RequestInventoryIncreaseByItem { currency: u32, serial_number: u32 },
    RequestStorageIncrease { currency: u32 },
    RequestStorageIncreaseByItem { currency: u32, serial_number: u32 },
    RequestCharacterSlotIncreaseByItem { currency: u32, serial_number: u32 },
}

impl Produced for CashShopCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_CASH_SHOP";
    fn key(&self) -> u32 {
        self.character_id
    }
}

/// A `cash_shop_operation` saga on COMMAND_TOPIC_SAGA, keyed by its transaction id.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CashShopSaga {
    pub transaction_id: Uuid,
    pub saga_type: SagaType,
    pub initiated_by: Initiator,
    pub steps: Vec<LockerStep>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SagaType {
    CashShopOperation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Initiator {
    CashShop,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Pending,
}

/// One step; its id is its action's name.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LockerStep {
    pub step_id: LockerAction,
    pub status: StepStatus,
    pub action: LockerAction,
    pub payload: LockerPayload,
    /// RFC 3339, the saga's creation instant (both times).
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LockerAction {
    WithdrawFromCashShop,
    TransferToCashShop,
}

/// The payloads, fields in spec 51 §4.34's order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum LockerPayload {
    #[serde(rename_all = "camelCase")]
    Withdraw { transaction_id: Uuid, character_id: u32, account_id: u32, cash_id: u64, compartment_type: u8, inventory_type: u8 },
    #[serde(rename_all = "camelCase")]
    Transfer { transaction_id: Uuid, character_id: u32, account_id: u32, cash_id: u64, source_inventory_type: u8, compartment_type: u8 },
}

impl CashShopSaga {
    /// A one-step saga moving the cash item `cash_id` between the locker and the inventory.
    pub fn locker(transaction_id: Uuid, at: &str, payload: LockerPayload) -> CashShopSaga {
        let action = match payload {
            LockerPayload::Withdraw { .. } => LockerAction::WithdrawFromCashShop,
            LockerPayload::Transfer { .. } => LockerAction::TransferToCashShop,
        };
        let step =
            LockerStep { step_id: action, status: StepStatus::Pending, action, payload, created_at: at.into(), updated_at: at.into() };
        CashShopSaga { transaction_id, saga_type: SagaType::CashShopOperation, initiated_by: Initiator::CashShop, steps: vec![step] }
    }
}

impl Produced for CashShopSaga {
    const TOPIC: &'static str = "COMMAND_TOPIC_SAGA";
    fn key(&self) -> u32 {
        status_key(self.transaction_id)
    }
}

/// EVENT_TOPIC_CASH_SHOP_STATUS envelope (the shopper; its account comes from its session).
///
/// `{"worldId":0,"characterId":30001,"type":"PURCHASE","body":{"templateId":5000000,"price":4900,"compartmentId":"8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b","assetId":"0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0","itemId":5000000}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CashShopRecord {
    pub world_id: u8,
    pub character_id: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CapacityIncreased {
    pub inventory_type: u8,
    pub capacity: u32,
    pub amount: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Purchased {
    pub template_id: u32,
    pub price: u32,
    pub compartment_id: Uuid,
    pub asset_id: Uuid,
    pub item_id: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CashShopError {
    pub error: String,
    pub cash_item_id: u32,
}

/// EVENT_TOPIC_CASH_COMPARTMENT_STATUS envelope.
///
/// `{"accountId":1001,"characterId":30001,"compartmentId":"8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b","compartmentType":1,"type":"RELEASED","body":{"transactionId":"5e6f7081-92a3-4b4c-8d5e-6f708192a3b4","assetId":88010,"cashId":7000000123,"templateId":5000000}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CashCompartmentRecord {
    pub account_id: u32,
    pub character_id: u32,
    pub compartment_id: Uuid,
    pub compartment_type: u8,
}

/// `ACCEPTED`: the cash locker's new asset is a UUID.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Accepted {
    pub transaction_id: Uuid,
    pub asset_id: Uuid,
}

/// `RELEASED`: the character's new asset, found by its cash id.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Released {
    pub transaction_id: Uuid,
    pub asset_id: u32,
    pub cash_id: i64,
    pub template_id: u32,
}

/// A cash id as the services write it: a number, or its text (`cashId,string`).
fn cash_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Number(i64),
        Text(String),
    }
    match Option::<Either>::deserialize(deserializer)? {
        None => Ok(0),
        Some(Either::Number(n)) => Ok(n),
        Some(Either::Text(text)) => text.parse().map_err(serde::de::Error::custom),
    }
}

/// A cash item of the locker, as the cash-shop service holds it; `cashId` is written as
/// text, as the service does (it exceeds a JSON double's exact range).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CashItem {
    #[serde(deserialize_with = "cash_id", serialize_with = "as_text")]
    pub cash_id: i64,
    pub template_id: u32,
    pub commodity_id: u32,
    pub quantity: u32,
    pub flag: u16,
    pub purchased_by: u32,
    pub expiration: String,
}

fn as_text<S: serde::Serializer>(value: &i64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&value.to_string())
}

/// A character's inventory asset's `referenceData` (the parts a cash item has).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CashReference {
    #[serde(deserialize_with = "cash_id")]
    pub cash_id: i64,
    pub quantity: u32,
}

/// A character's inventory asset (attributes) that came out of the locker.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct InventoryAsset {
    pub slot: i16,
    pub template_id: u32,
    pub expiration: String,
    pub reference_data: CashReference,
}

/// The item a locker withdrawal put in the inventory, with its slot.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MovedItem {
    pub asset_id: u32,
    pub slot: i16,
    pub template_id: u32,
    pub quantity: u32,
    #[serde(serialize_with = "as_text")]
    pub cash_id: i64,
    pub expiration: String,
}

/// `CashShopOperation`: the results of the cash shop.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "operation", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum CashShopOperation {
    PurchaseSuccess {
        account_id: u32,
        character_id: u32,
        item: CashItem,
    },
    InventoryCapacityIncreaseSuccess {
        inventory_type: u8,
        capacity: u32,
    },
    /// Go's failure form for every cash-shop error, kept: the client shows the error key.
    InventoryCapacityIncreaseFailed {
        error: String,
    },
    CashItemMovedToCashInventory {
        account_id: u32,
        character_id: u32,
        item: CashItem,
    },
    CashItemMovedToInventory {
        item: MovedItem,
    },
}

impl Push for CashShopOperation {
    const WRITER: &'static str = "CashShopOperation";
}

/// `CashShopCashQueryResult`: the account's balances (zeros when the wallet cannot be read).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CashQueryResult {
    pub credit: u32,
    pub points: u32,
    pub prepaid: u32,
}

impl Push for CashQueryResult {
    const WRITER: &'static str = "CashShopCashQueryResult";
}
