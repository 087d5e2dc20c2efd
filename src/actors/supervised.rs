//! The actix actor that owns one entity: loads it, feeds it one input at a time, commits
//! its effects (state, position, outbox) in one transaction, runs its timers, and survives
//! failures.
//!
//! Failure model: a handler error, a panic (caught at the handler boundary: actix does not
//! restart an actor whose handler panicked) or a failed commit stops the actor. Its
//! `Supervisor` restarts it on the same mailbox; the restart reloads the committed state
//! and retries the in-flight input after a backoff of 100 ms × attempt, before any later
//! input. After `max_attempts` the input is given up and reported as failed (the bridge
//! dead-letters it).

use super::entity::{Effects, Entity, EntityError, Meta, TimerOp};
use super::Runtime;
#[cfg(feature = "chaos")]
use crate::chaos;
use crate::store::{EntityRef, Positions};
use actix::prelude::*;
use chrono::{DateTime, Utc};
use futures::FutureExt as _;
use std::collections::HashMap;
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

pub struct EntityActor<E: Entity> {
    entity: EntityRef,
    id: E::Id,
    runtime: Arc<Runtime>,
    ports: Arc<E::Ports>,
    activity: Arc<Activity>,
    state: Option<E>,
    positions: Positions,
    in_flight: Option<InFlight<E::Input>>,
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
            in_flight: None,
            timers: HashMap::new(),
            generation: 0,
            load_failures: 0,
        }
    }

    /// Feeds the in-flight input to the entity, if there is one and the state is loaded.
    fn process(&mut self, ctx: &mut Context<Self>) {
        let Some(in_flight) = self.in_flight.as_mut() else { return };
        if let Some(position) = &in_flight.meta.position {
            if self.positions.covers(position) {
                self.runtime.metrics.redeliveries_skipped.inc();
                self.finish(Ok(Applied::Skipped));
                return;
            }
        }
        let Some(mut state) = self.state.take() else { return };
        let (runtime, ports) = (self.runtime.clone(), self.ports.clone());
        let entity = self.entity.clone();
        let input = in_flight.input.clone();
        #[cfg(feature = "chaos")]
        let first_attempt = in_flight.attempts == 0;
        let meta = in_flight.meta.clone();
        let started = std::time::Instant::now();
        let carried = meta.trace.clone();
        let work = async move {
            let outcome = AssertUnwindSafe(crate::carried::scope(carried, async {
                #[cfg(feature = "chaos")]
                let ordinal = chaos::next_input();
                #[cfg(feature = "chaos")]
                chaos::fail_entity(&entity.id)?;
                let handling = crate::telemetry::child_span("handle", &meta.trace);
                let effects = tracing::Instrument::instrument(state.handle(&ports, input, &meta), handling).await?;
                #[cfg(feature = "chaos")]
                chaos::strike(chaos::Point::BeforeCommit, ordinal, first_attempt);
                let committing = crate::telemetry::child_span("commit", &meta.trace);
                let timers =
                    tracing::Instrument::instrument(commit(&runtime, effects, meta.position.as_ref().map(|p| (&entity, p))), committing)
                        .await?;
                #[cfg(feature = "chaos")]
                chaos::strike(chaos::Point::AfterCommit, ordinal, first_attempt);
                Ok::<_, EntityError>(timers)
            }))
            .catch_unwind()
            .await;
            (state, outcome)
        };
        ctx.wait(work.into_actor(self).map(move |(state, outcome), act, ctx| {
            act.runtime.metrics.handler_seconds.observe(started.elapsed().as_secs_f64());
            match flatten(outcome) {
                Ok(timer_ops) => {
                    act.activity.resident.store(state.resident(), Ordering::Relaxed);
                    let absent = state.absent();
                    act.activity.absent.store(absent, Ordering::Relaxed);
                    act.state = Some(state);
                    if let Some(position) = act.in_flight.as_ref().and_then(|f| f.meta.position.as_ref()) {
                        if absent {
                            act.runtime.metrics.unhandled.with_label_values(&[&position.topic, "unknown entity"]).inc();
                        }
                        act.positions.advance(position);
                    }
                    act.apply_timers(timer_ops, ctx);
                    act.finish(Ok(Applied::Done));
                }
                Err(cause) => act.fail(cause, ctx),
            }
        }));
    }

    /// The in-flight input failed: count the attempt, give up after the limit, and restart
    /// so the next attempt (or the next input) runs on freshly loaded state.
    fn fail(&mut self, cause: Failure, ctx: &mut Context<Self>) {
        let max = self.runtime.max_attempts;
        if let Some(in_flight) = self.in_flight.as_mut() {
            in_flight.attempts += 1;
            tracing::warn!(entity = %self.entity.id, kind = E::KIND, attempt = in_flight.attempts, reason = %cause, "handler failed");
            if in_flight.attempts >= max {
                let attempts = in_flight.attempts;
                self.finish(Err(DeliveryError::Failed { attempts, cause }));
            }
        }
        ctx.stop();
    }

    fn finish(&mut self, outcome: Reply) {
        if let Some(mut in_flight) = self.in_flight.take() {
            if let Some(reply) = in_flight.reply.take() {
                let _ = reply.send(outcome);
            }
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
        // never while an input is being handled (its state is taken).
        if Utc::now() < at || self.state.is_none() {
            let at = at.max(Utc::now() + chrono::Duration::milliseconds(5));
            self.arm(name, at, timer, ctx);
            return;
        }
        let Some(mut state) = self.state.take() else { return };
        let (runtime, ports) = (self.runtime.clone(), self.ports.clone());
        self.activity.inflight.fetch_add(1, Ordering::Relaxed);
        let work = async move {
            let outcome = AssertUnwindSafe(async {
                let effects = state.on_timer(&ports, timer).await?;
                commit(&runtime, effects, None).await
            })
            .catch_unwind()
            .await;
            (state, outcome)
        };
        ctx.wait(work.into_actor(self).map(|(state, outcome), act, ctx| {
            act.activity.inflight.fetch_sub(1, Ordering::Relaxed);
            act.activity.touch();
            match flatten(outcome) {
                Ok(timer_ops) => {
                    act.activity.resident.store(state.resident(), Ordering::Relaxed);
                    act.state = Some(state);
                    act.apply_timers(timer_ops, ctx);
                }
                Err(cause) => {
                    // The restart reloads the state and re-arms its durable timers.
                    tracing::warn!(entity = %act.entity.id, kind = E::KIND, reason = %cause, "timer handler failed");
                    ctx.stop();
                }
            }
        }));
    }
}

