//! The binary transport end to end, on both engines: a loopback game client
//! (`binary_client`) logs in through the account service over the game's encrypted
//! protocol, and the Kafka records of that login (PROGRESS_STATE, SESSION_STATUS
//! CREATED, then on close LOGOUT and DESTROYED) are compared with those of the same login
//! over WebSocket. The opcode table comes from the foreign-service stub as the
//! configuration service's answer. Then the transport's refusals: an unknown opcode is
//! ignored; an oversized packet, an undecryptable stream, a packet shorter than its
//! layout and an action before login each close their own session and no other.

mod binary_client;
mod common;

use atlas_actors::conformance::scenario::ForeignRoute;
use atlas_actors::conformance::stub::Stub;
use atlas_actors::contracts::tenant::Tenant;
use binary_client::{BinaryClient, Received};
use common::{Collector, Fixture, FixtureBuilder, Seen};
use futures::{SinkExt as _, StreamExt as _};
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

const CHARACTER: u32 = 6101;
const ACCOUNT: u32 = 61;
const MAX_PACKET: usize = 1024;
/// The v83 template's opcodes used here.
const LOGGED_IN: u16 = 0x14;
const EXPRESSION: u16 = 0x33;
const STAT_CHANGED: u16 = 0x1F;
const WAIT: Duration = Duration::from_secs(20);

fn routes(tenant: &Tenant) -> Vec<ForeignRoute> {
    let socket = json!({
        "handlers": [
            {"opCode": "0x14", "validator": "NoOpValidator", "handler": "CharacterLoggedInHandle", "services": ["channel"]},
            {"opCode": "0x18", "validator": "NoOpValidator", "handler": "PongHandle", "services": ["login", "channel"]},
            {"opCode": "0x33", "validator": "LoggedInValidator", "handler": "CharacterExpressionHandle", "services": ["channel"]},
            {"opCode": "0x01", "validator": "NoOpValidator", "handler": "LoginHandle", "services": ["login"]}
        ],
        "writers": [
            {"opCode": "0x11", "writer": "Ping", "services": ["login", "channel"]},
            {"opCode": "0x1F", "writer": "StatChanged", "services": ["channel"], "options": {"statistics": [
                "SKIN", "FACE", "HAIR", "PET_SN_1", "LEVEL", "JOB", "STRENGTH", "DEXTERITY", "INTELLIGENCE", "LUCK", "HP", "MAX_HP",
                "MP", "MAX_MP", "AVAILABLE_AP", "AVAILABLE_SP", "EXPERIENCE", "FAME", "MESO", "PET_SN_2", "PET_SN_3", "GACHAPON_EXPERIENCE"]}}
        ]
    });
    let character = json!({"data": {"type": "characters", "id": CHARACTER.to_string(), "attributes": {
        "accountId": ACCOUNT, "worldId": 0, "name": "Ayla", "level": 30, "jobId": 100, "mapId": 100000000, "gm": 0,
        "hp": 50, "maxHp": 120, "mp": 20, "maxMp": 40, "strength": 12, "dexterity": 5, "intelligence": 4, "luck": 4,
        "ap": 3, "sp": "2", "experience": 10, "fame": 1, "meso": 1000, "gender": 0, "skinColor": 0, "face": 20000,
        "hair": 30000, "x": -120, "y": 215, "stance": 0}}});
    let buddies = json!({"data": {"type": "buddy-lists", "id": CHARACTER.to_string(), "attributes": {"capacity": 20, "buddies": []}}});
    let configuration = json!({"data": {"type": "tenants", "id": tenant.id, "attributes": {
        "region": "GMS", "majorVersion": 83, "minorVersion": 1, "usesPin": false, "socket": socket}}});
    serde_json::from_value(json!([
        {"method": "GET", "path": format!("/api/characters/{CHARACTER}"), "body": character},
        {"method": "GET", "path": format!("/api/characters/{CHARACTER}/buddy-list"), "body": buddies},
        {"method": "GET", "path": format!("/api/configurations/tenants/{}", tenant.id), "body": configuration}
    ]))
    .expect("routes")
}

/// One side of the comparison: how the login's client connects and talks.
enum Client {
    WebSocket(Box<WebSocketClient>),
    Binary(Box<BinaryClient>),
}

struct WebSocketClient {
    runtime: tokio::runtime::Runtime,
    socket: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
}

impl Client {
    fn login(&mut self) {
        match self {
            Client::WebSocket(ws) => {
                let frame = json!({"type": "CharacterLoggedIn", "characterId": CHARACTER}).to_string();
                ws.runtime.block_on(ws.socket.send(Message::text(frame))).expect("send login");
            }
            Client::Binary(client) => {
                let packet = connect_packet(client, CHARACTER);
                client.send(packet);
            }
        }
    }

