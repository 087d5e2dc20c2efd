//! The channel's consumer: its own group per process (00-overview,
//! `CHANNEL_CONSUMER_GROUP_ID`), so every process sees every event and pushes to the
//! sessions connected to it. Like Atlas's channel service it starts at the latest offset:
//! a push is for whoever is connected now. "Latest" is taken as "produced since this
//! consumer started": a new group reads from the earliest offset and skips older records,
//! so a record produced while the group's offsets are still being resolved is not lost.
//!
//! Records are handled one at a time in partition order and an offset is stored only
//! after its pushes were queued. A record that cannot be decoded is logged and skipped
//! here: the state-owning group, which reads the channel topics too, dead-letters it
//! once (a group per process would dead-letter it once per process).

use super::deliver::deliver;
use super::events::{self, HANDLED};
use super::Edge;
use crate::bridge::producer::client_config;
use crate::contracts::decode::Decoded;
use crate::contracts::tenant::Tenant;
use crate::contracts::topics;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, Rebalance, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::{ClientContext, Offset, TopicPartitionList};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::watch;

struct Context {
    assigned: Arc<AtomicBool>,
}

impl ClientContext for Context {}

impl ConsumerContext for Context {
    fn post_rebalance(&self, _: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Assign(_) = rebalance {
            self.assigned.store(true, Ordering::Release);
        }
    }
}

/// Starts consuming the 40 channel topics; `assigned` turns true once they are assigned.
pub fn spawn(edge: Arc<Edge>, bootstrap: &str, group: &str, assigned: Arc<AtomicBool>, mut stop: watch::Receiver<bool>) -> anyhow::Result<()> {
    let consumer: StreamConsumer<Context> = client_config(bootstrap)
        .set("group.id", group)
        .set("enable.auto.commit", "true")
        .set("auto.commit.interval.ms", "1000")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("fetch.wait.max.ms", "5")
        .create_with_context(Context { assigned })?;
    let names: Vec<&str> = HANDLED.iter().map(|(variable, _)| topics::name(variable)).collect();
    consumer.subscribe(&names)?;
    let started = chrono::Utc::now().timestamp_millis();
    actix_rt::spawn(async move {
        loop {
            let message = tokio::select! {
                _ = stop.changed() => break,
                received = consumer.recv() => match received {
                    Ok(message) => message,
                    Err(error) => {
                        tracing::warn!(%error, "channel consumer error");
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                        continue;
                    }
                },
            };
            if message.timestamp().to_millis().is_none_or(|at| at >= started) {
                handle(&edge, message.topic(), message.headers(), message.payload().unwrap_or_default()).await;
            }
            let mut next = TopicPartitionList::new();
            if next.add_partition_offset(message.topic(), message.partition(), Offset::Offset(message.offset() + 1)).is_ok() {
                let _ = consumer.store_offsets(&next);
            }
        }
        tracing::info!("channel consumer stopped");
    });
    Ok(())
}

async fn handle<H: rdkafka::message::Headers>(edge: &Arc<Edge>, topic: &str, headers: Option<&H>, payload: &[u8]) {
    let Some(variable) = HANDLED.iter().map(|(v, _)| *v).find(|v| topics::name(v) == topic) else { return };
    let Some(tenant) = Tenant::from_kafka(headers) else {
        tracing::warn!(topic, "channel record without a tenant skipped");
        edge.services.metrics.unhandled.with_label_values(&[variable, "missing_tenant"]).inc();
        return;
    };
    match events::decode(variable, payload) {
        Ok(Decoded::Message(event)) => deliver(edge, &tenant, event).await,
        Ok(Decoded::Unhandled(kind)) => {
            tracing::debug!(topic, %kind, "channel record of a type not pushed");
        }
        Err(reject) => {
            tracing::warn!(topic, reason = reject.reason(), error = %reject, "channel record not decodable, skipped");
            edge.services.metrics.unhandled.with_label_values(&[variable, reject.reason()]).inc();
        }
    }
}
