//! `atlas-actors simulate`: virtual players against a running server, over Kafka only.
//!
//! Each player logs in, then takes turns through skill, cooldown, macro, messenger and saga
//! actions, paced to a total command rate. Every command carries a fresh transactionId; the
//! first event of the same tenant that carries it answers the command, and the time
//! between the two is its latency. A live line shows the send and answer rates, latency
//! percentiles, refusals (ERROR / FAILED answers) and commands left unanswered.

use crate::contracts::{key, tenant::Tenant, topics};
use crate::duration::parse_duration;
use dashmap::DashMap;
use indicatif::{ProgressBar, ProgressStyle};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Message, OwnedHeaders};
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use rdkafka::{Offset, TopicPartitionList};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// Kafka bootstrap servers of the server under load.
    #[arg(long, env = "BOOTSTRAP_SERVERS")]
    pub bootstrap_servers: String,
    /// Virtual players (characters `first_character..`).
    #[arg(long, default_value_t = 100)]
    pub players: u32,
    #[arg(long, default_value_t = 1_000_000)]
    pub first_character: u32,
    /// Commands per second, all players together.
    #[arg(long, default_value_t = 200.0)]
    pub rate: f64,
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub duration: Duration,
    /// A command without an answer after this long counts as unanswered.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Leave messengers out (they need the character service, `BASE_SERVICE_URL`, to
    /// look up names; without it the server cannot answer them).
    #[arg(long)]
    pub no_messengers: bool,
    /// The tenant to play in (a fresh one by default).
    #[arg(long)]
    pub tenant: Option<Uuid>,
}

/// Topics whose events answer the commands.
const ANSWERS: [&str; 4] =
    ["EVENT_TOPIC_SKILL_STATUS", "STATUS_EVENT_TOPIC_SKILL_MACRO", "EVENT_TOPIC_MESSENGER_STATUS", "EVENT_TOPIC_SAGA_STATUS"];

/// What the run has seen so far; shared by the sender, the reader and the progress line.
#[derive(Default)]
struct Tally {
    /// transactionId → when its command was sent, and its kind.
    pending: DashMap<String, (Instant, &'static str)>,
    /// Unanswered commands by kind.
    lost: DashMap<&'static str, u64>,
    /// player → the messenger it created, once the answer said which.
    messengers: DashMap<u32, u64>,
    latencies_us: Mutex<Vec<u64>>,
    sent: AtomicU64,
    answered: AtomicU64,
    refused: AtomicU64,
    unanswered: AtomicU64,
}

impl Tally {
    fn answer(&self, value: &Value) {
        let Some(transaction) = value["transactionId"].as_str() else { return };
        let Some((_, (sent, _))) = self.pending.remove(transaction) else { return };
        self.latencies_us.lock().expect("latencies").push(sent.elapsed().as_micros() as u64);
        self.answered.fetch_add(1, Ordering::Relaxed);
        if matches!(value["type"].as_str(), Some("ERROR" | "FAILED")) {
            self.refused.fetch_add(1, Ordering::Relaxed);
        }
        if value["type"] == "CREATED" {
            if let (Some(actor), Some(messenger)) = (value["actorId"].as_u64(), value["messengerId"].as_u64()) {
                self.messengers.insert(actor as u32, messenger);
            }
        }
    }

