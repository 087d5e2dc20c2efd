//! Wires the service: broker (embedded or configured), store, outbox publisher, actor
//! registries, consumer loop, REST; and shuts it down gracefully on SIGTERM/SIGINT.

use crate::actors::character::skills_sql::{self, CooldownScanError};
use crate::actors::character::{Character, CharacterPorts};
use crate::actors::messengers::Messenger;
use crate::actors::saga::sql::{self as saga_sql, SagaRowError};
use crate::actors::saga::{Saga, SagaIndex, SagaPorts};
use crate::actors::{Foreign, Registry, Runtime};
use crate::bridge::consumer::{self, ConsumerLoop};
use crate::bridge::dead_letter::DeadLetters;
use crate::bridge::outbox::OutboxError;
use crate::bridge::router::{Checked, Decoders, Destinations, Router};
use crate::bridge::topic_setup::{self, TopicSetupError, TopicSpec};
use crate::bridge::Publisher;
use crate::broker::{BrokerError, EmbeddedBroker};
use crate::channel::binary::listener::BindError;
use crate::channel::{self, Edge};
use crate::config::{ConfigError, ServeArgs};
use crate::contracts::decode::{Decoded, Reject};
use crate::contracts::topics::Topics;
use crate::kafka::producer;
use crate::metrics::Metrics;
use crate::rest::{self, ApiState};
use crate::shutdown;
use crate::store::{self, LogOrigin, Store, StoreError};
use actix::{Arbiter, ArbiterHandle};
use rdkafka::error::KafkaError;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Where the embedded broker is offered when that port is free: Kafka's default.
const EMBEDDED_BROKER_ADDRESS: ([u8; 4], u16) = ([127, 0, 0, 1], 9092);

