//! Chaos across every domain at once, on PostgreSQL: skill traffic (creates, updates,
//! cooldowns, macros), messengers (creates, joins and leaves carried by character and
//! messenger actors), sagas of two types (their steps completed by events the test plays
//! as the character service) and channel sessions (WebSocket clients that log in, the
//! test playing the account service, then chat and make faces), while actors panic
//! before and after their commits and the server is SIGKILLed and restarted between
//! slices of the traffic, with records of earlier slices still in flight. Reference
//! models give every output and the final state; the test checks that no output is
//! lost or repeated and that the state read through REST equals the models.
//!
//! Sizes from the environment (CI defaults in brackets): `CHAOS_ALL_KILLS` SIGKILLs [3],
//! `CHAOS_ALL_CHARACTERS` skill characters [30] × `CHAOS_ALL_SKILL_ROUNDS` rounds [8],
//! `CHAOS_ALL_GROUPS` messenger groups of three [30], `CHAOS_ALL_SAGAS` sagas [60],
//! `CHAOS_ALL_PLAYERS` channel clients per slice [4], `CHAOS_ALL_PAUSE_MS` longest pause
//! between a slice and its kill [1200]; actor panics every `CHAOS_PANIC_BEFORE` [13] and
//! `CHAOS_PANIC_AFTER` [17] first attempts (the server's `ATLAS_CHAOS_PANIC_*`).
//! Actor kills are counted from the server's `atlas_actor_restarts_total`, read just
//! before each SIGKILL and at the end (a lower bound: restarts after the last read of a
//! killed process are not counted).

mod common;

use common::messengers_model::{self, Group};
use common::sagas_model;
use common::skills_model::*;
use common::*;
use futures::{SinkExt as _, StreamExt as _};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Where each domain's characters are numbered from, so their actors never meet.
const MESSENGER_CHARACTERS: u32 = 100_000;
const SAGA_CHARACTERS: u32 = 300_000;
const PLAYERS: u32 = 700_000;

/// Logs a client in as `character` (the account service's answer is played by
/// [`sagas_model::other_services`]); the socket once the client got its `SetField`.
async fn log_in(port: u16, tenant: &atlas_actors::contracts::tenant::Tenant, character: u32) -> Option<Socket> {
    let url = format!("ws://127.0.0.1:{port}/worlds/0/channels/1?tenant={}&region=GMS&major=83&minor=1", tenant.id);
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.ok()?;
    socket.send(Message::text(json!({"type": "CharacterLoggedIn", "characterId": character}).to_string())).await.ok()?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                if serde_json::from_str::<Value>(&text).is_ok_and(|frame| frame["type"] == "SetField") {
                    return Some(socket);
                }
            }
            Ok(Some(Ok(_))) => {}
            _ => return None,
        }
    }
}

/// What the channel clients did, to be found among the commands.
#[derive(Default)]
struct Played {
    logins: usize,
    chats: Vec<String>,
    expressions: HashMap<u32, usize>,
}

/// One slice's channel clients: log in, chat once, make a face; then wait until their
/// commands are on the broker (the sessions stay open until the kill).
fn play_channel(
    runtime: &tokio::runtime::Runtime,
    port: u16,
    tenant: &atlas_actors::contracts::tenant::Tenant,
    slice: usize,
    players: u32,
    played: &mut Played,
) -> Vec<Socket> {
    let characters: Vec<u32> = (0..players).map(|i| PLAYERS + i).collect();
    runtime.block_on(async {
        let mut sockets = Vec::new();
        for character in characters {
            let mut socket = log_in(port, tenant, character).await.unwrap_or_else(|| panic!("{character} logs in (slice {slice})"));
            played.logins += 1;
            let message = format!("slice {slice} from {character}");
            let chat = json!({"type": "CharacterChatGeneral", "message": message, "balloonOnly": false});
            socket.send(Message::text(chat.to_string())).await.expect("chat");
            socket.send(Message::text(json!({"type": "CharacterExpression", "emote": 3}).to_string())).await.expect("face");
            played.chats.push(message);
            *played.expressions.entry(character).or_default() += 1;
            sockets.push(socket);
        }
        sockets
    })
}

