//! The hello: the one unencrypted packet, sent by the server as soon as a client
//! connects, telling it the version and both IVs it must start from.

use super::packet::Writer;
use super::profile::Profile;

/// The hello of a session whose server receives with `receive_iv` and sends with
/// `send_iv`: u16 length of the rest, u16 major version, the minor version as a
/// length-prefixed decimal string, the server's receive IV, its send IV, the locale.
pub fn hello(profile: &Profile, receive_iv: [u8; 4], send_iv: [u8; 4]) -> Vec<u8> {
    let mut rest = Writer::new(profile.code_page);
    rest.u16(profile.major).string(&profile.minor.to_string()).bytes(&receive_iv).bytes(&send_iv).u8(profile.locale);
    let rest = rest.finish();
    let mut packet = Writer::new(profile.code_page);
    // The rest is at most 2 + 2 + 5 + 4 + 4 + 1 bytes.
    packet.u16(rest.len() as u16).bytes(&rest);
    packet.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::tenant::Tenant;

    #[test]
    fn the_v83_hello_byte_for_byte() {
        let tenant = Tenant { id: uuid::Uuid::nil(), region: "GMS".into(), major: 83, minor: 1 };
        let bytes = hello(&Profile::of(&tenant), [0x11, 0x22, 0x33, 0x44], [0xA1, 0xB2, 0xC3, 0xD4]);
        let length = [0x0E, 0x00];
        let major = [0x53, 0x00];
        let minor = [0x01, 0x00, b'1'];
        let receive_iv = [0x11, 0x22, 0x33, 0x44];
        let send_iv = [0xA1, 0xB2, 0xC3, 0xD4];
        let locale = [0x08];
        let expected: Vec<u8> = [&length[..], &major, &minor, &receive_iv, &send_iv, &locale].concat();
        assert_eq!(bytes, expected);
    }

    #[test]
    fn the_length_counts_a_longer_minor_version_and_jms_has_locale_3() {
        let tenant = Tenant { id: uuid::Uuid::nil(), region: "JMS".into(), major: 185, minor: 10 };
        let bytes = hello(&Profile::of(&tenant), [0; 4], [0; 4]);
        assert_eq!(&bytes[..2], &[0x0F, 0x00]);
        assert_eq!(&bytes[2..4], &185u16.to_le_bytes());
        assert_eq!(&bytes[4..8], &[0x02, 0x00, b'1', b'0']);
        assert_eq!(bytes.last(), Some(&3));
        assert_eq!(bytes.len(), 2 + 0x0F);
    }
}
