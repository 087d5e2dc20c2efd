//! Prometheus metrics served at `/metrics`.

use prometheus::{Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder};

#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    pub records_in: IntCounterVec,
    pub records_out: IntCounterVec,
    pub dead_letters: IntCounterVec,
    /// Well-formed records of a type none of our domains handles on that topic.
    pub unhandled: IntCounterVec,
    pub actors_started: IntCounterVec,
    pub actor_restarts: IntCounterVec,
    pub live_actors: IntGaugeVec,
    /// Records consumed whose effects are not yet durable (summed mailbox depth).
    pub in_flight: IntGauge,
    /// Channel records consumed whose pushes are not yet queued (the channel consumer
    /// pauses its partitions at `CHANNEL_CONSUMER_MAX_IN_FLIGHT`).
    pub channel_in_flight: IntGauge,
    pub redeliveries_skipped: IntCounter,
    /// Units handed to the committer while an earlier unit of the same entity was not yet
    /// durable (write-behind pipelining at work).
    pub pipelined: IntCounter,
    pub handler_seconds: Histogram,
    /// Client sessions of this process's channel edge.
    pub channel_sessions: IntGauge,
    /// Records on the consumed topics not yet committed by the consumer group.
    pub consumer_lag: IntGauge,
    /// Outbox rows (outputs committed, not yet acknowledged by the broker), all processes.
    pub outbox_backlog: IntGauge,
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let counter = |name: &str, help: &str, labels: &[&str]| {
            let c = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
            registry.register(Box::new(c.clone())).expect("unique metric");
            c
        };
        let records_in = counter("atlas_records_in_total", "Records consumed, by topic", &["topic"]);
        let records_out = counter("atlas_records_out_total", "Records published, by topic", &["topic"]);
        let dead_letters = counter("atlas_dead_letters_total", "Records dead-lettered, by source topic and reason", &["topic", "reason"]);
        let unhandled =
            counter("atlas_records_unhandled_total", "Records of a type no domain handles, by topic and type", &["topic", "type"]);
        let actors_started = counter("atlas_actors_started_total", "Actors started, by kind", &["kind"]);
        let actor_restarts = counter("atlas_actor_restarts_total", "Actor restarts by their supervisor, by kind", &["kind"]);
        let live_actors = IntGaugeVec::new(Opts::new("atlas_live_actors", "Live actors, by kind"), &["kind"]).expect("valid metric");
        let in_flight = IntGauge::new("atlas_records_in_flight", "Consumed records not yet durable").expect("valid metric");
        let channel_in_flight =
            IntGauge::new("atlas_channel_records_in_flight", "Channel records consumed, pushes not yet queued").expect("valid metric");
        let redeliveries_skipped =
            IntCounter::new("atlas_redeliveries_skipped_total", "Records skipped because already applied").expect("valid metric");
        let pipelined = IntCounter::new("atlas_units_pipelined_total", "Units committed behind a not yet durable unit of the same entity")
            .expect("valid metric");
        let handler_seconds = Histogram::with_opts(
            HistogramOpts::new("atlas_handler_seconds", "Time to handle one input and commit its effects")
                .buckets(prometheus::exponential_buckets(0.0001, 2.5, 14).expect("valid buckets")),
        )
        .expect("valid metric");
        let gauge = |name: &str, help: &str| {
            let g = IntGauge::new(name, help).expect("valid metric");
            registry.register(Box::new(g.clone())).expect("unique metric");
            g
        };
        let channel_sessions = gauge("atlas_channel_sessions", "Client sessions of this process");
        let consumer_lag = gauge("atlas_consumer_lag", "Records on the consumed topics not yet committed by the group");
        let outbox_backlog = gauge("atlas_outbox_backlog", "Outputs committed but not yet acknowledged by the broker");
        for metric in [
            Box::new(live_actors.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(in_flight.clone()),
            Box::new(channel_in_flight.clone()),
            Box::new(redeliveries_skipped.clone()),
            Box::new(pipelined.clone()),
            Box::new(handler_seconds.clone()),
        ] {
            registry.register(metric).expect("unique metric");
        }
        Metrics {
            registry,
            records_in,
            records_out,
            dead_letters,
            unhandled,
            actors_started,
            actor_restarts,
            live_actors,
            in_flight,
            channel_in_flight,
            redeliveries_skipped,
            pipelined,
            handler_seconds,
            channel_sessions,
            consumer_lag,
            outbox_backlog,
        }
    }

    /// Adds the group committer's counters (the store keeps them; see
    /// [`crate::store::CommitStats`]).
    pub fn register_commit_stats(&self, stats: &crate::store::CommitStats) {
        for metric in [
            Box::new(stats.batches.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(stats.units.clone()),
            Box::new(stats.busy_seconds.clone()),
        ] {
            // A second registration (a second store in one process) keeps the first.
            let _ = self.registry.register(metric);
        }
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buffer);
        String::from_utf8(buffer).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
