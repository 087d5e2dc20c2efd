//! The game's own transport (docs/client-protocol.md, "Binary transport"): encrypted
//! binary packets over TCP, one listener per served (tenant, world, channel), carrying
//! the same sessions as the WebSocket transport.
//!
//! - `crypto`: the per-direction packet cipher (AES-OFB, Shanda, IV shuffle, headers).

pub mod crypto;