    fn close(self) {
        match self {
            Client::WebSocket(mut ws) => {
                ws.runtime.block_on(async {
                    let _ = ws.socket.send(Message::Close(None)).await;
                    // Reads until the server's close arrives.
                    while let Some(Ok(_)) = ws.socket.next().await {}
                });
            }
            Client::Binary(client) => client.close(),
        }
    }
}

/// CharacterLoggedIn: the character, a machine id, the GM flag, two unused values.
fn connect_packet(client: &BinaryClient, character: u32) -> Vec<u8> {
    let mut body = client.body(LOGGED_IN);
    body.u32(character).bytes(&[0x5A; 16]).u8(0).bool(false).u64(0);
    body.finish()
}

struct Setup {
    // Field order is drop order: the server goes before the stub it uses.
    fixture: Fixture,
    _stub: Stub,
    tenant: Tenant,
    ws_port: u16,
    binary_port: u16,
}

fn session_of(seen: &Seen) -> String {
    seen.json()["sessionId"].as_str().unwrap_or_default().to_string()
}

fn of_type<'a>(seen: &'a [Seen], kind: &str, session: &str) -> Option<&'a Seen> {
    seen.iter().find(|s| s.json()["type"] == kind && (session.is_empty() || session_of(s) == session))
}

/// Logs in and out with `client`; the records of its session, the session id replaced.
fn login_records(setup: &Setup, mut client: Client, before: &mut Vec<String>) -> Vec<(String, Option<u32>, Value)> {
    let bootstrap = &setup.fixture.bootstrap;
    let producer = common::producer(bootstrap);
    let mut sessions = Collector::new(bootstrap, "COMMAND_TOPIC_ACCOUNT_SESSION", Some(&setup.tenant));
    let mut statuses = Collector::new(bootstrap, "EVENT_TOPIC_SESSION_STATUS", Some(&setup.tenant));

    client.login();
    let fresh =
        |seen: &[Seen]| seen.iter().find(|s| s.json()["type"] == "PROGRESS_STATE" && !before.contains(&session_of(s))).map(session_of);
    assert!(sessions.until(WAIT, |seen| fresh(seen).is_some()), "PROGRESS_STATE of the login");
    let session = fresh(&sessions.seen).expect("session id");
    before.push(session.clone());

    let answer = json!({"sessionId": session, "accountId": ACCOUNT, "accountName": "ayla", "type": "STATE_CHANGED",
        "body": {"state": 1, "params": {"characterId": CHARACTER}}});
    common::produce_all(&producer, "EVENT_TOPIC_ACCOUNT_SESSION_STATUS", &common::json_records(&setup.tenant, &[(ACCOUNT, answer)]));
    assert!(statuses.until(WAIT, |seen| of_type(seen, "CREATED", &session).is_some()), "SESSION_STATUS CREATED");

    if let Client::Binary(binary) = &mut client {
        logged_in_binary_session(setup, &producer, binary);
    }

    client.close();
    assert!(sessions.until(WAIT, |seen| of_type(seen, "LOGOUT", &session).is_some()), "LOGOUT on close");
    assert!(statuses.until(WAIT, |seen| of_type(seen, "DESTROYED", &session).is_some()), "DESTROYED on close");
    // Anything the session might still produce has had its chance.
    sessions.poll_for(Duration::from_millis(500));
    statuses.poll_for(Duration::from_millis(500));

    let mut records = Vec::new();
    for (topic, collector) in [("COMMAND_TOPIC_ACCOUNT_SESSION", &sessions), ("EVENT_TOPIC_SESSION_STATUS", &statuses)] {
        for seen in collector.seen.iter().filter(|s| session_of(s) == session) {
            let mut value = seen.json();
            value["sessionId"] = json!("the session");
            records.push((topic.to_string(), seen.key_id(), value));
        }
    }
    records
}

/// A logged-in binary session: an unknown opcode is ignored, and a push reaches the
/// client as a packet it can decrypt.
fn logged_in_binary_session(setup: &Setup, producer: &rdkafka::producer::FutureProducer, client: &mut BinaryClient) {
    let mut unknown = client.body(0x7ABC);
    unknown.u32(1);
    client.send(unknown.finish());
    let change = json!({"transactionId": "69010001-7e57-4a00-8b00-006901000001", "worldId": 0, "characterId": CHARACTER,
        "type": "STAT_CHANGED", "body": {"channelId": 1, "exclRequestSent": true, "updates": []}});
    common::produce_all(producer, "EVENT_TOPIC_CHARACTER_STATUS", &common::json_records(&setup.tenant, &[(CHARACTER, change)]));
    let unlock = [&STAT_CHANGED.to_le_bytes()[..], &[1, 0, 0, 0, 0, 0]].concat();
    assert_eq!(client.receive(WAIT), Received::Packet(unlock), "the unlock, after the ignored unknown opcode");
}

