//! The registry with the counter entity of `counter_fixture.rs` on a real store, its
//! actors on two arbiters as in the server: passivation racing deliveries neither loses a
//! delivery nor lets a second actor work on stale state.

// `supervised_tests.rs` includes the same fixture: a copy per test module, as neither module can
// reach into the other.
#[allow(clippy::duplicate_mod)]
#[path = "counter_fixture.rs"]
mod counter_fixture;

use super::*;
use counter_fixture::{Bump, Counter, Rig};
use std::sync::atomic::AtomicBool;

/// Rounds of deliveries; each round ends idle, so the next may meet a forgotten actor.
const ROUNDS: i64 = 60;
/// Deliveries per round, each handed over while the one before is in flight.
const PER_ROUND: i64 = 3;

/// Breaks if `passivate_idle` forgot an actor with input in flight (drop the `inflight`
/// check): the next delivery would start a second actor that loads the state before the
/// first commits, and its absolute write would lose counts (the stored value would fall
/// short of 180 or the tags come out of order). Breaks too if a delivery racing the
/// passivation went to an actor that was stopping (answered `Lost` instead of `Done`).
#[actix_rt::test]
async fn deliveries_racing_passivation_are_neither_lost_nor_applied_on_stale_state() {
    let rig = Rig::new(3).await;
    let arbiters: Arc<Vec<ArbiterHandle>> = Arc::new((0..2).map(|_| Arbiter::new().handle()).collect());
    let registry = Arc::new(Registry::<Counter>::new(rig.runtime.clone(), rig.store.clone(), arbiters.clone()));
    let id = Uuid::new_v4().to_string();

    // Another thread forgets idle actors as fast as it can while deliveries go on.
    let stop = Arc::new(AtomicBool::new(false));
    let passivating = {
        let (registry, stop) = (registry.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut forgotten = 0;
            while !stop.load(Ordering::Relaxed) {
                forgotten += registry.passivate_idle(Duration::ZERO);
                std::thread::yield_now();
            }
            forgotten
        })
    };
    let mut outcomes = Vec::new();
    for round in 0..ROUNDS {
        let mut replies = Vec::new();
        for n in 0..PER_ROUND {
            // Each input is still being handled when the next arrives.
            let bump = Bump::ok(round * PER_ROUND + n).paused(Duration::from_millis(3));
            replies.push(registry.deliver(rig.tenant.id, id.clone(), bump, rig.meta()));
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        for reply in replies {
            outcomes.push(tokio::time::timeout(Duration::from_secs(20), reply).await.expect("an answer in time"));
        }
        // Idle for a moment or not at all: the next round meets a forgotten actor, one
        // being forgotten, or a live one.
        tokio::time::sleep(Duration::from_millis(round as u64 % 3)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let forgotten = passivating.join().expect("passivating thread");

    assert!(outcomes.iter().all(|o| matches!(o, Ok(Applied::Done))), "every delivery applied: {outcomes:?}");
    let (value, tags) = rig.stored(&id).await;
    assert_eq!(value, ROUNDS * PER_ROUND, "no count lost");
    assert_eq!(tags, (0..ROUNDS * PER_ROUND).collect::<Vec<_>>(), "applied once each, in delivery order");
    let started = rig.runtime.metrics.actors_started.with_label_values(&["counter"]).get();
    assert!(started > 1, "the race happened: {started} actors started, {forgotten} forgotten");
    for arbiter in arbiters.iter() {
        arbiter.stop();
    }
}
