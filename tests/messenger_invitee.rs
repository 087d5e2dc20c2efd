//! Spec 30 §4.3: resolving a character inserts its registry entry, also when it is the
//! invitee of someone else's REQUEST_INVITE (the Go reference does, and so the invitee is
//! known without another call to the character service).

mod common;

use common::*;
use serde_json::{json, Value};
use sqlx::Row;
use std::time::Duration;

fn answer(id: u32) -> (Duration, Value) {
    (Duration::ZERO, json!({"data": {"type": "characters", "id": id.to_string(), "attributes": {"worldId": 0, "name": format!("C{id}")}}}))
}

#[test]
fn an_invitee_resolved_by_request_invite_is_stored() {
    let _serial = serial();
    let base = format!("http://127.0.0.1:{}/api/", character_service(answer));
    let fixture = Fixture::sqlite("atlas-invitee").env("BASE_SERVICE_URL", base).start();
    let invite = json!({"actorId": 7101, "type": "REQUEST_INVITE", "body": {"characterId": 7102}});
    fixture.produce("COMMAND_TOPIC_MESSENGER", &[(7101, invite)]);
    let mut commands = fixture.collect("COMMAND_TOPIC_INVITE");
    assert!(commands.until(Duration::from_secs(30), |seen| !seen.is_empty()), "the invite command");
    assert_eq!(commands.seen[0].json()["body"]["targetId"], 7102);

    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let row = runtime.block_on(async {
        let pool = sqlx::SqlitePool::connect(&fixture.server.database_url).await.expect("the server's database");
        sqlx::query("SELECT name, messenger_id FROM messenger_registry WHERE tenant_id = ? AND character_id = ?")
            .bind(fixture.tenant.id.to_string())
            .bind(7102_i64)
            .fetch_optional(&pool)
            .await
            .expect("query the registry")
    });
    let row = row.expect("the invitee's entry is stored");
    assert_eq!(row.get::<String, _>(0), "C7102");
    assert_eq!(row.get::<i64, _>(1), 0, "invited, not seated");
}
