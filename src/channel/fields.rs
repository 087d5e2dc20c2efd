//! Who is in which map instance: one actor per (tenant, field), fed from
//! EVENT_TOPIC_MAP_STATUS, so MAP recipients need no REST call per event (the Go
//! reference asks the maps service every time, and ignores instances).
//!
//! The channel consumer sees every map event of every channel, so a field's members
//! include characters whose sessions live in other processes; pushes go only to the
//! sessions of this process.

use super::sessions::Field;
use actix::{Actor, ActorContext, Addr, Context, Handler, Message, MessageResult};
use dashmap::DashMap;
use std::collections::BTreeSet;
use uuid::Uuid;

/// A change to, or a question about, a field's members; answered with the members.
#[derive(Debug, Clone, Copy, Message)]
#[rtype(result = "Vec<u32>")]
pub enum Membership {
    Enter(u32),
    Exit(u32),
    List,
}

#[derive(Debug, Default)]
pub struct MapInstance {
    members: BTreeSet<u32>,
}

impl Actor for MapInstance {
    type Context = Context<Self>;
}

impl Handler<Membership> for MapInstance {
    type Result = MessageResult<Membership>;

    fn handle(&mut self, message: Membership, ctx: &mut Context<Self>) -> Self::Result {
        match message {
            Membership::Enter(character) => {
                self.members.insert(character);
            }
            Membership::Exit(character) => {
                self.members.remove(&character);
                if self.members.is_empty() {
                    ctx.stop();
                }
            }
            Membership::List => {}
        }
        MessageResult(self.members.iter().copied().collect())
    }
}

/// The map-instance actors of this process.
#[derive(Debug, Default)]
pub struct Maps {
    instances: DashMap<(Uuid, Field), Addr<MapInstance>>,
}

impl Maps {
    /// Applies a membership message to a field; the members afterwards.
    pub async fn apply(&self, tenant: Uuid, field: Field, message: Membership) -> Vec<u32> {
        let key = (tenant, field);
        let existing = self.instances.get(&key).map(|a| a.clone()).filter(Addr::connected);
        let addr = match (existing, message) {
            (Some(addr), _) => addr,
            // Nobody there: nothing to start for a question or a departure.
            (None, Membership::List | Membership::Exit(_)) => return Vec::new(),
            (None, Membership::Enter(_)) => {
                let addr = MapInstance::default().start();
                self.instances.insert(key, addr.clone());
                addr
            }
        };
        let members = addr.send(message).await.unwrap_or_default();
        if members.is_empty() {
            self.instances.remove_if(&key, |_, a| !a.connected() || a == &addr);
        }
        members
    }

    pub async fn members(&self, tenant: Uuid, field: Field) -> Vec<u32> {
        self.apply(tenant, field, Membership::List).await
    }

    pub fn len(&self) -> usize {
        self.instances.len()
    }

    pub fn is_empty(&self) -> bool {
        self.instances.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_rt::test]
    async fn members_follow_enters_and_exits_per_instance() {
        let maps = Maps::default();
        let tenant = Uuid::new_v4();
        let shared = Field { world: 0, channel: 1, map: 100, instance: Uuid::nil() };
        let instanced = Field { instance: Uuid::new_v4(), ..shared };
        assert_eq!(maps.apply(tenant, shared, Membership::Enter(1)).await, [1]);
        assert_eq!(maps.apply(tenant, shared, Membership::Enter(2)).await, [1, 2]);
        assert_eq!(maps.apply(tenant, instanced, Membership::Enter(3)).await, [3]);
        assert_eq!(maps.members(tenant, shared).await, [1, 2], "an instance is another field");
        assert_eq!(maps.members(Uuid::new_v4(), shared).await, Vec::<u32>::new(), "tenants are apart");
        assert_eq!(maps.apply(tenant, instanced, Membership::Exit(3)).await, Vec::<u32>::new());
        assert_eq!(maps.len(), 1, "an empty field's actor is gone");
    }
}
