//! Notes from the client (spec 51 §4.29): sending a memo to a character by name, discarding
//! read ones, and reading the list again (what a `REFRESH` asks for).

use super::actions::command;
use super::commands::{Context as Session, Outcome};
use super::sessions::Session as Connected;
use super::updates::push;
use super::{last_wave, lookups, party, Edge};
use crate::contracts::channel::notes::{ListedNote, Note, NoteCommand, NoteCommandKind, NoteOperation, NoteSendError, SENT_FLAG};
use serde::Deserialize;
use std::collections::HashMap;

/// A discard names at most this many notes (the client counts them in a byte).
pub const MAX_DISCARD: usize = 255;
/// Notes listed at most.
pub const MAX_LISTED: usize = 100;

/// The note client frame (docs/client-protocol.md).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum Action {
    NoteOperation {
        #[serde(flatten)]
        operation: NoteOp,
    },
}

/// What the note window asks (v83 SEND 0, DISCARD 1, REQUEST 2).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "operation", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum NoteOp {
    Send { to_name: String, message: String },
    Discard { notes: Vec<Discarded> },
    Request,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Discarded {
    pub note_id: u32,
    pub flag: u8,
}

/// What a note action needs: the receiver, whether every discarded note is the sender's
/// with the flag the client gave, the list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Found {
    pub receiver: Option<u32>,
    pub discard_valid: bool,
    pub list: Vec<ListedNote>,
}

pub async fn resolve(edge: &Edge, session: &Connected, ctx: &Session, action: &Action) -> last_wave::Context {
    let (services, tenant, c) = (&edge.services, &session.tenant, ctx.character);
    let Action::NoteOperation { operation } = action;
    let mut found = Found::default();
    match operation {
        NoteOp::Send { to_name, .. } => found.receiver = party::named(services, tenant, to_name).await,
        NoteOp::Discard { notes } if notes.len() <= MAX_DISCARD => {
            let mut valid = true;
            for entry in notes {
                let note = lookups::one(services, tenant, "NOTES", &format!("notes/{}", entry.note_id)).await;
                let note = note.and_then(|n| serde_json::from_value::<Note>(n).ok());
                // Another character's note is no note of the sender's.
                if !note.is_some_and(|n| n.character_id == c && n.flag == entry.flag) {
                    valid = false;
                    break;
                }
            }
            found.discard_valid = valid;
        }
        NoteOp::Discard { .. } => {}
        NoteOp::Request => {
            let notes = lookups::resources(services, tenant, "NOTES", &format!("characters/{c}/notes")).await;
            let mut names: HashMap<u32, String> = HashMap::new();
            for (id, note) in notes.into_iter().take(MAX_LISTED) {
                let (Ok(id), Ok(note)) = (id.parse::<u32>(), serde_json::from_value::<Note>(note)) else { continue };
                let sender_name = match names.get(&note.sender_id) {
                    Some(name) => name.clone(),
                    None => {
                        let name =
                            lookups::character(services, tenant, note.sender_id).await.and_then(|a| a["name"].as_str().map(str::to_string));
                        let name = name.unwrap_or_else(|| "Unknown".into());
                        names.insert(note.sender_id, name.clone());
                        name
                    }
                };
                found.list.push(ListedNote { id, sender_name, message: note.message, timestamp: note.timestamp, flag: note.flag });
            }
        }
    }
    last_wave::Context { notes: found, ..last_wave::Context::default() }
}

pub fn translate(action: &Action, ctx: &Session) -> Outcome {
    let Action::NoteOperation { operation } = action;
    let (c, f, found) = (ctx.character, &ctx.field, &ctx.later.notes);
    let note =
        |character_id: u32, kind: NoteCommandKind| command(&NoteCommand { world_id: f.world, channel_id: f.channel, character_id, kind });
    let commands = match operation {
        NoteOp::Send { message, .. } => match found.receiver {
            Some(receiver) => vec![note(receiver, NoteCommandKind::Create { sender_id: c, message: message.clone(), flag: SENT_FLAG })],
            None => {
                return Outcome { reply: vec![push(&NoteOperation::Error { error: NoteSendError::ReceiverUnknown })], ..Outcome::default() }
            }
        },
        NoteOp::Discard { notes } if notes.is_empty() => Vec::new(),
        // A note that is not the sender's, or a flag it does not have, breaks the rules.
        NoteOp::Discard { .. } if !found.discard_valid => return Outcome { destroy: true, ..Outcome::default() },
        NoteOp::Discard { notes } => vec![note(c, NoteCommandKind::Discard { note_ids: notes.iter().map(|n| n.note_id).collect() })],
        NoteOp::Request if found.list.is_empty() => Vec::new(),
        NoteOp::Request => return Outcome { reply: vec![push(&NoteOperation::List { notes: found.list.clone() })], ..Outcome::default() },
    };
    Outcome { commands, ..Outcome::default() }
}
