//! Gachapon megaphones (spec 50 §4.38, Q-21 fixed): a win is announced to every logged-in
//! player of the winner's world connected here, with the winner's own channel.

use super::deliver::{Recipients, Scope};
use super::lookups;
use super::updates::push;
use crate::contracts::channel::gachapon::{GachaponMegaphone, MegaphoneMode, RewardWon, WonItem};
use crate::contracts::decode::{self, Decoded, Reject};
use serde_json::Value;

/// EVENT_TOPIC_GACHAPON_REWARD_WON (flat: every record is a win).
pub fn decode(value: &Value) -> Result<Decoded<RewardWon>, Reject> {
    Ok(Decoded::Message(decode::into(value.clone())?))
}

pub(super) async fn deliver(to: &Recipients<'_>, won: RewardWon) {
    let scope = Scope::World(won.world_id);
    // logged-in sessions only; Q-9: no look-up when nobody here would see it.
    let listeners: Vec<_> =
        to.edge.sessions.all().into_iter().filter(|s| s.tenant == *to.tenant && s.character() != 0 && scope.admits(s)).collect();
    if listeners.is_empty() {
        return;
    }
    let (services, tenant) = (&to.edge.services, to.tenant);
    let Some(winner) = lookups::character(services, tenant, won.character_id).await else { return };
    let Some(name) = winner["name"].as_str().map(str::to_string) else { return };
    let Some(item) = asset(to, won.character_id, won.item_id, won.asset_id).await else { return };
    let winner_channel = to.session(won.character_id, scope).map(|s| s.channel);
    for listener in listeners {
        let megaphone = GachaponMegaphone {
            mode: MegaphoneMode::Gachapon,
            medal: String::new(),
            character_name: name.clone(),
            channel_id: winner_channel.unwrap_or(listener.channel),
            gachapon_name: won.gachapon_name.clone(),
            asset_id: won.asset_id,
            item: item.clone(),
        };
        listener.push(&push(&megaphone));
    }
}

/// The won asset in the winner's tab of the item (`GET characters/{id}/inventory/compartments?type=`).
async fn asset(to: &Recipients<'_>, character: u32, item: u32, asset: u32) -> Option<WonItem> {
    let tab = match item / 1_000_000 {
        t @ 1..=5 => t,
        _ => return None,
    };
    let path = format!("characters/{character}/inventory/compartments?type={tab}");
    let document: Value = crate::actors::foreign::get(&to.edge.services.foreign, to.tenant, "INVENTORY_SERVICE_URL", &path).await?;
    let wanted = asset.to_string();
    let found = document["included"].as_array()?.iter().find(|r| r["type"] == "assets" && r["id"].as_str() == Some(&wanted))?;
    serde_json::from_value(found["attributes"].clone()).ok()
}
