//! The live view's figures: gauges sampled in the background (channel sessions, outbox
//! backlog, consumer lag) and a JSON snapshot of every figure the dashboard shows, read
//! from the same metrics `/metrics` serves, so the page and Prometheus never disagree.

use crate::metrics::Metrics;
use crate::store::Store;
use prometheus::core::Collector;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Offset, TopicPartitionList};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How often the sampled gauges are refreshed.
const SAMPLE_EVERY: Duration = Duration::from_secs(1);
/// Lag costs one watermark request per partition, so it is sampled less often.
const LAG_EVERY: Duration = Duration::from_secs(2);

/// Where the consumer lag is read: the group's committed offsets against the high
/// watermarks of the topics it consumes.
#[derive(Debug, Clone)]
pub struct LagSource {
    pub bootstrap: String,
    pub group: String,
    pub topics: Vec<String>,
}

/// Starts the samplers; they end when `stopped` turns true. `sessions` counts the open
/// client sessions (the channel's, handed in by the server: this module sits below it).
pub fn spawn(metrics: Arc<Metrics>, store: Store, sessions: impl Fn() -> usize + 'static, lag: LagSource, stopped: watch::Receiver<bool>) {
    let gauges = metrics.clone();
    let mut stop = stopped.clone();
    actix_rt::spawn(async move {
        let mut tick = tokio::time::interval(SAMPLE_EVERY);
        loop {
            tokio::select! {
                _ = stop.changed() => break,
                _ = tick.tick() => {}
            }
            gauges.channel_sessions.set(sessions() as i64);
            let count = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM outbox").fetch_one(store.pool()).await;
            match count {
                Ok(count) => gauges.outbox_backlog.set(count),
                Err(error) => tracing::debug!(%error, "counting the outbox failed"),
            }
        }
    });
    // Blocking client calls: a thread of its own rather than a runtime worker.
    let spawned = std::thread::Builder::new().name("consumer-lag".into()).spawn(move || {
        let client: BaseConsumer = match crate::kafka::producer::client_config(&lag.bootstrap)
            .set("group.id", &lag.group)
            .set("enable.auto.commit", "false")
            .create()
        {
            Ok(client) => client,
            Err(error) => return tracing::warn!(%error, "no client for the consumer lag; it stays 0"),
        };
        while !*stopped.borrow() {
            match consumer_lag(&client, &lag.topics) {
                Ok(records) => metrics.consumer_lag.set(records),
                Err(error) => tracing::debug!(%error, "reading the consumer lag failed"),
            }
            std::thread::sleep(LAG_EVERY);
        }
    });
    if let Err(error) = spawned {
        tracing::warn!(%error, "no consumer-lag thread; the lag stays 0");
    }
}

/// Sum over the partitions of `topics` of high watermark minus the group's committed
/// offset (the low watermark where the group committed nothing yet).
fn consumer_lag(client: &BaseConsumer, topics: &[String]) -> rdkafka::error::KafkaResult<i64> {
    let timeout = Duration::from_secs(2);
    let metadata = client.fetch_metadata(None, timeout)?;
    let mut list = TopicPartitionList::new();
    for topic in metadata.topics().iter().filter(|t| topics.iter().any(|name| name == t.name())) {
        for partition in topic.partitions() {
            list.add_partition(topic.name(), partition.id());
        }
    }
    let committed = client.committed_offsets(list, timeout)?;
    let mut lag = 0;
    for element in committed.elements() {
        let (low, high) = client.fetch_watermarks(element.topic(), element.partition(), timeout)?;
        let done = match element.offset() {
            Offset::Offset(offset) => offset,
            _ => low,
        };
        lag += (high - done).max(0);
    }
    Ok(lag)
}

/// Every figure of the dashboard. Fields in alphabetical order, the order the page has
/// always received them in.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub channel_sessions: i64,
    pub consumer_lag: i64,
    pub dead_letters: f64,
    pub handled: u64,
    /// `null` before any handler ran.
    pub handler_p50_ms: Option<f64>,
    pub handler_p99_ms: Option<f64>,
    pub in_flight: i64,
    pub live_actors: BTreeMap<String, f64>,
    pub outbox_backlog: i64,
    pub records_in: f64,
    pub records_in_by_topic: BTreeMap<String, f64>,
    pub records_out: f64,
    pub records_out_by_topic: BTreeMap<String, f64>,
}

