//! Dying and coming back (spec 51 §4.34): a dead player's "OK" becomes a
//! `character_respawn` saga, which this server's own orchestrator then runs.

use super::lookups;
use super::sessions::Field;
use crate::channel::Services;
use crate::contracts::channel::respawn::{RespawnAction, RespawnSaga, RespawnStep, RespawnStepId, WarpToSpawn};
use crate::contracts::saga_payload::{CharacterPlace, DeductExperience, DestroyAsset, SetHp};
use crate::contracts::tenant::Tenant;
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

const WHEEL_OF_FORTUNE: u32 = 5510000;
/// Protective items, first found wins: the safety charm (cash), then two etc items.
const PROTECTIVE: [u32; 3] = [5130000, 4031283, 4140903];
/// Field-limit bit of maps where death costs no experience.
const NO_EXP_LOSS: u64 = 0x80000;
const BEGINNER_JOBS: [u64; 4] = [0, 1000, 2000, 2001];
/// HP a respawned character comes back with.
const RESPAWN_HP: u16 = 50;

/// What a death costs and where the character comes back.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub transaction: Uuid,
    pub at: DateTime<Utc>,
    pub wheel: bool,
    pub protective: Option<u32>,
    pub exp_loss: u32,
    pub target_map: u32,
}

/// Reads the character, its inventory and its map; `None` when one cannot be read.
pub async fn plan(services: &Services, tenant: &Tenant, character: u32, map: u32) -> Option<Plan> {
    let attributes = lookups::character(services, tenant, character).await?;
    let inventory: Value =
        crate::actors::foreign::get(&services.foreign, tenant, "INVENTORY_SERVICE_URL", &format!("characters/{character}/inventory"))
            .await?;
    let map_data = lookups::one(services, tenant, "DATA", &format!("data/maps/{map}")).await?;
    let held = held_items(&inventory);
    Some(decide(&attributes, &map_data, &held, map))
}

/// Template ids of the assets an inventory document holds (at least one of each).
fn held_items(inventory: &Value) -> Vec<u32> {
    let resources = inventory["included"].as_array().into_iter().flatten().chain(inventory["data"].as_array().into_iter().flatten());
    resources
        .filter(|r| r["type"] == "assets" && r["attributes"]["quantity"].as_u64().unwrap_or(1) >= 1)
        .filter_map(|r| r["attributes"]["templateId"].as_u64().map(|t| t as u32))
        .collect()
}

fn decide(character: &Value, map: &Value, held: &[u32], current_map: u32) -> Plan {
    let wheel = held.contains(&WHEEL_OF_FORTUNE);
    let protective = PROTECTIVE.into_iter().find(|p| held.contains(p));
    let job = character["jobId"].as_u64().unwrap_or(0);
    let experience = character["experience"].as_u64().unwrap_or(0);
    let no_loss = BEGINNER_JOBS.contains(&job) || map["fieldLimit"].as_u64().unwrap_or(0) & NO_EXP_LOSS != 0 || protective.is_some();
    let rate = if map["town"] == true {
        0.01
    } else if character["luck"].as_u64().unwrap_or(0) < 50 {
        0.10
    } else {
        0.05
    };
    let exp_loss = if no_loss { 0 } else { (experience as f64 * rate).floor() as u32 };
    let return_map = map["returnMapId"].as_u64().map_or(current_map, |m| m as u32);
    Plan {
        transaction: Uuid::new_v4(),
        at: Utc::now(),
        wheel,
        protective,
        exp_loss,
        target_map: if wheel { current_map } else { return_map },
    }
}

