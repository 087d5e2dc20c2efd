//! The bounded shutdown. After SIGTERM the server drains for at most the grace period;
//! a watchdog thread ends the process if even that does not return (a client library
//! blocking on a broker that is gone), and a second signal ends it at once. Nothing is
//! lost by cutting the drain short: unpublished outputs stay in the outbox, and records
//! not yet durable are redelivered to the next owner of their partition.

use std::time::Duration;

/// Extra time after the grace period for the final steps (deregistration) before the
/// watchdog exits the process.
const WATCHDOG_MARGIN: Duration = Duration::from_secs(3);

/// Waits for SIGTERM or SIGINT.
pub async fn signal() {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async { match terminate.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => {}
    }
}

/// Arms the watchdog: the process exits `grace` plus a margin from now, or at a second
/// signal, whichever comes first, unless it ended by itself before.
pub fn arm_watchdog(grace: Duration) {
    let deadline = grace + WATCHDOG_MARGIN;
    let spawned = std::thread::Builder::new().name("shutdown-watchdog".into()).spawn(move || {
        std::thread::sleep(deadline);
        tracing::error!(?deadline, "shutdown did not finish in time: exiting; unpublished outputs stay in the outbox");
        std::process::exit(1);
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
