//! The runner's Kafka side: topic preparation, the producer, and the tap: one consumer
//! that reads every partition of every scenario topic and fans records out to the
//! scenario whose tenant they carry.

use crate::contracts::tenant::{Tenant, TENANT_ID};
use anyhow::Context as _;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, Headers, Message, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{Offset, TopicPartitionList};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

const METADATA_TIMEOUT: Duration = Duration::from_secs(10);

fn client_config(bootstrap: &str) -> ClientConfig {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", bootstrap);
    config
}

/// Creates the topics that do not exist yet on an external broker (an existing topic
/// keeps its partitions).
pub async fn create_missing_topics(bootstrap: &str, topics: &[String], partitions: i32) -> anyhow::Result<()> {
    let admin: AdminClient<DefaultClientContext> = client_config(bootstrap).create().context("creating the Kafka admin client")?;
    let new: Vec<NewTopic<'_>> = topics.iter().map(|t| NewTopic::new(t, partitions, TopicReplication::Fixed(1))).collect();
    let options = AdminOptions::new().operation_timeout(Some(METADATA_TIMEOUT));
    for result in admin.create_topics(&new, &options).await.context("creating topics")? {
        if let Err((topic, code)) = result {
            if code != RDKafkaErrorCode::TopicAlreadyExists {
                anyhow::bail!("creating topic {topic}: {code:?}");
            }
        }
    }
    Ok(())
}

/// The producer of `produce` steps: no lingering, since every step waits for its ack.
pub fn producer(bootstrap: &str) -> anyhow::Result<FutureProducer> {
    client_config(bootstrap)
        .set("linger.ms", "0")
        // As the server and Atlas's clients partition: one key, one partition.
        .set("partitioner", "murmur2_random")
        .set("message.timeout.ms", "15000")
        .create()
        .context("creating the Kafka producer")
}

/// What a `produce` step sends.
pub struct Outgoing<'a> {
    pub topic: &'a str,
    pub key: Option<u32>,
    pub payload: &'a [u8],
    pub headers: &'a [(String, String)],
    pub tenant: &'a Tenant,
}

/// Publishes one record and waits for the broker's acknowledgement, so the next step
/// starts after the record is in the log.
pub async fn send(producer: &FutureProducer, out: Outgoing<'_>) -> anyhow::Result<()> {
    let mut headers = OwnedHeaders::new();
    for (name, value) in out.headers {
        headers = headers.insert(Header { key: name, value: Some(value.as_bytes()) });
    }
    // The tenant headers, except those the scenario set itself (malformed-tenant tests).
    let tenant = out.tenant.to_kafka(OwnedHeaders::new());
    for header in tenant.iter() {
        if !out.headers.iter().any(|(name, _)| name == header.key) {
            headers = headers.insert(Header { key: header.key, value: header.value });
        }
    }
    let key = out.key.map(crate::contracts::key::encode);
    let mut record: FutureRecord<'_, [u8], [u8]> = FutureRecord::to(out.topic).payload(out.payload).headers(headers);
    if let Some(key) = &key {
        record = record.key(&key[..]);
    }
    producer
        .send(record, Duration::from_secs(15))
        .await
        .map(|_| ())
        .map_err(|(error, _)| anyhow::anyhow!("producing to {}: {error}", out.topic))
}

/// A record value as the report shows it and the matcher sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// No value at all (a tombstone).
    Null,
    Json(Value),
    /// Not JSON: the bytes as (lossy) UTF-8.
    Text(String),
}

impl Payload {
    fn from_bytes(bytes: Option<&[u8]>) -> Payload {
        match bytes {
            None => Payload::Null,
            Some(bytes) => match serde_json::from_slice(bytes) {
                Ok(value) => Payload::Json(value),
                Err(_) => Payload::Text(String::from_utf8_lossy(bytes).into_owned()),
            },
        }
    }
}

