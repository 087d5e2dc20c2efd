//! Effective stats (spec 20): base stats plus bonuses by source, reduced to 14 numbers by
//! the bit-exact formula of §6.2. A cache: built by `stats_init`, kept current from events,
//! never persisted.

use serde::Serialize;

/// The 14 stat types, in REST order, with their REST attribute names.
pub const STATS: [(&str, &str); 14] = [
    ("strength", "strength"),
    ("dexterity", "dexterity"),
    ("luck", "luck"),
    ("intelligence", "intelligence"),
    ("max_hp", "maxHP"),
    ("max_mp", "maxMP"),
    ("weapon_attack", "weaponAttack"),
    ("weapon_defense", "weaponDefense"),
    ("magic_attack", "magicAttack"),
    ("magic_defense", "magicDefense"),
    ("accuracy", "accuracy"),
    ("avoidability", "avoidability"),
    ("speed", "speed"),
    ("jump", "jump"),
];

const MAX_HP: usize = 4;
const MAX_MP: usize = 5;

/// One bonus: flat (`multiplier` 0) or multiplier (`amount` 0); REST shows it as is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bonus {
    pub source: String,
    #[serde(rename = "statType")]
    pub stat: &'static str,
    pub amount: i32,
    pub multiplier: f64,
}

impl Bonus {
    pub fn flat(source: &str, stat: &'static str, amount: i32) -> Bonus {
        Bonus { source: source.to_string(), stat, amount, multiplier: 0.0 }
    }

    pub fn percent(source: &str, stat: &'static str, percent: i32) -> Bonus {
        Bonus { source: source.to_string(), stat, amount: 0, multiplier: f64::from(percent) / 100.0 }
    }
}

/// A character's effective-stats entry (§5.1).
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub world: u8,
    pub channel: u8,
    /// strength, dexterity, luck, intelligence, maxHp, maxMp.
    pub base: [u16; 6],
    pub bonuses: Vec<Bonus>,
    pub initialized: bool,
    /// Kept until the session ends (§5.1). False for an entry a REST read built for a
    /// character without a session: a cache like any idle state, passivated with its
    /// actor, so reads of arbitrary ids cannot pin actors in memory.
    pub held: bool,
}

impl Stats {
    pub fn new(world: u8, channel: u8) -> Stats {
        Stats { world, channel, base: [0; 6], bonuses: Vec::new(), initialized: false, held: true }
    }

    /// §5.3 upsert: a (source, stat) pair is held once, the newest last.
    pub fn upsert(&mut self, bonus: Bonus) {
        self.bonuses.retain(|b| !(b.source == bonus.source && b.stat == bonus.stat));
        self.bonuses.push(bonus);
    }

    pub fn upsert_all(&mut self, bonuses: impl IntoIterator<Item = Bonus>) {
        for bonus in bonuses {
            self.upsert(bonus);
        }
    }

    pub fn remove_source(&mut self, source: &str) {
        self.bonuses.retain(|b| b.source != source);
    }

    /// §6.2, bit-exact: (base + flat) × (1 + Σ multipliers in list order), floored, ≥ 0.
    pub fn value(&self, index: usize) -> u32 {
        let (stat, _) = STATS[index];
        let base = if index < 6 { i64::from(self.base[index]) } else { 0 };
        let mut flat: i32 = 0;
        let mut multiplier = 0.0f64;
        for bonus in self.bonuses.iter().filter(|b| b.stat == stat) {
            flat = flat.wrapping_add(bonus.amount);
            multiplier += bonus.multiplier;
        }
        let v = (base + i64::from(flat)) as f64 * (1.0 + multiplier);
        if v < 0.0 {
            0
        } else {
            v.floor().min(f64::from(u32::MAX)) as u32
        }
    }

    pub fn max_hp_mp(&self) -> (u32, u32) {
        (self.value(MAX_HP), self.value(MAX_MP))
    }

