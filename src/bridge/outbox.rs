//! The outbox publisher: one task that publishes committed outputs in commit order and
//! deletes each from the outbox once the broker acknowledged it. At start-up it first
//! publishes whatever an earlier process committed but did not get acknowledged.
//!
//! A crash after the broker acknowledged an output but before its row was deleted would
//! publish it again after the restart. To avoid that, every output carries its row id in
//! a header, and at start-up the publisher reads the tail of the partitions its backlog
//! goes to and drops the rows already there.
//!
//! Several processes may share the database: each publishes only its own rows (see
//! `store::instances`), and adopts the rows of a process that died, with the same check.

use crate::kafka::producer;
use crate::metrics::Metrics;
use crate::store::{OutboxRow, Store, StoreError};
use futures::stream::{FuturesOrdered, StreamExt as _};
use futures::FutureExt as _;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{Headers, Message};
use rdkafka::producer::FutureProducer;
use rdkafka::{Offset, TopicPartitionList};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Most outputs enqueued and not yet acknowledged: past it, committed rows wait (in the
/// publisher's channel, and in the outbox) for acknowledgements.
const MAX_UNACKED: usize = 16_384;

/// Why queuing the backlog or adopting another process's rows failed; the heartbeat tries
/// again, and the rows stay in the outbox meanwhile.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// Reading the outbox, its owners or their heartbeats failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// Deleting rows found already published failed.
    #[error("deleting outbox rows already published: {0}")]
    Delete(#[from] StoreError),
    /// Reading the partitions' tails, to tell which rows were already published, failed.
    #[error("reading the published tail of the outbox's topics: {0}")]
    Tail(#[from] rdkafka::error::KafkaError),
    /// Some partitions' ends were not reached in time.
    #[error("could not read the end of {partitions} partitions to recover the outbox")]
    Unread { partitions: usize },
    /// The blocking task reading the tails panicked or was cancelled.
    #[error("the task reading the outbox's topics failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// A handle to the publisher task. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Publisher {
    tx: mpsc::UnboundedSender<Vec<OutboxRow>>,
    orphans: Arc<Orphans>,
}

/// What adopting another process's rows needs; the lock keeps adoptions whole, so rows
/// adopted by one caller are queued before another caller returns.
#[derive(Debug)]
struct Orphans {
    store: Store,
    bootstrap: String,
    lease: Duration,
    adopting: tokio::sync::Mutex<()>,
}

impl Publisher {
    /// Hands committed outbox rows to the publisher.
    pub fn publish(&self, rows: Vec<OutboxRow>) {
        if !rows.is_empty() {
            // The task only ends with the process; rows are in the outbox regardless.
            let _ = self.tx.send(rows);
        }
    }

    /// Starts the publisher task on the current arbiter, and a heartbeat that keeps this
    /// process's rows its own and adopts those of processes silent for `lease`. Before
    /// returning it queues the backlog: its own rows, rows nobody owns, and rows of
    /// processes that turn out to be dead, so they go out before anything new.
    pub async fn start(
        bootstrap: &str,
        producer: FutureProducer,
        store: Store,
        metrics: Arc<Metrics>,
        lease: Duration,
    ) -> Result<Publisher, OutboxError> {
        let (tx, rx) = mpsc::unbounded_channel();
        let orphans = Orphans { store: store.clone(), bootstrap: bootstrap.to_string(), lease, adopting: Default::default() };
        let publisher = Publisher { tx, orphans: Arc::new(orphans) };
        settle(&store, lease).await?;
        publisher.publish(store.pending_outbox().await?);
        publisher.adopt_orphans().await?;
        actix_rt::spawn(run(rx, producer, store, metrics));
        let beating = publisher.clone();
        actix_rt::spawn(async move {
            let mut tick = tokio::time::interval(heartbeat_interval(lease));
            loop {
                tick.tick().await;
                if let Err(error) = beating.orphans.store.heartbeat().await {
                    tracing::warn!(%error, "outbox heartbeat failed");
                }
                if let Err(error) = beating.adopt_orphans().await {
                    tracing::warn!(%error, "adopting outbox rows failed");
                }
            }
        });
        Ok(publisher)
    }

    /// Takes over the unpublished rows of dead processes and queues those the broker does
    /// not have yet. Called periodically and when partitions move to this process.
    pub async fn adopt_orphans(&self) -> Result<(), OutboxError> {
        let orphans = &self.orphans;
        let _whole = orphans.adopting.lock().await;
        let adopted = orphans.store.adopt_outbox(orphans.lease).await?;
        if adopted.is_empty() {
            return Ok(());
        }
        let topics: HashSet<String> = adopted.iter().map(|row| row.output.topic.clone()).collect();
        let bootstrap = orphans.bootstrap.clone();
        let published = tokio::task::spawn_blocking(move || already_published(&bootstrap, &topics)).await??;
        let (done, pending): (Vec<_>, Vec<_>) = adopted.into_iter().partition(|row| published.contains(&row.id));
        let done: Vec<i64> = done.iter().map(|row| row.id).collect();
        orphans.store.delete_outbox(&done).await?;
        tracing::info!(pending = pending.len(), already_published = done.len(), "publishing adopted outbox rows");
        self.publish(pending);
        Ok(())
    }
}

impl crate::actors::Publish for Publisher {
    fn publish(&self, rows: Vec<OutboxRow>) {
        Publisher::publish(self, rows);
    }
}

fn heartbeat_interval(lease: Duration) -> Duration {
    (lease / 5).max(Duration::from_millis(100))
}

/// Waits until every other process holding unpublished rows has either shown a heartbeat
/// (it is alive and publishes them itself) or been silent for the lease (its rows are
/// adopted next). This keeps a restarted process from publishing new outputs before the
/// ones its killed predecessor committed.
async fn settle(store: &Store, lease: Duration) -> sqlx::Result<()> {
    let beat = heartbeat_interval(lease);
    let deadline = Instant::now() + lease + 2 * beat;
    let mut first_seen: HashMap<String, Option<i64>> = HashMap::new();
    loop {
        let cutoff = chrono::Utc::now().timestamp_millis() - lease.as_millis() as i64;
        let mut undecided = 0;
        for owner in store.other_outbox_owners().await? {
            let last = store.last_heartbeat(&owner).await?;
            let first = *first_seen.entry(owner).or_insert(last);
            let silent_for_lease = last.is_none_or(|at| at < cutoff);
            if !silent_for_lease && last == first {
                undecided += 1;
            }
        }
        if undecided == 0 || Instant::now() >= deadline {
            return Ok(());
        }
        tracing::info!(processes = undecided, "waiting to learn whether earlier processes are alive");
        tokio::time::sleep(beat).await;
    }
}

/// Publishes committed rows in the order handed over: each is enqueued on the producer as
/// soon as it arrives (the idempotent producer keeps that order per partition) while the
/// acknowledgements of earlier ones are still awaited, so no row waits for another round's
/// round trip. Acknowledged rows are deleted in the committer's next transaction. Rows the
/// broker refused are enqueued again, in their order, once everything in flight is settled.
async fn run(mut rx: mpsc::UnboundedReceiver<Vec<OutboxRow>>, producer: FutureProducer, store: Store, metrics: Arc<Metrics>) {
    let mut in_flight = FuturesOrdered::new();
    let mut refused: Vec<OutboxRow> = Vec::new();
    let mut acked: Vec<i64> = Vec::new();
    let mut open = true;
    loop {
        if in_flight.is_empty() && !refused.is_empty() {
            tokio::time::sleep(Duration::from_millis(500)).await;
            for row in std::mem::take(&mut refused) {
                enqueue(&producer, row, &mut in_flight, &mut refused);
            }
            continue;
        }
        if in_flight.is_empty() && !open {
            return;
        }
        tokio::select! {
            biased;
            Some(settled) = in_flight.next(), if !in_flight.is_empty() => {
                let mut settled = Some(settled);
                // Everything already acknowledged goes into one deletion.
                while let Some((row, result)) = settled.take() {
                    match result {
                        Ok(()) => {
                            metrics.records_out.with_label_values(&[&row.output.topic]).inc();
                            acked.push(row.id);
                        }
                        Err(error) => {
                            tracing::warn!(topic = %row.output.topic, %error, "publishing an outbox row failed; will retry");
                            refused.push(row);
                        }
                    }
                    settled = in_flight.next().now_or_never().flatten();
                }
                forget(&store, std::mem::take(&mut acked));
            }
            received = rx.recv(), if open && refused.is_empty() && in_flight.len() < MAX_UNACKED => match received {
                Some(rows) => {
                    for row in rows {
                        enqueue(&producer, row, &mut in_flight, &mut refused);
                    }
                }
                None => open = false,
            },
        }
    }
}

/// An enqueued row and its acknowledgement.
type Acknowledgement = Pin<Box<dyn Future<Output = (OutboxRow, Result<(), KafkaError>)>>>;

/// Enqueues a row now (see [`producer::enqueue`]); a row the producer cannot take is
/// refused and retried.
fn enqueue(producer: &FutureProducer, row: OutboxRow, in_flight: &mut FuturesOrdered<Acknowledgement>, refused: &mut Vec<OutboxRow>) {
    match producer::enqueue(producer, &row.output, Some(row.id)) {
        Ok(delivery) => {
            let span = crate::telemetry::child_span("publish", &row.output.trace);
            in_flight.push_back(Box::pin(tracing::Instrument::instrument(
                async move {
                    let result = producer::delivered(delivery).await;
                    (row, result)
                },
                span,
            )));
        }
        Err(error) => {
            tracing::warn!(topic = %row.output.topic, %error, "enqueueing an outbox row failed; will retry");
            refused.push(row);
        }
    }
}

/// Deletes acknowledged rows; it rides on the committer's next transaction, and publishing
/// does not wait for it.
fn forget(store: &Store, acked: Vec<i64>) {
    if acked.is_empty() {
        return;
    }
    let deleting = store.clone();
    actix_rt::spawn(async move {
        while let Err(error) = deleting.delete_outbox(&acked).await {
            tracing::warn!(%error, "deleting published outbox rows failed; retrying");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
}

/// How far back from the end of a partition to look for outputs published before a crash:
/// every row in flight can be acknowledged and not yet deleted.
const TAIL: i64 = 2 * MAX_UNACKED as i64;

/// The outbox ids found in the last [`TAIL`] records of every partition of `topics`.
fn already_published(bootstrap: &str, topics: &HashSet<String>) -> Result<HashSet<i64>, OutboxError> {
    let consumer: BaseConsumer = producer::client_config(bootstrap)
        .set("group.id", "atlas-actors-outbox-recovery")
        .set("enable.auto.commit", "false")
        .set("fetch.wait.max.ms", "5")
        .create()?;
    let timeout = Duration::from_secs(10);
    let mut assignment = TopicPartitionList::new();
    let mut ends = Vec::new();
    for topic in topics {
        let metadata = consumer.fetch_metadata(Some(topic), timeout)?;
        for partition in metadata.topics().iter().flat_map(|t| t.partitions()) {
            let (low, high) = consumer.fetch_watermarks(topic, partition.id(), timeout)?;
            if high > low {
                assignment.add_partition_offset(topic, partition.id(), Offset::Offset(low.max(high - TAIL)))?;
                ends.push((topic.clone(), partition.id(), high));
            }
        }
    }
    let mut ids = HashSet::new();
    if ends.is_empty() {
        return Ok(ids);
    }
    consumer.assign(&assignment)?;
    let mut remaining: HashSet<(String, i32)> = ends.iter().map(|(t, p, _)| (t.clone(), *p)).collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !remaining.is_empty() && Instant::now() < deadline {
        let Some(message) = consumer.poll(Duration::from_millis(100)) else { continue };
        let message = message?;
        let id: Option<i64> = message
            .headers()
            .and_then(|h| h.iter().find(|h| h.key == producer::OUTBOX_ID))
            .and_then(|h| std::str::from_utf8(h.value?).ok()?.parse().ok());
        ids.extend(id);
        let end = ends.iter().find(|(t, p, _)| t == message.topic() && *p == message.partition()).map(|e| e.2);
        if end.is_some_and(|end| message.offset() + 1 >= end) {
            remaining.remove(&(message.topic().to_string(), message.partition()));
        }
    }
    if !remaining.is_empty() {
        return Err(OutboxError::Unread { partitions: remaining.len() });
    }
    Ok(ids)
}
