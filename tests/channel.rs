//! The channel edge end to end: the scenarios of `tests/conformance/channel/` drive real
//! WebSocket clients (tokio-tungstenite, in the runner's client steps) against the server
//! over a real broker, on both engines: logins through the account service, two players
//! seeing each other spawn, chat, emote, move, a skill and its buff, a meso drop and its
//! pick-up, a departure, a messenger round trip, and a player on another map receiving
//! none of it.

mod common;

use std::process::Command;

fn run(database_url: Option<&str>) {
    let scenarios = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conformance/channel");
    let mut command = Command::new(env!("CARGO_BIN_EXE_atlas-actors"));
    command.arg("conformance").arg(scenarios).env("LOG_LEVEL", "warn");
    if let Some(url) = database_url {
        command.arg("--database-url").arg(url);
    }
    let output = command.output().expect("run the conformance runner");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.trim_end().ends_with(" 0 failed"), "{stdout}");
    assert!(!stdout.contains("channel: 0 passed"), "{stdout}");
}

mod sqlite {
    #[test]
    fn channel_scenarios() {
        let _serial = super::common::serial();
        super::run(None);
    }
}

mod postgres {
    #[test]
    fn channel_scenarios() {
        let _serial = super::common::serial();
        super::run(Some(super::common::POSTGRES_URL));
    }
}
