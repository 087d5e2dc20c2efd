//! One messenger (spec 30): its seats, three at most, each new member in the lowest free
//! slot, never compacted. Concurrent joins are serialized by this actor, so the capacity
//! holds however many characters race for the last seat.
//!
//! Requests come from character actors, each with an intent id derived from the record
//! that caused it. The outcome is stored with the seats and the events, in one commit;
//! a repeated intent (the character crashed before recording the outcome, and its record
//! came again) is answered from the stored outcome, without new effects.

use super::{sql, Seat, CAPACITY, FULL, STATUS, UNEXPECTED};
use crate::actors::entity::{Effects, Entity, EntityError, Meta};
use crate::contracts::messenger::{EmptyBody, ErrorBody, MessengerStatus, SlotBody};
use crate::store::Store;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// What a character asks of a messenger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// Open the (freshly numbered) messenger with the asker in slot 0.
    Create,
    Seat,
    Unseat,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RoomInput {
    pub intent: String,
    pub request: Request,
    pub actor: u32,
    pub world: u8,
    pub transaction: Uuid,
}

/// The stored answer to an intent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The asker sits in this slot (created, seated, or already there).
    Seated(u8),
    /// The asker left this slot.
    Unseated(u8),
    /// Refused; the ERROR event was emitted.
    Refused,
}

impl Outcome {
    pub fn encode(&self) -> String {
        match self {
            Outcome::Seated(slot) => format!("seated:{slot}"),
            Outcome::Unseated(slot) => format!("unseated:{slot}"),
            Outcome::Refused => "refused".into(),
        }
    }

