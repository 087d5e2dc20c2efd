//! The actix actor that owns one entity: loads it, feeds it one input at a time, commits
//! its effects (state, position, outbox) through the group committer, runs its timers, and
//! survives failures.
//!
//! Write-behind pipelining: once an input is handled, its unit goes to the committer and
//! the next input is handled at once on the updated in-memory state, up to
//! `PIPELINE_DEPTH` units not yet durable. An input is answered (and its record's offset
//! may move) only once its unit is durable, and its outputs are published only then, in the
//! order handled. Inputs that do not come from Kafka and timers wait until every earlier
//! unit is durable, so nothing outside sees state that could still be rolled back. An
//! exclusive input (one that asks another entity, [`Entity::exclusive`]) runs alone: after
//! every earlier unit is durable, and before any later input is handled.
//!
//! Failure model: a handler error, a panic (caught at the handler boundary: actix does not
//! restart an actor whose handler panicked) or a failed commit stops the actor, once the
//! units it already handed over are settled. The units behind a failed one are refused by
//! the committer unapplied (they were computed on its effects, see `store::Fence`). The
//! `Supervisor` restarts the actor on the same mailbox; the restart reloads the committed
//! state and handles the failed input again after a backoff of 100 ms × attempt, then the
//! refused ones, before any later input. After `max_attempts` the input is given up and
//! reported as failed (the bridge dead-letters it); the ones behind it are not.

use super::entity::{Effects, Entity, EntityError, Meta, TimerOp};
use super::Runtime;
#[cfg(feature = "chaos")]
use crate::chaos;
use crate::store::{EntityRef, Fence, OutboxRow, Positions, StoreError};
use actix::prelude::*;
use chrono::{DateTime, Utc};
use futures::FutureExt as _;
use std::collections::{HashMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// How an input ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Done,
    /// Its position was already applied (a redelivery): nothing done.
    Skipped,
}

/// Why an attempt at an input (or a timer, or a load) failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Failure {
    /// The entity or the commit returned an error.
    #[error("{0}")]
    Error(Arc<EntityError>),
    /// The handler panicked (the text of the panic, when it had one).
    #[error("panic: {0}")]
    Panicked(String),
}

/// Why an input was not applied.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DeliveryError {
    #[error("handler failed {attempts} times: {cause}")]
    Failed { attempts: u32, cause: Failure },
    #[error("the actor went away before answering")]
    Lost,
}

pub type Reply = Result<Applied, DeliveryError>;

/// Hands one input to the entity; the outcome is sent on `reply` once its effects are
/// durable.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Deliver<I: Send> {
    pub input: I,
    pub meta: Meta,
    pub reply: oneshot::Sender<Reply>,
}

/// Test and chaos hook: stops the actor as if it had crashed (the supervisor restarts it).
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub struct Kill;

/// Activity counters shared with the registry, which passivates idle actors.
#[derive(Debug, Default)]
pub struct Activity {
    pub inflight: AtomicUsize,
    pub timers: AtomicUsize,
    pub last_used_ms: AtomicU64,
    /// The entity holds unstored state it must keep ([`Entity::resident`]).
    pub resident: AtomicBool,
    /// The entity does not exist ([`Entity::absent`]): forgotten at the next sweep.
    pub absent: AtomicBool,
}

impl Activity {
    pub fn touch(&self) {
        self.last_used_ms.store(now_ms(), Ordering::Relaxed);
    }
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or_default()
}

struct InFlight<I> {
    input: I,
    meta: Meta,
    reply: Option<oneshot::Sender<Reply>>,
    attempts: u32,
}

impl<I> InFlight<I> {
    fn answer(&mut self, outcome: Reply) {
        if let Some(reply) = self.reply.take() {
            let _ = reply.send(outcome);
        }
    }
}

/// An input whose effects were handed to the committer and are not durable yet.
struct Uncommitted<I> {
    seq: u64,
    in_flight: InFlight<I>,
    started: std::time::Instant,
    /// The committer's answer once it came: answers may be seen out of order, and are
    /// settled in order.
    outcome: Option<Result<Vec<OutboxRow>, Failure>>,
    /// Nothing is handled behind this unit until it is durable ([`Entity::exclusive`]).
    exclusive: bool,
    #[cfg(feature = "chaos")]
    ordinal: u64,
}

/// Most units of one entity handed to the committer and not yet durable. Past it the actor
/// waits: it bounds what a failed commit makes the entity replay.
const PIPELINE_DEPTH: usize = 32;

