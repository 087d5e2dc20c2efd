//! Decoders of the 40 topics the channel consumes (spec 50 §3).
//!
//! Every record is checked against its topic's envelope (types as in Go: a missing field
//! is its zero value, a field of the wrong type refuses the record). The types the edge
//! pushes to clients are [`HANDLED`]; any other well-formed record is skipped.

use crate::contracts::decode::{self, Decoded, Reject};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

/// The envelope fields of every consumed topic; each topic uses some of them.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Envelope {
    #[serde(rename = "type")]
    pub kind: String,
    pub world_id: u8,
    pub channel_id: u8,
    pub map_id: u32,
    pub instance: Uuid,
    pub character_id: u32,
    pub actor_id: u32,
    pub owner_id: u32,
    pub session_id: Uuid,
    pub account_id: u32,
    pub messenger_id: u32,
    pub party_id: u32,
    pub skill_id: u32,
    pub asset_id: u32,
    pub template_id: u32,
    pub slot: i16,
    pub compartment_id: Uuid,
    pub unique_id: u32,
    pub monster_id: u32,
    pub drop_id: u32,
    pub message: String,
    pub expression: u32,
    pub invite_type: String,
    pub reference_id: u32,
    pub body: Value,
}

/// EVENT_TOPIC_ACCOUNT_STATUS: flat, with snake_case keys (spec 50 §4.1).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct AccountStatus {
    pub account_id: u32,
    pub name: String,
    pub status: String,
}

/// A consumed record the edge acts on.
#[derive(Debug, Clone, PartialEq)]
pub enum ChannelEvent {
    Account(AccountStatus),
    /// COMMAND_TOPIC_CHANNEL_STATUS: "who is out there?" (its type is not checked).
    StatusRequest,
    Enveloped {
        topic: &'static str,
        envelope: Envelope,
    },
    /// A record of the second wave, decoded by its feature module.
    Update(super::updates::Update),
    /// A record of the last wave (spec 50 P3 and the guild topics).
    Later(super::last_wave::Update),
}

/// Topics whose records have no `type` (spec 50 §2.6).
const FLAT: &[&str] =
    &["EVENT_TOPIC_ACCOUNT_STATUS", "EVENT_TOPIC_EXPRESSION", "EVENT_TOPIC_GACHAPON_REWARD_WON", "COMMAND_TOPIC_CHANNEL_STATUS"];

