//! The cash shop: purchases and slot expansions (spec 51 §4.28), cash-locker moves as
//! `cash_shop_operation` sagas run by this server's orchestrator (§4.34), and the results
//! pushed back (spec 50 §4.36, §4.37).

use super::actions::command;
use super::commands::{Context as Session, Outcome};
use super::deliver::{Recipients, Scope};
use super::updates::{kind, part, push};
use super::{last_wave, lookups};
use crate::contracts::channel::cash_shop::{
    Accepted, CapacityIncreased, CashCompartmentRecord, CashItem, CashQueryResult, CashShopCommand, CashShopCommandKind, CashShopError,
    CashShopOperation, CashShopRecord, CashShopSaga, InventoryAsset, LockerPayload, MovedItem, Purchased, Released, EXPLORER,
};
use crate::contracts::decode::{self, Decoded, Reject};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

/// The cash-shop client frame (docs/client-protocol.md).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum Action {
    CashShopOperation {
        #[serde(flatten)]
        operation: ShopOp,
    },
}

/// What the cash-shop window asks (with the v83 operation values). `isPoints` is read by Go and
/// dropped, so it is not a field here.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "operation", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum ShopOp {
    /// v83 value 3.
    Buy {
        currency: u32,
        serial_number: u32,
    },
    /// v83 value 6: slots of a tab (`inventoryType`) or by a coupon item (`byItem`, `serialNumber`).
    IncreaseInventory {
        currency: u32,
        #[serde(default)]
        by_item: bool,
        #[serde(default)]
        inventory_type: u8,
        #[serde(default)]
        serial_number: u32,
    },
    /// v83 value 7.
    IncreaseStorage {
        currency: u32,
        #[serde(default)]
        by_item: bool,
        #[serde(default)]
        serial_number: u32,
    },
    /// v83 value 8.
    IncreaseCharacterSlot {
        currency: u32,
        serial_number: u32,
    },
    /// v83 value 13: the item `serialNumber` (its cash id) from the locker into tab `inventoryType`;
    /// the client's slot is ignored.
    MoveFromCashInventory {
        serial_number: u64,
        inventory_type: u8,
        #[serde(default)]
        slot: i16,
    },
    /// v83 value 14: the item `serialNumber` from tab `inventoryType` into the locker.
    MoveToCashInventory {
        serial_number: u64,
        inventory_type: u8,
    },
    /// Decoded and only logged by Go; nothing is produced.
    Gift,
    EnableEquipSlot,
    BuyNormal,
    RebateLockerItem,
    BuyCouple,
    BuyPackage,
    ApplyWishlist,
    BuyFriendship,
    GetPurchaseRecord,
    BuyNameChange,
    BuyWorldTransfer,
}

/// A locker move's saga: its transaction and creation instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Found {
    pub transaction: Uuid,
    pub at: DateTime<Utc>,
}

impl Default for Found {
    fn default() -> Found {
        Found { transaction: Uuid::nil(), at: DateTime::<Utc>::UNIX_EPOCH }
    }
}

pub fn resolve(action: &Action) -> last_wave::Context {
    let Action::CashShopOperation { operation } = action;
    let cash = match operation {
        ShopOp::MoveFromCashInventory { .. } | ShopOp::MoveToCashInventory { .. } => Found { transaction: Uuid::new_v4(), at: Utc::now() },
        _ => Found::default(),
    };
    last_wave::Context { cash, ..last_wave::Context::default() }
}

