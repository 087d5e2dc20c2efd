//! Chaos: realistic skill traffic (creates, updates, macros, cooldowns) while actors
//! panic before and after their commits and the whole server is SIGKILLed and restarted
//! three times, on PostgreSQL, with the broker in this process so it survives. A reference
//! model computes the final state and the outputs; the test checks the state through
//! REST, that every expected output exists, and counts repeats (expected: none, thanks to
//! positions and the outbox recovery).

mod common;

use common::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;
use uuid::Uuid;

fn setting(name: &str, default: u32) -> u32 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// One command and the output it must cause (type, transactionId).
struct Step {
    character: u32,
    topic: &'static str,
    value: Value,
    expected: Vec<(&'static str, String)>,
}

fn traffic(characters: u32, rounds: u32) -> (Vec<Step>, BTreeMap<u32, BTreeMap<u32, u64>>, BTreeMap<u32, Vec<String>>) {
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
        steps.push(Step { character: c, topic: "COMMAND_TOPIC_SKILL", value, expected: vec![("COOLDOWN_APPLIED", tx.clone()), ("COOLDOWN_EXPIRED", tx)] });
    }
    for round in 2..=rounds {
        for c in 1..=characters {
            let skill = if round % 2 == 0 { 10 } else { 20 };
            let tx = Uuid::new_v4().to_string();
            let value = json!({"characterId": c, "type": "REQUEST_UPDATE", "transactionId": tx, "body": {"skillId": skill, "level": round}});
            steps.push(Step { character: c, topic: "COMMAND_TOPIC_SKILL", value, expected: vec![("UPDATED", tx)] });
            levels.entry(c).or_default().insert(skill, round.into());
            if round % 4 == 0 {
                let tx = Uuid::new_v4().to_string();
                let names: Vec<String> = (0..round / 4).map(|i| format!("m{round}-{i}")).collect();
                let list: Vec<Value> = names.iter().enumerate().map(|(i, n)| json!({"id": i, "name": n, "shout": false, "skillId1": 10})).collect();
                let value = json!({"characterId": c, "type": "UPDATE", "transactionId": tx, "body": {"macros": list}});
                steps.push(Step { character: c, topic: "COMMAND_TOPIC_SKILL_MACRO", value, expected: vec![("MACRO_UPDATED", tx)] });
                macros.insert(c, names);
            }
        }
    }
    (steps, levels, macros)
}

#[test]
fn state_and_outputs_survive_actor_panics_and_process_kills() {
    let _serial = serial();
    let broker = broker();
    let chaos = [("ATLAS_CHAOS_PANIC_BEFORE_COMMIT", "13"), ("ATLAS_CHAOS_PANIC_AFTER_COMMIT", "17")];
    let mut server = Server::start(broker.bootstrap_servers(), POSTGRES_URL, &chaos);
    let tenant = tenant();
    let (characters, rounds, kills) = (setting("CHAOS_CHARACTERS", 40), setting("CHAOS_ROUNDS", 12), setting("CHAOS_KILLS", 3) as usize);
    let (steps, levels, macros) = traffic(characters, rounds);
    let producer = producer(&server.bootstrap);

    // Send in slices; kill and restart the server between some of them, while records of
    // the previous slices are still being handled.
    let slices: Vec<&[Step]> = steps.chunks(steps.len() / (kills + 3) + 1).collect();
    for (i, slice) in slices.iter().enumerate() {
        for topic in ["COMMAND_TOPIC_SKILL", "COMMAND_TOPIC_SKILL_MACRO"] {
            let records: Vec<(u32, Value)> =
                slice.iter().filter(|s| s.topic == topic).map(|s| (s.character, s.value.clone())).collect();
            produce_all(&producer, topic, &json_records(&tenant, &records));
        }
        if (1..=kills).contains(&i) {
            std::thread::sleep(Duration::from_millis(300 * (i as u64 % 4 + 1)));
            server.restart(&chaos);
        }
    }

    let expected: Vec<(&str, String)> = steps.iter().flat_map(|s| s.expected.clone()).collect();
    let mut skill_events = Collector::new(&server.bootstrap, "EVENT_TOPIC_SKILL_STATUS", Some(&tenant));
    let mut macro_events = Collector::new(&server.bootstrap, "STATUS_EVENT_TOPIC_SKILL_MACRO", Some(&tenant));
    let outputs = |skill: &[Seen], macro_seen: &[Seen]| -> HashMap<(String, String), usize> {
        let mut counts = HashMap::new();
        for r in skill {
            let v = r.json();
            *counts.entry((v["type"].as_str().unwrap_or_default().to_string(), v["transactionId"].as_str().unwrap_or_default().to_string())).or_insert(0) += 1;
        }
        for r in macro_seen {
            let v = r.json();
            *counts.entry(("MACRO_UPDATED".to_string(), v["transactionId"].as_str().unwrap_or_default().to_string())).or_insert(0) += 1;
        }
        counts
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(180 + 30 * kills as u64);
    loop {
        skill_events.poll_for(Duration::from_millis(500));
        macro_events.poll_for(Duration::from_millis(100));
        let counts = outputs(&skill_events.seen, &macro_events.seen);
        if expected.iter().all(|(t, tx)| counts.contains_key(&(t.to_string(), tx.clone()))) || std::time::Instant::now() > deadline {
            break;
        }
    }
    skill_events.poll_for(Duration::from_secs(2));
    let counts = outputs(&skill_events.seen, &macro_events.seen);
    let missing: Vec<_> = expected.iter().filter(|(t, tx)| !counts.contains_key(&(t.to_string(), tx.clone()))).collect();
    assert!(missing.is_empty(), "{} outputs missing, e.g. {:?}", missing.len(), missing.first());
    let repeats: usize = counts.values().map(|n| n - 1).sum();
    // Every input is handled at least once, so at least this many actor panics were injected.
    let panics = steps.len() / 13 + steps.len() / 17;
    println!(
        "chaos: {} inputs, {kills} process kills, at least {panics} actor panics, {} outputs expected, {} missing, {} repeated",
        steps.len(),
        expected.len(),
        missing.len(),
        repeats
    );
    assert_eq!(counts.len(), expected.len(), "no output beyond the model's");
    assert_eq!(repeats, 0, "no output repeated across kills");

    for (character, skills) in &levels {
        let (_, body) = server.get(&format!("/api/characters/{character}/skills"), &tenant);
        let stored: BTreeMap<u32, u64> = body["data"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|s| (s["id"].as_str().unwrap().parse().unwrap(), s["attributes"]["level"].as_u64().unwrap()))
            .collect();
        assert_eq!(&stored, skills, "character {character}'s skills");
        let (_, body) = server.get(&format!("/api/characters/{character}/macros"), &tenant);
        let names: Vec<String> = body["data"].as_array().unwrap().iter().map(|m| m["attributes"]["name"].as_str().unwrap().to_string()).collect();
        assert_eq!(&names, macros.get(character).unwrap_or(&Vec::new()), "character {character}'s macros");
    }
}
