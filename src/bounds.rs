//! Bounds on what one client, one input or one operator mistake can take: every limit
//! the server enforces at its edges, each a setting (environment variable and flag) with
//! a default sized from the game's own packets. RELIABILITY.md lists them all.

use crate::duration::parse_duration;
use std::time::Duration;

#[derive(Debug, Clone, clap::Args)]
pub struct Bounds {
    /// After SIGTERM, how long in-flight work may drain before the process exits (what
    /// could not be published stays in the outbox for the next start). Kubernetes kills
    /// after 30 s, so keep it well under that.
    #[arg(long, env = "SHUTDOWN_GRACE_PERIOD", default_value = "10s", value_parser = parse_duration)]
    pub shutdown_grace_period: Duration,

    /// Largest client frame accepted, in bytes; a larger one ends the session (the game's
    /// packets are a few kilobytes).
    #[arg(long, env = "CHANNEL_MAX_FRAME_BYTES", default_value_t = 64 * 1024)]
    pub channel_max_frame_bytes: usize,

    /// Bytes of frames waiting for one client; a client that falls this far behind is
    /// disconnected.
    #[arg(long, env = "CHANNEL_MAX_QUEUED_BYTES", default_value_t = 1024 * 1024)]
    pub channel_max_queued_bytes: usize,

    /// Time a new connection has to complete its WebSocket handshake.
    #[arg(long, env = "CHANNEL_HANDSHAKE_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub channel_handshake_timeout: Duration,

    /// Concurrent connections (handshaking or in session) on the channel port; more are
    /// refused with close code 1013 "try again later".
    #[arg(long, env = "CHANNEL_MAX_SESSIONS", default_value_t = 10_000)]
    pub channel_max_sessions: usize,

    /// Frames per second one session may send on average (token bucket refill).
    #[arg(long, env = "CHANNEL_FRAME_RATE", default_value_t = 50)]
    pub channel_frame_rate: u32,

    /// Frames one session may send in a burst (token bucket size).
    #[arg(long, env = "CHANNEL_FRAME_BURST", default_value_t = 200)]
    pub channel_frame_burst: u32,

    /// Channel records consumed and not yet handled before the channel consumer pauses
    /// its partitions.
    #[arg(long, env = "CHANNEL_CONSUMER_MAX_IN_FLIGHT", default_value_t = 10_000)]
    pub channel_consumer_max_in_flight: usize,
}
