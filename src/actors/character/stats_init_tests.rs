//! The foreign documents of spec 20 §8.3 and what each yields: the decoding rules (a
//! wrong type anywhere in the declared attributes fails the call) and the bonus rules of
//! §7.3/§7.4.

use super::*;
use serde_json::{json, Value};

fn decode<T: serde::de::DeserializeOwned>(document: Value) -> Option<T> {
    crate::contracts::strict::from_value(document).ok()
}

fn character(attributes: Value) -> Option<[u16; 6]> {
    base_from(&decode(json!({"data": {"type": "characters", "id": "1001", "attributes": attributes}}))?)
}

#[test]
fn base_stats_come_in_model_order() {
    let attributes =
        json!({"strength": 50, "dexterity": 30, "intelligence": 4, "luck": 5, "maxHp": 800, "maxMp": 200, "name": "Alice", "jobId": 110});
    assert_eq!(character(attributes), Some([50, 30, 5, 4, 800, 200]), "strength, dexterity, luck, intelligence, maxHp, maxMp");
    assert_eq!(character(json!({})), Some([0; 6]), "absent attributes are zero");
    assert_eq!(character(json!({"strength": 70000})), None, "out of u16 range fails the call");
    assert_eq!(character(json!({"level": 300})), None, "a decoded-but-unused attribute still has its type");
    assert_eq!(character(json!({"name": 5})), None);
    let wrong_type = decode::<One<CharacterAttributes>>(json!({"data": {"type": "accounts", "id": "1001", "attributes": {}}}));
    assert_eq!(wrong_type.as_ref().and_then(base_from), None, "another resource type fails the call");
    let bad_id = decode::<One<CharacterAttributes>>(json!({"data": {"type": "characters", "id": "x", "attributes": {}}}));
    assert_eq!(bad_id.as_ref().and_then(base_from), None, "a non-decimal id fails the call");
    assert!(decode::<One<CharacterAttributes>>(json!({"data": []})).is_none(), "a single resource must be an object");
}

fn equipable(slot: i16, data: Value) -> Value {
    json!({"slot": slot, "templateId": 1302000, "referenceType": "equipable", "referenceData": data})
}

fn compartment(listed: &[&str], included: Vec<(&str, Value)>) -> Option<Vec<Bonus>> {
    let listed: Vec<Value> = listed.iter().map(|id| json!({"type": "assets", "id": id})).collect();
    let included: Vec<Value> = included.into_iter().map(|(id, a)| json!({"type": "assets", "id": id, "attributes": a})).collect();
    let document = json!({"data": {"type": "compartments", "id": "c", "attributes": {"type": 1, "capacity": 24},
        "relationships": {"assets": {"data": listed}}}, "included": included});
    let assets = assets_from(decode(document)?)?;
    Some(assets.iter().filter(|a| a.equipped() && a.equipable()).flat_map(Asset::bonuses).collect())
}

#[test]
fn equipment_bonuses_follow_the_relationship_and_the_attribute_table() {
    let sword = equipable(-11, json!({"weaponAttack": 17, "strength": 3, "jump": 2, "hp": 0, "hands": 5, "slots": 7}));
    let cap = equipable(-1, json!({"weaponDefense": 6}));
    let bonuses = compartment(&["2", "1"], vec![("1", sword), ("2", cap)]).expect("a decodable compartment");
    let got: Vec<(&str, &str, i32)> = bonuses.iter().map(|b| (b.source.as_str(), b.stat, b.amount)).collect();
    assert_eq!(
        got,
        vec![
            ("equipment:2", "weapon_defense", 6),
            ("equipment:1", "strength", 3),
            ("equipment:1", "weapon_attack", 17),
            ("equipment:1", "jump", 2),
        ],
        "relationship order, then §7.3 order per asset; zeros and `hands` give nothing"
    );
    assert!(bonuses.iter().all(|b| b.multiplier == 0.0), "equipment bonuses are flat");
}

