//! The project's own scenarios for strict decoding and the saga rules (`tests/scenarios/
//! strictness/`), run by the conformance runner on both engines: arrays where objects
//! belong, fields of one type not constraining another, status events checked against
//! their types, REST payloads re-encoded, reactor-drop fallbacks, destroy_asset's template
//! check, FAILED's character and macro order.

mod common;

mod sqlite {
    #[test]
    fn strictness_scenarios() {
        let _serial = super::common::serial();
        super::common::run_scenarios("scenarios/strictness", None, &[]);
    }
}

mod postgres {
    #[test]
    fn strictness_scenarios() {
        let Some(url) = super::common::postgres() else { return };
        let _serial = super::common::serial();
        super::common::run_scenarios("scenarios/strictness", Some(url), &[]);
    }
}
