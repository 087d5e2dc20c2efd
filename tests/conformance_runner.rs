//! The conformance runner itself, end to end: it starts the server, passes a scenario that
//! holds, and reports a deliberately wrong expectation as FAIL with what it saw.

use std::process::Command;

const GOOD: &str = r#"{
  "name": "create-emits-created", "domain": "skills", "description": "a create emits CREATED",
  "steps": [
    {"produce": {"topic": "COMMAND_TOPIC_SKILL", "key": 9, "value": {"characterId": 9, "type": "REQUEST_CREATE", "body": {"skillId": 5, "level": 2}}}},
    {"expect": {"topic": "EVENT_TOPIC_SKILL_STATUS", "key": 9, "value": {"characterId": 9, "skillId": 5, "type": "CREATED", "body": {"level": 2}, "transactionId": "$uuid"}}},
    {"http": {"method": "GET", "path": "/api/characters/9/skills", "status": 200, "body": {"data": {"$unordered": [{"type": "skills", "id": "5", "attributes": {"level": 2.0, "cooldownExpiresAt": "$time"}}]}}}}
  ]
}"#;

const WRONG: &str = r#"{
  "name": "create-with-a-wrong-expectation", "domain": "skills", "description": "expects level 3 where 2 is emitted",
  "steps": [
    {"produce": {"topic": "COMMAND_TOPIC_SKILL", "key": 9, "value": {"characterId": 9, "type": "REQUEST_CREATE", "body": {"skillId": 5, "level": 2}}}},
    {"expect": {"topic": "EVENT_TOPIC_SKILL_STATUS", "value": {"characterId": 9, "type": "CREATED", "body": {"level": 3}}, "timeout_ms": 2000}}
  ]
}"#;

#[test]
fn passes_what_holds_and_reports_what_does_not() {
    let dir = std::env::temp_dir().join(format!("atlas-runner-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(dir.join("skills")).unwrap();
    std::fs::write(dir.join("skills/create-emits-created.json"), GOOD).unwrap();
    std::fs::write(dir.join("skills/create-with-a-wrong-expectation.json"), WRONG).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_atlas-actors")).arg("conformance").arg(&dir).env("LOG_LEVEL", "warn").output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!output.status.success(), "a failure fails the run");
    assert!(stdout.contains("PASS skills/create-emits-created"), "{stdout}");
    assert!(stdout.contains("FAIL skills/create-with-a-wrong-expectation"), "{stdout}");
    assert!(stdout.contains("\"level\": 2") || stdout.contains("\"level\":2"), "shows what it saw: {stdout}");
    assert_eq!(stdout.trim_end().lines().last(), Some("1 passed, 1 failed"));
}
