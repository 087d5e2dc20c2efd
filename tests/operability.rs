//! Operability over a real broker and database: Atlas's newer conventions (the
//! `ENVIRONMENT` header, `/api/readyz`, `KAFKA_CONSUMER_GROUP`).

mod common;

use common::*;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::FutureRecord;
use rdkafka::util::Timeout;
use rdkafka::{Offset, TopicPartitionList};
use serde_json::json;
use std::time::Duration;

const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

/// Produces one skill command carrying an environment and a trace context.
fn produce_with_headers(bootstrap: &str, tenant: &atlas_actors::contracts::tenant::Tenant, character: u32, environment: &str) {
    let body = json!({"skillId": 1000, "level": 1, "masterLevel": 10, "expiration": "0001-01-01T00:00:00Z"});
    let value = json!({"characterId": character, "type": "REQUEST_CREATE", "body": body}).to_string();
    let headers = tenant
        .to_kafka(OwnedHeaders::new())
        .insert(Header { key: "ENVIRONMENT", value: Some(environment.as_bytes()) })
        .insert(Header { key: "traceparent", value: Some(TRACEPARENT.as_bytes()) });
    let key = atlas_actors::contracts::key::encode(character);
    let topic = atlas_actors::contracts::topics::resolve("COMMAND_TOPIC_SKILL");
    let producer = producer(bootstrap);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let record: FutureRecord<'_, [u8], str> = FutureRecord::to(&topic).key(&key[..]).payload(value.as_str()).headers(headers);
        producer.send(record, Timeout::Never).await.expect("produce the command");
    });
}

#[test]
fn environment_header_is_carried_from_a_command_to_its_outputs() {
    let _serial = serial();
    let fixture = Fixture::sqlite("environment").start();
    let tenant = &fixture.tenant;
    produce_with_headers(&fixture.bootstrap, tenant, 7, "pr-123");
    // A command without the header: its output must not invent one.
    let body = json!({"skillId": 1000, "level": 1, "masterLevel": 10, "expiration": "0001-01-01T00:00:00Z"});
    fixture.produce("COMMAND_TOPIC_SKILL", &[(8, json!({"characterId": 8, "type": "REQUEST_CREATE", "body": body}))]);
    let mut events = fixture.collect("EVENT_TOPIC_SKILL_STATUS");
    assert!(events.until(Duration::from_secs(30), |seen| seen.len() >= 2), "outputs of both commands, saw {:?}", events.seen);
    let of = |character: u64| events.seen.iter().find(|r| r.json()["characterId"] == character).expect("an output per command");
    let carried = of(7);
    assert_eq!(carried.json()["type"], "CREATED");
    assert_eq!(carried.header("ENVIRONMENT").as_deref(), Some("pr-123"));
    assert_eq!(carried.header("TENANT_ID"), Some(tenant.id.to_string()));
    let traceparent = carried.header("traceparent").expect("a traceparent on the output");
    assert_eq!(traceparent.split('-').nth(1), TRACEPARENT.split('-').nth(1), "the command's trace");
    assert_eq!(of(8).header("ENVIRONMENT"), None);
}

#[test]
fn readyz_answers_like_health() {
    let _serial = serial();
    let fixture = Fixture::sqlite("readyz").start();
    let (health, health_body) = http("GET", &fixture.server.url("/health"), None, None);
    let (ready, ready_body) = http("GET", &fixture.server.url("/api/readyz"), None, None);
    assert_eq!((ready, &ready_body), (health, &health_body));
    assert_eq!(ready, 200);
}

/// Whether `group` committed an offset on the skill command topic.
fn committed(bootstrap: &str, group: &str) -> bool {
    let consumer: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .create()
        .expect("a client to read committed offsets");
    let topic = atlas_actors::contracts::topics::resolve("COMMAND_TOPIC_SKILL");
    let mut list = TopicPartitionList::new();
    for partition in 0..4 {
        list.add_partition(&topic, partition);
    }
    consumer
        .committed_offsets(list, Duration::from_secs(5))
        .map(|l| l.elements().iter().any(|e| matches!(e.offset(), Offset::Offset(n) if n > 0)))
        .unwrap_or(false)
}

