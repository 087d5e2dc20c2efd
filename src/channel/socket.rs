//! The WebSocket transport (docs/client-protocol.md), served by actix-web and `actix-ws`
//! on its own port (`CHANNEL_PORT`, its own `HttpServer`, apart from REST): one
//! connection is one session of the channel named by its path,
//! `/worlds/{world}/channels/{channel}`, for the tenant named by its query,
//! `?tenant=…&region=…&major=…&minor=…` (percent-decoded). Frames are JSON text.
//!
//! The edge bounds (RELIABILITY.md) map onto the HTTP stack: the handshake timeout is the
//! server's time to read the upgrade request; the port accepts `CHANNEL_MAX_SESSIONS`
//! sessions plus [`MAX_REFUSING`] connections that are handshaking or being told to come
//! back later; the frame size limit is the WebSocket codec's; the frame rate and the bytes
//! queued for a client are counted per session here and in `sessions.rs`. After an accept
//! error such as `EMFILE`, actix-server pauses the listener for half a second.

use super::commands::{resolve, translate};
use super::frames::ClientFrame;
use super::limits::{self, TokenBucket};
use super::sessions::{Ending, Outbound, Session, QUEUE};
use super::{lifecycle, lookups, updates, Edge};
use crate::contracts::channel::Push;
use crate::contracts::tenant::Tenant;
use actix_web::error::{InternalError, PathError, QueryPayloadError};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, ProtocolError};
use futures::StreamExt as _;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, Semaphore};

/// The route of a channel; any other path is refused with [`PATH_REQUIRED`].
const ROUTE: &str = "/worlds/{world}/channels/{channel}";

/// Why a request for another path is refused.
pub const PATH_REQUIRED: &str = "the path must be /worlds/{world}/channels/{channel}";

/// Connections beyond the session limit that are served at once: each completes its
/// handshake only to read why it is closed. Beyond these, new connections wait in the
/// kernel's accept queue until one ends.
pub const MAX_REFUSING: usize = 64;

/// Connections waiting to be accepted once the port is at its limit (the kernel caps it
/// at `net.core.somaxconn`).
const BACKLOG: u32 = 4096;

/// How long the frames queued for a closed session get to leave before the connection is
/// cut off.
const DRAIN: Duration = Duration::from_secs(5);

/// Where a client connects: tenant, world and channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub tenant: Tenant,
    pub world: u8,
    pub channel: u8,
}

/// The world and channel of the path, each a number from 0 to 255.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "PlaceSegments")]
pub struct Place {
    pub world: u8,
    pub channel: u8,
}

/// The path's segments as the router captured them, before their range is checked.
#[derive(Debug, Deserialize)]
struct PlaceSegments {
    world: String,
    channel: String,
}

impl TryFrom<PlaceSegments> for Place {
    type Error = &'static str;

    fn try_from(segments: PlaceSegments) -> Result<Place, &'static str> {
        Ok(Place {
            world: segments.world.parse().map_err(|_| "world must be a number from 0 to 255")?,
            channel: segments.channel.parse().map_err(|_| "channel must be a number from 0 to 255")?,
        })
    }
}

/// The tenant named by the query: all four parameters are required.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "TenantParams")]
pub struct ClientTenant(pub Tenant);

/// The query's tenant parameters, percent-decoded; other parameters are ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TenantParams {
    tenant: Option<String>,
    region: Option<String>,
    major: Option<String>,
    minor: Option<String>,
}

impl TryFrom<TenantParams> for ClientTenant {
    type Error = String;

    fn try_from(params: TenantParams) -> Result<ClientTenant, String> {
        fn required(value: Option<String>, name: &str) -> Result<String, String> {
            value.ok_or_else(|| format!("query parameter {name} is required"))
        }
        fn number(value: Option<String>, name: &str) -> Result<u16, String> {
            required(value, name)?.parse().map_err(|_| format!("{name} must be a number"))
        }
        Ok(ClientTenant(Tenant {
            id: required(params.tenant, "tenant")?.parse().map_err(|_| "tenant must be a UUID".to_string())?,
            region: required(params.region, "region")?,
            major: number(params.major, "major")?,
            minor: number(params.minor, "minor")?,
        }))
    }
}

