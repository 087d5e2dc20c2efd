//! Wire contracts: everything that crosses Kafka or HTTP, spelled exactly as Atlas does.
//! One module per topic family; `decode`, `strict`, `json`, `key`, `tenant` and `topics` are shared.

pub mod channel;
pub mod character;
pub mod decode;
pub mod json;
pub mod key;
pub mod messenger;
pub mod saga;
pub mod saga_commands;
pub mod saga_events;
pub mod saga_payload;
pub mod shapes;
pub mod skill;
pub mod stats;
pub mod strict;
pub mod tenant;
pub mod topics;
