//! The `character_respawn` saga a dead player's "OK" creates (spec 51 §4.34): its steps
//! in order, each with the payload its action takes.

use super::cash_shop::StepStatus;
use super::Produced;
use crate::contracts::saga::status_key;
use crate::contracts::saga_payload::{CharacterPlace, DeductExperience, DestroyAsset, SetHp};
use serde::Serialize;
use uuid::Uuid;

/// COMMAND_TOPIC_SAGA, keyed by its transaction id.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RespawnSaga {
    pub transaction_id: Uuid,
    pub saga_type: RespawnSagaType,
    pub initiated_by: RespawnInitiator,
    pub steps: Vec<RespawnStep>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RespawnSagaType {
    CharacterRespawn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RespawnInitiator {
    Respawn,
}

impl RespawnSaga {
    pub fn new(transaction_id: Uuid, steps: Vec<RespawnStep>) -> RespawnSaga {
        RespawnSaga { transaction_id, saga_type: RespawnSagaType::CharacterRespawn, initiated_by: RespawnInitiator::Respawn, steps }
    }
}

impl Produced for RespawnSaga {
    const TOPIC: &'static str = "COMMAND_TOPIC_SAGA";
    fn key(&self) -> u32 {
        status_key(self.transaction_id)
    }
}

/// One pending step; both times are the saga's creation instant.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RespawnStep {
    pub step_id: RespawnStepId,
    pub status: StepStatus,
    #[serde(flatten)]
    pub action: RespawnAction,
    pub created_at: String,
    pub updated_at: String,
}

impl RespawnStep {
    pub fn pending(step_id: RespawnStepId, action: RespawnAction, at: &str) -> RespawnStep {
        RespawnStep { step_id, status: StepStatus::Pending, action, created_at: at.into(), updated_at: at.into() }
    }
}

/// The respawn's steps, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RespawnStepId {
    ConsumeWheelOfFortune,
    ConsumeProtectiveItem,
    SetHp,
    DeductExperience,
    CancelAllBuffs,
    WarpToSpawn,
}

/// A step's action and its payload (fields in spec 51 §4.34's order).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", content = "payload", rename_all = "snake_case")]
pub enum RespawnAction {
    DestroyAsset(DestroyAsset),
    SetHp(SetHp),
    DeductExperience(DeductExperience),
    CancelAllBuffs(CharacterPlace),
    WarpToPortal(WarpToSpawn),
}

/// `warp_to_portal` as the channel writes it: no `fieldId`, no portal name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WarpToSpawn {
    pub character_id: u32,
    pub world_id: u8,
    pub channel_id: u8,
    pub map_id: u32,
    pub portal_id: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn the_saga_is_written_as_spec_51_shows_it() {
        let at = "2025-05-01T10:11:12.123456789Z";
        let transaction: Uuid = "0b7f2c9e-6a11-4b1e-9c55-2d0f3e4a5b6c".parse().expect("uuid");
        let place = CharacterPlace { character_id: 30001, world_id: 0, channel_id: 1 };
        let saga = RespawnSaga::new(
            transaction,
            vec![
                RespawnStep::pending(
                    RespawnStepId::ConsumeWheelOfFortune,
                    RespawnAction::DestroyAsset(DestroyAsset { character_id: 30001, template_id: 5510000, quantity: 1, remove_all: false }),
                    at,
                ),
                RespawnStep::pending(
                    RespawnStepId::SetHp,
                    RespawnAction::SetHp(SetHp { character_id: 30001, world_id: 0, channel_id: 1, amount: 50 }),
                    at,
                ),
                RespawnStep::pending(
                    RespawnStepId::DeductExperience,
                    RespawnAction::DeductExperience(DeductExperience { character_id: 30001, world_id: 0, channel_id: 1, amount: 120 }),
                    at,
                ),
                RespawnStep::pending(RespawnStepId::CancelAllBuffs, RespawnAction::CancelAllBuffs(place), at),
                RespawnStep::pending(
                    RespawnStepId::WarpToSpawn,
                    RespawnAction::WarpToPortal(WarpToSpawn {
                        character_id: 30001,
                        world_id: 0,
                        channel_id: 1,
                        map_id: 100000000,
                        portal_id: 0,
                    }),
                    at,
                ),
            ],
        );
        let step = |id: &str, action: &str, payload: Value| json!({"stepId": id, "status": "pending", "action": action, "payload": payload, "createdAt": at, "updatedAt": at});
        let expected = json!({"transactionId": transaction, "sagaType": "character_respawn", "initiatedBy": "RESPAWN", "steps": [
            step("consume_wheel_of_fortune", "destroy_asset", json!({"characterId": 30001, "templateId": 5510000, "quantity": 1, "removeAll": false})),
            step("set_hp", "set_hp", json!({"characterId": 30001, "worldId": 0, "channelId": 1, "amount": 50})),
            step("deduct_experience", "deduct_experience", json!({"characterId": 30001, "worldId": 0, "channelId": 1, "amount": 120})),
            step("cancel_all_buffs", "cancel_all_buffs", json!({"characterId": 30001, "worldId": 0, "channelId": 1})),
            step("warp_to_spawn", "warp_to_portal", json!({"characterId": 30001, "worldId": 0, "channelId": 1, "mapId": 100000000, "portalId": 0})),
        ]});
        assert_eq!(serde_json::to_value(&saga).expect("serialises"), expected);
        // Spec 51 §2.2: the first four bytes of the transaction id, big-endian.
        assert_eq!(crate::contracts::key::encode(saga.key()), [0x9e, 0x2c, 0x7f, 0x0b, 0, 0, 0, 0]);
    }
}
