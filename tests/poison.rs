//! Poison records: each is dead-lettered with its reason (or, for an unknown type,
//! skipped), none stalls its partition, none crashes the process.

mod common;

use common::*;
use serde_json::json;
use std::time::Duration;

#[test]
fn poison_records_are_put_aside_and_the_partition_keeps_flowing() {
    let _serial = serial();
    let fixture = Fixture::sqlite("poison").env("ATLAS_CHAOS_FAILING_ENTITY", 666).start();
    let tenant = &fixture.tenant;
    let character = 5150;
    let huge = format!(
        "{{\"characterId\":{character},\"type\":\"REQUEST_CREATE\",\"body\":{{\"skillId\":9,\"level\":\"{}\"}}}}",
        "x".repeat(1 << 20)
    );
    let create = |c: u32, skill: u32| {
        json!({"characterId": c, "type": "REQUEST_CREATE", "body": {"skillId": skill, "level": 1}}).to_string().into_bytes()
    };
    let records = vec![
        (Some(character), Some(Vec::new()), Some(tenant)),
        (Some(character), Some(b"{not json".to_vec()), Some(tenant)),
        (Some(character), Some(br#"{"characterId":5150,"type":"SET_COOLDOWN","body":{"skillId":"nine"}}"#.to_vec()), Some(tenant)),
        (Some(character), Some(br#"{"characterId":5150,"body":{}}"#.to_vec()), Some(tenant)),
        (Some(character), Some(br#"{"characterId":5150,"type":"SOMEONE_ELSES_EVENT","body":{}}"#.to_vec()), Some(tenant)),
        (Some(character), Some(huge.into_bytes()), Some(tenant)),
        (Some(character), Some(create(character, 1)), None),
        (Some(character), Some(create(666, 1)), Some(tenant)),
        (Some(character), Some(create(character, 2)), Some(tenant)),
    ];
    let producer = rdkafka::config::ClientConfig::new()
        .set("bootstrap.servers", &fixture.bootstrap)
        .set("partitioner", "murmur2_random")
        .set("message.max.bytes", "4000000")
        .create()
        .unwrap();
    produce_all(&producer, "COMMAND_TOPIC_SKILL", &records);

    let mut events = fixture.collect("EVENT_TOPIC_SKILL_STATUS");
    assert!(
        events.until(Duration::from_secs(60), |seen| seen.iter().any(|r| r.json()["skillId"] == 2)),
        "the record after the poison ones is processed"
    );
    let mut dead = fixture.collect_all("DEAD_LETTER_TOPIC");
    let reasons = |seen: &[Seen]| -> Vec<String> {
        seen.iter().filter(|r| r.key_id() == Some(character)).filter_map(|r| r.header("dlq-reason")).collect()
    };
    assert!(dead.until(Duration::from_secs(30), |seen| reasons(seen).len() >= 7));
    assert_eq!(
        reasons(&dead.seen),
        vec!["empty_value", "not_json", "bad_field", "missing_type", "bad_field", "missing_tenant", "handler_failed"]
    );
    let failed = dead.seen.iter().rfind(|r| r.key_id() == Some(character)).expect("the dead letter of the failing record");
    assert!(failed.header("dlq-error").unwrap().contains("3 times"), "retried HANDLER_MAX_ATTEMPTS times first");
    assert_eq!(events.seen.len(), 1, "no event from any poison record");
    let metrics = http_text(&fixture.server.url("/metrics"));
    assert!(metrics.contains("atlas_records_unhandled_total{topic=\"COMMAND_TOPIC_SKILL\",type=\"SOMEONE_ELSES_EVENT\"} 1"));
}

fn http_text(url: &str) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async { reqwest::get(url).await.unwrap().text().await.unwrap() })
}