/// Why the server could not start: each start-up step that can fail, with its cause. The
/// process exits non-zero with it; nothing here is retried.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The settings do not fit together.
    #[error("refusing the settings: {0}")]
    Settings(#[from] ConfigError),
    /// The embedded broker did not start.
    #[error(transparent)]
    Broker(#[from] BrokerError),
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The Kafka producer could not be created.
    #[error("creating the Kafka producer: {0}")]
    Producer(#[source] KafkaError),
    /// The outbox backlog could not be queued.
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    /// The client of the other Atlas services could not be created.
    #[error("creating the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
    /// The characters with running cooldowns could not be read, so their timers would not
    /// be armed.
    #[error("reading characters with running cooldowns: {0}")]
    Cooldowns(#[from] CooldownScanError),
    /// The active sagas could not be read, so their deadlines would not be armed.
    #[error("reading active sagas: {0}")]
    Sagas(#[from] SagaRowError),
    /// Stored positions could not be fenced by the topics' logs.
    #[error(transparent)]
    TopicSetup(#[from] TopicSetupError),
    /// The consumer of the shared group could not be created.
    #[error("creating the Kafka consumer: {0}")]
    Consumer(#[source] KafkaError),
    /// The channel's own consumer could not be created.
    #[error("creating the channel consumer: {0}")]
    ChannelConsumer(#[source] KafkaError),
    /// The channel WebSocket port could not be bound.
    #[error("binding channel port {port}: {source}")]
    ChannelPort { port: u16, source: std::io::Error },
    /// A binary channel port could not be bound.
    #[error(transparent)]
    BinaryPort(#[from] BindError),
    /// The REST port could not be bound.
    #[error("binding REST port {port}: {source}")]
    RestPort { port: u16, source: std::io::Error },
}

/// The shared group's decoders: the domains', and a check of the channel's topics (the
/// channel pushes from its own per-process group; checking here dead-letters a malformed
/// record once, not once per process).
pub fn decoders() -> Decoders {
    let variables = channel::events::HANDLED.iter().map(|(variable, _)| *variable).collect();
    Decoders::domains().checking(Checked { variables, check: check_channel })
}

fn check_channel(variable: &str, payload: &[u8]) -> Result<Option<String>, Reject> {
    channel::events::decode(variable, payload).map(|decoded| match decoded {
        Decoded::Message(_) => None,
        Decoded::Unhandled(kind) => Some(kind),
    })
}

/// Runs the server until SIGTERM or SIGINT.
pub fn run(args: ServeArgs) -> Result<(), ServerError> {
    args.validate()?;
    let topics = args.topic_names();
    // The embedded broker lives as long as this function: it must outlive the system.
    let broker = match &args.bootstrap_servers {
        Some(_) => None,
        None => {
            let broker = EmbeddedBroker::start()?;
            broker.create_topics(topics.all(), args.topic_partitions)?;
            Some(broker)
        }
    };
    actix_rt::System::new().block_on(async {
        let bootstrap = match (&broker, &args.bootstrap_servers) {
            (Some(broker), _) => {
                let bootstrap = broker.stable_address(EMBEDDED_BROKER_ADDRESS.into()).await;
                tracing::info!(%bootstrap, "no BOOTSTRAP_SERVERS: embedded Kafka broker started (try `kcat -b {bootstrap} -L`)");
                bootstrap
            }
            (None, servers) => servers.clone().unwrap_or_default(),
        };
        serve(args, topics, bootstrap).await
    })
}

async fn serve(args: ServeArgs, topics: Topics, bootstrap: String) -> Result<(), ServerError> {
    let url = args.database_url();
    let store = Store::connect(&url).await?;
    tracing::info!(database = %store::redact(&url), "database ready");
    if args.bootstrap_servers.is_some() {
        let spec = TopicSpec {
            names: topics.all().map(str::to_string).collect(),
            partitions: args.topic_partitions,
            replication: args.topic_replication,
        };
        // Nothing consumes before the topics exist; a signal meanwhile ends the start.
        tokio::select! {
            _ = topic_setup::ensure(&bootstrap, &spec) => {}
            _ = shutdown::signal() => {
                tracing::info!("shutting down before the topics existed");
                return Ok(());
            }
        }
    }

    let producer = producer::create(&bootstrap).map_err(ServerError::Producer)?;
    let metrics = Arc::new(Metrics::new());
    metrics.register_commit_stats(store.commit_stats());
    let publisher = Publisher::start(&bootstrap, producer.clone(), store.clone(), metrics.clone(), args.instance_lease).await?;
    let runtime = Arc::new(Runtime {
        store: store.clone(),
        publisher: Arc::new(publisher.clone()),
        topics: topics.clone(),
        metrics: metrics.clone(),
        max_attempts: args.handler_max_attempts.max(1),
    });
    let foreign = Foreign {
        http: reqwest::Client::builder().timeout(Duration::from_millis(args.foreign_timeout_ms)).build().map_err(ServerError::Http)?,
        base_url: args.base_service_url.clone(),
    };

    let workers = args.actor_arbiters.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let arbiters: Arc<Vec<ArbiterHandle>> = Arc::new(match workers {
        0 => vec![Arbiter::current()],
        n => (0..n).map(|_| Arbiter::new().handle()).collect(),
    });
    // Messengers first: characters ask them for seats (never the other way round).
    let messengers = Arc::new(Registry::<Messenger>::new(runtime.clone(), Arc::new(store.clone()), arbiters.clone()));
    let character_ports = CharacterPorts { store: store.clone(), foreign: foreign.clone(), rooms: messengers.clone() };
    let characters = Arc::new(Registry::<Character>::new(runtime.clone(), Arc::new(character_ports), arbiters.clone()));
    let saga_ports = SagaPorts { store: store.clone(), foreign: foreign.clone(), timeout: args.saga_default_timeout };
    let sagas = Arc::new(Registry::<Saga>::new(runtime, Arc::new(saga_ports), arbiters.clone()));
    spawn_passivation(characters.clone(), messengers.clone(), sagas.clone(), metrics.clone(), args.actor_idle_timeout);
    rearm_timers(&store, &characters, &sagas).await?;
    let destinations = Destinations {
        characters: characters.clone(),
        sagas: sagas.clone(),
        saga_index: SagaIndex::start(store.clone()),
        metrics: metrics.clone(),
    };
    let router = Arc::new(Router::new(decoders(), &topics, destinations));
    let consumed: Vec<String> = router.topics().into_iter().map(str::to_string).collect();
    let origin = if args.bootstrap_servers.is_some() { LogOrigin::Existing } else { LogOrigin::Fresh };
    tokio::select! {
        fenced = topic_setup::fence_positions(&store, &bootstrap, &consumed, origin) => fenced?,
        _ = shutdown::signal() => {
            tracing::info!("shutting down before consuming");
            return Ok(());
        }
    }
    let assigned = Arc::new(AtomicBool::new(false));
    if let Some(instance) = args.group_instance_id() {
        tracing::info!(%instance, "static member of the consumer group: a restart gets its partitions back at once");
    }
    let settings = consumer::Settings {
        bootstrap: bootstrap.clone(),
        group: args.consumer_group(),
        session_timeout: args.consumer_session_timeout,
        instance_id: args.group_instance_id(),
    };
    let lag = crate::live::LagSource { bootstrap: bootstrap.clone(), group: settings.group.clone(), topics: consumed.clone() };
    let dead_letters = DeadLetters::new(producer.clone(), &topics);
    let consumer = ConsumerLoop::new(&settings, router, dead_letters, metrics.clone(), assigned.clone())
        .map_err(ServerError::Consumer)?
        .on_assigned(after_assignment(publisher, store.clone(), characters.clone(), messengers, sagas.clone()));
    let (stop, stopped) = watch::channel(false);
    let consuming = actix_rt::spawn(consumer.run(stopped.clone()));
    let channel_assigned = Arc::new(AtomicBool::new(false));
    let edge_services = channel::Services { store: store.clone(), foreign, metrics: metrics.clone() };
    let edge = start_edge(&args, edge_services, &topics, producer.clone(), &bootstrap, channel_assigned.clone(), stopped.clone()).await?;
    let sessions = edge.clone();
    crate::live::spawn(metrics.clone(), store.clone(), move || sessions.sessions.len(), lag, stopped);

    let state_store = store.clone();
    let state = ApiState { store, characters, sagas, producer, topics, metrics, assigned, channel_assigned };
    let http = actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .wrap(actix_web::middleware::from_fn(rest::traced::trace))
            .app_data(actix_web::web::Data::new(state.clone()))
            .configure(rest::routes)
    })
    .workers(2)
    .disable_signals()
    .bind(("0.0.0.0", args.rest_port))
    .map_err(|source| ServerError::RestPort { port: args.rest_port, source })?
    .run();
    let http_handle = http.handle();
    tracing::info!(port = args.rest_port, "REST API listening");
    let http_task = actix_rt::spawn(http);

    shutdown::signal().await;
    let grace = args.bounds.shutdown_grace_period;
    tracing::info!(?grace, "shutting down");
    shutdown::arm_watchdog(grace);
    let drain = async {
        for session in edge.sessions.all() {
            channel::lifecycle::destroy(&edge, &session).await;
        }
        http_handle.stop(true).await;
        let _ = stop.send(true);
        let _ = consuming.await;
        let _ = http_task.await;
        // Let the publisher flush what the drained records committed.
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    if tokio::time::timeout(grace, drain).await.is_err() {
        tracing::warn!(?grace, "grace period over (is the broker gone?): exiting; unpublished outputs stay in the outbox");
    }
    match tokio::time::timeout(Duration::from_secs(2), state_store.leave()).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => {
            tracing::warn!(%error, "deregistering this process failed; its outbox rows are adopted after the lease")
        }
        Err(_) => tracing::warn!("deregistering this process timed out; its outbox rows are adopted after the lease"),
    }
    // The consumer's own arbiter (ACTOR_ARBITERS=0) stops with the system.
    if workers > 0 {
        for arbiter in arbiters.iter() {
            arbiter.stop();
        }
    }
    Ok(())
}

/// Starts the channel edge: its consumer group, its WebSocket and binary listeners,
/// registration.
async fn start_edge(
    args: &ServeArgs,
    services: channel::Services,
    topics: &Topics,
    producer: rdkafka::producer::FutureProducer,
    bootstrap: &str,
    assigned: Arc<AtomicBool>,
    stopped: watch::Receiver<bool>,
) -> Result<Arc<Edge>, ServerError> {
    let settings = channel::Settings {
        idle_timeout: args.channel_idle_timeout,
        advertised: args.advertised(),
        served: args.channel_servers.clone(),
        bounds: args.bounds.clone(),
        topics: topics.clone(),
    };
    let edge = Edge::new(services, producer, settings);
    let group = args.channel_group();
    channel::consumer::spawn(edge.clone(), bootstrap, &group, assigned, stopped).map_err(ServerError::ChannelConsumer)?;
    if args.channel_port != 0 {
        let server = channel::socket::server(edge.clone(), args.channel_port)
            .map_err(|source| ServerError::ChannelPort { port: args.channel_port, source })?;
        tracing::info!(port = args.channel_port, %group, "channel WebSocket listening");
        actix_rt::spawn(server);
    }
    let binary = channel::binary::listener::Settings {
        max_packet: args.channel_binary_max_packet,
        max_connections: args.channel_binary_max_connections,
    };
    channel::binary::listener::spawn(edge.clone(), binary).await?;
    channel::registration::spawn_heartbeat(edge.clone());
    Ok(edge)
}

/// Activates every entity with a stored deadline (cooldowns, saga timeouts) so its timer
/// is armed; activating a live actor does nothing.
async fn rearm_timers(store: &Store, characters: &Registry<Character>, sagas: &Registry<Saga>) -> Result<(), ServerError> {
    let cooling = skills_sql::characters_with_cooldowns(store).await?;
    let active = saga_sql::active(store).await?;
    tracing::info!(characters = cooling.len(), sagas = active.len(), "arming stored deadlines");
    for (tenant, character) in cooling {
        characters.activate(tenant, character);
    }
    for (tenant, saga) in active {
        sagas.activate(tenant, saga);
    }
    Ok(())
}

/// After partitions moved to this process: publish the outputs a dead process left (before
/// consuming where it stopped, so per-key order holds), drop idle actors whose state
/// another process may have changed meanwhile (they reload on next use), and arm the
/// deadlines of entities that were another process's.
fn after_assignment(
    publisher: Publisher,
    store: Store,
    characters: Arc<Registry<Character>>,
    messengers: Arc<Registry<Messenger>>,
    sagas: Arc<Registry<Saga>>,
) -> consumer::AssignedHook {
    Box::new(move || {
        let (publisher, store, characters, messengers, sagas) =
            (publisher.clone(), store.clone(), characters.clone(), messengers.clone(), sagas.clone());
        Box::pin(async move {
            if let Err(error) = publisher.adopt_orphans().await {
                tracing::warn!(%error, "adopting outbox rows after a rebalance failed; the heartbeat retries");
            }
            let dropped = characters.passivate_idle(Duration::ZERO)
                + messengers.passivate_idle(Duration::ZERO)
                + sagas.passivate_idle(Duration::ZERO);
            tracing::info!(dropped, "partitions assigned");
            if let Err(error) = rearm_timers(&store, &characters, &sagas).await {
                tracing::warn!(%error, "arming stored deadlines after a rebalance failed");
            }
        })
    })
}

/// Periodically forgets idle actors of every kind and reports the live counts.
fn spawn_passivation(
    characters: Arc<Registry<Character>>,
    messengers: Arc<Registry<Messenger>>,
    sagas: Arc<Registry<Saga>>,
    metrics: Arc<Metrics>,
    idle: Duration,
) {
    let every = (idle / 4).clamp(Duration::from_millis(200), Duration::from_secs(30));
    actix_rt::spawn(async move {
        let mut tick = tokio::time::interval(every);
        // The counts feed the live view, so they are refreshed every second even when
        // passivation runs less often.
        let mut count = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    let stopped = characters.passivate_idle(idle) + messengers.passivate_idle(idle) + sagas.passivate_idle(idle);
                    if stopped > 0 {
                        tracing::debug!(stopped, "idle actors passivated");
                    }
                }
                // Actors of absent entities (saga events for unknown transactions) are
                // forgotten within a second, however long the idle timeout.
                _ = count.tick() => {
                    sagas.passivate_idle(idle);
                }
            }
            metrics.live_actors.with_label_values(&["character"]).set(characters.len() as i64);
            metrics.live_actors.with_label_values(&["messenger"]).set(messengers.len() as i64);
            metrics.live_actors.with_label_values(&["saga"]).set(sagas.len() as i64);
        }
    });
}

#[cfg(test)]
mod channel_topic_tests {
    use super::*;
    use crate::bridge::router::Routed;

    #[test]
    fn channel_topics_are_checked_by_the_shared_group() {
        let decoders = decoders();
        let bad = br#"{"worldId":"zero","channelId":1,"mapId":100000000,"dropId":1,"type":"CREATED","body":{}}"#;
        let refused = decoders.decode_as("EVENT_TOPIC_DROP_STATUS", bad);
        assert!(matches!(refused, Some(Err(Reject::BadField(_)))), "{refused:?}");
        assert!(matches!(decoders.decode_as("EVENT_TOPIC_EXPRESSION", b"not json"), Some(Err(Reject::NotJson(_)))));
        let party = br#"{"actorId":1,"worldId":0,"partyId":1,"type":"JOINED","body":{}}"#;
        assert!(matches!(decoders.decode_as("EVENT_TOPIC_PARTY_STATUS", party), Some(Ok(Routed::Unhandled(_)))));
        assert!(decoders.variables().any(|v| v == "EVENT_TOPIC_CHARACTER_CHAT"));
        // Without the channel's check, its topics are not consumed by the shared group.
        assert!(Decoders::domains().decode_as("EVENT_TOPIC_EXPRESSION", b"not json").is_none());
    }
}