pub struct EntityActor<E: Entity> {
    entity: EntityRef,
    id: E::Id,
    runtime: Arc<Runtime>,
    ports: Arc<E::Ports>,
    activity: Arc<Activity>,
    state: Option<E>,
    positions: Positions,
    /// Inputs received and not handled yet, in order (replays first).
    queue: VecDeque<InFlight<E::Input>>,
    /// Inputs handled whose units are with the committer, in the order handed over.
    uncommitted: VecDeque<Uncommitted<E::Input>>,
    /// Shared with this incarnation's units in the committer.
    fence: Arc<Fence>,
    next_seq: u64,
    /// A handler runs (the state is taken).
    handling: bool,
    /// The actor restarts once its uncommitted units are settled: a handler or a commit
    /// failed, or it was told to stop.
    draining: bool,
    /// Inputs to run again after the restart, in order: units refused because an earlier
    /// one failed, then the input whose handling or commit failed.
    replay: Vec<InFlight<E::Input>>,
    timers: HashMap<String, SpawnHandle>,
    /// Bumped on every start, so timers of an earlier incarnation are ignored.
    generation: u64,
    load_failures: u32,
}

impl<E: Entity> EntityActor<E> {
    pub fn new(tenant: uuid::Uuid, id: E::Id, runtime: Arc<Runtime>, ports: Arc<E::Ports>, activity: Arc<Activity>) -> Self {
        EntityActor {
            entity: EntityRef { tenant, kind: E::KIND, id: id.to_string() },
            id,
            runtime,
            ports,
            activity,
            state: None,
            positions: Positions::default(),
            queue: VecDeque::new(),
            uncommitted: VecDeque::new(),
            fence: Arc::default(),
            next_seq: 0,
            handling: false,
            draining: false,
            replay: Vec::new(),
            timers: HashMap::new(),
            generation: 0,
            load_failures: 0,
        }
    }

    /// Handles queued inputs while it may: the state is loaded, no handler runs, the
    /// pipeline has room, and the next input needs no barrier. An input that does not come
    /// from Kafka (a REST command, a read answered from memory) waits until every earlier
    /// unit is durable, so it never sees state that could still be rolled back; so does an
    /// exclusive input, and nothing passes an exclusive unit until it is durable.
    fn pump(&mut self, ctx: &mut Context<Self>) {
        while !self.handling && !self.draining && self.state.is_some() {
            let Some(next) = self.queue.front() else {
                // Most actors sit idle between inputs: they keep no buffer meanwhile.
                self.queue.shrink_to_fit();
                return;
            };
            let settled_first = next.meta.position.is_none() || E::exclusive(&next.input);
            let behind_exclusive = self.uncommitted.back().is_some_and(|u| u.exclusive);
            let barrier = (settled_first && !self.uncommitted.is_empty()) || behind_exclusive;
            if barrier || self.uncommitted.len() >= PIPELINE_DEPTH {
                return;
            }
            let Some(mut in_flight) = self.queue.pop_front() else { return };
            if in_flight.meta.position.as_ref().is_some_and(|p| self.positions.covers(p)) {
                self.runtime.metrics.redeliveries_skipped.inc();
                in_flight.answer(Ok(Applied::Skipped));
                continue;
            }
            self.handle_next(in_flight, ctx);
        }
    }

    /// Feeds one input to the entity; the mailbox waits meanwhile.
    fn handle_next(&mut self, in_flight: InFlight<E::Input>, ctx: &mut Context<Self>) {
        let Some(mut state) = self.state.take() else { return };
        self.handling = true;
        let ports = self.ports.clone();
        let input = in_flight.input.clone();
        let meta = in_flight.meta.clone();
        #[cfg(feature = "chaos")]
        let entity = self.entity.id.clone();
        let started = std::time::Instant::now();
        let work = async move {
            let outcome = AssertUnwindSafe(crate::carried::scope(meta.trace.clone(), async {
                #[cfg(feature = "chaos")]
                chaos::fail_entity(&entity)?;
                let handling = crate::telemetry::child_span("handle", &meta.trace);
                tracing::Instrument::instrument(state.handle(&ports, input, &meta), handling).await
            }))
            .catch_unwind()
            .await;
            (state, flatten(outcome))
        };
        ctx.wait(work.into_actor(self).map(move |(state, outcome), act, ctx| {
            act.handling = false;
            match outcome {
                Ok(effects) => act.handled(in_flight, state, effects, started, ctx),
                Err(cause) => {
                    // The state may hold the failed attempt's changes: it is thrown away.
                    act.runtime.metrics.handler_seconds.observe(started.elapsed().as_secs_f64());
                    act.failed(in_flight, cause, ctx);
                }
            }
            act.pump(ctx);
        }));
    }

