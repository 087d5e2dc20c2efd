#![allow(dead_code)]

//! What the in-process benches share: a character registry wired as the server wires it
//! (SQLite store, outbox publisher on an embedded broker, one arbiter per core), with the
//! foreign services unreachable so effective stats fall back at once.

use actix::{Arbiter, ArbiterHandle};
use atlas_actors::actors::character::{Character, CharacterInput, CharacterPorts};
use atlas_actors::actors::{Foreign, Meta, Registry, Runtime};
use atlas_actors::bridge::router::{Decoders, Dispatch, Routed};
use atlas_actors::bridge::Publisher;
use atlas_actors::broker::EmbeddedBroker;
use atlas_actors::contracts::tenant::Tenant;
use atlas_actors::contracts::topics::Topics;
use atlas_actors::kafka::producer;
use atlas_actors::metrics::Metrics;
use atlas_actors::store::Store;
use std::sync::Arc;
use std::time::Duration;

/// The server's decoders (the domains' and the channel's check), built once.
static DECODERS: std::sync::LazyLock<Decoders> = std::sync::LazyLock::new(atlas_actors::server::decoders);

fn decode_as(variable: &str, payload: &[u8]) -> Option<Result<Routed, atlas_actors::contracts::decode::Reject>> {
    DECODERS.decode_as(variable, payload)
}

pub struct Rig {
    pub registry: Arc<Registry<Character>>,
    pub store: Store,
    pub tenant: Tenant,
    _broker: EmbeddedBroker,
}

/// Builds the rig; call inside a running actix system.
pub async fn rig() -> Rig {
    let broker = EmbeddedBroker::start().expect("broker");
    let url = format!("sqlite://{}/atlas-bench-{}.db?mode=rwc", std::env::temp_dir().display(), uuid::Uuid::new_v4());
    let store = Store::connect(&url).await.expect("store");
    let producer = producer::create(broker.bootstrap_servers()).expect("producer");
    let metrics = Arc::new(Metrics::new());
    let publisher = Publisher::start(broker.bootstrap_servers(), producer, store.clone(), metrics.clone(), Duration::from_secs(5))
        .await
        .expect("publisher");
    let runtime =
        Arc::new(Runtime { store: store.clone(), publisher: Arc::new(publisher), topics: Topics::from_env(), metrics, max_attempts: 3 });
    let foreign = Foreign {
        http: reqwest::Client::builder().timeout(Duration::from_millis(200)).build().expect("http"),
        base_url: "http://127.0.0.1:9/api/".into(),
    };
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let arbiters: Arc<Vec<ArbiterHandle>> = Arc::new((0..workers).map(|_| Arbiter::new().handle()).collect());
    let rooms = Arc::new(Registry::new(runtime.clone(), Arc::new(store.clone()), arbiters.clone()));
    let ports = CharacterPorts { store: store.clone(), foreign, rooms };
    let registry = Arc::new(Registry::new(runtime, Arc::new(ports), arbiters));
    let tenant = Tenant { id: uuid::Uuid::new_v4(), region: "GMS".into(), major: 83, minor: 1 };
    Rig { registry, store, tenant, _broker: broker }
}

impl Rig {
    pub fn meta(&self) -> Meta {
        Meta { tenant: self.tenant.clone(), position: None, trace: vec![] }
    }
}

/// The character input a record of `variable` decodes to.
pub fn input(variable: &str, value: &str) -> CharacterInput {
    match decode_as(variable, value.as_bytes()) {
        Some(Ok(Routed::Dispatch(dispatches))) => dispatches
            .into_iter()
            .find_map(|dispatch| match dispatch {
                Dispatch::Character { input, .. } => Some(input),
                _ => None,
            })
            .expect("a character input"),
        _ => panic!("does not decode: {value}"),
    }
}

/// A buff APPLIED event: handled by the character in memory (its effective-stats entry),
/// without effects to commit and without calls to other services: a pure round trip. (A
/// LOGIN is not one: it resolves the character's messenger entry from the character
/// service first.)
pub fn buff(character: u32) -> CharacterInput {
    let value = format!(
        r#"{{"worldId":0,"characterId":{character},"type":"APPLIED","body":{{"fromId":{character},"sourceId":1301007,"duration":300000,"changes":[{{"type":"HYPER_BODY_HP","amount":40}}],"createdAt":"2026-02-03T18:37:12Z","expiresAt":"2026-02-03T18:42:12Z"}}}}"#
    );
    input("EVENT_TOPIC_CHARACTER_BUFF_STATUS", &value)
}
