//! Wire contracts: everything that crosses Kafka or HTTP, spelled exactly as Atlas does.

pub mod key;
pub mod tenant;
pub mod topics;