    /// The REST attributes (§11): the 14 values, then `bonuses` unless empty.
    pub fn attributes(&self) -> StatsAttributes {
        let v = |index| self.value(index);
        StatsAttributes {
            strength: v(0),
            dexterity: v(1),
            luck: v(2),
            intelligence: v(3),
            max_hp: v(MAX_HP),
            max_mp: v(MAX_MP),
            weapon_attack: v(6),
            weapon_defense: v(7),
            magic_attack: v(8),
            magic_defense: v(9),
            accuracy: v(10),
            avoidability: v(11),
            speed: v(12),
            jump: v(13),
            bonuses: self.bonuses.clone(),
        }
    }

    /// The REST document (§11) of character `id`.
    pub fn document(id: u32, stats: Option<&Stats>) -> StatsDocument {
        StatsDocument {
            data: StatsResource { kind: EffectiveStats::EffectiveStats, id: id.to_string(), attributes: stats.map(Stats::attributes) },
        }
    }
}

/// The 14 values under their REST names (the second column of [`STATS`]), in its order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatsAttributes {
    pub strength: u32,
    pub dexterity: u32,
    pub luck: u32,
    pub intelligence: u32,
    #[serde(rename = "maxHP")]
    pub max_hp: u32,
    #[serde(rename = "maxMP")]
    pub max_mp: u32,
    pub weapon_attack: u32,
    pub weapon_defense: u32,
    pub magic_attack: u32,
    pub magic_defense: u32,
    pub accuracy: u32,
    pub avoidability: u32,
    pub speed: u32,
    pub jump: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bonuses: Vec<Bonus>,
}

/// `{"data":{"type":"effective-stats","id":…,"attributes":…}}`; the attributes are `null`
/// when the stats could not be built.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsDocument {
    pub data: StatsResource,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsResource {
    #[serde(rename = "type")]
    pub kind: EffectiveStats,
    pub id: String,
    pub attributes: Option<StatsAttributes>,
}

/// The JSON:API resource type, `effective-stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EffectiveStats {
    EffectiveStats,
}

/// §7.1: a buff change's stat and whether it is a percentage.
pub fn buff_stat(kind: &str) -> Option<(&'static str, bool)> {
    Some(match kind {
        "WEAPON_ATTACK" | "PAD" => ("weapon_attack", false),
        "MAGIC_ATTACK" | "MAD" => ("magic_attack", false),
        "WEAPON_DEFENSE" | "PDD" => ("weapon_defense", false),
        "MAGIC_DEFENSE" | "MDD" => ("magic_defense", false),
        "ACCURACY" | "ACC" => ("accuracy", false),
        "AVOIDABILITY" | "AVOID" | "EVA" => ("avoidability", false),
        "SPEED" => ("speed", false),
        "JUMP" => ("jump", false),
        "HYPER_BODY_HP" => ("max_hp", true),
        "HYPER_BODY_MP" => ("max_mp", true),
        "MAPLE_WARRIOR" => ("strength", true),
        _ => return None,
    })
}

/// The bonuses of one buff's changes (§7.1), unrecognised changes dropped.
pub fn buff_bonuses(source_id: i32, changes: &[crate::contracts::stats::StatChange]) -> Vec<Bonus> {
    let source = format!("buff:{source_id}");
    changes
        .iter()
        .filter_map(|change| {
            let (stat, percent) = buff_stat(&change.kind)?;
            Some(if percent { Bonus::percent(&source, stat, change.amount) } else { Bonus::flat(&source, stat, change.amount) })
        })
        .collect()
}

