//! The producer: idempotent, partitioning by key with Java's murmur2 (as Kafka clients
//! do, so one entity's records share a partition), Atlas keys and tenant headers.

use crate::contracts::key;
use crate::store::Output;
use rdkafka::config::ClientConfig;
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
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

/// The headers of an output: tenant headers then trace context.
pub fn headers(output: &Output) -> OwnedHeaders {
    output.trace.iter().fold(output.tenant.to_kafka(OwnedHeaders::new()), |headers, (name, value)| {
        headers.insert(Header { key: name, value: Some(value.as_bytes()) })
    })
}

/// Publishes one output and waits for the broker's acknowledgement.
pub async fn send(producer: &FutureProducer, output: &Output) -> Result<(), KafkaError> {
    let key = output.key.map(key::encode);
    let mut record: FutureRecord<'_, [u8], str> =
        FutureRecord::to(&output.topic).payload(output.value.as_str()).headers(headers(output));
    if let Some(key) = &key {
        record = record.key(&key[..]);
    }
    producer.send(record, Timeout::Never).await.map(|_| ()).map_err(|(error, _)| error)
}
