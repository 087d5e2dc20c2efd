//! A foreign service slower than the timeout, or down, degrades only the characters whose
//! data it holds: other characters' stats are served meanwhile.

mod common;

use common::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Whether the character service has been asked for the slow character.
static SLOW_ASKED: AtomicBool = AtomicBool::new(false);

/// Character 1 answers after 20 s, every other at once.
fn answer(id: u32) -> (Duration, serde_json::Value) {
    if id == 1 {
        SLOW_ASKED.store(true, Ordering::SeqCst);
    }
    let delay = if id == 1 { Duration::from_secs(20) } else { Duration::ZERO };
    let document = serde_json::json!({"data": {"type": "characters", "id": id.to_string(),
        "attributes": {"strength": 40, "dexterity": 4, "intelligence": 4, "luck": 4, "maxHp": 500, "maxMp": 100}}});
    (delay, document)
}

#[test]
fn a_slow_or_down_foreign_service_does_not_stall_other_characters() {
    let _serial = serial();
    let stub = character_service(answer);
    let fixture = Fixture::sqlite("foreign")
        .env("BASE_SERVICE_URL", format!("http://127.0.0.1:{stub}/api/"))
        .env("FOREIGN_TIMEOUT_MS", 2000)
        .env("INVENTORY_SERVICE_URL", "http://127.0.0.1:1/api/")
        .start();

    // Several fast characters, so that (with one arbiter per core) some share the slow
    // character's arbiter: an actor awaiting HTTP must not hold its arbiter.
    let (done, finished) = mpsc::channel();
    for character in 1u32..=9 {
        let (url, tenant, done) =
            (fixture.server.url(&format!("/api/worlds/0/channels/1/characters/{character}/stats")), fixture.tenant.clone(), done.clone());
        std::thread::spawn(move || {
            let answer = http("GET", &url, Some(&tenant), None);
            let _ = done.send((character, answer, Instant::now()));
        });
        if character == 1 {
            // The slow look-up is under way before the fast reads are sent.
            assert!(wait_until(Duration::from_secs(10), || SLOW_ASKED.load(Ordering::SeqCst)), "character 1 was not looked up within 10 s");
        }
    }
    for _ in 2..=9 {
        let (character, (status, body), _) = finished.recv_timeout(Duration::from_secs(30)).expect("an answer");
        assert_ne!(character, 1, "every fast character is answered while the slow one waits");
        assert_eq!(status, 200);
        assert_eq!(body["data"]["attributes"]["strength"], 40, "its base came from the character service");
    }
    let (slow, (status, body), _) = finished.recv_timeout(Duration::from_secs(30)).expect("the slow answer");
    assert_eq!(slow, 1);
    assert_eq!(status, 200, "a timed-out foreign call degrades, it is not an error");
    assert_eq!(body["data"]["attributes"]["strength"], 0, "base zeros after the timeout");
}
