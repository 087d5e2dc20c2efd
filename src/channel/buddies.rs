//! Buddy lists: the buddy window's actions (spec 51 §4.12 and the BUDDY row of §4.30) and
//! the buddy-list records pushed back (spec 50 §4.19).

use super::actions::{self, command};
use super::commands::{Context as Session, Outcome};
use super::deliver::{Recipients, Scope};
use super::sessions::Session as Connected;
use super::updates::{kind, part, push};
use super::{lookups, Edge};
use crate::contracts::channel::buddy::{
    Buddy, BuddyError, BuddyListCommand, BuddyListCommandKind, BuddyListRecord, BuddyOperation, BuddyResult, Capacity,
};
use crate::contracts::channel::party::{InviteCommand, InviteCommandKind, InviteType};
use crate::contracts::decode::{self, Decoded, Reject};
use serde::Deserialize;
use serde_json::Value;

/// A character name's length (spec 51 §4.12: another name ends the session).
const NAME: std::ops::RangeInclusive<usize> = 4..=13;
/// Longest buddy group name.
const MAX_GROUP: usize = 16;
/// A buddy list holds at most this many entries (its capacity is a byte).
const MAX_BUDDIES: usize = 255;

/// The buddy client frame (docs/client-protocol.md).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum Action {
    BuddyOperation {
        operation: BuddyOp,
        #[serde(default)]
        name: String,
        #[serde(default)]
        group: String,
        /// The requester whose request is accepted.
        #[serde(default)]
        from_character_id: u32,
        /// The buddy deleted, or the requester declined.
        #[serde(default)]
        buddy_id: u32,
    },
}

/// What the buddy window asks (v83 RELOAD 0, ADD 1, ACCEPT 2, DELETE 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BuddyOp {
    Reload,
    Add,
    Accept,
    Delete,
}

/// The character a request names, if it is of the sender's world.
pub async fn resolve(edge: &Edge, session: &Connected, action: &Action) -> actions::Context {
    let Action::BuddyOperation { operation: BuddyOp::Add, name, .. } = action else { return actions::Context::default() };
    let (services, tenant) = (&edge.services, &session.tenant);
    if !NAME.contains(&name.chars().count()) {
        return actions::Context::default();
    }
    let Some(id) = lookups::character_named(services, tenant, name).await else { return actions::Context::default() };
    let world = lookups::character(services, tenant, id).await.map(|c| lookups::number(&c, "worldId"));
    actions::Context { named: (world == Some(i64::from(session.world))).then_some(id), ..actions::Context::default() }
}

pub fn translate(action: &Action, ctx: &Session) -> Outcome {
    let Action::BuddyOperation { operation, name, group, from_character_id, buddy_id } = action;
    let (c, world_id) = (ctx.character, ctx.field.world);
    let buddy = |kind: BuddyListCommandKind| command(&BuddyListCommand { world_id, character_id: c, kind });
    let commands = match operation {
        BuddyOp::Reload => Vec::new(),
        // A name or group the client cannot type breaks the rules.
        BuddyOp::Add if !NAME.contains(&name.chars().count()) || group.chars().count() > MAX_GROUP => {
            return Outcome { destroy: true, ..Outcome::default() };
        }
        BuddyOp::Add => match ctx.play.named {
            Some(target) => vec![buddy(BuddyListCommandKind::RequestAdd { character_id: target, group: group.clone() })],
            None => Vec::new(),
        },
        BuddyOp::Accept if *from_character_id != 0 => {
            let kind = InviteCommandKind::Accept { target_id: c, reference_id: *from_character_id };
            vec![command(&InviteCommand { world_id, invite_type: InviteType::Buddy, kind })]
        }
        BuddyOp::Delete if *buddy_id != 0 => vec![buddy(BuddyListCommandKind::RequestDelete { character_id: *buddy_id })],
        BuddyOp::Accept | BuddyOp::Delete => Vec::new(),
    };
    Outcome { commands, ..Outcome::default() }
}

/// A buddy-list record for its owner.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub world: u8,
    pub owner: u32,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// `BUDDY_ADDED`, `BUDDY_REMOVED`: the list is redrawn from the buddy service.
    Redraw,
    Updated(Buddy),
    ChannelChanged(Buddy),
    Capacity(u8),
    Error(BuddyResult),
}

/// EVENT_TOPIC_BUDDY_LIST_STATUS.
pub fn decode(value: &Value) -> Result<Decoded<Update>, Reject> {
    let kind = kind(value)?;
    let record: BuddyListRecord = decode::into(value.clone())?;
    let body = value.get("body");
    let change = match kind {
        "BUDDY_ADDED" | "BUDDY_REMOVED" => {
            let _: Buddy = part(body)?;
            Change::Redraw
        }
        "BUDDY_UPDATED" => Change::Updated(part(body)?),
        "BUDDY_CHANNEL_CHANGE" => Change::ChannelChanged(part(body)?),
        "CAPACITY_CHANGE" => Change::Capacity(part::<Capacity>(body)?.capacity),
        "ERROR" => {
            let error: BuddyError = part(body)?;
            match serde_json::from_value(Value::String(error.error.clone())) {
                Ok(result) => Change::Error(result),
                Err(_) => return Ok(Decoded::Unhandled(format!("ERROR {:?}", error.error))),
            }
        }
        other => return Ok(Decoded::Unhandled(other.to_string())),
    };
    Ok(Decoded::Message(Update { world: record.world_id, owner: record.character_id, change }))
}

/// Every row goes to the list's owner, in its world.
pub(super) async fn deliver(to: &Recipients<'_>, update: Update) {
    let (owner, scope) = (update.owner, Scope::World(update.world));
    let operation = match update.change {
        Change::Redraw => {
            if to.session(owner, scope).is_none() {
                return;
            }
            let Some(buddies) = buddies(to, owner).await else { return };
            BuddyOperation::Update { buddies }
        }
        Change::Updated(buddy) => BuddyOperation::BuddyUpdate { buddy },
        Change::ChannelChanged(buddy) => BuddyOperation::ChannelChange { character_id: buddy.character_id, channel_id: buddy.channel_id },
        Change::Capacity(capacity) => BuddyOperation::CapacityChange { capacity },
        Change::Error(error) => BuddyOperation::Error { error },
    };
    to.one(owner, scope, &push(&operation));
}

/// The owner's buddies from the buddy service (`GET characters/{id}/buddy-list`).
async fn buddies(to: &Recipients<'_>, owner: u32) -> Option<Vec<Buddy>> {
    let list = lookups::one(&to.edge.services, to.tenant, "BUDDIES", &format!("characters/{owner}/buddy-list")).await?;
    let entries = list["buddies"].as_array().cloned().unwrap_or_default();
    Some(entries.into_iter().take(MAX_BUDDIES).filter_map(|b| serde_json::from_value(b).ok()).collect())
}