pub fn translate(action: &Action, ctx: &Session) -> Outcome {
    let Action::CashShopOperation { operation } = action;
    let c = ctx.character;
    let shop = |kind: CashShopCommandKind| command(&CashShopCommand { character_id: c, kind });
    let Found { transaction: transaction_id, at } = ctx.later.cash;
    let at = at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    let locker = |payload: LockerPayload| command(&CashShopSaga::locker(transaction_id, &at, payload));
    let (character_id, account_id) = (c, ctx.account);
    let commands = match *operation {
        ShopOp::Buy { currency, serial_number } => vec![shop(CashShopCommandKind::RequestPurchase { currency, serial_number })],
        ShopOp::IncreaseInventory { currency, by_item: false, inventory_type, .. } => {
            vec![shop(CashShopCommandKind::RequestInventoryIncreaseByType { currency, inventory_type })]
        }
        ShopOp::IncreaseInventory { currency, by_item: true, serial_number, .. } => {
            vec![shop(CashShopCommandKind::RequestInventoryIncreaseByItem { currency, serial_number })]
        }
        ShopOp::IncreaseStorage { currency, by_item: false, .. } => vec![shop(CashShopCommandKind::RequestStorageIncrease { currency })],
        ShopOp::IncreaseStorage { currency, by_item: true, serial_number } => {
            vec![shop(CashShopCommandKind::RequestStorageIncreaseByItem { currency, serial_number })]
        }
        ShopOp::IncreaseCharacterSlot { currency, serial_number } => {
            vec![shop(CashShopCommandKind::RequestCharacterSlotIncreaseByItem { currency, serial_number })]
        }
        ShopOp::MoveFromCashInventory { serial_number, inventory_type, .. } => vec![locker(LockerPayload::Withdraw {
            transaction_id,
            character_id,
            account_id,
            cash_id: serial_number,
            compartment_type: EXPLORER,
            inventory_type,
        })],
        ShopOp::MoveToCashInventory { serial_number, inventory_type } => vec![locker(LockerPayload::Transfer {
            transaction_id,
            character_id,
            account_id,
            cash_id: serial_number,
            source_inventory_type: inventory_type,
            compartment_type: EXPLORER,
        })],
        ShopOp::Gift
        | ShopOp::EnableEquipSlot
        | ShopOp::BuyNormal
        | ShopOp::RebateLockerItem
        | ShopOp::BuyCouple
        | ShopOp::BuyPackage
        | ShopOp::ApplyWishlist
        | ShopOp::BuyFriendship
        | ShopOp::GetPurchaseRecord
        | ShopOp::BuyNameChange
        | ShopOp::BuyWorldTransfer => {
            tracing::debug!(character = c, ?operation, "cash-shop operation not served");
            Vec::new()
        }
    };
    Outcome { commands, ..Outcome::default() }
}

/// A cash-shop record for its shopper.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub character: u32,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    CapacityIncreased(CapacityIncreased),
    Purchased(Purchased),
    Error(String),
    /// Character → locker: the locker's new asset.
    MovedToLocker {
        account: u32,
        compartment: Uuid,
        asset: Uuid,
    },
    /// Locker → character: found in the character's tab by its cash id.
    MovedToInventory(Released),
}

/// EVENT_TOPIC_CASH_SHOP_STATUS (`CHARACTER_ENTER`, `CHARACTER_EXIT` and
/// `CASH_ITEM_MOVED_TO_INVENTORY` need nothing).
pub fn decode_shop(value: &Value) -> Result<Decoded<Update>, Reject> {
    let kind = kind(value)?;
    let record: CashShopRecord = decode::into(value.clone())?;
    let body = value.get("body");
    let change = match kind {
        "INVENTORY_CAPACITY_INCREASED" => Change::CapacityIncreased(part(body)?),
        "PURCHASE" => Change::Purchased(part(body)?),
        "ERROR" => Change::Error(part::<CashShopError>(body)?.error),
        other => return Ok(Decoded::Unhandled(other.to_string())),
    };
    Ok(Decoded::Message(Update { character: record.character_id, change }))
}

