//! The object rule and "each type decodes its own fields", checked on every consumed record
//! type of the state-owning domains and every event a saga reads: every one-node shape
//! mutation of a valid record (object ↔ array ↔ scalar at any path) is refused, and a valid
//! record carrying the fields of the topic's other types, with values of the wrong type,
//! still decodes.

use atlas_actors::bridge::router::{Decoders, Routed};
use atlas_actors::contracts::shapes::{mutations, with_foreign_fields};
use serde_json::{json, Map, Value};

/// The server's decoders (the domains' and the channel's check), built once.
static DECODERS: std::sync::LazyLock<Decoders> = std::sync::LazyLock::new(atlas_actors::server::decoders);

fn decode_as(variable: &str, payload: &[u8]) -> Option<Result<Routed, atlas_actors::contracts::decode::Reject>> {
    DECODERS.decode_as(variable, payload)
}

const T: &str = "5a6a0001-1111-4aaa-8bbb-000000004101";
const NIL: &str = "00000000-0000-0000-0000-000000000000";

/// A valid record of a topic (by its variable) and the paths whose contract is any JSON.
struct Example {
    topic: &'static str,
    value: Value,
    raw: &'static [&'static str],
}

fn example(topic: &'static str, value: Value) -> Example {
    Example { topic, value, raw: &[] }
}