    fn expire(&self, timeout: Duration) {
        self.pending.retain(|_, (sent, kind)| {
            let alive = sent.elapsed() < timeout;
            if !alive {
                self.unanswered.fetch_add(1, Ordering::Relaxed);
                *self.lost.entry(*kind).or_insert(0) += 1;
            }
            alive
        });
    }
}

/// One command: its kind, topic variable and value (with `transactionId`).
fn command(player: u32, turn: u64, messengers: bool, tally: &Tally, transaction: &str) -> (&'static str, &'static str, Value) {
    let skill = 1_001_000 + (turn % 3) as u32;
    match turn % 6 {
        4 if !messengers => command(player, turn + 2, messengers, tally, transaction),
        0 if turn < 6 => (
            "skill create",
            "COMMAND_TOPIC_SKILL",
            // json! stays: a command of the skills service's callers, which this server only decodes.
            json!({"characterId": player, "type": "REQUEST_CREATE", "transactionId": transaction,
            "body": {"skillId": skill, "level": 1, "masterLevel": 20, "expiration": "0001-01-01T00:00:00Z"}}),
        ),
        0 | 1 => (
            "skill update",
            "COMMAND_TOPIC_SKILL",
            // json! stays: a command of the skills service's callers, which this server only decodes.
            json!({"characterId": player, "type": "REQUEST_UPDATE", "transactionId": transaction,
            "body": {"skillId": 1_001_000, "level": 1 + turn % 20, "masterLevel": 20, "expiration": "0001-01-01T00:00:00Z"}}),
        ),
        2 => (
            "cooldown",
            "COMMAND_TOPIC_SKILL",
            // json! stays: the channel's cooldown command as Go writes it, with the simulator's transactionId.
            json!({"characterId": player, "type": "SET_COOLDOWN", "transactionId": transaction,
            "body": {"skillId": 1_001_000, "cooldown": 1}}),
        ),
        3 => (
            "macros",
            "COMMAND_TOPIC_SKILL_MACRO",
            // json! stays: the channel's macro command as Go writes it, with the simulator's transactionId.
            json!({"characterId": player, "type": "UPDATE", "transactionId": transaction,
            "body": {"macros": [{"id": 0, "name": format!("turn {turn}"), "shout": false, "skillId1": 1_001_000, "skillId2": 0, "skillId3": 0}]}}),
        ),
        4 => match tally.messengers.remove(&player) {
            Some((_, messenger)) => (
                "messenger leave",
                "COMMAND_TOPIC_MESSENGER",
                // json! stays: a messenger command of the Go channel, which this server only decodes.
                json!({"actorId": player, "type": "LEAVE", "transactionId": transaction,
                "body": {"messengerId": messenger}}),
            ),
            None => (
                "messenger create",
                "COMMAND_TOPIC_MESSENGER",
                // json! stays: a messenger command of the Go channel, which this server only decodes.
                json!({"actorId": player, "type": "CREATE", "transactionId": transaction, "body": {}}),
            ),
        },
        _ => (
            "saga",
            "COMMAND_TOPIC_SAGA",
            // json! stays: a saga document of another service, which this server only decodes.
            json!({"transactionId": transaction, "sagaType": "inventory_transaction", "initiatedBy": "simulate",
            "steps": [{"stepId": "block", "status": "pending", "action": "block_portal",
                       "payload": {"characterId": player, "mapId": 100_000_000, "portalId": 1},
                       "createdAt": "2025-01-01T00:00:00Z", "updatedAt": "2025-01-01T00:00:00Z"}]}),
        ),
    }
}

fn send(producer: &ThreadedProducer<DefaultProducerContext>, tenant: &Tenant, variable: &str, player: u32, value: &Value) {
    let topic = topics::resolve(variable);
    let payload = value.to_string();
    let key = key::encode(player);
    let record = BaseRecord::to(&topic).key(&key[..]).payload(&payload).headers(tenant.to_kafka(OwnedHeaders::new()));
    if let Err((error, _)) = producer.send(record) {
        tracing::warn!(%error, "producing a command failed");
    }
}

/// Reads the answer topics from their current ends until `stop`.
fn read_answers(bootstrap: &str, tenant: Uuid, tally: Arc<Tally>, ready: Arc<AtomicBool>, stop: Arc<AtomicBool>) -> anyhow::Result<()> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", format!("simulate-{}", Uuid::new_v4()))
        .set("enable.auto.commit", "false")
        .set("fetch.wait.max.ms", "5")
        .create()?;
    let mut assignment = TopicPartitionList::new();
    for variable in ANSWERS {
        let topic = topics::resolve(variable);
        let metadata = consumer.fetch_metadata(Some(&topic), Duration::from_secs(10))?;
        for partition in metadata.topics().iter().flat_map(|t| t.partitions()) {
            assignment.add_partition_offset(&topic, partition.id(), Offset::End)?;
        }
    }
    consumer.assign(&assignment)?;
    let tenant = tenant.hyphenated().to_string();
    while !stop.load(Ordering::Relaxed) {
        let Some(Ok(message)) = consumer.poll(Duration::from_millis(50)) else {
            ready.store(true, Ordering::Release);
            continue;
        };
        ready.store(true, Ordering::Release);
        let ours = Tenant::from_kafka(message.headers()).is_some_and(|t| t.id.hyphenated().to_string() == tenant);
        if let (true, Some(payload)) = (ours, message.payload()) {
            if let Ok(value) = serde_json::from_slice::<Value>(payload) {
                tally.answer(&value);
            }
        }
    }
    Ok(())
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize] as f64 / 1000.0
}

