//! The identity of a consumed topic's log: the cluster id and the topic id that the
//! broker's metadata gives. A deleted and recreated topic gets a new topic id, another
//! cluster has another cluster id, and each start of the embedded broker creates its
//! topics afresh with random ids, so stored offsets can be told apart by the log they
//! came from.
//!
//! rust-rdkafka has no safe wrapper for DescribeTopics (the request that returns topic
//! ids), so this module calls librdkafka's C API directly; everything it allocates is
//! freed before returning.

// librdkafka's DescribeTopics (the only call that returns topic ids) has no safe wrapper in
// rust-rdkafka; each unsafe block below states why it is sound.
#![allow(unsafe_code)]

use crate::kafka::producer::client_config;
use rdkafka::admin::AdminClient;
use rdkafka::bindings as rd;
use rdkafka::client::DefaultClientContext;
use rdkafka::error::KafkaError;
use std::collections::HashMap;
use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::time::Duration;

/// Why the topics' log identities could not be read; start-up retries until they can,
/// since positions cannot be fenced without them.
#[derive(Debug, thiserror::Error)]
pub enum LogIdentityError {
    /// The admin client could not be created.
    #[error("creating an admin client: {0}")]
    Client(#[source] KafkaError),
    /// The broker did not say which cluster it belongs to.
    #[error("the broker gave no cluster id")]
    NoClusterId,
    /// The broker's metadata could not be read.
    #[error("reading broker metadata: {0}")]
    Metadata(#[source] KafkaError),
    /// The broker's metadata listed no broker to send the request to.
    #[error("the broker listed no brokers")]
    NoBroker,
    /// A topic name cannot be handed to librdkafka.
    #[error("topic name {0:?} holds a NUL byte")]
    TopicName(String),
    /// The DescribeTopics request got no answer in time.
    #[error("DescribeTopics: no answer within {0:?}")]
    Unanswered(Duration),
    /// The DescribeTopics request failed as a whole, or was answered by another event.
    #[error("DescribeTopics: {0}")]
    Request(String),
    /// The broker could not describe one topic (e.g. it does not exist).
    #[error("DescribeTopics {topic}: {reason}")]
    Topic { topic: String, reason: String },
    /// The broker described a topic without its id.
    #[error("DescribeTopics {topic}: no topic id")]
    NoTopicId { topic: String },
}

/// Which log a topic's records come from, as stored with its positions.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LogId(pub String);

impl LogId {
    fn new(cluster: &str, topic_id: &str) -> LogId {
        LogId(format!("{cluster}/{topic_id}"))
    }
}

/// The log identity of each of `topics`. Blocks (run it off the async executor); fails
/// when the broker does not answer within `timeout` or a topic does not exist.
pub fn describe(bootstrap: &str, topics: &[String], timeout: Duration) -> Result<HashMap<String, LogId>, LogIdentityError> {
    let admin: AdminClient<DefaultClientContext> = client_config(bootstrap).create().map_err(LogIdentityError::Client)?;
    let cluster = admin.inner().fetch_cluster_id(timeout).ok_or(LogIdentityError::NoClusterId)?;
    // Metadata is answered by any broker. Admin requests go to the controller unless told
    // otherwise, and the embedded broker names no controller, so ask the first broker.
    let metadata = admin.inner().fetch_metadata(None, timeout).map_err(LogIdentityError::Metadata)?;
    let broker = metadata.brokers().first().map(|b| b.id()).ok_or(LogIdentityError::NoBroker)?;
    let ids = topic_ids(&admin, broker, topics, timeout)?;
    Ok(ids.into_iter().map(|(topic, id)| (topic, LogId::new(&cluster, &id))).collect())
}

/// Topic name → topic id (base64, as Kafka prints them), by one DescribeTopics request.
fn topic_ids(
    admin: &AdminClient<DefaultClientContext>,
    broker: i32,
    topics: &[String],
    timeout: Duration,
) -> Result<HashMap<String, String>, LogIdentityError> {
    let names: Vec<CString> =
        topics.iter().map(|t| CString::new(t.as_str()).map_err(|_| LogIdentityError::TopicName(t.clone()))).collect::<Result<_, _>>()?;
    let mut pointers: Vec<*const c_char> = names.iter().map(|n| n.as_ptr()).collect();
    let rk = admin.inner().native_ptr();
    let timeout_ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
    // SAFETY: `rk` is a live client owned by `admin`, which outlives this block; the
    // collection copies the names; the result event and everything read from it are
    // used before the event is destroyed, and every handle created here is destroyed
    // exactly once.
    unsafe {
        let collection = rd::rd_kafka_TopicCollection_of_topic_names(pointers.as_mut_ptr(), pointers.len());
        let options = rd::rd_kafka_AdminOptions_new(rk, rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBETOPICS);
        let mut errstr = [0 as c_char; 256];
        rd::rd_kafka_AdminOptions_set_broker(options, broker, errstr.as_mut_ptr(), errstr.len());
        let queue = rd::rd_kafka_queue_new(rk);
        rd::rd_kafka_DescribeTopics(rk, collection, options, queue);
        let event = rd::rd_kafka_queue_poll(queue, timeout_ms);
        let answer = if event.is_null() {
            Err(LogIdentityError::Unanswered(timeout))
        } else {
            let answer = read_result(event);
            rd::rd_kafka_event_destroy(event);
            answer
        };
        rd::rd_kafka_queue_destroy(queue);
        rd::rd_kafka_AdminOptions_destroy(options);
        rd::rd_kafka_TopicCollection_destroy(collection);
        answer
    }
}

/// Reads a DescribeTopics result event.
///
/// # Safety
/// `event` must be a live DescribeTopics result event.
unsafe fn read_result(event: *mut rd::rd_kafka_event_t) -> Result<HashMap<String, String>, LogIdentityError> {
    if rd::rd_kafka_event_error(event) != rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
        return Err(LogIdentityError::Request(text(rd::rd_kafka_event_error_string(event))));
    }
    let result = rd::rd_kafka_event_DescribeTopics_result(event);
    if result.is_null() {
        return Err(LogIdentityError::Request("an event of another kind".into()));
    }
    let mut count = 0usize;
    let descriptions = rd::rd_kafka_DescribeTopics_result_topics(result, &mut count);
    let mut ids = HashMap::with_capacity(count);
    for i in 0..count {
        let description = *descriptions.add(i);
        let name = text(rd::rd_kafka_TopicDescription_name(description));
        let error = rd::rd_kafka_TopicDescription_error(description);
        if !error.is_null() && rd::rd_kafka_error_code(error) != rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
            return Err(LogIdentityError::Topic { topic: name, reason: text(rd::rd_kafka_error_string(error)) });
        }
        let id = rd::rd_kafka_TopicDescription_topic_id(description);
        if id.is_null() {
            return Err(LogIdentityError::NoTopicId { topic: name });
        }
        ids.insert(name, text(rd::rd_kafka_Uuid_base64str(id)));
    }
    Ok(ids)
}

