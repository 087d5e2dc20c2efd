//! A reference model of saga traffic and the other services a saga waits for: sagas of
//! two types whose steps are completed by the character service's events, which a thread
//! plays (as it plays the account service for channel logins). Every saga must end with
//! exactly one `COMPLETED` and cause each of its steps' commands exactly once.

use super::{producer, Seen};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// One saga document and the character commands its steps must cause (type, once each).
pub struct Saga {
    pub id: Uuid,
    pub character: u32,
    pub document: Value,
    pub commands: Vec<&'static str>,
}

/// `count` sagas for characters numbered from `first`, alternating two types: a quest
/// reward (mesos, a portal sound that needs no answer, experience) and a conversation's
/// reward (experience, then mesos).
pub fn sagas(count: u32, first: u32) -> Vec<Saga> {
    (0..count)
        .map(|i| {
            let (id, character) = (Uuid::new_v4(), first + i);
            let place = json!({"characterId": character, "worldId": 0, "channelId": 1});
            let step = |step: &str, action: &str, payload: Value| json!({"stepId": step, "status": "pending", "action": action, "payload": payload});
            let mesos = step(
                "mesos",
                "award_mesos",
                json!({"characterId": character, "worldId": 0, "channelId": 1, "actorId": character, "actorType": "QUEST", "amount": 100}),
            );
            let experience = step(
                "exp",
                "award_experience",
                json!({"characterId": character, "worldId": 0, "channelId": 1, "distributions": [{"experienceType": "WHITE", "amount": 10, "attr1": 0}]}),
            );
            let (kind, steps) = match i % 2 {
                0 => ("quest_reward", vec![mesos, step("sound", "play_portal_sound", place), experience]),
                _ => ("npc_conversation", vec![experience, mesos]),
            };
            let document = json!({"transactionId": id, "sagaType": kind, "initiatedBy": "chaos", "steps": steps});
            Saga { id, character, document, commands: vec!["REQUEST_CHANGE_MESO", "AWARD_EXPERIENCE"] }
        })
        .collect()
}

/// The other services, played on a thread until `stop`: the character service answers
/// `REQUEST_CHANGE_MESO` with `MESO_CHANGED` and `AWARD_EXPERIENCE` with
/// `EXPERIENCE_CHANGED` (echoing transaction and tenant); the account service answers a
/// login's `PROGRESS_STATE` with `STATE_CHANGED` naming the character asked for. Returns
/// how many answers it sent.
pub fn other_services(bootstrap: String, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<usize> {
    std::thread::spawn(move || {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &bootstrap)
            .set("group.id", format!("other-services-{}", Uuid::new_v4()))
            .set("auto.offset.reset", "earliest")
            .set("fetch.wait.max.ms", "5")
            .create()
            .expect("consumer");
        consumer.subscribe(&["COMMAND_TOPIC_CHARACTER", "COMMAND_TOPIC_ACCOUNT_SESSION"]).expect("subscribe");
        let producer = producer(&bootstrap);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let mut answered = 0;
        while !stop.load(Ordering::Relaxed) {
            let Some(Ok(message)) = consumer.poll(Duration::from_millis(50)) else { continue };
            let command: Value = serde_json::from_slice(message.payload().unwrap_or_default()).unwrap_or_default();
            let (topic, key, event) = match (message.topic(), command["type"].as_str()) {
                ("COMMAND_TOPIC_CHARACTER", Some(kind @ ("REQUEST_CHANGE_MESO" | "AWARD_EXPERIENCE"))) => {
                    let answer = if kind == "REQUEST_CHANGE_MESO" { "MESO_CHANGED" } else { "EXPERIENCE_CHANGED" };
                    let character = command["characterId"].as_u64().unwrap_or_default() as u32;
                    let event = json!({"transactionId": command["transactionId"], "worldId": 0, "characterId": character, "type": answer, "body": {}});
                    ("EVENT_TOPIC_CHARACTER_STATUS", character, event)
                }
                ("COMMAND_TOPIC_ACCOUNT_SESSION", Some("PROGRESS_STATE")) => {
                    let Some(character) = command["body"]["params"]["characterId"].as_u64() else { continue };
                    let character = character as u32;
                    let event = json!({"sessionId": command["sessionId"], "accountId": character, "type": "STATE_CHANGED",
                        "body": {"state": 1, "params": {"characterId": character}}});
                    ("EVENT_TOPIC_ACCOUNT_SESSION_STATUS", character, event)
                }
                _ => continue,
            };
            let headers = message.headers().map(|h| h.detach()).unwrap_or_default();
            let value = event.to_string();
            let key = atlas_actors::contracts::key::encode(key);
            let record = rdkafka::producer::FutureRecord::to(topic).key(&key[..]).payload(&value).headers(headers);
            if runtime.block_on(producer.send(record, rdkafka::util::Timeout::Never)).is_ok() {
                answered += 1;
            }
        }
        answered
    })
}

/// The status types each saga ended with, by transaction id.
pub fn statuses(seen: &[Seen]) -> HashMap<String, Vec<String>> {
    let mut per_saga: HashMap<String, Vec<String>> = HashMap::new();
    for status in seen.iter().map(Seen::json) {
        per_saga
            .entry(status["transactionId"].as_str().unwrap_or_default().to_string())
            .or_default()
            .push(status["type"].as_str().unwrap_or_default().to_string());
    }
    per_saga
}

/// Counts character commands by (transaction id, type).
pub fn commands(seen: &[Seen]) -> HashMap<(String, String), usize> {
    let mut counts = HashMap::new();
    for command in seen.iter().map(Seen::json) {
        let key =
            (command["transactionId"].as_str().unwrap_or_default().to_string(), command["type"].as_str().unwrap_or_default().to_string());
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}
