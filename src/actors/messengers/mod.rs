//! Messengers (spec 30): three-seat chat rooms, the character registry they need (name,
//! world, channel, online flag, seat) and the durable id counter.
//!
//! One entity per tenant holds all three, so every record (even one that touches a
//! character and a messenger, like JOIN or LOGOUT) is applied atomically and serially, and
//! the invariants of spec 30 §2.6 (≤ 3 distinct seats, one messenger per character, the
//! registry pointing at the messenger that seats it) hold at every commit.

mod lookup;
pub mod sql;

use super::entity::{Effects, Entity, Meta};
use super::Services;
use crate::contracts::character::CharacterStatus;
use crate::contracts::messenger::{
    transaction, EmptyBody, ErrorBody, InviteAccepted, InviteCommand, InviteCommandBody, MemberStatus,
    MessengerCommand, MessengerStatus, SlotBody,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// The first messenger id of a tenant.
pub const FIRST_ID: u32 = 1_000_000_000;
const CAPACITY: usize = 3;

const STATUS: &str = "EVENT_TOPIC_MESSENGER_STATUS";
const MEMBER_STATUS: &str = "EVENT_TOPIC_MESSENGER_MEMBER_STATUS";
const INVITE: &str = "COMMAND_TOPIC_INVITE";

const UNEXPECTED: &str = "ERROR_UNEXPECTED";
const ALREADY_1: &str = "ALREADY_HAVE_JOINED_A_MESSENGER_1";
const ALREADY_2: &str = "ALREADY_HAVE_JOINED_A_MESSENGER_2";
const FULL: &str = "THE_MESSENGER_YOURE_TRYING_TO_JOIN_IS_ALREADY_IN_FULL_CAPACITY";

/// A seat: who sits in which slot.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Seat {
    pub character: u32,
    pub slot: u8,
}

/// A character registry entry (spec 30 §4.2).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entry {
    pub name: String,
    pub world: u8,
    pub channel: u8,
    pub online: bool,
    pub messenger: u32,
}

/// Inputs of the messenger domain.
#[derive(Debug, Clone, PartialEq)]
pub enum MessengerInput {
    Command(MessengerCommand),
    Invite(InviteAccepted),
    Status(CharacterStatus),
}

/// The tenant-wide scope of the messenger entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tenantwide;

impl std::fmt::Display for Tenantwide {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("tenant")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Messengers {
    tenant: Uuid,
    /// The next id to hand out; 0 until the first creation.
    pub next_id: u32,
    /// Seats in join order, by messenger id.
    pub rooms: BTreeMap<u32, Vec<Seat>>,
    pub registry: HashMap<u32, Entry>,
}

/// What one record changed, to write in its unit of work.
#[derive(Debug, Default)]
struct Dirty {
    rooms: BTreeSet<u32>,
    entries: BTreeSet<u32>,
    counter: bool,
}

/// One record being handled: its transaction id, outputs and changes.
struct Step<'a> {
    services: &'a Services,
    meta: &'a Meta,
    transaction: Uuid,
    effects: Effects<()>,
    dirty: Dirty,
}

impl Step<'_> {
    fn status<B: Serialize>(&mut self, actor: u32, world: u8, messenger: u32, kind: &'static str, body: B) {
        let event = MessengerStatus { transaction_id: self.transaction, actor_id: actor, world_id: world, messenger_id: messenger, kind, body };
        self.effects.emit(STATUS, messenger, &event, self.meta);
    }

    fn error(&mut self, code: &'static str, actor: u32, messenger: u32, world: u8, name: &str) {
        self.status(actor, world, messenger, "ERROR", ErrorBody { code, character_name: name.to_string() });
    }
}

impl Messengers {
    pub fn new(tenant: Uuid) -> Messengers {
        Messengers { tenant, next_id: 0, rooms: BTreeMap::new(), registry: HashMap::new() }
    }

    /// §4.3: the registry entry of `character`, fetched from the character service on
    /// first sight.
    async fn resolve(&mut self, step: &mut Step<'_>, character: u32) -> Option<Entry> {
        if let Some(entry) = self.registry.get(&character) {
            return Some(entry.clone());
        }
        let entry = lookup::character(step.services, &step.meta.tenant, character).await?;
        self.registry.insert(character, entry.clone());
        step.dirty.entries.insert(character);
        Some(entry)
    }

    fn set_seat(&mut self, step: &mut Step<'_>, character: u32, messenger: u32) {
        if let Some(entry) = self.registry.get_mut(&character) {
            entry.messenger = messenger;
            step.dirty.entries.insert(character);
        }
    }

