//! Chaos: realistic skill traffic (creates, updates, macros, cooldowns) while actors
//! panic before and after their commits and the whole server is SIGKILLed and restarted
//! three times, on PostgreSQL, with the broker in this process so it survives. A reference
//! model computes the final state and the outputs; the test checks the state through
//! REST, that every expected output exists, and counts repeats (expected: none, thanks to
//! positions and the outbox recovery).

mod common;

use common::skills_model::*;
use common::*;
use serde_json::Value;
use std::time::Duration;

fn setting(name: &str, default: u32) -> u32 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn state_and_outputs_survive_actor_panics_and_process_kills() {
    let _serial = serial();
    let Some(fixture) = Fixture::postgres() else { return };
    let mut fixture = fixture.env("ATLAS_CHAOS_PANIC_BEFORE_COMMIT", 13).env("ATLAS_CHAOS_PANIC_AFTER_COMMIT", 17).start();
    let (characters, rounds, kills) = (setting("CHAOS_CHARACTERS", 40), setting("CHAOS_ROUNDS", 12), setting("CHAOS_KILLS", 3) as usize);
    let (steps, levels, macros) = traffic(characters, rounds);
    let producer = fixture.producer();

    // Send in slices; kill and restart the server between some of them, while records of
    // the previous slices are still being handled.
    let slices: Vec<&[Step]> = steps.chunks(steps.len() / (kills + 3) + 1).collect();
    for (i, slice) in slices.iter().enumerate() {
        for topic in ["COMMAND_TOPIC_SKILL", "COMMAND_TOPIC_SKILL_MACRO"] {
            let records: Vec<(u32, Value)> = slice.iter().filter(|s| s.topic == topic).map(|s| (s.character, s.value.clone())).collect();
            produce_all(&producer, topic, &json_records(&fixture.tenant, &records));
        }
        if (1..=kills).contains(&i) {
            // why: the load's shape, not a wait: the kill lands 0.3 to 1.2 s into a slice
            std::thread::sleep(Duration::from_millis(300 * (i as u64 % 4 + 1)));
            fixture.restart();
        }
    }

    let expected: Vec<(&str, String)> = steps.iter().flat_map(|s| s.expected.clone()).collect();
    let (counts, _) = collect_outputs(&fixture.bootstrap, &fixture.tenant, &expected, Duration::from_secs(180 + 30 * kills as u64));
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

    assert_state(&fixture.server, &fixture.tenant, &levels, &macros);
}
