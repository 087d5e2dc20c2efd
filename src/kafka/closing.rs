//! A stream consumer that closes without holding up the runtime.

use crate::shutdown;
use rdkafka::consumer::{CommitMode, Consumer, ConsumerContext, StreamConsumer};
use std::ops::Deref;
use std::time::Duration;

/// How long a close outside a shutdown is waited for before it is left to finish alone.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// A stream consumer whose close runs on a thread of its own. Closing commits the stored
/// offsets and leaves the group, and librdkafka waits for the broker to answer both, with
/// no bound when the broker is gone (dropping a consumer loops until it is closed). On
/// the runtime's thread that would stop everything else, the shutdown's own timeouts
/// included; here the close is waited for at most the shutdown's time left. A close cut
/// short loses nothing: uncommitted records are redelivered and skipped by position, and
/// the group notices the silent member after its session timeout.
pub struct Closing<C: ConsumerContext + 'static>(Option<StreamConsumer<C>>);

impl<C: ConsumerContext + 'static> Closing<C> {
    pub fn new(consumer: StreamConsumer<C>) -> Closing<C> {
        Closing(Some(consumer))
    }

    /// Commits, leaves the group and waits for that at most the shutdown's time left.
    pub async fn close(mut self) {
        let Some(consumer) = self.0.take() else { return };
        let (closed, done) = tokio::sync::oneshot::channel();
        close_apart(consumer, move || {
            let _ = closed.send(());
        });
        let wait = shutdown::time_left(CLOSE_TIMEOUT);
        if tokio::time::timeout(wait, done).await.is_err() {
            tracing::warn!(?wait, "the consumer did not close in time (is the broker gone?): left to the group's session timeout");
        }
    }
}

impl<C: ConsumerContext + 'static> Deref for Closing<C> {
    type Target = StreamConsumer<C>;

    fn deref(&self) -> &StreamConsumer<C> {
        // Only `close` and `drop` take the consumer, and both consume the wrapper.
        self.0.as_ref().expect("a consumer until closed")
    }
}

impl<C: ConsumerContext + 'static> Drop for Closing<C> {
    /// Dropped without `close` (its task was dropped): the same close, waited for on this
    /// thread, as briefly.
    fn drop(&mut self) {
        let Some(consumer) = self.0.take() else { return };
        let (closed, done) = std::sync::mpsc::channel();
        close_apart(consumer, move || {
            let _ = closed.send(());
        });
        let _ = done.recv_timeout(shutdown::time_left(CLOSE_TIMEOUT));
    }
}

/// Commits and closes `consumer` on a new thread, then calls `closed`.
fn close_apart<C: ConsumerContext + 'static>(consumer: StreamConsumer<C>, closed: impl FnOnce() + Send + 'static) {
    let spawned = std::thread::Builder::new().name("consumer-close".into()).spawn(move || {
        let _ = consumer.commit_consumer_state(CommitMode::Sync);
        drop(consumer);
        closed();
    });
    if let Err(error) = spawned {
        tracing::warn!(%error, "no thread to close the consumer on: closed in place");
    }
}