/// The saga on COMMAND_TOPIC_SAGA: the item the death consumes, HP back, the experience
/// lost, the buffs gone, and the warp to where the character comes back.
pub fn saga(plan: &Plan, character: u32, field: &Field) -> RespawnSaga {
    let (world_id, channel_id) = (field.world, field.channel);
    let at = plan.at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    let step = |id, action| RespawnStep::pending(id, action, &at);
    let destroy =
        |template_id| RespawnAction::DestroyAsset(DestroyAsset { character_id: character, template_id, quantity: 1, remove_all: false });
    let mut steps = Vec::new();
    if plan.wheel {
        steps.push(step(RespawnStepId::ConsumeWheelOfFortune, destroy(WHEEL_OF_FORTUNE)));
    }
    if let Some(item) = plan.protective {
        steps.push(step(RespawnStepId::ConsumeProtectiveItem, destroy(item)));
    }
    steps.push(step(
        RespawnStepId::SetHp,
        RespawnAction::SetHp(SetHp { character_id: character, world_id, channel_id, amount: RESPAWN_HP }),
    ));
    if plan.exp_loss > 0 {
        let lost = DeductExperience { character_id: character, world_id, channel_id, amount: plan.exp_loss };
        steps.push(step(RespawnStepId::DeductExperience, RespawnAction::DeductExperience(lost)));
    }
    let place = CharacterPlace { character_id: character, world_id, channel_id };
    steps.push(step(RespawnStepId::CancelAllBuffs, RespawnAction::CancelAllBuffs(place)));
    let warp = WarpToSpawn { character_id: character, world_id, channel_id, map_id: plan.target_map, portal_id: 0 };
    steps.push(step(RespawnStepId::WarpToSpawn, RespawnAction::WarpToPortal(warp)));
    RespawnSaga::new(plan.transaction, steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::actions::command;
    use serde_json::json;

    #[test]
    fn experience_loss_follows_job_map_and_protection() {
        let warrior = json!({"jobId": 100, "experience": 1000, "luck": 60});
        let field = json!({"returnMapId": 100000000, "town": false, "fieldLimit": 0});
        assert_eq!(decide(&warrior, &field, &[], 104000000).exp_loss, 50);
        assert_eq!(decide(&json!({"jobId": 100, "experience": 1000, "luck": 10}), &field, &[], 1).exp_loss, 100);
        assert_eq!(decide(&warrior, &json!({"town": true}), &[], 1).exp_loss, 10);
        assert_eq!(decide(&json!({"jobId": 1000, "experience": 1000}), &field, &[], 1).exp_loss, 0, "beginners lose nothing");
        assert_eq!(decide(&warrior, &json!({"fieldLimit": 0x80000}), &[], 1).exp_loss, 0);
        let charmed = decide(&warrior, &field, &[4031283, 5130000], 104000000);
        assert_eq!((charmed.exp_loss, charmed.protective), (0, Some(5130000)), "the cash charm comes first");
        assert_eq!(decide(&warrior, &field, &[], 104000000).target_map, 100000000, "back to the return map");
        assert_eq!(decide(&warrior, &field, &[WHEEL_OF_FORTUNE], 104000000).target_map, 104000000, "the wheel revives in place");
    }

    #[test]
    fn the_saga_lists_its_steps_in_order() {
        let plan = Plan { transaction: Uuid::nil(), at: Utc::now(), wheel: true, protective: Some(5130000), exp_loss: 0, target_map: 7 };
        let field = Field { world: 0, channel: 1, map: 7, instance: Uuid::nil() };
        let command = command(&saga(&plan, 30001, &field));
        let ids: Vec<&str> = command.value["steps"].as_array().into_iter().flatten().filter_map(|s| s["stepId"].as_str()).collect();
        assert_eq!(ids, ["consume_wheel_of_fortune", "consume_protective_item", "set_hp", "cancel_all_buffs", "warp_to_spawn"]);
        assert_eq!(
            command.value["steps"][4]["payload"],
            json!({"characterId": 30001, "worldId": 0, "channelId": 1, "mapId": 7, "portalId": 0})
        );
        assert_eq!((command.topic, command.value["sagaType"].clone()), ("COMMAND_TOPIC_SAGA", json!("character_respawn")));
    }
}