#[test]
fn only_equipped_equipment_counts_and_its_reference_data_is_required() {
    let in_bag = equipable(3, json!({"strength": 3}));
    let cash = json!({"slot": -101, "referenceType": "cash_equipable", "referenceData": {"speed": 10}});
    let other = json!({"slot": -5, "referenceType": "setup", "referenceData": {"strength": 1}});
    let bonuses = compartment(&["1", "2", "3", "4"], vec![("1", in_bag), ("2", cash), ("3", other)]).expect("decodable");
    assert_eq!(bonuses, vec![Bonus::flat("equipment:2", "speed", 10)], "unlisted includes are dropped, bag and non-equipment ignored");
    let bare = json!({"slot": -11, "referenceType": "equipable"});
    assert_eq!(compartment(&["1"], vec![("1", bare)]), None, "equipment without referenceData fails the call");
    assert_eq!(compartment(&["x"], vec![]), None, "relationship ids are decimal");
    assert_eq!(compartment(&["1"], vec![("1", equipable(-11, json!({"strength": -1})))]), None, "u16 attributes");
}

#[test]
fn buffs_map_per_the_buff_table_in_list_order() {
    let buff = |source: i32, changes: Value| {
        json!({"type": "buffs", "id": "b", "attributes": {"sourceId": source, "duration": 1000, "changes": changes,
        "createdAt": "2026-02-03T18:37:12Z", "expiresAt": "2026-02-03T18:42:12Z"}})
    };
    let document = json!({"data": [
        buff(1301007, json!([{"type": "HYPER_BODY_HP", "amount": 60}, {"type": "HYPER_BODY_MP", "amount": 60}])),
        buff(-2022179, json!([{"type": "PAD", "amount": 5}, {"type": "STR", "amount": 9}])),
    ]});
    let bonuses = buffs_from(&decode(document).expect("decodable")).expect("buffs");
    assert_eq!(
        bonuses,
        vec![
            Bonus::percent("buff:1301007", "max_hp", 60),
            Bonus::percent("buff:1301007", "max_mp", 60),
            Bonus::flat("buff:-2022179", "weapon_attack", 5),
        ]
    );
    assert_eq!(buffs_from(&decode(json!({"data": []})).expect("decodable")), Some(Vec::new()), "no buffs is a success");
    let other = json!({"data": [{"type": "skills", "id": "1", "attributes": {}}]});
    assert_eq!(buffs_from(&decode(other).expect("decodable")), None, "another resource type fails the call");
    let bad_time = json!({"data": [{"type": "buffs", "id": "1", "attributes": {"createdAt": ""}}]});
    assert!(decode::<Many<BuffAttributes>>(bad_time).is_none(), "unused times must still decode");
    assert!(decode::<Many<BuffAttributes>>(json!({"data": null})).is_none(), "a collection must be an array");
}

fn skill_data(action: bool, effects: Value) -> Option<One<SkillDataAttributes>> {
    decode(
        json!({"data": {"type": "skills", "id": "4000000", "attributes": {"name": "Nimble Body", "action": action, "effects": effects}}}),
    )
}

#[test]
fn passive_effects_at_the_skill_level() {
    let data =
        skill_data(false, json!([{"accuracy": 1, "avoidability": 1, "statups": []}, {"accuracy": 2, "avoidability": 2, "statups": null}]))
            .expect("decodable");
    assert_eq!(
        passive_from(&data, 4000000, 2),
        Some(vec![Bonus::flat("passive:4000000", "accuracy", 2), Bonus::flat("passive:4000000", "avoidability", 2)]),
        "effects[level - 1]"
    );
    assert_eq!(passive_from(&data, 4000000, 3), None, "a level beyond the effects is skipped");
    assert_eq!(passive_from(&data, 4000000, 0), None);
    let action = skill_data(true, json!([{"weaponAttack": 10}])).expect("decodable");
    assert_eq!(passive_from(&action, 1001004, 1), None, "actions are not passives");
    assert!(skill_data(false, json!([{"x": "a"}])).is_none(), "unused effect fields still have their types");
    assert!(skill_data(false, json!([{"hp": -1}])).is_none(), "hp is unsigned");
}

