//! `atlas-actors simulate` plays every kind of action (skills, cooldowns, macros,
//! messengers, sagas) against a server and gets every command answered.

mod common;

use common::*;
use serde_json::{json, Value};
use std::process::Command;
use std::time::Duration;

fn answer(id: u32) -> (Duration, Value) {
    (Duration::ZERO, json!({"data": {"type": "characters", "id": id.to_string(), "attributes": {"worldId": 0, "name": format!("P{id}")}}}))
}

#[test]
fn every_simulated_command_is_answered() {
    let _serial = serial();
    let base = format!("http://127.0.0.1:{}/api/", character_service(answer));
    let fixture = Fixture::sqlite("simulate").env("BASE_SERVICE_URL", base).start();
    let output = Command::new(env!("CARGO_BIN_EXE_atlas-actors"))
        .args(["simulate", "--bootstrap-servers", &fixture.bootstrap, "--players", "20", "--rate", "100", "--duration", "4s"])
        .env("LOG_LEVEL", "warn")
        .output()
        .expect("simulate runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    assert!(output.status.success(), "every command answered: {stdout}");
    assert!(stdout.contains("400 commands") && stdout.contains("answered 400") && stdout.contains("unanswered 0"), "{stdout}");
}
