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
pub use foreign::Foreign;
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

/// What the harness uses to run entities of every kind: the store it reads positions from
/// and commits effects to, where committed outputs go, the topic names they are committed
/// on, the metrics, and how often an input is tried. What a handler itself uses is its
/// entity's [`Entity::Ports`].
#[derive(Debug)]
pub struct Runtime {
    pub store: Store,
    pub publisher: Arc<dyn Publish>,
    pub topics: Topics,
    pub metrics: Arc<Metrics>,
    /// Attempts before a failing input is given up.
    pub max_attempts: u32,
}
