//! What an entity actor is: the [`Entity`] trait each domain implements (load, handle an
//! input, fire a timer) and the [`Effects`] it returns, which the harness in
//! `supervised.rs` makes durable in one transaction.

use crate::contracts::tenant::Tenant;
use crate::contracts::topics::Topics;
use crate::store::{Output, Position, StoreError, Write};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt::{Debug, Display};
use std::future::Future;
use std::hash::Hash;

/// Where an input came from and whom its outputs belong to.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    pub tenant: Tenant,
    /// The consumed record's position; `None` for inputs that do not come from Kafka.
    pub position: Option<Position>,
    /// Headers to copy onto outputs and foreign calls: trace context and environment
    /// ([`crate::carried`]).
    pub trace: Vec<(String, String)>,
}

/// A timer change requested by a handler.
#[derive(Debug, Clone, PartialEq)]
pub enum TimerOp<T> {
    /// Arms (or re-arms, replacing one of the same name) a timer firing at `at`.
    Arm {
        name: String,
        at: DateTime<Utc>,
        timer: T,
    },
    Cancel {
        name: String,
    },
}

/// A record a handler emits, its topic still a variable: the harness names it with the
/// [`Topics`] resolved at start-up when it commits, so handlers need no topic names.
#[derive(Debug, Clone, PartialEq)]
pub struct Emitted {
    pub topic_variable: &'static str,
    pub key: u32,
    pub value: String,
    pub tenant: Tenant,
    pub trace: Vec<(String, String)>,
}

impl Emitted {
    /// The outbox row of this record, on its topic's name.
    pub fn into_output(self, topics: &Topics) -> Output {
        Output {
            topic: topics.name(self.topic_variable).to_string(),
            key: Some(self.key),
            value: self.value,
            tenant: self.tenant,
            trace: self.trace,
        }
    }
}

/// What handling one input does: state writes, outputs, timer changes. Writes and outputs
/// are committed together with the input's position, or not at all.
#[derive(Debug, Clone, PartialEq)]
pub struct Effects<T> {
    pub writes: Vec<Write>,
    pub outputs: Vec<Emitted>,
    pub timers: Vec<TimerOp<T>>,
}

impl<T> Default for Effects<T> {
    fn default() -> Self {
        Effects { writes: Vec::new(), outputs: Vec::new(), timers: Vec::new() }
    }
}

impl<T> Effects<T> {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn write(&mut self, write: Write) -> &mut Self {
        self.writes.push(write);
        self
    }

    /// Emits `value` on the topic of `topic_variable`, keyed by `key`, with the tenant and
    /// trace of `meta`.
    pub fn emit(&mut self, topic_variable: &'static str, key: u32, value: &impl Serialize, meta: &Meta) -> &mut Self {
        self.emit_as(topic_variable, key, value, &meta.tenant, &meta.trace)
    }

    /// Emits with an explicit tenant and trace (timer-driven outputs use those of the input
    /// that armed the timer).
    pub fn emit_as(
        &mut self,
        topic_variable: &'static str,
        key: u32,
        value: &impl Serialize,
        tenant: &Tenant,
        trace: &[(String, String)],
    ) -> &mut Self {
        self.outputs.push(Emitted {
            topic_variable,
            key,
            // Serializing our own plain structs cannot fail.
            value: serde_json::to_string(value).unwrap_or_default(),
            tenant: tenant.clone(),
            trace: trace.to_vec(),
        });
        self
    }

    pub fn arm(&mut self, name: String, at: DateTime<Utc>, timer: T) -> &mut Self {
        self.timers.push(TimerOp::Arm { name, at, timer });
        self
    }

    pub fn cancel(&mut self, name: String) -> &mut Self {
        self.timers.push(TimerOp::Cancel { name });
        self
    }

    /// Adds another set of effects after these.
    pub fn extend(&mut self, other: Effects<T>) -> &mut Self {
        self.writes.extend(other.writes);
        self.outputs.extend(other.outputs);
        self.timers.extend(other.timers);
        self
    }

    pub fn is_durable_noop(&self) -> bool {
        self.writes.is_empty() && self.outputs.is_empty()
    }
}

