//! Fault injection for the reliability tests, compiled only with the cargo feature `chaos`
//! (the tests enable it; a plain build has no fault path) and set through environment
//! variables:
//!
//! - `ATLAS_CHAOS_PANIC_BEFORE_COMMIT=N`: every Nth handled input panics before its commit.
//! - `ATLAS_CHAOS_PANIC_AFTER_COMMIT=N`: every Nth handled input panics after its commit,
//!   before the bridge hears of it (the retry must find it already applied).
//!
//! Panics strike first attempts only: they model a crash mid-message, which the retry
//! recovers from; a record whose handling always fails is `ATLAS_CHAOS_FAILING_ENTITY`.
//! - `ATLAS_CHAOS_ABORT_AFTER_COMMIT=N`: the process aborts right after the Nth commit,
//!   before publishing its outputs (as a SIGKILL would).
//! - `ATLAS_CHAOS_FAILING_ENTITY=ID`: every input of the entity with that id fails (a
//!   poison record whose handling always fails).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::LazyLock;

#[derive(Debug, Default)]
struct Faults {
    panic_before: u64,
    panic_after: u64,
    abort_after: u64,
    failing_entity: Option<String>,
    handled: AtomicU64,
    committed: AtomicU64,
}

static FAULTS: LazyLock<Faults> = LazyLock::new(|| {
    let read = |name: &str| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    Faults {
        panic_before: read("ATLAS_CHAOS_PANIC_BEFORE_COMMIT"),
        panic_after: read("ATLAS_CHAOS_PANIC_AFTER_COMMIT"),
        abort_after: read("ATLAS_CHAOS_ABORT_AFTER_COMMIT"),
        failing_entity: std::env::var("ATLAS_CHAOS_FAILING_ENTITY").ok(),
        ..Default::default()
    }
});

/// Where in the handling of one input a fault may strike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    BeforeCommit,
    AfterCommit,
}

/// Called by the entity harness at each point of an input's first attempt; strikes when
/// configured.
pub fn strike(point: Point, ordinal: u64, first_attempt: bool) {
    let f = &*FAULTS;
    if !first_attempt {
        return;
    }
    let every = match point {
        Point::BeforeCommit => f.panic_before,
        Point::AfterCommit => f.panic_after,
    };
    if every > 0 && ordinal.is_multiple_of(every) {
        panic!("chaos: injected panic {point:?} (input {ordinal})");
    }
}

/// Numbers one handled input (1, 2, ...), for [`strike`].
pub fn next_input() -> u64 {
    FAULTS.handled.fetch_add(1, Ordering::Relaxed) + 1
}

/// Called after each durable commit, before its outputs are published.
pub fn committed() {
    let f = &*FAULTS;
    if f.abort_after > 0 && f.committed.fetch_add(1, Ordering::Relaxed) + 1 == f.abort_after {
        eprintln!("chaos: aborting after commit {}", f.abort_after);
        std::process::abort();
    }
}

/// The injected failure of every input of the configured failing entity.
#[derive(Debug, Clone, thiserror::Error)]
#[error("chaos: entity {0} always fails")]
pub struct Injected(pub String);

/// An error for every input of the configured failing entity.
pub fn fail_entity(id: &str) -> Result<(), Injected> {
    match &FAULTS.failing_entity {
        Some(failing) if failing == id => Err(Injected(id.to_string())),
        _ => Ok(()),
    }
}
