//! The WebSocket transport (docs/client-protocol.md): one connection is one session of
//! the channel named by its path, `/worlds/{world}/channels/{channel}`, for the tenant
//! named by its query, `?tenant=…&region=…&major=…&minor=…`. Frames are JSON text.

use super::commands::{resolve, translate};
use super::frames::{ClientFrame, Frame};
use super::limits::{self, AcceptBackoff, TokenBucket};
use super::sessions::{Ending, Outbound, Session, QUEUE};
use super::{lifecycle, lookups, Edge};
use crate::contracts::tenant::Tenant;
use futures::{SinkExt as _, StreamExt as _};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Semaphore};
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// Where a client connects: tenant, world and channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub tenant: Tenant,
    pub world: u8,
    pub channel: u8,
}

/// Reads the target from a request path and query.
pub fn target(path_and_query: &str) -> Result<Target, String> {
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let ["worlds", world, "channels", channel] = parts[..] else {
        return Err("the path must be /worlds/{world}/channels/{channel}".into());
    };
    let param = |name: &str| query.split('&').filter_map(|p| p.split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
    let required = |name: &str| param(name).ok_or_else(|| format!("query parameter {name} is required"));
    let number = |name: &str| required(name).and_then(|v| v.parse::<u16>().map_err(|_| format!("{name} must be a number")));
    let tenant = Tenant {
        id: required("tenant")?.parse().map_err(|_| "tenant must be a UUID".to_string())?,
        region: required("region")?,
        major: number("major")?,
        minor: number("minor")?,
    };
    Ok(Target {
        tenant,
        world: world.parse().map_err(|_| "world must be a number from 0 to 255".to_string())?,
        channel: channel.parse().map_err(|_| "channel must be a number from 0 to 255".to_string())?,
    })
}

/// Refusals (a handshake, then a close frame with the reason) handled at once when the
/// port is at its session limit; beyond these a connection is simply dropped.
const MAX_REFUSING: usize = 64;

/// Accepts clients on `listener` until the process ends, at most
/// `CHANNEL_MAX_SESSIONS` at a time.
pub fn spawn(edge: Arc<Edge>, listener: TcpListener) {
    let sessions = Arc::new(Semaphore::new(edge.settings.bounds.channel_max_sessions));
    let refusing = Arc::new(Semaphore::new(MAX_REFUSING));
    actix_rt::spawn(async move {
        let mut backoff = AcceptBackoff::default();
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    backoff.succeeded();
                    if let Ok(permit) = sessions.clone().try_acquire_owned() {
                        let edge = edge.clone();
                        actix_rt::spawn(async move {
                            connection(edge, stream).await;
                            drop(permit);
                        });
                    } else if let Ok(permit) = refusing.clone().try_acquire_owned() {
                        let timeout = edge.settings.bounds.channel_handshake_timeout;
                        actix_rt::spawn(async move {
                            refuse(stream, timeout, Ending::TooManySessions).await;
                            drop(permit);
                        });
                    }
                }
                Err(error) => {
                    // EMFILE and the like: retrying at once only spins and floods the log.
                    let (pause, log) = backoff.failed();
                    if log {
                        tracing::warn!(%error, ?pause, "accepting a client failed; backing off");
                    }
                    tokio::time::sleep(pause).await;
                }
            }
        }
    });
}

/// Completes the handshake only to say why the connection is closed.
async fn refuse(stream: TcpStream, timeout: Duration, ending: Ending) {
    if let Ok(Ok(mut socket)) = tokio::time::timeout(timeout, tokio_tungstenite::accept_async(stream)).await {
        let (code, reason) = ending.close();
        let frame = CloseFrame { code: CloseCode::from(code), reason: reason.into() };
        let _ = tokio::time::timeout(timeout, socket.close(Some(frame))).await;
    }
}