/// `Pong`: the answer to a `Ping`, without data.
#[derive(Debug, Clone, Copy, Serialize)]
struct Pong {}

impl Push for Pong {
    const WRITER: &'static str = "Pong";
}

/// `Error`: why a client frame was not acted on.
#[derive(Debug, Clone, Serialize)]
struct Refusal {
    message: String,
}

impl Push for Refusal {
    const WRITER: &'static str = "Error";
}

/// What every connection of the port shares.
struct Port {
    edge: Arc<Edge>,
    /// One permit per live session (`CHANNEL_MAX_SESSIONS`).
    sessions: Arc<Semaphore>,
}

/// The channel port's server, to be spawned. One worker: `max_connections` is per worker,
/// so one worker makes it the port's limit (sessions are I/O bound; their work runs on
/// the actors' arbiters).
pub fn server(edge: Arc<Edge>, port: u16) -> std::io::Result<actix_web::dev::Server> {
    let bounds = edge.settings.bounds.clone();
    let shared = web::Data::new(Port { edge, sessions: Arc::new(Semaphore::new(bounds.channel_max_sessions)) });
    let server = HttpServer::new(move || App::new().app_data(shared.clone()).configure(routes))
        .workers(1)
        .backlog(BACKLOG)
        .max_connections(bounds.channel_max_sessions.saturating_add(MAX_REFUSING))
        .client_request_timeout(bounds.channel_handshake_timeout)
        .disable_signals()
        .bind(("0.0.0.0", port))?
        .run();
    Ok(server)
}

/// The channel route, and a 400 with the reason for a bad path or query.
fn routes(config: &mut web::ServiceConfig) {
    config
        .app_data(web::PathConfig::default().error_handler(|error, _| bad_request(path_reason(error))))
        .app_data(web::QueryConfig::default().error_handler(|error, _| bad_request(query_reason(error))))
        .route(ROUTE, web::get().to(connect))
        .default_service(web::to(|| async { Err::<HttpResponse, _>(bad_request(PATH_REQUIRED.to_string())) }));
}

/// A 400 answer before the upgrade, its body the reason.
fn bad_request(reason: String) -> actix_web::Error {
    let response = HttpResponse::BadRequest().content_type("text/plain; charset=utf-8").body(reason.clone());
    InternalError::from_response(reason, response).into()
}

fn path_reason(error: PathError) -> String {
    match error {
        PathError::Deserialize(reason) => reason.to_string(),
        other => other.to_string(),
    }
}

fn query_reason(error: QueryPayloadError) -> String {
    match error {
        QueryPayloadError::Deserialize(reason) => reason.to_string(),
        other => other.to_string(),
    }
}

/// Upgrades a request whose path and query name a channel and a tenant. Past the session
/// limit the upgrade still completes, so the client reads why it is closed (a refusal
/// before the upgrade would only be an HTTP status, which WebSocket clients rarely show).
async fn connect(
    request: HttpRequest,
    body: web::Payload,
    place: web::Path<Place>,
    tenant: web::Query<ClientTenant>,
    port: web::Data<Port>,
) -> actix_web::Result<HttpResponse> {
    let (response, socket, stream) = actix_ws::handle(&request, body)?;
    let bounds = &port.edge.settings.bounds;
    let stream = bounded(stream, bounds.channel_max_frame_bytes);
    let target = Target { tenant: tenant.into_inner().0, world: place.world, channel: place.channel };
    match port.sessions.clone().try_acquire_owned() {
        Ok(permit) => {
            let edge = port.edge.clone();
            actix_rt::spawn(async move {
                session(edge, target, socket, stream).await;
                drop(permit);
            });
        }
        Err(_) => {
            let timeout = bounds.channel_handshake_timeout;
            actix_rt::spawn(async move {
                let _ = tokio::time::timeout(timeout, socket.close(Some(close_reason(Ending::TooManySessions)))).await;
            });
        }
    }
    Ok(response)
}

