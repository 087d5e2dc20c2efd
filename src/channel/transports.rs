//! Transports: scheduled boats seen at their dock (spec 50 §4.40, Q-14 fixed: the record's
//! tenant only) and riders of instanced transports (§4.41, Q-6 fixed: the ride's instance
//! becomes the session's).

use super::deliver::{Recipients, Scope};
use super::sessions::Field;
use super::updates::{kind, push};
use crate::contracts::channel::transports::{Countdown, FieldTransportState, RouteRecord, ScriptProgress, TransitRecord};
use crate::contracts::decode::{self, Decoded, Reject};
use serde_json::Value;
use std::collections::BTreeSet;
use uuid::Uuid;

/// A transport record.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    /// A boat arrived at (`docked`) or left the dock map.
    Boat { map: u32, docked: bool },
    /// A character boarded an instanced transport.
    Transit(TransitRecord),
}

impl Update {
    /// The dock, or the rider (one subject's records keep their order).
    pub fn subject(&self) -> u32 {
        match self {
            Update::Boat { map, .. } => *map,
            Update::Transit(record) => record.character_id,
        }
    }
}

/// EVENT_TOPIC_TRANSPORT_STATUS.
pub fn decode_route(value: &Value) -> Result<Decoded<Update>, Reject> {
    let kind = kind(value)?;
    let record: RouteRecord = decode::into(value.clone())?;
    let docked = match kind {
        "ARRIVED" => true,
        "DEPARTED" => false,
        other => return Ok(Decoded::Unhandled(other.to_string())),
    };
    Ok(Decoded::Message(Update::Boat { map: record.body.map_id, docked }))
}

/// EVENT_TOPIC_INSTANCE_TRANSPORT.
pub fn decode_transit(value: &Value) -> Result<Decoded<Update>, Reject> {
    let kind = kind(value)?;
    let record: TransitRecord = decode::into(value.clone())?;
    match kind {
        "TRANSIT_ENTERED" => Ok(Decoded::Message(Update::Transit(record))),
        other => Ok(Decoded::Unhandled(other.to_string())),
    }
}

pub(super) async fn deliver(to: &Recipients<'_>, update: Update) {
    match update {
        Update::Boat { map, docked } => {
            // Every channel served here shows the dock's nil instance (Q-14: only this
            // tenant's, as the consumer took the tenant from the record).
            let served: BTreeSet<(u8, u8)> =
                to.edge.sessions.all().into_iter().filter(|s| s.tenant == *to.tenant).map(|s| (s.world, s.channel)).collect();
            let frame = push(&FieldTransportState::docked(docked));
            for (world, channel) in served {
                to.map(Field { world, channel, map, instance: Uuid::nil() }, None, &frame).await;
            }
        }
        Update::Transit(record) => {
            let Some(session) = to.session(record.character_id, Scope::Channel(record.world_id, record.body.channel_id)) else { return };
            // the rider is now in the ride's instance.
            session.update(|s| s.instance = record.body.instance_id);
            session.push(&push(&Countdown::Countdown { seconds: record.body.duration_seconds }));
            if !record.body.message.is_empty() {
                session.push(&push(&ScriptProgress { message: record.body.message }));
            }
        }
    }
}
