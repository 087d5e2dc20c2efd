//! Events of the topics sagas wait on carry transaction ids, most of them for no saga this
//! server runs (another service's transactions, and this server's own skill events, which
//! carry their command's id). Each such event is skipped and counted, and the saga actor it
//! made is gone within about a second, whatever `ACTOR_IDLE_TIMEOUT` says: reads of
//! unknown ids leave the live actors bounded. `UNKNOWN_SAGA_EVENTS` sets the number of
//! events (default 3,000).

mod common;

use common::*;
use serde_json::json;
use std::time::Duration;

#[test]
fn events_for_unknown_transactions_leave_no_saga_actors() {
    let _serial = serial();
    // The default idle timeout is minutes: without the rule, every event's actor would stay.
    let fixture = Fixture::sqlite("unknown-sagas").env("ACTOR_IDLE_TIMEOUT", "10m").start();
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
    fixture.produce("EVENT_TOPIC_CHARACTER_STATUS", &records);

    let skipped =
        || metric_sum(&fixture.server, "atlas_records_unhandled_total{topic=\"EVENT_TOPIC_CHARACTER_STATUS\",type=\"unknown entity\"}");
    let live = || metric_sum(&fixture.server, "atlas_live_actors{kind=\"saga\"}");
    let mut highest: f64 = 0.0;
    let all_skipped = wait_until(Duration::from_secs(120), || {
        highest = highest.max(live());
        skipped() >= f64::from(events)
    });
    assert!(all_skipped, "every event is handled and counted as skipped: {} of {events} after 120 s", skipped());
    // The live count is refreshed every second, after that second's sweep.
    let forgotten = wait_until(Duration::from_secs(10), || live() <= 0.0);
    assert!(forgotten, "saga actors of unknown transactions are forgotten: {} live after 10 s", live());
    println!(
        "{events} events for unknown transactions: all counted as skipped, at most {highest} saga actors live while they ran, 0 after"
    );
}