/// The client's messages, each at most `max_bytes`, whole or in fragments.
fn bounded(stream: actix_ws::MessageStream, max_bytes: usize) -> AggregatedMessageStream {
    stream.max_frame_size(max_bytes).aggregate_continuations().max_continuation_size(max_bytes)
}

/// The close frame that tells the client why its session ended.
fn close_reason(ending: Ending) -> CloseReason {
    let (code, reason) = ending.close();
    CloseReason { code: CloseCode::from(code), description: Some(reason.to_string()) }
}

/// Whether a read error is a message over `CHANNEL_MAX_FRAME_BYTES`: a single frame
/// (`Overflow`), or fragments adding up to more (actix-ws reports those as an I/O error of
/// its own, with this text).
fn too_large(error: &ProtocolError) -> bool {
    match error {
        ProtocolError::Overflow => true,
        ProtocolError::Io(io) => io.get_ref().is_some_and(|inner| inner.to_string() == "Exceeded maximum continuation size"),
        _ => false,
    }
}

/// Runs one session until the client leaves, goes silent, breaks a bound, or the server
/// ends it.
async fn session(edge: Arc<Edge>, target: Target, socket: actix_ws::Session, mut source: AggregatedMessageStream) {
    let bounds = &edge.settings.bounds;
    let (tx, mut outbound) = mpsc::channel(QUEUE);
    let session =
        Arc::new(Session::new(target.tenant.clone(), target.world, target.channel, tx).with_queue_bound(bounds.channel_max_queued_bytes));
    edge.sessions.insert(session.clone());
    prime_accounts(&edge, &target.tenant);
    tracing::debug!(session = %session.id, world = target.world, channel = target.channel, "client connected");

    // The reader answers pings and the client's close; the writer owns everything else.
    let mut answering = socket.clone();
    let mut sink = socket;
    let writer = actix_rt::spawn(async move {
        while let Some(out) = outbound.recv().await {
            let sent = match out {
                // The reservation is given back once the frame is handed to the connection.
                Outbound::Frame(frame, _reserved) => sink.text(frame.text()).await,
                Outbound::Close => {
                    let _ = sink.close(None).await;
                    break;
                }
                Outbound::End(ending) => {
                    let _ = sink.close(Some(close_reason(ending))).await;
                    break;
                }
            };
            if sent.is_err() {
                break;
            }
        }
    });
    let mut bucket = TokenBucket::new(bounds.channel_frame_rate, bounds.channel_frame_burst);
    loop {
        let next = tokio::select! {
            next = tokio::time::timeout(edge.settings.idle_timeout, source.next()) => next,
            () = session.overflowed.notified() => {
                tracing::info!(session = %session.id, "client too far behind: session destroyed");
                break;
            }
        };
        let text = match next {
            Err(_) => {
                tracing::debug!(session = %session.id, "session idle: destroyed");
                break;
            }
            Ok(Some(Err(error))) if too_large(&error) => {
                tracing::info!(session = %session.id, %error, "frame over CHANNEL_MAX_FRAME_BYTES: session destroyed");
                session.end(Ending::FrameTooLarge);
                break;
            }
            Ok(None | Some(Err(_))) => break,
            Ok(Some(Ok(AggregatedMessage::Close(reason)))) => {
                let _ = answering.close(reason).await;
                break;
            }
            Ok(Some(Ok(message))) if !bucket.take(Instant::now()) => {
                tracing::info!(session = %session.id, kind = ?std::mem::discriminant(&message), "frame rate over CHANNEL_FRAME_RATE: session destroyed");
                session.end(Ending::FrameRate);
                break;
            }
            Ok(Some(Ok(AggregatedMessage::Text(text)))) => text,
            Ok(Some(Ok(AggregatedMessage::Ping(bytes)))) => {
                let _ = answering.pong(&bytes).await;
                continue;
            }
            Ok(Some(Ok(AggregatedMessage::Binary(_) | AggregatedMessage::Pong(_)))) => continue,
        };
        match serde_json::from_str::<ClientFrame>(&text) {
            Ok(frame) => {
                if let Err(refused) = limits::check(&frame) {
                    tracing::info!(session = %session.id, %refused, "frame refused");
                    session.push(&updates::push(&Refusal { message: format!("frame refused: {refused}") }));
                    continue;
                }
                if !act(&edge, &session, frame).await {
                    break;
                }
            }
            Err(error) => {
                let message = format!("frame not understood: {}", limits::echo(&error.to_string()));
                session.push(&updates::push(&Refusal { message }));
            }
        }
        if edge.sessions.get(session.id).is_none() {
            break;
        }
    }
    lifecycle::destroy(&edge, &session).await;
    drop(session);
    // The queued frames get a moment to leave; a client that does not read is cut off.
    let abort = writer.abort_handle();
    if tokio::time::timeout(DRAIN, writer).await.is_err() {
        abort.abort();
    }
}

