//! Tenant isolation across every domain: two tenants use the same character ids,
//! messenger ids and saga transactionIds, and neither sees the other's state or records,
//! over Kafka (each output carries its own tenant's headers) or over REST (each answer
//! is its own tenant's); a third tenant sees nothing.

mod common;

use atlas_actors::contracts::tenant::Tenant;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

const MESSENGER: u32 = 1_000_000_000;
const SAGA: &str = "7e7e7e7e-0000-4000-8000-000000000007";

fn answer(id: u32) -> (Duration, Value) {
    (Duration::ZERO, json!({"data": {"type": "characters", "id": id.to_string(), "attributes": {"worldId": 0, "name": format!("C{id}")}}}))
}

/// What one tenant does: the same ids, its own numbers (skill level, portal).
fn act(server: &Server, tenant: &Tenant, level: u32, portal: u32) {
    let producer = producer(&server.bootstrap);
    let skill = json!({"characterId": 7, "type": "REQUEST_CREATE", "transactionId": SAGA, "body": {"skillId": 1001, "level": level}});
    produce_all(&producer, "COMMAND_TOPIC_SKILL", &json_records(tenant, &[(7, skill)]));
    let create = json!({"actorId": 7, "type": "CREATE", "body": {}});
    produce_all(&producer, "COMMAND_TOPIC_MESSENGER", &json_records(tenant, &[(7, create)]));
    let saga = json!({
        "transactionId": SAGA, "sagaType": "inventory_transaction", "initiatedBy": "tenants-test",
        "steps": [{"stepId": "block", "status": "pending", "action": "block_portal",
                   "payload": {"characterId": 7, "mapId": 100000000, "portalId": portal},
                   "createdAt": "2025-01-01T00:00:00Z", "updatedAt": "2025-01-01T00:00:00Z"},
                  {"stepId": "warp", "status": "pending", "action": "warp_to_portal",
                   "payload": {"characterId": 7, "fieldId": "0:1:100000000:00000000-0000-0000-0000-000000000000", "portalId": 2},
                   "createdAt": "2025-01-01T00:00:00Z", "updatedAt": "2025-01-01T00:00:00Z"}]
    });
    produce_all(&producer, "COMMAND_TOPIC_SAGA", &json_records(tenant, &[(7, saga)]));
}

/// The records of `tenant` on a topic, once `count` of them arrived (then a little more,
/// so extra ones would be seen).
fn records(server: &Server, tenant: &Tenant, topic: &str, count: usize) -> Vec<Value> {
    let mut collector = Collector::new(&server.bootstrap, topic, Some(tenant));
    assert!(collector.until(Duration::from_secs(30), |seen| seen.len() >= count), "{count} records on {topic}");
    collector.poll_for(Duration::from_millis(1500));
    for record in &collector.seen {
        assert_eq!(record.header("TENANT_ID"), Some(tenant.id.to_string()), "tenant header on {topic}");
    }
    collector.seen.iter().map(Seen::json).collect()
}

fn member_ids(server: &Server, tenant: &Tenant) -> Vec<String> {
    let (status, body) = server.get(&format!("/api/messengers/{MESSENGER}/members"), tenant);
    assert_eq!(status, 200, "members of tenant {}: {body}", tenant.id);
    let mut ids: Vec<String> =
        body["data"].as_array().expect("a list").iter().map(|m| m["id"].as_str().unwrap_or_default().to_string()).collect();
    ids.sort();
    ids
}

#[test]
fn identical_ids_in_two_tenants_never_meet() {
    let _serial = serial();
    let Some(fixture) = Fixture::postgres() else { return };
    let base = format!("http://127.0.0.1:{}/api/", character_service(answer));
    let fixture = fixture.env("BASE_SERVICE_URL", base).start();
    let server = &fixture.server;
    let (a, b, c) = (fixture.tenant.clone(), tenant(), tenant());
    act(server, &a, 3, 31);
    act(server, &b, 9, 32);
    // Character 8 joins tenant a's messenger once it exists (its record is keyed by 8, so
    // sent together with the creation it could be handled first).
    records(server, &a, "EVENT_TOPIC_MESSENGER_STATUS", 1);
    let join = json!({"actorId": 8, "type": "JOIN", "body": {"messengerId": MESSENGER}});
    produce_all(&producer(&server.bootstrap), "COMMAND_TOPIC_MESSENGER", &json_records(&a, &[(8, join)]));

    // Kafka: each tenant's outputs carry its own headers and numbers, and only its own.
    for (tenant, level, portal, joined) in [(&a, 3, 31, 1), (&b, 9, 32, 0)] {
        let skills = records(server, tenant, "EVENT_TOPIC_SKILL_STATUS", 1);
        assert_eq!(skills.len(), 1, "one skill event: {skills:?}");
        assert_eq!(skills[0]["type"], "CREATED");
        let portals = records(server, tenant, "COMMAND_TOPIC_PORTAL", 1);
        assert_eq!(portals.len(), 1, "one portal command: {portals:?}");
        assert_eq!(portals[0]["portalId"], portal);
        // The saga waits for the warp (MAP_CHANGED), so it stays readable.
        let warps = records(server, tenant, "COMMAND_TOPIC_CHARACTER", 1);
        assert_eq!(warps.len(), 1, "one warp command: {warps:?}");
        assert_eq!(warps[0]["type"], "CHANGE_MAP");
        let messengers = records(server, tenant, "EVENT_TOPIC_MESSENGER_STATUS", 1 + joined);
        assert_eq!(messengers[0]["type"], "CREATED");
        let joins = messengers.iter().filter(|m| m["type"] == "JOINED").count();
        assert_eq!(joins, joined, "joins in tenant {}: {messengers:?}", tenant.id);
        assert!(messengers.iter().all(|m| m["messengerId"] == MESSENGER), "both tenants number from the same first id");

        // REST: each tenant reads its own state under the same ids.
        let (status, body) = server.get("/api/characters/7/skills/1001", tenant);
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["attributes"]["level"], level);
        let (status, body) = server.get(&format!("/api/sagas/{SAGA}"), tenant);
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["attributes"]["steps"][0]["payload"]["portalId"], portal, "{body}");
    }
    assert_eq!(member_ids(server, &a), vec!["7", "8"]);
    assert_eq!(member_ids(server, &b), vec!["7"]);
    let (_, body) = server.get("/api/messengers?filter[members.id]=8", &b);
    assert_eq!(body["data"], json!([]), "character 8 sits in no messenger of tenant b");

    // A third tenant has nothing under those ids.
    let (_, body) = server.get("/api/characters/7/skills", &c);
    assert_eq!(body["data"], json!([]));
    assert_eq!(server.get(&format!("/api/messengers/{MESSENGER}"), &c).0, 404);
    assert_eq!(server.get(&format!("/api/sagas/{SAGA}"), &c).0, 404);
    let (_, body) = server.get("/api/sagas", &c);
    assert_eq!(body["data"], json!([]));
}
