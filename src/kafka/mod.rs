//! Kafka plumbing shared by every layer that talks to the broker: the client settings and
//! the producer (`producer`), the commit tracker of a consumer loop (`tracker`) and a
//! consumer that closes off the runtime's thread (`closing`). It
//! sits below the actors, so the bridge, the channel and the REST API use one producer
//! and one tracker without importing each other.

pub mod closing;
pub mod producer;
pub(crate) mod tracker;
