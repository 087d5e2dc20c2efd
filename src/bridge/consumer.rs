//! The consumer loop: one group over every consumed topic.
//!
//! Per record: (1) read the tenant, (2) decode and route, (3) enqueue to the owning actor,
//! (4) once its effects are durable (or it is dead-lettered), mark it complete; the
//! partition's offset is stored for the next auto-commit only when every earlier record of
//! the partition is complete. This is at-least-once delivery; the actors' stored
//! positions turn redeliveries into no-ops. Records of one entity are enqueued in
//! partition order and the actor handles them one at a time.

use super::dead_letter::{DeadLetters, Refusal};
use super::router::{Dispatch, Routed, Router};
use crate::actors::supervised::DeliveryError;
use crate::actors::Meta;
use crate::contracts::tenant::Tenant;
use crate::kafka::closing::Closing;
use crate::kafka::producer::client_config;
use crate::kafka::tracker::{Ticket, Tracker};
use crate::metrics::Metrics;
use crate::shutdown;
use crate::store::Position;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance, StreamConsumer};
use rdkafka::error::KafkaResult;
use rdkafka::message::{Headers, Message, OwnedMessage};
use rdkafka::{ClientContext, Offset, TopicPartitionList};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// Records in flight (consumed, not yet durable) before reading pauses.
const MAX_IN_FLIGHT: usize = 20_000;

/// How long records in flight at the stop may take to become durable (less when the
/// shutdown's grace period has less left).
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Rebalance notifications from the client's callbacks to the loop.
#[derive(Debug)]
enum Assignment {
    Revoked(Vec<(String, i32)>),
    Assigned,
}

pub struct Context {
    assigned: Arc<AtomicBool>,
    events: mpsc::UnboundedSender<Assignment>,
}

impl ClientContext for Context {}

impl ConsumerContext for Context {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(list) = rebalance {
            // Commit what is durable before the partitions move; records still in flight
            // are redelivered to the new owner, whose actors skip what was applied.
            let _ = consumer.commit_consumer_state(CommitMode::Sync);
            let revoked = list.elements().iter().map(|e| (e.topic().to_string(), e.partition())).collect();
            let _ = self.events.send(Assignment::Revoked(revoked));
        }
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Assign(_) = rebalance {
            self.assigned.store(true, Ordering::Release);
            let _ = self.events.send(Assignment::Assigned);
        }
    }
}

/// Settings of the consumer loop.
#[derive(Debug, Clone)]
pub struct Settings {
    pub bootstrap: String,
    pub group: String,
    pub session_timeout: Duration,
    /// Static membership (`group.instance.id`), if any.
    pub instance_id: Option<String>,
}

pub struct ConsumerLoop {
    consumer: Closing<Context>,
    events: mpsc::UnboundedReceiver<Assignment>,
    router: Arc<Router>,
    dead_letters: DeadLetters,
    metrics: Arc<Metrics>,
    on_assigned: Option<AssignedHook>,
}

/// Runs when partitions were assigned, before their records are consumed.
pub type AssignedHook = Box<dyn Fn() -> futures::future::LocalBoxFuture<'static, ()>>;

impl ConsumerLoop {
    /// Creates the consumer and subscribes to the router's topics. `assigned` turns true
    /// once the group gave this process its partitions.
    pub fn new(
        settings: &Settings,
        router: Arc<Router>,
        dead_letters: DeadLetters,
        metrics: Arc<Metrics>,
        assigned: Arc<AtomicBool>,
    ) -> KafkaResult<ConsumerLoop> {
        let (tx, events) = mpsc::unbounded_channel();
        let mut config = client_config(&settings.bootstrap);
        if let Some(instance) = &settings.instance_id {
            config.set("group.instance.id", instance);
        }
        let consumer: StreamConsumer<Context> = config
            .set("group.id", &settings.group)
            .set("enable.auto.commit", "true")
            .set("auto.commit.interval.ms", "500")
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest")
            // The embedded broker answers fetches only when this expires (see NOTES).
            .set("fetch.wait.max.ms", "5")
            .set("session.timeout.ms", settings.session_timeout.as_millis().to_string())
            .set("heartbeat.interval.ms", (settings.session_timeout / 3).min(Duration::from_secs(1)).as_millis().to_string())
            .create_with_context(Context { assigned, events: tx })?;
        consumer.subscribe(&router.topics())?;
        let consumer = Closing::new(consumer);
        Ok(ConsumerLoop { consumer, events, router, dead_letters, metrics, on_assigned: None })
    }

    /// Sets what runs after each assignment, before the assigned partitions are consumed.
    pub fn on_assigned(mut self, hook: AssignedHook) -> ConsumerLoop {
        self.on_assigned = Some(hook);
        self
    }

