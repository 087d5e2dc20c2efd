//! Zero-setup start: with no configuration the server runs an embedded broker (logging its
//! address, which outside Kafka clients can use) and a SQLite file under ./data/.

mod common;

use common::{free_port, start_embedded_default, tempdir};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use std::path::Path;
use std::time::Duration;

#[test]
fn starts_with_no_configuration_and_serves_its_broker_to_other_clients() {
    let dir = tempdir::Dir::new("atlas-embedded");
    // Returns once GET /health turns 200, with the broker's address from the start-up log.
    let (mut child, bootstrap) = start_embedded_default(&dir, free_port());

    let consumer: BaseConsumer = ClientConfig::new().set("bootstrap.servers", &bootstrap).create().unwrap();
    let metadata = consumer.fetch_metadata(None, Duration::from_secs(10)).unwrap();
    let topics: Vec<&str> = metadata.topics().iter().map(|t| t.name()).collect();
    for topic in ["COMMAND_TOPIC_SKILL", "EVENT_TOPIC_SKILL_STATUS", "DEAD_LETTER_TOPIC"] {
        assert!(topics.contains(&topic), "{topic} listed by an outside client");
    }

    let _ = child.kill();
    let _ = child.wait();
    assert!(Path::new(&dir.path()).join("data/atlas-actors.db").exists(), "state in the default SQLite file");
}
