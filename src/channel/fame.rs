//! Fame and notes: giving fame (spec 51 §4.17), a refused request (spec 50 §4.31) and a
//! note's arrival (spec 50 §4.32).

use super::actions::command;
use super::commands::{Context as Session, Outcome};
use super::deliver::{Recipients, Scope};
use super::updates::{kind, part, push};
use crate::contracts::channel::character::{
    FameCommand, FameCommandKind, FameError, FameRecord, FameRefused, NoteCreated, NoteRecord, NoteRefresh,
};
use crate::contracts::decode::{self, Decoded, Reject};
use serde::Deserialize;
use serde_json::Value;

/// The fame client frame: `mode` 1 fames, 0 defames.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum Action {
    FameChange { target_id: u32, mode: i8 },
}

pub fn translate(action: &Action, ctx: &Session) -> Outcome {
    let Action::FameChange { target_id, mode } = action;
    let amount = match mode {
        1 => 1,
        0 => -1,
        // Go's 2·mode − 1 turns any other mode into a bigger change; no client sends one.
        _ => return Outcome::default(),
    };
    let f = &ctx.field;
    let kind = FameCommandKind::RequestChange { channel_id: f.channel, map_id: f.map, instance: f.instance, target_id: *target_id, amount };
    Outcome { commands: vec![command(&FameCommand { world_id: f.world, character_id: ctx.character, kind })], ..Outcome::default() }
}

/// A refused fame request, or a note that arrived.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    Refused { character: u32, world: u8, channel: u8, error: crate::contracts::channel::character::FameRefusal },
    NoteArrived { character: u32 },
}

impl Update {
    pub fn subject(&self) -> u32 {
        match self {
            Update::Refused { character, .. } | Update::NoteArrived { character } => *character,
        }
    }
}

/// EVENT_TOPIC_FAME_STATUS.
pub fn decode_fame(value: &Value) -> Result<Decoded<Update>, Reject> {
    let kind = kind(value)?;
    let record: FameRecord = decode::into(value.clone())?;
    if kind != "ERROR" {
        return Ok(Decoded::Unhandled(kind.to_string()));
    }
    let body: FameError = part(value.get("body"))?;
    match serde_json::from_value(Value::String(body.error.clone())) {
        Ok(error) => Ok(Decoded::Message(Update::Refused {
            character: record.character_id,
            world: record.world_id,
            channel: body.channel_id,
            error,
        })),
        Err(_) => Ok(Decoded::Unhandled(format!("ERROR {:?}", body.error))),
    }
}

/// EVENT_TOPIC_NOTE_STATUS (`UPDATED` and `DELETED` need nothing).
pub fn decode_note(value: &Value) -> Result<Decoded<Update>, Reject> {
    let kind = kind(value)?;
    let record: NoteRecord = decode::into(value.clone())?;
    if kind != "CREATED" {
        return Ok(Decoded::Unhandled(kind.to_string()));
    }
    let _: NoteCreated = part(value.get("body"))?;
    Ok(Decoded::Message(Update::NoteArrived { character: record.character_id }))
}

pub(super) fn deliver(to: &Recipients<'_>, update: Update) {
    match update {
        Update::Refused { character, world, channel, error } => {
            to.one(character, Scope::Channel(world, channel), &push(&FameRefused { error }));
        }
        Update::NoteArrived { character } => {
            to.one(character, Scope::Tenant, &push(&NoteRefresh {}));
        }
    }
}
