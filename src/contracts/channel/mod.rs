//! Typed messages of the channel edge's later waves (specs 50 and 51): the commands its
//! client actions produce, the records it consumes, and the frames it pushes. Serde only:
//! the WebSocket transport writes a push as JSON, a binary transport encodes the same value.

pub mod account_session;
pub mod action_pushes;
pub mod answers;
pub mod buddy;
pub mod cash_shop;
pub mod chalkboard;
pub mod character;
pub mod commands;
pub mod field;
pub mod field_entry;
pub mod first_wave;
pub mod gachapon;
pub mod guild;
pub mod guild_window;
pub mod inventory;
pub mod notes;
pub mod npc;
pub mod party;
pub mod pet;
pub mod pushes;
pub mod quest;
pub mod registration;
pub mod respawn;
pub mod session;
pub mod storage;
pub mod system_message;
pub mod transports;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A command the edge produces: its topic variable and key (spec 51 §1, "Key").
pub trait Produced: Serialize {
    const TOPIC: &'static str;
    fn key(&self) -> u32;
}

/// A frame pushed to a client, named after the Go writer (spec 50 §1.3).
pub trait Push: Serialize {
    const WRITER: &'static str;
}

/// The session's field, embedded in many envelopes (spec 51 §2.4, `field…`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FieldBlock {
    pub world_id: u8,
    pub channel_id: u8,
    pub map_id: u32,
    pub instance: Uuid,
}

/// An empty body, written `{}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}