/// Why an entity could not be loaded, or an input or timer could not be handled: the
/// harness throws the in-memory state away and retries, then gives the input up.
#[derive(Debug, thiserror::Error)]
pub enum EntityError {
    /// The store failed (including a guarded write that lost an optimistic lock).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A query of the domain's own failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// A fault injected by the reliability tests (`ATLAS_CHAOS_FAILING_ENTITY`).
    #[cfg(feature = "chaos")]
    #[error(transparent)]
    Injected(#[from] crate::chaos::Injected),
    /// A stored saga could not be read back (its query failed, or its document does not
    /// decode).
    #[error(transparent)]
    Saga(#[from] super::saga::sql::SagaRowError),
    /// The messenger side of a character failed: its reads, or a request the messenger's
    /// actor did not answer.
    #[error(transparent)]
    Membership(#[from] super::messengers::member::MembershipError),
}

/// A stateful entity owned by one actor (a character, a messenger, a saga).
///
/// The harness guarantees: one input or timer at a time; `handle` is only called on state
/// that `load` produced and that every earlier successful input updated; if `handle`
/// errors or panics, or its effects cannot be committed, the in-memory state is thrown
/// away and reloaded from the store before the input is retried.
pub trait Entity: Sized + Unpin + 'static {
    type Id: Clone + Eq + Hash + Display + Debug + Send + Sync + Unpin + 'static;
    type Input: Clone + Debug + Send + Unpin + 'static;
    type Timer: Clone + Debug + Unpin + 'static;
    /// What the entity's handlers use besides their state: only the ports this kind needs
    /// (the store, calls to other services, other kinds' actors, settings). The harness
    /// needs none of them: it has its own [`super::Runtime`].
    type Ports: Send + Sync + 'static;

    /// The entity kind, stored with positions (`character`, `messenger`, `saga`).
    const KIND: &'static str;

    /// Loads the committed state of an entity (a fresh one if it has none).
    fn load(ports: &Self::Ports, tenant: uuid::Uuid, id: &Self::Id) -> impl Future<Output = Result<Self, EntityError>>;

    /// Handles one input, updating the in-memory state and returning what must be made
    /// durable. An error means "retry later"; refusals of bad input are `Ok` with no effects.
    fn handle(
        &mut self,
        ports: &Self::Ports,
        input: Self::Input,
        meta: &Meta,
    ) -> impl Future<Output = Result<Effects<Self::Timer>, EntityError>>;

    /// Handles a timer that came due.
    fn on_timer(&mut self, ports: &Self::Ports, timer: Self::Timer) -> impl Future<Output = Result<Effects<Self::Timer>, EntityError>>;

    /// Timers to arm after a (re)load: the entity's durable deadlines.
    fn timers(&self) -> Vec<(String, DateTime<Utc>, Self::Timer)>;

    /// Whether the entity holds in-memory state that is not stored and must outlive idle
    /// periods (a character's effective stats, which only a session end drops): such an
    /// actor is never passivated. Asked after every input and timer.
    fn resident(&self) -> bool {
        false
    }

    /// Whether handling `input` acts on durable state beyond this entity's own unit (it
    /// asks another entity's actor, whose answer is committed on its own): such an input
    /// is handled alone, once every earlier unit is durable, and nothing after it is
    /// handled until its own unit is. Units that were not durable at a crash come again
    /// in a new interleaving of their partitions; for inputs whose effects are all in
    /// their own unit that is harmless, but an input that adopts the answer stored for
    /// its earlier delivery would adopt it on a state it was not given for.
    fn exclusive(_input: &Self::Input) -> bool {
        false
    }

    /// Whether the entity does not exist: nothing is stored for it and the inputs it handled
    /// created nothing (a saga event for a transaction no saga here runs). Reads must not
    /// make actors that outlive them, so such an actor is passivated at the registry's next
    /// sweep whatever its idle time, and its inputs are counted as skipped. Asked after every
    /// input.
    fn absent(&self) -> bool {
        false
    }
}

/// A reply port carried inside an input (for reads answered by the actor, e.g. a REST GET
/// of in-memory state). Cloning shares the port; the first `send` wins.
pub struct Ask<T>(std::sync::Arc<std::sync::Mutex<Option<tokio::sync::oneshot::Sender<T>>>>);

impl<T> Ask<T> {
    pub fn new() -> (Ask<T>, tokio::sync::oneshot::Receiver<T>) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        (Ask(std::sync::Arc::new(std::sync::Mutex::new(Some(tx)))), rx)
    }

    pub fn send(&self, value: T) {
        if let Some(tx) = self.0.lock().ok().and_then(|mut port| port.take()) {
            let _ = tx.send(value);
        }
    }
}

impl<T> Clone for Ask<T> {
    fn clone(&self) -> Self {
        Ask(self.0.clone())
    }
}

impl<T> Debug for Ask<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ask")
    }
}

impl<T> PartialEq for Ask<T> {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}
