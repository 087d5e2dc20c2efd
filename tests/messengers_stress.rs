//! 200 characters issue random CREATE / JOIN / LEAVE / REQUEST_INVITE / LOGOUT commands
//! concurrently over a real broker. Afterwards: every messenger has at most 3 distinct
//! members in distinct slots, every seated character is found in exactly that messenger
//! and its own registry entry points at it (and no entry points at a messenger that does
//! not seat it), and replaying the emitted events per messenger rebuilds the same seats.
//!
//! The second run does the same on PostgreSQL while actors panic before and after their
//! commits (character and messenger actors alike, so between the two steps of a join)
//! and the server is SIGKILLed twice mid-traffic.

mod common;

use common::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

const CHARACTERS: u32 = 200;
const FIRST: u32 = 1_000_000_000;

/// Every character exists, in world 0.
fn answer(id: u32) -> (Duration, Value) {
    (Duration::ZERO, json!({"data": {"type": "characters", "id": id.to_string(), "attributes": {"worldId": 0, "name": format!("C{id}")}}}))
}

#[test]
fn random_concurrent_commands_keep_the_invariants_and_replay() {
    let _serial = serial();
    play(Fixture::sqlite("messengers"), 0);
}

#[test]
fn invariants_hold_across_actor_panics_and_process_kills() {
    let _serial = serial();
    let Some(fixture) = Fixture::postgres() else { return };
    let chaos = [("ATLAS_CHAOS_PANIC_BEFORE_COMMIT", "11"), ("ATLAS_CHAOS_PANIC_AFTER_COMMIT", "7"), ("INSTANCE_LEASE", "2s")];
    play(fixture.envs(&chaos), std::env::var("MESSENGER_CHAOS_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(2));
}

fn play(fixture: FixtureBuilder, kills: usize) {
    let base = format!("http://127.0.0.1:{}/api/", character_service(answer));
    let mut fixture = fixture.env("BASE_SERVICE_URL", base).start();
    let tenant = fixture.tenant.clone();
    let mut rng = StdRng::seed_from_u64(7);
    let mut commands = Vec::new();
    let mut logouts = Vec::new();
    for _ in 0..2000 {
        let actor = rng.gen_range(1..=CHARACTERS);
        let messenger = FIRST + rng.gen_range(0..60);
        match rng.gen_range(0..10) {
            0..=1 => commands.push((actor, json!({"actorId": actor, "type": "CREATE", "body": {}}))),
            2..=5 => commands.push((actor, json!({"actorId": actor, "type": "JOIN", "body": {"messengerId": messenger}}))),
            6..=7 => commands.push((actor, json!({"actorId": actor, "type": "LEAVE", "body": {"messengerId": messenger}}))),
            8 => {
                let target = rng.gen_range(1..=CHARACTERS);
                commands.push((actor, json!({"actorId": actor, "type": "REQUEST_INVITE", "body": {"characterId": target}})))
            }
            _ => logouts
                .push((actor, json!({"worldId": 0, "characterId": actor, "type": "LOGOUT", "body": {"channelId": 1, "mapId": 100000000}}))),
        }
    }
    let producer = fixture.producer();
    let (a, b) = (json_records(&tenant, &commands), json_records(&tenant, &logouts));
    let slices = kills + 1;
    let (a, b): (Vec<_>, Vec<_>) = (a.chunks(a.len() / slices + 1).collect(), b.chunks(b.len() / slices + 1).collect());
    for (i, (a, b)) in a.iter().zip(&b).enumerate() {
        std::thread::scope(|scope| {
            scope.spawn(|| produce_all(&producer, "COMMAND_TOPIC_MESSENGER", a));
            scope.spawn(|| produce_all(&producer, "EVENT_TOPIC_CHARACTER_STATUS", b));
        });
        if i < kills {
            // why: the load's shape, not a wait: the kill lands while the slice is handled
            std::thread::sleep(Duration::from_millis(700));
            fixture.restart();
        }
    }

    // Wait until the event stream goes quiet.
    let mut events = fixture.collect("EVENT_TOPIC_MESSENGER_STATUS");
    let mut last = 0;
    loop {
        events.poll_for(Duration::from_secs(if kills > 0 { 8 } else { 3 }));
        if events.seen.len() == last && last > 0 {
            break;
        }
        last = events.seen.len();
    }

    let (status, listing) = fixture.server.get("/api/messengers", &tenant);
    assert_eq!(status, 200);
    let mut stored: BTreeMap<u32, BTreeSet<(u32, u64)>> = BTreeMap::new();
    let included: BTreeMap<String, Value> = listing["included"]
        .as_array()
        .map(|members| members.iter().map(|m| (m["id"].as_str().unwrap_or_default().to_string(), m.clone())).collect())
        .unwrap_or_default();
    let mut seated = BTreeSet::new();
    for messenger in listing["data"].as_array().expect("messengers") {
        let id: u32 = messenger["id"].as_str().unwrap().parse().unwrap();
        let members = messenger["relationships"]["members"]["data"].as_array().unwrap();
        assert!(members.len() <= 3, "messenger {id} has {} members", members.len());
        let mut slots = BTreeSet::new();
        for member in members {
            let character: u32 = member["id"].as_str().unwrap().parse().unwrap();
            assert!(seated.insert(character), "character {character} sits in two messengers");
            let slot = included[&character.to_string()]["attributes"]["slot"].as_u64().unwrap();
            assert!(slots.insert(slot), "slot {slot} of messenger {id} is taken twice");
            stored.entry(id).or_default().insert((character, slot));
        }
    }
    for character in seated.iter().take(40) {
        let (_, found) = fixture.server.get(&format!("/api/messengers?filter[members.id]={character}"), &tenant);
        assert_eq!(found["data"].as_array().map(Vec::len), Some(1), "character {character} points at its messenger");
    }

    // Each character's own entry points at the messenger seating it, and only there.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let entries: Vec<(u32, u32)> = runtime.block_on(async {
        let store = atlas_actors::store::Store::connect(&fixture.server.database_url).await.expect("store");
        let rows = store
            .fetch(atlas_actors::write_sql!("SELECT character_id, messenger_id FROM messenger_registry WHERE tenant_id = $1", tenant.id))
            .await
            .expect("registry");
        rows.iter().map(|r| (r.get::<i64, _>(0) as u32, r.get::<i64, _>(1) as u32)).collect()
    });
    for (character, messenger) in &entries {
        let sits = stored.get(messenger).is_some_and(|seats| seats.iter().any(|(c, _)| c == character));
        assert!(*messenger == 0 || sits, "character {character} points at messenger {messenger}, which does not seat it");
    }
    for (messenger, seats) in &stored {
        for (character, _) in seats {
            assert!(entries.contains(&(*character, *messenger)), "character {character} sits in {messenger} but does not point at it");
        }
    }

    // Replay: each messenger's events share its key, hence its partition and order.
    let mut replayed: BTreeMap<u32, BTreeSet<(u32, u64)>> = BTreeMap::new();
    for record in &events.seen {
        let event = record.json();
        let (actor, messenger) = (event["actorId"].as_u64().unwrap() as u32, event["messengerId"].as_u64().unwrap() as u32);
        match event["type"].as_str() {
            Some("CREATED") => {
                replayed.entry(messenger).or_default().insert((actor, 0));
            }
            Some("JOINED") => {
                replayed.entry(messenger).or_default().insert((actor, event["body"]["slot"].as_u64().unwrap()));
            }
            Some("LEFT") => {
                let seats = replayed.entry(messenger).or_default();
                seats.remove(&(actor, event["body"]["slot"].as_u64().unwrap()));
                if seats.is_empty() {
                    replayed.remove(&messenger);
                }
            }
            _ => {}
        }
    }
    let mut seen_events = BTreeSet::new();
    let repeats = events.seen.iter().filter(|r| !seen_events.insert(r.value.clone())).count();
    println!(
        "messengers: {} events ({repeats} repeated), {} messengers left, {} characters seated",
        events.seen.len(),
        stored.len(),
        seated.len()
    );
    assert_eq!(repeats, 0, "no event repeated");
    assert!(!stored.is_empty(), "the traffic left some messengers");
    assert_eq!(replayed, stored, "the events replay to the stored seats");
}