#[test]
fn kafka_consumer_group_overrides_the_group_name() {
    let _serial = serial();
    let group = format!("Skills Service [{}]", uuid::Uuid::new_v4().simple());
    let fixture = Fixture::sqlite("group").env("KAFKA_CONSUMER_GROUP", &group).start();
    let (bootstrap, server) = (&fixture.bootstrap, &fixture.server);
    produce_with_headers(bootstrap, &fixture.tenant, 9, "main");
    assert!(wait_until(Duration::from_secs(30), || committed(bootstrap, &group)), "group {group} committed nothing within 30 s");
    assert!(!committed(bootstrap, &server.group), "CONSUMER_GROUP_ID {} was used despite the override", server.group);
}

/// Whether a Kafka client bootstrapping at `address` sees the broker's topics.
fn lists_topics(address: &str) -> bool {
    let client: BaseConsumer = rdkafka::ClientConfig::new().set("bootstrap.servers", address).create().expect("a metadata client");
    let topic = atlas_actors::contracts::topics::resolve("COMMAND_TOPIC_SKILL");
    client.fetch_metadata(Some(&topic), Duration::from_secs(10)).map(|m| m.topics().len() == 1).unwrap_or(false)
}

#[actix_rt::test]
async fn embedded_broker_takes_the_preferred_address_when_free_and_another_when_not() {
    let broker = broker();
    let free = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port");
    let address = broker.stable_address(free).await;
    assert_eq!(address, free.to_string());
    assert!(tokio::task::spawn_blocking(move || lists_topics(&address)).await.expect("metadata"));

    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a port to occupy");
    let occupied = taken.local_addr().expect("its address");
    let address = broker.stable_address(occupied).await;
    assert_ne!(address, occupied.to_string());
    assert_eq!(address, broker.bootstrap_servers());
    assert!(tokio::task::spawn_blocking(move || lists_topics(&address)).await.expect("metadata"));
}

/// A character service that records the headers of each request and answers a character.
fn recording_character_service() -> (u16, std::sync::mpsc::Receiver<String>) {
    use std::io::{BufRead as _, BufReader, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the stub");
    let port = listener.local_addr().expect("its address").port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut head = String::new();
            while reader.read_line(&mut head).map(|n| n > 0).unwrap_or(false) && !head.ends_with("\r\n\r\n") {}
            let _ = tx.send(head);
            let body = json!({"data": {"type": "characters", "id": "5", "attributes": {"strength": 40, "dexterity": 4, "intelligence": 4, "luck": 4, "maxHp": 500, "maxMp": 100}}}).to_string();
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = reader.get_mut().write_all(answer.as_bytes());
        }
    });
    (port, rx)
}

#[test]
fn environment_and_trace_context_of_a_request_reach_foreign_calls() {
    let _serial = serial();
    let (port, requests) = recording_character_service();
    let unreachable = "http://127.0.0.1:1/api/";
    let fixture = Fixture::sqlite("foreign-environment")
        .env("BASE_SERVICE_URL", format!("http://127.0.0.1:{port}/api/"))
        .envs(&[("INVENTORY_SERVICE_URL", unreachable), ("BUFFS_SERVICE_URL", unreachable), ("DATA_SERVICE_URL", unreachable)])
        .start();
    let tenant = &fixture.tenant;
    let url = fixture.server.url("/api/worlds/0/channels/1/characters/5/stats");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let status = runtime.block_on(async {
        let request = tenant.http_headers().into_iter().fold(reqwest::Client::new().get(&url), |r, (name, value)| r.header(name, value));
        let response = request.header("ENVIRONMENT", "pr-7").header("traceparent", TRACEPARENT).send().await;
        response.map(|r| r.status().as_u16()).unwrap_or_else(|e| panic!("GET {url}: {e}"))
    });
    assert_eq!(status, 200);
    let head = requests.recv_timeout(Duration::from_secs(10)).expect("a call to the character service").to_ascii_lowercase();
    assert!(head.contains("\r\nenvironment: pr-7\r\n"), "no ENVIRONMENT on the foreign call:\n{head}");
    let trace = TRACEPARENT.split('-').nth(1).expect("a trace id");
    assert!(head.contains(&format!("\r\ntraceparent: 00-{trace}-")), "the foreign call is not in the request's trace:\n{head}");
}
