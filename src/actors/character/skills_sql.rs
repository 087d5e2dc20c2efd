//! Storage of skills, macros and cooldowns (spec 10 §11): the statements the skills logic
//! writes, the load of one character, and the committed reads REST serves.

use super::skills::{Cooldown, Skill, Skills};
use crate::contracts::json::GoTime;
use crate::contracts::skill::MacroBody;
use crate::contracts::tenant::Tenant;
use crate::store::Store;
use crate::store::{Rows, Write};
use crate::{write_rows, write_sql};
use sqlx::Row;
use uuid::Uuid;

/// Why the start-up scan for running cooldowns failed: the query, or a stored tenant id
/// that is not a UUID (tenant ids are stored as text).
#[derive(Debug, thiserror::Error)]
pub enum CooldownScanError {
    /// The query failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// A stored tenant id is not a UUID.
    #[error("a stored tenant id is not a uuid: {0}")]
    Tenant(#[from] uuid::Error),
}

// The writes are `Rows` statements: the group committer writes the rows of many
// characters' units with one statement each. Each touches only its character's rows.
static INSERT_SKILL: Rows =
    Rows { head: "INSERT INTO skills (tenant_id, character_id, skill_id, level, master_level, expiration_us) VALUES ", arity: 6, tail: "" };
static UPDATE_SKILL: Rows = Rows {
    head: "UPDATE skills SET level = v.column4, master_level = v.column5, expiration_us = v.column6 FROM (VALUES ",
    arity: 6,
    tail: ") AS v WHERE skills.tenant_id = v.column1 AND skills.character_id = v.column2 AND skills.skill_id = v.column3",
};
static DELETE_SKILLS: Rows = Rows { head: "DELETE FROM skills WHERE (tenant_id, character_id) IN (VALUES ", arity: 2, tail: ")" };
const SELECT_SKILLS: &str = "SELECT s.skill_id, s.level, s.master_level, s.expiration_us, c.expires_at_us \
     FROM skills s LEFT JOIN cooldowns c \
     ON c.tenant_id = s.tenant_id AND c.character_id = s.character_id AND c.skill_id = s.skill_id \
     WHERE s.tenant_id = $1 AND s.character_id = $2 ORDER BY s.skill_id";
const SELECT_SKILL: &str = "SELECT s.skill_id, s.level, s.master_level, s.expiration_us, c.expires_at_us \
     FROM skills s LEFT JOIN cooldowns c \
     ON c.tenant_id = s.tenant_id AND c.character_id = s.character_id AND c.skill_id = s.skill_id \
     WHERE s.tenant_id = $1 AND s.character_id = $2 AND s.skill_id = $3";

static INSERT_MACRO: Rows = Rows {
    head: "INSERT INTO macros (tenant_id, character_id, macro_id, position, name, shout, skill_id_1, skill_id_2, skill_id_3) VALUES ",
    arity: 9,
    tail: "",
};
static DELETE_MACROS: Rows = Rows { head: "DELETE FROM macros WHERE (tenant_id, character_id) IN (VALUES ", arity: 2, tail: ")" };
const SELECT_MACROS: &str = "SELECT macro_id, name, shout, skill_id_1, skill_id_2, skill_id_3 FROM macros \
     WHERE tenant_id = $1 AND character_id = $2 ORDER BY position";

static UPSERT_COOLDOWN: Rows = Rows {
    head: "INSERT INTO cooldowns (tenant_id, character_id, skill_id, expires_at_us, region, major_version, \
     minor_version, transaction_id, trace) VALUES ",
    arity: 9,
    tail: " ON CONFLICT (tenant_id, character_id, skill_id) DO UPDATE SET expires_at_us = excluded.expires_at_us, \
     region = excluded.region, major_version = excluded.major_version, minor_version = excluded.minor_version, \
     transaction_id = excluded.transaction_id, trace = excluded.trace",
};
static DELETE_DUE_COOLDOWN: Rows =
    Rows { head: "DELETE FROM cooldowns WHERE (tenant_id, character_id, skill_id, expires_at_us) IN (VALUES ", arity: 4, tail: ")" };
static DELETE_COOLDOWNS: Rows = Rows { head: "DELETE FROM cooldowns WHERE (tenant_id, character_id) IN (VALUES ", arity: 2, tail: ")" };
const SELECT_COOLDOWNS: &str = "SELECT skill_id, expires_at_us, region, major_version, minor_version, \
     transaction_id, trace FROM cooldowns WHERE tenant_id = $1 AND character_id = $2";
const CHARACTERS_WITH_COOLDOWNS: &str = "SELECT DISTINCT tenant_id, character_id FROM cooldowns";

pub fn insert_skill(tenant: Uuid, character: u32, id: u32, skill: &Skill) -> Write {
    write_rows!(INSERT_SKILL, tenant, character, id, skill.level, skill.master_level, skill.expiration.micros())
}

pub fn update_skill(tenant: Uuid, character: u32, id: u32, skill: &Skill) -> Write {
    write_rows!(UPDATE_SKILL, tenant, character, id, skill.level, skill.master_level, skill.expiration.micros())
}

pub fn delete_skills(tenant: Uuid, character: u32) -> Write {
    write_rows!(DELETE_SKILLS, tenant, character)
}

pub fn insert_macro(tenant: Uuid, character: u32, position: usize, m: &MacroBody) -> Write {
    write_rows!(INSERT_MACRO, tenant, character, m.id, position as i64, m.name.clone(), m.shout, m.skill_id1, m.skill_id2, m.skill_id3)
}

pub fn delete_macros(tenant: Uuid, character: u32) -> Write {
    write_rows!(DELETE_MACROS, tenant, character)
}

pub fn upsert_cooldown(tenant: Uuid, character: u32, skill: u32, cooldown: &Cooldown) -> Write {
    let trace = serde_json::to_string(&cooldown.trace).unwrap_or_else(|_| "[]".into());
    write_rows!(
        UPSERT_COOLDOWN,
        tenant,
        character,
        skill,
        cooldown.expires_at.micros(),
        cooldown.tenant.region.clone(),
        i64::from(cooldown.tenant.major),
        i64::from(cooldown.tenant.minor),
        cooldown.transaction_id.clone(),
        trace
    )
}

/// Ends the cooldown that expired, guarded: if another process (which had this character
/// before a rebalance) already ended or replaced it, the expiry is not announced twice.
pub fn delete_due_cooldown(tenant: Uuid, character: u32, skill: u32, expires_at_us: i64) -> Write {
    write_rows!(DELETE_DUE_COOLDOWN, tenant, character, skill, expires_at_us).guarded()
}

pub fn delete_cooldowns(tenant: Uuid, character: u32) -> Write {
    write_rows!(DELETE_COOLDOWNS, tenant, character)
}

/// Loads one character's skills, macros and running cooldowns.
pub async fn load(store: &Store, tenant: Uuid, character: u32) -> sqlx::Result<Skills> {
    let mut skills = Skills::new(tenant, character);
    for row in store.fetch(write_sql!(SELECT_SKILLS, tenant, character)).await? {
        let (id, skill, _) = skill_row(&row)?;
        skills.skills.insert(id, skill);
    }
    for row in store.fetch(write_sql!(SELECT_MACROS, tenant, character)).await? {
        skills.macros.push(macro_row(&row)?);
    }
    for row in store.fetch(write_sql!(SELECT_COOLDOWNS, tenant, character)).await? {
        let skill: i64 = row.try_get(0)?;
        let major: i64 = row.try_get(3)?;
        let minor: i64 = row.try_get(4)?;
        let trace: String = row.try_get(6)?;
        let cooldown = Cooldown {
            expires_at: GoTime::from_micros(row.try_get(1)?),
            tenant: Tenant { id: tenant, region: row.try_get(2)?, major: major as u16, minor: minor as u16 },
            transaction_id: row.try_get(5)?,
            trace: serde_json::from_str(&trace).unwrap_or_default(),
        };
        skills.cooldowns.insert(skill as u32, cooldown);
    }
    Ok(skills)
}

/// A skill as REST shows it: the stored row and its running cooldown's instant, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillView {
    pub id: u32,
    pub skill: Skill,
    pub cooldown_expires_at: GoTime,
}

