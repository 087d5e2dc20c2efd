//! The channel edge's consumer and processes: two servers in one state-owning group each
//! consume every channel event in their own group and push to their own sessions; a slow
//! look-up for one character does not hold up pushes about others; and the registration
//! with the world service (spec 51 §3.1).

mod common;

use atlas_actors::contracts::tenant::Tenant;
use common::{free_port, holds_for, json_records, produce_all, producer, wait_until, Collector, Fixture};
use futures::{SinkExt as _, StreamExt as _};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

type Requests = Arc<Mutex<Vec<(String, Value)>>>;

/// How long the character service takes for a slow character.
const SLOW: Duration = Duration::from_secs(3);

/// Stands in for the character, buddy and world services: characters `{id}` of account
/// `{id}` in map 100000000 (those ending in 99 answer after `SLOW`), empty buddy lists,
/// and channel registrations recorded.
fn services() -> (String, Requests) {
    let posted: Requests = Arc::default();
    let recorded = posted.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = actix_web::HttpServer::new(move || {
                let recorded = recorded.clone();
                actix_web::App::new()
                    .route(
                        "/api/characters/{id}",
                        actix_web::web::get().to(|id: actix_web::web::Path<u32>| async move {
                            let id = id.into_inner();
                            if id % 100 == 99 {
                                // why: the stand-in's deliberate slow answer, not a wait
                                actix_web::rt::time::sleep(SLOW).await;
                            }
                            actix_web::HttpResponse::Ok().json(json!({"data": {"type": "characters", "id": id.to_string(),
                                "attributes": {"accountId": id, "worldId": 0, "name": format!("c{id}"), "mapId": 100000000, "hp": 50}}}))
                        }),
                    )
                    .route(
                        "/api/characters/{id}/buddy-list",
                        actix_web::web::get().to(|| async {
                            actix_web::HttpResponse::Ok()
                                .json(json!({"data": {"type": "buddy-lists", "id": "1", "attributes": {"capacity": 20, "buddies": []}}}))
                        }),
                    )
                    .route(
                        "/api/worlds/{world}/channels",
                        actix_web::web::post().to(move |request: actix_web::HttpRequest, body: actix_web::web::Bytes| {
                            let recorded = recorded.clone();
                            async move {
                                let tenant =
                                    request.headers().get("TENANT_ID").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
                                let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
                                recorded.lock().expect("requests").push((tenant, body));
                                actix_web::HttpResponse::Accepted().finish()
                            }
                        }),
                    )
            })
            .workers(1)
            .bind(("127.0.0.1", 0))
            .expect("bind stub");
            tx.send(server.addrs()[0].port()).expect("port");
            server.run().await.expect("stub");
        });
    });
    (format!("http://127.0.0.1:{}/api/", rx.recv().expect("stub port")), posted)
}

/// Produces JSON records from outside the test's async runtime (`produce_all` runs its own).
fn send(bootstrap: &str, topic: &str, tenant: &Tenant, values: &[(u32, Value)]) {
    std::thread::scope(|scope| {
        scope.spawn(|| produce_all(&producer(bootstrap), topic, &json_records(tenant, values))).join().expect("produce");
    });
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A logged-in client: connected, login asked, the account service's answer produced.
async fn login(port: u16, tenant: &Tenant, character: u32, bootstrap: &str) -> Socket {
    let url = format!("ws://127.0.0.1:{port}/worlds/0/channels/1?tenant={}&region=GMS&major=83&minor=1", tenant.id);
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.expect("connect");
    let frame = json!({"type": "CharacterLoggedIn", "characterId": character});
    socket.send(Message::text(frame.to_string())).await.expect("send");
    let mut asked = Collector::new(bootstrap, "COMMAND_TOPIC_ACCOUNT_SESSION", Some(tenant));
    let found = |seen: &[common::Seen]| seen.iter().any(|s| s.json()["body"]["params"]["characterId"] == character);
    assert!(asked.until(Duration::from_secs(20), found), "PROGRESS_STATE for {character}");
    let session = asked.seen.iter().map(|s| s.json()).find(|v| v["body"]["params"]["characterId"] == character).expect("request");
    let answer = json!({"sessionId": session["sessionId"], "accountId": character, "type": "STATE_CHANGED",
        "body": {"state": 1, "params": {"characterId": character}}});
    send(bootstrap, "EVENT_TOPIC_ACCOUNT_SESSION_STATUS", tenant, &[(character, answer)]);
    assert!(next(&mut socket, "SetField", Duration::from_secs(20)).await.is_some(), "SetField for {character}");
    socket
}

/// The next frame of `writer` within `limit`, skipping others.
async fn next(socket: &mut Socket, writer: &str, limit: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let message = tokio::time::timeout_at(deadline, socket.next()).await.ok()??.ok()?;
        if let Message::Text(text) = message {
            let frame: Value = serde_json::from_str(&text).ok()?;
            if frame["type"] == writer {
                return Some(frame);
            }
        }
    }
}