    pub fn decode(text: &str) -> Option<Outcome> {
        match text.split_once(':') {
            Some(("seated", slot)) => slot.parse().ok().map(Outcome::Seated),
            Some(("unseated", slot)) => slot.parse().ok().map(Outcome::Unseated),
            None if text == "refused" => Some(Outcome::Refused),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub struct Messenger {
    tenant: Uuid,
    id: u32,
    /// Seats in join order; empty when the messenger does not exist (any more).
    pub seats: Vec<Seat>,
    /// Intents already answered, with their outcomes.
    done: HashMap<String, Outcome>,
}

impl Messenger {
    fn status<B: Serialize>(&self, effects: &mut Effects<()>, input: &RoomInput, kind: &'static str, body: B, meta: &Meta) {
        let event = MessengerStatus {
            transaction_id: input.transaction,
            actor_id: input.actor,
            world_id: input.world,
            messenger_id: self.id,
            kind,
            body,
        };
        effects.emit(STATUS, self.id, &event, meta);
    }

    fn refuse(&self, effects: &mut Effects<()>, input: &RoomInput, code: &'static str, meta: &Meta) -> Outcome {
        self.status(effects, input, "ERROR", ErrorBody { code, character_name: String::new() }, meta);
        Outcome::Refused
    }

    fn decide(&mut self, effects: &mut Effects<()>, input: &RoomInput, meta: &Meta) -> Outcome {
        let seated = self.seats.iter().find(|s| s.character == input.actor).map(|s| s.slot);
        match input.request {
            Request::Create if self.seats.is_empty() => {
                self.seats.push(Seat { character: input.actor, slot: 0 });
                self.status(effects, input, "CREATED", EmptyBody {}, meta);
                Outcome::Seated(0)
            }
            Request::Create => self.refuse(effects, input, UNEXPECTED, meta),
            Request::Seat if self.seats.is_empty() => self.refuse(effects, input, UNEXPECTED, meta),
            Request::Seat => match seated {
                Some(slot) => Outcome::Seated(slot),
                None if self.seats.len() >= CAPACITY => self.refuse(effects, input, FULL, meta),
                None => {
                    let slot = (0u8..).find(|s| self.seats.iter().all(|seat| seat.slot != *s)).unwrap_or_default();
                    self.seats.push(Seat { character: input.actor, slot });
                    self.status(effects, input, "JOINED", SlotBody { slot }, meta);
                    Outcome::Seated(slot)
                }
            },
            Request::Unseat => match seated {
                None => self.refuse(effects, input, UNEXPECTED, meta),
                Some(slot) => {
                    self.seats.retain(|s| s.character != input.actor);
                    self.status(effects, input, "LEFT", SlotBody { slot }, meta);
                    Outcome::Unseated(slot)
                }
            },
        }
    }
}

impl Entity for Messenger {
    type Id = u32;
    type Input = RoomInput;
    type Timer = ();
    /// A messenger only reads and writes its own seats.
    type Ports = Store;
    const KIND: &'static str = "messenger";

    async fn load(store: &Store, tenant: Uuid, id: &u32) -> Result<Self, EntityError> {
        let seats = sql::load_room(store, tenant, *id).await?;
        let done = sql::load_outcomes(store, tenant, *id).await?;
        Ok(Messenger { tenant, id: *id, seats, done })
    }

    async fn handle(&mut self, _: &Store, input: RoomInput, meta: &Meta) -> Result<Effects<()>, EntityError> {
        let mut effects = Effects::none();
        if self.done.contains_key(&input.intent) {
            return Ok(effects);
        }
        let before = self.seats.clone();
        let outcome = self.decide(&mut effects, &input, meta);
        if self.seats != before {
            effects.write(sql::save_room(self.tenant, self.id, &before, &self.seats));
        }
        effects.write(sql::save_outcome(self.tenant, &input.intent, self.id, &outcome));
        self.done.insert(input.intent, outcome);
        Ok(effects)
    }

    async fn on_timer(&mut self, _: &Store, _: ()) -> Result<Effects<()>, EntityError> {
        Ok(Effects::none())
    }

    fn timers(&self) -> Vec<(String, DateTime<Utc>, ())> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::tenant::Tenant;

    fn input(intent: &str, request: Request, actor: u32) -> RoomInput {
        RoomInput { intent: intent.into(), request, actor, world: 0, transaction: Uuid::nil() }
    }

    fn kinds(effects: &Effects<()>) -> Vec<String> {
        effects
            .outputs
            .iter()
            .map(|o| serde_json::from_str::<serde_json::Value>(&o.value).expect("json")["type"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    #[test]
    fn three_seats_lowest_free_slot_and_no_compaction() {
        let meta = Meta { tenant: Tenant { id: Uuid::nil(), region: "GMS".into(), major: 83, minor: 1 }, position: None, trace: vec![] };
        let mut room = Messenger { tenant: Uuid::nil(), id: 1_000_000_000, seats: vec![], done: HashMap::new() };
        let mut effects = Effects::none();
        assert_eq!(room.decide(&mut effects, &input("a", Request::Create, 1), &meta), Outcome::Seated(0));
        assert_eq!(room.decide(&mut effects, &input("b", Request::Seat, 2), &meta), Outcome::Seated(1));
        assert_eq!(room.decide(&mut effects, &input("c", Request::Seat, 3), &meta), Outcome::Seated(2));
        assert_eq!(room.decide(&mut effects, &input("d", Request::Seat, 4), &meta), Outcome::Refused);
        assert_eq!(room.decide(&mut effects, &input("e", Request::Seat, 2), &meta), Outcome::Seated(1), "already seated");
        assert_eq!(room.decide(&mut effects, &input("f", Request::Unseat, 2), &meta), Outcome::Unseated(1));
        assert_eq!(room.decide(&mut effects, &input("g", Request::Seat, 4), &meta), Outcome::Seated(1), "lowest free slot");
        assert_eq!(kinds(&effects), ["CREATED", "JOINED", "JOINED", "ERROR", "LEFT", "JOINED"]);
        for outcome in [Outcome::Seated(2), Outcome::Unseated(0), Outcome::Refused] {
            assert_eq!(Outcome::decode(&outcome.encode()), Some(outcome));
        }
    }
}
