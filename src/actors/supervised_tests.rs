//! The entity actor under its supervisor, with the counter entity of `counter_fixture.rs`
//! on a real store: a failed input (error or panic) restarts the actor, which reloads the
//! committed state before the retry; retries come before later inputs; an input given up
//! after its attempts does not hold up the next ones.

// `registry_tests.rs` includes the same fixture: a copy per test module, as neither module can
// reach into the other.
#[allow(clippy::duplicate_mod)]
#[path = "counter_fixture.rs"]
mod counter_fixture;

use super::*;
use counter_fixture::{loads, Bump, Counter, Failing, Rig};
use std::sync::atomic::AtomicI64;

/// Long enough for any of these inputs (retries back off 100 ms × attempt).
const WAIT: Duration = Duration::from_secs(20);

/// Starts counter `id`'s actor under a supervisor, as the registry does.
fn start(rig: &Rig, id: &str) -> Addr<EntityActor<Counter>> {
    let (tenant, id, runtime, store) = (rig.tenant.id, id.to_string(), rig.runtime.clone(), rig.store.clone());
    Supervisor::start(move |_| EntityActor::<Counter>::new(tenant, id, runtime, store, Arc::new(Activity::default())))
}

/// Hands an input to the actor; the receiver answers once it is durable or given up.
fn deliver(rig: &Rig, actor: &Addr<EntityActor<Counter>>, input: Bump) -> oneshot::Receiver<Reply> {
    let (reply, answer) = oneshot::channel();
    actor.do_send(Deliver { input, meta: rig.meta(), reply });
    answer
}

async fn outcome(answer: oneshot::Receiver<Reply>) -> Reply {
    tokio::time::timeout(WAIT, answer).await.expect("an answer in time").unwrap_or(Err(DeliveryError::Lost))
}

/// Hands inputs `bump(1)..=bump(n)` to the actor at once, as records at offsets 1..=n of a
/// partition (so they may be pipelined), and expects each to be applied.
async fn run_from_kafka(rig: &Rig, actor: &Addr<EntityActor<Counter>>, n: i64, bump: impl Fn(i64) -> Bump) {
    let answers: Vec<_> = (1..=n)
        .map(|tag| {
            let (reply, answer) = oneshot::channel();
            actor.do_send(Deliver { input: bump(tag), meta: rig.meta_at(tag), reply });
            answer
        })
        .collect();
    for (tag, answer) in (1..=n).zip(answers) {
        let outcome = outcome(answer).await;
        assert!(matches!(outcome, Ok(Applied::Done)), "input {tag}: {outcome:?}");
    }
}

/// Breaks if a failed attempt's in-memory changes survived into the retry (the count
/// would be 4 and the tag 2 recorded three times), or if the restart did not reload the
/// state from the store (one load only).
#[actix_rt::test]
async fn a_failed_input_is_retried_on_state_reloaded_from_the_store() {
    let rig = Rig::new(3).await;
    let id = uuid::Uuid::new_v4().to_string();
    let actor = start(&rig, &id);
    assert!(matches!(outcome(deliver(&rig, &actor, Bump::ok(1))).await, Ok(Applied::Done)));
    assert_eq!(loads(&id), 1);

    let answer = deliver(&rig, &actor, Bump::failing(2, 2, Failing::Error));
    assert!(matches!(outcome(answer).await, Ok(Applied::Done)), "the third attempt succeeds");
    assert_eq!(rig.stored(&id).await, (2, vec![1, 2]), "each input counted once");
    assert_eq!(loads(&id), 3, "each restart reloaded the committed state");
    assert_eq!(rig.restarts(), 2);
}

/// Breaks if a panic in a handler were not caught at the handler boundary: actix would
/// not restart the actor, and the input would never be answered (or answered `Lost`).
#[actix_rt::test]
async fn a_panicking_handler_restarts_the_actor_like_an_error() {
    let rig = Rig::new(3).await;
    let id = uuid::Uuid::new_v4().to_string();
    let actor = start(&rig, &id);
    assert!(matches!(outcome(deliver(&rig, &actor, Bump::failing(1, 1, Failing::Panic))).await, Ok(Applied::Done)));
    assert!(matches!(outcome(deliver(&rig, &actor, Bump::ok(2))).await, Ok(Applied::Done)), "the restarted actor goes on");
    assert_eq!(rig.stored(&id).await, (2, vec![1, 2]));
    assert_eq!(loads(&id), 2);
}

