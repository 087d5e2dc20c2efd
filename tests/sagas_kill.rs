//! 500 concurrent sagas driven by a scripted fake of the character service over a real
//! broker, while the server is SIGKILLed and restarted three times (broker in this process,
//! PostgreSQL). Every saga must end with exactly one COMPLETED; every step's command must
//! arrive. Repeats across the kills (a status record or command published twice) are
//! counted and reported; none is expected thanks to the outbox recovery.

mod common;

use common::*;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

const SAGAS: u32 = 500;

/// The fake character service: answers each REQUEST_CHANGE_MESO with MESO_CHANGED and each
/// AWARD_EXPERIENCE with EXPERIENCE_CHANGED, echoing the transactionId and tenant.
fn fake_character_service(bootstrap: String, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<usize> {
    std::thread::spawn(move || {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &bootstrap)
            .set("group.id", format!("fake-{}", Uuid::new_v4()))
            .set("auto.offset.reset", "earliest")
            .set("fetch.wait.max.ms", "5")
            .create()
            .expect("consumer");
        consumer.subscribe(&["COMMAND_TOPIC_CHARACTER"]).expect("subscribe");
        let producer = producer(&bootstrap);
        let mut answered = 0;
        while !stop.load(Ordering::Relaxed) {
            let Some(Ok(message)) = consumer.poll(Duration::from_millis(50)) else { continue };
            let command: Value = serde_json::from_slice(message.payload().unwrap_or_default()).unwrap_or_default();
            let kind = match command["type"].as_str() {
                Some("REQUEST_CHANGE_MESO") => "MESO_CHANGED",
                Some("AWARD_EXPERIENCE") => "EXPERIENCE_CHANGED",
                _ => continue,
            };
            let headers = message.headers().map(|h| h.detach()).unwrap_or_default();
            let character = command["characterId"].as_u64().unwrap_or_default() as u32;
            let event =
                json!({"transactionId": command["transactionId"], "worldId": 0, "characterId": character, "type": kind, "body": {}});
            let value = event.to_string();
            let key = atlas_actors::contracts::key::encode(character);
            let record = rdkafka::producer::FutureRecord::to("EVENT_TOPIC_CHARACTER_STATUS").key(&key[..]).payload(&value).headers(headers);
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            if runtime.block_on(producer.send(record, rdkafka::util::Timeout::Never)).is_ok() {
                answered += 1;
            }
        }
        answered
    })
}

#[test]
fn sagas_finish_exactly_once_across_process_kills() {
    let _serial = serial();
    let Some(fixture) = Fixture::postgres() else { return };
    let mut fixture = fixture.start();
    let stop = Arc::new(AtomicBool::new(false));
    let fake = fake_character_service(fixture.bootstrap.clone(), stop.clone());

    let ids: Vec<Uuid> = (0..SAGAS).map(|_| Uuid::new_v4()).collect();
    let documents: Vec<(u32, Value)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let character = 9000 + i as u32;
            let step = |step: &str, action: &str, payload: Value| json!({"stepId": step, "status": "pending", "action": action, "payload": payload});
            (character, json!({"transactionId": id, "sagaType": "quest_reward", "initiatedBy": "test", "steps": [
                step("mesos", "award_mesos", json!({"characterId": character, "worldId": 0, "channelId": 1, "actorId": character, "actorType": "QUEST", "amount": 100})),
                step("sound", "play_portal_sound", json!({"characterId": character, "worldId": 0, "channelId": 1})),
                step("exp", "award_experience", json!({"characterId": character, "worldId": 0, "channelId": 1,
                    "distributions": [{"experienceType": "WHITE", "amount": 10, "attr1": 0}]})),
            ]}))
        })
        .collect();
    for (round, chunk) in documents.chunks(SAGAS as usize / 4).enumerate() {
        fixture.produce("COMMAND_TOPIC_SAGA", chunk);
        if round < 3 {
            // why: the load's shape, not a wait: the kill lands while the round is handled
            std::thread::sleep(Duration::from_millis(400));
            fixture.restart();
        }
    }

    let mut statuses = fixture.collect("EVENT_TOPIC_SAGA_STATUS");
    let finished = |seen: &[Seen]| {
        let mut ids: Vec<String> = seen.iter().map(|r| r.json()["transactionId"].as_str().unwrap_or_default().to_string()).collect();
        ids.sort();
        ids.dedup();
        ids.len()
    };
    let all = statuses.until(Duration::from_secs(240), |seen| finished(seen) >= SAGAS as usize);
    statuses.poll_for(Duration::from_secs(2));
    stop.store(true, Ordering::Relaxed);
    let _ = fake.join();

    let mut per_saga: HashMap<String, Vec<String>> = HashMap::new();
    for record in &statuses.seen {
        let status = record.json();
        per_saga
            .entry(status["transactionId"].as_str().unwrap_or_default().to_string())
            .or_default()
            .push(status["type"].as_str().unwrap_or_default().to_string());
    }
    assert!(all, "{} of {SAGAS} sagas finished", per_saga.len());
    assert!(per_saga.values().all(|kinds| kinds.iter().all(|k| k == "COMPLETED")), "every saga completed");
    let status_repeats: usize = per_saga.values().map(|kinds| kinds.len() - 1).sum();

    let mut commands = fixture.collect("COMMAND_TOPIC_CHARACTER");
    commands.poll_for(Duration::from_secs(3));
    let mut per_command: HashMap<(String, String), usize> = HashMap::new();
    for record in &commands.seen {
        let command = record.json();
        let key =
            (command["transactionId"].as_str().unwrap_or_default().to_string(), command["type"].as_str().unwrap_or_default().to_string());
        *per_command.entry(key).or_default() += 1;
    }
    assert_eq!(per_command.len(), 2 * SAGAS as usize, "every step's command arrived");
    let command_repeats: usize = per_command.values().map(|n| n - 1).sum();
    println!("sagas: {SAGAS} completed across 3 SIGKILLs; status records repeated: {status_repeats}; commands repeated: {command_repeats}");
    assert_eq!(status_repeats, 0, "one terminal status per saga");
    assert_eq!(command_repeats, 0, "no command repeated");
}
