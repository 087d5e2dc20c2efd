//! Connected clients. A session is bound for life to the (tenant, world, channel) it
//! connected to, and later to the account and character that logged in on it.

use super::frames::Frame;
use crate::contracts::tenant::Tenant;
use dashmap::DashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use uuid::Uuid;

/// Frames waiting for a client; a client this far behind is disconnected rather than
/// buffered without bound.
pub const QUEUE: usize = 4096;

/// Bytes of frames waiting for one client unless the edge's settings say otherwise.
pub const DEFAULT_QUEUED_BYTES: usize = 1024 * 1024;

/// What the transport is told to do. Frames stay typed until the transport writes
/// them: the WebSocket transport as JSON text, the binary one as game packets.
#[derive(Debug)]
pub enum Outbound {
    /// A frame and the bytes it holds against the session's bound until the transport
    /// is done with it.
    Frame(Frame, Reserved),
    Close,
    /// Close with a code and reason the client can read.
    End(Ending),
}

/// Bytes of a queued frame counted against its session's bound; given back when the
/// transport drops it (written, or abandoned with the connection).
#[derive(Debug)]
pub struct Reserved {
    bytes: usize,
    queued: Arc<AtomicUsize>,
}

impl Drop for Reserved {
    fn drop(&mut self) {
        self.queued.fetch_sub(self.bytes, Ordering::AcqRel);
    }
}

/// Why the server ends a session, as the WebSocket close frame says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The channel port is at its session limit.
    TooManySessions,
    /// The client sent frames faster than its token bucket allows.
    FrameRate,
    /// A frame over the size limit.
    FrameTooLarge,
}

impl Ending {
    /// The close code (RFC 6455 §7.4.1) and reason.
    pub fn close(self) -> (u16, &'static str) {
        match self {
            Ending::TooManySessions => (1013, "too many sessions; try again later"),
            Ending::FrameRate => (1008, "frame rate limit exceeded"),
            Ending::FrameTooLarge => (1009, "frame too large"),
        }
    }
}

/// A map instance of one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Field {
    pub world: u8,
    pub channel: u8,
    pub map: u32,
    pub instance: Uuid,
}

/// What a session learns after connecting.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct State {
    pub account: u32,
    pub character: u32,
    pub gm: bool,
    pub map: u32,
    pub instance: Uuid,
    /// The character whose login was asked of the account service (spec 51 §3.2).
    pub pending: u32,
    /// The map of the last `SetField` pushed.
    pub shown: Option<u32>,
    /// A field entered before its `SetField` was pushed (spec 50 Q-5).
    pub held: Option<Field>,
    /// The account service moved the session to another channel or the cash shop: it
    /// ends without a LOGOUT.
    pub handed_over: bool,
    /// The storage keeper of the storage window open (EVENT_TOPIC_STORAGE_STATUS
    /// `PROJECTION_CREATED`), whose fees the storage sagas charge; cleared on closing.
    pub storage_npc: Option<u32>,
}

#[derive(Debug)]
pub struct Session {
    pub id: Uuid,
    pub tenant: Tenant,
    pub world: u8,
    pub channel: u8,
    state: Mutex<State>,
    out: mpsc::Sender<Outbound>,
    /// Bytes of frames queued and not yet written to the client ([`Reserved`] gives them back).
    pub queued: Arc<AtomicUsize>,
    max_queued: usize,
    /// Set when the client fell `QUEUE` frames or `max_queued` bytes behind: the session ends.
    pub overflowed: tokio::sync::Notify,
}

impl Session {
    pub fn new(tenant: Tenant, world: u8, channel: u8, out: mpsc::Sender<Outbound>) -> Session {
        Session {
            id: Uuid::new_v4(),
            tenant,
            world,
            channel,
            state: Mutex::default(),
            out,
            queued: Arc::default(),
            max_queued: DEFAULT_QUEUED_BYTES,
            overflowed: tokio::sync::Notify::new(),
        }
    }

    /// Bounds the bytes waiting for this client.
    pub fn with_queue_bound(mut self, bytes: usize) -> Session {
        self.max_queued = bytes;
        self
    }

