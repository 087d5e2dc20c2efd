//! Zero-setup start: with no configuration the server runs an embedded broker (logging its
//! address, which outside Kafka clients can use) and a SQLite file under ./data/.

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn starts_with_no_configuration_and_serves_its_broker_to_other_clients() {
    let dir = std::env::temp_dir().join(format!("atlas-embedded-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_atlas-actors"))
        .current_dir(&dir)
        .env_remove("BOOTSTRAP_SERVERS")
        .env_remove("DATABASE_URL")
        .env_remove("DB_HOST")
        .env("REST_PORT", port.to_string())
        .env("CHANNEL_PORT", "0")
        .env("LOG_LEVEL", "info")
        .env("LOG_FORMAT", "json")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The broker's address is in the start-up log.
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let bootstrap = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            let entry: serde_json::Value = serde_json::from_str(&line).ok()?;
            entry["fields"]["bootstrap"].as_str().map(str::to_string)
        })
        .expect("the embedded broker's address is logged");
    std::thread::spawn(move || lines.for_each(drop));

    let consumer: BaseConsumer = ClientConfig::new().set("bootstrap.servers", &bootstrap).create().unwrap();
    let metadata = consumer.fetch_metadata(None, Duration::from_secs(10)).unwrap();
    let topics: Vec<&str> = metadata.topics().iter().map(|t| t.name()).collect();
    for topic in ["COMMAND_TOPIC_SKILL", "EVENT_TOPIC_SKILL_STATUS", "DEAD_LETTER_TOPIC"] {
        assert!(topics.contains(&topic), "{topic} listed by an outside client");
    }

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let healthy = runtime.block_on(async {
        while Instant::now() < deadline {
            if let Ok(response) = reqwest::get(format!("http://127.0.0.1:{port}/health")).await {
                if response.status() == 200 {
                    return true;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(healthy, "GET /health turns 200");
    assert!(dir.join("data/atlas-actors.db").exists(), "state in the default SQLite file");
    let _ = std::fs::remove_dir_all(dir);
}
