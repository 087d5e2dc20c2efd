//! Wire strictness of the 40 topics the channel consumes (issue 14, spec 50): for a valid
//! record of every type the edge pushes, every one-node shape mutation (object ↔ array ↔
//! scalar at any path) is refused by the channel's decoder, so the state-owning group
//! dead-letters it; and the record with the fields of the topic's other types added, set
//! to values of the wrong type, still decodes (each type reads its own fields only).

use atlas_actors::channel::events::{decode, ChannelEvent, HANDLED};
use atlas_actors::contracts::decode::{Decoded, Reject};
use atlas_actors::contracts::shapes::{mutations, with_foreign_fields};
use serde_json::{json, Map, Value};

const NIL: &str = "00000000-0000-0000-0000-000000000000";
const T: &str = "5a6a0001-1111-4aaa-8bbb-000000004101";

/// A valid record of a topic (by its variable) and the paths whose contract is any JSON.
struct Example {
    topic: &'static str,
    value: Value,
    raw: &'static [&'static str],
}

fn example(topic: &'static str, value: Value) -> Example {
    Example { topic, value, raw: &[] }
}

fn asset_data() -> Value {
    json!({"expiration": "0001-01-01T00:00:00Z", "createdAt": "2025-03-01T12:00:00Z", "quantity": 50, "ownerId": 0, "flag": 0,
        "rechargeable": 0, "strength": 1, "dexterity": 0, "intelligence": 0, "luck": 0, "hp": 0, "mp": 0, "weaponAttack": 17,
        "magicAttack": 0, "weaponDefense": 0, "magicDefense": 0, "accuracy": 0, "avoidability": 0, "hands": 0, "speed": 0, "jump": 0,
        "slots": 7, "locked": false, "spikes": false, "karmaUsed": false, "cold": false, "canBeTraded": true, "levelType": 0,
        "level": 0, "experience": 0, "hammersApplied": 0, "equippedSince": "2025-03-01T12:00:00Z", "cashId": "123456789",
        "commodityId": 0, "purchaseBy": 0, "petId": 0})
}

