//! How the character's effective stats follow the world (spec 20 §9–§11): sessions, buffs,
//! equipment, stat changes and skill changes, the HP/MP clamp check, and the REST read.

use super::stats::{buff_bonuses, Stats};
use super::{stats_init, Character, CharacterTimer};
use crate::actors::entity::{Effects, Meta};
use crate::actors::Foreign;
use crate::contracts::character::{StatChangedBody, StatusEnvelope};
use crate::contracts::stats::{AssetStatus, BuffStatus, ClampBody, ClampCommand, SessionStatus};
use serde_json::Value;
use uuid::Uuid;

type Out = Effects<CharacterTimer>;

const BASE_KEYS: [&str; 6] = ["strength", "dexterity", "luck", "intelligence", "max_hp", "max_mp"];
const BASE_UPDATES: [&str; 6] = ["MAX_HP", "MAX_MP", "STRENGTH", "DEXTERITY", "INTELLIGENCE", "LUCK"];

impl Character {
    async fn initialize(&mut self, services: &Foreign, meta: &Meta, world: u8, channel: u8) {
        let mut stats = self.stats.take().unwrap_or_else(|| Stats::new(world, channel));
        let levels: Vec<(u32, u8)> = self.skills.levels().collect();
        stats_init::initialize(services, &meta.tenant, self.id, &mut stats, levels).await;
        self.stats = Some(stats);
    }

    /// §9.1.
    pub(super) async fn on_session(&mut self, services: &Foreign, session: SessionStatus, meta: &Meta) -> Out {
        match (session.kind.as_str(), session.issuer.as_str()) {
            ("CREATED", "CHANNEL") => {
                self.initialize(services, meta, session.world_id, session.channel_id).await;
                if let Some(stats) = self.stats.as_mut() {
                    stats.held = true;
                }
            }
            ("DESTROYED", _) => self.stats = None,
            _ => {}
        }
        Out::none()
    }

    /// §9.2.
    pub(super) fn on_buff(&mut self, buff: BuffStatus, meta: &Meta) -> Out {
        match buff {
            BuffStatus::Applied(event) => {
                let bonuses = buff_bonuses(event.body.source_id, &event.body.changes);
                if !bonuses.is_empty() {
                    self.stats.get_or_insert_with(|| Stats::new(event.world_id, event.channel_id)).upsert_all(bonuses);
                }
                Out::none()
            }
            BuffStatus::Expired(event) => self.remove(&format!("buff:{}", event.body.source_id), meta),
        }
    }

    /// §9.3.
    pub(super) async fn on_asset(&mut self, services: &Foreign, asset: AssetStatus, meta: &Meta) -> Out {
        match asset {
            AssetStatus::Moved(event) => {
                if !matches!(event.body.reference_type.as_str(), "equipable" | "cash_equipable") {
                    return Out::none();
                }
                let (old, new) = (event.body.old_slot, event.slot);
                if old > 0 && new < 0 {
                    let Some(assets) = stats_init::equipment(services, &meta.tenant, self.id).await else { return Out::none() };
                    let Some(asset) = assets.iter().find(|a| a.id == event.asset_id).filter(|a| a.equipable()) else {
                        return Out::none();
                    };
                    let bonuses = asset.bonuses();
                    if !bonuses.is_empty() {
                        self.stats.get_or_insert_with(|| Stats::new(0, 0)).upsert_all(bonuses);
                    }
                    Out::none()
                } else if old < 0 && new > 0 {
                    self.remove(&format!("equipment:{}", event.asset_id), meta)
                } else {
                    Out::none()
                }
            }
            AssetStatus::Deleted(event) if event.slot < 0 => self.remove(&format!("equipment:{}", event.asset_id), meta),
            AssetStatus::Deleted(_) => Out::none(),
        }
    }

    /// §9.4: merge the new base values, initializing first when there is no entry.
    pub(super) async fn on_stat_changed(&mut self, services: &Foreign, event: StatusEnvelope<StatChangedBody>, meta: &Meta) -> Out {
        let body = event.body;
        if body.values.is_empty() || !body.updates.iter().any(|u| BASE_UPDATES.contains(&u.as_str())) {
            return Out::none();
        }
        if self.stats.is_none() {
            self.initialize(services, meta, event.world_id, body.channel_id).await;
        }
        if let Some(stats) = self.stats.as_mut() {
            for (index, key) in BASE_KEYS.iter().enumerate() {
                if let Some(value) = body.values.get(*key) {
                    // A JSON number truncated toward zero to u16; anything else is 0, as in Go.
                    stats.base[index] = value.as_f64().map_or(0, |v| v.trunc().clamp(0.0, 65535.0) as u16);
                }
            }
        }
        Out::none()
    }

    /// Passive bonuses follow a skill's change once the stats are initialized.
    pub(super) async fn refresh_passive(&mut self, services: &Foreign, skill: u32, meta: &Meta) {
        let Some(stats) = self.stats.as_mut().filter(|s| s.initialized) else { return };
        let source = format!("passive:{skill}");
        stats.remove_source(&source);
        let level = self.skills.levels().find(|(id, _)| *id == skill).map_or(0, |(_, level)| level);
        if level >= 1 {
            if let Some(bonuses) = stats_init::passive(services, &meta.tenant, skill, level).await {
                if let Some(stats) = self.stats.as_mut() {
                    stats.upsert_all(bonuses);
                }
            }
        }
    }

