//! Client packets read into the transport-neutral client frames, by the handler the
//! tenant's table binds their opcode to. Each read is exact: a packet shorter than its
//! handler's layout is refused.

use super::opcodes::Handler;
use super::packet::{Reader, Short};
use super::profile::Profile;
use crate::channel::frames::ClientFrame;

/// What a client packet amounts to.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// An action, handled as the same frame over WebSocket is.
    Frame(ClientFrame),
    /// The answer to a `Ping`: the client is alive, nothing else.
    Alive,
    /// A handler this transport does not serve yet: ignored.
    Unserved,
}

/// Reads the body after the opcode.
pub fn read(handler: &Handler, profile: &Profile, reader: &mut Reader<'_>) -> Result<Request, Short> {
    Ok(match handler {
        Handler::CharacterLoggedIn => {
            // The character, the client machine's id, a GM flag (two bytes in JMS), and
            // two values the server does not use.
            let character_id = reader.u32()?;
            reader.bytes(16)?;
            if profile.region == "JMS" {
                reader.u16()?;
            } else {
                reader.u8()?;
            }
            reader.bool()?;
            reader.u64()?;
            Request::Frame(ClientFrame::CharacterLoggedIn { character_id })
        }
        Handler::CharacterExpression => Request::Frame(ClientFrame::CharacterExpression { emote: reader.u32()? }),
        Handler::Pong => Request::Alive,
        Handler::Unserved(_) => Request::Unserved,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::tenant::Tenant;

    fn profile(region: &str) -> Profile {
        Profile::of(&Tenant { id: uuid::Uuid::nil(), region: region.into(), major: 83, minor: 1 })
    }

    #[test]
    fn a_channel_connect_carries_the_character() {
        let mut body = 30001u32.to_le_bytes().to_vec();
        body.extend([0xAA; 16]);
        body.extend([0, 0]);
        body.extend(0u64.to_le_bytes());
        let gms = profile("GMS");
        let mut reader = Reader::new(&body, gms.code_page);
        assert_eq!(
            read(&Handler::CharacterLoggedIn, &gms, &mut reader),
            Ok(Request::Frame(ClientFrame::CharacterLoggedIn { character_id: 30001 }))
        );
        assert_eq!(reader.remaining(), 0);
        let jms = profile("JMS");
        assert!(read(&Handler::CharacterLoggedIn, &jms, &mut Reader::new(&body, jms.code_page)).is_err(), "JMS's GM flag is two bytes");
        assert!(read(&Handler::CharacterLoggedIn, &gms, &mut Reader::new(&body[..20], gms.code_page)).is_err());
    }

    #[test]
    fn expressions_pongs_and_unserved_handlers() {
        let gms = profile("GMS");
        let body = 3u32.to_le_bytes();
        assert_eq!(
            read(&Handler::CharacterExpression, &gms, &mut Reader::new(&body, gms.code_page)),
            Ok(Request::Frame(ClientFrame::CharacterExpression { emote: 3 }))
        );
        assert_eq!(read(&Handler::Pong, &gms, &mut Reader::new(&[], gms.code_page)), Ok(Request::Alive));
        assert_eq!(read(&Handler::Unserved("NpcTalkHandle".into()), &gms, &mut Reader::new(&[], gms.code_page)), Ok(Request::Unserved));
    }
}
