//! Stored positions are fenced by the log they came from: after the broker's log changes
//! (a restart of the embedded default broker, or the same database pointed at a broker
//! whose topics were created anew), commands at offsets the old log had already passed
//! are applied, not skipped as redeliveries.

mod common;

use atlas_actors::contracts::tenant::Tenant;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

const CHARACTER: u32 = 5;

fn create(skill: u32) -> (u32, Value) {
    let body = json!({"skillId": skill, "level": 1, "masterLevel": 10, "expiration": "0001-01-01T00:00:00Z"});
    (CHARACTER, json!({"characterId": CHARACTER, "type": "REQUEST_CREATE", "body": body}))
}

fn skill_ids(port: u16, tenant: &Tenant) -> Vec<u64> {
    let url = format!("http://127.0.0.1:{port}/api/characters/{CHARACTER}/skills");
    let (_, document) = http("GET", &url, Some(tenant), None);
    let mut ids: Vec<u64> = document["data"]
        .as_array()
        .map(|skills| skills.iter().filter_map(|s| s["id"].as_str()?.parse().ok()).collect())
        .unwrap_or_default();
    ids.sort_unstable();
    ids
}

/// The skill ids once they are `expected`, or as they are after 30 s.
fn wait_for_skills(port: u16, tenant: &Tenant, expected: &[u64]) -> Vec<u64> {
    wait_until(Duration::from_secs(30), || skill_ids(port, tenant) == expected);
    skill_ids(port, tenant)
}

#[test]
fn a_restart_on_the_embedded_default_drops_no_command() {
    let _serial = serial();
    let dir = tempdir::Dir::new("fence-embedded");
    let tenant = tenant();
    let port = free_port();

    // Five commands: the character's partition of the first broker reaches offset 4.
    let (mut first, bootstrap) = start_embedded_default(&dir, port);
    let records: Vec<_> = (1..=5).map(create).collect();
    produce_all(&producer(&bootstrap), "COMMAND_TOPIC_SKILL", &json_records(&tenant, &records));
    assert_eq!(wait_for_skills(port, &tenant, &[1, 2, 3, 4, 5]), vec![1, 2, 3, 4, 5]);
    let _ = first.kill();
    let _ = first.wait();

    // The restarted server's broker is new: the next command is at offset 0 again.
    let (mut second, bootstrap) = start_embedded_default(&dir, port);
    produce_all(&producer(&bootstrap), "COMMAND_TOPIC_SKILL", &json_records(&tenant, &[create(6)]));
    let seen = wait_for_skills(port, &tenant, &[1, 2, 3, 4, 5, 6]);
    let _ = second.kill();
    let _ = second.wait();
    assert_eq!(seen, vec![1, 2, 3, 4, 5, 6], "the command after the restart was applied");
}

/// The same database pointed at a broker whose topics were created anew (a recreated
/// topic, or another cluster): positions of the old log are discarded.
fn recreated_topics_drop_no_command(fixture: FixtureBuilder) {
    let mut fixture = fixture.start();
    let records: Vec<_> = (1..=5).map(create).collect();
    fixture.produce("COMMAND_TOPIC_SKILL", &records);
    assert_eq!(wait_for_skills(fixture.server.port, &fixture.tenant, &[1, 2, 3, 4, 5]), vec![1, 2, 3, 4, 5]);

    fixture.restart_on_a_new_broker();
    fixture.produce("COMMAND_TOPIC_SKILL", &[create(6)]);
    assert_eq!(wait_for_skills(fixture.server.port, &fixture.tenant, &[1, 2, 3, 4, 5, 6]), vec![1, 2, 3, 4, 5, 6]);

    // A restart on the same log keeps the positions: nothing is applied twice.
    fixture.restart();
    assert_eq!(wait_for_skills(fixture.server.port, &fixture.tenant, &[1, 2, 3, 4, 5, 6]), vec![1, 2, 3, 4, 5, 6]);
}

#[test]
fn recreated_topics_drop_no_command_sqlite() {
    let _serial = serial();
    recreated_topics_drop_no_command(Fixture::sqlite("fence-recreated"));
}

#[test]
fn recreated_topics_drop_no_command_postgres() {
    let _serial = serial();
    recreated_topics_drop_no_command(Fixture::database(postgres_url()));
}