/// One consumed record of a scenario.
#[derive(Debug, Clone)]
pub struct Record {
    pub partition: i32,
    pub offset: i64,
    pub key: Option<Vec<u8>>,
    pub value: Payload,
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

impl Record {
    /// A header's value as text, if present and UTF-8.
    pub fn header_text(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
            .and_then(|v| std::str::from_utf8(v).ok())
            .map(str::to_string)
    }
}

/// One scenario's records by topic name, in arrival order.
#[derive(Debug)]
pub struct Inbox {
    records: Mutex<HashMap<String, Vec<Record>>>,
    /// Bumped on every arrival; waiters watch it rather than poll.
    arrivals: watch::Sender<u64>,
}

impl Inbox {
    fn new() -> Inbox {
        Inbox { records: Mutex::new(HashMap::new()), arrivals: watch::Sender::new(0) }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Vec<Record>>> {
        // A panic while holding the lock cannot leave the map half-updated (one push).
        self.records.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records of `topic` from index `from` on.
    pub fn since(&self, topic: &str, from: usize) -> Vec<Record> {
        self.lock().get(topic).map(|records| records.get(from..).unwrap_or_default().to_vec()).unwrap_or_default()
    }

    /// How many records each topic has, for reports.
    pub fn counts(&self) -> Vec<(String, usize)> {
        let mut counts: Vec<_> = self.lock().iter().map(|(t, r)| (t.clone(), r.len())).collect();
        counts.sort();
        counts
    }

    /// A receiver that sees every arrival after this call.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.arrivals.subscribe()
    }

    fn push(&self, topic: &str, record: Record) {
        self.lock().entry(topic.to_string()).or_default().push(record);
        self.arrivals.send_modify(|n| *n += 1);
    }
}

type Inboxes = Arc<Mutex<HashMap<Uuid, Arc<Inbox>>>>;

fn lock_inboxes(inboxes: &Inboxes) -> MutexGuard<'_, HashMap<Uuid, Arc<Inbox>>> {
    inboxes.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The run's single consumer and its fan-out.
pub struct Tap {
    inboxes: Inboxes,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Tap {
    /// Assigns every partition of `topics` from its current end and starts reading.
    /// Blocking (metadata and offset requests); call it before the first scenario.
    pub fn start(bootstrap: &str, topics: &[String]) -> anyhow::Result<Tap> {
        let consumer: BaseConsumer = client_config(bootstrap)
            .set("group.id", format!("atlas-conformance-tap-{}", Uuid::new_v4().simple()))
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("enable.partition.eof", "false")
            // The embedded broker answers a fetch only when this expires.
            .set("fetch.wait.max.ms", "5")
            .set("fetch.error.backoff.ms", "10")
            .create()
            .context("creating the Kafka consumer")?;
        let mut assignment = TopicPartitionList::new();
        for topic in topics {
            for partition in 0..partitions(&consumer, topic)? {
                let (_, high) = consumer
                    .fetch_watermarks(topic, partition, METADATA_TIMEOUT)
                    .with_context(|| format!("reading the end offset of {topic}/{partition}"))?;
                assignment
                    .add_partition_offset(topic, partition, Offset::Offset(high))
                    .with_context(|| format!("assigning {topic}/{partition}"))?;
            }
        }
        consumer.assign(&assignment).context("assigning the scenario topics")?;

        let inboxes: Inboxes = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (inboxes, stop) = (inboxes.clone(), stop.clone());
            std::thread::Builder::new()
                .name("conformance-tap".into())
                .spawn(move || consume(consumer, inboxes, stop))
                .context("starting the consumer thread")?
        };
        Ok(Tap { inboxes, stop, thread: Some(thread) })
    }

    /// Starts collecting `tenant`'s records (before the scenario sends anything).
    pub fn open(&self, tenant: Uuid) -> Arc<Inbox> {
        let inbox = Arc::new(Inbox::new());
        lock_inboxes(&self.inboxes).insert(tenant, inbox.clone());
        inbox
    }

    pub fn close(&self, tenant: Uuid) {
        lock_inboxes(&self.inboxes).remove(&tenant);
    }

    pub fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Tap {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The partition count of a topic, waiting for metadata of a just-created topic.
fn partitions(consumer: &BaseConsumer, topic: &str) -> anyhow::Result<i32> {
    let deadline = std::time::Instant::now() + METADATA_TIMEOUT;
    loop {
        let metadata = consumer.fetch_metadata(Some(topic), METADATA_TIMEOUT).with_context(|| format!("reading metadata of {topic}"))?;
        let found = metadata
            .topics()
            .iter()
            .find(|t| t.name() == topic)
            .filter(|t| t.error().is_none())
            .map(|t| t.partitions().len() as i32)
            .unwrap_or(0);
        if found > 0 {
            return Ok(found);
        }
        if std::time::Instant::now() >= deadline {
            anyhow::bail!("topic {topic} has no partitions (does it exist?)");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn consume(consumer: BaseConsumer, inboxes: Inboxes, stop: Arc<AtomicBool>) {
    while !stop.load(Ordering::Acquire) {
        let message = match consumer.poll(Duration::from_millis(100)) {
            None => continue,
            Some(Err(error)) => {
                tracing::warn!(%error, "conformance consumer");
                continue;
            }
            Some(Ok(message)) => message,
        };
        let headers: Vec<(String, Option<Vec<u8>>)> =
            message.headers().map(|hs| hs.iter().map(|h| (h.key.to_string(), h.value.map(<[u8]>::to_vec))).collect()).unwrap_or_default();
        // Only records of a running scenario's tenant are kept.
        let tenant = headers
            .iter()
            .find(|(name, _)| name == TENANT_ID)
            .and_then(|(_, v)| v.as_deref())
            .and_then(|v| std::str::from_utf8(v).ok())
            .and_then(|v| Uuid::parse_str(v.trim()).ok());
        let Some(inbox) = tenant.and_then(|t| lock_inboxes(&inboxes).get(&t).cloned()) else {
            continue;
        };
        let record = Record {
            partition: message.partition(),
            offset: message.offset(),
            key: message.key().map(<[u8]>::to_vec),
            value: Payload::from_bytes(message.payload()),
            headers,
        };
        inbox.push(message.topic(), record);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_parse_as_json_or_stay_text() {
        assert_eq!(Payload::from_bytes(None), Payload::Null);
        assert_eq!(Payload::from_bytes(Some(b"")), Payload::Text(String::new()));
        assert_eq!(Payload::from_bytes(Some(b"{\"a\":1}")), Payload::Json(serde_json::json!({"a": 1})));
        assert_eq!(Payload::from_bytes(Some(b"]]x")), Payload::Text("]]x".into()));
    }
}
