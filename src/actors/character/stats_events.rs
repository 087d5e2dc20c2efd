//! How the character's effective stats follow the world (spec 20 §9–§11): sessions, buffs,
//! equipment, stat changes and skill changes, the HP/MP clamp check, and the REST read.

use super::stats::{buff_bonuses, Stats};
use super::{stats_init, Character, CharacterTimer};
use crate::actors::entity::{Effects, Meta};
use crate::actors::Services;
use crate::contracts::character::{StatChangedBody, StatusEnvelope};
use crate::contracts::stats::{AssetStatus, BuffStatus, ClampBody, ClampCommand, SessionStatus};
use serde_json::{json, Value};
use uuid::Uuid;

type Out = Effects<CharacterTimer>;

const BASE_KEYS: [&str; 6] = ["strength", "dexterity", "luck", "intelligence", "max_hp", "max_mp"];
const BASE_UPDATES: [&str; 6] = ["MAX_HP", "MAX_MP", "STRENGTH", "DEXTERITY", "INTELLIGENCE", "LUCK"];

impl Character {
    async fn initialize(&mut self, services: &Services, meta: &Meta, world: u8, channel: u8) {
        let mut stats = self.stats.take().unwrap_or_else(|| Stats::new(world, channel));
        let levels: Vec<(u32, u8)> = self.skills.levels().collect();
        stats_init::initialize(services, &meta.tenant, self.id, &mut stats, levels).await;
        self.stats = Some(stats);
    }

    /// §9.1.
    pub(super) async fn on_session(&mut self, services: &Services, session: SessionStatus, meta: &Meta) -> Out {
        match (session.kind.as_str(), session.issuer.as_str()) {
            ("CREATED", "CHANNEL") => self.initialize(services, meta, session.world_id, session.channel_id).await,
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
    pub(super) async fn on_asset(&mut self, services: &Services, asset: AssetStatus, meta: &Meta) -> Out {
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
    pub(super) async fn on_stat_changed(&mut self, services: &Services, event: StatusEnvelope<StatChangedBody>, meta: &Meta) -> Out {
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
    pub(super) async fn refresh_passive(&mut self, services: &Services, skill: u32, meta: &Meta) {
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

    /// §11: the stats document, initializing first if needed.
    pub(super) async fn read_stats(&mut self, services: &Services, world: u8, channel: u8, meta: &Meta) -> Value {
        if !self.stats.as_ref().is_some_and(|s| s.initialized) {
            self.initialize(services, meta, world, channel).await;
        }
        let attributes = self.stats.as_ref().map(Stats::attributes).unwrap_or_default();
        json!({"data": {"type": "effective-stats", "id": self.id.to_string(), "attributes": attributes}})
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
