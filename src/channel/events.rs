//! Decoders of the 40 topics the channel consumes (spec 50 §3).
//!
//! Every record is decoded once, here, into the type of its topic and `type` (types as in
//! Go: a missing field is its zero value, a field of the wrong type or an array where an
//! object belongs refuses the record, which the state-owning group dead-letters). The
//! types the edge pushes to clients are [`HANDLED`]; any other well-formed record is
//! skipped.

use crate::contracts::channel::first_wave::{self, Record};
use crate::contracts::decode::{self, Decoded, Reject};
use serde::Deserialize;

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
    /// A record of the first wave (spec 50 P1), typed per topic and type.
    First(Record),
    /// A record of the second wave, decoded by its feature module.
    Update(super::updates::Update),
    /// A record of the last wave (spec 50 P3 and the guild topics).
    Later(super::last_wave::Update),
}

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
    match first_wave::decode(topic, &value) {
        Some(decoded) => Ok(match decoded? {
            Decoded::Message(record) => Decoded::Message(ChannelEvent::First(record)),
            Decoded::Unhandled(kind) => Decoded::Unhandled(kind),
        }),
        None => Ok(Decoded::Unhandled(format!("{topic}: no decoder"))),
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
        let ChannelEvent::First(Record::Map(status)) = message(
            "EVENT_TOPIC_MAP_STATUS",
            r#"{"transactionId":"9d1e2f30-4a5b-4c6d-8e7f-90a1b2c3d4e5","worldId":0,"channelId":1,"mapId":104000000,
               "instance":"00000000-0000-0000-0000-000000000000","type":"CHARACTER_ENTER","body":{"characterId":30001}}"#,
        ) else {
            panic!("map status")
        };
        assert_eq!((status.envelope.field.map_id, status.envelope.field.channel_id), (104000000, 1));
        assert_eq!(status.event, first_wave::MapEvent::Enter(first_wave::MapCharacter { character_id: 30001 }));
        let ChannelEvent::First(Record::Expression(expression)) = message(
            "EVENT_TOPIC_EXPRESSION",
            r#"{"characterId":30001,"worldId":0,"channelId":1,"mapId":104000000,"instance":"00000000-0000-0000-0000-000000000000","expression":3}"#,
        ) else {
            panic!("expression is flat")
        };
        assert_eq!(expression.expression, 3);
        assert_eq!(
            message("EVENT_TOPIC_ACCOUNT_STATUS", r#"{"account_id":1001,"name":"alice","status":"LOGGED_IN"}"#),
            ChannelEvent::Account(AccountStatus { account_id: 1001, name: "alice".into(), status: "LOGGED_IN".into() })
        );
        assert!(decode("EVENT_TOPIC_SKILL_STATUS", br#"{"characterId":"x","type":"CREATED"}"#).is_err(), "wrong field type");
        assert!(decode("EVENT_TOPIC_DROP_STATUS", br#"{"type":"PICKED_UP","body":{"petSlot":"0"}}"#).is_err(), "wrong body type");
        assert!(decode("EVENT_TOPIC_DROP_STATUS", br#"{"type":"PICKED_UP","body":[30001]}"#).is_err(), "an array body");
        assert!(matches!(decode("EVENT_TOPIC_TRANSPORT_STATUS", br#"{"type":"DOCKED","body":{"mapId":1}}"#), Ok(Decoded::Unhandled(_))));
        assert!(decode("EVENT_TOPIC_TRANSPORT_STATUS", br#"{"type":"ARRIVED","routeId":1}"#).is_err(), "a route id is a UUID");
    }
}