/// One valid record of every type the first wave pushes (spec 50 §4.2, §4.5–§4.16, §4.20).
fn first_wave() -> Vec<Example> {
    let character = |kind: &str, body: Value| json!({"transactionId": T, "worldId": 0, "characterId": 30001, "type": kind, "body": body});
    let map = |kind: &str| {
        json!({"transactionId": T, "worldId": 0, "channelId": 1, "mapId": 104000000, "instance": NIL, "type": kind,
        "body": {"characterId": 30001}})
    };
    let asset = |kind: &str, body: Value| {
        json!({"transactionId": T, "characterId": 30001, "compartmentId": T, "assetId": 88001,
        "templateId": 1302000, "slot": -11, "type": kind, "body": body})
    };
    let compartment = |kind: &str, body: Value| json!({"characterId": 30001, "compartmentId": T, "type": kind, "body": body});
    let chat = |kind: &str, body: Value| {
        json!({"worldId": 0, "channelId": 1, "mapId": 104000000, "instance": NIL, "actorId": 30001,
        "message": "hello", "type": kind, "body": body})
    };
    let recipients = json!({"recipients": [30001, 30002]});
    let buff = json!({"sourceId": 2001002, "duration": 180000, "changes": [{"type": "MAGIC_GUARD", "amount": 15}],
        "createdAt": "2025-03-01T12:00:00Z", "expiresAt": "2025-03-01T12:03:00Z"});
    let mut applied = buff.clone();
    applied["fromId"] = json!(30001);
    let skill = |kind: &str, body: Value| json!({"characterId": 30001, "skillId": 2001002, "type": kind, "body": body});
    let messenger = |kind: &str| json!({"actorId": 30002, "worldId": 0, "messengerId": 7, "type": kind, "body": {"slot": 1}});
    let monster = |kind: &str, body: Value| {
        json!({"worldId": 0, "channelId": 1, "mapId": 104000100, "instance": NIL,
        "uniqueId": 1000123, "monsterId": 100100, "type": kind, "body": body})
    };
    let hit = json!({"x": -250, "y": 152, "actorId": 30001, "damageEntries": [{"characterId": 30001, "damage": 120}]});
    let drop = |kind: &str, body: Value| {
        json!({"worldId": 0, "channelId": 1, "mapId": 104000100, "instance": NIL, "dropId": 5012,
        "type": kind, "body": body})
    };
    let invite = |kind: &str| {
        json!({"worldId": 0, "inviteType": "PARTY", "referenceId": 41, "type": kind,
        "body": {"originatorId": 30001, "targetId": 30004}})
    };
    vec![
        example("EVENT_TOPIC_ACCOUNT_STATUS", json!({"account_id": 1001, "name": "alice", "status": "LOGGED_IN"})),
        example("EVENT_TOPIC_ACCOUNT_STATUS", json!({"account_id": 1001, "name": "alice", "status": "LOGGED_OUT"})),
        example(
            "EVENT_TOPIC_ACCOUNT_SESSION_STATUS",
            json!({"sessionId": T, "accountId": 1001, "accountName": "alice", "type": "STATE_CHANGED",
                "body": {"state": 1, "params": {"characterId": 30001}}}),
        ),
        example(
            "EVENT_TOPIC_ACCOUNT_SESSION_STATUS",
            json!({"sessionId": T, "accountId": 1001, "accountName": "alice", "type": "STATE_CHANGED",
                "body": {"state": 2, "params": {"ipAddress": "10.0.0.5", "port": 7576}}}),
        ),
        example(
            "EVENT_TOPIC_ACCOUNT_SESSION_STATUS",
            json!({"sessionId": T, "accountId": 1001, "accountName": "alice", "type": "ERROR",
                "body": {"code": "SYSTEM_ERROR", "reason": 0, "until": 0}}),
        ),
        example("COMMAND_TOPIC_CHANNEL_STATUS", json!({"type": "STATUS_REQUEST"})),
        example(
            "EVENT_TOPIC_CHARACTER_STATUS",
            character("STAT_CHANGED", json!({"channelId": 1, "exclRequestSent": true, "updates": ["HP", "MAX_HP"], "values": {}})),
        ),
        example(
            "EVENT_TOPIC_CHARACTER_STATUS",
            character(
                "MAP_CHANGED",
                json!({"channelId": 1, "oldMapId": 100000000, "oldInstance": NIL, "targetMapId": 104000000,
                "targetInstance": NIL, "targetPortalId": 2}),
            ),
        ),
        example(
            "EVENT_TOPIC_CHARACTER_STATUS",
            character(
                "EXPERIENCE_CHANGED",
                json!({"channelId": 1, "current": 10,
                "distributions": [{"experienceType": "WHITE", "amount": 5, "attr1": 0}]}),
            ),
        ),
        example(
            "EVENT_TOPIC_CHARACTER_STATUS",
            character("FAME_CHANGED", json!({"actorId": 30002, "actorType": "CHARACTER", "amount": 1})),
        ),
        example("EVENT_TOPIC_CHARACTER_STATUS", character("MESO_CHANGED", json!({"actorId": 0, "actorType": "SYSTEM", "amount": -5}))),
        example("EVENT_TOPIC_CHARACTER_STATUS", character("LEVEL_CHANGED", json!({"channelId": 1, "amount": 1, "current": 11}))),
        example("EVENT_TOPIC_MAP_STATUS", map("CHARACTER_ENTER")),
        example("EVENT_TOPIC_MAP_STATUS", map("CHARACTER_EXIT")),
        example("EVENT_TOPIC_ASSET_STATUS", asset("CREATED", asset_data())),
        example("EVENT_TOPIC_ASSET_STATUS", asset("ACCEPTED", asset_data())),
        example("EVENT_TOPIC_ASSET_STATUS", asset("UPDATED", asset_data())),
        example("EVENT_TOPIC_ASSET_STATUS", asset("QUANTITY_CHANGED", json!({"quantity": 4}))),
        example("EVENT_TOPIC_ASSET_STATUS", asset("MOVED", json!({"oldSlot": 5, "createdAt": "2025-03-01T12:00:00Z"}))),
        example("EVENT_TOPIC_ASSET_STATUS", asset("DELETED", json!({}))),
        example("EVENT_TOPIC_ASSET_STATUS", asset("RELEASED", json!({}))),
        example("EVENT_TOPIC_ASSET_STATUS", asset("EXPIRED", json!({"isCash": false, "replaceItemId": 0, "replaceMessage": ""}))),
        example(
            "EVENT_TOPIC_COMPARTMENT_STATUS",
            compartment("RESERVATION_CANCELLED", json!({"itemId": 2000000, "slot": 4, "quantity": 1})),
        ),
        example("EVENT_TOPIC_COMPARTMENT_STATUS", compartment("MERGE_COMPLETE", json!({"type": 2}))),
        example("EVENT_TOPIC_COMPARTMENT_STATUS", compartment("SORT_COMPLETE", json!({"type": 2}))),
        example("EVENT_TOPIC_CHARACTER_CHAT", chat("GENERAL", json!({"balloonOnly": false}))),
        example("EVENT_TOPIC_CHARACTER_CHAT", chat("BUDDY", recipients.clone())),
        example("EVENT_TOPIC_CHARACTER_CHAT", chat("PARTY", recipients.clone())),
        example("EVENT_TOPIC_CHARACTER_CHAT", chat("GUILD", recipients.clone())),
        example("EVENT_TOPIC_CHARACTER_CHAT", chat("ALLIANCE", recipients.clone())),
        example("EVENT_TOPIC_CHARACTER_CHAT", chat("WHISPER", json!({"recipient": 30002}))),
        example("EVENT_TOPIC_CHARACTER_CHAT", chat("MESSENGER", recipients.clone())),
        example(
            "EVENT_TOPIC_CHARACTER_CHAT",
            chat("PET", json!({"ownerId": 30001, "petSlot": 0, "type": 1, "action": 2, "balloon": false})),
        ),
        example("EVENT_TOPIC_CHARACTER_CHAT", chat("PINK_TEXT", recipients)),
        example(
            "EVENT_TOPIC_EXPRESSION",
            json!({"characterId": 30001, "worldId": 0, "channelId": 1, "mapId": 104000000, "instance": NIL, "expression": 3}),
        ),
        example("EVENT_TOPIC_CHARACTER_BUFF_STATUS", json!({"worldId": 0, "characterId": 30001, "type": "APPLIED", "body": applied})),
        example("EVENT_TOPIC_CHARACTER_BUFF_STATUS", json!({"worldId": 0, "characterId": 30001, "type": "EXPIRED", "body": buff})),
        example("EVENT_TOPIC_SKILL_STATUS", skill("CREATED", json!({"level": 1, "masterLevel": 10, "expiration": "2099-01-01T00:00:00Z"}))),
        example("EVENT_TOPIC_SKILL_STATUS", skill("UPDATED", json!({"level": 2, "masterLevel": 10, "expiration": "2099-01-01T00:00:00Z"}))),
        example("EVENT_TOPIC_SKILL_STATUS", skill("COOLDOWN_APPLIED", json!({"cooldownExpiresAt": "2025-03-01T12:00:30Z"}))),
        example("EVENT_TOPIC_SKILL_STATUS", skill("COOLDOWN_EXPIRED", json!({}))),
        example("EVENT_TOPIC_MESSENGER_STATUS", messenger("JOINED")),
        example("EVENT_TOPIC_MESSENGER_STATUS", messenger("LEFT")),
        example("EVENT_TOPIC_MONSTER_STATUS", monster("CREATED", json!({"actorId": 30001}))),
        example("EVENT_TOPIC_MONSTER_STATUS", monster("DESTROYED", json!({"actorId": 30001}))),
        example("EVENT_TOPIC_MONSTER_STATUS", monster("KILLED", hit.clone())),
        example("EVENT_TOPIC_MONSTER_STATUS", monster("DAMAGED", hit)),
        example(
            "EVENT_TOPIC_MONSTER_STATUS",
            monster("START_CONTROL", json!({"actorId": 30001, "x": -250, "y": 152, "stance": 5, "fh": 21, "team": -1})),
        ),
        example("EVENT_TOPIC_MONSTER_STATUS", monster("STOP_CONTROL", json!({"actorId": 30001}))),
        example(
            "EVENT_TOPIC_DROP_STATUS",
            drop(
                "CREATED",
                json!({"itemId": 4000019, "quantity": 1, "meso": 0, "type": 0, "x": 10, "y": 20, "ownerId": 30001,
                "ownerPartyId": 0, "dropTime": "2025-03-01T12:00:00Z", "dropperUniqueId": 1000123, "dropperX": 5, "dropperY": 6,
                "playerDrop": false, "mod": 0}),
            ),
        ),
        example("EVENT_TOPIC_DROP_STATUS", drop("EXPIRED", json!({}))),
        example(
            "EVENT_TOPIC_DROP_STATUS",
            drop("PICKED_UP", json!({"characterId": 30001, "itemId": 4000019, "equipmentId": 0, "quantity": 1, "meso": 0, "petSlot": -1})),
        ),
        example("EVENT_TOPIC_CONSUMABLE_STATUS", json!({"characterId": 30001, "type": "ERROR", "body": {"error": "PET_CANNOT_CONSUME"}})),
        example(
            "EVENT_TOPIC_CONSUMABLE_STATUS",
            json!({"characterId": 30001, "type": "SCROLL",
                "body": {"success": true, "cursed": false, "legendarySpirit": false, "whiteScroll": false}}),
        ),
        example("EVENT_TOPIC_INVITE_STATUS", invite("CREATED")),
        example("EVENT_TOPIC_INVITE_STATUS", invite("REJECTED")),
    ]
}