    /// An input was handled: its effects go to the committer, and the next input may be
    /// handled at once on the updated state (write-behind); its answer waits for durability.
    fn handled(
        &mut self,
        mut in_flight: InFlight<E::Input>,
        state: E,
        effects: Effects<E::Timer>,
        started: std::time::Instant,
        ctx: &mut Context<Self>,
    ) {
        self.activity.resident.store(state.resident(), Ordering::Relaxed);
        let absent = state.absent();
        self.activity.absent.store(absent, Ordering::Relaxed);
        self.state = Some(state);
        if let Some(position) = &in_flight.meta.position {
            if absent {
                self.runtime.metrics.unhandled.with_label_values(&[&position.topic, "unknown entity"]).inc();
            }
            self.positions.advance(position);
        }
        let Effects { writes, outputs, timers } = effects;
        self.apply_timers(timers, ctx);
        if writes.is_empty() && outputs.is_empty() {
            self.runtime.metrics.handler_seconds.observe(started.elapsed().as_secs_f64());
            in_flight.answer(Ok(Applied::Done));
            return;
        }
        #[cfg(feature = "chaos")]
        let ordinal = chaos::next_input();
        #[cfg(feature = "chaos")]
        if let Err(cause) = strike(chaos::Point::BeforeCommit, ordinal, in_flight.attempts == 0) {
            return self.failed(in_flight, cause, ctx);
        }
        if !self.uncommitted.is_empty() {
            self.runtime.metrics.pipelined.inc();
        }
        let position = in_flight.meta.position.clone().map(|p| (self.entity.clone(), p));
        let outputs = outputs.into_iter().map(|emitted| emitted.into_output(&self.runtime.topics)).collect();
        let answer = self.runtime.store.submit(writes, position, outputs, Some(self.fence.clone()));
        let seq = self.next_seq;
        self.next_seq += 1;
        let in_flight_trace = in_flight.meta.trace.clone();
        let exclusive = E::exclusive(&in_flight.input);
        self.uncommitted.push_back(Uncommitted {
            seq,
            in_flight,
            started,
            outcome: None,
            exclusive,
            #[cfg(feature = "chaos")]
            ordinal,
        });
        // The commit span runs from the hand-over until the unit is durable or refused.
        let committing = crate::telemetry::child_span("commit", &in_flight_trace);
        ctx.spawn(tracing::Instrument::instrument(answer, committing).into_actor(self).map(move |answer, act, ctx| {
            let outcome = match answer {
                Ok(Ok(rows)) => Ok(rows),
                Ok(Err(error)) => Err(Failure::Error(Arc::new(error.into()))),
                Err(_) => Err(Failure::Error(Arc::new(StoreError::Closed.into()))),
            };
            act.settle(seq, outcome, ctx);
        }));
    }

    /// Records the committer's answer for unit `seq`, then settles the pipeline's head in
    /// order: a durable unit's outputs are published and its input answered; a failed unit
    /// starts the drain that ends in a restart, and the units behind it are replayed.
    fn settle(&mut self, seq: u64, outcome: Result<Vec<OutboxRow>, Failure>, ctx: &mut Context<Self>) {
        if let Some(unit) = self.uncommitted.iter_mut().find(|u| u.seq == seq) {
            unit.outcome = Some(outcome);
        }
        while self.uncommitted.front().is_some_and(|u| u.outcome.is_some()) {
            let Some(mut unit) = self.uncommitted.pop_front() else { break };
            self.runtime.metrics.handler_seconds.observe(unit.started.elapsed().as_secs_f64());
            match unit.outcome.take() {
                Some(Ok(rows)) => {
                    #[cfg(feature = "chaos")]
                    chaos::committed();
                    self.runtime.publisher.publish(rows);
                    #[cfg(feature = "chaos")]
                    if let Err(cause) = strike(chaos::Point::AfterCommit, unit.ordinal, unit.in_flight.attempts == 0) {
                        // Durable but unanswered, as after a crash: the replay finds it applied.
                        self.failed(unit.in_flight, cause, ctx);
                        continue;
                    }
                    unit.in_flight.answer(Ok(Applied::Done));
                }
                // Behind a failure, units were refused or failed because of it: replayed
                // without counting an attempt.
                Some(Err(_)) if self.draining => self.replay.push(unit.in_flight),
                Some(Err(cause)) => self.failed(unit.in_flight, cause, ctx),
                None => {}
            }
        }
        if self.uncommitted.is_empty() {
            self.uncommitted.shrink_to_fit();
        }
        if self.draining {
            self.restart_when_settled(ctx);
        } else {
            self.pump(ctx);
        }
    }