    /// Runs until `shutdown` turns true, then drains what is in flight and commits.
    pub async fn run(mut self, mut shutdown: watch::Receiver<bool>) {
        let mut tracker = Tracker::default();
        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Ticket>();
        loop {
            while let Ok(event) = self.events.try_recv() {
                match event {
                    Assignment::Revoked(partitions) => {
                        for (topic, partition) in partitions {
                            tracker.revoke(&topic, partition);
                        }
                    }
                    Assignment::Assigned => {
                        if let Some(hook) = &self.on_assigned {
                            hook().await;
                        }
                    }
                }
            }
            self.metrics.in_flight.set(tracker.in_flight() as i64);
            tokio::select! {
                biased;
                _ = shutdown.changed() => break,
                Some(ticket) = done_rx.recv() => self.complete(&mut tracker, &ticket),
                received = self.consumer.recv(), if tracker.in_flight() < MAX_IN_FLIGHT => match received {
                    Ok(message) => {
                        let message = message.detach();
                        let ticket = tracker.begin(message.topic(), message.partition(), message.offset());
                        self.accept(message, ticket, done_tx.clone());
                    }
                    Err(error) => {
                        tracing::warn!(%error, "consumer error");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                },
            }
        }
        // Drain: give in-flight records a bounded time to become durable, then commit.
        let deadline = tokio::time::Instant::now() + shutdown::time_left(DRAIN_TIMEOUT).min(DRAIN_TIMEOUT);
        while tracker.in_flight() > 0 {
            match tokio::time::timeout_at(deadline, done_rx.recv()).await {
                Ok(Some(ticket)) => self.complete(&mut tracker, &ticket),
                _ => break,
            }
        }
        tracing::info!(left_in_flight = tracker.in_flight(), "consumer stopped");
        self.consumer.close().await;
    }

    fn complete(&self, tracker: &mut Tracker, ticket: &Ticket) {
        if let Some(next) = tracker.complete(ticket) {
            let mut list = TopicPartitionList::new();
            if list.add_partition_offset(&ticket.topic, ticket.partition, Offset::Offset(next)).is_ok() {
                // Fails only for a partition no longer assigned: its new owner takes over.
                let _ = self.consumer.store_offsets(&list);
            }
        }
    }

    /// Steps 1–3 for one record; step 4 runs in a task that reports on `done`.
    fn accept(&self, message: OwnedMessage, ticket: Ticket, done: mpsc::UnboundedSender<Ticket>) {
        let topic = message.topic().to_string();
        self.metrics.records_in.with_label_values(&[&topic]).inc();
        if let Some(header) = Tenant::duplicated_in_kafka(message.headers()) {
            let refusal = Refusal { reason: "duplicate_tenant_header", error: format!("{header} present more than once") };
            return self.refuse(message, refusal, ticket, done);
        }
        let Some(tenant) = Tenant::from_kafka(message.headers()) else {
            let refusal = Refusal { reason: "missing_tenant", error: "no parseable TENANT_ID header".into() };
            return self.refuse(message, refusal, ticket, done);
        };
        let routed = self.router.route(&topic, message.payload().unwrap_or_default());
        let dispatch = match routed {
            Err(reject) => {
                let refusal = Refusal { reason: reject.reason(), error: reject.to_string() };
                return self.refuse(message, refusal, ticket, done);
            }
            Ok(Routed::Unhandled(kind)) => {
                tracing::debug!(%topic, %kind, "record of an unhandled type skipped");
                self.metrics.unhandled.with_label_values(&[&topic, &kind]).inc();
                let _ = done.send(ticket);
                return;
            }
            Ok(Routed::Dispatch(dispatch)) => dispatch,
        };
        let (span, trace) = crate::telemetry::consume_span(
            &topic,
            message.partition(),
            message.offset(),
            &tenant,
            message.payload().unwrap_or_default(),
            || dispatch.iter().map(Dispatch::entity).collect::<Vec<_>>().join(","),
            trace_headers(&message),
        );
        let meta = Meta {
            tenant,
            position: Some(Position { topic: topic.clone(), partition: message.partition(), offset: message.offset() }),
            trace,
        };
        let outcome = self.router.dispatch(dispatch, meta);
        let dead_letters = self.dead_letters.clone();
        let metrics = self.metrics.clone();
        actix_rt::spawn(tracing::Instrument::instrument(
            async move {
                match outcome.await {
                    Ok(_) => {}
                    Err(error @ (DeliveryError::Failed { .. } | DeliveryError::Lost)) => {
                        metrics.dead_letters.with_label_values(&[&topic, "handler_failed"]).inc();
                        let refusal = Refusal { reason: "handler_failed", error: error.to_string() };
                        dead_letters.send(&message, &refusal).await;
                    }
                }
                let _ = done.send(ticket);
            },
            span,
        ));
    }
}

impl ConsumerLoop {
    /// Dead-letters a record, completing it once the dead letter is acknowledged.
    fn refuse(&self, message: OwnedMessage, refusal: Refusal, ticket: Ticket, done: mpsc::UnboundedSender<Ticket>) {
        self.metrics.dead_letters.with_label_values(&[message.topic(), refusal.reason]).inc();
        let dead_letters = self.dead_letters.clone();
        actix_rt::spawn(async move {
            dead_letters.send(&message, &refusal).await;
            let _ = done.send(ticket);
        });
    }
}

/// The record's trace context and environment, to be carried to what it causes.
fn trace_headers(message: &OwnedMessage) -> Vec<(String, String)> {
    let Some(headers) = message.headers() else { return Vec::new() };
    crate::carried::pick(headers.iter().filter_map(|h| Some((h.key, h.value?))))
}