/// The 40 consumed topics, with the types the edge pushes today (P1 of spec 50 §7).
pub const HANDLED: &[(&str, &[&str])] = &[
    ("EVENT_TOPIC_ACCOUNT_STATUS", &["LOGGED_IN", "LOGGED_OUT"]),
    ("EVENT_TOPIC_ACCOUNT_SESSION_STATUS", &["STATE_CHANGED", "ERROR"]),
    ("COMMAND_TOPIC_CHANNEL_STATUS", &[""]),
    (
        "EVENT_TOPIC_CHARACTER_STATUS",
        &["STAT_CHANGED", "MAP_CHANGED", "EXPERIENCE_CHANGED", "FAME_CHANGED", "MESO_CHANGED", "LEVEL_CHANGED"],
    ),
    ("EVENT_TOPIC_MAP_STATUS", &["CHARACTER_ENTER", "CHARACTER_EXIT"]),
    ("EVENT_TOPIC_ASSET_STATUS", &["CREATED", "UPDATED", "QUANTITY_CHANGED", "MOVED", "DELETED", "ACCEPTED", "RELEASED", "EXPIRED"]),
    ("EVENT_TOPIC_COMPARTMENT_STATUS", &["RESERVATION_CANCELLED", "MERGE_COMPLETE", "SORT_COMPLETE"]),
    ("EVENT_TOPIC_CHARACTER_CHAT", &["GENERAL", "BUDDY", "PARTY", "GUILD", "ALLIANCE", "WHISPER", "MESSENGER", "PET", "PINK_TEXT"]),
    ("EVENT_TOPIC_EXPRESSION", &[""]),
    ("EVENT_TOPIC_CHARACTER_BUFF_STATUS", &["APPLIED", "EXPIRED"]),
    ("EVENT_TOPIC_SKILL_STATUS", &["CREATED", "UPDATED", "COOLDOWN_APPLIED", "COOLDOWN_EXPIRED"]),
    ("EVENT_TOPIC_MESSENGER_STATUS", &["JOINED", "LEFT"]),
    ("EVENT_TOPIC_MONSTER_STATUS", &["CREATED", "DESTROYED", "START_CONTROL", "STOP_CONTROL", "DAMAGED", "KILLED"]),
    ("EVENT_TOPIC_DROP_STATUS", &["CREATED", "EXPIRED", "PICKED_UP"]),
    ("EVENT_TOPIC_CONSUMABLE_STATUS", &["ERROR", "SCROLL"]),
    ("EVENT_TOPIC_INVITE_STATUS", &["CREATED", "REJECTED"]),
    // The second wave (P2), decoded by `updates`.
    ("COMMAND_TOPIC_NPC_CONVERSATION", &["SIMPLE", "NUMBER", "STYLE", "SLIDE_MENU"]),
    ("EVENT_TOPIC_NPC_SHOP_STATUS", &["ENTERED", "ERROR"]),
    (
        "COMMAND_TOPIC_SYSTEM_MESSAGE",
        &[
            "SEND_MESSAGE",
            "PLAY_PORTAL_SOUND",
            "SHOW_INFO",
            "SHOW_INFO_TEXT",
            "UPDATE_AREA_INFO",
            "SHOW_HINT",
            "SHOW_GUIDE_HINT",
            "SHOW_INTRO",
        ],
    ),
    ("EVENT_TOPIC_QUEST_STATUS", &["STARTED", "PROGRESS_UPDATED", "COMPLETED", "FORFEITED"]),
    ("EVENT_TOPIC_PARTY_STATUS", &["CREATED", "JOINED", "LEFT", "EXPEL", "DISBAND", "CHANGE_LEADER", "ERROR"]),
    ("EVENT_TOPIC_PARTY_MEMBER_STATUS", &["LOGIN", "LOGOUT"]),
    (
        "EVENT_TOPIC_BUDDY_LIST_STATUS",
        &["BUDDY_ADDED", "BUDDY_REMOVED", "BUDDY_UPDATED", "BUDDY_CHANNEL_CHANGE", "CAPACITY_CHANGE", "ERROR"],
    ),
    ("EVENT_TOPIC_REACTOR_STATUS", &["CREATED", "HIT", "DESTROYED"]),
    ("EVENT_TOPIC_CHAIR_STATUS", &["USED", "CANCELLED", "ERROR"]),
    ("EVENT_TOPIC_CHALKBOARD_STATUS", &["SET", "CLEAR"]),
    ("EVENT_TOPIC_FAME_STATUS", &["ERROR"]),
    ("EVENT_TOPIC_NOTE_STATUS", &["CREATED"]),
    (
        "EVENT_TOPIC_PET_STATUS",
        &[
            "SPAWNED",
            "DESPAWNED",
            "COMMAND_RESPONSE",
            "CLOSENESS_CHANGED",
            "FULLNESS_CHANGED",
            "LEVEL_CHANGED",
            "SLOT_CHANGED",
            "EXCLUDE_CHANGED",
        ],
    ),
    ("EVENT_TOPIC_STORAGE_STATUS", &["MESOS_UPDATED", "ARRANGED", "ERROR", "PROJECTION_CREATED"]),
    ("EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS", &["ACCEPTED", "RELEASED"]),
    ("EVENT_TOPIC_SAGA_STATUS", &["FAILED"]),
    (
        "EVENT_TOPIC_GUILD_STATUS",
        &[
            "REQUEST_AGREEMENT",
            "CREATED",
            "DISBANDED",
            "EMBLEM_UPDATED",
            "MEMBER_STATUS_UPDATED",
            "MEMBER_TITLE_UPDATED",
            "MEMBER_LEFT",
            "MEMBER_JOINED",
            "NOTICE_UPDATED",
            "CAPACITY_UPDATED",
            "TITLES_UPDATED",
            "ERROR",
        ],
    ),
    ("COMMAND_TOPIC_GUILD", &["REQUEST_NAME", "REQUEST_EMBLEM"]),
    // The last wave (P3), decoded by `last_wave`.
    ("EVENT_TOPIC_CASH_SHOP_STATUS", &["INVENTORY_CAPACITY_INCREASED", "PURCHASE", "ERROR"]),
    ("EVENT_TOPIC_CASH_COMPARTMENT_STATUS", &["ACCEPTED", "RELEASED"]),
    ("EVENT_TOPIC_GACHAPON_REWARD_WON", &[""]),
    ("EVENT_TOPIC_GUILD_THREAD_STATUS", &["CREATED", "UPDATED", "REPLY_ADDED", "REPLY_DELETED"]),
    ("EVENT_TOPIC_TRANSPORT_STATUS", &["ARRIVED", "DEPARTED"]),
    ("EVENT_TOPIC_INSTANCE_TRANSPORT", &["TRANSIT_ENTERED"]),
];