    /// §5.1 step 3: a new messenger seating `actor` in slot 0.
    fn create(&mut self, step: &mut Step<'_>, actor: u32, world: u8) -> u32 {
        let id = if self.next_id == 0 { FIRST_ID } else { self.next_id };
        self.next_id = id + 1;
        step.dirty.counter = true;
        self.rooms.insert(id, vec![Seat { character: actor, slot: 0 }]);
        step.dirty.rooms.insert(id);
        self.set_seat(step, actor, id);
        step.status(actor, world, id, "CREATED", EmptyBody {});
        id
    }

    async fn on_create(&mut self, step: &mut Step<'_>, actor: u32) {
        let Some(entry) = self.resolve(step, actor).await else {
            return step.error(UNEXPECTED, actor, 0, 0, "");
        };
        if entry.messenger != 0 {
            return step.error(ALREADY_1, actor, 0, entry.world, "");
        }
        self.create(step, actor, entry.world);
    }

    /// §5.2, also for an accepted invite (§5.5).
    async fn on_join(&mut self, step: &mut Step<'_>, actor: u32, messenger: u32) {
        let Some(entry) = self.resolve(step, actor).await else {
            return step.error(UNEXPECTED, actor, messenger, 0, "");
        };
        if entry.messenger != 0 {
            return step.error(ALREADY_2, actor, entry.messenger, entry.world, "");
        }
        let Some(seats) = self.rooms.get_mut(&messenger) else {
            return step.error(UNEXPECTED, actor, messenger, entry.world, "");
        };
        if seats.len() >= CAPACITY {
            return step.error(FULL, actor, messenger, entry.world, "");
        }
        let slot = (0u8..).find(|s| seats.iter().all(|seat| seat.slot != *s)).unwrap_or_default();
        seats.push(Seat { character: actor, slot });
        step.dirty.rooms.insert(messenger);
        self.set_seat(step, actor, messenger);
        step.status(actor, entry.world, messenger, "JOINED", SlotBody { slot });
    }

    /// §5.3 steps 2–4 for an already resolved character.
    fn leave(&mut self, step: &mut Step<'_>, actor: u32, entry: &Entry, messenger: u32) {
        if entry.messenger != messenger {
            return step.error(UNEXPECTED, actor, messenger, entry.world, "");
        }
        let Some(seats) = self.rooms.get_mut(&messenger) else {
            return step.error(UNEXPECTED, actor, messenger, entry.world, "");
        };
        let Some(index) = seats.iter().position(|s| s.character == actor) else {
            return step.error(UNEXPECTED, actor, messenger, entry.world, "");
        };
        let slot = seats.remove(index).slot;
        if seats.is_empty() {
            self.rooms.remove(&messenger);
        }
        step.dirty.rooms.insert(messenger);
        self.set_seat(step, actor, 0);
        step.status(actor, entry.world, messenger, "LEFT", SlotBody { slot });
    }

    async fn on_leave(&mut self, step: &mut Step<'_>, actor: u32, messenger: u32) {
        let Some(entry) = self.resolve(step, actor).await else {
            return step.error(UNEXPECTED, actor, messenger, 0, "");
        };
        self.leave(step, actor, &entry, messenger);
    }

    /// §5.4, creating the inviter's messenger when it has none.
    async fn on_request_invite(&mut self, step: &mut Step<'_>, actor: u32, target: u32) {
        let Some(inviter) = self.resolve(step, actor).await else {
            return step.error(UNEXPECTED, actor, 0, 0, "");
        };
        let Some(invitee) = self.resolve(step, target).await else {
            return step.error(UNEXPECTED, actor, inviter.messenger, 0, "");
        };
        if invitee.messenger != 0 {
            return step.error(ALREADY_2, actor, invitee.messenger, invitee.world, &invitee.name);
        }
        let messenger = match inviter.messenger {
            0 => self.create(step, actor, inviter.world),
            current => current,
        };
        let Some(seats) = self.rooms.get(&messenger) else { return };
        if seats.len() >= CAPACITY {
            return step.error(FULL, actor, messenger, invitee.world, "");
        }
        let command = InviteCommand {
            transaction_id: step.transaction,
            world_id: inviter.world,
            invite_type: "MESSENGER",
            kind: "CREATE",
            body: InviteCommandBody { originator_id: actor, target_id: target, reference_id: messenger },
        };
        step.effects.emit(INVITE, messenger, &command, step.meta);
    }