/// Counts of the channel's chat and expression commands of the tenant.
fn channel_counts(chats: &[Seen], faces: &[Seen]) -> (HashMap<String, usize>, HashMap<u32, usize>) {
    let mut by_message = HashMap::new();
    for chat in chats.iter().map(Seen::json) {
        *by_message.entry(chat["message"].as_str().unwrap_or_default().to_string()).or_default() += 1;
    }
    let mut by_character = HashMap::new();
    for face in faces.iter().map(Seen::json) {
        *by_character.entry(face["characterId"].as_u64().unwrap_or_default() as u32).or_default() += 1;
    }
    (by_message, by_character)
}

#[test]
fn every_domain_survives_actor_panics_and_process_kills() {
    let _serial = serial();
    let Some(fixture) = Fixture::postgres() else { return };
    let started = Instant::now();
    let kills = setting("CHAOS_ALL_KILLS", 3) as usize;
    let (characters, skill_rounds) = (setting("CHAOS_ALL_CHARACTERS", 30) as u32, setting("CHAOS_ALL_SKILL_ROUNDS", 8) as u32);
    let (group_count, saga_count) = (setting("CHAOS_ALL_GROUPS", 30) as u32, setting("CHAOS_ALL_SAGAS", 60) as u32);
    let (players, longest_pause) = (setting("CHAOS_ALL_PLAYERS", 4) as u32, setting("CHAOS_ALL_PAUSE_MS", 1200).max(100));
    let (before, after) = (setting("CHAOS_PANIC_BEFORE", 13).to_string(), setting("CHAOS_PANIC_AFTER", 17).to_string());

    let mut fixture = fixture
        .env("ATLAS_CHAOS_PANIC_BEFORE_COMMIT", before)
        .env("ATLAS_CHAOS_PANIC_AFTER_COMMIT", after)
        .env("BASE_SERVICE_URL", character_services(Duration::ZERO))
        .channel()
        // A restarted process gets the dead one's partitions after the session timeout
        // (the embedded broker has no static membership); its outputs are adopted after
        // the lease, which must be shorter.
        .env("CONSUMER_SESSION_TIMEOUT", "4s")
        .env("INSTANCE_LEASE", "2s")
        .start();
    let (channel_port, tenant, bootstrap) = (fixture.channel_port(), fixture.tenant.clone(), fixture.bootstrap.clone());
    let producer = fixture.producer();
    let stop = Arc::new(AtomicBool::new(false));
    let others = sagas_model::other_services(bootstrap.clone(), stop.clone());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");

    let (steps, levels, macros) = traffic(characters, skill_rounds);
    let groups = messengers_model::groups(group_count, MESSENGER_CHARACTERS);
    let sagas = sagas_model::sagas(saga_count, SAGA_CHARACTERS);
    let slices = kills + 1;
    let skill_slices: Vec<&[Step]> = steps.chunks(steps.len() / slices + 1).collect();
    let group_slices: Vec<&[Group]> = groups.chunks(groups.len() / slices + 1).collect();
    let saga_slices: Vec<&[sagas_model::Saga]> = sagas.chunks(sagas.len() / slices + 1).collect();

    let mut messenger_events = Collector::new(&bootstrap, "EVENT_TOPIC_MESSENGER_STATUS", Some(&tenant));
    let mut chats = Collector::new(&bootstrap, "COMMAND_TOPIC_CHARACTER_CHAT", Some(&tenant));
    let mut faces = Collector::new(&bootstrap, "COMMAND_TOPIC_EXPRESSION", Some(&tenant));
    let mut filled: BTreeMap<u32, u32> = BTreeMap::new();
    let mut played = Played::default();
    let (mut actor_kills, mut inputs) = (0.0, 0usize);
    let fill_known = |filled: &mut BTreeMap<u32, u32>, events: &[Seen], upto: usize| -> Vec<(u32, Value)> {
        let created = messengers_model::created(events);
        let mut commands = Vec::new();
        for group in group_slices.iter().take(upto).flat_map(|s| s.iter()) {
            if let (false, Some(&messenger)) = (filled.contains_key(&group.creator), created.get(&group.creator)) {
                filled.insert(group.creator, messenger);
                commands.extend(messengers_model::fill(group, messenger));
            }
        }
        commands
    };

    for slice in 0..slices {
        for topic in ["COMMAND_TOPIC_SKILL", "COMMAND_TOPIC_SKILL_MACRO"] {
            let records: Vec<(u32, Value)> = skill_slices
                .get(slice)
                .into_iter()
                .flat_map(|s| s.iter())
                .filter(|s| s.topic == topic)
                .map(|s| (s.character, s.value.clone()))
                .collect();
            inputs += records.len();
            produce_all(&producer, topic, &json_records(&tenant, &records));
        }
        let documents: Vec<(u32, Value)> =
            saga_slices.get(slice).into_iter().flat_map(|s| s.iter()).map(|s| (s.character, s.document.clone())).collect();
        inputs += documents.len();
        produce_all(&producer, "COMMAND_TOPIC_SAGA", &json_records(&tenant, &documents));
        messenger_events.poll_for(Duration::from_millis(200));
        let mut messenger_commands: Vec<(u32, Value)> =
            group_slices.get(slice).into_iter().flat_map(|s| s.iter()).map(messengers_model::create).collect();
        messenger_commands.extend(fill_known(&mut filled, &messenger_events.seen, slice));
        inputs += messenger_commands.len();
        produce_all(&producer, "COMMAND_TOPIC_MESSENGER", &json_records(&tenant, &messenger_commands));

        let sockets = play_channel(&runtime, channel_port, &tenant, slice, players, &mut played);
        let (chats_wanted, faces_wanted) = (played.chats.len(), played.expressions.values().sum::<usize>());
        let channel_done = |chats: &Collector, faces: &Collector| chats.seen.len() >= chats_wanted && faces.seen.len() >= faces_wanted;
        let deadline = Instant::now() + Duration::from_secs(60);
        while !channel_done(&chats, &faces) && Instant::now() < deadline {
            chats.poll_for(Duration::from_millis(100));
            faces.poll_for(Duration::from_millis(100));
        }

        if slice < kills {
            // A pause that varies by slice, so kills strike at different stages.
            let pause = 100 + (slice as u64 * 7_919) % longest_pause;
            // why: the load's shape, not a wait: where in the slice's handling the kill lands
            std::thread::sleep(Duration::from_millis(pause));
            actor_kills += metric_sum(&fixture.server, "atlas_actor_restarts_total");
            drop(sockets);
            fixture.restart();
            if (slice + 1) % 10 == 0 {
                println!("chaos, all domains: {} SIGKILLs, {actor_kills} actor kills so far, {:?}", slice + 1, started.elapsed());
            }
        } else {
            drop(sockets);
        }
    }

    // The messengers created last are filled once their ids are known.
    let deadline = Instant::now() + Duration::from_secs(120 + 10 * kills as u64);
    while filled.len() < groups.len() && Instant::now() < deadline {
        messenger_events.poll_for(Duration::from_millis(500));
        let commands = fill_known(&mut filled, &messenger_events.seen, slices);
        inputs += commands.len();
        produce_all(&producer, "COMMAND_TOPIC_MESSENGER", &json_records(&tenant, &commands));
    }

    // Skills: every output, none twice; the state through REST.
    let expected: Vec<(&str, String)> = steps.iter().flat_map(|s| s.expected.clone()).collect();
    let (skill_counts, _) = collect_outputs(&bootstrap, &tenant, &expected, Duration::from_secs(180 + 10 * kills as u64));
    let skills_lost = expected.iter().filter(|(t, tx)| !skill_counts.contains_key(&(t.to_string(), tx.clone()))).count();
    let skills_repeated: usize = skill_counts.values().map(|n| n - 1).sum();
    let skills_beyond = skill_counts.len() + skills_lost - expected.len();

    // Sagas: one COMPLETED each, each step's command once.
    let mut statuses = Collector::new(&bootstrap, "EVENT_TOPIC_SAGA_STATUS", Some(&tenant));
    let finished = |seen: &[Seen]| sagas_model::statuses(seen).len() >= sagas.len();
    statuses.until(Duration::from_secs(120 + 10 * kills as u64), finished);
    statuses.poll_for(Duration::from_secs(2));
    let per_saga = sagas_model::statuses(&statuses.seen);
    let mut character_commands = Collector::new(&bootstrap, "COMMAND_TOPIC_CHARACTER", Some(&tenant));
    character_commands.poll_for(Duration::from_secs(3));
    let saga_commands = sagas_model::commands(&character_commands.seen);
    let (mut sagas_lost, mut sagas_repeated, mut sagas_failed) = (0, 0, 0);
    for saga in &sagas {
        let kinds = per_saga.get(&saga.id.to_string()).cloned().unwrap_or_default();
        sagas_lost += usize::from(kinds.is_empty());
        sagas_repeated += kinds.len().saturating_sub(1);
        sagas_failed += kinds.iter().filter(|k| *k != "COMPLETED").count();
        for kind in &saga.commands {
            let n = saga_commands.get(&(saga.id.to_string(), kind.to_string())).copied().unwrap_or(0);
            sagas_lost += usize::from(n == 0);
            sagas_repeated += n.saturating_sub(1);
        }
    }

    // Messengers: each group's four events once; the seats through REST.
    let messenger_expected: Vec<(String, u32, u32)> =
        groups.iter().filter_map(|g| Some(messengers_model::expected(g, *filled.get(&g.creator)?))).flatten().collect();
    let all_seen = |seen: &[Seen]| {
        let counts = messengers_model::counts(seen);
        messenger_expected.iter().all(|e| counts.contains_key(e))
    };
    messenger_events.until(Duration::from_secs(120), all_seen);
    messenger_events.poll_for(Duration::from_secs(2));
    let messenger_counts = messengers_model::counts(&messenger_events.seen);
    let messengers_lost =
        messenger_expected.iter().filter(|e| !messenger_counts.contains_key(*e)).count() + (groups.len() - filled.len()) * 4;
    let messengers_repeated: usize = messenger_counts.values().map(|n| n - 1).sum();
    let messengers_beyond = messenger_counts.keys().filter(|k| !messenger_expected.contains(k)).count();
    let (status, listing) = fixture.get("/api/messengers");
    assert_eq!(status, 200, "the messengers are listed");
    let seats = messengers_model::stored(&listing);
    let seats_model = messengers_model::model(&groups, &filled.iter().map(|(c, m)| (*c, *m)).collect());

    // Channel: each client's chat and face once.
    chats.poll_for(Duration::from_secs(1));
    faces.poll_for(Duration::from_secs(1));
    let (chat_counts, face_counts) = channel_counts(&chats.seen, &faces.seen);
    let channel_lost = played.chats.iter().filter(|m| !chat_counts.contains_key(*m)).count()
        + played.expressions.iter().map(|(c, n)| n.saturating_sub(face_counts.get(c).copied().unwrap_or(0))).sum::<usize>();
    let channel_repeated = chat_counts.values().map(|n| n - 1).sum::<usize>()
        + face_counts.iter().map(|(c, n)| n.saturating_sub(played.expressions.get(c).copied().unwrap_or(0))).sum::<usize>();

    actor_kills += metric_sum(&fixture.server, "atlas_actor_restarts_total");
    stop.store(true, Ordering::Relaxed);
    let answers = others.join().expect("the other services");
    inputs += answers + played.logins + played.chats.len() + played.expressions.values().sum::<usize>();
    let lost = skills_lost + sagas_lost + messengers_lost + channel_lost;
    let repeated = skills_repeated + sagas_repeated + messengers_repeated + channel_repeated;
    println!(
        "chaos, all domains: {inputs} inputs ({} skill commands, {} sagas, {} messenger groups, {} logins, {} other services' \
         answers), {kills} SIGKILLs, {actor_kills} actor kills (injected panics, counted), {lost} outputs lost (skills {skills_lost}, \
         sagas {sagas_lost}, messengers {messengers_lost}, channel {channel_lost}), {repeated} repeated (skills {skills_repeated}, \
         sagas {sagas_repeated}, messengers {messengers_repeated}, channel {channel_repeated}), {:?}",
        steps.len(),
        sagas.len(),
        groups.len(),
        played.logins,
        answers,
        started.elapsed()
    );
    assert_eq!(lost, 0, "no output lost");
    assert_eq!(repeated, 0, "no output repeated");
    assert_eq!(skills_beyond, 0, "no skill output beyond the model's");
    assert_eq!(sagas_failed, 0, "every saga completed");
    assert_eq!(messengers_beyond, 0, "no messenger event beyond the model's: {messenger_counts:?}");
    assert_eq!(seats, seats_model, "the messengers' seats equal the model");
    assert_state(&fixture.server, &tenant, &levels, &macros);
}
