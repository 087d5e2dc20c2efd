//! A reference model of skill traffic: commands for many characters (creates, updates,
//! cooldowns, macros), the outputs each must cause, and the state they must leave.

use super::{Collector, Seen, Server};
use atlas_actors::contracts::tenant::Tenant;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// One command and the output it must cause (type, transactionId).
pub struct Step {
    pub character: u32,
    pub topic: &'static str,
    pub value: Value,
    pub expected: Vec<(&'static str, String)>,
}

pub fn traffic(characters: u32, rounds: u32) -> (Vec<Step>, BTreeMap<u32, BTreeMap<u32, u64>>, BTreeMap<u32, Vec<String>>) {
    let mut steps = Vec::new();
    let mut levels: BTreeMap<u32, BTreeMap<u32, u64>> = BTreeMap::new();
    let mut macros: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for c in 1..=characters {
        for skill in [10, 20] {
            let tx = Uuid::new_v4().to_string();
            let value = json!({"characterId": c, "type": "REQUEST_CREATE", "transactionId": tx, "body": {"skillId": skill, "level": 1}});
            steps.push(Step { character: c, topic: "COMMAND_TOPIC_SKILL", value, expected: vec![("CREATED", tx)] });
            levels.entry(c).or_default().insert(skill, 1);
        }
        let tx = Uuid::new_v4().to_string();
        let value = json!({"characterId": c, "type": "SET_COOLDOWN", "transactionId": tx, "body": {"skillId": 10, "cooldown": 1}});
        steps.push(Step {
            character: c,
            topic: "COMMAND_TOPIC_SKILL",
            value,
            expected: vec![("COOLDOWN_APPLIED", tx.clone()), ("COOLDOWN_EXPIRED", tx)],
        });
    }
    for round in 2..=rounds {
        for c in 1..=characters {
            let skill = if round % 2 == 0 { 10 } else { 20 };
            let tx = Uuid::new_v4().to_string();
            let value =
                json!({"characterId": c, "type": "REQUEST_UPDATE", "transactionId": tx, "body": {"skillId": skill, "level": round}});
            steps.push(Step { character: c, topic: "COMMAND_TOPIC_SKILL", value, expected: vec![("UPDATED", tx)] });
            levels.entry(c).or_default().insert(skill, round.into());
            if round % 4 == 0 {
                let tx = Uuid::new_v4().to_string();
                let names: Vec<String> = (0..round / 4).map(|i| format!("m{round}-{i}")).collect();
                let list: Vec<Value> =
                    names.iter().enumerate().map(|(i, n)| json!({"id": i, "name": n, "shout": false, "skillId1": 10})).collect();
                let value = json!({"characterId": c, "type": "UPDATE", "transactionId": tx, "body": {"macros": list}});
                steps.push(Step { character: c, topic: "COMMAND_TOPIC_SKILL_MACRO", value, expected: vec![("MACRO_UPDATED", tx)] });
                macros.insert(c, names);
            }
        }
    }
    (steps, levels, macros)
}

/// Counts the skill and macro outputs of `tenant` by (type, transactionId), polling until
/// every expected one is there or `timeout` passes.
pub fn collect_outputs(
    bootstrap: &str,
    tenant: &Tenant,
    expected: &[(&str, String)],
    timeout: Duration,
) -> (HashMap<(String, String), usize>, Vec<Seen>) {
    let mut skill_events = Collector::new(bootstrap, "EVENT_TOPIC_SKILL_STATUS", Some(tenant));
    let mut macro_events = Collector::new(bootstrap, "STATUS_EVENT_TOPIC_SKILL_MACRO", Some(tenant));
    let deadline = Instant::now() + timeout;
    loop {
        skill_events.poll_for(Duration::from_millis(500));
        macro_events.poll_for(Duration::from_millis(100));
        let counts = output_counts(&skill_events.seen, &macro_events.seen);
        if expected.iter().all(|(t, tx)| counts.contains_key(&(t.to_string(), tx.clone()))) || Instant::now() > deadline {
            break;
        }
    }
    skill_events.poll_for(Duration::from_secs(2));
    (output_counts(&skill_events.seen, &macro_events.seen), skill_events.seen)
}

fn output_counts(skill: &[Seen], macros: &[Seen]) -> HashMap<(String, String), usize> {
    let mut counts = HashMap::new();
    for r in skill {
        let v = r.json();
        *counts
            .entry((v["type"].as_str().unwrap_or_default().to_string(), v["transactionId"].as_str().unwrap_or_default().to_string()))
            .or_insert(0) += 1;
    }
    for r in macros {
        let v = r.json();
        *counts.entry(("MACRO_UPDATED".to_string(), v["transactionId"].as_str().unwrap_or_default().to_string())).or_insert(0) += 1;
    }
    counts
}

/// Asserts that the server's REST view of every character equals the model.
pub fn assert_state(server: &Server, tenant: &Tenant, levels: &BTreeMap<u32, BTreeMap<u32, u64>>, macros: &BTreeMap<u32, Vec<String>>) {
    for (character, skills) in levels {
        let (_, body) = server.get(&format!("/api/characters/{character}/skills"), tenant);
        let stored: BTreeMap<u32, u64> = body["data"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|s| (s["id"].as_str().unwrap().parse().unwrap(), s["attributes"]["level"].as_u64().unwrap()))
            .collect();
        assert_eq!(&stored, skills, "character {character}'s skills");
        let (_, body) = server.get(&format!("/api/characters/{character}/macros"), tenant);
        let names: Vec<String> =
            body["data"].as_array().unwrap().iter().map(|m| m["attributes"]["name"].as_str().unwrap().to_string()).collect();
        assert_eq!(&names, macros.get(character).unwrap_or(&Vec::new()), "character {character}'s macros");
    }
}
