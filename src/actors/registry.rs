//! The actor registry of one entity kind: starts an entity's actor on first use, under a
//! `Supervisor`, on an arbiter picked by the entity's key, and stops actors that stayed
//! idle (no input in flight, no live timer, no resident state) for the idle timeout.
//!
//! One entity never has two live actors: the map entry is the actor's identity, and an
//! actor is only forgotten (under the entry's lock) when nothing is in flight for it, so a
//! new actor for the same key starts only after the old one has committed everything.

use super::entity::{Entity, Meta};
use super::supervised::{Activity, Applied, Deliver, DeliveryError, EntityActor, Kill, Reply};
use super::Runtime;
use actix::prelude::*;
use dashmap::DashMap;
use std::hash::BuildHasher;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use uuid::Uuid;

struct Slot<E: Entity> {
    addr: Addr<EntityActor<E>>,
    activity: Arc<Activity>,
}

pub struct Registry<E: Entity> {
    runtime: Arc<Runtime>,
    ports: Arc<E::Ports>,
    arbiters: Arc<Vec<ArbiterHandle>>,
    actors: DashMap<(Uuid, E::Id), Slot<E>>,
}

impl<E: Entity> std::fmt::Debug for Registry<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry").field("kind", &E::KIND).field("live", &self.actors.len()).finish()
    }
}

impl<E: Entity> Registry<E>
where
    E::Input: Send,
{
    /// A registry whose actors run on `arbiters`, each handed the runtime and the entity
    /// kind's ports.
    pub fn new(runtime: Arc<Runtime>, ports: Arc<E::Ports>, arbiters: Arc<Vec<ArbiterHandle>>) -> Self {
        Registry { runtime, ports, arbiters, actors: DashMap::new() }
    }

    /// Enqueues an input for an entity, starting its actor if needed. Inputs for one entity
    /// are handled in the order of the calls. The returned future ends once the input's
    /// effects are durable.
    pub fn deliver(&self, tenant: Uuid, id: E::Id, input: E::Input, meta: Meta) -> impl std::future::Future<Output = Reply> + 'static {
        let (reply, answer) = oneshot::channel();
        let activity = self.with_actor(tenant, id, |slot| {
            slot.activity.inflight.fetch_add(1, Ordering::Relaxed);
            slot.activity.touch();
            slot.addr.do_send(Deliver { input, meta, reply });
            slot.activity.clone()
        });
        async move {
            let outcome = answer.await.unwrap_or(Err(DeliveryError::Lost));
            activity.inflight.fetch_sub(1, Ordering::Relaxed);
            outcome
        }
    }

    /// Starts an entity's actor (loading its state and arming its timers) if it is not live.
    pub fn activate(&self, tenant: Uuid, id: E::Id) {
        self.with_actor(tenant, id, |_| ());
    }

    /// Stops an entity's actor as if it crashed; its supervisor restarts it.
    pub fn kill(&self, tenant: Uuid, id: &E::Id) {
        if let Some(slot) = self.actors.get(&(tenant, id.clone())) {
            slot.addr.do_send(Kill);
        }
    }

    /// Forgets actors idle for `idle` (or of an absent entity, at once) with nothing in
    /// flight, no live timer and no resident state; an actor without addresses stops once its
    /// mailbox is empty. Returns how many
    /// were forgotten.
    pub fn passivate_idle(&self, idle: Duration) -> usize {
        let cutoff = super::supervised::now_ms().saturating_sub(idle.as_millis() as u64);
        let before = self.actors.len();
        self.actors.retain(|_, slot| {
            let a = &slot.activity;
            a.inflight.load(Ordering::Relaxed) > 0
                || a.timers.load(Ordering::Relaxed) > 0
                || a.resident.load(Ordering::Relaxed)
                || (a.last_used_ms.load(Ordering::Relaxed) > cutoff && !a.absent.load(Ordering::Relaxed))
        });
        // Actors started meanwhile by another thread can outnumber those forgotten.
        before.saturating_sub(self.actors.len())
    }

    /// Number of live actors.
    pub fn len(&self) -> usize {
        self.actors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.actors.is_empty()
    }

    fn with_actor<R>(&self, tenant: Uuid, id: E::Id, f: impl FnOnce(&Slot<E>) -> R) -> R {
        let key = (tenant, id);
        let slot = self.actors.entry(key.clone()).or_insert_with(|| self.start(&key));
        f(&slot)
    }

    fn start(&self, key: &(Uuid, E::Id)) -> Slot<E> {
        let activity = Arc::new(Activity::default());
        activity.touch();
        let arbiter = &self.arbiters[self.arbiter_index(key)];
        let (tenant, id, shared) = (key.0, key.1.clone(), activity.clone());
        let (runtime, ports) = (self.runtime.clone(), self.ports.clone());
        let addr = Supervisor::start_in_arbiter(arbiter, move |_| EntityActor::<E>::new(tenant, id, runtime, ports, shared));
        self.runtime.metrics.actors_started.with_label_values(&[E::KIND]).inc();
        Slot { addr, activity }
    }

    fn arbiter_index(&self, key: &(Uuid, E::Id)) -> usize {
        (self.actors.hasher().hash_one(key) % self.arbiters.len() as u64) as usize
    }
}

/// Awaits a delivery, re-sending when the actor vanished without answering (it can only
/// happen if an arbiter died); other outcomes are final.
pub async fn deliver_with_retry<E: Entity>(
    registry: &Registry<E>,
    tenant: Uuid,
    id: E::Id,
    input: E::Input,
    meta: Meta,
) -> Result<Applied, DeliveryError> {
    let mut lost = 0;
    loop {
        match registry.deliver(tenant, id.clone(), input.clone(), meta.clone()).await {
            Err(DeliveryError::Lost) if lost < 3 => {
                lost += 1;
                registry.actors.remove(&(tenant, id.clone()));
            }
            outcome => return outcome,
        }
    }
}

#[cfg(test)]
#[path = "registry_tests.rs"]
mod tests;