/// Makes effects durable and hands their outputs to the publisher; returns the timer ops.
async fn commit<T>(
    runtime: &Runtime,
    effects: Effects<T>,
    position: Option<(&EntityRef, &crate::store::Position)>,
) -> Result<Vec<TimerOp<T>>, EntityError> {
    if !effects.is_durable_noop() {
        let outputs = effects.outputs.into_iter().map(|emitted| emitted.into_output(&runtime.topics)).collect();
        let rows = runtime.store.commit(effects.writes, position, outputs).await?;
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
        Err(panic) => Err(Failure::Panicked(match panic.downcast_ref::<&str>() {
            Some(text) => text.to_string(),
            None => panic.downcast_ref::<String>().cloned().unwrap_or_else(|| "(no message)".to_string()),
        })),
    }
}

impl<E: Entity> Actor for EntityActor<E> {
    type Context = Context<Self>;

    /// Loads the committed state, arms its durable timers, then resumes the input that was
    /// in flight when the previous incarnation stopped. The mailbox waits meanwhile. A load
    /// failure stops the actor (the supervisor restarts it, with a growing delay).
    fn started(&mut self, ctx: &mut Context<Self>) {
        self.generation += 1;
        let (runtime, ports) = (self.runtime.clone(), self.ports.clone());
        let entity = self.entity.clone();
        let id = self.id.clone();
        let attempts = self.in_flight.as_ref().map_or(0, |f| f.attempts);
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
                act.process(ctx);
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
        self.timers.clear();
        self.activity.timers.store(0, Ordering::Relaxed);
        self.activity.resident.store(false, Ordering::Relaxed);
    }
}

impl<E: Entity> Handler<Deliver<E::Input>> for EntityActor<E> {
    type Result = ();

    fn handle(&mut self, msg: Deliver<E::Input>, ctx: &mut Context<Self>) {
        self.in_flight = Some(InFlight { input: msg.input, meta: msg.meta, reply: Some(msg.reply), attempts: 0 });
        self.process(ctx);
    }
}

impl<E: Entity> Handler<Kill> for EntityActor<E> {
    type Result = ();

    fn handle(&mut self, _: Kill, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

#[cfg(test)]
#[path = "supervised_tests.rs"]
mod tests;