/// Handles one client frame; false when the session must end.
pub(crate) async fn act(edge: &Arc<Edge>, session: &Arc<Session>, frame: ClientFrame) -> bool {
    match &frame {
        ClientFrame::Ping => {
            session.push(&updates::push(&Pong {}));
            return true;
        }
        ClientFrame::CharacterLoggedIn { character_id } => {
            lifecycle::request_login(edge, session, *character_id).await;
            return true;
        }
        _ => {}
    }
    // LoggedInValidator (spec 51 §2.6): only a logged-in character of a logged-in account acts.
    let state = session.state();
    if state.character == 0 || !edge.logged_in(&session.tenant, state.account) {
        tracing::info!(tenant = %session.tenant.id, session = %session.id, "action of a session not logged in: destroyed");
        return false;
    }
    let ctx = resolve(edge, session, &frame).await;
    let outcome = translate(&frame, &ctx);
    if outcome.destroy {
        tracing::info!(tenant = %session.tenant.id, session = %session.id, "action breaking the rules: session destroyed");
        return false;
    }
    edge.publish(&session.tenant, outcome.commands).await;
    outcome.reply.iter().for_each(|f| session.push(f));
    if !outcome.to_map.is_empty() {
        let members = edge.maps.members(session.tenant.id, session.field()).await;
        for other in edge.sessions.characters(&session.tenant, &members) {
            if other.id != session.id && other.field() == session.field() {
                outcome.to_map.iter().for_each(|f| other.push(f));
            }
        }
    }
    true
}

