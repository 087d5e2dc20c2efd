//! Chairs, reactors and chalkboards: sitting and hitting (spec 51 §4.18, §4.33) and what
//! the map is shown of them (spec 50 §4.28–§4.30, each record's own instance, Q-6).

use super::actions::{command, field};
use super::commands::{Context as Session, Outcome};
use super::deliver::{Recipients, Scope};
use super::frames::enable_actions;
use super::lifecycle;
use super::sessions::Field;
use super::updates::{kind, part, push};
use crate::contracts::channel::field::{
    ChairBody, ChairCommand, ChairCommandKind, ChairRecord, ChairType, ChalkboardBody, ChalkboardRecord, ChalkboardUse, ReactorBody,
    ReactorCommand, ReactorCommandKind, ReactorDestroy, ReactorHit, ReactorRecord, ReactorSpawn, ShowChair, SitResult,
};
use crate::contracts::channel::FieldBlock;
use crate::contracts::decode::{self, Decoded, Reject};
use serde::Deserialize;
use serde_json::Value;

/// The chair and reactor client frames (docs/client-protocol.md).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum Action {
    /// Sitting on a portable chair item.
    CharacterChairPortable { item_id: u32 },
    /// Sitting on a map seat, or standing up (`seatId` −1).
    CharacterChairInteraction { seat_id: i16 },
    ReactorHit {
        object_id: u32,
        #[serde(default)]
        hit_option: u32,
        #[serde(default)]
        skill_id: u32,
    },
}

pub fn translate(action: &Action, ctx: &Session) -> Outcome {
    let c = ctx.character;
    let chair = |kind: ChairCommandKind| command(&ChairCommand { field: field(ctx), kind });
    let commands = match action {
        Action::CharacterChairPortable { item_id } => {
            vec![chair(ChairCommandKind::Use { character_id: c, chair_type: ChairType::Portable, chair_id: *item_id })]
        }
        Action::CharacterChairInteraction { seat_id: -1 } => vec![chair(ChairCommandKind::Cancel { character_id: c })],
        // Go wraps another negative seat into a huge id; no map has such a seat.
        Action::CharacterChairInteraction { seat_id } => match u32::try_from(*seat_id) {
            Ok(chair_id) => vec![chair(ChairCommandKind::Use { character_id: c, chair_type: ChairType::Fixed, chair_id })],
            Err(_) => Vec::new(),
        },
        Action::ReactorHit { object_id, hit_option, skill_id } => {
            let stance = u16::try_from((hit_option & 1) | (((hit_option >> 1) & 1) << 1)).unwrap_or(0);
            let kind = ReactorCommandKind::Hit { reactor_id: *object_id, character_id: c, stance, skill_id: *skill_id };
            vec![command(&ReactorCommand { field: field(ctx), kind })]
        }
    };
    Outcome { commands, ..Outcome::default() }
}

/// A record about a map object, for the map it names.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub field: Field,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    ReactorCreated(ReactorSpawn),
    ReactorHit(ReactorHit),
    ReactorDestroyed(ReactorDestroy),
    /// `USED` of a chair: the sitter and the chair.
    Sat {
        sitter: u32,
        chair_type: ChairType,
        chair_id: u32,
    },
    StoodUp {
        sitter: u32,
    },
    /// A refused sit: `INTERNAL` unlocks the client, any other kind ends its session.
    ChairRefused {
        sitter: u32,
        internal: bool,
    },
    Chalkboard {
        owner: u32,
        message: Option<String>,
    },
}

impl Update {
    /// The map (records of one map keep their order).
    pub fn subject(&self) -> u32 {
        self.field.map
    }
}

fn field_of(block: FieldBlock) -> Field {
    Field { world: block.world_id, channel: block.channel_id, map: block.map_id, instance: block.instance }
}

