//! Time from a SIGKILL to the first output after the restart, with and without static
//! group membership. The figures go to RELIABILITY.md; the test asserts only that the
//! output comes (speed is not asserted).

mod common;

use common::*;
use serde_json::json;
use std::time::{Duration, Instant};

fn sigkill_to_first_output(static_id: &str) -> Duration {
    let mut fixture =
        Fixture::sqlite("restart").env("CONSUMER_GROUP_INSTANCE_ID", static_id).env("CONSUMER_SESSION_TIMEOUT", "10s").start();
    let create = |skill: u32| {
        let body = json!({"skillId": skill, "level": 1, "masterLevel": 10, "expiration": "0001-01-01T00:00:00Z"});
        (12, json!({"characterId": 12, "type": "REQUEST_CREATE", "body": body}))
    };
    let mut events = fixture.collect("EVENT_TOPIC_SKILL_STATUS");
    fixture.produce("COMMAND_TOPIC_SKILL", &[create(1)]);
    assert!(events.until(Duration::from_secs(30), |seen| !seen.is_empty()), "the first output");

    let killed = Instant::now();
    fixture.server.kill();
    fixture.produce("COMMAND_TOPIC_SKILL", &[create(2)]);
    fixture.restart();
    assert!(events.until(Duration::from_secs(60), |seen| seen.len() >= 2), "the output after the restart");
    killed.elapsed()
}

#[test]
fn time_from_a_sigkill_to_the_first_output_after_the_restart() {
    let _serial = serial();
    let with_static = sigkill_to_first_output("restart-probe");
    let dynamic = sigkill_to_first_output("");
    println!("SIGKILL → first output after restart: static membership {with_static:?}, dynamic {dynamic:?}");
}
