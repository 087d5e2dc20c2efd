//! The Kafka bridge.
//!
//! In: `consumer` reads every consumed topic in one group, `router` decodes each record
//! and picks its owning actor by the entity id in the value, and the offset is stored for
//! commit only once every record up to it is durable. Out: actors write their outputs to
//! the outbox in their own transaction; `outbox` publishes them and forgets them once the
//! broker acknowledged. Refused records go to the dead-letter topic (`dead_letter`).

pub mod consumer;
pub mod dead_letter;
pub mod log_identity;
pub mod outbox;
pub mod router;
pub mod topic_setup;

pub use outbox::Publisher;
