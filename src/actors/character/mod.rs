//! The character entity: one actor per (tenant, character) owning everything the combined
//! server keeps about a character. Each part lives in its own module with its own inputs:
//! - `skills`: skills, macros and cooldowns (spec 10), stored in `skills_sql`.

pub mod skills;
pub mod skills_sql;

use super::entity::{Effects, Entity, Meta};
use super::Services;
use crate::contracts::character::CharacterStatus;
use crate::contracts::skill::{MacroUpdate, SkillCommand};
use chrono::{DateTime, Utc};
use skills::Skills;

/// Inputs of the character actor, one variant per consumed message family.
#[derive(Debug, Clone, PartialEq)]
pub enum CharacterInput {
    Skill(SkillCommand),
    Macro(MacroUpdate),
    Status(CharacterStatus),
}

#[derive(Debug, Clone, PartialEq)]
pub enum CharacterTimer {
    CooldownExpired { skill_id: u32 },
}

#[derive(Debug)]
pub struct Character {
    skills: Skills,
}

impl Entity for Character {
    type Id = u32;
    type Input = CharacterInput;
    type Timer = CharacterTimer;
    const KIND: &'static str = "character";

    async fn load(services: &Services, tenant: uuid::Uuid, id: &u32) -> anyhow::Result<Self> {
        Ok(Character { skills: skills_sql::load(&services.store, tenant, *id).await? })
    }

    async fn handle(&mut self, _services: &Services, input: CharacterInput, meta: &Meta) -> anyhow::Result<Effects<CharacterTimer>> {
        Ok(match input {
            CharacterInput::Skill(command) => self.skills.command(command, meta),
            CharacterInput::Macro(update) => self.skills.replace_macros(update, meta),
            CharacterInput::Status(CharacterStatus::Logout(_)) => self.skills.clear_cooldowns(),
            CharacterInput::Status(CharacterStatus::Deleted(_)) => self.skills.delete_all(),
            CharacterInput::Status(CharacterStatus::Login(_) | CharacterStatus::ChannelChanged(_)) => Effects::none(),
        })
    }

    async fn on_timer(&mut self, _services: &Services, timer: CharacterTimer) -> anyhow::Result<Effects<CharacterTimer>> {
        Ok(match timer {
            CharacterTimer::CooldownExpired { skill_id } => self.skills.expire_cooldown(skill_id),
        })
    }

    fn timers(&self) -> Vec<(String, DateTime<Utc>, CharacterTimer)> {
        self.skills.timers()
    }
}
