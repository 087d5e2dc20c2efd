//! The channel edge end to end: the scenarios of `tests/conformance/channel/` drive real
//! WebSocket clients (tokio-tungstenite, in the runner's client steps) against the server
//! over a real broker, on both engines: logins through the account service, two players
//! seeing each other spawn, chat, emote, move, a skill and its buff, a meso drop and its
//! pick-up, a departure, a messenger round trip, and a player on another map receiving
//! none of it.

mod common;

fn run(database_url: Option<&str>) {
    common::run_scenarios("conformance/channel", database_url, &[]);
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
        let Some(url) = super::common::postgres() else { return };
        super::run(Some(url));
    }
}
