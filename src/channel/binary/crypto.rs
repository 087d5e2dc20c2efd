//! The game's packet cipher: one state per direction of a session, holding the 4-byte
//! IV both ends derive their keystream and packet headers from.
//!
//! A packet on the wire is a 4-byte header (the IV, the protocol version and the body
//! length mixed together) and a body encrypted first with the Shanda cipher (every
//! region but JMS) and then with AES-256 in OFB mode. After every packet the IV is
//! shuffled, so both ends must see every packet in order: one lost or repeated packet
//! makes every later header unreadable.

use aes::cipher::{BlockEncrypt, KeyInit};
use aes::Aes256;

/// Bytes of a packet header.
pub const HEADER: usize = 4;

/// The AES key every client of every region carries (each 32-bit word's low byte).
const KEY: [u8; 32] =
    [0x13, 0, 0, 0, 0x08, 0, 0, 0, 0x06, 0, 0, 0, 0xB4, 0, 0, 0, 0x1B, 0, 0, 0, 0x0F, 0, 0, 0, 0x33, 0, 0, 0, 0x52, 0, 0, 0];

/// OFB restarts from the packet's IV every this many bytes; the first chunk is four bytes
/// shorter because the client counts the header in it.
const CHUNK: usize = 1460;
const FIRST_CHUNK: usize = CHUNK - HEADER;

/// How the 16-byte AES IV is built from the 4-byte session IV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IvExpansion {
    /// The four bytes repeated four times (every client since 2008).
    Repeat,
    /// The first byte sixteen times (GMS v12 and older).
    FirstByte,
}

/// Which layers protect a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layers {
    pub shanda: bool,
}

/// Why a header was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// The header does not carry this direction's IV and version: the peer is not in step
    /// with us (or not a game client), and nothing after it can be read.
    #[error("packet header out of step with the session's cipher")]
    OutOfStep,
}

/// One direction's cipher state.
#[derive(Clone)]
pub struct Cipher {
    aes: Aes256,
    iv: [u8; 4],
    /// The header's version value, kept byte-swapped as the header mixes it in.
    version: u16,
    expansion: IvExpansion,
    layers: Layers,
}

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cipher").field("iv", &self.iv).field("version", &self.version.swap_bytes()).finish_non_exhaustive()
    }
}

impl Cipher {
    /// `version` is the major version for packets a client sends, `0xFFFF − major` for
    /// packets a server sends.
    pub fn new(iv: [u8; 4], version: u16, expansion: IvExpansion, layers: Layers) -> Cipher {
        Cipher { aes: Aes256::new(&KEY.into()), iv, version: version.swap_bytes(), expansion, layers }
    }

    pub fn iv(&self) -> [u8; 4] {
        self.iv
    }

    /// The header of a `length`-byte body sent with the current IV.
    pub fn header(&self, length: u16) -> [u8; HEADER] {
        let mixed = (u16::from(self.iv[2]) << 8 | u16::from(self.iv[3])) ^ self.version;
        let xored = mixed ^ length.swap_bytes();
        let [a, b] = mixed.to_be_bytes();
        let [c, d] = xored.to_be_bytes();
        [a, b, c, d]
    }

    /// The body length a header announces, once the header is shown to carry this
    /// direction's current IV and version.
    pub fn body_length(&self, header: [u8; HEADER]) -> Result<u16, HeaderError> {
        let expected = self.header(0);
        if header[..2] != expected[..2] {
            return Err(HeaderError::OutOfStep);
        }
        Ok(length_of(header))
    }

    /// Encrypts a body in place and moves to the next IV; returns the header to send first.
    pub fn seal(&mut self, body: &mut [u8]) -> Result<[u8; HEADER], std::num::TryFromIntError> {
        let header = self.header(u16::try_from(body.len())?);
        if self.layers.shanda {
            shanda::encrypt(body);
        }
        self.ofb(body);
        self.shuffle();
        Ok(header)
    }

