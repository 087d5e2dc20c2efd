//! The binary transport's listeners and connections: one TCP listener per served
//! (tenant, world, channel) that has a port; each connection is one session of the shared
//! registry, so every push reaches it as it reaches a WebSocket session.
//!
//! A connection gets the hello, then its packets are read and handled one at a time in
//! arrival order (the next packet is not read before the previous one is handled); a
//! writer task turns the session's frames into packets. A header out of step with the
//! cipher, a packet over the size cap or shorter than its handler's layout ends that
//! session alone.

use super::codec::{Incoming, Outgoing};
use super::handlers::{self, Request};
use super::hello::hello;
use super::opcodes::{Table, Tables, Validator};
use super::packet::Reader;
use super::profile::Profile;
use super::writers;
use crate::channel::registration::Served;
use crate::channel::sessions::{Outbound, Session, QUEUE};
use crate::channel::updates::push;
use crate::channel::{lifecycle, socket, Edge};
use crate::contracts::channel::action_pushes::Ping;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Semaphore};

/// Silence after which the server asks a client whether it is alive (Atlas: 30 s).
const PING_AFTER: Duration = Duration::from_secs(30);
/// How long a half-received packet may stall before the session is ended.
const PARTIAL_PACKET: Duration = Duration::from_secs(30);
/// Bytes asked of the socket at once.
const READ_CHUNK: usize = 4096;

/// Settings of the binary transport.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Largest packet body a client may announce (`CHANNEL_BINARY_MAX_PACKET`).
    pub max_packet: usize,
    /// Binary connections open at once, over every listener of the process
    /// (`CHANNEL_BINARY_MAX_CONNECTIONS`); more are closed on accept.
    pub max_connections: usize,
}

/// A served channel's port could not be bound, so the process cannot serve that channel.
#[derive(Debug, thiserror::Error)]
#[error("binding binary channel port {port}: {source}")]
pub struct BindError {
    pub port: u16,
    pub source: std::io::Error,
}

struct Transport {
    edge: Arc<Edge>,
    tables: Tables,
    settings: Settings,
    permits: Arc<Semaphore>,
}

/// Binds a listener for every served channel with a port, all interfaces.
pub async fn spawn(edge: Arc<Edge>, settings: Settings) -> Result<(), BindError> {
    let permits = Arc::new(Semaphore::new(settings.max_connections));
    let transport = Arc::new(Transport { edge: edge.clone(), tables: Tables::default(), settings, permits });
    for served in &edge.settings.served {
        let Some(port) = served.port else { continue };
        let listener = TcpListener::bind(("0.0.0.0", port)).await.map_err(|source| BindError { port, source })?;
        tracing::info!(tenant = %served.tenant.id, world = served.world, channel = served.channel, port, "channel binary listening");
        actix_rt::spawn(accept(transport.clone(), served.clone(), listener));
    }
    Ok(())
}

