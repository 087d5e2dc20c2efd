//! Messengers (spec 30): three-seat chat rooms.
//!
//! - `room`: one actor per messenger, owning its seats (≤ 3, lowest free slot, never
//!   compacted); concurrent joins are serialized there.
//! - `member`: the character's side, run by the character actor: its registry entry and
//!   the messenger it sits in; it asks the messenger's actor to create, seat or unseat.
//! - `sql`: storage, including the per-tenant id counter and the outcomes of requests.
//! - `lookup`: the character service call resolving a character's name and world.

mod lookup;
pub mod member;
pub mod room;
pub mod sql;

pub use member::{Membership, MessengerInput};
pub use room::Messenger;

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
