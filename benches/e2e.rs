//! End-to-end load benchmark over a real broker (the embedded one, in this process).
//!
//! Baseline: a raw rdkafka relay (consume topic A → produce topic B, no logic) on the same
//! broker. Ours: the server binary consuming skill commands and emitting status events.
//! Each is measured the same way: (1) throughput, pushing N records as fast as possible
//! and timing until the last output arrives; (2) latency percentiles at half of the
//! baseline's throughput. The report gives our figures as ratios of the baseline's.
//!
//! Then (3) mixed load: `atlas-actors simulate`'s virtual players (skill creates and
//! updates, cooldowns, macros, sagas) at a quarter of the server's skill-update burst
//! throughput (`E2E_MIXED_RATE`) for `E2E_MIXED_SECONDS` (default 10), against the server, and against relays on a second
//! broker that copy each command topic to its answer topic (an answer carries the
//! command's transactionId either way, so the player measures both alike).
//!
//! `cargo bench --bench e2e` (SQLite); `E2E_DATABASE_URL=postgres://… cargo bench --bench e2e`.
//! `E2E_RECORDS` sets N (default 20000); `E2E_RATE` fixes the server's latency-phase rate.

use atlas_actors::broker::EmbeddedBroker;
use atlas_actors::contracts::{key, tenant::Tenant};
use atlas_actors::simulate::{self, Report, SimulateArgs};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Message, OwnedHeaders};
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use rdkafka::{Offset, TopicPartitionList};
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use uuid::Uuid;

const CHARACTERS: u32 = 1000;

fn producer(bootstrap: &str) -> ThreadedProducer<DefaultProducerContext> {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("enable.idempotence", "true")
        .set("partitioner", "murmur2_random")
        .set("linger.ms", "1")
        .set("queue.buffering.max.messages", "1000000")
        .create()
        .expect("producer")
}

fn consumer(bootstrap: &str, topic: &str, from: Offset, group: Option<&str>) -> BaseConsumer {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group.map(str::to_string).unwrap_or_else(|| format!("e2e-{}", Uuid::new_v4())))
        .set("enable.auto.commit", "false")
        .set("fetch.wait.max.ms", "5")
        .create()
        .expect("consumer");
    let metadata = consumer.fetch_metadata(Some(topic), Duration::from_secs(10)).expect("metadata");
    let mut list = TopicPartitionList::new();
    for partition in metadata.topics()[0].partitions() {
        list.add_partition_offset(topic, partition.id(), from).expect("partition");
    }
    consumer.assign(&list).expect("assign");
    consumer
}

/// Reads `topic` from its end, sending (transaction id, arrival) of every record.
fn sink(bootstrap: &str, topic: &str) -> mpsc::Receiver<(String, Instant)> {
    let consumer = consumer(bootstrap, topic, Offset::End, None);
    // Let the assignment resolve its end offsets before anything is produced.
    let _ = consumer.poll(Duration::from_millis(500));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || loop {
        if let Some(Ok(message)) = consumer.poll(Duration::from_millis(50)) {
            let value: serde_json::Value = serde_json::from_slice(message.payload().unwrap_or_default()).unwrap_or_default();
            let id = value["transactionId"].as_str().unwrap_or_default().to_string();
            if tx.send((id, Instant::now())).is_err() {
                return;
            }
        }
    });
    rx
}

/// The raw relay: consume `from`, produce the same value and key to `to`.
fn relay(bootstrap: &str, from: &str, to: &str) {
    let consumer = consumer(bootstrap, from, Offset::End, None);
    let producer = producer(bootstrap);
    let to = to.to_string();
    std::thread::spawn(move || loop {
        if let Some(Ok(message)) = consumer.poll(Duration::from_millis(50)) {
            let mut record = BaseRecord::<[u8], [u8]>::to(&to).payload(message.payload().unwrap_or_default());
            if let Some(key) = message.key() {
                record = record.key(key);
            }
            if let Some(headers) = message.headers() {
                record = record.headers(headers.detach());
            }
            while let Err((_, r)) = producer.send(record) {
                record = r;
                producer.poll(Duration::from_millis(1));
            }
        }
    });
}

struct Run {
    per_second: f64,
    /// The offered rate of the latency phase.
    rate: f64,
    p50: Duration,
    p99: Duration,
}

