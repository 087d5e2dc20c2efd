//! Per-frame and per-session limits at the channel edge: list lengths and value ranges
//! taken from the game's own packets (spec 51), a token bucket on a session's frame rate,
//! and the short prefix of client input an error may repeat.

use super::frames::ClientFrame;
use std::time::Instant;

/// Targets of one attack: the packet's count is the high nibble of a byte.
pub const MAX_ATTACK_TARGETS: usize = 15;
/// Damage lines per target: the low nibble of the same byte.
pub const MAX_DAMAGE_LINES: usize = 15;
/// Entries of an AP auto-assignment: one per ability the client can raise.
pub const MAX_AP_ENTRIES: usize = 6;
/// An AP amount is an i8 on the wire (spec 51 `REQUEST_DISTRIBUTE_AP`): 1 to 127; a value
/// whose low byte is 0 or above 127 would be sent as 0 or a negative amount.
pub const MAX_AP_AMOUNT: u32 = 127;
/// Heal over time per tick: the game's regeneration sources (recovery skills, chairs)
/// heal hundreds per tick at most, and regeneration never takes HP or MP away.
pub const MAX_HEAL_PER_TICK: i16 = 2_000;
/// Characters of client input repeated in an error.
pub const ECHO_CHARS: usize = 64;

/// Why a frame was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("{field}: {count} entries, at most {max}")]
    TooMany { field: &'static str, count: usize, max: usize },
    #[error("{field}: {value} is out of range {min}..={max}")]
    OutOfRange { field: &'static str, value: i64, min: i64, max: i64 },
}

/// Checks a frame against the game's limits before it becomes commands.
pub fn check(frame: &ClientFrame) -> Result<(), Refused> {
    match frame {
        ClientFrame::CharacterAttack { targets, .. } => {
            at_most("targets", targets.len(), MAX_ATTACK_TARGETS)?;
            targets.iter().try_for_each(|t| at_most("damages", t.damages.len(), MAX_DAMAGE_LINES))
        }
        ClientFrame::CharacterAutoDistributeAp { entries } => {
            at_most("entries", entries.len(), MAX_AP_ENTRIES)?;
            entries.iter().try_for_each(|e| within("value", i64::from(e.value), 1, i64::from(MAX_AP_AMOUNT)))
        }
        ClientFrame::CharacterHealOverTime { hp, mp } => {
            within("hp", i64::from(*hp), 0, i64::from(MAX_HEAL_PER_TICK))?;
            within("mp", i64::from(*mp), 0, i64::from(MAX_HEAL_PER_TICK))
        }
        _ => Ok(()),
    }
}

fn at_most(field: &'static str, count: usize, max: usize) -> Result<(), Refused> {
    if count > max {
        return Err(Refused::TooMany { field, count, max });
    }
    Ok(())
}

fn within(field: &'static str, value: i64, min: i64, max: i64) -> Result<(), Refused> {
    if value < min || value > max {
        return Err(Refused::OutOfRange { field, value, min, max });
    }
    Ok(())
}

/// At most [`ECHO_CHARS`] characters of `text`, marked when cut.
pub fn echo(text: &str) -> String {
    match text.char_indices().nth(ECHO_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// A token bucket: `burst` frames at once, refilled at `rate` per second.
#[derive(Debug)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    pub fn new(rate: u32, burst: u32) -> TokenBucket {
        let burst = f64::from(burst.max(1));
        TokenBucket { rate: f64::from(rate.max(1)), burst, tokens: burst, last: Instant::now() }
    }

    /// Takes one token at `now`; false when the bucket is empty.
    pub fn take(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last);
        self.last = now;
        self.tokens = (self.tokens + elapsed.as_secs_f64() * self.rate).min(self.burst);
        if self.tokens < 1.0 {
            return false;
        }
        self.tokens -= 1.0;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Duration;

    fn frame(value: serde_json::Value) -> ClientFrame {
        serde_json::from_value(value).expect("a client frame")
    }

    #[test]
    fn lists_longer_than_the_game_allows_are_refused() {
        let line = |n: usize| json!({"monsterId": 1, "damages": vec![5; n]});
        assert!(check(&frame(json!({"type": "CharacterAttack", "targets": vec![line(15); 15]}))).is_ok());
        let many_lines = frame(json!({"type": "CharacterAttack", "targets": [line(20_000)]}));
        assert_eq!(check(&many_lines), Err(Refused::TooMany { field: "damages", count: 20_000, max: 15 }));
        let many_targets = frame(json!({"type": "CharacterAttack", "targets": vec![line(1); 16]}));
        assert!(check(&many_targets).is_err());
    }

    #[test]
    fn amounts_outside_the_wire_range_are_refused() {
        let ap = |value: u32| frame(json!({"type": "CharacterAutoDistributeAp", "entries": [{"flag": 64, "value": value}]}));
        assert!(check(&ap(1)).is_ok());
        assert!(check(&ap(127)).is_ok());
        assert!(check(&ap(255)).is_err(), "255 would be sent as -1");
        assert!(check(&ap(0)).is_err());
        let heal = |hp: i16, mp: i16| frame(json!({"type": "CharacterHealOverTime", "hp": hp, "mp": mp}));
        assert!(check(&heal(10, 3)).is_ok());
        assert!(check(&heal(-5, 0)).is_err());
        assert!(check(&heal(30_000, 0)).is_err());
    }

    #[test]
    fn an_echo_is_a_short_prefix() {
        assert_eq!(echo("short"), "short");
        let long = "x".repeat(4 * 1024 * 1024);
        assert_eq!(echo(&long).chars().count(), ECHO_CHARS + 1);
    }

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(10, 3);
        assert!((0..3).all(|_| bucket.take(start)));
        assert!(!bucket.take(start), "the burst is spent");
        assert!(bucket.take(start + Duration::from_millis(100)), "one token refilled after 1/rate");
        assert!(!bucket.take(start + Duration::from_millis(100)));
    }
}