    /// Decrypts a body in place and moves to the next IV.
    pub fn open(&mut self, body: &mut [u8]) {
        self.ofb(body);
        if self.layers.shanda {
            shanda::decrypt(body);
        }
        self.shuffle();
    }

    /// AES-OFB over the body, restarting from the IV at every chunk.
    fn ofb(&self, body: &mut [u8]) {
        let start = self.expanded_iv();
        let mut at = 0;
        let mut chunk = FIRST_CHUNK;
        while at < body.len() {
            let end = (at + chunk).min(body.len());
            let mut block = start;
            for piece in body[at..end].chunks_mut(16) {
                self.aes.encrypt_block((&mut block).into());
                piece.iter_mut().zip(block.iter()).for_each(|(byte, key)| *byte ^= key);
            }
            at = end;
            chunk = CHUNK;
        }
    }

    fn expanded_iv(&self) -> [u8; 16] {
        let mut expanded = [0u8; 16];
        for (i, byte) in expanded.iter_mut().enumerate() {
            *byte = match self.expansion {
                IvExpansion::Repeat => self.iv[i % 4],
                IvExpansion::FirstByte => self.iv[0],
            };
        }
        expanded
    }

    /// The next IV, a function of the current one alone.
    fn shuffle(&mut self) {
        self.iv = shuffled(self.iv);
    }
}

/// The body length of a header, read without checking it (the header's two halves
/// XOR-ed as little-endian words).
pub fn length_of(header: [u8; HEADER]) -> u16 {
    u16::from_le_bytes([header[0], header[1]]) ^ u16::from_le_bytes([header[2], header[3]])
}

/// The IV following `iv`.
pub fn shuffled(iv: [u8; 4]) -> [u8; 4] {
    let mut next: [u8; 4] = [0xF2, 0x53, 0x50, 0xC6];
    for input in iv {
        let shift = SHUFFLE[usize::from(input)];
        next[0] = next[0].wrapping_add(SHUFFLE[usize::from(next[1])].wrapping_sub(input));
        next[1] = next[1].wrapping_sub(next[2] ^ shift);
        next[2] ^= SHUFFLE[usize::from(next[3])].wrapping_add(input);
        next[3] = next[3].wrapping_sub(next[0].wrapping_sub(shift));
        next = u32::from_le_bytes(next).rotate_left(3).to_le_bytes();
    }
    next
}

/// The Shanda cipher: three rounds, each a forward and a backward pass of byte
/// rotations, additions of the remaining length and chaining XORs.
pub mod shanda {
    /// A pass's per-byte amount: the count of bytes from here to the end, as a byte.
    fn amount(remaining: usize) -> u8 {
        remaining as u8
    }

    fn rotation(remaining: usize) -> u32 {
        (remaining % 8) as u32
    }

    pub fn encrypt(data: &mut [u8]) {
        let n = data.len();
        for _ in 0..3 {
            let mut chain = 0u8;
            for (i, byte) in data.iter_mut().enumerate() {
                let remaining = n - i;
                let mut c = byte.rotate_left(3).wrapping_add(amount(remaining)) ^ chain;
                chain = c;
                c = (c.rotate_right(rotation(remaining)) ^ 0xFF).wrapping_add(0x48);
                *byte = c;
            }
            let mut chain = 0u8;
            for remaining in (1..=n).rev() {
                let byte = &mut data[remaining - 1];
                let c = byte.rotate_left(4).wrapping_add(amount(remaining)) ^ chain;
                chain = c;
                *byte = (c ^ 0x13).rotate_right(3);
            }
        }
    }

