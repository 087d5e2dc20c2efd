//! Skills over a real broker and database: cooldowns across actor and process kills,
//! many overlapping cooldowns, tenant isolation.

mod common;

use atlas_actors::contracts::json::GoTime;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

fn create(character: u32, skill: u32) -> (u32, Value) {
    let body = json!({"skillId": skill, "level": 1, "masterLevel": 10, "expiration": "0001-01-01T00:00:00Z"});
    (character, json!({"characterId": character, "type": "REQUEST_CREATE", "body": body}))
}

fn cooldown(character: u32, skill: u32, seconds: u32, transaction: &str) -> (u32, Value) {
    let body = json!({"skillId": skill, "cooldown": seconds});
    (character, json!({"characterId": character, "type": "SET_COOLDOWN", "body": body, "transactionId": transaction}))
}

fn of_type<'a>(seen: &'a [Seen], kind: &str) -> Vec<&'a Seen> {
    seen.iter().filter(|r| r.json()["type"] == kind).collect()
}

/// The one COOLDOWN_EXPIRED of a cooldown arrives after its instant, with the arming
/// command's tenant headers and transactionId, even though the actor was killed (or the
/// process SIGKILLed) while it ran.
fn expires_exactly_once(seen: &[Seen], applied_at: &str, transaction: &str, tenant: &atlas_actors::contracts::tenant::Tenant) {
    let expired = of_type(seen, "COOLDOWN_EXPIRED");
    assert_eq!(expired.len(), 1, "exactly one COOLDOWN_EXPIRED");
    let event = expired[0].json();
    assert_eq!(event["transactionId"], transaction);
    assert_eq!(event["body"], json!({}));
    assert_eq!(expired[0].header("TENANT_ID"), Some(tenant.id.to_string()));
    assert_eq!(expired[0].header("REGION").as_deref(), Some("GMS"));
    let due = GoTime::parse(applied_at).expect("an RFC 3339 instant").utc();
    assert!(chrono::Utc::now() >= due, "not before its instant");
}

#[test]
fn cooldown_survives_an_actor_kill() {
    let _serial = serial();
    // The third input of the process (the update below) panics: the actor restarts.
    let fixture = Fixture::sqlite("cd-kill").env("ATLAS_CHAOS_PANIC_BEFORE_COMMIT", 3).start();
    let transaction = uuid::Uuid::new_v4().to_string();
    let update = (9, json!({"characterId": 9, "type": "REQUEST_UPDATE", "body": {"skillId": 100, "level": 2}}));
    fixture.produce("COMMAND_TOPIC_SKILL", &[create(9, 100), cooldown(9, 100, 3, &transaction), update]);
    let mut events = fixture.collect("EVENT_TOPIC_SKILL_STATUS");
    assert!(events.until(Duration::from_secs(30), |seen| !of_type(seen, "COOLDOWN_EXPIRED").is_empty()));
    events.poll_for(Duration::from_secs(2));
    let applied = of_type(&events.seen, "COOLDOWN_APPLIED")[0].json();
    expires_exactly_once(&events.seen, applied["body"]["cooldownExpiresAt"].as_str().unwrap(), &transaction, &fixture.tenant);
    assert_eq!(of_type(&events.seen, "UPDATED").len(), 1, "the update was retried once");
}

#[test]
fn cooldown_survives_a_process_kill() {
    let _serial = serial();
    let mut fixture = Fixture::sqlite("cd-restart").start();
    let transaction = uuid::Uuid::new_v4().to_string();
    fixture.produce("COMMAND_TOPIC_SKILL", &[create(11, 200), cooldown(11, 200, 4, &transaction)]);
    let mut events = fixture.collect("EVENT_TOPIC_SKILL_STATUS");
    assert!(events.until(Duration::from_secs(30), |seen| !of_type(seen, "COOLDOWN_APPLIED").is_empty()));
    fixture.restart();
    assert!(events.until(Duration::from_secs(30), |seen| !of_type(seen, "COOLDOWN_EXPIRED").is_empty()));
    events.poll_for(Duration::from_secs(2));
    let applied = of_type(&events.seen, "COOLDOWN_APPLIED");
    assert_eq!(applied.len(), 1);
    let at = applied[0].json()["body"]["cooldownExpiresAt"].as_str().unwrap().to_string();
    expires_exactly_once(&events.seen, &at, &transaction, &fixture.tenant);
    let (status, body) = fixture.get("/api/characters/11/skills/200");
    assert_eq!(status, 200);
    assert_eq!(body["data"]["attributes"]["cooldownExpiresAt"], "0001-01-01T00:00:00Z");
}

