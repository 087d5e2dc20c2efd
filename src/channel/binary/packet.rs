//! Packet bodies: little-endian numbers and length-prefixed strings in the tenant's code
//! page. Reads are exact: a body too short for what is read is an error, never zeros.

use encoding_rs::Encoding;

/// A body ended before a read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("packet ends at byte {at}, {wanted} more bytes were expected")]
pub struct Short {
    pub at: usize,
    pub wanted: usize,
}

/// Reads a body front to back.
#[derive(Debug)]
pub struct Reader<'a> {
    body: &'a [u8],
    at: usize,
    code_page: &'static Encoding,
}

impl<'a> Reader<'a> {
    pub fn new(body: &'a [u8], code_page: &'static Encoding) -> Reader<'a> {
        Reader { body, at: 0, code_page }
    }

    pub fn bytes(&mut self, count: usize) -> Result<&'a [u8], Short> {
        let end = self.at.checked_add(count).filter(|end| *end <= self.body.len());
        let end = end.ok_or_else(|| Short { at: self.at, wanted: count - (self.body.len() - self.at) })?;
        let taken = &self.body[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Short> {
        let mut array = [0u8; N];
        array.copy_from_slice(self.bytes(N)?);
        Ok(array)
    }

    pub fn u8(&mut self) -> Result<u8, Short> {
        Ok(self.array::<1>()?[0])
    }

    pub fn bool(&mut self) -> Result<bool, Short> {
        Ok(self.u8()? != 0)
    }

    pub fn u16(&mut self) -> Result<u16, Short> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    pub fn u32(&mut self) -> Result<u32, Short> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub fn u64(&mut self) -> Result<u64, Short> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// A u16 length and that many bytes of text in the code page.
    pub fn string(&mut self) -> Result<String, Short> {
        let length = usize::from(self.u16()?);
        let (text, _, _) = self.code_page.decode(self.bytes(length)?);
        Ok(text.into_owned())
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.body.len() - self.at
    }
}

/// Builds a body.
#[derive(Debug)]
pub struct Writer {
    body: Vec<u8>,
    code_page: &'static Encoding,
}

impl Writer {
    pub fn new(code_page: &'static Encoding) -> Writer {
        Writer { body: Vec::new(), code_page }
    }

    pub fn u8(&mut self, value: u8) -> &mut Writer {
        self.body.push(value);
        self
    }

    pub fn bool(&mut self, value: bool) -> &mut Writer {
        self.u8(u8::from(value))
    }

    pub fn u16(&mut self, value: u16) -> &mut Writer {
        self.bytes(&value.to_le_bytes())
    }

    pub fn u32(&mut self, value: u32) -> &mut Writer {
        self.bytes(&value.to_le_bytes())
    }

    pub fn u64(&mut self, value: u64) -> &mut Writer {
        self.bytes(&value.to_le_bytes())
    }

    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Writer {
        self.body.extend_from_slice(bytes);
        self
    }

    /// A u16 length and the text in the code page; text beyond 65,535 bytes is cut, as no
    /// length could announce it.
    pub fn string(&mut self, text: &str) -> &mut Writer {
        let (encoded, _, _) = self.code_page.encode(text);
        let encoded = &encoded[..encoded.len().min(usize::from(u16::MAX))];
        self.u16(encoded.len() as u16).bytes(encoded)
    }

    pub fn len(&self) -> usize {
        self.body.len()
    }

    pub fn is_empty(&self) -> bool {
        self.body.is_empty()
    }

    pub fn finish(self) -> Vec<u8> {
        self.body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_strings_round_trip() {
        let mut writer = Writer::new(encoding_rs::WINDOWS_1252);
        writer.u8(7).bool(true).u16(0x1234).u32(0xDEAD_BEEF).u64(u64::MAX - 1).string("Élan");
        let body = writer.finish();
        assert_eq!(&body[..4], &[7, 1, 0x34, 0x12]);
        let mut reader = Reader::new(&body, encoding_rs::WINDOWS_1252);
        assert_eq!(reader.u8(), Ok(7));
        assert_eq!(reader.bool(), Ok(true));
        assert_eq!(reader.u16(), Ok(0x1234));
        assert_eq!(reader.u32(), Ok(0xDEAD_BEEF));
        assert_eq!(reader.u64(), Ok(u64::MAX - 1));
        assert_eq!(reader.string().as_deref(), Ok("Élan"), "one byte per character in code page 1252");
        assert_eq!(reader.remaining(), 0);
        assert_eq!(reader.u8(), Err(Short { at: body.len(), wanted: 1 }));
    }

    #[test]
    fn short_bodies_are_errors() {
        let mut reader = Reader::new(&[1, 2, 3], encoding_rs::WINDOWS_1252);
        assert_eq!(reader.u32(), Err(Short { at: 0, wanted: 1 }));
        assert_eq!(reader.u16(), Ok(0x0201), "a failed read consumes nothing");
        let mut reader = Reader::new(&[5, 0, b'a'], encoding_rs::WINDOWS_1252);
        assert!(reader.string().is_err(), "a string longer than the body");
    }

    #[test]
    fn strings_use_the_code_page() {
        let mut writer = Writer::new(encoding_rs::SHIFT_JIS);
        writer.string("メイプル");
        let body = writer.finish();
        assert_eq!(&body[..2], &[8, 0], "two bytes per katakana in Shift_JIS");
        assert_eq!(Reader::new(&body, encoding_rs::SHIFT_JIS).string().as_deref(), Ok("メイプル"));
    }
}
