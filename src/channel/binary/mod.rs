//! The game's own transport (docs/client-protocol.md, "Binary transport"): encrypted
//! binary packets over TCP, one listener per served (tenant, world, channel), carrying
//! the same sessions as the WebSocket transport.
//!
//! - `crypto`: the per-direction packet cipher (AES-OFB, Shanda, IV shuffle, headers).
//! - `codec`: framing with exact reads and a size cap.
//! - `packet`: body readers and writers; `profile`: what a tenant's client expects.
//! - `hello`: the unencrypted first packet.
//! - `opcodes`: the tenant's opcode tables from the configuration service.
//! - `handlers`: client packets → client frames; `writers`: server frames → packets.
//! - `listener`: listeners, connections and per-session ordered handling.

pub mod codec;
pub mod crypto;
#[cfg(test)]
mod fuzz;
pub mod handlers;
pub mod hello;
pub mod listener;
pub mod opcodes;
pub mod packet;
pub mod profile;
pub mod writers;
