//! Kafka plumbing shared by every layer that talks to the broker: the client settings and
//! the producer (`producer`), and the commit tracker of a consumer loop (`tracker`). It
//! sits below the actors, so the bridge, the channel and the REST API use one producer
//! and one tracker without importing each other.

pub mod producer;
pub(crate) mod tracker;
