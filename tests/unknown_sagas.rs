//! Events of the topics sagas wait on carry transaction ids, most of them for no saga this
//! server runs (another service's transactions, and this server's own skill events, which
//! carry their command's id). Each such event is skipped and counted, and the saga actor it
//! made is gone within about a second, whatever `ACTOR_IDLE_TIMEOUT` says: reads of
//! unknown ids leave the live actors bounded. `UNKNOWN_SAGA_EVENTS` sets the number of
//! events (default 3,000).

mod common;

use common::*;
use serde_json::json;
use std::time::{Duration, Instant};

#[test]
fn events_for_unknown_transactions_leave_no_saga_actors() {
    let _serial = serial();
    let broker = broker();
    let dir = tempdir::Dir::new("unknown-sagas");
    // The default idle timeout is minutes: without the rule, every event's actor would stay.
    let server = Server::start(broker.bootstrap_servers(), &sqlite_url(&dir), &[("ACTOR_IDLE_TIMEOUT", "10m")]);
    let tenant = tenant();
    let events = setting("UNKNOWN_SAGA_EVENTS", 3_000) as u32;
    let records: Vec<(u32, serde_json::Value)> = (0..events)
        .map(|i| {
            let character = 40_000 + i % 100;
            (
                character,
                json!({"transactionId": uuid::Uuid::new_v4(), "worldId": 0, "characterId": character,
                "type": "MESO_CHANGED", "body": {"actorId": 0, "actorType": "", "amount": -10}}),
            )
        })
        .collect();
    let producer = producer(&server.bootstrap);
    produce_all(&producer, "EVENT_TOPIC_CHARACTER_STATUS", &json_records(&tenant, &records));

    let skipped = || metric_sum(&server, "atlas_records_unhandled_total{topic=\"EVENT_TOPIC_CHARACTER_STATUS\",type=\"unknown entity\"}");
    let live = || metric_sum(&server, "atlas_live_actors{kind=\"saga\"}");
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut highest: f64 = 0.0;
    while skipped() < f64::from(events) {
        assert!(Instant::now() < deadline, "every event is handled and counted as skipped: {} of {events}", skipped());
        highest = highest.max(live());
        std::thread::sleep(Duration::from_millis(200));
    }
    // The live count is refreshed every second, after that second's sweep.
    let deadline = Instant::now() + Duration::from_secs(10);
    while live() > 0.0 {
        assert!(Instant::now() < deadline, "saga actors of unknown transactions are forgotten: {} live", live());
        std::thread::sleep(Duration::from_millis(200));
    }
    println!(
        "{events} events for unknown transactions: all counted as skipped, at most {highest} saga actors live while they ran, 0 after"
    );
}
