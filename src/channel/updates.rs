//! Records of the second wave (spec 50 §7 P2): their typed decoders and their delivery.
//! `events` hands these topics here; each feature module decodes and delivers its own.

use super::deliver::Recipients;
use super::events::ChannelEvent;
use super::frames::Frame;
use super::{buddies, fame, guilds, map_objects, npc, party, pets, quests, storage, system_messages};
use crate::contracts::channel::Push;
use crate::contracts::decode::{self, Decoded, Reject};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A record of the second wave the edge pushes.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    Npc(npc::Update),
    SystemMessage(system_messages::Update),
    Quest(quests::Update),
    Party(party::Update),
    Buddy(buddies::Update),
    MapObject(map_objects::Update),
    Fame(fame::Update),
    Pet(pets::Update),
    Storage(storage::Update),
    Guild(guilds::Update),
}

impl Update {
    /// What the record is about: its character, or its party (records of one subject keep
    /// their order).
    pub fn subject(&self) -> u32 {
        match self {
            Update::Npc(u) => u.subject(),
            Update::SystemMessage(u) => u.character,
            Update::Quest(u) => u.character,
            Update::Party(u) => u.party,
            Update::Buddy(u) => u.owner,
            Update::MapObject(u) => u.subject(),
            Update::Fame(u) => u.subject(),
            Update::Pet(u) => u.owner,
            Update::Storage(u) => u.subject(),
            Update::Guild(u) => u.subject(),
        }
    }
}

/// Decodes a record of a second-wave topic; `None` for other topics.
pub fn decode(topic: &str, value: &Value) -> Option<Result<Decoded<ChannelEvent>, Reject>> {
    let decoded = match topic {
        "COMMAND_TOPIC_NPC_CONVERSATION" => lift(npc::decode_conversation(value), Update::Npc),
        "EVENT_TOPIC_NPC_SHOP_STATUS" => lift(npc::decode_shop(value), Update::Npc),
        "COMMAND_TOPIC_SYSTEM_MESSAGE" => lift(system_messages::decode(value), Update::SystemMessage),
        "EVENT_TOPIC_QUEST_STATUS" => lift(quests::decode(value), Update::Quest),
        "EVENT_TOPIC_PARTY_STATUS" => lift(party::decode_status(value), Update::Party),
        "EVENT_TOPIC_PARTY_MEMBER_STATUS" => lift(party::decode_member(value), Update::Party),
        "EVENT_TOPIC_BUDDY_LIST_STATUS" => lift(buddies::decode(value), Update::Buddy),
        "EVENT_TOPIC_REACTOR_STATUS" => lift(map_objects::decode_reactor(value), Update::MapObject),
        "EVENT_TOPIC_CHAIR_STATUS" => lift(map_objects::decode_chair(value), Update::MapObject),
        "EVENT_TOPIC_CHALKBOARD_STATUS" => lift(map_objects::decode_chalkboard(value), Update::MapObject),
        "EVENT_TOPIC_FAME_STATUS" => lift(fame::decode_fame(value), Update::Fame),
        "EVENT_TOPIC_NOTE_STATUS" => lift(fame::decode_note(value), Update::Fame),
        "EVENT_TOPIC_PET_STATUS" => lift(pets::decode(value), Update::Pet),
        "EVENT_TOPIC_STORAGE_STATUS" => lift(storage::decode_status(value), Update::Storage),
        "EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS" => lift(storage::decode_compartment(value), Update::Storage),
        "EVENT_TOPIC_SAGA_STATUS" => lift(storage::decode_saga(value), Update::Storage),
        "EVENT_TOPIC_GUILD_STATUS" => lift(guilds::decode_status(value), Update::Guild),
        "COMMAND_TOPIC_GUILD" => lift(guilds::decode_prompt(value), Update::Guild),
        _ => return None,
    };
    Some(decoded)
}

fn lift<U>(decoded: Result<Decoded<U>, Reject>, wrap: fn(U) -> Update) -> Result<Decoded<ChannelEvent>, Reject> {
    Ok(match decoded? {
        Decoded::Message(update) => Decoded::Message(ChannelEvent::Update(wrap(update))),
        Decoded::Unhandled(kind) => Decoded::Unhandled(kind),
    })
}

/// Pushes a second-wave record to the sessions it concerns.
pub(super) async fn deliver(to: &Recipients<'_>, update: Update) {
    match update {
        Update::Npc(update) => npc::deliver(to, update).await,
        Update::SystemMessage(update) => system_messages::deliver(to, update),
        Update::Quest(update) => quests::deliver(to, update).await,
        Update::Party(update) => party::deliver(to, update).await,
        Update::Buddy(update) => buddies::deliver(to, update).await,
        Update::MapObject(update) => map_objects::deliver(to, update).await,
        Update::Fame(update) => fame::deliver(to, update),
        Update::Pet(update) => pets::deliver(to, update).await,
        Update::Storage(update) => storage::deliver(to, update).await,
        Update::Guild(update) => guilds::deliver(to, update).await,
    }
}

