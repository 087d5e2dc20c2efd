//! The producer: idempotent, partitioning by key with Java's murmur2 (as Kafka clients
//! do, so one entity's records share a partition), Atlas keys and tenant headers.

use crate::contracts::key;
use crate::store::Output;
use rdkafka::config::ClientConfig;
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};
use rdkafka::util::Timeout;

/// Settings shared by every Kafka client of the server.
pub fn client_config(bootstrap: &str) -> ClientConfig {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", bootstrap);
    config
}

pub fn create(bootstrap: &str) -> Result<FutureProducer, KafkaError> {
    client_config(bootstrap)
        .set("enable.idempotence", "true")
        .set("partitioner", "murmur2_random")
        .set("linger.ms", "2")
        .set("message.timeout.ms", "300000")
        .create()
}

/// Header stamping an output with its outbox row id, so a restarted publisher can tell
/// which rows reached the broker before a crash.
pub const OUTBOX_ID: &str = "atlas-outbox-id";

/// The headers of an output: tenant headers, trace context, and its outbox id if any.
pub fn headers(output: &Output, outbox_id: Option<i64>) -> OwnedHeaders {
    let headers = output.trace.iter().fold(output.tenant.to_kafka(OwnedHeaders::new()), |headers, (name, value)| {
        headers.insert(Header { key: name, value: Some(value.as_bytes()) })
    });
    match outbox_id {
        Some(id) => headers.insert(Header { key: OUTBOX_ID, value: Some(id.to_string().as_bytes()) }),
        None => headers,
    }
}

/// Publishes one output and waits for the broker's acknowledgement.
pub async fn send(producer: &FutureProducer, output: &Output, outbox_id: Option<i64>) -> Result<(), KafkaError> {
    let key = output.key.map(key::encode);
    producer.send(record(output, outbox_id, key.as_ref()), Timeout::Never).await.map(|_| ()).map_err(|(error, _)| error)
}

/// Enqueues one output now, in call order (unlike [`send`], whose enqueueing waits for its
/// future's first poll), and returns the future of its acknowledgement.
pub fn enqueue(producer: &FutureProducer, output: &Output, outbox_id: Option<i64>) -> Result<DeliveryFuture, KafkaError> {
    let key = output.key.map(key::encode);
    producer.send_result(record(output, outbox_id, key.as_ref())).map_err(|(error, _)| error)
}

/// Waits for an enqueued output's acknowledgement.
pub async fn delivered(delivery: DeliveryFuture) -> Result<(), KafkaError> {
    match delivery.await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err((error, _))) => Err(error),
        Err(_) => Err(KafkaError::Canceled),
    }
}

fn record<'a>(output: &'a Output, outbox_id: Option<i64>, key: Option<&'a [u8; 8]>) -> FutureRecord<'a, [u8], str> {
    let record = FutureRecord::to(&output.topic).payload(output.value.as_str()).headers(headers(output, outbox_id));
    match key {
        Some(key) => record.key(&key[..]),
        None => record,
    }
}