/// Breaks if a failed input were queued again behind the inputs that arrived after it
/// (the tags would be applied as 3, 1, …), or if an input given up stopped the actor for
/// good (3 and 4 would never be answered).
#[actix_rt::test]
async fn retries_keep_the_order_and_an_input_given_up_does_not_hold_up_the_next() {
    let rig = Rig::new(3).await;
    let id = uuid::Uuid::new_v4().to_string();
    let actor = start(&rig, &id);
    // All four are in the mailbox before the first is handled.
    let answers = [
        deliver(&rig, &actor, Bump::failing(1, 2, Failing::Error)),
        deliver(&rig, &actor, Bump::failing(2, u32::MAX, Failing::Error)),
        deliver(&rig, &actor, Bump::ok(3)),
        deliver(&rig, &actor, Bump::failing(4, 1, Failing::Panic)),
    ];
    let mut outcomes = Vec::new();
    for answer in answers {
        outcomes.push(outcome(answer).await);
    }
    assert!(matches!(outcomes[0], Ok(Applied::Done)), "{:?}", outcomes[0]);
    assert!(matches!(&outcomes[1], Err(DeliveryError::Failed { attempts: 3, .. })), "given up after three attempts: {:?}", outcomes[1]);
    assert!(outcomes[2..].iter().all(|o| matches!(o, Ok(Applied::Done))), "{:?}", &outcomes[2..]);
    assert_eq!(rig.stored(&id).await, (3, vec![1, 3, 4]), "applied in the order delivered, 2 left out");
}

/// A failed commit in the middle of a pipelined run. Breaks if units behind the failed one
/// were committed anyway (computed on its effects: the log would lack 13, and its replay
/// would be skipped as covered by a later position), if a refused unit were not replayed
/// (a tag missing, an input never answered), if one were applied twice (a tag twice), if
/// the replay came out of order, or if nothing was pipelined at all (each unit waiting for
/// the previous one's commit would not test this).
#[actix_rt::test]
async fn a_failed_commit_in_a_pipelined_run_loses_and_doubles_nothing() {
    let rig = Rig::new(3).await;
    let id = uuid::Uuid::new_v4().to_string();
    let actor = start(&rig, &id);
    run_from_kafka(&rig, &actor, 40, |tag| if tag == 13 { Bump::commit_failing(tag, 1) } else { Bump::ok(tag) }).await;
    let tags: Vec<i64> = (1..=40).collect();
    assert_eq!(rig.log(&id).await, tags, "each unit committed once, in order");
    assert_eq!(rig.stored(&id).await, (40, tags));
    assert!(rig.runtime.metrics.pipelined.get() > 0, "units were handed over behind uncommitted ones");
    assert_eq!(rig.restarts(), 1, "one restart, after the failed commit");
}

/// Breaks if an exclusive input were pipelined like the others: it would be handled while
/// earlier units are not durable yet (its read of the committed count would fall short of
/// 9), or the input after it would be handled before its unit is durable.
#[actix_rt::test]
async fn an_exclusive_input_runs_alone_between_durable_units() {
    let rig = Rig::new(3).await;
    let id = uuid::Uuid::new_v4().to_string();
    let actor = start(&rig, &id);
    let (at_exclusive, after_exclusive) = (Arc::new(AtomicI64::new(-1)), Arc::new(AtomicI64::new(-1)));
    run_from_kafka(&rig, &actor, 20, |tag| match tag {
        10 => Bump::ok(tag).exclusive().observing(at_exclusive.clone()),
        11 => Bump::ok(tag).observing(after_exclusive.clone()),
        _ => Bump::ok(tag),
    })
    .await;
    assert_eq!(at_exclusive.load(Ordering::SeqCst), 9, "every earlier unit was durable when the exclusive input was handled");
    assert_eq!(after_exclusive.load(Ordering::SeqCst), 10, "the next input waited until the exclusive unit was durable");
    assert_eq!(rig.log(&id).await, (1..=20).collect::<Vec<i64>>());
    assert!(rig.runtime.metrics.pipelined.get() > 0, "the other inputs were pipelined");
}
