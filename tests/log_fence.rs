//! Stored positions are fenced by the log they came from: after the broker's log changes
//! (a restart of the embedded default broker, or the same database pointed at a broker
//! whose topics were created anew), commands at offsets the old log had already passed
//! are applied, not skipped as redeliveries.

mod common;

use atlas_actors::contracts::tenant::Tenant;
use common::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

fn wait_for_skills(port: u16, tenant: &Tenant, expected: &[u64]) -> Vec<u64> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ids = skill_ids(port, tenant);
        if ids == expected || Instant::now() > deadline {
            return ids;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The server on its embedded default broker, started in `dir` (SQLite under `dir/data`).
/// Returns the process and its broker's address, read from the start-up log.
fn start_embedded(dir: &tempdir::Dir, port: u16) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_atlas-actors"))
        .current_dir(dir.path())
        .env_remove("BOOTSTRAP_SERVERS")
        .env_remove("DATABASE_URL")
        .env_remove("DB_HOST")
        .env("REST_PORT", port.to_string())
        .env("CHANNEL_PORT", "0")
        .env("LOG_LEVEL", "info")
        .env("LOG_FORMAT", "json")
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn server");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let bootstrap = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            let entry: Value = serde_json::from_str(&line).ok()?;
            entry["fields"]["bootstrap"].as_str().map(str::to_string)
        })
        .expect("the embedded broker's address is logged");
    std::thread::spawn(move || lines.for_each(drop));
    let deadline = Instant::now() + Duration::from_secs(60);
    while http("GET", &format!("http://127.0.0.1:{port}/health"), None, None).0 != 200 {
        assert!(Instant::now() < deadline, "server did not become healthy");
        std::thread::sleep(Duration::from_millis(100));
    }
    (child, bootstrap)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

#[test]
fn a_restart_on_the_embedded_default_drops_no_command() {
    let _serial = serial();
    let dir = tempdir::Dir::new("fence-embedded");
    let tenant = tenant();
    let port = free_port();

    // Five commands: the character's partition of the first broker reaches offset 4.
    let (mut first, bootstrap) = start_embedded(&dir, port);
    let records: Vec<_> = (1..=5).map(create).collect();
    produce_all(&producer(&bootstrap), "COMMAND_TOPIC_SKILL", &json_records(&tenant, &records));
    assert_eq!(wait_for_skills(port, &tenant, &[1, 2, 3, 4, 5]), vec![1, 2, 3, 4, 5]);
    let _ = first.kill();
    let _ = first.wait();

    // The restarted server's broker is new: the next command is at offset 0 again.
    let (mut second, bootstrap) = start_embedded(&dir, port);
    produce_all(&producer(&bootstrap), "COMMAND_TOPIC_SKILL", &json_records(&tenant, &[create(6)]));
    let seen = wait_for_skills(port, &tenant, &[1, 2, 3, 4, 5, 6]);
    let _ = second.kill();
    let _ = second.wait();
    assert_eq!(seen, vec![1, 2, 3, 4, 5, 6], "the command after the restart was applied");
}

/// The same database pointed at a broker whose topics were created anew (a recreated
/// topic, or another cluster): positions of the old log are discarded.
fn recreated_topics_drop_no_command(database_url: &str) {
    let tenant = tenant();
    let old = broker();
    let mut server = Server::start(old.bootstrap_servers(), database_url, &[]);
    let records: Vec<_> = (1..=5).map(create).collect();
    produce_all(&producer(&server.bootstrap), "COMMAND_TOPIC_SKILL", &json_records(&tenant, &records));
    assert_eq!(wait_for_skills(server.port, &tenant, &[1, 2, 3, 4, 5]), vec![1, 2, 3, 4, 5]);
    server.kill();
    drop(old);

    let new = broker();
    let server = Server::start(new.bootstrap_servers(), database_url, &[]);
    produce_all(&producer(&server.bootstrap), "COMMAND_TOPIC_SKILL", &json_records(&tenant, &[create(6)]));
    assert_eq!(wait_for_skills(server.port, &tenant, &[1, 2, 3, 4, 5, 6]), vec![1, 2, 3, 4, 5, 6]);

    // A restart on the same log keeps the positions: nothing is applied twice.
    let mut server = server;
    server.restart(&[]);
    assert_eq!(wait_for_skills(server.port, &tenant, &[1, 2, 3, 4, 5, 6]), vec![1, 2, 3, 4, 5, 6]);
}

#[test]
fn recreated_topics_drop_no_command_sqlite() {
    let _serial = serial();
    let dir = tempdir::Dir::new("fence-recreated");
    recreated_topics_drop_no_command(&sqlite_url(&dir));
}

#[test]
fn recreated_topics_drop_no_command_postgres() {
    let _serial = serial();
    recreated_topics_drop_no_command(postgres_url());
}