fn start(fixture: FixtureBuilder) -> Setup {
    let stub = Stub::start(0).expect("stub");
    let tenant = common::tenant();
    stub.register(tenant.id, routes(&tenant));
    let binary_port = common::free_port();
    let fixture = fixture
        .tenant(&tenant)
        .env("BASE_SERVICE_URL", stub.base_url())
        .channel()
        .env("CHANNEL_SERVERS", format!("{}:GMS:83.1:0:1:{binary_port}", tenant.id))
        .env("CHANNEL_BINARY_MAX_PACKET", MAX_PACKET)
        .start();
    let logged_in = json!({"account_id": ACCOUNT, "name": "ayla", "status": "LOGGED_IN"});
    fixture.produce("EVENT_TOPIC_ACCOUNT_STATUS", &[(ACCOUNT, logged_in)]);
    Setup { ws_port: fixture.channel_port(), fixture, _stub: stub, tenant, binary_port }
}

fn websocket(setup: &Setup) -> Client {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let t = &setup.tenant;
    let url = format!("ws://127.0.0.1:{}/worlds/0/channels/1?tenant={}&region=GMS&major=83&minor=1", setup.ws_port, t.id);
    let (socket, _) = runtime.block_on(tokio_tungstenite::connect_async(&url)).expect("websocket");
    Client::WebSocket(Box::new(WebSocketClient { runtime, socket }))
}

fn binary_login_equals_websocket_login(fixture: FixtureBuilder) {
    let setup = start(fixture);
    let mut sessions = Vec::new();
    let over_websocket = login_records(&setup, websocket(&setup), &mut sessions);
    let binary = BinaryClient::connect(setup.binary_port, &setup.tenant);
    assert_eq!((binary.hello.major, binary.hello.minor.as_str(), binary.hello.locale), (83, "1", 8));
    let over_binary = login_records(&setup, Client::Binary(Box::new(binary)), &mut sessions);
    let kinds: Vec<&str> = over_websocket.iter().map(|(_, _, v)| v["type"].as_str().unwrap_or_default()).collect();
    assert_eq!(kinds, ["PROGRESS_STATE", "LOGOUT", "CREATED", "DESTROYED"], "account-session commands, then session statuses");
    assert_eq!(over_binary, over_websocket);

    refusals_close_only_their_session(&setup);
}

/// Each refusal closes the offending connection; a bystander stays and logs in after.
fn refusals_close_only_their_session(setup: &Setup) {
    let (port, tenant) = (setup.binary_port, &setup.tenant);
    let mut bystander = BinaryClient::connect(port, tenant);

    let mut oversized = BinaryClient::connect(port, tenant);
    oversized.send(vec![0; MAX_PACKET + 1]);
    assert!(oversized.closed_within(WAIT), "a packet over CHANNEL_BINARY_MAX_PACKET closes the session");

    let mut garbage = BinaryClient::connect(port, tenant);
    garbage.send_raw(&[0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4]);
    assert!(garbage.closed_within(WAIT), "a header out of step with the cipher closes the session");

    let mut short = BinaryClient::connect(port, tenant);
    let mut unknown = short.body(0x7ABC);
    unknown.u8(1);
    short.send(unknown.finish());
    assert_eq!(short.receive(Duration::from_secs(1)), Received::Nothing, "an unknown opcode is ignored");
    let mut truncated = short.body(LOGGED_IN);
    truncated.u16(1);
    short.send(truncated.finish());
    assert!(short.closed_within(WAIT), "a packet shorter than its layout closes the session");

    let mut early = BinaryClient::connect(port, tenant);
    let mut expression = early.body(EXPRESSION);
    expression.u32(1);
    early.send(expression.finish());
    assert!(early.closed_within(WAIT), "LoggedInValidator: an action before login closes the session");

    assert_eq!(bystander.receive(Duration::from_millis(500)), Received::Nothing, "the bystander is still connected");
    let mut sessions = Collector::new(&setup.fixture.bootstrap, "COMMAND_TOPIC_ACCOUNT_SESSION", Some(tenant));
    sessions.poll_for(Duration::from_millis(500));
    let earlier = sessions.seen.len();
    bystander.send(connect_packet(&bystander, CHARACTER));
    assert!(
        sessions.until(WAIT, |seen| seen[earlier..].iter().any(|s| s.json()["type"] == "PROGRESS_STATE")),
        "the bystander's login goes on"
    );
    bystander.close();
}

mod sqlite {
    #[test]
    fn binary_login_equals_websocket_login() {
        let _serial = super::common::serial();
        super::binary_login_equals_websocket_login(super::Fixture::sqlite("channel-binary"));
    }
}

mod postgres {
    #[test]
    fn binary_login_equals_websocket_login() {
        let Some(fixture) = super::Fixture::postgres() else { return };
        let _serial = super::common::serial();
        super::binary_login_equals_websocket_login(fixture);
    }
}