/// EVENT_TOPIC_REACTOR_STATUS.
pub fn decode_reactor(value: &Value) -> Result<Decoded<Update>, Reject> {
    let kind = kind(value)?;
    let record: ReactorRecord = decode::into(value.clone())?;
    let ReactorBody { classification, name, state, x, y, direction, .. } = part(value.get("body"))?;
    let reactor_id = record.reactor_id;
    let change = match kind {
        "CREATED" => Change::ReactorCreated(ReactorSpawn { reactor_id, classification, name, state, x, y, direction }),
        "HIT" => Change::ReactorHit(ReactorHit { reactor_id, state, x, y, direction }),
        "DESTROYED" => Change::ReactorDestroyed(ReactorDestroy { reactor_id, state, x, y }),
        other => return Ok(Decoded::Unhandled(other.to_string())),
    };
    Ok(Decoded::Message(Update { field: field_of(record.field), change }))
}

/// EVENT_TOPIC_CHAIR_STATUS.
pub fn decode_chair(value: &Value) -> Result<Decoded<Update>, Reject> {
    let kind = kind(value)?;
    let record: ChairRecord = decode::into(value.clone())?;
    let body: ChairBody = part(value.get("body"))?;
    let sitter = body.character_id;
    let change = match kind {
        "USED" => match serde_json::from_value(Value::String(record.chair_type.clone())) {
            Ok(chair_type) => Change::Sat { sitter, chair_type, chair_id: record.chair_id },
            Err(_) => return Ok(Decoded::Unhandled(format!("USED of a {:?} chair", record.chair_type))),
        },
        "CANCELLED" => Change::StoodUp { sitter },
        "ERROR" => Change::ChairRefused { sitter, internal: body.error == "INTERNAL" },
        other => return Ok(Decoded::Unhandled(other.to_string())),
    };
    Ok(Decoded::Message(Update { field: field_of(record.field), change }))
}

/// EVENT_TOPIC_CHALKBOARD_STATUS.
pub fn decode_chalkboard(value: &Value) -> Result<Decoded<Update>, Reject> {
    let kind = kind(value)?;
    let record: ChalkboardRecord = decode::into(value.clone())?;
    let body: ChalkboardBody = part(value.get("body"))?;
    let message = match kind {
        "SET" => Some(body.message),
        "CLEAR" => None,
        other => return Ok(Decoded::Unhandled(other.to_string())),
    };
    Ok(Decoded::Message(Update { field: field_of(record.field), change: Change::Chalkboard { owner: record.character_id, message } }))
}

pub(super) async fn deliver(to: &Recipients<'_>, update: Update) {
    let field = update.field;
    let scope = Scope::Channel(field.world, field.channel);
    match update.change {
        Change::ReactorCreated(spawn) => to.map(field, None, &push(&spawn)).await,
        Change::ReactorHit(hit) => to.map(field, None, &push(&hit)).await,
        Change::ReactorDestroyed(destroy) => to.map(field, None, &push(&destroy)).await,
        Change::Sat { sitter, chair_type: ChairType::Portable, chair_id } => {
            to.map(field, Some(sitter), &push(&ShowChair { character_id: sitter, chair_id })).await;
            to.one(sitter, scope, &enable_actions());
        }
        // Spec 50 Q-24, kept: a map seat is answered to the sitter only.
        Change::Sat { sitter, chair_type: ChairType::Fixed, chair_id } => {
            to.one(sitter, scope, &push(&SitResult::Sit { seat_id: u16::try_from(chair_id).unwrap_or(u16::MAX) }));
        }
        Change::StoodUp { sitter } => {
            to.one(sitter, scope, &push(&SitResult::StandUp));
            to.map(field, Some(sitter), &push(&ShowChair { character_id: sitter, chair_id: 0 })).await;
        }
        Change::ChairRefused { sitter, internal: true } => {
            to.one(sitter, scope, &enable_actions());
        }
        Change::ChairRefused { sitter, internal: false } => {
            if let Some(session) = to.session(sitter, scope) {
                tracing::info!(tenant = %to.tenant.id, session = %session.id, "illegitimate chair request: session destroyed");
                lifecycle::destroy(to.edge, &session).await;
            }
        }
        Change::Chalkboard { owner, message } => {
            let cleared = message.is_none();
            to.map(field, None, &push(&ChalkboardUse { character_id: owner, message })).await;
            if cleared {
                to.one(owner, scope, &enable_actions());
            }
        }
    }
}