    /// All skills are gone (the character was deleted): so are their passive bonuses.
    pub(super) fn drop_passives(&mut self) {
        if let Some(stats) = self.stats.as_mut() {
            stats.bonuses.retain(|b| !b.source.starts_with("passive:"));
        }
    }

    /// §11: the stats document, initializing first if needed.
    pub(super) async fn read_stats(&mut self, services: &Foreign, world: u8, channel: u8, meta: &Meta) -> Value {
        if !self.stats.as_ref().is_some_and(|s| s.initialized) {
            let built_by_read = self.stats.is_none();
            self.initialize(services, meta, world, channel).await;
            if let Some(stats) = self.stats.as_mut().filter(|_| built_by_read) {
                stats.held = false;
            }
        }
        // The reply is JSON: the REST layer writes it as the response body.
        serde_json::to_value(Stats::document(self.id, self.stats.as_ref())).unwrap_or_default()
    }

    /// Removes a source and runs the clamp check (§10).
    fn remove(&mut self, source: &str, meta: &Meta) -> Out {
        let mut out = Out::none();
        let Some(stats) = self.stats.as_mut() else { return out };
        let (hp_before, mp_before) = stats.max_hp_mp();
        stats.remove_source(source);
        let (hp, mp) = stats.max_hp_mp();
        let transaction = Uuid::new_v4();
        for (kind, before, after) in [("CLAMP_HP", hp_before, hp), ("CLAMP_MP", mp_before, mp)] {
            if after < before {
                let command = ClampCommand {
                    transaction_id: transaction,
                    world_id: stats.world,
                    character_id: self.id,
                    kind,
                    body: ClampBody { channel_id: stats.channel, max_value: after.min(u32::from(u16::MAX)) as u16 },
                };
                out.emit("COMMAND_TOPIC_CHARACTER", self.id, &command, meta);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actors::character::skills::Skills;
    use crate::actors::character::stats::Bonus;
    use crate::contracts::tenant::Tenant;
    use serde_json::json;

    fn with_stats(stats: Option<Stats>) -> Character {
        let tenant = Uuid::new_v4();
        Character { id: 1001, skills: Skills::new(tenant, 1001), stats, messenger: Default::default() }
    }

    fn meta() -> Meta {
        Meta { tenant: Tenant { id: Uuid::new_v4(), region: "GMS".into(), major: 83, minor: 1 }, position: None, trace: Vec::new() }
    }

    fn hyper_body_on(base_hp: u16, base_mp: u16) -> Stats {
        let mut stats = Stats::new(2, 5);
        stats.base[4] = base_hp;
        stats.base[5] = base_mp;
        stats.upsert_all([Bonus::percent("buff:1301007", "max_hp", 60), Bonus::percent("buff:1301007", "max_mp", 60)]);
        stats.upsert(Bonus::flat("equipment:7", "weapon_attack", 17));
        stats
    }

    #[test]
    fn a_removal_that_lowers_max_hp_and_max_mp_clamps_both_hp_first_with_one_fresh_transaction() {
        let mut character = with_stats(Some(hyper_body_on(1000, 400)));
        let out = character.remove("buff:1301007", &meta());
        let values: Vec<Value> = out.outputs.iter().map(|o| serde_json::from_str(&o.value).expect("json")).collect();
        assert_eq!(values.len(), 2);
        assert_eq!(values[0]["type"], "CLAMP_HP");
        assert_eq!(values[0]["body"], json!({"channelId": 5, "maxValue": 1000}));
        assert_eq!(values[0]["worldId"], 2, "world and channel of the entry");
        assert_eq!(values[1]["type"], "CLAMP_MP");
        assert_eq!(values[1]["body"]["maxValue"], 400);
        assert_eq!(values[0]["transactionId"], values[1]["transactionId"]);
        assert!(out.outputs.iter().all(|o| o.key == 1001), "keyed by character");
        assert!(character.stats.as_ref().is_some_and(|s| s.bonuses.len() == 1));

        let again = character.remove("buff:1301007", &meta());
        assert!(again.outputs.is_empty(), "a source the entry does not hold");
        let weapon = character.remove("equipment:7", &meta());
        assert!(weapon.outputs.is_empty(), "only MaxHP/MaxMP drops clamp");
    }

    #[test]
    fn only_the_pool_that_went_down_is_clamped() {
        let mut stats = Stats::new(0, 1);
        stats.base[4] = 500;
        stats.upsert(Bonus::flat("equipment:1", "max_mp", 30));
        let mut character = with_stats(Some(stats));
        let out = character.remove("equipment:1", &meta());
        let kinds: Vec<String> =
            out.outputs.iter().map(|o| serde_json::from_str::<Value>(&o.value).expect("json")["type"].to_string()).collect();
        assert_eq!(kinds, vec!["\"CLAMP_MP\"".to_string()]);
        assert!(with_stats(None).remove("equipment:1", &meta()).outputs.is_empty(), "no entry, no clamp");
    }

    #[test]
    fn deleting_the_character_drops_its_passives_only() {
        let mut stats = hyper_body_on(100, 100);
        stats.upsert(Bonus::flat("passive:4000000", "accuracy", 3));
        let mut character = with_stats(Some(stats));
        character.drop_passives();
        assert!(character
            .stats
            .as_ref()
            .is_some_and(|s| s.bonuses.iter().all(|b| !b.source.starts_with("passive:")) && s.bonuses.len() == 3));
    }
}