fn skill_row(row: &sqlx::any::AnyRow) -> sqlx::Result<(u32, Skill, GoTime)> {
    let id: i64 = row.try_get(0)?;
    let level: i64 = row.try_get(1)?;
    let master_level: i64 = row.try_get(2)?;
    let cooldown: Option<i64> = row.try_get(4)?;
    let skill = Skill { level: level as u8, master_level: master_level as u8, expiration: GoTime::from_micros(row.try_get(3)?) };
    Ok((id as u32, skill, cooldown.map(GoTime::from_micros).unwrap_or_default()))
}

fn macro_row(row: &sqlx::any::AnyRow) -> sqlx::Result<MacroBody> {
    let int = |i: usize| row.try_get::<i64, _>(i).map(|v| v as u32);
    Ok(MacroBody {
        id: int(0)?,
        name: row.try_get(1)?,
        shout: row.try_get::<i64, _>(2)? != 0,
        skill_id1: int(3)?,
        skill_id2: int(4)?,
        skill_id3: int(5)?,
    })
}

/// All skills of a character, by ascending id (committed state).
pub async fn skills(store: &Store, tenant: Uuid, character: u32) -> sqlx::Result<Vec<SkillView>> {
    let rows = store.fetch(write_sql!(SELECT_SKILLS, tenant, character)).await?;
    rows.iter().map(|row| skill_row(row).map(|(id, skill, cooldown_expires_at)| SkillView { id, skill, cooldown_expires_at })).collect()
}

/// One skill of a character, if it exists (committed state).
pub async fn skill(store: &Store, tenant: Uuid, character: u32, id: u32) -> sqlx::Result<Option<SkillView>> {
    let rows = store.fetch(write_sql!(SELECT_SKILL, tenant, character, id)).await?;
    rows.first().map(|row| skill_row(row).map(|(id, skill, cooldown_expires_at)| SkillView { id, skill, cooldown_expires_at })).transpose()
}

/// A character's macros, in stored order (committed state).
pub async fn macros(store: &Store, tenant: Uuid, character: u32) -> sqlx::Result<Vec<MacroBody>> {
    let rows = store.fetch(write_sql!(SELECT_MACROS, tenant, character)).await?;
    rows.iter().map(macro_row).collect()
}

/// Characters with running cooldowns, to activate at start-up (one query).
pub async fn characters_with_cooldowns(store: &Store) -> Result<Vec<(Uuid, u32)>, CooldownScanError> {
    let rows = sqlx::query(CHARACTERS_WITH_COOLDOWNS).fetch_all(store.pool()).await?;
    rows.iter()
        .map(|row| {
            let tenant: String = row.try_get(0)?;
            let character: i64 = row.try_get(1)?;
            Ok((tenant.parse()?, character as u32))
        })
        .collect()
}
