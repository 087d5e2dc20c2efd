//! Skills, macros and cooldowns of one character (spec 10 §6–§9). Pure decisions over the
//! in-memory state; the returned effects carry the writes and events.

use super::skills_sql as sql;
use super::CharacterTimer;
use crate::actors::entity::{Effects, Meta};
use crate::contracts::json::GoTime;
use crate::contracts::skill::{
    Command, CooldownAppliedBody, CooldownBody, EmptyBody, MacroStatus, MacroUpdate, MacrosBody, SkillBody, SkillCommand, SkillStateBody,
    SkillStatus,
};
use crate::contracts::tenant::Tenant;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use uuid::Uuid;

const SKILL_STATUS: &str = "EVENT_TOPIC_SKILL_STATUS";
const MACRO_STATUS: &str = "STATUS_EVENT_TOPIC_SKILL_MACRO";

type Out = Effects<CharacterTimer>;

/// A stored skill. `expiration` is in its stored form (UTC, microseconds).
#[derive(Debug, Clone, PartialEq)]
pub struct Skill {
    pub level: u8,
    pub master_level: u8,
    pub expiration: GoTime,
}

/// A running cooldown and what its `COOLDOWN_EXPIRED` needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Cooldown {
    pub expires_at: GoTime,
    pub tenant: Tenant,
    pub transaction_id: String,
    pub trace: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Skills {
    tenant: Uuid,
    character: u32,
    pub skills: BTreeMap<u32, Skill>,
    /// In stored order (the order of the last `UPDATE`).
    pub macros: Vec<crate::contracts::skill::MacroBody>,
    pub cooldowns: BTreeMap<u32, Cooldown>,
}

fn transaction_id(given: &Option<String>) -> String {
    given.clone().unwrap_or_else(|| Uuid::new_v4().to_string())
}

fn timer_name(skill_id: u32) -> String {
    format!("cooldown:{skill_id}")
}

impl Skills {
    pub fn new(tenant: Uuid, character: u32) -> Skills {
        Skills { tenant, character, skills: BTreeMap::new(), macros: Vec::new(), cooldowns: BTreeMap::new() }
    }