async fn accept(transport: Arc<Transport>, served: Served, listener: TcpListener) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let Ok(permit) = transport.permits.clone().try_acquire_owned() else {
                    tracing::warn!(port = served.port, "binary connection refused: CHANNEL_BINARY_MAX_CONNECTIONS reached");
                    continue;
                };
                let (transport, served) = (transport.clone(), served.clone());
                actix_rt::spawn(async move {
                    connection(&transport, &served, stream).await;
                    drop(permit);
                });
            }
            Err(error) => {
                tracing::warn!(%error, "accepting a binary client failed");
                // Out of descriptors, typically: let some close before trying again.
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

async fn connection(transport: &Arc<Transport>, served: &Served, stream: TcpStream) {
    let edge = &transport.edge;
    let tenant = &served.tenant;
    let Some(table) = transport.tables.get(&edge.services, tenant).await else {
        tracing::warn!(tenant = %tenant.id, "no opcode table for the tenant: binary client turned away");
        return;
    };
    let profile = Profile::of(tenant);
    let (receive_iv, send_iv): ([u8; 4], [u8; 4]) = rand::random();
    let (mut source, mut sink) = stream.into_split();
    if sink.write_all(&hello(&profile, receive_iv, send_iv)).await.is_err() {
        return;
    }
    let incoming = Incoming::new(profile.client_to_server(receive_iv), transport.settings.max_packet);
    let mut outgoing = Outgoing::new(profile.server_to_client(send_iv));
    let (tx, mut outbound) = mpsc::channel(QUEUE);
    let session = Arc::new(Session::new(tenant.clone(), served.world, served.channel, tx));
    edge.sessions.insert(session.clone());
    socket::prime_accounts(edge, tenant);
    tracing::debug!(session = %session.id, world = served.world, channel = served.channel, "binary client connected");

    let writer = {
        let (profile, table, id) = (profile.clone(), table.clone(), session.id);
        actix_rt::spawn(async move {
            while let Some(out) = outbound.recv().await {
                // The reservation is given back when this iteration ends (frame written).
                let (frame, _reserved) = match out {
                    Outbound::Frame(frame, reserved) => (frame, reserved),
                    Outbound::Close | Outbound::End(_) => {
                        let _ = sink.shutdown().await;
                        break;
                    }
                };
                let body = match writers::encode(&profile, &table, &frame) {
                    Ok(body) => body,
                    Err(reason) => {
                        tracing::debug!(session = %id, %reason, "frame not sent to a binary client");
                        continue;
                    }
                };
                let Some(packet) = outgoing.seal(body) else {
                    tracing::warn!(session = %id, writer = frame.writer(), "frame too large for a packet: not sent");
                    continue;
                };
                if sink.write_all(&packet).await.is_err() {
                    break;
                }
            }
        })
    };
    read(transport, &session, &profile, &table, &mut source, incoming).await;
    lifecycle::destroy(edge, &session).await;
    drop(session);
    // The queued packets get a moment to leave; a client that does not read is cut off.
    let abort = writer.abort_handle();
    if tokio::time::timeout(Duration::from_secs(5), writer).await.is_err() {
        abort.abort();
    }
}

/// Reads and handles packets until the session must end.
async fn read(
    transport: &Transport,
    session: &Arc<Session>,
    profile: &Profile,
    table: &Table,
    source: &mut OwnedReadHalf,
    mut incoming: Incoming,
) {
    let edge = &transport.edge;
    let tick = PING_AFTER.min(edge.settings.idle_timeout);
    let mut buffer = Vec::new();
    let mut chunk = vec![0u8; READ_CHUNK];
    let mut silent = Duration::ZERO;
    loop {
        let want = incoming.wanted(&buffer).min(READ_CHUNK);
        let read = tokio::select! {
            read = tokio::time::timeout(tick, source.read(&mut chunk[..want])) => read,
            _ = session.overflowed.notified() => {
                tracing::info!(session = %session.id, "binary client too far behind: session destroyed");
                return;
            }
        };
        match read {
            Err(_) => {
                silent += tick;
                if incoming.mid_packet(&buffer) && silent >= PARTIAL_PACKET {
                    tracing::info!(session = %session.id, "binary client stalled inside a packet: session destroyed");
                    return;
                }
                if silent >= edge.settings.idle_timeout {
                    tracing::debug!(session = %session.id, "binary session idle: destroyed");
                    return;
                }
                if !incoming.mid_packet(&buffer) {
                    session.push(&push(&Ping {}));
                }
                continue;
            }
            Ok(Ok(0) | Err(_)) => return,
            Ok(Ok(count)) => {
                silent = Duration::ZERO;
                buffer.extend_from_slice(&chunk[..count]);
            }
        }
        loop {
            match incoming.next(&mut buffer) {
                Ok(Some(body)) => {
                    if !handle(edge, session, profile, table, &body).await {
                        return;
                    }
                }
                Ok(None) => break,
                Err(error) => {
                    tracing::info!(session = %session.id, %error, "binary stream unreadable: session destroyed");
                    return;
                }
            }
        }
        if edge.sessions.get(session.id).is_none() {
            return;
        }
    }
}

/// Handles one packet; false when the session must end.
async fn handle(edge: &Arc<Edge>, session: &Arc<Session>, profile: &Profile, table: &Table, body: &[u8]) -> bool {
    let mut reader = Reader::new(body, profile.code_page);
    let Ok(opcode) = profile.read_opcode(&mut reader) else {
        tracing::info!(session = %session.id, "binary packet without an opcode: session destroyed");
        return false;
    };
    let Some(entry) = table.handler(opcode) else {
        tracing::info!(session = %session.id, opcode = format!("0x{opcode:02X}"), "unknown opcode ignored");
        return true;
    };
    let request = match handlers::read(&entry.handler, profile, &mut reader) {
        Ok(request) => request,
        Err(short) => {
            tracing::info!(session = %session.id, handler = ?entry.handler, %short, "packet shorter than its layout: session destroyed");
            return false;
        }
    };
    match request {
        Request::Alive => true,
        Request::Unserved => {
            tracing::debug!(session = %session.id, handler = ?entry.handler, "handler not served over the binary transport yet: ignored");
            true
        }
        Request::Frame(frame) => {
            // LoggedInValidator (spec 51 §2.6): the table says which handlers need a
            // logged-in account; the shared handling checks the character as well.
            if entry.validator == Validator::LoggedIn && !edge.logged_in(&session.tenant, session.state().account) {
                tracing::info!(tenant = %session.tenant.id, session = %session.id, "action of a session not logged in: destroyed");
                return false;
            }
            socket::act(edge, session, frame).await
        }
    }
}
