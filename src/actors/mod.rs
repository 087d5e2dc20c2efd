//! Supervised entity actors.
//!
//! - `entity`: the [`Entity`] trait a domain implements and the [`Effects`] it returns.
//! - `supervised`: the actix actor that runs one entity (ordering, retries, commit, timers).
//! - `registry`: finds or starts an entity's actor; passivates idle ones.
//! - `character`: the character entity (skills, macros, cooldowns, ...).
//! - `foreign`: calls to the other Atlas services.
//! - `saga`: saga orchestration (spec 40).
//! - `messengers`: one actor per messenger, and the character's side of it (spec 30).

pub mod character;
pub mod entity;
pub mod foreign;
pub mod messengers;
pub mod registry;
pub mod saga;
pub mod supervised;

pub use entity::{Ask, Effects, Emitted, Entity, EntityError, Meta, TimerOp};
pub use registry::Registry;

use crate::contracts::topics::Topics;
use crate::metrics::Metrics;
use crate::store::{OutboxRow, Store};
use std::sync::Arc;

/// Where committed outputs go to be published: the port the actors publish through. The
/// bridge's outbox publisher implements it; the actors never name the bridge.
pub trait Publish: std::fmt::Debug + Send + Sync {
    /// Hands committed outbox rows on; they are in the outbox already, so this cannot fail.
    fn publish(&self, rows: Vec<OutboxRow>);
}

/// What every entity handler may use. Shared by all actors.
#[derive(Debug)]
pub struct Services {
    pub store: Store,
    pub publisher: Arc<dyn Publish>,
    /// The topic names emitted records are committed on.
    pub topics: Topics,
    pub metrics: Arc<Metrics>,
    /// Client for the foreign Atlas services (connection reuse across calls).
    pub http: reqwest::Client,
    pub foreign: Foreign,
    /// Attempts before a failing input is given up.
    pub max_attempts: u32,
    /// How long a saga may run before it is failed (`SAGA_DEFAULT_TIMEOUT`).
    pub saga_timeout: std::time::Duration,
    /// The messenger actors, which character actors ask for seats (set once at start-up:
    /// the registry itself holds these services).
    pub rooms: std::sync::OnceLock<Arc<Registry<messengers::Messenger>>>,
}

/// Where the foreign Atlas services are: `BASE_SERVICE_URL`, or a per-service override
/// variable (e.g. `CHARACTERS` for the character service) when set.
#[derive(Debug, Clone)]
pub struct Foreign {
    pub base_url: String,
}

impl Foreign {
    /// The root URL of a foreign service, ending with `/`.
    pub fn root(&self, service_variable: &str) -> String {
        let root = std::env::var(service_variable).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| self.base_url.clone());
        if root.ends_with('/') {
            root
        } else {
            format!("{root}/")
        }
    }
}