/// A C string owned by librdkafka, copied.
///
/// # Safety
/// `s` must be null or a valid NUL-terminated string.
unsafe fn text(s: *const c_char) -> String {
    if s.is_null() {
        return String::new();
    }
    CStr::from_ptr(s).to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broker::EmbeddedBroker;

    fn names() -> Vec<String> {
        vec!["a".into(), "b".into()]
    }

    #[test]
    fn a_log_keeps_its_identity_and_a_fresh_broker_has_another() {
        let first = EmbeddedBroker::start().expect("broker");
        first.create_topics(["a", "b"], 2).expect("topics");
        let timeout = Duration::from_secs(10);
        let once = describe(first.bootstrap_servers(), &names(), timeout).expect("described");
        let again = describe(first.bootstrap_servers(), &names(), timeout).expect("described");
        assert_eq!(once.len(), 2);
        assert_eq!(once, again, "the same log, the same identity");
        assert_ne!(once["a"], once["b"], "each topic is its own log");

        let second = EmbeddedBroker::start().expect("broker");
        second.create_topics(["a", "b"], 2).expect("topics");
        let other = describe(second.bootstrap_servers(), &names(), timeout).expect("described");
        assert_ne!(once["a"], other["a"], "a fresh broker's topic is another log");
    }

    #[test]
    fn a_missing_topic_is_an_error() {
        let broker = EmbeddedBroker::start().expect("broker");
        broker.create_topics(["a"], 1).expect("topics");
        assert!(describe(broker.bootstrap_servers(), &["nope".into()], Duration::from_secs(5)).is_err());
    }
}
