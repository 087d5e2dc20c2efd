//! Durations in settings, parsed by `humantime` (`250ms`, `30s`, `10m`, `1h`, `1h 30m`),
//! plus a bare number, read as seconds as before. Below the settings (`bounds`, `config`,
//! `simulate` all parse them), so none imports another.

use std::time::Duration;

/// Parses a duration in humantime's notation, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().map(Duration::from_secs).map_err(|_| format!("not a duration: {text}"));
    }
    humantime::parse_duration(text).map_err(|error| format!("not a duration: {text} ({error})"))
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)), "a bare number is seconds");
        assert_eq!(parse_duration(" 5s "), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("1h 30m"), Ok(Duration::from_secs(5400)));
        assert!(parse_duration("x").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("10 parsecs").is_err());
    }
}
