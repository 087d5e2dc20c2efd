//! The project's own effective-stats scenarios (`tests/scenarios/stats/`), run by the
//! conformance runner on both engines: behaviour beyond the public scenarios (passives
//! following skill changes, entries outliving idle actors, REST refusals, session issuers).

mod common;

fn run(database_url: Option<&str>) {
    // Short enough that one scenario idles its actor past it (the server inherits it).
    common::run_scenarios("scenarios/stats", database_url, &[("ACTOR_IDLE_TIMEOUT", "1s")]);
}

mod sqlite {
    #[test]
    fn own_stats_scenarios() {
        let _serial = super::common::serial();
        super::run(None);
    }
}

mod postgres {
    #[test]
    fn own_stats_scenarios() {
        let _serial = super::common::serial();
        let Some(url) = super::common::postgres() else { return };
        super::run(Some(url));
    }
}