// The handshake callback's error type is tungstenite's own HTTP response.
#[allow(clippy::result_large_err)]
async fn connection(edge: Arc<Edge>, stream: TcpStream) {
    let bounds = &edge.settings.bounds;
    let mut found = None;
    let config = WebSocketConfig {
        max_message_size: Some(bounds.channel_max_frame_bytes),
        max_frame_size: Some(bounds.channel_max_frame_bytes),
        ..WebSocketConfig::default()
    };
    let accepting = tokio_tungstenite::accept_hdr_async_with_config(
        stream,
        |request: &Request, response: Response| {
            let path = request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
            match target(path) {
                Ok(target) => {
                    found = Some(target);
                    Ok(response)
                }
                Err(reason) => {
                    let mut refusal = ErrorResponse::new(Some(reason));
                    *refusal.status_mut() = StatusCode::BAD_REQUEST;
                    Err(refusal)
                }
            }
        },
        Some(config),
    );
    let Ok(handshake) = tokio::time::timeout(bounds.channel_handshake_timeout, accepting).await else {
        tracing::debug!("no WebSocket handshake in time: connection closed");
        return;
    };
    let (Ok(socket), Some(target)) = (handshake, found) else { return };
    let (mut sink, mut source) = socket.split();
    let (tx, mut outbound) = mpsc::channel(QUEUE);
    let session =
        Arc::new(Session::new(target.tenant.clone(), target.world, target.channel, tx).with_queue_bound(bounds.channel_max_queued_bytes));
    edge.sessions.insert(session.clone());
    prime_accounts(&edge, &target.tenant);
    tracing::debug!(session = %session.id, world = target.world, channel = target.channel, "client connected");

    let writer = actix_rt::spawn(async move {
        while let Some(out) = outbound.recv().await {
            let sent = match out {
                // The reservation is given back once the frame is written.
                Outbound::Frame(frame, _reserved) => sink.send(Message::text(frame.text())).await,
                Outbound::Close => {
                    let _ = sink.send(Message::Close(None)).await;
                    break;
                }
                Outbound::End(ending) => {
                    let (code, reason) = ending.close();
                    let _ = sink.send(Message::Close(Some(CloseFrame { code: CloseCode::from(code), reason: reason.into() }))).await;
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
            _ = session.overflowed.notified() => {
                tracing::info!(session = %session.id, "client too far behind: session destroyed");
                break;
            }
        };
        let text = match next {
            Err(_) => {
                tracing::debug!(session = %session.id, "session idle: destroyed");
                break;
            }
            Ok(Some(Err(WsError::Capacity(error)))) => {
                tracing::info!(session = %session.id, %error, "frame over CHANNEL_MAX_FRAME_BYTES: session destroyed");
                session.end(Ending::FrameTooLarge);
                break;
            }
            Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => break,
            Ok(Some(Ok(message))) if !bucket.take(Instant::now()) => {
                tracing::info!(session = %session.id, kind = ?std::mem::discriminant(&message), "frame rate over CHANNEL_FRAME_RATE: session destroyed");
                session.end(Ending::FrameRate);
                break;
            }
            Ok(Some(Ok(Message::Text(text)))) => text,
            Ok(Some(Ok(_))) => continue,
        };
        match serde_json::from_str::<ClientFrame>(&text) {
            Ok(frame) => {
                if let Err(refused) = limits::check(&frame) {
                    tracing::info!(session = %session.id, %refused, "frame refused");
                    session.push(&Frame::new("Error", json!({"message": format!("frame refused: {refused}")})));
                    continue;
                }
                if !act(&edge, &session, frame).await {
                    break;
                }
            }
            Err(error) => session
                .push(&Frame::new("Error", json!({"message": format!("frame not understood: {}", limits::echo(&error.to_string()))}))),
        }
        if edge.sessions.get(session.id).is_none() {
            break;
        }
    }
    lifecycle::destroy(&edge, &session).await;
    drop(session);
    // The queued frames get a moment to leave; a client that does not read is cut off.
    let abort = writer.abort_handle();
    if tokio::time::timeout(std::time::Duration::from_secs(5), writer).await.is_err() {
        abort.abort();
    }
}

/// Handles one client frame; false when the session must end.
pub(crate) async fn act(edge: &Arc<Edge>, session: &Arc<Session>, frame: ClientFrame) -> bool {
    match &frame {
        ClientFrame::Ping => {
            session.push(&Frame::new("Pong", json!({})));
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

    #[test]
    fn targets_come_from_path_and_query() {
        let target =
            target("/worlds/0/channels/2?tenant=083839c6-c47c-42a6-9585-76492795d123&region=GMS&major=83&minor=1").expect("target");
        assert_eq!((target.world, target.channel, target.tenant.major), (0, 2, 83));
        assert!(super::target("/worlds/0/channels/2?region=GMS&major=83&minor=1").is_err(), "tenant required");
        assert!(super::target("/worlds/300/channels/2?tenant=083839c6-c47c-42a6-9585-76492795d123&region=GMS&major=83&minor=1").is_err());
        assert!(super::target("/channels/2").is_err());
    }
}