/// A valid record of each second- and last-wave topic: the examples of spec 50 §4.
fn later_waves() -> Vec<Example> {
    vec![
        example("EVENT_TOPIC_PARTY_STATUS", json!({"actorId": 30002, "worldId": 0, "partyId": 41, "type": "JOINED", "body": {}})),
        example(
            "EVENT_TOPIC_PARTY_MEMBER_STATUS",
            json!({"worldId": 0, "partyId": 41, "characterId": 30003, "type": "LOGOUT", "body": {}}),
        ),
        example(
            "EVENT_TOPIC_BUDDY_LIST_STATUS",
            json!({"worldId": 0, "characterId": 30001, "type": "BUDDY_CHANNEL_CHANGE", "body": {"characterId": 30005, "channelId": 2}}),
        ),
        example(
            "EVENT_TOPIC_GUILD_STATUS",
            json!({"worldId": 0, "guildId": 12, "type": "MEMBER_STATUS_UPDATED", "body": {"characterId": 30001, "online": true}}),
        ),
        example("COMMAND_TOPIC_GUILD", json!({"characterId": 30001, "type": "REQUEST_NAME", "body": {"worldId": 0, "channelId": 1}})),
        example(
            "COMMAND_TOPIC_NPC_CONVERSATION",
            json!({"worldId": 0, "channelId": 1, "characterId": 30001, "npcId": 9010000, "speaker": "NPC", "endChat": false, "secondaryNpcId": 0, "message": "Hello, traveller.", "type": "SIMPLE", "body": {"type": "NEXT"}}),
        ),
        example(
            "EVENT_TOPIC_NPC_SHOP_STATUS",
            json!({"characterId": 30001, "type": "ERROR", "body": {"error": "NOT_ENOUGH_MONEY", "levelLimit": 0, "reason": ""}}),
        ),
        example(
            "EVENT_TOPIC_QUEST_STATUS",
            json!({"characterId": 30001, "worldId": 0, "type": "COMPLETED", "body": {"questId": 1021, "completedAt": "2025-03-01T12:00:00Z", "items": [{"itemId": 2000000, "amount": 3}]}}),
        ),
        example(
            "COMMAND_TOPIC_SYSTEM_MESSAGE",
            json!({"transactionId": "1c2d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5", "worldId": 0, "channelId": 1, "characterId": 30001, "type": "SEND_MESSAGE", "body": {"messageType": "NOTICE", "message": "Welcome!"}}),
        ),
        example(
            "EVENT_TOPIC_PET_STATUS",
            json!({"petId": 9001, "ownerId": 30001, "type": "SLOT_CHANGED", "body": {"oldSlot": -1, "newSlot": 0}}),
        ),
        example(
            "EVENT_TOPIC_REACTOR_STATUS",
            json!({"worldId": 0, "channelId": 1, "mapId": 108010101, "instance": "00000000-0000-0000-0000-000000000000", "reactorId": 77, "type": "HIT", "body": {"classification": 1022000, "state": 1, "x": 120, "y": 35, "direction": 0, "destroyed": false}}),
        ),
        example(
            "EVENT_TOPIC_CHAIR_STATUS",
            json!({"worldId": 0, "channelId": 1, "mapId": 104000000, "instance": "00000000-0000-0000-0000-000000000000", "chairType": "PORTABLE", "chairId": 3010000, "type": "USED", "body": {"characterId": 30001}}),
        ),
        example(
            "EVENT_TOPIC_CHALKBOARD_STATUS",
            json!({"worldId": 0, "channelId": 1, "mapId": 910000000, "instance": "00000000-0000-0000-0000-000000000000", "characterId": 30001, "type": "SET", "body": {"message": "Selling scrolls!"}}),
        ),
        example(
            "EVENT_TOPIC_FAME_STATUS",
            json!({"worldId": 0, "characterId": 30001, "type": "ERROR", "body": {"channelId": 1, "error": "NOT_TODAY"}}),
        ),
        example(
            "EVENT_TOPIC_NOTE_STATUS",
            json!({"characterId": 30002, "type": "CREATED", "body": {"noteId": 501, "senderId": 30001, "message": "gg", "flag": 0, "time": "2025-03-01T12:00:00Z"}}),
        ),
        example(
            "EVENT_TOPIC_STORAGE_STATUS",
            json!({"transactionId": "2b3c4d5e-6f70-4a81-92a3-b4c5d6e7f809", "worldId": 0, "accountId": 1001, "type": "PROJECTION_CREATED", "body": {"characterId": 30001, "accountId": 1001, "worldId": 0, "channelId": 1, "npcId": 1002100}}),
        ),
        example(
            "EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS",
            json!({"worldId": 0, "accountId": 1001, "characterId": 30001, "type": "ACCEPTED", "body": {"transactionId": "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d", "assetId": 88001, "slot": 3, "inventoryType": 2}}),
        ),
        example(
            "EVENT_TOPIC_SAGA_STATUS",
            json!({"transactionId": "4d5e6f70-8192-4a3b-9c4d-5e6f708192a3", "type": "FAILED", "body": {"reason": "insufficient funds", "failedStep": "withdraw_mesos", "characterId": 30001, "sagaType": "storage_operation", "errorCode": "NOT_ENOUGH_MESOS"}}),
        ),
        example(
            "EVENT_TOPIC_CASH_SHOP_STATUS",
            json!({"worldId": 0, "characterId": 30001, "type": "PURCHASE", "body": {"templateId": 5000000, "price": 4900, "compartmentId": "8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b", "assetId": "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "itemId": 5000000}}),
        ),
        example(
            "EVENT_TOPIC_CASH_COMPARTMENT_STATUS",
            json!({"accountId": 1001, "characterId": 30001, "compartmentId": "8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b", "compartmentType": 1, "type": "RELEASED", "body": {"transactionId": "5e6f7081-92a3-4b4c-8d5e-6f708192a3b4", "assetId": 88010, "cashId": 7000000123_i64, "templateId": 5000000}}),
        ),
        example(
            "EVENT_TOPIC_GACHAPON_REWARD_WON",
            json!({"characterId": 30001, "worldId": 0, "itemId": 1302020, "quantity": 1, "tier": "rare", "gachaponId": "henesys", "gachaponName": "Henesys", "assetId": 88020}),
        ),
        example(
            "EVENT_TOPIC_GUILD_THREAD_STATUS",
            json!({"worldId": 0, "guildId": 12, "actorId": 30001, "threadId": 3, "type": "REPLY_ADDED", "body": {"replyId": 9}}),
        ),
        example(
            "EVENT_TOPIC_TRANSPORT_STATUS",
            json!({"routeId": "c0ffee00-1234-4abc-8def-0123456789ab", "type": "DEPARTED", "body": {"mapId": 101000300}}),
        ),
        example(
            "EVENT_TOPIC_INSTANCE_TRANSPORT",
            json!({"transactionId": "6f708192-a3b4-4c5d-8e6f-708192a3b4c5", "worldId": 0, "characterId": 30001, "type": "TRANSIT_ENTERED", "body": {"routeId": "c0ffee00-1234-4abc-8def-0123456789ab", "instanceId": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "channelId": 1, "durationSeconds": 60, "message": "The ship is sailing to Orbis."}}),
        ),
    ]
}

fn examples() -> Vec<Example> {
    first_wave().into_iter().chain(later_waves()).collect()
}

fn outcome(topic: &str, value: &Value) -> Result<Decoded<ChannelEvent>, Reject> {
    decode(topic, value.to_string().as_bytes())
}

#[test]
fn every_example_decodes_into_a_push() {
    let examples = examples();
    for e in &examples {
        assert!(matches!(outcome(e.topic, &e.value), Ok(Decoded::Message(_))), "{} {}: {:?}", e.topic, e.value, outcome(e.topic, &e.value));
    }
    for (topic, _) in HANDLED {
        assert!(examples.iter().any(|e| e.topic == *topic), "{topic} has an example");
    }
    // Every type the first wave pushes has its own example.
    for e in first_wave() {
        let kinds = HANDLED.iter().find(|(t, _)| *t == e.topic).map(|(_, k)| *k).unwrap_or_default();
        let kind = e.value.get("type").or_else(|| e.value.get("status")).and_then(Value::as_str).unwrap_or_default();
        assert!(kinds.contains(&kind) || kinds == [""], "{} {kind} is handled", e.topic);
    }
    for (topic, kinds) in HANDLED.iter().filter(|(t, _)| first_wave().iter().any(|e| e.topic == *t)) {
        for kind in kinds.iter().filter(|k| !k.is_empty()) {
            let covered = first_wave()
                .iter()
                .any(|e| e.topic == *topic && [e.value.get("type"), e.value.get("status")].into_iter().flatten().any(|v| v == *kind));
            assert!(covered || *topic == "COMMAND_TOPIC_CHANNEL_STATUS", "{topic} {kind} has an example");
        }
    }
}

#[test]
fn every_shape_mutation_is_refused() {
    let mut checked = 0;
    let mut accepted = Vec::new();
    for e in examples() {
        for m in mutations(&e.value, e.raw) {
            if outcome(e.topic, &m.value).is_ok() {
                accepted.push(format!("{} at {}: {}", e.topic, m.path, m.value));
            }
            checked += 1;
        }
    }
    assert!(accepted.is_empty(), "{} of {checked} mutations not refused:\n{}", accepted.len(), accepted.join("\n"));
    assert!(checked > 2000, "{checked} mutations");
}

#[test]
fn fields_of_other_types_with_wrong_types_are_ignored() {
    let examples = first_wave();
    for e in &examples {
        // Every body field the topic's other types have, with a value of another shape.
        let mut foreign = Map::new();
        let body = e.value.get("body");
        for other in examples.iter().filter(|o| o.topic == e.topic) {
            for (key, _) in other.value.get("body").and_then(Value::as_object).into_iter().flatten() {
                if body.and_then(|b| b.get(key)).is_none() {
                    foreign.insert(key.clone(), json!(["wrong", {"type": 1}]));
                }
            }
        }
        if body.is_none() {
            continue;
        }
        let extended = with_foreign_fields(&e.value, &["body"], &foreign);
        assert!(
            matches!(outcome(e.topic, &extended), Ok(Decoded::Message(_))),
            "{} with {:?}: {:?}",
            e.topic,
            foreign.keys().collect::<Vec<_>>(),
            outcome(e.topic, &extended)
        );
    }
}

#[test]
fn a_record_of_a_type_not_pushed_is_skipped_whatever_its_body() {
    for (topic, value) in [
        ("EVENT_TOPIC_CHARACTER_STATUS", json!({"characterId": 1, "type": "JOB_CHANGED", "body": {"jobId": "x"}})),
        ("EVENT_TOPIC_ASSET_STATUS", json!({"characterId": 1, "type": "SOMETHING_NEW", "body": [1]})),
        ("EVENT_TOPIC_MESSENGER_STATUS", json!({"type": "ERROR", "body": {"type": 5}})),
        ("EVENT_TOPIC_INVITE_STATUS", json!({"type": "ACCEPTED", "body": "x"})),
    ] {
        assert!(matches!(outcome(topic, &value), Ok(Decoded::Unhandled(_))), "{topic} {value}: {:?}", outcome(topic, &value));
    }
}
