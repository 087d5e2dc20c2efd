//! A loopback game client of the binary transport: reads the hello, keeps both
//! directions' ciphers in step with the server's, sends packets and reads the server's,
//! so tests can drive binary sessions as a game client would.

#![allow(dead_code)]

use atlas_actors::channel::binary::codec::{Incoming, Outgoing};
use atlas_actors::channel::binary::profile::Profile;
use atlas_actors::contracts::tenant::Tenant;
use std::io::{ErrorKind, Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// The hello's fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Hello {
    pub major: u16,
    pub minor: String,
    /// The IV the server receives with: the client sends with it.
    pub receive_iv: [u8; 4],
    /// The IV the server sends with: the client receives with it.
    pub send_iv: [u8; 4],
    pub locale: u8,
}

pub struct BinaryClient {
    stream: TcpStream,
    pub profile: Profile,
    pub hello: Hello,
    outgoing: Outgoing,
    incoming: Incoming,
    buffer: Vec<u8>,
}

/// What reading from the server gave.
#[derive(Debug, PartialEq)]
pub enum Received {
    Packet(Vec<u8>),
    /// Nothing within the wait.
    Nothing,
    /// The server closed the connection.
    Closed,
}

impl BinaryClient {
    /// Connects and reads the hello (waiting up to 10 s for the server to take the
    /// connection).
    pub fn connect(port: u16, tenant: &Tenant) -> BinaryClient {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut stream = loop {
            match TcpStream::connect(("127.0.0.1", port)) {
                Ok(stream) => break stream,
                Err(error) if Instant::now() > deadline => panic!("connecting to the binary port {port}: {error}"),
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        };
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
        let mut length = [0u8; 2];
        stream.read_exact(&mut length).expect("hello length");
        let mut rest = vec![0u8; usize::from(u16::from_le_bytes(length))];
        stream.read_exact(&mut rest).expect("hello");
        let major = u16::from_le_bytes([rest[0], rest[1]]);
        let minor_length = usize::from(u16::from_le_bytes([rest[2], rest[3]]));
        let minor = String::from_utf8(rest[4..4 + minor_length].to_vec()).expect("minor version text");
        let at = 4 + minor_length;
        let iv = |from: usize| [rest[from], rest[from + 1], rest[from + 2], rest[from + 3]];
        let hello = Hello { major, minor, receive_iv: iv(at), send_iv: iv(at + 4), locale: rest[at + 8] };
        assert_eq!(rest.len(), at + 9, "nothing after the locale");
        let profile = Profile::of(tenant);
        let outgoing = Outgoing::new(profile.client_to_server(hello.receive_iv));
        let incoming = Incoming::new(profile.server_to_client(hello.send_iv), usize::from(u16::MAX));
        BinaryClient { stream, profile, hello, outgoing, incoming, buffer: Vec::new() }
    }

    /// Sends a body (opcode first), encrypted as a client does.
    pub fn send(&mut self, body: Vec<u8>) {
        let packet = self.outgoing.seal(body).expect("a body a header can announce");
        self.stream.write_all(&packet).expect("send");
    }

    /// Sends raw bytes, bypassing the cipher.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send raw");
    }

    /// A body with the tenant's opcode width.
    pub fn body(&self, opcode: u16) -> atlas_actors::channel::binary::packet::Writer {
        self.profile.writer(opcode).expect("opcode fits")
    }

    /// The next packet from the server within `wait`.
    pub fn receive(&mut self, wait: Duration) -> Received {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(body) = self.incoming.next(&mut self.buffer).expect("server packets in step") {
                return Received::Packet(body);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Received::Nothing;
            }
            self.stream.set_read_timeout(Some(left)).expect("timeout");
            let mut chunk = [0u8; 4096];
            match self.stream.read(&mut chunk) {
                Ok(0) => return Received::Closed,
                Ok(count) => self.buffer.extend_from_slice(&chunk[..count]),
                Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => return Received::Nothing,
                Err(_) => return Received::Closed,
            }
        }
    }

    /// Reads until the server closes the connection; false if it did not within `wait`.
    pub fn closed_within(&mut self, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        while Instant::now() < deadline {
            match self.receive(deadline.saturating_duration_since(Instant::now())) {
                Received::Closed => return true,
                Received::Packet(_) => continue,
                Received::Nothing => return false,
            }
        }
        false
    }

    pub fn close(self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }
}