fn examples() -> Vec<Example> {
    let character = |kind: &str, body: Value| json!({"transactionId": T, "worldId": 0, "characterId": 1001, "type": kind, "body": body});
    let asset = |kind: &str, body: Value| json!({"transactionId": T, "characterId": 1001, "compartmentId": NIL, "assetId": 7, "templateId": 1302000, "slot": -11, "type": kind, "body": body});
    let buff_body = json!({"sourceId": 1301007, "duration": 300000, "changes": [{"type": "HYPER_BODY_HP", "amount": 60}],
        "createdAt": "2026-02-03T18:37:12Z", "expiresAt": "2026-02-03T18:42:12Z"});
    let mut applied_body = buff_body.clone();
    applied_body["fromId"] = json!(1001);
    let saga = |action: &str, payload: Value| {
        json!({"transactionId": T, "sagaType": "inventory_transaction", "initiatedBy": "test", "steps": [
            {"stepId": "one", "status": "pending", "action": action, "payload": payload,
             "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"}]})
    };
    vec![
        example(
            "COMMAND_TOPIC_SKILL",
            json!({"characterId": 1001, "type": "REQUEST_CREATE", "transactionId": "a",
            "body": {"skillId": 1001004, "level": 1, "masterLevel": 10, "expiration": "2099-01-01T00:00:00Z"}}),
        ),
        example(
            "COMMAND_TOPIC_SKILL",
            json!({"characterId": 1001, "type": "REQUEST_UPDATE", "transactionId": "a",
            "body": {"skillId": 1001004, "level": 2, "masterLevel": 10, "expiration": "2099-01-01T00:00:00Z"}}),
        ),
        example(
            "COMMAND_TOPIC_SKILL",
            json!({"characterId": 1001, "type": "SET_COOLDOWN", "transactionId": "a",
            "body": {"skillId": 1001004, "cooldown": 30}}),
        ),
        example(
            "COMMAND_TOPIC_SKILL_MACRO",
            json!({"characterId": 1001, "type": "UPDATE", "transactionId": "a", "body": {"macros": [
            {"id": 0, "name": "Buff", "shout": false, "skillId1": 1001003, "skillId2": 1101006, "skillId3": 0}]}}),
        ),
        example("EVENT_TOPIC_CHARACTER_STATUS", character("LOGIN", json!({"channelId": 1, "mapId": 100000000, "instance": NIL}))),
        example("EVENT_TOPIC_CHARACTER_STATUS", character("LOGOUT", json!({"channelId": 1, "mapId": 100000000, "instance": NIL}))),
        example(
            "EVENT_TOPIC_CHARACTER_STATUS",
            character("CHANNEL_CHANGED", json!({"channelId": 2, "oldChannelId": 1, "mapId": 100000000, "instance": NIL})),
        ),
        example("EVENT_TOPIC_CHARACTER_STATUS", character("DELETED", json!({}))),
        Example {
            topic: "EVENT_TOPIC_CHARACTER_STATUS",
            value: character("STAT_CHANGED", json!({"channelId": 1, "exclRequestSent": true, "updates": ["FAME"], "values": {"fame": 3}})),
            raw: &["body.values.fame"],
        },
        example(
            "EVENT_TOPIC_CHARACTER_STATUS",
            character("MAP_CHANGED", json!({"channelId": 1, "oldMapId": 1, "targetMapId": 2, "targetPortalId": 0})),
        ),
        example(
            "EVENT_TOPIC_CHARACTER_STATUS",
            character(
                "EXPERIENCE_CHANGED",
                json!({"channelId": 1, "current": 10,
            "distributions": [{"experienceType": "WHITE", "amount": 5, "attr1": 0}]}),
            ),
        ),
        example("EVENT_TOPIC_CHARACTER_STATUS", character("LEVEL_CHANGED", json!({"channelId": 1, "amount": 1, "current": 11}))),
        example("EVENT_TOPIC_CHARACTER_STATUS", character("MESO_CHANGED", json!({"actorId": 0, "actorType": "SYSTEM", "amount": -5}))),
        example("EVENT_TOPIC_CHARACTER_STATUS", character("JOB_CHANGED", json!({"channelId": 1, "jobId": 100}))),
        example("EVENT_TOPIC_CHARACTER_STATUS", character("CREATED", json!({"name": "Alice"}))),
        example("EVENT_TOPIC_CHARACTER_STATUS", character("CREATION_FAILED", json!({"name": "Alice", "message": "taken"}))),
        example("EVENT_TOPIC_CHARACTER_STATUS", character("ERROR", json!({"error": "NOT_ENOUGH_MESO", "amount": 5}))),
        example(
            "EVENT_TOPIC_SESSION_STATUS",
            json!({"sessionId": T, "accountId": 7, "characterId": 1001, "worldId": 0, "channelId": 1, "issuer": "CHANNEL", "type": "CREATED"}),
        ),
        example(
            "EVENT_TOPIC_SESSION_STATUS",
            json!({"sessionId": T, "accountId": 7, "characterId": 1001, "worldId": 0, "channelId": 1, "issuer": "CHANNEL", "type": "DESTROYED"}),
        ),
        example(
            "EVENT_TOPIC_CHARACTER_BUFF_STATUS",
            json!({"worldId": 0, "channelId": 1, "characterId": 1001, "type": "APPLIED", "body": applied_body}),
        ),
        example(
            "EVENT_TOPIC_CHARACTER_BUFF_STATUS",
            json!({"worldId": 0, "channelId": 1, "characterId": 1001, "type": "EXPIRED", "body": buff_body}),
        ),
        example(
            "EVENT_TOPIC_ASSET_STATUS",
            asset("MOVED", json!({"oldSlot": 5, "createdAt": "2026-01-01T00:00:00Z", "referenceType": "equipable"})),
        ),
        example("EVENT_TOPIC_ASSET_STATUS", asset("DELETED", json!({}))),
        Example {
            topic: "EVENT_TOPIC_ASSET_STATUS",
            value: asset(
                "CREATED",
                json!({"referenceId": 1, "referenceType": "equipable", "referenceData": {"strength": 1}, "expiration": "2099-01-01T00:00:00Z"}),
            ),
            raw: &["body.referenceData"],
        },
        example("EVENT_TOPIC_ASSET_STATUS", asset("QUANTITY_CHANGED", json!({"quantity": 4}))),
        example("COMMAND_TOPIC_MESSENGER", json!({"transactionId": T, "actorId": 5101, "type": "CREATE", "body": {}})),
        example(
            "COMMAND_TOPIC_MESSENGER",
            json!({"transactionId": T, "actorId": 5102, "type": "JOIN", "body": {"messengerId": 1000000000}}),
        ),
        example(
            "COMMAND_TOPIC_MESSENGER",
            json!({"transactionId": T, "actorId": 5102, "type": "LEAVE", "body": {"messengerId": 1000000000}}),
        ),
        example(
            "COMMAND_TOPIC_MESSENGER",
            json!({"transactionId": T, "actorId": 5101, "type": "REQUEST_INVITE", "body": {"characterId": 5103}}),
        ),
        example(
            "EVENT_TOPIC_INVITE_STATUS",
            json!({"transactionId": T, "worldId": 0, "inviteType": "MESSENGER", "referenceId": 1000000000, "type": "ACCEPTED", "body": {"originatorId": 5101, "targetId": 5103}}),
        ),
        example(
            "EVENT_TOPIC_INVITE_STATUS",
            json!({"transactionId": T, "worldId": 0, "inviteType": "PARTY", "referenceId": 1, "type": "REJECTED", "body": {"originatorId": 5101, "targetId": 5103}}),
        ),
        example(
            "EVENT_TOPIC_COMPARTMENT_STATUS",
            json!({"transactionId": T, "characterId": 1, "compartmentId": NIL, "type": "ERROR", "body": {"errorCode": "INVENTORY_FULL", "transactionId": T}}),
        ),
        example(
            "EVENT_TOPIC_COMPARTMENT_STATUS",
            json!({"transactionId": NIL, "characterId": 1, "compartmentId": NIL, "type": "ACCEPTED", "body": {"transactionId": T}}),
        ),
        example(
            "EVENT_TOPIC_SKILL_STATUS",
            json!({"transactionId": T, "characterId": 1, "skillId": 2, "type": "UPDATED", "body": {"level": 1, "masterLevel": 2, "expiration": "2099-01-01T00:00:00Z"}}),
        ),
        example(
            "EVENT_TOPIC_GUILD_STATUS",
            json!({"worldId": 0, "guildId": 3, "transactionId": T, "type": "EMBLEM_UPDATED", "body": {"logo": 1, "logoColor": 2, "logoBackground": 3, "logoBackgroundColor": 4}}),
        ),
        example(
            "EVENT_TOPIC_BUDDY_LIST_STATUS",
            json!({"worldId": 0, "characterId": 1, "type": "CAPACITY_CHANGE", "body": {"capacity": 50, "transactionId": T}}),
        ),
        example(
            "EVENT_TOPIC_PET_STATUS",
            json!({"petId": 1, "ownerId": 2, "type": "CLOSENESS_CHANGED", "body": {"slot": 0, "closeness": 10, "amount": 1, "transactionId": T}}),
        ),
        example(
            "EVENT_TOPIC_CONSUMABLE_STATUS",
            json!({"characterId": 1, "type": "EFFECT_APPLIED", "body": {"itemId": 2000000, "transactionId": T}}),
        ),
        example(
            "EVENT_TOPIC_WALLET_STATUS",
            json!({"accountId": 1, "type": "UPDATED", "body": {"credit": 1, "points": 2, "prepaid": 3, "transactionId": T}}),
        ),
        example(
            "EVENT_TOPIC_QUEST_STATUS",
            json!({"transactionId": T, "worldId": 0, "characterId": 1, "type": "STARTED", "body": {"questId": 1000}}),
        ),
        example(
            "EVENT_TOPIC_STORAGE_STATUS",
            json!({"transactionId": T, "worldId": 0, "accountId": 1, "type": "MESOS_UPDATED", "body": {"oldMesos": 1, "newMesos": 2}}),
        ),
        example(
            "EVENT_TOPIC_STORAGE_COMPARTMENT_STATUS",
            json!({"worldId": 0, "accountId": 1, "type": "ACCEPTED", "body": {"transactionId": T, "assetId": 1, "slot": 2}}),
        ),
        example(
            "EVENT_TOPIC_CASH_COMPARTMENT_STATUS",
            json!({"compartmentId": NIL, "compartmentType": 1, "type": "ERROR", "body": {"errorCode": "X", "transactionId": T}}),
        ),
        example(
            "COMMAND_TOPIC_SAGA",
            saga(
                "award_asset",
                json!({"characterId": 4101, "item": {"templateId": 2000000, "quantity": 5, "expiration": "2099-01-01T00:00:00Z"}}),
            ),
        ),
        example(
            "COMMAND_TOPIC_SAGA",
            saga(
                "award_experience",
                json!({"characterId": 1, "worldId": 0, "channelId": 1,
            "distributions": [{"experienceType": "WHITE", "amount": 1200, "attr1": 0}]}),
            ),
        ),
        example(
            "COMMAND_TOPIC_SAGA",
            saga(
                "validate_character_state",
                json!({"characterId": 1,
            "conditions": [{"type": "meso", "operator": ">=", "value": 10, "itemId": 0}]}),
            ),
        ),
        Example {
            topic: "COMMAND_TOPIC_SAGA",
            value: saga(
                "accept_to_character",
                json!({"transactionId": T, "characterId": 1, "inventoryType": 2, "templateId": 2000001,
                "referenceId": 0, "referenceType": "consumable", "referenceData": {"quantity": 12}, "quantity": 12}),
            ),
            raw: &["steps[0].payload.referenceData"],
        },
        example("COMMAND_TOPIC_SAGA", saga("play_portal_sound", json!({"characterId": 1, "worldId": 0, "channelId": 1}))),
    ]
}