/// Every figure of the dashboard, from the metrics.
pub fn snapshot(metrics: &Metrics) -> Snapshot {
    let by_label = |collector: &dyn Collector, label: &str| -> BTreeMap<String, f64> {
        let mut values = BTreeMap::new();
        for family in collector.collect() {
            for metric in family.get_metric() {
                let name = metric.get_label().iter().find(|l| l.get_name() == label).map(|l| l.get_value().to_string());
                // A family is either counters or gauges; the other reads as 0.
                let value = metric.get_counter().get_value() + metric.get_gauge().get_value();
                *values.entry(name.unwrap_or_default()).or_insert(0.0) += value;
            }
        }
        values
    };
    // A fold, not `sum`: an empty float sum is -0.0.
    let total = |values: &BTreeMap<String, f64>| values.values().fold(0.0, |a, b| a + b);
    let records_in = by_label(&metrics.records_in, "topic");
    let records_out = by_label(&metrics.records_out, "topic");
    let dead_letters = by_label(&metrics.dead_letters, "topic");
    Snapshot {
        channel_sessions: metrics.channel_sessions.get(),
        consumer_lag: metrics.consumer_lag.get(),
        dead_letters: total(&dead_letters),
        handled: metrics.handler_seconds.get_sample_count(),
        handler_p50_ms: quantile(metrics, 0.5).map(|s| s * 1000.0),
        handler_p99_ms: quantile(metrics, 0.99).map(|s| s * 1000.0),
        in_flight: metrics.in_flight.get(),
        live_actors: by_label(&metrics.live_actors, "kind"),
        outbox_backlog: metrics.outbox_backlog.get(),
        records_in: total(&records_in),
        records_in_by_topic: records_in,
        records_out: total(&records_out),
        records_out_by_topic: records_out,
    }
}

/// The upper bound of the histogram bucket holding quantile `q` of the handler times
/// (what Prometheus's `histogram_quantile` interpolates within); `None` before any.
fn quantile(metrics: &Metrics, q: f64) -> Option<f64> {
    let family = metrics.handler_seconds.collect().into_iter().next()?;
    let histogram = family.get_metric().first()?.get_histogram();
    let count = histogram.get_sample_count();
    if count == 0 {
        return None;
    }
    let rank = (q * count as f64).ceil() as u64;
    let (mut below, mut below_count) = (0.0, 0);
    for bucket in histogram.get_bucket() {
        let (bound, cumulative) = (bucket.get_upper_bound(), bucket.get_cumulative_count());
        if cumulative >= rank {
            // Linear interpolation inside the bucket, as histogram_quantile does.
            let fraction = (rank - below_count) as f64 / (cumulative - below_count).max(1) as f64;
            return Some(below + (bound - below) * fraction);
        }
        (below, below_count) = (bound, cumulative);
    }
    Some(below)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_counts_records_and_quantiles() {
        let metrics = Metrics::new();
        metrics.records_in.with_label_values(&["A"]).inc_by(3);
        metrics.records_in.with_label_values(&["B"]).inc();
        for _ in 0..99 {
            metrics.handler_seconds.observe(0.001);
        }
        metrics.handler_seconds.observe(1.0);
        let snapshot = snapshot(&metrics);
        assert_eq!(snapshot.records_in, 4.0);
        assert_eq!(snapshot.records_in_by_topic.get("A"), Some(&3.0));
        let written = serde_json::to_value(&snapshot).expect("serialises");
        assert_eq!((written["recordsIn"].as_f64(), written["recordsInByTopic"]["B"].as_f64()), (Some(4.0), Some(1.0)));
        assert!(written["consumerLag"].is_i64() && written["liveActors"].is_object());
        let p50 = snapshot.handler_p50_ms.expect("a p50");
        let p99 = snapshot.handler_p99_ms.expect("a p99");
        assert!(p50 > 0.0 && p50 <= 2.5, "p50 {p50} ms");
        assert!(p99 <= 2.5 && p99 >= p50, "p99 {p99} ms of 99 fast and 1 slow");
        assert_eq!(quantile(&metrics, 1.0).map(|s| s > 0.5), Some(true));
    }
}
