//! The WebSocket transport (docs/client-protocol.md): one connection is one session of
//! the channel named by its path, `/worlds/{world}/channels/{channel}`, for the tenant
//! named by its query, `?tenant=…&region=…&major=…&minor=…`. Frames are JSON text.

use super::commands::{resolve, translate};
use super::frames::{ClientFrame, Frame};
use super::sessions::{Outbound, Session, QUEUE};
use super::{lifecycle, lookups, Edge};
use crate::contracts::tenant::Tenant;
use futures::{SinkExt as _, StreamExt as _};
use serde_json::json;
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::Message;

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

/// Accepts clients on `listener` until the process ends.
pub fn spawn(edge: Arc<Edge>, listener: TcpListener) {
    actix_rt::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    actix_rt::spawn(connection(edge.clone(), stream));
                }
                Err(error) => tracing::warn!(%error, "accepting a client failed"),
            }
        }
    });
}

async fn connection(edge: Arc<Edge>, stream: TcpStream) {
    let mut found = None;
    let handshake = tokio_tungstenite::accept_hdr_async(stream, |request: &Request, response: Response| {
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
    })
    .await;
    let (Ok(socket), Some(target)) = (handshake, found) else { return };
    let (mut sink, mut source) = socket.split();
    let (tx, mut outbound) = mpsc::channel(QUEUE);
    let session = Arc::new(Session::new(target.tenant.clone(), target.world, target.channel, tx));
    edge.sessions.insert(session.clone());
    prime_accounts(&edge, &target.tenant);
    tracing::debug!(session = %session.id, world = target.world, channel = target.channel, "client connected");

    let writer = actix_rt::spawn(async move {
        while let Some(out) = outbound.recv().await {
            let sent = match out {
                Outbound::Frame(frame) => sink.send(Message::text(frame.text())).await,
                Outbound::Close => {
                    let _ = sink.send(Message::Close(None)).await;
                    break;
                }
            };
            if sent.is_err() {
                break;
            }
        }
    });
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
            Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => break,
            Ok(Some(Ok(Message::Text(text)))) => text,
            Ok(Some(Ok(_))) => continue,
        };
        match serde_json::from_str::<ClientFrame>(&text) {
            Ok(frame) => {
                if !act(&edge, &session, frame).await {
                    break;
                }
            }
            Err(error) => session.push(&Frame::new("Error", json!({"message": format!("frame not understood: {error}")}))),
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
        let target = target("/worlds/0/channels/2?tenant=083839c6-c47c-42a6-9585-76492795d123&region=GMS&major=83&minor=1").expect("target");
        assert_eq!((target.world, target.channel, target.tenant.major), (0, 2, 83));
        assert!(super::target("/worlds/0/channels/2?region=GMS&major=83&minor=1").is_err(), "tenant required");
        assert!(super::target("/worlds/300/channels/2?tenant=083839c6-c47c-42a6-9585-76492795d123&region=GMS&major=83&minor=1").is_err());
        assert!(super::target("/channels/2").is_err());
    }
}