#[test]
fn sessions_on_two_processes_each_receive_their_pushes() {
    let _serial = common::serial();
    let Some(fixture) = Fixture::postgres() else { return };
    let (base, _) = services();
    let fixture = fixture.env("BASE_SERVICE_URL", &base).channel().start();
    let (port_a, port_b) = (fixture.channel_port(), free_port());
    let _second = fixture.join(&[("BASE_SERVICE_URL", &base), ("CHANNEL_PORT", &port_b.to_string())]);
    let (bootstrap, tenant) = (&fixture.bootstrap, &fixture.tenant);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let mut alice = login(port_a, tenant, 7101, bootstrap).await;
        let mut bob = login(port_b, tenant, 7102, bootstrap).await;
        let nil = "00000000-0000-0000-0000-000000000000";
        let enter = |c: u32| json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "type": "CHARACTER_ENTER", "body": {"characterId": c}});
        send(bootstrap, "EVENT_TOPIC_MAP_STATUS", tenant, &[(100000000, enter(7101)), (100000000, enter(7102))]);
        let spawned = next(&mut alice, "CharacterSpawn", Duration::from_secs(10)).await.expect("alice sees bob spawn");
        assert_eq!(spawned["characterId"], 7102, "a session on the first process sees a character of the second");
        let chat = json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "actorId": 7102, "message": "hi", "type": "GENERAL", "body": {"balloonOnly": false}});
        send(bootstrap, "EVENT_TOPIC_CHARACTER_CHAT", tenant, &[(7102, chat)]);
        for (name, socket) in [("alice", &mut alice), ("bob", &mut bob)] {
            let said = next(socket, "CharacterChatGeneral", Duration::from_secs(10)).await;
            assert_eq!(said.map(|f| f["message"].clone()), Some(json!("hi")), "{name} hears the chat");
            assert!(next(socket, "CharacterChatGeneral", Duration::from_millis(800)).await.is_none(), "{name} hears it once");
        }
    });
}

#[test]
fn channels_register_with_the_world_service() {
    let _serial = common::serial();
    let (base, posted) = services();
    let (tenant, other) = (common::tenant(), common::tenant());
    let served = format!("{}:GMS:83.1:0:1", tenant.id);
    let fixture = Fixture::sqlite("registration")
        .env("BASE_SERVICE_URL", base)
        .env("CHANNEL_ADVERTISED_ADDRESS", "10.0.0.5:8585")
        .env("CHANNEL_SERVERS", served)
        .start();
    let bootstrap = &fixture.bootstrap;
    let count = || posted.lock().expect("requests").len();
    let wait_for = |n: usize, limit: Duration| wait_until(limit, || count() >= n);
    assert!(wait_for(1, Duration::from_secs(10)), "registered at start");
    let first = Instant::now();
    let (who, body) = posted.lock().expect("requests")[0].clone();
    assert_eq!(who, tenant.id.to_string());
    let attributes = &body["data"]["attributes"];
    assert_eq!(body["data"]["type"], "channels");
    assert_eq!((attributes["worldId"].clone(), attributes["channelId"].clone()), (json!(0), json!(1)));
    assert_eq!(
        (attributes["ipAddress"].clone(), attributes["port"].clone(), attributes["maxCapacity"].clone()),
        (json!("10.0.0.5"), json!(8585), json!(1000))
    );

    let request = [(0, json!({"type": "STATUS_REQUEST"}))];
    produce_all(&producer(bootstrap), "COMMAND_TOPIC_CHANNEL_STATUS", &json_records(&other, &request));
    produce_all(&producer(bootstrap), "COMMAND_TOPIC_CHANNEL_STATUS", &json_records(&tenant, &request));
    assert!(wait_for(2, Duration::from_secs(5)), "a status request re-registers");
    assert!(first.elapsed() < Duration::from_secs(10), "before the next heartbeat");
    // Nothing to wait for: no third registration may come in the next half second.
    assert!(
        holds_for(Duration::from_millis(500), || count() == 2),
        "another tenant's request registers nothing: {} registrations",
        count()
    );
    assert!(wait_for(3, Duration::from_secs(15)), "the heartbeat registers again");
}

#[test]
fn a_slow_look_up_does_not_hold_up_other_pushes() {
    let _serial = common::serial();
    let (base, _) = services();
    let fixture = Fixture::sqlite("lanes").env("BASE_SERVICE_URL", base).channel().env("FOREIGN_TIMEOUT_MS", 10000).start();
    let (bootstrap, tenant) = (&fixture.bootstrap, &fixture.tenant);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let mut slow = login(fixture.channel_port(), tenant, 7199, bootstrap).await;
        let nil = "00000000-0000-0000-0000-000000000000";
        let enter = json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "type": "CHARACTER_ENTER", "body": {"characterId": 7199}});
        send(bootstrap, "EVENT_TOPIC_MAP_STATUS", tenant, &[(100000000, enter)]);
        let stat = json!({"worldId": 0, "characterId": 7199, "type": "STAT_CHANGED", "body": {"channelId": 1, "exclRequestSent": true, "updates": ["HP"]}});
        send(bootstrap, "EVENT_TOPIC_CHARACTER_STATUS", tenant, &[(7199, stat)]);
        let chat = json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "actorId": 7101, "message": "first", "type": "GENERAL", "body": {"balloonOnly": false}});
        send(bootstrap, "EVENT_TOPIC_CHARACTER_CHAT", tenant, &[(7101, chat)]);
        // The stat change waits on the slow character look-up; the chat, produced after it
        // and about another subject, must not wait behind it.
        let mut order = Vec::new();
        while order.len() < 2 {
            let Some(Ok(Message::Text(text))) = tokio::time::timeout(Duration::from_secs(20), slow.next()).await.ok().flatten() else { break };
            let frame: Value = serde_json::from_str(&text).unwrap_or_default();
            if let Some(kind @ ("StatChanged" | "CharacterChatGeneral")) = frame["type"].as_str() {
                order.push(kind.to_string());
            }
        }
        assert_eq!(order, ["CharacterChatGeneral", "StatChanged"]);
    });
}
