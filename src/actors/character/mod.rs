//! The character entity: one actor per (tenant, character) owning everything the combined
//! server keeps about a character. Each part lives in its own module:
//! - `skills`: skills, macros and cooldowns (spec 10), stored by `skills_sql`.
//! - `stats`: the effective-stats model (spec 20), built by `stats_init` and kept current
//!   by `stats_events`; a cache, never stored.
//! - its messenger membership (`messengers::member`, spec 30).

pub mod skills;
pub mod skills_sql;
pub mod stats;
mod stats_events;
pub mod stats_init;

use super::entity::{Ask, Effects, Entity, EntityError, Meta};
use super::foreign::Foreign;
use super::messengers::{Membership, Messenger, MessengerInput};
use super::registry::Registry;
use crate::contracts::character::CharacterStatus;
use crate::contracts::skill::{MacroUpdate, SkillCommand};
use crate::contracts::stats::{AssetStatus, BuffStatus, SessionStatus};
use crate::store::Store;
use chrono::{DateTime, Utc};
use skills::Skills;
use stats::Stats;
use std::sync::Arc;

/// What a character's handlers use: the store (skills, macros, its messenger entry), the
/// other Atlas services (the effective stats' sources, member names) and the messenger
/// actors it asks for seats.
#[derive(Debug)]
pub struct CharacterPorts {
    pub store: Store,
    pub foreign: Foreign,
    pub rooms: Arc<Registry<Messenger>>,
}

/// Inputs of the character actor, one variant per consumed message family.
#[derive(Debug, Clone, PartialEq)]
pub enum CharacterInput {
    Skill(SkillCommand),
    Macro(MacroUpdate),
    Status(CharacterStatus),
    Session(SessionStatus),
    Buff(BuffStatus),
    Asset(AssetStatus),
    /// Messenger commands and accepted invites about this character.
    Messenger(MessengerInput),
    /// The REST read of the effective stats (spec 20 §11): the JSON:API document.
    ReadStats {
        world: u8,
        channel: u8,
        reply: Ask<serde_json::Value>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum CharacterTimer {
    CooldownExpired { skill_id: u32 },
}

#[derive(Debug)]
pub struct Character {
    id: u32,
    skills: Skills,
    /// The effective-stats entry; `None` until something creates it (spec 20 §5.1).
    stats: Option<Stats>,
    messenger: Membership,
}

impl Entity for Character {
    type Id = u32;
    type Input = CharacterInput;
    type Timer = CharacterTimer;
    type Ports = CharacterPorts;
    const KIND: &'static str = "character";

    async fn load(ports: &CharacterPorts, tenant: uuid::Uuid, id: &u32) -> Result<Self, EntityError> {
        let skills = skills_sql::load(&ports.store, tenant, *id).await?;
        Ok(Character { id: *id, skills, stats: None, messenger: Membership::default() })
    }

    async fn handle(&mut self, ports: &CharacterPorts, input: CharacterInput, meta: &Meta) -> Result<Effects<CharacterTimer>, EntityError> {
        // An event about the character's stats shows it is in play: an entry a REST read
        // built is kept from then on, like one its session built.
        let in_play =
            matches!(input, CharacterInput::Buff(_) | CharacterInput::Asset(_) | CharacterInput::Status(CharacterStatus::StatChanged(_)));
        let out = match input {
            CharacterInput::Skill(command) => {
                let changed = match &command {
                    SkillCommand::RequestCreate(c) | SkillCommand::RequestUpdate(c) => Some(c.body.skill_id),
                    SkillCommand::SetCooldown(_) => None,
                };
                let out = self.skills.command(command, meta);
                if let Some(skill) = changed.filter(|_| !out.is_durable_noop()) {
                    self.refresh_passive(&ports.foreign, skill, meta).await;
                }
                out
            }
            CharacterInput::Macro(update) => self.skills.replace_macros(update, meta),
            CharacterInput::Status(status) => {
                // The messenger side first: its events come before the skills' on LOGOUT.
                let mut out = self.messenger.on_status(ports, &status, meta).await?;
                out.extend(match status {
                    CharacterStatus::Logout(_) => self.skills.clear_cooldowns(),
                    CharacterStatus::Deleted(_) => {
                        self.drop_passives();
                        self.skills.delete_all()
                    }
                    CharacterStatus::StatChanged(event) => self.on_stat_changed(&ports.foreign, event, meta).await,
                    CharacterStatus::Login(_) | CharacterStatus::ChannelChanged(_) => Effects::none(),
                });
                out
            }
            CharacterInput::Messenger(input) => self.messenger.handle(ports, self.id, input, meta).await?,
            CharacterInput::Session(session) => self.on_session(&ports.foreign, session, meta).await,
            CharacterInput::Buff(buff) => self.on_buff(buff, meta),
            CharacterInput::Asset(asset) => self.on_asset(&ports.foreign, asset, meta).await,
            CharacterInput::ReadStats { world, channel, reply } => {
                reply.send(self.read_stats(&ports.foreign, world, channel, meta).await);
                Effects::none()
            }
        };
        if in_play {
            if let Some(stats) = self.stats.as_mut() {
                stats.held = true;
            }
        }
        Ok(out)
    }

    async fn on_timer(&mut self, _: &CharacterPorts, timer: CharacterTimer) -> Result<Effects<CharacterTimer>, EntityError> {
        Ok(match timer {
            CharacterTimer::CooldownExpired { skill_id } => self.skills.expire_cooldown(skill_id),
        })
    }

    fn timers(&self) -> Vec<(String, DateTime<Utc>, CharacterTimer)> {
        self.skills.timers()
    }

    /// Messenger commands, and the status events that unseat the character, ask the
    /// messenger's actor, which commits its answer on its own (`messengers::member`).
    fn exclusive(input: &CharacterInput) -> bool {
        matches!(input, CharacterInput::Messenger(_) | CharacterInput::Status(CharacterStatus::Logout(_) | CharacterStatus::Deleted(_)))
    }

    /// A stats entry lives until its session ends (spec 20 §5.1), not until the actor idles;
    /// one a REST read built without a session does not keep the actor.
    fn resident(&self) -> bool {
        self.stats.as_ref().is_some_and(|s| s.held)
    }
}