    pub fn decrypt(data: &mut [u8]) {
        let n = data.len();
        for _ in 0..3 {
            let mut chain = 0u8;
            for remaining in (1..=n).rev() {
                let byte = &mut data[remaining - 1];
                let c = byte.rotate_left(3) ^ 0x13;
                let next = c;
                *byte = (c ^ chain).wrapping_sub(amount(remaining)).rotate_right(4);
                chain = next;
            }
            let mut chain = 0u8;
            for (i, byte) in data.iter_mut().enumerate() {
                let remaining = n - i;
                let c = (byte.wrapping_sub(0x48) ^ 0xFF).rotate_left(rotation(remaining));
                let next = c;
                *byte = (c ^ chain).wrapping_sub(amount(remaining)).rotate_right(3);
                chain = next;
            }
        }
    }
}

/// The IV shuffle's substitution table.
#[rustfmt::skip]
const SHUFFLE: [u8; 256] = [
    0xEC, 0x3F, 0x77, 0xA4, 0x45, 0xD0, 0x71, 0xBF, 0xB7, 0x98, 0x20, 0xFC, 0x4B, 0xE9, 0xB3, 0xE1,
    0x5C, 0x22, 0xF7, 0x0C, 0x44, 0x1B, 0x81, 0xBD, 0x63, 0x8D, 0xD4, 0xC3, 0xF2, 0x10, 0x19, 0xE0,
    0xFB, 0xA1, 0x6E, 0x66, 0xEA, 0xAE, 0xD6, 0xCE, 0x06, 0x18, 0x4E, 0xEB, 0x78, 0x95, 0xDB, 0xBA,
    0xB6, 0x42, 0x7A, 0x2A, 0x83, 0x0B, 0x54, 0x67, 0x6D, 0xE8, 0x65, 0xE7, 0x2F, 0x07, 0xF3, 0xAA,
    0x27, 0x7B, 0x85, 0xB0, 0x26, 0xFD, 0x8B, 0xA9, 0xFA, 0xBE, 0xA8, 0xD7, 0xCB, 0xCC, 0x92, 0xDA,
    0xF9, 0x93, 0x60, 0x2D, 0xDD, 0xD2, 0xA2, 0x9B, 0x39, 0x5F, 0x82, 0x21, 0x4C, 0x69, 0xF8, 0x31,
    0x87, 0xEE, 0x8E, 0xAD, 0x8C, 0x6A, 0xBC, 0xB5, 0x6B, 0x59, 0x13, 0xF1, 0x04, 0x00, 0xF6, 0x5A,
    0x35, 0x79, 0x48, 0x8F, 0x15, 0xCD, 0x97, 0x57, 0x12, 0x3E, 0x37, 0xFF, 0x9D, 0x4F, 0x51, 0xF5,
    0xA3, 0x70, 0xBB, 0x14, 0x75, 0xC2, 0xB8, 0x72, 0xC0, 0xED, 0x7D, 0x68, 0xC9, 0x2E, 0x0D, 0x62,
    0x46, 0x17, 0x11, 0x4D, 0x6C, 0xC4, 0x7E, 0x53, 0xC1, 0x25, 0xC7, 0x9A, 0x1C, 0x88, 0x58, 0x2C,
    0x89, 0xDC, 0x02, 0x64, 0x40, 0x01, 0x5D, 0x38, 0xA5, 0xE2, 0xAF, 0x55, 0xD5, 0xEF, 0x1A, 0x7C,
    0xA7, 0x5B, 0xA6, 0x6F, 0x86, 0x9F, 0x73, 0xE6, 0x0A, 0xDE, 0x2B, 0x99, 0x4A, 0x47, 0x9C, 0xDF,
    0x09, 0x76, 0x9E, 0x30, 0x0E, 0xE4, 0xB2, 0x94, 0xA0, 0x3B, 0x34, 0x1D, 0x28, 0x0F, 0x36, 0xE3,
    0x23, 0xB4, 0x03, 0xD8, 0x90, 0xC8, 0x3C, 0xFE, 0x5E, 0x32, 0x24, 0x50, 0x1F, 0x3A, 0x43, 0x8A,
    0x96, 0x41, 0x74, 0xAC, 0x52, 0x33, 0xF0, 0xD9, 0x29, 0x80, 0xB1, 0x16, 0xD3, 0xAB, 0x91, 0xB9,
    0x84, 0x7F, 0x61, 0x1E, 0xCF, 0xC5, 0xD1, 0x56, 0x3D, 0xCA, 0xF4, 0x05, 0xC6, 0xE5, 0x08, 0x49,
];

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Layers = Layers { shanda: false };

    fn aes_only(iv: [u8; 4], version: u16, expansion: IvExpansion, data: &mut [u8]) {
        Cipher::new(iv, version, expansion, PLAIN).ofb(data);
    }

    #[test]
    fn aes_ofb_reproduces_the_gms_v12_vector() {
        let mut data = [
            0xD6, 0x4A, 0xC2, 0x27, 0xDB, 0xD7, 0x6B, 0xF4, 0xEF, 0x2D, 0xC3, 0x80, 0xB5, 0x68, 0x05, 0xDD, 0xB5, 0x24, 0xF2, 0xDF, 0xCB,
            0x80, 0x58, 0xDE, 0x6C, 0x5C, 0xF4, 0x33, 0x5E, 0xBD, 0xE5, 0x52, 0xE1, 0xC0, 0x19, 0x35, 0xF0, 0x0C, 0x01, 0x3E, 0xB4,
        ];
        aes_only([0x46, 0x72, 0x7A, 0xB7], 12, IvExpansion::FirstByte, &mut data);
        let expected = [
            0xF7, 0x83, 0x4C, 0x9D, 0xD9, 0x93, 0xDA, 0x0C, 0x17, 0x8A, 0xF4, 0x07, 0x35, 0xD2, 0x27, 0x84, 0xBC, 0x7E, 0x66, 0xCC, 0x73,
            0xEC, 0xCD, 0x4F, 0x77, 0x3A, 0x66, 0x24, 0x17, 0xFE, 0xED, 0x42, 0xC2, 0xF1, 0xFB, 0xAD, 0x4E, 0x01, 0xBB, 0xA1, 0xAD,
        ];
        assert_eq!(data, expected);
    }

    #[test]
    fn aes_ofb_reproduces_the_gms_v83_vector() {
        let mut data = [
            0x4A, 0x2B, 0x97, 0x53, 0x94, 0x36, 0xA1, 0xB4, 0x61, 0x03, 0xAB, 0x01, 0xA0, 0x49, 0x70, 0xA0, 0x62, 0x95, 0x28, 0x7A, 0x47,
            0x0D, 0x1E, 0x2E, 0xD7, 0xF4, 0x98, 0xFC, 0x37, 0x11, 0x94, 0xBF, 0x6C, 0x19, 0x80, 0x69, 0x33, 0xF5, 0xC4, 0x50, 0x5B, 0xED,
            0x37, 0x95, 0xC3, 0xB6, 0x90, 0x29, 0x41,
        ];
        aes_only([0x0B, 0x60, 0x8B, 0xAE], 83, IvExpansion::Repeat, &mut data);
        let expected = [
            0x90, 0xB6, 0x09, 0xF8, 0x2B, 0xC1, 0x90, 0xC0, 0xDA, 0x21, 0x22, 0xA8, 0x27, 0xBE, 0x33, 0x20, 0x18, 0xE3, 0xFB, 0x7F, 0x51,
            0x98, 0xAF, 0x42, 0x75, 0xBA, 0xED, 0x56, 0xD9, 0x57, 0x2D, 0xBC, 0x7B, 0x55, 0x7B, 0x04, 0x7B, 0xBC, 0xEE, 0xC3, 0x3A, 0x44,
            0x5E, 0x1E, 0x02, 0x86, 0x0F, 0xFD, 0xB1,
        ];
        assert_eq!(data, expected);
    }

    #[test]
    fn ofb_restarts_at_each_chunk() {
        // Zeros encrypt to the keystream: the first chunk's start repeats at 1456, the
        // second's at 1456 + 1460, and nowhere in between.
        let mut data = vec![0u8; FIRST_CHUNK + CHUNK + 32];
        aes_only([1, 2, 3, 4], 83, IvExpansion::Repeat, &mut data);
        assert_eq!(data[..32], data[FIRST_CHUNK..FIRST_CHUNK + 32]);
        assert_eq!(data[..32], data[FIRST_CHUNK + CHUNK..FIRST_CHUNK + CHUNK + 32]);
        assert_ne!(data[..32], data[16..48]);
    }

    #[test]
    fn headers_round_trip_for_every_length_class() {
        // Empty, one byte, the byte boundaries, one byte either side of each OFB chunk
        // boundary, and the largest length a header can carry.
        let lengths = [0u16, 1, 2, 255, 256, 257, 1455, 1456, 1457, 2915, 2916, 2917, 4096, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF];
        for version in [83u16, 0xFFFF - 83, 12, 0] {
            let mut iv = [0x0B, 0x60, 0x8B, 0xAE];
            for length in lengths {
                let cipher = Cipher::new(iv, version, IvExpansion::Repeat, PLAIN);
                let header = cipher.header(length);
                assert_eq!(length_of(header), length);
                assert_eq!(cipher.body_length(header), Ok(length), "version {version}, length {length}");
                let other = Cipher::new(shuffled(iv), version, IvExpansion::Repeat, PLAIN);
                assert_eq!(other.body_length(header), Err(HeaderError::OutOfStep), "a header of another IV is refused");
                iv = shuffled(iv);
            }
        }
    }

    #[test]
    fn the_header_mixes_iv_version_and_length() {
        // IV bytes 2 and 3 XOR the version's low and high bytes; the next two bytes XOR
        // in the length's low and high bytes.
        let cipher = Cipher::new([0x0B, 0x60, 0x8B, 0xAE], 0xFFFF - 83, IvExpansion::Repeat, PLAIN);
        let version = (0xFFFFu16 - 83).to_le_bytes();
        let first = [0x8B ^ version[0], 0xAE ^ version[1]];
        assert_eq!(cipher.header(0x0102), [first[0], first[1], first[0] ^ 0x02, first[1] ^ 0x01]);
    }

    #[test]
    fn shanda_round_trips() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        for length in [0usize, 1, 2, 7, 8, 9, 255, 256, 257, 1500, 4000] {
            let original: Vec<u8> = (0..length)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed as u8
                })
                .collect();
            let mut data = original.clone();
            shanda::encrypt(&mut data);
            if length > 1 {
                assert_ne!(data, original, "length {length} is changed");
            }
            shanda::decrypt(&mut data);
            assert_eq!(data, original, "length {length}");
        }
    }

    #[test]
    fn sealed_packets_open_in_order_and_ivs_advance_together() {
        let layers = Layers { shanda: true };
        let mut sender = Cipher::new([9, 8, 7, 6], 83, IvExpansion::Repeat, layers);
        let mut receiver = Cipher::new([9, 8, 7, 6], 83, IvExpansion::Repeat, layers);
        for length in [0usize, 3, 1456, 1457, 5000] {
            let original: Vec<u8> = (0..length).map(|i| (i * 7) as u8).collect();
            let mut body = original.clone();
            let header = sender.seal(&mut body).expect("fits a header");
            assert_eq!(receiver.body_length(header), Ok(length as u16));
            receiver.open(&mut body);
            assert_eq!(body, original);
            assert_eq!(sender.iv(), receiver.iv());
        }
        assert!(sender.seal(&mut vec![0; 0x1_0000]).is_err(), "a body a header cannot announce is refused");
    }

    #[test]
    fn the_shuffle_is_deterministic_and_moves() {
        let iv = [0x0B, 0x60, 0x8B, 0xAE];
        assert_eq!(shuffled(iv), shuffled(iv));
        assert_ne!(shuffled(iv), iv);
        assert_ne!(shuffled(shuffled(iv)), shuffled(iv));
    }
}
