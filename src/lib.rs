//! atlas-actors: five Atlas Go services (skills, effective stats, messengers, sagas,
//! channel) as one process of supervised actors, speaking their exact Kafka and REST
//! contracts.
//!
//! Layout:
//! - `carried`: headers an input carries to its outputs and foreign calls (trace, environment).
//! - `config`: settings from Atlas's environment variable names, each also a flag.
//! - `contracts`: wire types: tenant headers, keys, topic names, one module per topic family.
//! - `kafka`: the Kafka client settings, the producer and the commit tracker, shared by
//!   the bridge, the channel and the REST API.
//! - `bridge`: Kafka in (decode, route to the owning actor, commit after durability) and
//!   out (the outbox publisher), plus dead letters.
//! - `actors`: the supervised entity actors, their registry, and the domain logic they own.
//! - `store`: sqlx over PostgreSQL or SQLite (chosen by URL), migrations, the outbox.
//! - `channel`: the edge: client sessions over WebSocket and the game's binary protocol,
//!   pushes and client commands.
//! - `live`: the live view's sampled gauges and JSON snapshot (`/dashboard`).
//! - `rest`: the actix-web API (domain routes, `/health`, `/metrics`).
//! - `server`: wires the above into the running service.
//! - `broker`: the embedded Kafka broker (librdkafka's mock cluster).
//! - `duration`: how durations in settings are written.
//! - `bounds`: every limit enforced at the edges, each a setting.
//! - `shutdown`: the bounded drain after SIGTERM.
//! - `telemetry`: distributed tracing (W3C trace context in, OTLP/gRPC out).
//! - `chaos`: fault injection for the reliability tests (cargo feature `chaos` only).
//! - `conformance`: the black-box scenario runner.
//! - `simulate`: virtual players against a running server (load and latency).

pub mod actors;
pub mod bounds;
pub mod bridge;
pub mod broker;
pub mod carried;
pub mod channel;
#[cfg(feature = "chaos")]
pub mod chaos;
pub mod config;
pub mod conformance;
pub mod contracts;
pub mod duration;
pub mod kafka;
pub mod live;
pub mod logging;
pub mod metrics;
pub mod rest;
pub mod server;
pub mod shutdown;
pub mod simulate;
pub mod store;
pub mod telemetry;