/// EVENT_TOPIC_CASH_COMPARTMENT_STATUS.
pub fn decode_compartment(value: &Value) -> Result<Decoded<Update>, Reject> {
    let kind = kind(value)?;
    let record: CashCompartmentRecord = decode::into(value.clone())?;
    let body = value.get("body");
    let change = match kind {
        "ACCEPTED" => {
            let accepted: Accepted = part(body)?;
            Change::MovedToLocker { account: record.account_id, compartment: record.compartment_id, asset: accepted.asset_id }
        }
        "RELEASED" => Change::MovedToInventory(part(body)?),
        other => return Ok(Decoded::Unhandled(other.to_string())),
    };
    Ok(Decoded::Message(Update { character: record.character_id, change }))
}

pub(super) async fn deliver(to: &Recipients<'_>, update: Update) {
    // Filter T: the shopper's session, wherever it is here (it stays while in the shop).
    let Some(session) = to.session(update.character, Scope::Tenant) else { return };
    let (services, tenant, character) = (&to.edge.services, to.tenant, update.character);
    let account = session.state().account;
    match update.change {
        Change::CapacityIncreased(increased) => {
            let success = CashShopOperation::InventoryCapacityIncreaseSuccess {
                inventory_type: increased.inventory_type,
                capacity: increased.capacity,
            };
            session.push(&push(&success));
            let wallet = lookups::one(services, tenant, "CASHSHOP", &format!("accounts/{account}/wallet")).await;
            let balances = wallet.and_then(|w| serde_json::from_value::<CashQueryResult>(w).ok()).unwrap_or_default();
            session.push(&push(&balances));
        }
        Change::Purchased(purchase) => {
            let path =
                format!("accounts/{account}/cash-shop/inventory/compartments/{}/assets/{}", purchase.compartment_id, purchase.asset_id);
            let Some(item) = cash_item(to, &path).await else { return };
            session.push(&push(&CashShopOperation::PurchaseSuccess { account_id: account, character_id: character, item }));
        }
        Change::Error(error) => session.push(&push(&CashShopOperation::InventoryCapacityIncreaseFailed { error })),
        Change::MovedToLocker { account, compartment, asset } => {
            let path = format!("accounts/{account}/cash-shop/inventory/compartments/{compartment}/assets/{asset}");
            let Some(item) = cash_item(to, &path).await else { return };
            session.push(&push(&CashShopOperation::CashItemMovedToCashInventory { account_id: account, character_id: character, item }));
        }
        Change::MovedToInventory(released) => {
            let Some(item) = moved_item(to, character, &released).await else { return };
            session.push(&push(&CashShopOperation::CashItemMovedToInventory { item }));
        }
    }
}

/// A cash item of the locker; `None` when it cannot be read.
async fn cash_item(to: &Recipients<'_>, path: &str) -> Option<CashItem> {
    serde_json::from_value(lookups::one(&to.edge.services, to.tenant, "CASHSHOP", path).await?).ok()
}

/// The asset carrying `released`'s cash id in the character's tab of its template.
async fn moved_item(to: &Recipients<'_>, character: u32, released: &Released) -> Option<MovedItem> {
    let tab = match released.template_id / 1_000_000 {
        t @ 1..=5 => t,
        _ => return None,
    };
    let path = format!("characters/{character}/inventory/compartments?type={tab}");
    let document: Value = crate::actors::foreign::get(&to.edge.services.foreign, to.tenant, "INVENTORY_SERVICE_URL", &path).await?;
    let included = document["included"].as_array()?;
    included.iter().filter(|r| r["type"] == "assets").find_map(|resource| {
        let asset: InventoryAsset = serde_json::from_value(resource["attributes"].clone()).ok()?;
        if asset.reference_data.cash_id != released.cash_id {
            return None;
        }
        Some(MovedItem {
            asset_id: resource["id"].as_str()?.parse().ok()?,
            slot: asset.slot,
            template_id: asset.template_id,
            quantity: asset.reference_data.quantity,
            cash_id: asset.reference_data.cash_id,
            expiration: asset.expiration,
        })
    })
}
