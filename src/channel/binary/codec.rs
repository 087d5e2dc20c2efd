//! Framing: a 4-byte header, then the body it announces. The incoming side takes whole
//! packets off a byte buffer however the bytes arrived (a read may end anywhere in a
//! header or body), refuses a header out of step with the session's cipher or announcing
//! more than the size cap, and says how many bytes it still wants so a reader never
//! takes more than one packet from the socket.

use super::crypto::{Cipher, HeaderError, HEADER};

/// Why the incoming stream cannot go on; the session ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error(transparent)]
    OutOfStep(#[from] HeaderError),
    #[error("packet of {length} bytes announced, more than the {cap}-byte cap")]
    TooLarge { length: usize, cap: usize },
}

/// Packets a client sends.
#[derive(Debug)]
pub struct Incoming {
    cipher: Cipher,
    cap: usize,
    /// The body length of a header already taken off the buffer.
    announced: Option<usize>,
}

impl Incoming {
    pub fn new(cipher: Cipher, cap: usize) -> Incoming {
        Incoming { cipher, cap, announced: None }
    }

    /// Bytes `buffer` still lacks for the next header or body.
    pub fn wanted(&self, buffer: &[u8]) -> usize {
        self.announced.unwrap_or(HEADER).saturating_sub(buffer.len()).max(1)
    }

    /// Whether a packet has begun arriving and is not complete.
    pub fn mid_packet(&self, buffer: &[u8]) -> bool {
        self.announced.is_some() || !buffer.is_empty()
    }

    /// The next whole packet's decrypted body, taken off the front of `buffer`; `None`
    /// until enough bytes are there.
    pub fn next(&mut self, buffer: &mut Vec<u8>) -> Result<Option<Vec<u8>>, FrameError> {
        let length = match self.announced {
            Some(length) => length,
            None => {
                let Some(header) = buffer.get(..HEADER) else { return Ok(None) };
                let header: [u8; HEADER] = [header[0], header[1], header[2], header[3]];
                let length = usize::from(self.cipher.body_length(header)?);
                if length > self.cap {
                    return Err(FrameError::TooLarge { length, cap: self.cap });
                }
                buffer.drain(..HEADER);
                self.announced = Some(length);
                length
            }
        };
        if buffer.len() < length {
            return Ok(None);
        }
        let mut body: Vec<u8> = buffer.drain(..length).collect();
        self.announced = None;
        self.cipher.open(&mut body);
        Ok(Some(body))
    }
}

/// Packets a server sends.
#[derive(Debug)]
pub struct Outgoing {
    cipher: Cipher,
}

impl Outgoing {
    pub fn new(cipher: Cipher) -> Outgoing {
        Outgoing { cipher }
    }

    /// Header and encrypted body, ready for the socket; `None` for a body no header can
    /// announce (over 65,535 bytes), which is not sent and leaves the cipher unmoved.
    pub fn seal(&mut self, mut body: Vec<u8>) -> Option<Vec<u8>> {
        let header = self.cipher.seal(&mut body).ok()?;
        let mut packet = Vec::with_capacity(HEADER + body.len());
        packet.extend_from_slice(&header);
        packet.extend_from_slice(&body);
        Some(packet)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::binary::crypto::{IvExpansion, Layers};

    fn pair(cap: usize) -> (Outgoing, Incoming) {
        let layers = Layers { shanda: true };
        let iv = [0x21, 0x43, 0x65, 0x87];
        (
            Outgoing::new(Cipher::new(iv, 83, IvExpansion::Repeat, layers)),
            Incoming::new(Cipher::new(iv, 83, IvExpansion::Repeat, layers), cap),
        )
    }

    #[test]
    fn packets_survive_any_split_of_the_stream() {
        let (mut out, _) = pair(0);
        let bodies: Vec<Vec<u8>> = [0usize, 1, 30, 1456, 1457, 3000].iter().map(|n| (0..*n).map(|i| (i % 251) as u8).collect()).collect();
        let stream: Vec<u8> = bodies.iter().flat_map(|b| out.seal(b.clone()).expect("sealed")).collect();
        for step in [1usize, 2, 3, 5, 4096] {
            let (_, mut incoming) = pair(4096);
            let mut buffer = Vec::new();
            let mut got = Vec::new();
            for piece in stream.chunks(step) {
                buffer.extend_from_slice(piece);
                while let Some(body) = incoming.next(&mut buffer).expect("in step") {
                    got.push(body);
                }
            }
            assert_eq!(got, bodies, "arriving {step} bytes at a time");
            assert!(buffer.is_empty());
        }
    }

    #[test]
    fn wanted_never_exceeds_one_packet() {
        let (mut out, mut incoming) = pair(4096);
        let packet = out.seal(vec![9; 10]).expect("sealed");
        let mut buffer = Vec::new();
        assert_eq!(incoming.wanted(&buffer), HEADER);
        buffer.extend_from_slice(&packet[..3]);
        assert_eq!(incoming.wanted(&buffer), 1);
        buffer.push(packet[3]);
        assert_eq!(incoming.next(&mut buffer), Ok(None));
        assert_eq!(incoming.wanted(&buffer), 10);
        buffer.extend_from_slice(&packet[4..]);
        assert_eq!(incoming.next(&mut buffer), Ok(Some(vec![9; 10])));
    }

    #[test]
    fn oversized_and_out_of_step_headers_end_the_stream() {
        let (mut out, mut incoming) = pair(100);
        let mut buffer = out.seal(vec![0; 101]).expect("sealed");
        assert_eq!(incoming.next(&mut buffer), Err(FrameError::TooLarge { length: 101, cap: 100 }));
        let (_, mut incoming) = pair(100);
        let mut garbage = vec![0xAB, 0xCD, 0x00, 0x00, 1, 2];
        assert_eq!(incoming.next(&mut garbage), Err(FrameError::OutOfStep(HeaderError::OutOfStep)));
        let (mut out, _) = pair(100);
        assert!(out.seal(vec![0; 0x1_0000]).is_none());
    }
}
