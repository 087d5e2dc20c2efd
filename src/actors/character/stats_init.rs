//! Building a character's effective stats from the other services (spec 20 §8): base
//! stats (character service), equipment (inventory), buffs (buffs service) and passive
//! skills (the character's own skills; skill data from the data service). Each step
//! degrades independently: a failed call changes nothing (base: zeros).

use super::stats::{buff_bonuses, passive_stat, Bonus, Stats};
use crate::actors::foreign::{self, Foreign};
use crate::contracts::json::{nullable, GoTime};
use crate::contracts::stats::StatChange;
use crate::contracts::tenant::Tenant;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct One<A> {
    data: Resource<A>,
    #[serde(default)]
    included: Vec<Resource<AssetAttributes>>,
}

#[derive(Debug, Deserialize)]
struct Many<A> {
    data: Vec<Resource<A>>,
}

#[derive(Debug, Deserialize)]
struct Resource<A> {
    #[serde(rename = "type")]
    kind: String,
    id: String,
    attributes: A,
    #[serde(default)]
    relationships: Option<Relationships>,
}

#[derive(Debug, Deserialize)]
struct Relationships {
    #[serde(default)]
    assets: Option<Linkage>,
}

#[derive(Debug, Deserialize)]
struct Linkage {
    #[serde(default)]
    data: Vec<Identifier>,
}

#[derive(Debug, Deserialize)]
struct Identifier {
    id: String,
}

