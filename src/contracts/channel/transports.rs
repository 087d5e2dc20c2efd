//! Transports (spec 50 §4.40, §4.41): boats arriving and leaving a dock, a rider entering an
//! instanced transport, and the `FieldTransportState`, `Clock` and `ScriptProgress` pushes.

use super::Push;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// EVENT_TOPIC_TRANSPORT_STATUS.
///
/// `{"routeId":"c0ffee00-1234-4abc-8def-0123456789ab","type":"DEPARTED","body":{"mapId":101000300}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RouteRecord {
    pub route_id: Uuid,
    pub body: RouteBody,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RouteBody {
    pub map_id: u32,
}

/// EVENT_TOPIC_INSTANCE_TRANSPORT.
///
/// `{"transactionId":"6f708192-a3b4-4c5d-8e6f-708192a3b4c5","worldId":0,"characterId":30001,"type":"TRANSIT_ENTERED","body":{"routeId":"c0ffee00-1234-4abc-8def-0123456789ab","instanceId":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d","channelId":1,"durationSeconds":60,"message":"The ship is sailing to Orbis."}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TransitRecord {
    pub transaction_id: Uuid,
    pub world_id: u8,
    pub character_id: u32,
    pub body: TransitBody,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TransitBody {
    pub route_id: Uuid,
    pub instance_id: Uuid,
    pub channel_id: u8,
    pub duration_seconds: u32,
    pub message: String,
}

/// The boat's state at a dock (the client's `ENTER1` 0 and `MOVE1` 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BoatState {
    Enter1,
    Move1,
}

/// `FieldTransportState`: the boat appears at the dock, or leaves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FieldTransportState {
    pub state: BoatState,
    pub value: u8,
    pub boss: bool,
}

impl FieldTransportState {
    pub fn docked(docked: bool) -> FieldTransportState {
        match docked {
            true => FieldTransportState { state: BoatState::Enter1, value: 0, boss: false },
            false => FieldTransportState { state: BoatState::Move1, value: 2, boss: false },
        }
    }
}

impl Push for FieldTransportState {
    const WRITER: &'static str = "FieldTransportState";
}

/// `Clock` counting down a ride (the town clock is the other `Clock`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "mode", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Countdown {
    Countdown { seconds: u32 },
}

impl Push for Countdown {
    const WRITER: &'static str = "Clock";
}

/// `ScriptProgress`: a line of text across the screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScriptProgress {
    pub message: String,
}

impl Push for ScriptProgress {
    const WRITER: &'static str = "ScriptProgress";
}