    /// An input's handling or commit failed: count the attempt, give it up after the limit,
    /// and restart once the units before it are settled, so the next attempt (or the next
    /// input) runs on freshly loaded state.
    fn failed(&mut self, mut in_flight: InFlight<E::Input>, cause: Failure, ctx: &mut Context<Self>) {
        in_flight.attempts += 1;
        tracing::warn!(entity = %self.entity.id, kind = E::KIND, attempt = in_flight.attempts, reason = %cause, "handler failed");
        if in_flight.attempts >= self.runtime.max_attempts {
            let attempts = in_flight.attempts;
            in_flight.answer(Err(DeliveryError::Failed { attempts, cause }));
        } else {
            self.replay.push(in_flight);
        }
        self.draining = true;
        self.restart_when_settled(ctx);
    }

    /// Restarts (the supervisor reloads the state) once no unit is with the committer: one
    /// still there may yet commit, and the reload must see it.
    fn restart_when_settled(&mut self, ctx: &mut Context<Self>) {
        if self.uncommitted.is_empty() && !self.handling {
            for in_flight in self.replay.drain(..).rev() {
                self.queue.push_front(in_flight);
            }
            ctx.stop();
        }
    }

    fn apply_timers(&mut self, ops: Vec<TimerOp<E::Timer>>, ctx: &mut Context<Self>) {
        for op in ops {
            match op {
                TimerOp::Arm { name, at, timer } => self.arm(name, at, timer, ctx),
                TimerOp::Cancel { name } => {
                    if let Some(handle) = self.timers.remove(&name) {
                        ctx.cancel_future(handle);
                    }
                }
            }
        }
        self.activity.timers.store(self.timers.len(), Ordering::Relaxed);
    }

    fn arm(&mut self, name: String, at: DateTime<Utc>, timer: E::Timer, ctx: &mut Context<Self>) {
        if let Some(handle) = self.timers.remove(&name) {
            ctx.cancel_future(handle);
        }
        let delay = (at - Utc::now()).to_std().unwrap_or(Duration::ZERO);
        let generation = self.generation;
        let key = name.clone();
        let handle = ctx.run_later(delay, move |act, ctx| {
            if act.generation == generation {
                act.fire(key, at, timer, ctx);
            }
        });
        self.timers.insert(name, handle);
        self.activity.timers.store(self.timers.len(), Ordering::Relaxed);
    }

    fn fire(&mut self, name: String, at: DateTime<Utc>, timer: E::Timer, ctx: &mut Context<Self>) {
        self.timers.remove(&name);
        // Never early: a timer may wake a little before the wall clock reaches `at`; and
        // only between inputs, once every earlier unit is durable (a timer is a barrier,
        // like any input that does not come from Kafka).
        let busy = self.state.is_none() || self.handling || self.draining || !self.uncommitted.is_empty();
        if Utc::now() < at || busy {
            let at = at.max(Utc::now() + chrono::Duration::milliseconds(5));
            self.arm(name, at, timer, ctx);
            return;
        }
        let Some(mut state) = self.state.take() else { return };
        let (runtime, ports) = (self.runtime.clone(), self.ports.clone());
        let fence = self.fence.clone();
        self.handling = true;
        self.activity.inflight.fetch_add(1, Ordering::Relaxed);
        let work = async move {
            let outcome = AssertUnwindSafe(async {
                let effects = state.on_timer(&ports, timer).await?;
                commit(&runtime, effects, fence).await
            })
            .catch_unwind()
            .await;
            (state, outcome)
        };
        ctx.wait(work.into_actor(self).map(|(state, outcome), act, ctx| {
            act.handling = false;
            act.activity.inflight.fetch_sub(1, Ordering::Relaxed);
            act.activity.touch();
            match flatten(outcome) {
                Ok(timer_ops) => {
                    act.activity.resident.store(state.resident(), Ordering::Relaxed);
                    act.state = Some(state);
                    act.apply_timers(timer_ops, ctx);
                    act.pump(ctx);
                }
                Err(cause) => {
                    // The restart reloads the state and re-arms its durable timers.
                    tracing::warn!(entity = %act.entity.id, kind = E::KIND, reason = %cause, "timer handler failed");
                    act.draining = true;
                    act.restart_when_settled(ctx);
                }
            }
        }));
    }
}

