//! The bounded shutdown. After SIGTERM the server drains for at most the grace period:
//! every step that waits for the broker (the consumers' final commit and group leave)
//! is bounded by the time left of it ([`time_left`]), so the drain returns by itself and
//! the process exits 0. A watchdog thread ends the process with [`WATCHDOG_EXIT`] if even
//! that does not return (a client library blocking somewhere unforeseen), and a second
//! signal ends it at once. Nothing is lost by cutting the drain short: unpublished
//! outputs stay in the outbox, and records not yet durable are redelivered to the next
//! owner of their partition.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Extra time after the grace period for the final steps (deregistration) before the
/// watchdog exits the process.
const WATCHDOG_MARGIN: Duration = Duration::from_secs(3);

/// The exit code of the watchdog, so an operator (and a test) can tell a drain that did
/// not return from one that did (0) and from a failed start (1).
pub const WATCHDOG_EXIT: i32 = 3;

/// When the grace period ends; set once the shutdown begins.
static GRACE_ENDS: OnceLock<Instant> = OnceLock::new();

/// How long a shutdown step may still wait: the time left of the grace period once the
/// shutdown began (zero when it is over), else `otherwise`.
pub fn time_left(otherwise: Duration) -> Duration {
    match GRACE_ENDS.get() {
        Some(ends) => ends.saturating_duration_since(Instant::now()),
        None => otherwise,
    }
}

/// Waits for SIGTERM or SIGINT.
pub async fn signal() {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async { match terminate.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => {}
    }
}

/// Starts the grace period and arms the watchdog: the process exits `grace` plus a margin
/// from now, or at a second signal, whichever comes first, unless it ended by itself
/// before.
pub fn arm_watchdog(grace: Duration) {
    let _ = GRACE_ENDS.set(Instant::now() + grace);
    let deadline = grace + WATCHDOG_MARGIN;
    let spawned = std::thread::Builder::new().name("shutdown-watchdog".into()).spawn(move || {
        std::thread::sleep(deadline);
        tracing::error!(?deadline, "shutdown did not finish in time: exiting; unpublished outputs stay in the outbox");
        std::process::exit(WATCHDOG_EXIT);
    });
    if let Err(error) = spawned {
        tracing::warn!(%error, "no shutdown watchdog");
    }
    // The second signal, on its own runtime: the main one may be the thing that is stuck.
    let _ = std::thread::Builder::new().name("shutdown-second-signal".into()).spawn(|| {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
        runtime.block_on(signal());
        tracing::warn!("second signal: exiting now; unpublished outputs stay in the outbox");
        std::process::exit(1);
    });
}