/// §8.3.1: declared attributes must have their types, or the call fails.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CharacterAttributes {
    #[serde(default, deserialize_with = "nullable")]
    strength: u16,
    #[serde(default, deserialize_with = "nullable")]
    dexterity: u16,
    #[serde(default, deserialize_with = "nullable")]
    intelligence: u16,
    #[serde(default, deserialize_with = "nullable")]
    luck: u16,
    #[serde(default, deserialize_with = "nullable")]
    max_hp: u16,
    #[serde(default, deserialize_with = "nullable")]
    max_mp: u16,
    #[serde(default, deserialize_with = "nullable")]
    account_id: u32,
    #[serde(default, deserialize_with = "nullable")]
    world_id: u8,
    #[serde(default, deserialize_with = "nullable")]
    name: String,
    #[serde(default, deserialize_with = "nullable")]
    level: u8,
    #[serde(default, deserialize_with = "nullable")]
    hp: u16,
    #[serde(default, deserialize_with = "nullable")]
    mp: u16,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CompartmentAttributes {
    #[serde(default, deserialize_with = "nullable", rename = "type")]
    kind: i8,
    #[serde(default, deserialize_with = "nullable")]
    capacity: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetAttributes {
    #[serde(default, deserialize_with = "nullable")]
    slot: i16,
    #[serde(default, deserialize_with = "nullable")]
    reference_type: String,
    #[serde(default)]
    reference_data: Option<EquipmentData>,
    #[serde(default, deserialize_with = "nullable")]
    template_id: u32,
    #[serde(default, deserialize_with = "nullable")]
    reference_id: u32,
    #[serde(default)]
    expiration: GoTime,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EquipmentData {
    #[serde(default, deserialize_with = "nullable")]
    strength: u16,
    #[serde(default, deserialize_with = "nullable")]
    dexterity: u16,
    #[serde(default, deserialize_with = "nullable")]
    luck: u16,
    #[serde(default, deserialize_with = "nullable")]
    intelligence: u16,
    #[serde(default, deserialize_with = "nullable")]
    hp: u16,
    #[serde(default, deserialize_with = "nullable")]
    mp: u16,
    #[serde(default, deserialize_with = "nullable")]
    weapon_attack: u16,
    #[serde(default, deserialize_with = "nullable")]
    magic_attack: u16,
    #[serde(default, deserialize_with = "nullable")]
    weapon_defense: u16,
    #[serde(default, deserialize_with = "nullable")]
    magic_defense: u16,
    #[serde(default, deserialize_with = "nullable")]
    accuracy: u16,
    #[serde(default, deserialize_with = "nullable")]
    avoidability: u16,
    #[serde(default, deserialize_with = "nullable")]
    speed: u16,
    #[serde(default, deserialize_with = "nullable")]
    jump: u16,
    #[serde(default, deserialize_with = "nullable")]
    hands: u16,
    #[serde(default, deserialize_with = "nullable")]
    owner_id: u32,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BuffAttributes {
    #[serde(default, deserialize_with = "nullable")]
    source_id: i32,
    #[serde(default, deserialize_with = "nullable")]
    changes: Vec<StatChange>,
    #[serde(default, deserialize_with = "nullable")]
    duration: i32,
    #[serde(default)]
    created_at: GoTime,
    #[serde(default)]
    expires_at: GoTime,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SkillDataAttributes {
    #[serde(default, deserialize_with = "nullable")]
    action: bool,
    #[serde(default, deserialize_with = "nullable")]
    effects: Vec<Effect>,
    #[serde(default, deserialize_with = "nullable")]
    name: String,
    #[serde(default, deserialize_with = "nullable")]
    element: String,
    #[serde(default, deserialize_with = "nullable")]
    animation_time: u32,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Effect {
    #[serde(default, deserialize_with = "nullable")]
    weapon_attack: i16,
    #[serde(default, deserialize_with = "nullable")]
    magic_attack: i16,
    #[serde(default, deserialize_with = "nullable")]
    weapon_defense: i16,
    #[serde(default, deserialize_with = "nullable")]
    magic_defense: i16,
    #[serde(default, deserialize_with = "nullable")]
    accuracy: i16,
    #[serde(default, deserialize_with = "nullable")]
    avoidability: i16,
    #[serde(default, deserialize_with = "nullable")]
    speed: i16,
    #[serde(default, deserialize_with = "nullable")]
    jump: i16,
    #[serde(default, deserialize_with = "nullable")]
    hp: u16,
    #[serde(default, deserialize_with = "nullable")]
    mp: u16,
    #[serde(default, deserialize_with = "nullable")]
    statups: Vec<StatChange>,
    // Decoded for their types only (§8.3.5: a wrong type fails the call), not used.
    #[serde(default, deserialize_with = "nullable", rename = "hpR")]
    hp_r: f64,
    #[serde(default, deserialize_with = "nullable", rename = "mpR")]
    mp_r: f64,
    #[serde(default, deserialize_with = "nullable")]
    duration: i32,
    #[serde(default, deserialize_with = "nullable")]
    x: i16,
    #[serde(default, deserialize_with = "nullable")]
    y: i16,
}

/// An asset of the equip compartment.
#[derive(Debug, Clone)]
pub struct Asset {
    pub id: u32,
    attributes: AssetAttributes,
}

impl Asset {
    pub fn equipped(&self) -> bool {
        self.attributes.slot < 0
    }

    pub fn equipable(&self) -> bool {
        matches!(self.attributes.reference_type.as_str(), "equipable" | "cash_equipable")
    }

    /// §7.3: a flat bonus per attribute > 0, in table order.
    pub fn bonuses(&self) -> Vec<Bonus> {
        let Some(d) = &self.attributes.reference_data else { return Vec::new() };
        // Decoded for their types only (a wrong type fails the call), not used.
        let _ = (d.hands, d.owner_id);
        let source = format!("equipment:{}", self.id);
        [
            ("strength", d.strength),
            ("dexterity", d.dexterity),
            ("luck", d.luck),
            ("intelligence", d.intelligence),
            ("max_hp", d.hp),
            ("max_mp", d.mp),
            ("weapon_attack", d.weapon_attack),
            ("magic_attack", d.magic_attack),
            ("weapon_defense", d.weapon_defense),
            ("magic_defense", d.magic_defense),
            ("accuracy", d.accuracy),
            ("avoidability", d.avoidability),
            ("speed", d.speed),
            ("jump", d.jump),
        ]
        .into_iter()
        .filter(|(_, value)| *value > 0)
        .map(|(stat, value)| Bonus::flat(&source, stat, i32::from(value)))
        .collect()
    }
}

/// §8.3.1: the six base stats.
pub async fn base(services: &Foreign, tenant: &Tenant, character: u32) -> Option<[u16; 6]> {
    let document: One<CharacterAttributes> =
        foreign::get(services, tenant, "CHARACTERS_SERVICE_URL", &format!("characters/{character}")).await?;
    base_from(&document)
}

fn base_from(document: &One<CharacterAttributes>) -> Option<[u16; 6]> {
    let (data, a) = (&document.data, &document.data.attributes);
    if data.kind != "characters" || data.id.parse::<u32>().is_err() {
        return None;
    }
    let _ = (a.account_id, a.world_id, &a.name, a.level, a.hp, a.mp);
    Some([a.strength, a.dexterity, a.luck, a.intelligence, a.max_hp, a.max_mp])
}

/// §8.3.2: the equip compartment's assets, in relationship order, resolved from `included`.
pub async fn equipment(services: &Foreign, tenant: &Tenant, character: u32) -> Option<Vec<Asset>> {
    let path = format!("characters/{character}/inventory/compartments?type=1&include=assets");
    let document: One<CompartmentAttributes> = foreign::get(services, tenant, "INVENTORY_SERVICE_URL", &path).await?;
    assets_from(document)
}

fn assets_from(document: One<CompartmentAttributes>) -> Option<Vec<Asset>> {
    if document.data.kind != "compartments" {
        return None;
    }
    let _ = (document.data.attributes.kind, document.data.attributes.capacity);
    let listed = document.data.relationships.and_then(|r| r.assets).map(|l| l.data).unwrap_or_default();
    let mut assets = Vec::new();
    for identifier in listed {
        let id: u32 = identifier.id.parse().ok()?;
        let Some(resource) = document.included.iter().find(|r| r.kind == "assets" && r.id == identifier.id) else { continue };
        let attributes = resource.attributes.clone();
        let _ = (attributes.template_id, attributes.reference_id, attributes.expiration);
        let asset = Asset { id, attributes };
        // For equipment the reference data is required (§8.3.2).
        if asset.equipable() && asset.attributes.reference_data.is_none() {
            return None;
        }
        assets.push(asset);
    }
    Some(assets)
}

/// §8.3.3: the active buffs' bonuses, in list order.
async fn buffs(services: &Foreign, tenant: &Tenant, character: u32) -> Option<Vec<Bonus>> {
    let document: Many<BuffAttributes> =
        foreign::get(services, tenant, "BUFFS_SERVICE_URL", &format!("characters/{character}/buffs")).await?;
    buffs_from(&document)
}

fn buffs_from(document: &Many<BuffAttributes>) -> Option<Vec<Bonus>> {
    if document.data.iter().any(|r| r.kind != "buffs") {
        return None;
    }
    Some(
        document
            .data
            .iter()
            .flat_map(|r| {
                let a = &r.attributes;
                let _ = (a.duration, a.created_at, a.expires_at);
                buff_bonuses(a.source_id, &a.changes)
            })
            .collect(),
    )
}

/// §8.3.5: the passive bonuses of a skill at `level`, or `None` (without a call for level
/// 0) when the data call fails, the skill is an action, or the level has no effect.
pub async fn passive(services: &Foreign, tenant: &Tenant, skill: u32, level: u8) -> Option<Vec<Bonus>> {
    if level == 0 {
        return None;
    }
    let document: One<SkillDataAttributes> = foreign::get(services, tenant, "DATA_SERVICE_URL", &format!("data/skills/{skill}")).await?;
    passive_from(&document, skill, level)
}

fn passive_from(document: &One<SkillDataAttributes>, skill: u32, level: u8) -> Option<Vec<Bonus>> {
    let (data, attributes) = (&document.data, &document.data.attributes);
    if data.kind != "skills" || data.id.parse::<u32>().is_err() || attributes.action {
        return None;
    }
    let _ = (&attributes.name, &attributes.element, attributes.animation_time);
    let effect = attributes.effects.get(usize::from(level).checked_sub(1)?)?;
    Some(passive_bonuses(skill, effect))
}

/// §7.4: the direct effect fields in table order, then the recognised statups; all flat.
/// Upserted in this order, a statup replaces a direct field of the same stat.
pub fn passive_bonuses(skill: u32, effect: &Effect) -> Vec<Bonus> {
    let source = format!("passive:{skill}");
    let _ = (effect.hp_r, effect.mp_r, effect.duration, effect.x, effect.y);
    let direct = [
        ("weapon_attack", effect.weapon_attack),
        ("magic_attack", effect.magic_attack),
        ("weapon_defense", effect.weapon_defense),
        ("magic_defense", effect.magic_defense),
        ("accuracy", effect.accuracy),
        ("avoidability", effect.avoidability),
        ("speed", effect.speed),
        ("jump", effect.jump),
    ];
    let mut bonuses: Vec<Bonus> =
        direct.into_iter().filter(|(_, v)| *v != 0).map(|(stat, v)| Bonus::flat(&source, stat, i32::from(v))).collect();
    // HP/MP are unsigned in the data: only a positive value counts.
    let pools = [("max_hp", effect.hp), ("max_mp", effect.mp)];
    bonuses.extend(pools.into_iter().filter(|(_, v)| *v > 0).map(|(stat, v)| Bonus::flat(&source, stat, i32::from(v))));
    bonuses.extend(effect.statups.iter().filter_map(|s| Some(Bonus::flat(&source, passive_stat(&s.kind)?, s.amount))));
    bonuses
}

/// §8.2: (re)initializes `stats` in place; never fails as a whole.
pub async fn initialize(services: &Foreign, tenant: &Tenant, character: u32, stats: &mut Stats, levels: Vec<(u32, u8)>) {
    match base(services, tenant, character).await {
        Some(base) => stats.base = base,
        // A first run starts from zeros; a re-run keeps the base it had rather than
        // zeroing it as Go does (spec 20 Q-9 allows this).
        None if !stats.initialized => stats.base = [0; 6],
        None => {}
    }
    if let Some(assets) = equipment(services, tenant, character).await {
        stats.upsert_all(assets.iter().filter(|a| a.equipped() && a.equipable()).flat_map(Asset::bonuses));
    }
    if let Some(bonuses) = buffs(services, tenant, character).await {
        stats.upsert_all(bonuses);
    }
    for (skill, level) in levels.into_iter().filter(|(_, level)| *level >= 1) {
        if let Some(bonuses) = passive(services, tenant, skill, level).await {
            stats.upsert_all(bonuses);
        }
    }
    stats.initialized = true;
}

#[cfg(test)]
#[path = "stats_init_tests.rs"]
mod tests;