/// What a run measured.
#[derive(Debug, Clone)]
pub struct Report {
    pub tenant: Uuid,
    pub players: usize,
    pub sent: u64,
    pub answered: u64,
    pub refused: u64,
    pub unanswered: u64,
    /// How long commands were sent.
    pub seconds: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Unanswered commands by kind.
    pub lost: Vec<(&'static str, u64)>,
}

/// Plays, prints the summary, and returns whether every command was answered.
pub fn run(args: SimulateArgs) -> anyhow::Result<bool> {
    let r = play(&args, true)?;
    println!(
        "simulate: tenant {} · {} players · {} commands in {:.1} s ({:.0}/s) · answered {} · p50 {:.1} ms · p99 {:.1} ms · max {:.1} ms · refused {} · unanswered {}",
        r.tenant,
        r.players,
        r.sent,
        r.seconds,
        r.sent as f64 / r.seconds,
        r.answered,
        r.p50_ms,
        r.p99_ms,
        r.max_ms,
        r.refused,
        r.unanswered,
    );
    for (kind, count) in &r.lost {
        println!("  unanswered {kind}: {count}");
    }
    Ok(r.unanswered == 0 && r.answered == r.sent)
}

/// Plays until the duration is over and every command is answered or timed out, with the
/// live line when `live` (the load benchmark runs it quietly).
pub fn play(args: &SimulateArgs, live: bool) -> anyhow::Result<Report> {
    let tenant = Tenant { id: args.tenant.unwrap_or_else(Uuid::new_v4), region: "GMS".into(), major: 83, minor: 1 };
    let producer: ThreadedProducer<DefaultProducerContext> = ClientConfig::new()
        .set("bootstrap.servers", &args.bootstrap_servers)
        .set("enable.idempotence", "true")
        .set("partitioner", "murmur2_random")
        .set("linger.ms", "2")
        .create()?;
    let tally = Arc::new(Tally::default());
    let (ready, stop) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
    let reader = {
        let (bootstrap, tally, ready, stop) = (args.bootstrap_servers.clone(), tally.clone(), ready.clone(), stop.clone());
        std::thread::spawn(move || read_answers(&bootstrap, tenant.id, tally, ready, stop))
    };
    while !ready.load(Ordering::Acquire) && !reader.is_finished() {
        std::thread::sleep(Duration::from_millis(20));
    }

    let players: Vec<u32> = (0..args.players.max(1)).map(|i| args.first_character + i).collect();
    for player in &players {
        // json! stays: the character service's login event, which this server only decodes.
        let login = json!({"worldId": 0, "characterId": player, "type": "LOGIN", "transactionId": Uuid::new_v4().to_string(),
            "body": {"channelId": 1, "mapId": 100_000_000}});
        send(&producer, &tenant, "EVENT_TOPIC_CHARACTER_STATUS", *player, &login);
    }
    let bar = if live { ProgressBar::new_spinner() } else { ProgressBar::hidden() };
    bar.set_style(ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}").expect("template"));
    let started = Instant::now();
    let interval = Duration::from_secs_f64(1.0 / args.rate.max(0.1));
    let (mut turn, mut window, mut all, mut last_report) = (0u64, Vec::new(), Vec::new(), Instant::now());
    let (mut sent_then, mut answered_then) = (0, 0);
    loop {
        let sending = started.elapsed() < args.duration;
        if !sending && tally.pending.is_empty() {
            break;
        }
        if sending {
            let player = players[(turn % players.len() as u64) as usize];
            let transaction = Uuid::new_v4().to_string();
            let (kind, variable, value) = command(player, turn / players.len() as u64, !args.no_messengers, &tally, &transaction);
            tally.pending.insert(transaction, (Instant::now(), kind));
            send(&producer, &tenant, variable, player, &value);
            tally.sent.fetch_add(1, Ordering::Relaxed);
            turn += 1;
            let due = started + interval.mul_f64(turn as f64);
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
        } else {
            std::thread::sleep(Duration::from_millis(50));
        }
        if last_report.elapsed() >= Duration::from_millis(500) {
            tally.expire(args.timeout);
            window.append(&mut tally.latencies_us.lock().expect("latencies"));
            window.sort_unstable();
            let seconds = last_report.elapsed().as_secs_f64();
            let (sent, answered) = (tally.sent.load(Ordering::Relaxed), tally.answered.load(Ordering::Relaxed));
            bar.set_message(format!(
                "sent {sent} ({:.0}/s)  answered {answered} ({:.0}/s)  p50 {:.1} ms  p99 {:.1} ms  refused {}  unanswered {}  pending {}",
                (sent - sent_then) as f64 / seconds,
                (answered - answered_then) as f64 / seconds,
                percentile(&window, 0.5),
                percentile(&window, 0.99),
                tally.refused.load(Ordering::Relaxed),
                tally.unanswered.load(Ordering::Relaxed),
                tally.pending.len(),
            ));
            bar.tick();
            (sent_then, answered_then, last_report) = (sent, answered, Instant::now());
            all.append(&mut window);
        }
    }
    stop.store(true, Ordering::Relaxed);
    let _ = producer.flush(Duration::from_secs(5));
    let _ = reader.join();
    bar.finish_and_clear();

    all.append(&mut tally.latencies_us.lock().expect("latencies"));
    all.sort_unstable();
    Ok(Report {
        tenant: tenant.id,
        players: players.len(),
        sent: tally.sent.load(Ordering::Relaxed),
        answered: tally.answered.load(Ordering::Relaxed),
        refused: tally.refused.load(Ordering::Relaxed),
        unanswered: tally.unanswered.load(Ordering::Relaxed),
        seconds: started.elapsed().min(args.duration).as_secs_f64(),
        p50_ms: percentile(&all, 0.5),
        p99_ms: percentile(&all, 0.99),
        max_ms: percentile(&all, 1.0),
        lost: tally.lost.iter().map(|e| (*e.key(), *e.value())).collect(),
    })
}
