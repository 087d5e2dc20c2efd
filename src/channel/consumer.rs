//! The channel's consumer: its own group per process (00-overview,
//! `CHANNEL_CONSUMER_GROUP_ID`), so every process sees every event and pushes to the
//! sessions connected to it. Like Atlas's channel service it starts at the latest offset:
//! a push is for whoever is connected now. "Latest" is taken as "produced since this
//! consumer started": a new group reads from the earliest offset and skips older records,
//! so a record produced while the group's offsets are still being resolved is not lost.
//!
//! Records are handled in lanes by subject (a map, a character), each lane in partition
//! order, and a partition's offset is stored only once every record before it has its
//! pushes queued. When `CHANNEL_CONSUMER_MAX_IN_FLIGHT` records wait in the lanes, the
//! partitions are paused until half of them are handled. A record that cannot be decoded is logged and skipped
//! here: the state-owning group, which reads the channel topics too, dead-letters it
//! once (a group per process would dead-letter it once per process).

use super::deliver::deliver;
use super::events::{self, ChannelEvent, HANDLED};
use super::Edge;
use crate::contracts::decode::Decoded;
use crate::contracts::tenant::Tenant;
use crate::kafka::closing::Closing;
use crate::kafka::producer::client_config;
use crate::kafka::tracker::{Ticket, Tracker};
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, Rebalance, StreamConsumer};
use rdkafka::error::KafkaResult;
use rdkafka::message::Message;
use rdkafka::{ClientContext, Offset, TopicPartitionList};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

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

/// Lanes handling records in parallel; a record's lane follows its subject (map or
/// character), so one subject's records keep their order and a slow look-up for one does
/// not hold up the others.
const LANES: usize = 8;

/// A decoded record on its way to a lane.
struct Work {
    ticket: Ticket,
    tenant: Tenant,
    event: ChannelEvent,
}

/// Starts consuming the 40 channel topics; `assigned` turns true once they are assigned.
///
/// # Errors
/// The consumer could not be created or subscribed.
pub fn spawn(edge: Arc<Edge>, bootstrap: &str, group: &str, assigned: Arc<AtomicBool>, mut stop: watch::Receiver<bool>) -> KafkaResult<()> {
    let consumer: StreamConsumer<Context> = client_config(bootstrap)
        .set("group.id", group)
        .set("enable.auto.commit", "true")
        .set("auto.commit.interval.ms", "1000")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("fetch.wait.max.ms", "5")
        .create_with_context(Context { assigned })?;
    let consumer = Closing::new(consumer);
    let names: Vec<&str> = HANDLED.iter().map(|(variable, _)| edge.settings.topics.name(variable)).collect();
    consumer.subscribe(&names)?;
    let started = chrono::Utc::now().timestamp_millis();
    let (done, mut finished) = mpsc::unbounded_channel::<Ticket>();
    let lanes: Vec<mpsc::UnboundedSender<Work>> = (0..LANES)
        .map(|_| {
            let (tx, mut rx) = mpsc::unbounded_channel::<Work>();
            let (edge, done) = (edge.clone(), done.clone());
            actix_rt::spawn(async move {
                while let Some(work) = rx.recv().await {
                    deliver(&edge, &work.tenant, work.event).await;
                    let _ = done.send(work.ticket);
                }
            });
            tx
        })
        .collect();
    let max_in_flight = edge.settings.bounds.channel_consumer_max_in_flight.max(1);
    actix_rt::spawn(async move {
        let mut tracker = Tracker::default();
        let mut backlog = Backlog::new(max_in_flight);
        let gauge = edge.services.metrics.channel_in_flight.clone();
        loop {
            let message = tokio::select! {
                _ = stop.changed() => break,
                Some(ticket) = finished.recv() => {
                    store(&consumer, &mut tracker, &ticket);
                    if backlog.done() == Flow::Resume {
                        resume(&consumer);
                    }
                    gauge.set(backlog.in_flight as i64);
                    continue;
                }
                received = consumer.recv() => match received {
                    Ok(message) => message,
                    Err(error) => {
                        tracing::warn!(%error, "channel consumer error");
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                        continue;
                    }
                },
            };
            let ticket = tracker.begin(message.topic(), message.partition(), message.offset());
            let fresh = message.timestamp().to_millis().is_none_or(|at| at >= started);
            let work = match fresh {
                true => decode(&edge, message.topic(), message.headers(), message.payload().unwrap_or_default()),
                false => None,
            };
            match work {
                Some((tenant, event)) => {
                    let lane = subject(&event) as usize % LANES;
                    let _ = lanes[lane].send(Work { ticket, tenant, event });
                    if backlog.queued() == Flow::Pause {
                        pause(&consumer, max_in_flight);
                    }
                    gauge.set(backlog.in_flight as i64);
                }
                None => store(&consumer, &mut tracker, &ticket),
            }
        }
        tracing::info!("channel consumer stopped");
        consumer.close().await;
    });
    Ok(())
}