    /// §5.6–5.9.
    async fn on_status(&mut self, step: &mut Step<'_>, status: CharacterStatus) {
        match status {
            CharacterStatus::Login(event) => {
                let character = event.character_id;
                let Some(mut entry) = self.resolve(step, character).await else { return };
                entry.online = true;
                entry.channel = event.body.channel_id;
                self.registry.insert(character, entry.clone());
                step.dirty.entries.insert(character);
                if entry.messenger != 0 {
                    self.member_status(step, character, &entry, "LOGIN");
                }
            }
            CharacterStatus::Logout(event) => {
                let character = event.character_id;
                if let Some(mut entry) = self.resolve(step, character).await {
                    entry.online = false;
                    self.registry.insert(character, entry.clone());
                    step.dirty.entries.insert(character);
                    if entry.messenger != 0 {
                        self.member_status(step, character, &entry, "LOGOUT");
                    }
                }
                self.unseat(step, character);
            }
            CharacterStatus::ChannelChanged(event) => {
                let character = event.character_id;
                if let Some(mut entry) = self.resolve(step, character).await {
                    entry.channel = event.body.channel_id;
                    self.registry.insert(character, entry);
                    step.dirty.entries.insert(character);
                }
            }
            CharacterStatus::StatChanged(_) => {}
            CharacterStatus::Deleted(event) => {
                let character = event.character_id;
                if !self.registry.contains_key(&character) {
                    return;
                }
                self.unseat(step, character);
                self.registry.remove(&character);
                step.dirty.entries.insert(character);
            }
        }
    }

    /// Leaves the messenger whose seats hold `character`, if any (LOGOUT, DELETED).
    fn unseat(&mut self, step: &mut Step<'_>, character: u32) {
        let seated = self.rooms.iter().find(|(_, seats)| seats.iter().any(|s| s.character == character)).map(|(id, _)| *id);
        let (Some(messenger), Some(entry)) = (seated, self.registry.get(&character).cloned()) else { return };
        self.leave(step, character, &entry, messenger);
    }

    fn member_status(&self, step: &mut Step<'_>, character: u32, entry: &Entry, kind: &'static str) {
        let event = MemberStatus {
            transaction_id: step.transaction,
            world_id: entry.world,
            messenger_id: entry.messenger,
            character_id: character,
            kind,
            body: EmptyBody {},
        };
        step.effects.emit(MEMBER_STATUS, entry.messenger, &event, step.meta);
    }

    fn writes(&self, dirty: &Dirty, effects: &mut Effects<()>) {
        for id in &dirty.rooms {
            effects.write(sql::save_room(self.tenant, *id, self.rooms.get(id)));
        }
        for character in &dirty.entries {
            effects.write(sql::save_entry(self.tenant, *character, self.registry.get(character)));
        }
        if dirty.counter {
            effects.write(sql::save_counter(self.tenant, self.next_id));
        }
    }
}

impl Entity for Messengers {
    type Id = Tenantwide;
    type Input = MessengerInput;
    type Timer = ();
    const KIND: &'static str = "messengers";

    async fn load(services: &Services, tenant: Uuid, _: &Tenantwide) -> anyhow::Result<Self> {
        sql::load(&services.store, tenant).await
    }

    async fn handle(&mut self, services: &Services, input: MessengerInput, meta: &Meta) -> anyhow::Result<Effects<()>> {
        let given = match &input {
            MessengerInput::Command(
                MessengerCommand::Create(crate::contracts::messenger::Command { transaction_id, .. }),
            ) => *transaction_id,
            MessengerInput::Command(MessengerCommand::Join(c) | MessengerCommand::Leave(c)) => c.transaction_id,
            MessengerInput::Command(MessengerCommand::RequestInvite(c)) => c.transaction_id,
            MessengerInput::Invite(accepted) => accepted.transaction_id,
            MessengerInput::Status(status) => status.transaction_id(),
        };
        let transaction = transaction(given).unwrap_or_else(Uuid::new_v4);
        let mut step = Step { services, meta, transaction, effects: Effects::none(), dirty: Dirty::default() };
        match input {
            MessengerInput::Command(MessengerCommand::Create(c)) => self.on_create(&mut step, c.actor_id).await,
            MessengerInput::Command(MessengerCommand::Join(c)) => self.on_join(&mut step, c.actor_id, c.body.messenger_id).await,
            MessengerInput::Command(MessengerCommand::Leave(c)) => self.on_leave(&mut step, c.actor_id, c.body.messenger_id).await,
            MessengerInput::Command(MessengerCommand::RequestInvite(c)) => {
                self.on_request_invite(&mut step, c.actor_id, c.body.character_id).await
            }
            MessengerInput::Invite(accepted) => {
                if accepted.invite_type == "MESSENGER" {
                    self.on_join(&mut step, accepted.body.target_id, accepted.reference_id).await;
                }
            }
            MessengerInput::Status(status) => self.on_status(&mut step, status).await,
        }
        let Step { mut effects, dirty, .. } = step;
        self.writes(&dirty, &mut effects);
        Ok(effects)
    }

    async fn on_timer(&mut self, _: &Services, _: ()) -> anyhow::Result<Effects<()>> {
        Ok(Effects::none())
    }

    fn timers(&self) -> Vec<(String, DateTime<Utc>, ())> {
        Vec::new()
    }
}
