//! Client steps: WebSocket clients of the channel edge inside a scenario, each named,
//! each keeping every frame it received so `receive` can match in order.

use super::captures::{self, Captures};
use super::matcher;
use super::report::{self, Failure, Section};
use super::scenario::{Connect, Receive, Send};
use crate::contracts::tenant::Tenant;
use futures::stream::SplitSink;
use futures::{SinkExt as _, StreamExt as _};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const DEFAULT_RECEIVE_TIMEOUT_MS: u64 = 5000;
const DEFAULT_ABSENT_WAIT_MS: u64 = 1000;

type Sink = SplitSink<WebSocketStream<MaybeTlsStream<TcpStream>>, Message>;

struct Client {
    sink: Sink,
    frames: Arc<Mutex<Vec<Value>>>,
    arrivals: watch::Receiver<usize>,
    /// Index after the frame the last `receive` matched.
    cursor: usize,
}

/// A scenario's clients.
#[derive(Default)]
pub struct Clients {
    by_name: HashMap<String, Client>,
}

impl Clients {
    pub async fn connect(&mut self, channel_url: Option<&str>, tenant: &Tenant, c: &Connect) -> Result<(), Failure> {
        let base = channel_url.ok_or_else(|| Failure::new("no channel URL: client steps need the server's channel port"))?;
        let url = format!(
            "{base}/worlds/{}/channels/{}?tenant={}&region={}&major={}&minor={}",
            c.world, c.channel, tenant.id, tenant.region, tenant.major, tenant.minor
        );
        let (socket, _) = tokio_tungstenite::connect_async(&url).await.map_err(|e| Failure::new(format!("connecting {url}: {e}")))?;
        let (sink, mut source) = socket.split();
        let frames = Arc::new(Mutex::new(Vec::new()));
        let (tx, arrivals) = watch::channel(0);
        let kept = frames.clone();
        tokio::spawn(async move {
            while let Some(Ok(message)) = source.next().await {
                let Message::Text(text) = message else { continue };
                let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
                let count = kept.lock().map(|mut f| {
                    f.push(value);
                    f.len()
                });
                let _ = tx.send(count.unwrap_or_default());
            }
        });
        self.by_name.insert(c.client.clone(), Client { sink, frames, arrivals, cursor: 0 });
        Ok(())
    }

    fn client(&mut self, name: &str) -> Result<&mut Client, Failure> {
        self.by_name.get_mut(name).ok_or_else(|| Failure::new(format!("no client named {name}: connect it first")))
    }

    pub async fn send(&mut self, s: &Send, known: &Captures) -> Result<(), Failure> {
        let frame = captures::substitute_value(&s.frame, known).map_err(Failure::new)?;
        let client = self.client(&s.client)?;
        client.sink.send(Message::text(frame.to_string())).await.map_err(|e| Failure::new(format!("sending from {}: {e}", s.client)))
    }

    /// `receive`: the captures of the first matching frame after the cursor.
    pub async fn receive(&mut self, r: &Receive, known: &Captures) -> Result<Captures, Failure> {
        let timeout = Duration::from_millis(r.timeout_ms.unwrap_or(DEFAULT_RECEIVE_TIMEOUT_MS));
        let client = self.client(&r.client)?;
        match watch(client, &r.frame, known, timeout).await {
            Some((index, captures)) => {
                client.cursor = index + 1;
                Ok(captures)
            }
            None => {
                let mut failure = Failure::new(format!("client {} received no matching frame within {} ms", r.client, timeout.as_millis()));
                failure.sections.push(Section::json("expected frame", &r.frame));
                let seen = client.frames.lock().map(|f| f[client.cursor.min(f.len())..].to_vec()).unwrap_or_default();
                let text = seen.iter().map(report::pretty).collect::<Vec<_>>().join("\n");
                failure.sections.push(Section::block(&format!("frames since the last match ({})", seen.len()), text));
                Err(failure)
            }
        }
    }

    /// `receive_absent`: no matching frame after the cursor during the wait.
    pub async fn receive_absent(&mut self, r: &Receive, known: &Captures) -> Result<(), Failure> {
        let wait = Duration::from_millis(r.wait_ms.unwrap_or(DEFAULT_ABSENT_WAIT_MS));
        let client = self.client(&r.client)?;
        match watch(client, &r.frame, known, wait).await {
            None => Ok(()),
            Some((index, _)) => {
                let mut failure = Failure::new(format!("client {} received a frame that must be absent", r.client));
                failure.sections.push(Section::json("frame that must be absent", &r.frame));
                if let Some(frame) = client.frames.lock().ok().and_then(|f| f.get(index).cloned()) {
                    failure.sections.push(Section::json("received", &frame));
                }
                Err(failure)
            }
        }
    }

    pub async fn disconnect(&mut self, name: &str) -> Result<(), Failure> {
        let mut client = self.by_name.remove(name).ok_or_else(|| Failure::new(format!("no client named {name}")))?;
        let _ = client.sink.send(Message::Close(None)).await;
        Ok(())
    }

    /// Closes every client (the end of a scenario).
    pub async fn close_all(&mut self) {
        for (_, mut client) in self.by_name.drain() {
            let _ = client.sink.send(Message::Close(None)).await;
        }
    }
}

/// Waits up to `limit` for a frame after the cursor matching `expected`.
async fn watch(client: &mut Client, expected: &Value, known: &Captures, limit: Duration) -> Option<(usize, Captures)> {
    let deadline = tokio::time::Instant::now() + limit;
    let mut scanned = client.cursor;
    loop {
        client.arrivals.borrow_and_update();
        let frames = client.frames.lock().map(|f| f[scanned.min(f.len())..].to_vec()).unwrap_or_default();
        for (i, frame) in frames.iter().enumerate() {
            if let Ok(captures) = matcher::matches(expected, frame, known) {
                return Some((scanned + i, captures));
            }
        }
        scanned += frames.len();
        match tokio::time::timeout_at(deadline, client.arrivals.changed()).await {
            Ok(Ok(())) => continue,
            _ => return None,
        }
    }
}
