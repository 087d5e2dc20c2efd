//! A tenant header given twice is ambiguous: REST answers 400 and a Kafka record goes to
//! the dead-letter topic (`duplicate_tenant_header`), rather than the first value winning.

mod common;

use atlas_actors::contracts::{key, tenant::TENANT_ID, topics};
use common::*;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::FutureRecord;
use rdkafka::util::Timeout;
use serde_json::json;
use std::time::Duration;

#[test]
fn duplicate_tenant_headers_are_refused_on_rest_and_dead_lettered_on_kafka() {
    let _serial = serial();
    let fixture = Fixture::sqlite("tenant-headers").start();
    let (server, first, second) = (&fixture.server, &fixture.tenant, tenant());

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let status = |headers: Vec<(&'static str, String)>| {
        runtime.block_on(async {
            let mut request = reqwest::Client::new().get(server.url("/api/characters/1/skills"));
            for (name, value) in headers {
                request = request.header(name, value);
            }
            request.send().await.map(|r| r.status().as_u16()).unwrap_or(0)
        })
    };
    let once: Vec<_> = first.http_headers().into_iter().collect();
    assert_eq!(status(once.clone()), 200);
    let mut twice = once;
    twice.push((TENANT_ID, second.id.to_string()));
    assert_eq!(status(twice), 400, "two TENANT_ID headers");

    let character = 4242u32;
    let value = json!({"characterId": character, "type": "REQUEST_CREATE",
        "body": {"skillId": 1, "level": 1, "masterLevel": 10, "expiration": "0001-01-01T00:00:00Z"}})
    .to_string();
    let headers = first.to_kafka(OwnedHeaders::new()).insert(Header { key: TENANT_ID, value: Some(second.id.to_string().as_bytes()) });
    let producer = fixture.producer();
    let topic = topics::resolve("COMMAND_TOPIC_SKILL");
    let encoded = key::encode(character);
    runtime.block_on(async {
        let record: FutureRecord<'_, [u8], str> = FutureRecord::to(&topic).key(&encoded[..]).payload(value.as_str()).headers(headers);
        producer.send(record, Timeout::Never).await.expect("produce");
    });
    let mut dead = fixture.collect_all("DEAD_LETTER_TOPIC");
    let refused = |seen: &[Seen]| seen.iter().any(|r| r.key_id() == Some(character));
    assert!(dead.until(Duration::from_secs(30), refused), "the record is dead-lettered");
    let letter = dead.seen.iter().find(|r| r.key_id() == Some(character)).expect("dead letter");
    assert_eq!(letter.header("dlq-reason").as_deref(), Some("duplicate_tenant_header"));
    assert_eq!(server.get(&format!("/api/characters/{character}/skills/1"), first).0, 404, "applied for neither tenant");
    assert_eq!(server.get(&format!("/api/characters/{character}/skills/1"), &second).0, 404);
}
