//! The channel edge (specs 50 and 51): game clients' sessions, the events pushed to them
//! and the commands their actions produce.
//!
//! - `socket`: the WebSocket transport with JSON frames (docs/client-protocol.md); the
//!   rest of the edge knows only [`frames`], so a binary transport can sit beside it.
//! - `binary`: the game's own encrypted binary protocol over TCP, one listener per served
//!   channel with a port, over the same sessions.
//! - `sessions`: connected clients, by session id and by logged-in character.
//! - `field_view`: what an entering character is shown, once its `SetField` is out;
//!   `field_pets`: the pets among it.
//! - `fields`: one actor per map instance holding who is in it, fed from
//!   EVENT_TOPIC_MAP_STATUS.
//! - `events`: decoders of the 40 consumed topics; `deliver`: who receives what.
//! - `commands`: client actions → Atlas commands; `lifecycle`: login, logout and the
//!   messages the channel produces about its own sessions.
//! - `respawn`: the saga a dead player's "OK" starts.
//! - `actions` and `updates`: the second wave's client actions and records, dispatched to
//!   the feature modules (`npc`, `quests`, `party`, `invites`, `buddies`, `migration`,
//!   `map_objects`, `fame`, `inventory`, `pets`, `storage`, `guilds`,
//!   `system_messages`).
//! - `last_wave`: the last wave's client actions and records (spec 51 §7 "Later", spec
//!   50 P3), dispatched to `guild_window`, `notes`, `cash_shop`, `chalkboards`,
//!   `gachapon`, `transports`.
//! - `consumer`: the per-process consumer group, so every process sees every event and
//!   pushes to its own sessions.

pub mod actions;
pub mod binary;
pub mod buddies;
pub mod cash_shop;
pub mod chalkboards;
pub mod commands;
pub mod consumer;
pub mod deliver;
pub mod events;
pub mod fame;
pub mod field_pets;
pub mod field_view;
pub mod fields;
pub mod frames;
pub mod gachapon;
pub mod guild_window;
pub mod guilds;
pub mod inventory;
pub mod invites;
pub mod last_wave;
pub mod lifecycle;
pub mod limits;
pub mod lookups;
pub mod map_objects;
pub mod migration;
pub mod notes;
pub mod npc;
pub mod party;
pub mod pets;
pub mod quests;
pub mod registration;
pub mod respawn;
pub mod sessions;
pub mod socket;
pub mod storage;
pub mod system_messages;
pub mod transports;
pub mod updates;

use crate::actors::Foreign;
use crate::contracts::tenant::Tenant;
use crate::contracts::topics::Topics;
use crate::metrics::Metrics;
use crate::store::{Output, Store};
use fields::Maps;
use rdkafka::producer::FutureProducer;
use sessions::Sessions;
use std::sync::Arc;
use std::time::Duration;

/// Settings of the edge.
#[derive(Debug, Clone)]
pub struct Settings {
    /// A session silent for this long is destroyed.
    pub idle_timeout: Duration,
    /// Address announced to the world service (spec 51 §3.1); `None`: no registration.
    pub advertised: Option<(String, u16)>,
    /// The channels announced to the world service.
    pub served: Vec<registration::Served>,
    /// Limits on what one client may take.
    pub bounds: crate::bounds::Bounds,
    /// The names of the topics the edge consumes and produces.
    pub topics: Topics,
}

/// What the edge uses of the rest of the process.
#[derive(Debug)]
pub struct Services {
    /// The state this process owns, read for logins (skills, macros) and messenger pushes.
    pub store: Store,
    /// Calls to the other Atlas services.
    pub foreign: Foreign,
    pub metrics: Arc<Metrics>,
}

/// The edge's shared state.
pub struct Edge {
    pub sessions: Sessions,
    pub maps: Maps,
    pub services: Services,
    pub producer: FutureProducer,
    pub settings: Settings,
    /// Logged-in accounts per tenant (EVENT_TOPIC_ACCOUNT_STATUS).
    pub accounts: dashmap::DashMap<(uuid::Uuid, u32), ()>,
    /// Tenants whose logged-in accounts were read from the account service.
    pub primed: dashmap::DashMap<uuid::Uuid, ()>,
}

/// A record the edge produces: topic variable, key id and JSON value.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub topic: &'static str,
    pub key: u32,
    pub value: serde_json::Value,
}

impl Edge {
    pub fn new(services: Services, producer: FutureProducer, settings: Settings) -> Arc<Edge> {
        Arc::new(Edge {
            sessions: Sessions::default(),
            maps: Maps::default(),
            services,
            producer,
            settings,
            accounts: Default::default(),
            primed: Default::default(),
        })
    }

    /// Publishes commands in order, each acknowledged before the next is sent (one
    /// session's commands keep their order). A failure is logged and counted.
    pub async fn publish(&self, tenant: &Tenant, commands: Vec<Command>) -> bool {
        let mut all = true;
        for command in commands {
            let topic = self.settings.topics.name(command.topic).to_string();
            let output =
                Output { topic, key: Some(command.key), value: command.value.to_string(), tenant: tenant.clone(), trace: Vec::new() };
            if let Err(error) = crate::kafka::producer::send(&self.producer, &output, None).await {
                tracing::warn!(topic = command.topic, %error, "channel command not published");
                self.services.metrics.dead_letters.with_label_values(&[command.topic, "publish_failed"]).inc();
                all = false;
            }
        }
        all
    }

    /// Whether the account is known to be logged in (spec 51 §2.6, LoggedInValidator).
    pub fn logged_in(&self, tenant: &Tenant, account: u32) -> bool {
        self.accounts.contains_key(&(tenant.id, account))
    }
}
