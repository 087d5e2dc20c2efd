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
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::producer::FutureProducer;
use rdkafka::{Offset, TopicPartitionList};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Most outputs published in one round before their acknowledgements are awaited.
const ROUND: usize = 4096;

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

async fn run(mut rx: mpsc::UnboundedReceiver<Vec<OutboxRow>>, producer: FutureProducer, store: Store, metrics: Arc<Metrics>) {
    while let Some(mut round) = rx.recv().await {
        while round.len() < ROUND {
            match rx.try_recv() {
                Ok(more) => round.extend(more),
                Err(_) => break,
            }
        }
        publish_round(round, &producer, &store, &metrics).await;
    }
}

/// Publishes a round in order (the futures enqueue in order on their first poll, and the
/// idempotent producer keeps that order per partition), retrying what failed.
async fn publish_round(mut pending: Vec<OutboxRow>, producer: &FutureProducer, store: &Store, metrics: &Metrics) {
    loop {
        let sends = pending.iter().map(|row| {
            let span = crate::telemetry::child_span("publish", &row.output.trace);
            tracing::Instrument::instrument(producer::send(producer, &row.output, Some(row.id)), span)
        });
        let results = futures::future::join_all(sends).await;
        let mut acked = Vec::with_capacity(pending.len());
        let mut failed = Vec::new();
        for (row, result) in pending.into_iter().zip(results) {
            match result {
                Ok(()) => {
                    metrics.records_out.with_label_values(&[&row.output.topic]).inc();
                    acked.push(row.id);
                }
                Err(error) => {
                    tracing::warn!(topic = %row.output.topic, %error, "publishing an outbox row failed; will retry");
                    failed.push(row);
                }
            }
        }
        // Deleting rides on the committer's next transaction; the next round need not wait.
        let deleting = store.clone();
        actix_rt::spawn(async move {
            while let Err(error) = deleting.delete_outbox(&acked).await {
                tracing::warn!(%error, "deleting published outbox rows failed; retrying");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
        if failed.is_empty() {
            return;
        }
        pending = failed;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// How far back from the end of a partition to look for outputs published before a crash:
/// more than one round can be acknowledged and not yet deleted.
const TAIL: i64 = 4 * ROUND as i64;

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