#[test]
fn passive_bonus_rules() {
    let effect: Effect = serde_json::from_value(json!({
        "weaponAttack": 0, "magicAttack": -3, "weaponDefense": 10, "speed": 5, "hp": 20, "mp": 0, "hpR": 0.5, "x": 7,
        "statups": [{"type": "PDD", "amount": 12}, {"type": "MHP", "amount": 0}, {"type": "HYPER_BODY_HP", "amount": 60}, {"type": "LUK", "amount": -2}]
    }))
    .expect("an effect");
    let mut stats = Stats::new(0, 0);
    stats.upsert_all(passive_bonuses(7, &effect));
    let got: Vec<(&str, i32)> = stats.bonuses.iter().map(|b| (b.stat, b.amount)).collect();
    assert_eq!(
        got,
        vec![("magic_attack", -3), ("speed", 5), ("weapon_defense", 12), ("max_hp", 0), ("luck", -2)],
        "zero direct fields give nothing, negatives count, hp only when > 0, statups (any amount) replace direct fields, x/hpR and buff-only types ignored"
    );
    assert!(stats.bonuses.iter().all(|b| b.source == "passive:7" && b.multiplier == 0.0));
}

/// Every one-node shape mutation of a valid foreign document fails the call (the object
/// rule at every depth, spec 20 §8.3), except under `raw`.
fn refuses_every_mutation<T: serde::de::DeserializeOwned>(document: Value, raw: &[&str]) {
    assert!(decode::<T>(document.clone()).is_some(), "the valid document decodes: {document}");
    let mutations = crate::contracts::shapes::mutations(&document, raw);
    assert!(!mutations.is_empty());
    for m in mutations {
        assert!(decode::<T>(m.value.clone()).is_none(), "{} was not refused: {}", m.path, m.value);
    }
}

#[test]
fn foreign_answers_refuse_every_shape_mutation() {
    refuses_every_mutation::<One<CharacterAttributes>>(
        json!({"data": {"type": "characters", "id": "1001", "attributes": {"strength": 50, "dexterity": 30, "intelligence": 4,
            "luck": 5, "maxHp": 800, "maxMp": 200, "accountId": 7, "worldId": 0, "name": "Alice", "level": 10, "hp": 50, "mp": 5}}}),
        &[],
    );
    let asset = json!({"type": "assets", "id": "1", "attributes": {"slot": -11, "templateId": 1302000, "referenceId": 3,
        "referenceType": "equipable", "expiration": "2099-01-01T00:00:00Z",
        "referenceData": {"strength": 3, "weaponAttack": 17, "hands": 5, "ownerId": 0}}});
    refuses_every_mutation::<One<CompartmentAttributes>>(
        json!({"data": {"type": "compartments", "id": "c", "attributes": {"type": 1, "capacity": 24},
            "relationships": {"assets": {"data": [{"type": "assets", "id": "1"}]}}}, "included": [asset]}),
        // Identifiers are read for their ids only.
        &["data.relationships.assets.data[0].type"],
    );
    refuses_every_mutation::<Many<BuffAttributes>>(
        json!({"data": [{"type": "buffs", "id": "b", "attributes": {"sourceId": 1301007, "duration": 1000,
            "changes": [{"type": "HYPER_BODY_HP", "amount": 60}], "createdAt": "2026-02-03T18:37:12Z", "expiresAt": "2026-02-03T18:42:12Z"}}]}),
        &[],
    );
    refuses_every_mutation::<One<SkillDataAttributes>>(
        json!({"data": {"type": "skills", "id": "4000000", "attributes": {"name": "Nimble Body", "action": false, "element": "",
            "animationTime": 0, "effects": [{"accuracy": 1, "hp": 2, "hpR": 0.5, "x": 1, "statups": [{"type": "PDD", "amount": 12}]}]}}}),
        &[],
    );
}