/// §7.2: a passive statup's stat.
pub fn passive_stat(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "PAD" | "WEAPON_ATTACK" => "weapon_attack",
        "MAD" | "MAGIC_ATTACK" => "magic_attack",
        "PDD" | "WEAPON_DEFENSE" => "weapon_defense",
        "MDD" | "MAGIC_DEFENSE" => "magic_defense",
        "ACC" | "ACCURACY" => "accuracy",
        "EVA" | "AVOID" | "AVOIDABILITY" => "avoidability",
        "SPEED" => "speed",
        "JUMP" => "jump",
        "HP" | "MAX_HP" | "MHP" => "max_hp",
        "MP" | "MAX_MP" | "MMP" => "max_mp",
        "STR" | "STRENGTH" => "strength",
        "DEX" | "DEXTERITY" => "dexterity",
        "INT" | "INTELLIGENCE" => "intelligence",
        "LUK" | "LUCK" => "luck",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn written(stats: &Stats) -> Value {
        serde_json::to_value(stats.attributes()).expect("serialises")
    }

    fn with(base_hp: u16, bonuses: Vec<Bonus>) -> Stats {
        let mut stats = Stats::new(0, 0);
        stats.base[MAX_HP] = base_hp;
        stats.bonuses = bonuses;
        stats
    }

    #[test]
    fn worked_examples_of_the_formula() {
        let f = |n| Bonus::flat("e", "max_hp", n);
        let p = |n| Bonus::percent("b", "max_hp", n);
        assert_eq!(with(800, vec![f(20), p(60)]).value(MAX_HP), 1312);
        assert_eq!(with(1000, vec![f(50), p(70), Bonus::percent("c", "max_hp", 10)]).value(MAX_HP), 1889);
        assert_eq!(with(100, vec![f(5), p(10)]).value(MAX_HP), 115);
        assert_eq!(with(100, vec![p(70), Bonus::percent("c", "max_hp", 10)]).value(MAX_HP), 179);
        let mut secondary = Stats::new(0, 0);
        secondary.bonuses = vec![Bonus::flat("a", "speed", 15), Bonus::flat("b", "speed", -20)];
        assert_eq!(secondary.value(12), 0, "negative totals clamp to 0");
    }

    #[test]
    fn upsert_replaces_per_source_and_stat_and_moves_to_the_end() {
        let mut stats = Stats::new(0, 0);
        stats.upsert_all([Bonus::flat("a", "speed", 1), Bonus::flat("b", "jump", 2), Bonus::flat("a", "speed", 3)]);
        assert_eq!(stats.bonuses.iter().map(|b| (b.source.as_str(), b.amount)).collect::<Vec<_>>(), vec![("b", 2), ("a", 3)]);
        stats.remove_source("a");
        assert_eq!(stats.bonuses.len(), 1);
        assert!(written(&stats).get("bonuses").is_some());
        stats.remove_source("b");
        assert!(written(&stats).get("bonuses").is_none(), "omitted when empty");
    }

    #[test]
    fn no_upper_cap_and_negative_multipliers() {
        let mut stats = with(30000, vec![Bonus::flat("e", "max_hp", 5000), Bonus::percent("b", "max_hp", 100)]);
        assert_eq!(stats.value(MAX_HP), 70000, "no 30000 cap in the seed era");
        stats.bonuses = vec![Bonus::percent("b", "max_hp", -250)];
        assert_eq!(stats.value(MAX_HP), 0, "a factor below zero clamps to 0");
        stats.bonuses = vec![Bonus::flat("e", "max_hp", -40000)];
        assert_eq!(stats.value(MAX_HP), 0, "flat bonuses below the base clamp to 0");
    }

    #[test]
    fn multipliers_only_touch_their_own_stat_and_scale_flat_bonuses() {
        let mut stats = Stats::new(0, 0);
        stats.base = [10, 20, 30, 40, 50, 60];
        stats.upsert_all([Bonus::flat("e", "strength", 5), Bonus::percent("b", "strength", 10), Bonus::percent("c", "strength", 10)]);
        let values: Vec<u32> = (0..14).map(|i| stats.value(i)).collect();
        assert_eq!(values, vec![18, 20, 30, 40, 50, 60, 0, 0, 0, 0, 0, 0, 0, 0], "(10 + 5) × 1.2 summed, not chained");
        let attributes = written(&stats);
        for (_, name) in STATS {
            assert!(attributes.get(name).is_some_and(Value::is_u64), "{name} is always present");
        }
        assert_eq!(attributes["bonuses"][1], json!({"source": "b", "statType": "strength", "amount": 0, "multiplier": 0.1}));
    }

    #[test]
    fn buff_changes_become_bonuses_per_source_last_one_wins() {
        use crate::contracts::stats::StatChange;
        let change = |kind: &str, amount| StatChange { kind: kind.into(), amount };
        let bonuses =
            buff_bonuses(-2022179, &[change("PAD", 5), change("HANDS", 3), change("WEAPON_ATTACK", 0), change("HYPER_BODY_HP", 60)]);
        let mut stats = Stats::new(0, 0);
        stats.upsert_all(bonuses);
        assert_eq!(
            stats.bonuses,
            vec![Bonus::flat("buff:-2022179", "weapon_attack", 0), Bonus::percent("buff:-2022179", "max_hp", 60)],
            "signed source id; unrecognised changes dropped; a 0 amount still counts; the last change per stat wins"
        );
        assert_eq!(stats.bonuses[1].multiplier, 0.6);
    }

    #[test]
    fn the_buff_table() {
        let flat = [
            (&["WEAPON_ATTACK", "PAD"][..], "weapon_attack"),
            (&["MAGIC_ATTACK", "MAD"], "magic_attack"),
            (&["WEAPON_DEFENSE", "PDD"], "weapon_defense"),
            (&["MAGIC_DEFENSE", "MDD"], "magic_defense"),
            (&["ACCURACY", "ACC"], "accuracy"),
            (&["AVOIDABILITY", "AVOID", "EVA"], "avoidability"),
            (&["SPEED"], "speed"),
            (&["JUMP"], "jump"),
        ];
        for (kinds, stat) in flat {
            for kind in kinds {
                assert_eq!(buff_stat(kind), Some((stat, false)), "{kind}");
            }
        }
        assert_eq!(buff_stat("HYPER_BODY_MP"), Some(("max_mp", true)));
        for ignored in [
            "HANDS",
            "BOOSTER",
            "MAGIC_GUARD",
            "POWER_GUARD",
            "COMBO",
            "STANCE",
            "SHARP_EYES",
            "STR",
            "MHP",
            "HP",
            "DEX",
            "pad",
            "Speed",
            "",
        ] {
            assert_eq!(buff_stat(ignored), None, "{ignored}");
        }
    }

    #[test]
    fn the_passive_statup_table() {
        let table = [
            (&["PAD", "WEAPON_ATTACK"][..], "weapon_attack"),
            (&["MAD", "MAGIC_ATTACK"], "magic_attack"),
            (&["PDD", "WEAPON_DEFENSE"], "weapon_defense"),
            (&["MDD", "MAGIC_DEFENSE"], "magic_defense"),
            (&["ACC", "ACCURACY"], "accuracy"),
            (&["EVA", "AVOID", "AVOIDABILITY"], "avoidability"),
            (&["SPEED"], "speed"),
            (&["JUMP"], "jump"),
            (&["HP", "MAX_HP", "MHP"], "max_hp"),
            (&["MP", "MAX_MP", "MMP"], "max_mp"),
            (&["STR", "STRENGTH"], "strength"),
            (&["DEX", "DEXTERITY"], "dexterity"),
            (&["INT", "INTELLIGENCE"], "intelligence"),
            (&["LUK", "LUCK"], "luck"),
        ];
        for (kinds, stat) in table {
            for kind in kinds {
                assert_eq!(passive_stat(kind), Some(stat), "{kind}");
            }
        }
        for ignored in ["HYPER_BODY_HP", "HYPER_BODY_MP", "MAPLE_WARRIOR", "str", "HANDS", ""] {
            assert_eq!(passive_stat(ignored), None, "{ignored}");
        }
    }
}