    pub fn push(&self, frame: &Frame) {
        // A frame's weight is its JSON size, whatever the transport writes.
        let bytes = frame.text().len();
        if self.queued.fetch_add(bytes, Ordering::AcqRel) + bytes > self.max_queued {
            self.queued.fetch_sub(bytes, Ordering::AcqRel);
            self.overflowed.notify_one();
            return;
        }
        let reserved = Reserved { bytes, queued: self.queued.clone() };
        // A refused send drops its reservation, which gives the bytes back.
        if let Err(mpsc::error::TrySendError::Full(_)) = self.out.try_send(Outbound::Frame(frame.clone(), reserved)) {
            self.overflowed.notify_one();
        }
    }

    /// Ends the session with a reason the client reads in the close frame.
    pub fn end(&self, ending: Ending) {
        let _ = self.out.try_send(Outbound::End(ending));
    }

    pub fn close(&self) {
        let _ = self.out.try_send(Outbound::Close);
    }

    pub fn state(&self) -> State {
        self.state.lock().map(|s| s.clone()).unwrap_or_default()
    }

    pub fn update(&self, change: impl FnOnce(&mut State)) {
        if let Ok(mut state) = self.state.lock() {
            change(&mut state);
        }
    }

    pub fn character(&self) -> u32 {
        self.state().character
    }

    /// The map instance the session's character is in.
    pub fn field(&self) -> Field {
        let state = self.state();
        Field { world: self.world, channel: self.channel, map: state.map, instance: state.instance }
    }
}

/// Every session of this process.
#[derive(Debug, Default)]
pub struct Sessions {
    by_id: DashMap<Uuid, Arc<Session>>,
    by_character: DashMap<(Uuid, u32), Uuid>,
}

impl Sessions {
    pub fn insert(&self, session: Arc<Session>) {
        self.by_id.insert(session.id, session);
    }

    pub fn get(&self, id: Uuid) -> Option<Arc<Session>> {
        self.by_id.get(&id).map(|s| s.clone())
    }

    /// Removes a session; `None` when it was already gone (destroyed once only).
    pub fn remove(&self, id: Uuid) -> Option<Arc<Session>> {
        let (_, session) = self.by_id.remove(&id)?;
        let character = session.character();
        self.by_character.remove_if(&(session.tenant.id, character), |_, owner| *owner == id);
        Some(session)
    }

    /// Records that `character` logged in on `session` (a newer session replaces an older).
    pub fn bind(&self, session: &Session, character: u32) {
        session.update(|s| {
            s.character = character;
            s.pending = 0;
        });
        self.by_character.insert((session.tenant.id, character), session.id);
    }

    /// The session of a logged-in character of this tenant (never character 0, Q-22).
    pub fn character(&self, tenant: &Tenant, character: u32) -> Option<Arc<Session>> {
        if character == 0 {
            return None;
        }
        let id = *self.by_character.get(&(tenant.id, character))?;
        self.get(id).filter(|s| s.tenant == *tenant && s.character() == character)
    }

    /// Sessions of these characters, each once, in the given order.
    pub fn characters(&self, tenant: &Tenant, ids: &[u32]) -> Vec<Arc<Session>> {
        let mut found: Vec<Arc<Session>> = Vec::new();
        for id in ids {
            if let Some(session) = self.character(tenant, *id) {
                if !found.iter().any(|s| s.id == session.id) {
                    found.push(session);
                }
            }
        }
        found
    }

    /// Every session of a tenant (to close them on shutdown, or to count them).
    pub fn all(&self) -> Vec<Arc<Session>> {
        self.by_id.iter().map(|s| s.clone()).collect()
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant() -> Tenant {
        Tenant { id: Uuid::new_v4(), region: "GMS".into(), major: 83, minor: 1 }
    }

    #[test]
    fn characters_resolve_per_tenant_and_never_zero() {
        let sessions = Sessions::default();
        let (tx, _rx) = mpsc::channel(QUEUE);
        let (a, b) = (tenant(), tenant());
        let session = Arc::new(Session::new(a.clone(), 0, 1, tx));
        sessions.insert(session.clone());
        assert!(sessions.character(&a, 0).is_none(), "an unauthenticated session is nobody");
        sessions.bind(&session, 7);
        assert!(sessions.character(&a, 7).is_some());
        assert!(sessions.character(&b, 7).is_none(), "another tenant's character 7 is another character");
        assert_eq!(sessions.characters(&a, &[7, 8, 7]).len(), 1, "recipients are deduplicated");
        assert!(sessions.remove(session.id).is_some());
        assert!(sessions.remove(session.id).is_none(), "a session is destroyed once");
        assert!(sessions.character(&a, 7).is_none());
    }
}
