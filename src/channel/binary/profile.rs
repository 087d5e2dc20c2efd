//! What a tenant's game client expects of the transport: opcode width, text code page,
//! cipher layers, how the AES IV is expanded and the locale byte of the hello. All of it
//! follows from the tenant's region and version.

use super::crypto::{Cipher, IvExpansion, Layers};
use super::packet::{Reader, Short, Writer};
use crate::contracts::tenant::Tenant;
use encoding_rs::Encoding;

/// Bytes of an opcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpcodeWidth {
    /// GMS up to v28.
    Byte,
    Short,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Upper case, as Atlas compares it.
    pub region: String,
    pub major: u16,
    pub minor: u16,
    pub opcode: OpcodeWidth,
    pub code_page: &'static Encoding,
    pub layers: Layers,
    pub expansion: IvExpansion,
    /// Last byte of the hello: 3 for JMS, 8 for every other region.
    pub locale: u8,
}

impl Profile {
    pub fn of(tenant: &Tenant) -> Profile {
        let region = tenant.region.to_ascii_uppercase();
        let gms = region == "GMS";
        let jms = region == "JMS";
        Profile {
            major: tenant.major,
            minor: tenant.minor,
            opcode: if gms && tenant.major <= 28 { OpcodeWidth::Byte } else { OpcodeWidth::Short },
            code_page: code_page(&region),
            // JMS clients do not apply the Shanda layer.
            layers: Layers { shanda: !jms },
            expansion: if gms && tenant.major <= 12 { IvExpansion::FirstByte } else { IvExpansion::Repeat },
            locale: if jms { 3 } else { 8 },
            region,
        }
    }

    pub fn read_opcode(&self, reader: &mut Reader<'_>) -> Result<u16, Short> {
        match self.opcode {
            OpcodeWidth::Byte => reader.u8().map(u16::from),
            OpcodeWidth::Short => reader.u16(),
        }
    }

    /// Starts a body with its opcode; `None` when the opcode does not fit the width.
    pub fn writer(&self, opcode: u16) -> Option<Writer> {
        let mut writer = Writer::new(self.code_page);
        match self.opcode {
            OpcodeWidth::Byte => writer.u8(u8::try_from(opcode).ok()?),
            OpcodeWidth::Short => writer.u16(opcode),
        };
        Some(writer)
    }

    /// The cipher of packets a client sends, from the IV the server announced for them.
    pub fn client_to_server(&self, iv: [u8; 4]) -> Cipher {
        Cipher::new(iv, self.major, self.expansion, self.layers)
    }

    /// The cipher of packets a server sends.
    pub fn server_to_client(&self, iv: [u8; 4]) -> Cipher {
        Cipher::new(iv, 0xFFFF - self.major, self.expansion, self.layers)
    }
}

/// The code page of a region's client text.
fn code_page(region: &str) -> &'static Encoding {
    match region {
        "JMS" => encoding_rs::SHIFT_JIS,
        "KMS" => encoding_rs::EUC_KR,
        "CMS" => encoding_rs::GBK,
        "TMS" => encoding_rs::BIG5,
        _ => encoding_rs::WINDOWS_1252,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(region: &str, major: u16) -> Tenant {
        Tenant { id: uuid::Uuid::nil(), region: region.into(), major, minor: 1 }
    }

    #[test]
    fn profiles_follow_region_and_version() {
        let v83 = Profile::of(&tenant("GMS", 83));
        assert_eq!((v83.opcode, v83.locale, v83.layers.shanda, v83.expansion), (OpcodeWidth::Short, 8, true, IvExpansion::Repeat));
        assert_eq!(v83.code_page, encoding_rs::WINDOWS_1252);
        assert_eq!(Profile::of(&tenant("GMS", 28)).opcode, OpcodeWidth::Byte);
        assert_eq!(Profile::of(&tenant("GMS", 29)).opcode, OpcodeWidth::Short);
        assert_eq!(Profile::of(&tenant("GMS", 12)).expansion, IvExpansion::FirstByte);
        let jms = Profile::of(&tenant("JMS", 185));
        assert_eq!((jms.opcode, jms.locale, jms.layers.shanda), (OpcodeWidth::Short, 3, false));
        assert_eq!(jms.code_page, encoding_rs::SHIFT_JIS);
    }

    #[test]
    fn opcodes_take_the_profile_width() {
        let narrow = Profile::of(&tenant("GMS", 12));
        let body = narrow.writer(0x14).expect("fits a byte").finish();
        assert_eq!(body, [0x14]);
        assert!(narrow.writer(0x100).is_none(), "an opcode a byte cannot carry");
        assert_eq!(narrow.read_opcode(&mut Reader::new(&body, narrow.code_page)), Ok(0x14));
        let wide = Profile::of(&tenant("GMS", 83));
        let body = wide.writer(0x14).expect("fits").finish();
        assert_eq!(body, [0x14, 0x00]);
        assert_eq!(wide.read_opcode(&mut Reader::new(&body, wide.code_page)), Ok(0x14));
    }
}
