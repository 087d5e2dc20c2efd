//! Atlas record keys: 8 bytes, the id as little-endian u32 then four zero bytes.

pub fn encode(id: u32) -> [u8; 8] {
    let mut key = [0u8; 8];
    key[..4].copy_from_slice(&id.to_le_bytes());
    key
}

/// Reads an Atlas key back; `None` unless it is 8 bytes with a zero upper half.
pub fn decode(key: &[u8]) -> Option<u32> {
    match key {
        [a, b, c, d, 0, 0, 0, 0] => Some(u32::from_le_bytes([*a, *b, *c, *d])),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn character_1001_matches_the_spec_bytes() {
        assert_eq!(super::encode(1001), [0xE9, 0x03, 0, 0, 0, 0, 0, 0]);
        assert_eq!(super::decode(&super::encode(u32::MAX)), Some(u32::MAX));
        assert_eq!(super::decode(&[1, 2, 3]), None);
        assert_eq!(super::decode(&[1, 0, 0, 0, 1, 0, 0, 0]), None);
    }
}
