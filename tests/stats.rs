//! The project's own effective-stats scenarios (`tests/scenarios/stats/`), run by the
//! conformance runner on both engines: behaviour beyond the public scenarios (passives
//! following skill changes, entries outliving idle actors, REST refusals, session issuers).

mod common;

use std::process::Command;

fn run(database_url: Option<&str>) {
    let scenarios = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scenarios/stats");
    let mut command = Command::new(env!("CARGO_BIN_EXE_atlas-actors"));
    command.arg("conformance").arg(scenarios).env("LOG_LEVEL", "warn");
    if let Some(url) = database_url {
        command.arg("--database-url").arg(url);
    }
    // Short enough that one scenario idles its actor past it (the server inherits it).
    command.env("ACTOR_IDLE_TIMEOUT", "1s");
    let output = command.output().expect("run the conformance runner");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.trim_end().ends_with(" 0 failed"), "{stdout}");
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
        super::run(Some(super::common::POSTGRES_URL));
    }
}
