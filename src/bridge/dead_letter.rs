//! Dead letters: a refused record is republished to `DEAD_LETTER_TOPIC` with its original
//! key, value and headers, plus headers saying where it came from and why.

use crate::contracts::topics::Topics;
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, Headers, Message, OwnedHeaders, OwnedMessage};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::util::Timeout;
use std::sync::Arc;
use std::time::Duration;

/// The reason and one-line error of a dead letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// `empty_value`, `not_json`, `missing_type`, `bad_field`, `missing_tenant` or `handler_failed`.
    pub reason: &'static str,
    pub error: String,
}

/// Where refused records go: the producer and the name of `DEAD_LETTER_TOPIC`.
#[derive(Clone)]
pub struct DeadLetters {
    producer: FutureProducer,
    topic: Arc<str>,
}

impl DeadLetters {
    pub fn new(producer: FutureProducer, topics: &Topics) -> DeadLetters {
        DeadLetters { producer, topic: topics.name("DEAD_LETTER_TOPIC").into() }
    }

    /// Publishes `message` to the dead-letter topic, retrying until the broker accepts it,
    /// so the source offset is only committed once the dead letter is safe.
    pub async fn send(&self, message: &OwnedMessage, refusal: &Refusal) {
        send(&self.producer, &self.topic, message, refusal).await
    }
}

async fn send(producer: &FutureProducer, topic: &str, message: &OwnedMessage, refusal: &Refusal) {
    let error: String = refusal.error.lines().next().unwrap_or_default().chars().take(512).collect();
    tracing::warn!(
        topic = message.topic(),
        partition = message.partition(),
        offset = message.offset(),
        reason = refusal.reason,
        %error,
        "record dead-lettered"
    );
    // A value the broker refuses as too large is dead-lettered without it (and says so),
    // rather than blocking its partition forever.
    let mut keep_value = true;
    loop {
        let mut headers = OwnedHeaders::new();
        if let Some(original) = message.headers() {
            for header in original.iter() {
                headers = headers.insert(Header { key: header.key, value: header.value });
            }
        }
        let partition = message.partition().to_string();
        let offset = message.offset().to_string();
        headers = headers
            .insert(Header { key: "dlq-source-topic", value: Some(message.topic().as_bytes()) })
            .insert(Header { key: "dlq-source-partition", value: Some(partition.as_bytes()) })
            .insert(Header { key: "dlq-source-offset", value: Some(offset.as_bytes()) })
            .insert(Header { key: "dlq-reason", value: Some(refusal.reason.as_bytes()) })
            .insert(Header { key: "dlq-error", value: Some(error.as_bytes()) });
        if !keep_value {
            headers = headers.insert(Header { key: "dlq-value-dropped", value: Some(b"too large".as_slice()) });
        }
        let mut record: FutureRecord<'_, [u8], [u8]> = FutureRecord::to(topic).headers(headers);
        if let Some(key) = message.key() {
            record = record.key(key);
        }
        if let Some(payload) = message.payload().filter(|_| keep_value) {
            record = record.payload(payload);
        }
        match producer.send(record, Timeout::Never).await {
            Ok(_) => return,
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::MessageSizeTooLarge), _)) if keep_value => {
                keep_value = false;
            }
            Err((error, _)) => {
                tracing::error!(%error, "publishing a dead letter failed; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
}