#[test]
fn a_thousand_overlapping_cooldowns_expire_once_each() {
    let _serial = serial();
    let fixture = Fixture::sqlite("cd-many").start();
    let mut records: Vec<_> = (1..=1000).map(|c| create(c, 300)).collect();
    records.extend((1..=1000).map(|c| cooldown(c, 300, 1 + c % 3, "00000000-0000-4000-8000-000000000001")));
    fixture.produce("COMMAND_TOPIC_SKILL", &records);
    let mut events = fixture.collect("EVENT_TOPIC_SKILL_STATUS");
    let all = events.until(Duration::from_secs(120), |seen| of_type(seen, "COOLDOWN_EXPIRED").len() >= 1000);
    events.poll_for(Duration::from_secs(2));
    let mut characters: Vec<u64> =
        of_type(&events.seen, "COOLDOWN_EXPIRED").iter().map(|r| r.json()["characterId"].as_u64().unwrap()).collect();
    assert!(all, "only {} expired", characters.len());
    characters.sort_unstable();
    characters.dedup();
    assert_eq!(characters.len(), 1000, "every character's cooldown expired");
    assert_eq!(of_type(&events.seen, "COOLDOWN_EXPIRED").len(), 1000, "once each");
}

#[test]
fn same_character_id_in_two_tenants_is_two_characters() {
    let _serial = serial();
    let Some(fixture) = Fixture::postgres() else { return };
    let fixture = fixture.start();
    let (server, a, b) = (&fixture.server, fixture.tenant.clone(), tenant());
    let producer = fixture.producer();
    produce_all(&producer, "COMMAND_TOPIC_SKILL", &json_records(&a, &[create(77, 1), create(77, 2)]));
    produce_all(&producer, "COMMAND_TOPIC_SKILL", &json_records(&b, &[create(77, 2)]));
    let macros = json!({"characterId": 77, "type": "UPDATE", "body": {"macros": [{"id": 0, "name": "A", "shout": false, "skillId1": 1, "skillId2": 0, "skillId3": 0}]}});
    produce_all(&producer, "COMMAND_TOPIC_SKILL_MACRO", &json_records(&a, &[(77, macros)]));
    let mut events_b = Collector::new(&server.bootstrap, "EVENT_TOPIC_SKILL_STATUS", Some(&b));
    assert!(events_b.until(Duration::from_secs(30), |seen| !seen.is_empty()));
    let mut macros_a = Collector::new(&server.bootstrap, "STATUS_EVENT_TOPIC_SKILL_MACRO", Some(&a));
    assert!(macros_a.until(Duration::from_secs(30), |seen| !seen.is_empty()));
    let mut events_a = Collector::new(&server.bootstrap, "EVENT_TOPIC_SKILL_STATUS", Some(&a));
    assert!(events_a.until(Duration::from_secs(30), |seen| seen.len() >= 2));
    let ids = |tenant| -> Vec<String> {
        let (_, body) = server.get("/api/characters/77/skills", tenant);
        body["data"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(ids(&a), vec!["1", "2"]);
    assert_eq!(ids(&b), vec!["2"], "the same skill id for the same character id in another tenant");
    assert_eq!(server.get("/api/characters/77/macros", &a).1["data"].as_array().unwrap().len(), 1);
    assert_eq!(server.get("/api/characters/77/macros", &b).1["data"], json!([]));
}