    /// Skill levels by id, for other parts of the character (passive stats).
    pub fn levels(&self) -> impl Iterator<Item = (u32, u8)> + '_ {
        self.skills.iter().map(|(id, s)| (*id, s.level))
    }

    pub fn command(&mut self, command: SkillCommand, meta: &Meta) -> Out {
        match command {
            SkillCommand::RequestCreate(c) => self.create(c, meta),
            SkillCommand::RequestUpdate(c) => self.update(c, meta),
            SkillCommand::SetCooldown(c) => self.set_cooldown(c, meta),
        }
    }

    /// §6.1: a new skill; a duplicate or skill id 0 is ignored silently.
    fn create(&mut self, c: Command<SkillBody>, meta: &Meta) -> Out {
        let mut out = Out::none();
        let body = c.body;
        if body.skill_id == 0 {
            tracing::debug!(character = self.character, "REQUEST_CREATE with skill id 0 ignored");
            return out;
        }
        if self.skills.contains_key(&body.skill_id) {
            tracing::debug!(character = self.character, skill = body.skill_id, "duplicate REQUEST_CREATE ignored");
            return out;
        }
        let skill = Skill { level: body.level, master_level: body.master_level, expiration: body.expiration.stored() };
        out.write(sql::insert_skill(self.tenant, self.character, body.skill_id, &skill));
        self.skills.insert(body.skill_id, skill);
        // Go echoes the decoded input time, not the stored one (Q20).
        let event = SkillStatus {
            character_id: self.character,
            skill_id: body.skill_id,
            kind: "CREATED",
            body: SkillStateBody { level: body.level, master_level: body.master_level, expiration: body.expiration },
            transaction_id: transaction_id(&c.transaction_id),
        };
        out.emit(SKILL_STATUS, self.character, &event, meta);
        out
    }

    /// §6.2: overwrite all three fields of an existing skill; unknown skills are ignored.
    fn update(&mut self, c: Command<SkillBody>, meta: &Meta) -> Out {
        let mut out = Out::none();
        let body = c.body;
        let Some(skill) = self.skills.get_mut(&body.skill_id) else {
            tracing::debug!(character = self.character, skill = body.skill_id, "REQUEST_UPDATE of unknown skill ignored");
            return out;
        };
        *skill = Skill { level: body.level, master_level: body.master_level, expiration: body.expiration.stored() };
        out.write(sql::update_skill(self.tenant, self.character, body.skill_id, skill));
        let event = SkillStatus {
            character_id: self.character,
            skill_id: body.skill_id,
            kind: "UPDATED",
            body: SkillStateBody { level: skill.level, master_level: skill.master_level, expiration: skill.expiration },
            transaction_id: transaction_id(&c.transaction_id),
        };
        out.emit(SKILL_STATUS, self.character, &event, meta);
        out
    }

    /// §7.2: (re)arm a cooldown of a skill the character has.
    fn set_cooldown(&mut self, c: Command<CooldownBody>, meta: &Meta) -> Out {
        let mut out = Out::none();
        let body = c.body;
        if !self.skills.contains_key(&body.skill_id) {
            tracing::debug!(character = self.character, skill = body.skill_id, "SET_COOLDOWN of unknown skill ignored");
            return out;
        }
        let expires_at = GoTime::from_utc(GoTime::now().utc() + chrono::Duration::seconds(body.cooldown.into()));
        let cooldown = Cooldown {
            expires_at,
            tenant: meta.tenant.clone(),
            transaction_id: transaction_id(&c.transaction_id),
            trace: meta.trace.clone(),
        };
        out.write(sql::upsert_cooldown(self.tenant, self.character, body.skill_id, &cooldown));
        out.arm(timer_name(body.skill_id), expires_at.utc(), CharacterTimer::CooldownExpired { skill_id: body.skill_id });
        let event = SkillStatus {
            character_id: self.character,
            skill_id: body.skill_id,
            kind: "COOLDOWN_APPLIED",
            body: CooldownAppliedBody { cooldown_expires_at: expires_at },
            transaction_id: cooldown.transaction_id.clone(),
        };
        out.emit(SKILL_STATUS, self.character, &event, meta);
        self.cooldowns.insert(body.skill_id, cooldown);
        out
    }

    /// §7.3: a cooldown timer fired. Only the cooldown still recorded, and only once due,
    /// is announced (Q9).
    pub fn expire_cooldown(&mut self, skill_id: u32) -> Out {
        let mut out = Out::none();
        let due = self.cooldowns.get(&skill_id).is_some_and(|c| c.expires_at.utc() <= Utc::now());
        if !due {
            return out;
        }
        let Some(cooldown) = self.cooldowns.remove(&skill_id) else { return out };
        out.write(sql::delete_due_cooldown(self.tenant, self.character, skill_id, cooldown.expires_at.micros()));
        let event = SkillStatus {
            character_id: self.character,
            skill_id,
            kind: "COOLDOWN_EXPIRED",
            body: EmptyBody {},
            transaction_id: cooldown.transaction_id.clone(),
        };
        out.emit_as(SKILL_STATUS, self.character, &event, &cooldown.tenant, &cooldown.trace);
        out
    }

    /// §8.1: replace all macros; any empty name or a repeated id rejects the whole command.
    pub fn replace_macros(&mut self, update: MacroUpdate, meta: &Meta) -> Out {
        let mut out = Out::none();
        let macros = update.body.macros;
        if macros.iter().any(|m| m.name.is_empty()) {
            tracing::debug!(character = self.character, "macro UPDATE with an empty name rejected");
            return out;
        }
        let mut ids: Vec<u32> = macros.iter().map(|m| m.id).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            tracing::debug!(character = self.character, "macro UPDATE with a repeated id rejected");
            return out;
        }
        out.write(sql::delete_macros(self.tenant, self.character));
        for (position, m) in macros.iter().enumerate() {
            out.write(sql::insert_macro(self.tenant, self.character, position, m));
        }
        let event = MacroStatus {
            character_id: self.character,
            kind: "UPDATED",
            body: MacrosBody { macros: macros.clone() },
            transaction_id: transaction_id(&update.transaction_id),
        };
        out.emit(MACRO_STATUS, self.character, &event, meta);
        self.macros = macros;
        out
    }

    /// §9.1 (LOGOUT): forget running cooldowns silently.
    pub fn clear_cooldowns(&mut self) -> Out {
        let mut out = Out::none();
        if self.cooldowns.is_empty() {
            return out;
        }
        out.write(sql::delete_cooldowns(self.tenant, self.character));
        for skill_id in std::mem::take(&mut self.cooldowns).into_keys() {
            out.cancel(timer_name(skill_id));
        }
        out
    }

    /// §9.2 (DELETED): remove skills, macros and cooldowns silently, in one transaction.
    pub fn delete_all(&mut self) -> Out {
        let mut out = self.clear_cooldowns();
        if !self.skills.is_empty() {
            out.write(sql::delete_skills(self.tenant, self.character));
            self.skills.clear();
        }
        if !self.macros.is_empty() {
            out.write(sql::delete_macros(self.tenant, self.character));
            self.macros.clear();
        }
        out
    }

    /// Timers for the running cooldowns (after a load).
    pub fn timers(&self) -> Vec<(String, DateTime<Utc>, CharacterTimer)> {
        self.cooldowns
            .iter()
            .map(|(skill_id, c)| (timer_name(*skill_id), c.expires_at.utc(), CharacterTimer::CooldownExpired { skill_id: *skill_id }))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::skill::MacroBody;

    fn meta() -> Meta {
        Meta { tenant: Tenant { id: Uuid::nil(), region: "GMS".into(), major: 83, minor: 1 }, position: None, trace: vec![] }
    }

    fn body(skill_id: u32, level: u8) -> SkillBody {
        SkillBody { skill_id, level, master_level: 10, expiration: GoTime::zero() }
    }

    fn cmd<B: Default>(body: B, tx: Option<&str>) -> Command<B> {
        Command { character_id: 7, body, transaction_id: tx.map(str::to_string) }
    }

    #[test]
    fn create_then_duplicate_then_update_echoes_transaction() {
        let mut s = Skills::new(Uuid::nil(), 7);
        let out = s.command(SkillCommand::RequestCreate(cmd(body(100, 1), Some("tx-1"))), &meta());
        assert_eq!(out.outputs.len(), 1);
        assert!(out.outputs[0].value.contains("\"type\":\"CREATED\""));
        assert!(out.outputs[0].value.contains("\"transactionId\":\"tx-1\""));
        let dup = s.command(SkillCommand::RequestCreate(cmd(body(100, 5), None)), &meta());
        assert!(dup.is_durable_noop());
        assert_eq!(s.skills[&100].level, 1);
        let upd = s.command(SkillCommand::RequestUpdate(cmd(body(100, 3), None)), &meta());
        assert_eq!(s.skills[&100].level, 3);
        assert!(upd.outputs[0].value.contains("\"level\":3"));
        let zero = s.command(SkillCommand::RequestCreate(cmd(body(0, 1), None)), &meta());
        assert!(zero.is_durable_noop());
        let unknown = s.command(SkillCommand::RequestUpdate(cmd(body(5, 1), None)), &meta());
        assert!(unknown.is_durable_noop());
    }

    #[test]
    fn cooldown_only_for_known_skills_and_expires_once() {
        let mut s = Skills::new(Uuid::nil(), 7);
        let none = s.command(SkillCommand::SetCooldown(cmd(CooldownBody { skill_id: 9, cooldown: 0 }, None)), &meta());
        assert!(none.is_durable_noop() && none.timers.is_empty());
        s.command(SkillCommand::RequestCreate(cmd(body(9, 1), None)), &meta());
        let applied = s.command(SkillCommand::SetCooldown(cmd(CooldownBody { skill_id: 9, cooldown: 0 }, Some("t"))), &meta());
        assert_eq!(applied.timers.len(), 1);
        let expired = s.expire_cooldown(9);
        assert!(expired.outputs[0].value.contains("COOLDOWN_EXPIRED"));
        assert!(expired.outputs[0].value.contains("\"transactionId\":\"t\""));
        assert!(s.expire_cooldown(9).outputs.is_empty());
    }

    #[test]
    fn macros_reject_empty_names_and_repeated_ids() {
        let mut s = Skills::new(Uuid::nil(), 7);
        let m = |id, name: &str| MacroBody { id, name: name.into(), ..Default::default() };
        let update = |macros| cmd(MacrosBody { macros }, None);
        assert!(s.replace_macros(update(vec![m(0, "a"), m(1, "")]), &meta()).is_durable_noop());
        assert!(s.replace_macros(update(vec![m(0, "a"), m(0, "b")]), &meta()).is_durable_noop());
        let ok = s.replace_macros(update(vec![m(1, "b"), m(0, "a")]), &meta());
        assert!(ok.outputs[0].value.contains(r#""macros":[{"id":1"#));
        let cleared = s.replace_macros(update(vec![]), &meta());
        assert!(cleared.outputs[0].value.contains(r#""macros":[]"#));
    }
}