/// Decodes a record of a consumed topic (by variable).
pub fn decode(topic: &str, bytes: &[u8]) -> Result<Decoded<ChannelEvent>, Reject> {
    let Some(&(topic, handled)) = HANDLED.iter().find(|(t, _)| *t == topic) else {
        return Ok(Decoded::Unhandled(format!("{topic}: not a channel topic")));
    };
    let value = decode::object(bytes)?;
    if topic == "EVENT_TOPIC_ACCOUNT_STATUS" {
        let status: AccountStatus = decode::into(value)?;
        return Ok(match handled.contains(&status.status.as_str()) {
            true => Decoded::Message(ChannelEvent::Account(status)),
            false => Decoded::Unhandled(status.status),
        });
    }
    if topic == "COMMAND_TOPIC_CHANNEL_STATUS" {
        return Ok(Decoded::Message(ChannelEvent::StatusRequest));
    }
    if let Some(decoded) = super::updates::decode(topic, &value) {
        return decoded;
    }
    if let Some(decoded) = super::last_wave::decode(topic, &value) {
        return decoded;
    }
    if !FLAT.contains(&topic) && !matches!(value.get("type"), Some(Value::String(_))) {
        return Err(Reject::MissingType);
    }
    let envelope: Envelope = decode::into(value)?;
    if !handled.contains(&envelope.kind.as_str()) {
        return Ok(Decoded::Unhandled(envelope.kind));
    }
    Ok(Decoded::Message(ChannelEvent::Enveloped { topic, envelope }))
}

/// A body field decoded like Go (absent: zero), or `None` when it has the wrong type.
pub fn body<T: serde::de::DeserializeOwned + Default>(envelope: &Envelope, field: &str) -> Option<T> {
    match envelope.body.get(field) {
        None | Some(Value::Null) => Some(T::default()),
        Some(value) => crate::contracts::strict::from_value(value.clone()).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(topic: &str, value: &str) -> ChannelEvent {
        match decode(topic, value.as_bytes()) {
            Ok(Decoded::Message(event)) => event,
            other => panic!("{topic} {value}: {other:?}"),
        }
    }

    #[test]
    fn forty_topics_have_decoders() {
        assert_eq!(HANDLED.len(), 40);
        for (topic, _) in HANDLED {
            assert!(decode(topic, b"").is_err(), "{topic}: an empty value is refused");
            assert!(decode(topic, b"[1]").is_err(), "{topic}: an array is refused");
            assert!(decode(topic, br#"{"type":"SOMETHING_NEW","worldId":0}"#).is_ok(), "{topic}: an unknown type is skipped");
        }
    }

    #[test]
    fn spec_examples_decode() {
        let ChannelEvent::Enveloped { envelope, .. } = message(
            "EVENT_TOPIC_MAP_STATUS",
            r#"{"transactionId":"9d1e2f30-4a5b-4c6d-8e7f-90a1b2c3d4e5","worldId":0,"channelId":1,"mapId":104000000,
               "instance":"00000000-0000-0000-0000-000000000000","type":"CHARACTER_ENTER","body":{"characterId":30001}}"#,
        ) else {
            panic!("map status is enveloped")
        };
        assert_eq!((envelope.map_id, envelope.channel_id, body::<u32>(&envelope, "characterId")), (104000000, 1, Some(30001)));
        let ChannelEvent::Enveloped { envelope, .. } = message(
            "EVENT_TOPIC_EXPRESSION",
            r#"{"characterId":30001,"worldId":0,"channelId":1,"mapId":104000000,"instance":"00000000-0000-0000-0000-000000000000","expression":3}"#,
        ) else {
            panic!("expression is flat but enveloped")
        };
        assert_eq!(envelope.expression, 3);
        assert_eq!(
            message("EVENT_TOPIC_ACCOUNT_STATUS", r#"{"account_id":1001,"name":"alice","status":"LOGGED_IN"}"#),
            ChannelEvent::Account(AccountStatus { account_id: 1001, name: "alice".into(), status: "LOGGED_IN".into() })
        );
        assert!(decode("EVENT_TOPIC_SKILL_STATUS", br#"{"characterId":"x","type":"CREATED"}"#).is_err(), "wrong field type");
        assert!(matches!(decode("EVENT_TOPIC_TRANSPORT_STATUS", br#"{"type":"DOCKED","body":{"mapId":1}}"#), Ok(Decoded::Unhandled(_))));
        assert!(decode("EVENT_TOPIC_TRANSPORT_STATUS", br#"{"type":"ARRIVED","routeId":1}"#).is_err(), "a route id is a UUID");
    }
}