/// The `type` of an enveloped record.
pub fn kind(value: &Value) -> Result<&str, Reject> {
    match value.get("type") {
        None | Some(Value::Null) => Err(Reject::MissingType),
        Some(Value::String(kind)) => Ok(kind),
        Some(other) => Err(Reject::BadField(format!("type is not a string: {other}"))),
    }
}

/// A record's envelope or body decoded like Go: a missing field is its zero value, a
/// field of the wrong type refuses the record.
pub fn part<T: DeserializeOwned + Default>(value: Option<&Value>) -> Result<T, Reject> {
    match value {
        None | Some(Value::Null) => Ok(T::default()),
        Some(value) => decode::into(value.clone()),
    }
}

/// The frame of a typed push.
pub fn push<P: Push>(push: &P) -> Frame {
    // A derived `Serialize` of these structs (string keys only) cannot fail.
    Frame::new(P::WRITER, serde_json::to_value(push).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::events;
    use crate::contracts::channel::npc::{Dialog, NpcConversation};
    use crate::contracts::channel::system_message::{MessageMode, WorldMessage};
    use serde_json::json;

    fn decoded(topic: &str, value: Value) -> Result<Decoded<ChannelEvent>, Reject> {
        events::decode(topic, value.to_string().as_bytes())
    }

    fn update(topic: &str, value: Value) -> Update {
        match decoded(topic, value.clone()) {
            Ok(Decoded::Message(ChannelEvent::Update(update))) => update,
            other => panic!("{topic} {value}: {other:?}"),
        }
    }

    #[test]
    fn spec_examples_decode_into_their_pushes() {
        let Update::Npc(npc::Update::Conversation { record, dialog }) = update(
            "COMMAND_TOPIC_NPC_CONVERSATION",
            json!({"worldId": 0, "channelId": 1, "characterId": 30001, "npcId": 9010000, "speaker": "NPC", "endChat": false,
                   "secondaryNpcId": 0, "message": "Hello, traveller.", "type": "SIMPLE", "body": {"type": "NEXT"}}),
        ) else {
            panic!("a conversation")
        };
        let frame = push(&NpcConversation::new(&record, dialog.clone()));
        assert_eq!(dialog, Dialog::Say { previous: false, next: true });
        let text: Value = serde_json::from_str(&frame.text()).expect("json");
        assert_eq!(
            text,
            json!({"type": "NPCConversation", "npcId": 9010000, "speaker": 1, "secondaryNpcId": 0,
            "message": "Hello, traveller.", "dialog": "SAY", "previous": false, "next": true})
        );
        let shop = update(
            "EVENT_TOPIC_NPC_SHOP_STATUS",
            json!({"characterId": 30001, "type": "ERROR", "body": {"error": "NOT_ENOUGH_MONEY", "levelLimit": 0, "reason": ""}}),
        );
        assert_eq!(shop.subject(), 30001);
        let system = update(
            "COMMAND_TOPIC_SYSTEM_MESSAGE",
            json!({"transactionId": "1c2d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5", "worldId": 0,
            "channelId": 1, "characterId": 30001, "type": "SEND_MESSAGE", "body": {"messageType": "NOTICE", "message": "Welcome!"}}),
        );
        let Update::SystemMessage(system) = system else { panic!("a system message") };
        assert_eq!(system.message, system_messages::Message::World(WorldMessage { mode: MessageMode::Notice, message: "Welcome!".into() }));
        let quest = update(
            "EVENT_TOPIC_QUEST_STATUS",
            json!({"characterId": 30001, "worldId": 0, "type": "COMPLETED",
            "body": {"questId": 1021, "completedAt": "2025-03-01T12:00:00Z", "items": [{"itemId": 2000000, "amount": 3}]}}),
        );
        assert_eq!(quest.subject(), 30001);
    }

    #[test]
    fn unknown_kinds_are_skipped_and_wrong_types_refused() {
        let unknown_box = json!({"characterId": 1, "type": "SIMPLE", "body": {"type": "DANCE"}});
        assert!(matches!(decoded("COMMAND_TOPIC_NPC_CONVERSATION", unknown_box), Ok(Decoded::Unhandled(_))), "Q-19");
        assert!(matches!(decoded("COMMAND_TOPIC_NPC_CONVERSATION", json!({"type": "TEXT"})), Ok(Decoded::Unhandled(_))));
        assert!(matches!(decoded("EVENT_TOPIC_NPC_SHOP_STATUS", json!({"type": "EXITED"})), Ok(Decoded::Unhandled(_))));
        assert!(
            matches!(decoded("COMMAND_TOPIC_GUILD", json!({"type": "REQUEST_CREATE", "body": {}})), Ok(Decoded::Unhandled(_))),
            "commands for the guild service"
        );
        let unknown_error = json!({"characterId": 1, "type": "ERROR", "body": {"error": "BAD_LUCK"}});
        assert!(matches!(decoded("EVENT_TOPIC_NPC_SHOP_STATUS", unknown_error), Ok(Decoded::Unhandled(_))));
        for (topic, bad) in [
            ("COMMAND_TOPIC_NPC_CONVERSATION", json!({"npcId": "x", "type": "SIMPLE", "body": {"type": "OK"}})),
            ("COMMAND_TOPIC_NPC_CONVERSATION", json!({"type": "NUMBER", "body": {"minValue": -1}})),
            ("COMMAND_TOPIC_NPC_CONVERSATION", json!({"type": "STYLE", "body": {"styles": "30000"}})),
            ("EVENT_TOPIC_NPC_SHOP_STATUS", json!({"characterId": 1, "type": "ENTERED", "body": {"npcTemplateId": true}})),
            ("COMMAND_TOPIC_SYSTEM_MESSAGE", json!({"channelId": 300, "type": "SHOW_HINT", "body": {}})),
            ("COMMAND_TOPIC_SYSTEM_MESSAGE", json!({"type": "SHOW_HINT", "body": {"width": "wide"}})),
            ("EVENT_TOPIC_QUEST_STATUS", json!({"type": "COMPLETED", "body": {"items": [{"itemId": -3}]}})),
            ("EVENT_TOPIC_QUEST_STATUS", json!({"characterId": 1})),
            ("EVENT_TOPIC_QUEST_STATUS", json!({"type": 4})),
            ("EVENT_TOPIC_PARTY_STATUS", json!({"partyId": -1, "type": "CREATED"})),
            ("EVENT_TOPIC_PARTY_STATUS", json!({"type": "DISBAND", "body": {"members": [1, "2"]}})),
            ("EVENT_TOPIC_PARTY_STATUS", json!({"type": "CHANGE_LEADER", "body": {"disconnected": "yes"}})),
            ("EVENT_TOPIC_PARTY_MEMBER_STATUS", json!({"characterId": "3", "type": "LOGIN"})),
            ("EVENT_TOPIC_BUDDY_LIST_STATUS", json!({"type": "BUDDY_CHANNEL_CHANGE", "body": {"channelId": 200}})),
            ("EVENT_TOPIC_BUDDY_LIST_STATUS", json!({"type": "CAPACITY_CHANGE", "body": {"capacity": 256}})),
            ("EVENT_TOPIC_BUDDY_LIST_STATUS", json!({"type": "BUDDY_ADDED", "body": {"characterName": 5}})),
            ("EVENT_TOPIC_REACTOR_STATUS", json!({"reactorId": 1, "type": "HIT", "body": {"state": 200}})),
            ("EVENT_TOPIC_REACTOR_STATUS", json!({"instance": "not-a-uuid", "type": "CREATED"})),
            ("EVENT_TOPIC_CHAIR_STATUS", json!({"chairId": -1, "type": "USED"})),
            ("EVENT_TOPIC_CHALKBOARD_STATUS", json!({"type": "SET", "body": {"message": ["x"]}})),
            ("EVENT_TOPIC_FAME_STATUS", json!({"type": "ERROR", "body": {"channelId": "1"}})),
            ("EVENT_TOPIC_NOTE_STATUS", json!({"type": "CREATED", "body": {"noteId": -501}})),
            ("EVENT_TOPIC_PET_STATUS", json!({"petId": 1, "type": "SLOT_CHANGED", "body": {"newSlot": 128}})),
            ("EVENT_TOPIC_PET_STATUS", json!({"type": "EXCLUDE_CHANGED", "body": {"items": [-1]}})),
            ("EVENT_TOPIC_STORAGE_STATUS", json!({"accountId": "x", "type": "ARRANGED"})),
            ("EVENT_TOPIC_STORAGE_STATUS", json!({"type": "MESOS_UPDATED", "body": {"newMesos": -1}})),
            ("EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS", json!({"characterId": 1, "type": "ACCEPTED", "body": {"transactionId": "nope"}})),
            ("EVENT_TOPIC_SAGA_STATUS", json!({"type": "FAILED", "body": {"characterId": "1"}})),
            ("EVENT_TOPIC_SAGA_STATUS", json!({"transactionId": 5, "type": "COMPLETED"})),
            ("EVENT_TOPIC_GUILD_STATUS", json!({"guildId": -12, "type": "CREATED"})),
            ("EVENT_TOPIC_GUILD_STATUS", json!({"type": "EMBLEM_UPDATED", "body": {"logo": 70000}})),
            ("EVENT_TOPIC_GUILD_STATUS", json!({"type": "TITLES_UPDATED", "body": {"titles": [1]}})),
            ("COMMAND_TOPIC_GUILD", json!({"characterId": 1, "type": "REQUEST_NAME", "body": {"channelId": "1"}})),
        ] {
            assert!(decoded(topic, bad.clone()).is_err(), "{topic} {bad}");
        }
    }
}
