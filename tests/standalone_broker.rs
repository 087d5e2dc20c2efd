//! The server comes up on an empty cluster: the standalone `atlas-actors broker` process
//! with no topics (it answers no CreateTopics request), nothing else running. The server
//! creates its topics itself, turns healthy and applies commands.

mod common;

use common::*;
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The standalone broker as its own process; killed on drop.
struct BrokerProcess(Child);

impl Drop for BrokerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn standalone_broker() -> (BrokerProcess, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_atlas-actors"))
        .args(["broker", "--listen", "127.0.0.1:0"])
        .env("LOG_LEVEL", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn broker");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("the broker prints its address");
    (BrokerProcess(child), line.trim().to_string())
}

#[test]
fn a_server_started_against_a_fresh_broker_process_turns_healthy_and_consumes() {
    let _serial = serial();
    let (_broker, address) = standalone_broker();
    // Starting waits (bounded) for /health to answer 200.
    let fixture = Fixture::sqlite("standalone").bootstrap(&address).start();
    let body = json!({"skillId": 7, "level": 1, "masterLevel": 10, "expiration": "0001-01-01T00:00:00Z"});
    fixture.produce("COMMAND_TOPIC_SKILL", &[(3, json!({"characterId": 3, "type": "REQUEST_CREATE", "body": body}))]);
    let applied = wait_until(Duration::from_secs(30), || fixture.get("/api/characters/3/skills/7").0 == 200);
    assert!(applied, "the command was not applied within 30 s");
}