/// Reads a tenant's logged-in accounts once, on its first connection (spec 50 §1.4).
pub(crate) fn prime_accounts(edge: &Arc<Edge>, tenant: &Tenant) {
    if edge.primed.insert(tenant.id, ()).is_some() {
        return;
    }
    let (edge, tenant) = (edge.clone(), tenant.clone());
    actix_rt::spawn(async move {
        match lookups::logged_in_accounts(&edge.services, &tenant).await {
            Some(accounts) => accounts.into_iter().for_each(|a| {
                edge.accounts.insert((tenant.id, a), ());
            }),
            None => tracing::debug!(tenant = %tenant.id, "logged-in accounts not readable; waiting for account events"),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::StatusCode;
    use actix_web::test::{call_service, init_service, read_body, TestRequest};

    const TENANT: &str = "083839c6-c47c-42a6-9585-76492795d123";

    #[test]
    fn the_tenant_comes_from_the_percent_decoded_query() {
        let query = format!("tenant={TENANT}&region=G%4DS&major=83&minor=1&other=x");
        let tenant = web::Query::<ClientTenant>::from_query(&query).expect("a tenant").into_inner().0;
        assert_eq!((tenant.id.to_string().as_str(), tenant.region.as_str(), tenant.major, tenant.minor), (TENANT, "GMS", 83, 1));
        let refused = |query: &str| web::Query::<ClientTenant>::from_query(query).map(|_| ()).map_err(query_reason);
        assert_eq!(refused("region=GMS&major=83&minor=1"), Err("query parameter tenant is required".to_string()));
        assert_eq!(refused("tenant=x&region=GMS&major=83&minor=1"), Err("tenant must be a UUID".to_string()));
        assert_eq!(refused(&format!("tenant={TENANT}&region=GMS&major=8x3&minor=1")), Err("major must be a number".to_string()));
    }

    /// What a client reads for a bad path or query: 400 and the reason, before any upgrade.
    #[actix_web::test]
    async fn bad_paths_and_queries_are_refused_with_400_and_their_reason() {
        let app = init_service(App::new().configure(routes)).await;
        let query = format!("tenant={TENANT}&region=GMS&major=83&minor=1");
        for (uri, reason) in [
            (format!("/channels/2?{query}"), PATH_REQUIRED),
            (format!("/worlds/300/channels/2?{query}"), "world must be a number from 0 to 255"),
            (format!("/worlds/0/channels/x?{query}"), "channel must be a number from 0 to 255"),
            ("/worlds/0/channels/2?region=GMS&major=83&minor=1".to_string(), "query parameter tenant is required"),
            (format!("/worlds/0/channels/2?tenant={TENANT}&region=GMS&major=83"), "query parameter minor is required"),
        ] {
            let response = call_service(&app, TestRequest::get().uri(&uri).to_request()).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{uri}");
            assert_eq!(read_body(response).await, reason.as_bytes(), "{uri}");
        }
    }

    /// A client's frame as it is on the wire: masked (with a zero key, so the payload reads
    /// as is), `fin` set on the last fragment.
    fn client_frame(opcode: u8, fin: bool, payload: &[u8]) -> Vec<u8> {
        let mut frame = vec![if fin { 0x80 | opcode } else { opcode }, 0x80 | payload.len() as u8, 0, 0, 0, 0];
        frame.extend_from_slice(payload);
        frame
    }

    /// The first message the server reads from `wire` on a stream bounded to 16 bytes.
    async fn first_read(wire: Vec<u8>) -> Option<Result<AggregatedMessage, ProtocolError>> {
        let (request, mut payload) = TestRequest::get()
            .insert_header(("upgrade", "websocket"))
            .insert_header(("connection", "upgrade"))
            .insert_header(("sec-websocket-version", "13"))
            .insert_header(("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="))
            .set_payload(wire)
            .to_http_parts();
        let body = <web::Payload as actix_web::FromRequest>::from_request(&request, &mut payload).await.expect("payload");
        let (_, _, stream) = actix_ws::handle(&request, body).expect("an upgrade");
        bounded(stream, 16).next().await
    }

    /// Breaks if the codec's frame limit or the aggregation's limit were not set from
    /// `CHANNEL_MAX_FRAME_BYTES`, or if actix-ws reported an oversized fragmented message
    /// differently (the session would end without close code 1009).
    #[actix_web::test]
    async fn messages_over_the_bound_whole_or_fragmented_are_told_apart() {
        let text = |read: Option<Result<AggregatedMessage, ProtocolError>>| match read {
            Some(Ok(AggregatedMessage::Text(text))) => Some(text.to_string()),
            _ => None,
        };
        assert_eq!(text(first_read(client_frame(1, true, b"0123456789abcdef")).await).as_deref(), Some("0123456789abcdef"));
        let whole = first_read(client_frame(1, true, &[b'x'; 17])).await;
        assert!(matches!(&whole, Some(Err(error)) if too_large(error)), "{whole:?}");
        let mut fragments = client_frame(1, false, &[b'x'; 10]);
        fragments.extend(client_frame(0, true, &[b'y'; 10]));
        let fragmented = first_read(fragments).await;
        assert!(matches!(&fragmented, Some(Err(error)) if too_large(error)), "{fragmented:?}");
        assert!(!too_large(&ProtocolError::Io(std::io::Error::other("connection reset"))));
        assert!(!too_large(&ProtocolError::UnmaskedFrame));
    }
}
