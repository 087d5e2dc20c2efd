//! The game's own transport (docs/client-protocol.md, "Binary transport"): encrypted
//! binary packets over TCP, one listener per served (tenant, world, channel), carrying
//! the same sessions as the WebSocket transport.
//!
//! - `crypto`: the per-direction packet cipher (AES-OFB, Shanda, IV shuffle, headers).
//! - `codec`: framing with exact reads and a size cap.
//! - `packet`: body readers and writers; `profile`: what a tenant's client expects.
//! - `hello`: the unencrypted first packet.

pub mod codec;
pub mod crypto;
pub mod hello;
pub mod packet;
pub mod profile;
