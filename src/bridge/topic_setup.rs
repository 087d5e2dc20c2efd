//! Start-up against a cluster that may be empty: every topic the server reads or writes
//! must exist before its consumers subscribe (a subscription to a missing topic only
//! logs `UnknownTopicOrPartition` until the next metadata refresh, minutes later), and
//! stored positions are fenced by the log each topic now reads.
//!
//! Topics are created in small batches (a broker may time out on a large one), and what
//! still misses is asked for by a metadata request that allows auto-creation (the
//! embedded broker answers no CreateTopics request at all but auto-creates). Each round
//! verifies with metadata and logs what is missing and why, then backs off and retries.

use super::log_identity;
use crate::kafka::producer::client_config;
use crate::store::{LogOrigin, Store};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaErrorCode;
use std::time::Duration;

/// Topics per CreateTopics request.
const BATCH: usize = 4;
/// Timeout of one broker request during start-up.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest pause between two rounds.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Why a start-up step against the broker failed. Reading metadata is retried by
/// [`ensure`]; a failed fence stops the start (nothing may consume unfenced).
#[derive(Debug, thiserror::Error)]
pub enum TopicSetupError {
    /// The admin client could not be created.
    #[error("creating an admin client: {0}")]
    Client(#[source] KafkaError),
    /// The broker's metadata could not be read.
    #[error("reading topic metadata: {0}")]
    Metadata(#[source] KafkaError),
    /// Storing the fence of stored positions failed.
    #[error("fencing stored positions: {0}")]
    Fence(#[source] sqlx::Error),
    /// A blocking broker call panicked or was cancelled.
    #[error("a blocking broker call failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// How the server's topics are created.
#[derive(Debug, Clone)]
pub struct TopicSpec {
    pub names: Vec<String>,
    pub partitions: i32,
    pub replication: i32,
}

/// Returns once every topic of `spec` is listed by the broker's metadata; retries for as
/// long as it takes, logging each round's missing topics and the reason.
pub async fn ensure(bootstrap: &str, spec: &TopicSpec) {
    let admin: Option<AdminClient<DefaultClientContext>> = match client_config(bootstrap).create() {
        Ok(admin) => Some(admin),
        Err(error) => {
            tracing::warn!(%error, "no admin client; relying on auto-creation");
            None
        }
    };
    ensure_with(bootstrap, spec, admin.as_ref()).await;
    // Destroying a client waits for its outstanding requests, and a CreateTopics request
    // the broker never answers is outstanding for long: let it go off this thread.
    if let Some(admin) = admin {
        std::thread::spawn(move || drop(admin));
    }
}

async fn ensure_with(bootstrap: &str, spec: &TopicSpec, mut admin: Option<&AdminClient<DefaultClientContext>>) {
    let mut backoff = Duration::from_millis(250);
    for round in 1u32.. {
        let missing = match missing_topics(bootstrap, &spec.names).await {
            Ok(missing) if missing.is_empty() => {
                tracing::info!(topics = spec.names.len(), round, "every topic exists");
                return;
            }
            Ok(missing) => missing,
            Err(error) => {
                tracing::warn!(%error, round, "waiting for the broker: no metadata; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        };
        tracing::info!(missing = missing.len(), round, names = %missing.join(","), "creating topics");
        let refused = match admin {
            Some(client) => match create(client, &missing, spec).await {
                Created::Unanswered(reason) => {
                    admin = None;
                    Some(reason)
                }
                Created::Refused(reason) => reason,
            },
            None => None,
        };
        auto_create(bootstrap, &missing).await;
        match missing_topics(bootstrap, &spec.names).await {
            Ok(still) if still.is_empty() => {
                tracing::info!(topics = spec.names.len(), round, "every topic exists");
                return;
            }
            Ok(still) => tracing::warn!(
                round,
                missing = %still.join(","),
                reason = %refused.unwrap_or_else(|| "the broker has not listed them yet".into()),
                "topics still missing; not consuming until they exist, retrying"
            ),
            Err(error) => tracing::warn!(%error, round, "no metadata after creating topics; retrying"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// Discards stored positions that came from another log than the one each of `topics`
/// now reads (retrying until the broker describes them), logging loudly what was
/// discarded.
pub async fn fence_positions(store: &Store, bootstrap: &str, topics: &[String], origin: LogOrigin) -> Result<(), TopicSetupError> {
    let mut backoff = Duration::from_millis(250);
    let identities = loop {
        let (servers, names) = (bootstrap.to_string(), topics.to_vec());
        match tokio::task::spawn_blocking(move || log_identity::describe(&servers, &names, REQUEST_TIMEOUT)).await? {
            Ok(identities) => break identities,
            Err(error) => {
                tracing::warn!(%error, "reading the topics' log identities failed; not consuming until it works, retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    };
    let mut current: Vec<(String, String)> = identities.into_iter().map(|(topic, id)| (topic, id.0)).collect();
    current.sort();
    for discarded in store.fence_positions(&current, origin).await.map_err(TopicSetupError::Fence)? {
        tracing::error!(
            topic = %discarded.topic,
            positions = discarded.positions,
            previous = discarded.previous.as_deref().unwrap_or("unrecorded"),
            "the topic's log changed (recreated, another cluster, or a fresh embedded broker): \
             discarding stored positions from the old log so its records are applied, not skipped"
        );
    }
    tracing::info!(topics = current.len(), "stored positions fenced by log identity");
    Ok(())
}

/// The topics of `names` the broker's metadata does not list.
async fn missing_topics(bootstrap: &str, names: &[String]) -> Result<Vec<String>, TopicSetupError> {
    let (servers, names) = (bootstrap.to_string(), names.to_vec());
    tokio::task::spawn_blocking(move || {
        let admin: AdminClient<DefaultClientContext> = client_config(&servers).create().map_err(TopicSetupError::Client)?;
        let metadata = admin.inner().fetch_metadata(None, REQUEST_TIMEOUT).map_err(TopicSetupError::Metadata)?;
        let listed: Vec<&str> =
            metadata.topics().iter().filter(|t| t.error().is_none() && !t.partitions().is_empty()).map(|t| t.name()).collect();
        Ok(names.into_iter().filter(|name| !listed.contains(&name.as_str())).collect())
    })
    .await?
}

/// What a round of CreateTopics requests gave.
#[derive(Debug)]
enum Created {
    /// Answered; the last refusal, if any.
    Refused(Option<String>),
    /// A batch failed or got no answer: the broker does not create topics on request.
    Unanswered(String),
}

/// CreateTopics in batches of [`BATCH`]. Stops at the first unanswered batch.
async fn create(admin: &AdminClient<DefaultClientContext>, names: &[String], spec: &TopicSpec) -> Created {
    let options = AdminOptions::new().operation_timeout(Some(REQUEST_TIMEOUT)).request_timeout(Some(REQUEST_TIMEOUT));
    let mut reason = None;
    for batch in names.chunks(BATCH) {
        let new: Vec<NewTopic<'_>> =
            batch.iter().map(|name| NewTopic::new(name, spec.partitions, TopicReplication::Fixed(spec.replication))).collect();
        match tokio::time::timeout(REQUEST_TIMEOUT + Duration::from_secs(1), admin.create_topics(&new, &options)).await {
            Ok(Ok(results)) => {
                for (topic, code) in results.into_iter().filter_map(Result::err) {
                    if code != RDKafkaErrorCode::TopicAlreadyExists {
                        tracing::warn!(%topic, ?code, "creating topic refused");
                        reason = Some(format!("{topic}: {code:?}"));
                    }
                }
            }
            // A broker that fails or leaves one batch unanswered (the embedded one has no
            // CreateTopics and names no controller) does so for all: fall back to
            // auto-creation now rather than wait out every batch.
            Ok(Err(error)) => return Created::Unanswered(format!("CreateTopics failed: {error}")),
            Err(_) => return Created::Unanswered("CreateTopics unanswered: the broker does not create topics on request".into()),
        }
    }
    Created::Refused(reason)
}

/// Asks for each topic's metadata with auto-creation allowed: brokers that create topics
/// on first use (the embedded one) create them now.
async fn auto_create(bootstrap: &str, names: &[String]) {
    let (servers, names) = (bootstrap.to_string(), names.to_vec());
    let asked = tokio::task::spawn_blocking(move || {
        let admin: AdminClient<DefaultClientContext> = client_config(&servers).set("allow.auto.create.topics", "true").create()?;
        for name in &names {
            if let Err(error) = admin.inner().fetch_metadata(Some(name), REQUEST_TIMEOUT) {
                tracing::debug!(topic = %name, %error, "metadata request for auto-creation failed");
            }
        }
        Ok::<_, KafkaError>(())
    })
    .await;
    if let Ok(Err(error)) = asked {
        tracing::debug!(%error, "no client for auto-creation");
    }
}