/// Whether reading should pause or resume after a change of the backlog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Pause,
    Resume,
    Same,
}

/// Records handed to the lanes and not yet handled. At the bound the partitions are
/// paused (a slow foreign service must not let the lanes buffer without limit); they
/// resume once half of it is handled.
#[derive(Debug)]
struct Backlog {
    in_flight: usize,
    max: usize,
    paused: bool,
}

impl Backlog {
    fn new(max: usize) -> Backlog {
        Backlog { in_flight: 0, max, paused: false }
    }

    /// One more record in a lane. Pauses again at or over the bound even when already
    /// paused: partitions assigned since the pause are not paused yet.
    fn queued(&mut self) -> Flow {
        self.in_flight += 1;
        if self.in_flight >= self.max {
            self.paused = true;
            return Flow::Pause;
        }
        Flow::Same
    }

    fn done(&mut self) -> Flow {
        self.in_flight = self.in_flight.saturating_sub(1);
        if self.paused && self.in_flight <= self.max / 2 {
            self.paused = false;
            return Flow::Resume;
        }
        Flow::Same
    }
}

fn pause(consumer: &StreamConsumer<Context>, max: usize) {
    match consumer.assignment().and_then(|assigned| consumer.pause(&assigned)) {
        Ok(()) => tracing::debug!(max, "channel lanes full: partitions paused"),
        Err(error) => tracing::warn!(%error, "pausing the channel partitions failed"),
    }
}

fn resume(consumer: &StreamConsumer<Context>) {
    match consumer.assignment().and_then(|assigned| consumer.resume(&assigned)) {
        Ok(()) => tracing::debug!("channel lanes drained: partitions resumed"),
        Err(error) => tracing::warn!(%error, "resuming the channel partitions failed"),
    }
}

/// Stores the partition's offset once every record before it was handled.
fn store(consumer: &StreamConsumer<Context>, tracker: &mut Tracker, ticket: &Ticket) {
    if let Some(next) = tracker.complete(ticket) {
        let mut list = TopicPartitionList::new();
        if list.add_partition_offset(&ticket.topic, ticket.partition, Offset::Offset(next)).is_ok() {
            let _ = consumer.store_offsets(&list);
        }
    }
}

/// What a record is about: its map for map-wide records, its messenger for a room's,
/// else its character (or session, or account), so that membership changes and
/// broadcasts of one map or room, and one character's updates, stay in order.
fn subject(event: &ChannelEvent) -> u64 {
    match event {
        ChannelEvent::Account(status) => u64::from(status.account_id),
        ChannelEvent::StatusRequest => 0,
        ChannelEvent::Update(update) => u64::from(update.subject()),
        ChannelEvent::Later(update) => u64::from(update.subject()),
        ChannelEvent::First(record) => record.subject(),
    }
}

/// The tenant and decoded event of a record this edge pushes, if it is one.
fn decode<H: rdkafka::message::Headers>(edge: &Edge, topic: &str, headers: Option<&H>, payload: &[u8]) -> Option<(Tenant, ChannelEvent)> {
    let variable = HANDLED.iter().map(|(v, _)| *v).find(|v| edge.settings.topics.name(v) == topic)?;
    let Some(tenant) = Tenant::from_kafka(headers) else {
        tracing::warn!(topic, "channel record without a tenant skipped");
        edge.services.metrics.unhandled.with_label_values(&[variable, "missing_tenant"]).inc();
        return None;
    };
    match events::decode(variable, payload) {
        Ok(Decoded::Message(event)) => Some((tenant, event)),
        Ok(Decoded::Unhandled(kind)) => {
            tracing::debug!(topic, %kind, "channel record of a type not pushed");
            None
        }
        Err(reject) => {
            tracing::warn!(topic, reason = reject.reason(), error = %reject, "channel record not decodable, skipped");
            edge.services.metrics.unhandled.with_label_values(&[variable, reject.reason()]).inc();
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backlog_pauses_at_its_bound_and_resumes_at_half() {
        let mut backlog = Backlog::new(4);
        assert_eq!((0..3).map(|_| backlog.queued()).collect::<Vec<_>>(), [Flow::Same; 3]);
        assert_eq!(backlog.queued(), Flow::Pause);
        assert_eq!(backlog.queued(), Flow::Pause, "records of newly assigned partitions pause again");
        assert_eq!(backlog.done(), Flow::Same);
        assert_eq!(backlog.done(), Flow::Same);
        assert_eq!(backlog.done(), Flow::Resume, "at half the bound");
        assert_eq!(backlog.done(), Flow::Same);
    }
}
