//! Bounded shutdown: SIGTERM with the broker gone ends the process by its own drain, every
//! step of which is bounded by the grace period's time left: the exit status is 0, not
//! the watchdog's (which would come 3 s after the grace period).

mod common;

use common::*;
use serde_json::json;
use std::process::Command;
use std::time::Duration;

fn terminate(server: &Server) {
    let status = Command::new("kill").args(["-TERM", &server.pid().to_string()]).status().expect("kill");
    assert!(status.success());
}

#[test]
fn sigterm_with_the_broker_killed_exits_within_the_grace_period() {
    let _serial = serial();
    let mut fixture = Fixture::sqlite("shutdown").env("SHUTDOWN_GRACE_PERIOD", "3s").start();
    let body = json!({"skillId": 1, "level": 1, "masterLevel": 10, "expiration": "0001-01-01T00:00:00Z"});
    fixture.produce("COMMAND_TOPIC_SKILL", &[(8, json!({"characterId": 8, "type": "REQUEST_CREATE", "body": body}))]);
    let applied = wait_until(Duration::from_secs(30), || fixture.get("/api/characters/8/skills/1").0 == 200);
    assert!(applied, "the command was not applied within 30 s");

    fixture.stop_broker();
    // why: the scenario, not a wait: SIGTERM comes a while after the broker went away, once
    // the server's clients have lost their connections (the server shows no state for it)
    std::thread::sleep(Duration::from_millis(500));
    let signalled = std::time::Instant::now();
    terminate(&fixture.server);
    // 3 s of grace and the watchdog's 3 s margin; the wait allows for a loaded machine.
    let status = fixture.server.wait_status(Duration::from_secs(20)).expect("the process exited after SIGTERM with the broker gone");
    println!("exited {:?} after SIGTERM with {status}", signalled.elapsed());
    assert_ne!(status.code(), Some(atlas_actors::shutdown::WATCHDOG_EXIT), "the drain returned before the watchdog fired");
    assert!(status.success(), "the drain ended the process cleanly: {status}");
}