/// Makes a timer's effects durable and hands their outputs to the publisher; returns the
/// timer ops.
async fn commit<T>(runtime: &Runtime, effects: Effects<T>, fence: Arc<Fence>) -> Result<Vec<TimerOp<T>>, EntityError> {
    if !effects.is_durable_noop() {
        let outputs = effects.outputs.into_iter().map(|emitted| emitted.into_output(&runtime.topics)).collect();
        let answer = runtime.store.submit(effects.writes, None, outputs, Some(fence));
        let rows = answer.await.unwrap_or(Err(StoreError::Closed))?;
        #[cfg(feature = "chaos")]
        chaos::committed();
        runtime.publisher.publish(rows);
    }
    Ok(effects.timers)
}

fn flatten<T>(outcome: Result<Result<T, EntityError>, Box<dyn std::any::Any + Send>>) -> Result<T, Failure> {
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(Failure::Error(Arc::new(error))),
        Err(panic) => Err(panicked(panic)),
    }
}

fn panicked(panic: Box<dyn std::any::Any + Send>) -> Failure {
    Failure::Panicked(match panic.downcast_ref::<&str>() {
        Some(text) => text.to_string(),
        None => panic.downcast_ref::<String>().cloned().unwrap_or_else(|| "(no message)".to_string()),
    })
}

/// An injected crash point, caught here: outside a handler's future, a panic would take
/// the arbiter's thread down with every actor on it.
#[cfg(feature = "chaos")]
fn strike(point: chaos::Point, ordinal: u64, first_attempt: bool) -> Result<(), Failure> {
    std::panic::catch_unwind(|| chaos::strike(point, ordinal, first_attempt)).map_err(panicked)
}

impl<E: Entity> Actor for EntityActor<E> {
    type Context = Context<Self>;

    /// Loads the committed state, arms its durable timers, then handles the queued inputs,
    /// the previous incarnation's replays first. The mailbox waits meanwhile. A load failure
    /// stops the actor (the supervisor restarts it, with a growing delay).
    fn started(&mut self, ctx: &mut Context<Self>) {
        self.generation += 1;
        self.fence = Arc::default();
        self.draining = false;
        let (runtime, ports) = (self.runtime.clone(), self.ports.clone());
        let entity = self.entity.clone();
        let id = self.id.clone();
        let attempts = self.queue.front().map_or(0, |f| f.attempts);
        let delay = Duration::from_millis(100 * u64::from(attempts.max(self.load_failures.min(50))));
        let load = async move {
            tokio::time::sleep(delay).await;
            let positions = runtime.store.positions(&entity).await?;
            let state = E::load(&ports, entity.tenant, &id).await?;
            Ok::<_, EntityError>((state, positions))
        };
        ctx.wait(load.into_actor(self).map(|loaded, act, ctx| match loaded {
            Ok((state, positions)) => {
                act.load_failures = 0;
                let timers = state.timers();
                act.state = Some(state);
                act.positions = positions;
                for (name, at, timer) in timers {
                    act.arm(name, at, timer, ctx);
                }
                act.pump(ctx);
            }
            Err(error) => {
                act.load_failures += 1;
                tracing::error!(entity = %act.entity.id, kind = E::KIND, "loading state failed: {error:#}");
                ctx.stop();
            }
        }));
    }
}

impl<E: Entity> Supervised for EntityActor<E> {
    fn restarting(&mut self, _ctx: &mut Context<Self>) {
        self.runtime.metrics.actor_restarts.with_label_values(&[E::KIND]).inc();
        self.state = None;
        self.handling = false;
        self.timers.clear();
        self.activity.timers.store(0, Ordering::Relaxed);
        self.activity.resident.store(false, Ordering::Relaxed);
    }
}

impl<E: Entity> Handler<Deliver<E::Input>> for EntityActor<E> {
    type Result = ();

    fn handle(&mut self, msg: Deliver<E::Input>, ctx: &mut Context<Self>) {
        self.queue.push_back(InFlight { input: msg.input, meta: msg.meta, reply: Some(msg.reply), attempts: 0 });
        self.pump(ctx);
    }
}

impl<E: Entity> Handler<Kill> for EntityActor<E> {
    type Result = ();

    /// Stops once the units with the committer are settled (a crash of the actor, not of
    /// the process: what it handed over still commits or is refused, as it would be).
    fn handle(&mut self, _: Kill, ctx: &mut Context<Self>) {
        self.draining = true;
        self.restart_when_settled(ctx);
    }
}

#[cfg(test)]
#[path = "supervised_tests.rs"]
mod tests;