/// Pushes `n` records through (throughput), then records at `rate` per second for a few
/// seconds (latency). `record(i, transaction)` builds the i-th input.
fn measure(
    bootstrap: &str,
    input: &str,
    output: &str,
    n: usize,
    rate: Option<f64>,
    tenant: &Tenant,
    record: &dyn Fn(usize, &str) -> (u32, String),
) -> Run {
    let sink = sink(bootstrap, output);
    let producer = producer(bootstrap);
    let headers = || tenant.to_kafka(OwnedHeaders::new());
    let send = |i: usize| -> String {
        let transaction = Uuid::new_v4().to_string();
        let (k, value) = record(i, &transaction);
        let key = key::encode(k);
        let mut r = BaseRecord::to(input).key(&key[..]).payload(value.as_bytes()).headers(headers());
        while let Err((_, back)) = producer.send(r) {
            r = back;
            producer.poll(Duration::from_millis(1));
        }
        transaction
    };
    let wait_for = |count: usize, sent: &HashMap<String, Instant>, latencies: &mut Vec<Duration>| -> Instant {
        let mut last = Instant::now();
        let mut seen = 0;
        while seen < count {
            let (id, at) = sink.recv_timeout(Duration::from_secs(120)).expect("outputs keep arriving");
            if let Some(start) = sent.get(&id) {
                latencies.push(at - *start);
                seen += 1;
                last = at;
            }
        }
        last
    };

    let started = Instant::now();
    let mut sent = HashMap::with_capacity(n);
    for i in 0..n {
        sent.insert(send(i), Instant::now());
    }
    let _ = producer.flush(Duration::from_secs(30));
    let mut ignored = Vec::new();
    let finished = wait_for(n, &sent, &mut ignored);
    let per_second = n as f64 / (finished - started).as_secs_f64();

    let rate = rate.unwrap_or(per_second / 2.0);
    let count = ((rate * 4.0) as usize).max(200);
    let interval = Duration::from_secs_f64(1.0 / rate);
    let mut sent = HashMap::with_capacity(count);
    let begin = Instant::now();
    for i in 0..count {
        let due = begin + interval * i as u32;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        sent.insert(send(n + i), Instant::now());
        producer.poll(Duration::ZERO);
    }
    let mut latencies = Vec::with_capacity(count);
    wait_for(count, &sent, &mut latencies);
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Run { per_second, rate, p50: at(0.50), p99: at(0.99) }
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n: usize = std::env::var("E2E_RECORDS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let broker = EmbeddedBroker::start().expect("broker");
    let bootstrap = broker.bootstrap_servers().to_string();
    // Every topic the server uses exists before it starts, as in production.
    let topics = ["E2E_IN", "E2E_OUT"]
        .into_iter()
        .chain(atlas_actors::contracts::topics::VARIABLES.iter().map(|v| atlas_actors::contracts::topics::name(v)));
    broker.create_topics(topics, 4).expect("topics");
    let tenant = Tenant { id: Uuid::new_v4(), region: "GMS".into(), major: 83, minor: 1 };
    let body = |i: usize, transaction: &str| -> (u32, String) {
        let character = (i as u32 % CHARACTERS) + 1;
        let value = serde_json::json!({"characterId": character, "type": "REQUEST_UPDATE", "transactionId": transaction,
            "body": {"skillId": 1000, "level": (i % 30) as u8, "masterLevel": 30, "expiration": "0001-01-01T00:00:00Z"}});
        (character, value.to_string())
    };

    relay(&bootstrap, "E2E_IN", "E2E_OUT");
    let baseline = measure(&bootstrap, "E2E_IN", "E2E_OUT", n, None, &tenant, &body);

    let dir = std::env::temp_dir().join(format!("atlas-e2e-{}", Uuid::new_v4()));
    let database = std::env::var("E2E_DATABASE_URL").unwrap_or_else(|_| format!("sqlite://{}/atlas.db?mode=rwc", dir.display()));
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let _server = Server(
        Command::new(env!("CARGO_BIN_EXE_atlas-actors"))
            .arg("serve")
            .env("BOOTSTRAP_SERVERS", &bootstrap)
            .env("DATABASE_URL", &database)
            .env("REST_PORT", port.to_string())
            .env("CHANNEL_PORT", "0")
            // No other Atlas service runs here: refused at once (a login's name look-up
            // would otherwise wait out the foreign timeout).
            .env("BASE_SERVICE_URL", "http://127.0.0.1:1/api/")
            .env("CONSUMER_GROUP_ID", format!("e2e-{}", Uuid::new_v4()))
            .env("LOG_LEVEL", "error")
            .stdout(Stdio::null())
            .spawn()
            .expect("server"),
    );
    // Create each character's skill, so the measured commands are updates.
    let create = |i: usize, transaction: &str| -> (u32, String) {
        let character = i as u32 + 1;
        let value = serde_json::json!({"characterId": character, "type": "REQUEST_CREATE", "transactionId": transaction,
            "body": {"skillId": 1000, "level": 1, "masterLevel": 30}});
        (character, value.to_string())
    };
    let _ = measure(&bootstrap, "COMMAND_TOPIC_SKILL", "EVENT_TOPIC_SKILL_STATUS", CHARACTERS as usize, Some(2000.0), &tenant, &create);
    let rate = std::env::var("E2E_RATE").ok().and_then(|v| v.parse().ok());
    let ours = measure(&bootstrap, "COMMAND_TOPIC_SKILL", "EVENT_TOPIC_SKILL_STATUS", n, rate, &tenant, &body);
    let seconds = std::env::var("E2E_MIXED_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    // Sagas and cooldowns cost the server more than skill updates: a quarter of the
    // skill-update burst, unless given.
    let mixed_rate = std::env::var("E2E_MIXED_RATE").ok().and_then(|v| v.parse().ok()).unwrap_or(ours.per_second / 4.0);
    let players = |bootstrap: &str| SimulateArgs {
        bootstrap_servers: bootstrap.to_string(),
        players: 200,
        first_character: 2_000_000,
        rate: mixed_rate,
        duration: Duration::from_secs(seconds),
        timeout: Duration::from_secs(10),
        no_messengers: true,
        tenant: None,
    };
    let mixed = simulate::play(&players(&bootstrap), false).expect("mixed load against the server");
    let _ = std::fs::remove_dir_all(dir);
    let relays = EmbeddedBroker::start().expect("second broker");
    let pairs = [
        ("COMMAND_TOPIC_SKILL", "EVENT_TOPIC_SKILL_STATUS"),
        ("COMMAND_TOPIC_SKILL_MACRO", "STATUS_EVENT_TOPIC_SKILL_MACRO"),
        ("COMMAND_TOPIC_SAGA", "EVENT_TOPIC_SAGA_STATUS"),
    ];
    let names = pairs.iter().flat_map(|(a, b)| [*a, *b]).chain(["EVENT_TOPIC_CHARACTER_STATUS", "EVENT_TOPIC_MESSENGER_STATUS"]);
    relays.create_topics(names, 4).expect("relay topics");
    for (from, to) in pairs {
        relay(relays.bootstrap_servers(), from, to);
    }
    let mixed_baseline = simulate::play(&players(relays.bootstrap_servers()), false).expect("mixed load against the relays");

    let engine = if database.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    println!("e2e over the embedded broker, {n} records, {CHARACTERS} characters, {engine}");
    for (name, run) in [("raw relay   ", &baseline), ("atlas-actors", &ours)] {
        println!(
            "{name}: {:>9.0} records/s   p50 {:>7.1?}   p99 {:>7.1?}  (latency at {:.0} records/s)",
            run.per_second, run.p50, run.p99, run.rate
        );
    }
    println!(
        "ratios      : throughput {:.2} of the relay; p50 {:.2}x, p99 {:.2}x the relay's",
        ours.per_second / baseline.per_second,
        ours.p50.as_secs_f64() / baseline.p50.as_secs_f64(),
        ours.p99.as_secs_f64() / baseline.p99.as_secs_f64()
    );
    println!("mixed load (simulate, 200 players, {mixed_rate:.0} commands/s for {seconds} s):");
    for (name, r) in [("relays      ", &mixed_baseline), ("atlas-actors", &mixed)] {
        println!("{name}: {}", summary(r));
    }
    println!(
        "ratios      : p50 {:.2}x, p99 {:.2}x the relays'",
        mixed.p50_ms / mixed_baseline.p50_ms,
        mixed.p99_ms / mixed_baseline.p99_ms
    );
}

fn summary(r: &Report) -> String {
    let lost: Vec<String> = r.lost.iter().map(|(kind, n)| format!("{kind} {n}")).collect();
    format!(
        "{} sent, {} answered ({} refused, {} unanswered{}), p50 {:.1} ms, p99 {:.1} ms",
        r.sent,
        r.answered,
        r.refused,
        r.unanswered,
        if lost.is_empty() { String::new() } else { format!(": {}", lost.join(", ")) },
        r.p50_ms,
        r.p99_ms
    )
}
