//! The outbox publisher: one task that publishes committed outputs in commit order and
//! deletes each from the outbox once the broker acknowledged it. At start-up it first
//! publishes whatever an earlier process committed but did not get acknowledged.
//!
//! Delivery is at least once: a crash after the acknowledgement but before the delete
//! republishes that output once after the restart.

use super::producer;
use crate::metrics::Metrics;
use crate::store::{OutboxRow, Store};
use rdkafka::producer::FutureProducer;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Most outputs published in one round before their acknowledgements are awaited.
const ROUND: usize = 4096;

/// A handle to the publisher task. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Publisher {
    tx: mpsc::UnboundedSender<Vec<OutboxRow>>,
}

impl Publisher {
    /// Hands committed outbox rows to the publisher.
    pub fn publish(&self, rows: Vec<OutboxRow>) {
        if !rows.is_empty() {
            // The task only ends with the process; rows are in the outbox regardless.
            let _ = self.tx.send(rows);
        }
    }

    /// Starts the publisher task on the current arbiter, after queueing the outbox backlog.
    pub async fn start(producer: FutureProducer, store: Store, metrics: Arc<Metrics>) -> anyhow::Result<Publisher> {
        let (tx, rx) = mpsc::unbounded_channel();
        let publisher = Publisher { tx };
        let backlog = store.pending_outbox().await?;
        if !backlog.is_empty() {
            tracing::info!(rows = backlog.len(), "publishing outbox backlog");
        }
        publisher.publish(backlog);
        actix_rt::spawn(run(rx, producer, store, metrics));
        Ok(publisher)
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
        let sends = pending.iter().map(|row| producer::send(producer, &row.output));
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
        while let Err(error) = store.delete_outbox(&acked).await {
            tracing::warn!(%error, "deleting published outbox rows failed; retrying");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        if failed.is_empty() {
            return;
        }
        pending = failed;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
