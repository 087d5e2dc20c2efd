//! Arbitrary bytes against the framing and the packet readers, from a seeded generator
//! so a failure repeats: nothing panics, whatever a client sends.

use super::codec::{FrameError, Incoming, Outgoing};
use super::handlers;
use super::opcodes::Handler;
use super::packet::Reader;
use super::profile::Profile;
use crate::contracts::tenant::Tenant;

/// xorshift64*: small, seeded, good enough to spread bytes.
struct Bytes(u64);

impl Bytes {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }

    fn fill(&mut self, length: usize) -> Vec<u8> {
        (0..length).map(|_| self.next() as u8).collect()
    }
}

fn profiles() -> Vec<Profile> {
    [("GMS", 83), ("GMS", 12), ("JMS", 185), ("GMS", 95)]
        .into_iter()
        .map(|(region, major)| Profile::of(&Tenant { id: uuid::Uuid::nil(), region: region.into(), major, minor: 1 }))
        .collect()
}

fn handlers() -> Vec<Handler> {
    vec![Handler::CharacterLoggedIn, Handler::Pong, Handler::CharacterExpression, Handler::Unserved("NpcTalkHandle".into())]
}

/// Feeds `stream` in random pieces; returns the packets read before the stream ended or
/// was refused.
fn feed(incoming: &mut Incoming, stream: &[u8], rng: &mut Bytes) -> (Vec<Vec<u8>>, Option<FrameError>) {
    let mut buffer = Vec::new();
    let mut packets = Vec::new();
    let mut at = 0;
    while at < stream.len() {
        let step = 1 + rng.below(64.min(stream.len() - at));
        buffer.extend_from_slice(&stream[at..at + step]);
        at += step;
        loop {
            match incoming.next(&mut buffer) {
                Ok(Some(packet)) => packets.push(packet),
                Ok(None) => break,
                Err(error) => return (packets, Some(error)),
            }
        }
        assert!(incoming.wanted(&buffer) >= 1);
    }
    (packets, None)
}

fn read_everything(profile: &Profile, body: &[u8]) {
    let mut reader = Reader::new(body, profile.code_page);
    let _ = profile.read_opcode(&mut reader);
    for handler in handlers() {
        let _ = handlers::read(&handler, profile, &mut Reader::new(body, profile.code_page));
    }
}

#[test]
fn arbitrary_streams_never_panic_the_framing() {
    let mut rng = Bytes(0x9E37_79B9_7F4A_7C15);
    for profile in profiles() {
        for _ in 0..500 {
            let iv: [u8; 4] = rng.fill(4).try_into().unwrap_or_default();
            let length = rng.below(3000);
            let mut stream = rng.fill(length);
            if rng.below(2) == 0 {
                // A packet in step with the cipher, then noise, with bytes flipped past
                // the header's check: the framing goes on to bodies and later headers.
                let mut outgoing = Outgoing::new(profile.client_to_server(iv));
                let body_length = rng.below(2000);
                let mut packet = outgoing.seal(rng.fill(body_length)).unwrap_or_default();
                for _ in 0..rng.below(4) {
                    let at = 2 + rng.below(packet.len() - 2);
                    packet[at] ^= rng.next() as u8;
                }
                packet.extend_from_slice(&stream);
                stream = packet;
            }
            let cap = rng.below(70_000);
            let mut incoming = Incoming::new(profile.client_to_server(iv), cap);
            let (packets, _) = feed(&mut incoming, &stream, &mut rng);
            packets.iter().for_each(|body| read_everything(&profile, body));
        }
    }
}

#[test]
fn arbitrary_bodies_behind_valid_headers_never_panic_the_readers() {
    let mut rng = Bytes(0xD1B5_4A32_D192_ED03);
    for profile in profiles() {
        let iv: [u8; 4] = rng.fill(4).try_into().unwrap_or_default();
        let mut outgoing = Outgoing::new(profile.client_to_server(iv));
        let mut incoming = Incoming::new(profile.client_to_server(iv), usize::from(u16::MAX));
        let bodies: Vec<Vec<u8>> = (0..300)
            .map(|_| {
                let longest = if rng.below(10) == 0 { 5000 } else { 48 };
                let length = rng.below(longest);
                rng.fill(length)
            })
            .collect();
        let stream: Vec<u8> = bodies.iter().flat_map(|b| outgoing.seal(b.clone()).unwrap_or_default()).collect();
        let (packets, error) = feed(&mut incoming, &stream, &mut rng);
        assert_eq!(error, None);
        assert_eq!(packets, bodies, "every body comes back whole and in order");
        packets.iter().for_each(|body| read_everything(&profile, body));
    }
}

#[test]
fn arbitrary_reads_over_arbitrary_bytes_never_panic() {
    let mut rng = Bytes(0x0123_4567_89AB_CDEF);
    for profile in profiles() {
        for _ in 0..2000 {
            let length = rng.below(40);
            let body = rng.fill(length);
            let mut reader = Reader::new(&body, profile.code_page);
            for _ in 0..8 {
                let _ = match rng.below(7) {
                    0 => reader.u8().map(u64::from),
                    1 => reader.u16().map(u64::from),
                    2 => reader.u32().map(u64::from),
                    3 => reader.u64(),
                    4 => reader.string().map(|s| s.len() as u64),
                    5 => reader.bool().map(u64::from),
                    _ => reader.bytes(rng.below(usize::MAX)).map(|b| b.len() as u64),
                };
            }
        }
    }
}
