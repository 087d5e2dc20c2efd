//! Server frames as game packets: the opcode from the tenant's writer table, then the
//! body laid out as the tenant's client reads it. This part writes what a login needs to
//! unlock the client (`StatChanged`) and the keep-alive (`Ping`); frames of writers not
//! written here yet are left out by the transport.

use super::opcodes::Table;
use super::packet::Writer;
use super::profile::Profile;
use crate::channel::frames::Frame;
use serde_json::Value;

/// Why a frame was not written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unwritten {
    #[error("the tenant's writer table has no opcode for {0}")]
    NoOpcode(String),
    #[error("{0} is not written as a game packet yet")]
    NotYet(String),
}

/// The body (opcode first) of a frame for this tenant.
pub fn encode(profile: &Profile, table: &Table, frame: &Frame) -> Result<Vec<u8>, Unwritten> {
    let name = frame.writer();
    let body: fn(&Profile, &Value, &Frame, &mut Writer) = match name {
        "Ping" => |_, _, _, _| {},
        "StatChanged" => stat_changed,
        _ => return Err(Unwritten::NotYet(name.to_string())),
    };
    let entry = table.writer(name).ok_or_else(|| Unwritten::NoOpcode(name.to_string()))?;
    let mut writer = profile.writer(entry.opcode).ok_or_else(|| Unwritten::NoOpcode(name.to_string()))?;
    body(profile, &entry.options, frame, &mut writer);
    Ok(writer.finish())
}

/// How a stat's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Width {
    Byte,
    Short,
    /// HP and MP: a short before v95, an int since.
    Pool,
    Int,
    Long,
}

fn width(stat: &str) -> Option<Width> {
    Some(match stat {
        "SKIN" | "LEVEL" => Width::Byte,
        "HP" | "MAX_HP" | "MP" | "MAX_MP" => Width::Pool,
        "JOB" | "STRENGTH" | "DEXTERITY" | "INTELLIGENCE" | "LUCK" | "AVAILABLE_AP" | "FAME" | "AVAILABLE_SP" => Width::Short,
        "FACE" | "HAIR" | "EXPERIENCE" | "MESO" | "GACHAPON_EXPERIENCE" => Width::Int,
        "PET_SN_1" | "PET_SN_2" | "PET_SN_3" => Width::Long,
        _ => return None,
    })
}

/// `StatChanged`: the "exclusive request sent" flag, a mask of the stats by their index in
/// the writer's `statistics` option, their values in index order, and trailing flag
/// bytes (one before GMS v95, two since). With no stats it is the client's unlock.
fn stat_changed(profile: &Profile, options: &Value, frame: &Frame, writer: &mut Writer) {
    let wide = profile.region == "GMS" && profile.major >= 95;
    let order: Vec<&str> = options["statistics"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    let mut stats: Vec<(usize, &str, i64)> = Vec::new();
    if let Some(updates) = frame.field("updates").and_then(Value::as_object) {
        for (stat, value) in updates {
            let Some(index) = order.iter().position(|s| s == stat).filter(|i| *i < 32) else {
                tracing::debug!(stat, "stat without an index in the writer options: left out");
                continue;
            };
            if width(stat).is_none() {
                continue;
            }
            stats.push((index, stat.as_str(), value.as_i64().unwrap_or_default()));
        }
    }
    stats.sort_by_key(|(index, _, _)| *index);
    writer.bool(frame.field("exclRequestSent").and_then(Value::as_bool).unwrap_or_default());
    writer.u32(stats.iter().fold(0u32, |mask, (index, _, _)| mask | 1 << index));
    for (_, stat, value) in stats {
        match width(stat) {
            Some(Width::Byte) => writer.u8(value as u8),
            Some(Width::Short) => writer.u16(value as u16),
            Some(Width::Pool) if wide => writer.u32(value as u32),
            Some(Width::Pool) => writer.u16(value as u16),
            Some(Width::Int) => writer.u32(value as u32),
            Some(Width::Long) => writer.u64(value as u64),
            None => writer,
        };
    }
    writer.u8(0);
    if wide {
        writer.u8(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::tenant::Tenant;
    use serde_json::json;

    fn v83() -> (Profile, Table) {
        let tenant = Tenant { id: uuid::Uuid::nil(), region: "GMS".into(), major: 83, minor: 1 };
        let table = Table::from_socket(&json!({"writers": [
            {"opCode": "0x1F", "writer": "StatChanged", "options": {"statistics": ["SKIN", "FACE", "HAIR", "PET_SN_1", "LEVEL", "JOB", "STRENGTH", "DEXTERITY", "INTELLIGENCE", "LUCK", "HP", "MAX_HP", "MP", "MAX_MP", "AVAILABLE_AP", "AVAILABLE_SP", "EXPERIENCE", "FAME", "MESO"]}},
            {"opCode": "0x11", "writer": "Ping"}
        ]}));
        (Profile::of(&tenant), table)
    }

    #[test]
    fn enable_actions_is_an_empty_stat_change() {
        let (profile, table) = v83();
        let body = encode(&profile, &table, &crate::channel::frames::enable_actions()).expect("written");
        assert_eq!(body, [0x1F, 0x00, 0x01, 0, 0, 0, 0, 0x00], "opcode, exclRequestSent, empty mask, trailing flag");
    }

    #[test]
    fn stats_are_written_in_index_order_with_their_widths() {
        let (profile, table) = v83();
        let frame = Frame::new("StatChanged", json!({"updates": {"MESO": 1000, "HP": 50, "LEVEL": 30}, "exclRequestSent": false}));
        let body = encode(&profile, &table, &frame).expect("written");
        let mask: u32 = 1 << 4 | 1 << 10 | 1 << 18;
        let expected: Vec<u8> =
            [&[0x1F, 0x00, 0x00][..], &mask.to_le_bytes(), &[30], &50u16.to_le_bytes(), &1000u32.to_le_bytes(), &[0]].concat();
        assert_eq!(body, expected);
    }

    #[test]
    fn frames_without_a_writer_or_opcode_are_not_written() {
        let (profile, table) = v83();
        assert_eq!(encode(&profile, &table, &Frame::new("Ping", json!({}))), Ok(vec![0x11, 0x00]));
        assert_eq!(encode(&profile, &table, &Frame::new("SetField", json!({}))), Err(Unwritten::NotYet("SetField".into())));
        let empty = Table::default();
        assert_eq!(encode(&profile, &empty, &Frame::new("Ping", json!({}))), Err(Unwritten::NoOpcode("Ping".into())));
    }
}