fn outcome(topic: &str, value: &Value) -> Option<Result<Routed, atlas_actors::contracts::decode::Reject>> {
    decode_as(topic, value.to_string().as_bytes())
}

fn accepted(topic: &str, value: &Value) -> bool {
    matches!(outcome(topic, value), Some(Ok(Routed::Dispatch(_))))
}

#[test]
fn every_example_decodes_and_reaches_an_actor() {
    for e in examples() {
        assert!(accepted(e.topic, &e.value), "{} {}: {:?}", e.topic, e.value, outcome(e.topic, &e.value));
    }
}

#[test]
fn every_shape_mutation_is_refused() {
    let mut checked = 0;
    for e in examples() {
        for m in mutations(&e.value, e.raw) {
            let result = outcome(e.topic, &m.value);
            assert!(matches!(result, Some(Err(_))), "{} at {}: {} was not refused ({result:?})", e.topic, m.path, m.value);
            checked += 1;
        }
    }
    assert!(checked > 1000, "{checked} mutations");
}

#[test]
fn fields_of_other_types_with_wrong_types_are_ignored() {
    let examples = examples();
    for e in &examples {
        // Every root and body field the topic's other types have, with a value of another shape.
        let mut foreign = Map::new();
        for other in examples.iter().filter(|o| o.topic == e.topic) {
            for (level, fields) in [("", other.value.as_object()), ("body", other.value.get("body").and_then(Value::as_object))] {
                for (key, _) in fields.into_iter().flatten() {
                    let here = if level.is_empty() { e.value.get(key) } else { e.value.get("body").and_then(|b| b.get(key)) };
                    if here.is_none() && key != "type" {
                        foreign.insert(key.clone(), json!(["wrong", {"type": 1}]));
                    }
                }
            }
        }
        let extended = with_foreign_fields(&e.value, &["body"], &foreign);
        assert!(
            accepted(e.topic, &extended),
            "{} with {:?}: {:?}",
            e.topic,
            foreign.keys().collect::<Vec<_>>(),
            outcome(e.topic, &extended)
        );
    }
}
