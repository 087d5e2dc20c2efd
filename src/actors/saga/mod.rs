//! Sagas (spec 40): one actor per (tenant, transactionId) runs the saga's steps in order,
//! completes or fails each by the action table's events, compensates completed steps newest
//! first, and emits exactly one COMPLETED or FAILED. Every transition is written with the
//! commands it produces (outbox), so a restart neither loses nor repeats a dispatch.

pub mod actions;
mod index;
mod lookups;
pub mod sql;
pub mod status;

use super::entity::{Effects, Entity, EntityError, Meta};
use super::foreign::Foreign;
use crate::contracts::json::GoTime;
use crate::contracts::saga::{status_key, Document, FailedBody, SagaEvent, SagaStatus as StatusEvent};
use crate::contracts::saga_payload::{Action, MoveAsset};
use crate::contracts::tenant::Tenant;
use crate::store::Store;
use actions::{Command, Verdict};
use chrono::{DateTime, Utc};
pub use index::SagaIndex;
use serde::{Deserialize, Serialize};
use serde_json::Value;
pub use status::{SagaStatus, StepStatus};
use uuid::Uuid;

/// What a saga's handlers use: the store (its own state), the other Atlas services (the
/// look-ups some steps need) and its deadline.
#[derive(Debug)]
pub struct SagaPorts {
    pub store: Store,
    pub foreign: Foreign,
    /// How long a saga may run before it is failed (`SAGA_DEFAULT_TIMEOUT`).
    pub timeout: std::time::Duration,
}

/// How long a finished saga's id keeps a re-delivered document from starting it again.
const RETENTION: chrono::Duration = chrono::Duration::hours(24);
const DEADLINE: &str = "deadline";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub step_id: String,
    pub status: StepStatus,
    /// Stored as the document spells it: `action` beside `payload`.
    #[serde(flatten, with = "named_action")]
    pub action: Action,
    pub created_at: GoTime,
    pub updated_at: GoTime,
    /// The slot a `create_and_equip_asset` created (§4.6.1), for its compensation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_slot: Option<i16>,
}

impl Step {
    pub fn new(step_id: &str, action: Action) -> Step {
        let now = GoTime::now();
        Step { step_id: step_id.into(), status: StepStatus::Pending, action, created_at: now, updated_at: now, created_slot: None }
    }
}

/// A step's action stored by name with its payload, decoded again on load.
mod named_action {
    use crate::contracts::saga_payload::{Action, NamedAction};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(action: &Action, s: S) -> Result<S::Ok, S::Error> {
        NamedAction::from(action.clone()).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Action, D::Error> {
        Action::try_from(NamedAction::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SagaState {
    pub transaction_id: Uuid,
    pub saga_type: String,
    pub initiated_by: String,
    pub steps: Vec<Step>,
    pub status: SagaStatus,
    pub deadline: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub region: String,
    pub major: u16,
    pub minor: u16,
}

impl SagaState {
    /// The REST resource (§10) as JSON, the form the REST layer's documents take.
    pub fn resource(&self) -> Value {
        // A derived `Serialize` of these structs (string keys only) cannot fail.
        serde_json::to_value(self.as_resource()).unwrap_or_default()
    }

    /// The REST resource (§10).
    pub fn as_resource(&self) -> SagaResource {
        let steps = self
            .steps
            .iter()
            .map(|s| StepResource {
                step_id: s.step_id.clone(),
                status: s.status,
                action: s.action.clone(),
                created_at: to_second(s.created_at),
                updated_at: to_second(s.updated_at),
            })
            .collect();
        SagaResource {
            kind: SagasType::Sagas,
            id: self.transaction_id.to_string(),
            attributes: SagaAttributes {
                transaction_id: self.transaction_id,
                saga_type: self.saga_type.clone(),
                initiated_by: self.initiated_by.clone(),
                steps,
            },
        }
    }
}

/// A saga as REST shows it (§10): a JSON:API resource of type `sagas`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SagaResource {
    #[serde(rename = "type")]
    pub kind: SagasType,
    pub id: String,
    pub attributes: SagaAttributes,
}

/// The JSON:API resource type, `sagas`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SagasType {
    Sagas,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SagaAttributes {
    pub transaction_id: Uuid,
    pub saga_type: String,
    pub initiated_by: String,
    pub steps: Vec<StepResource>,
}

/// A step as REST shows it: the decoded payload re-encoded (zero values included), times
/// to the second.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepResource {
    pub step_id: String,
    pub status: StepStatus,
    #[serde(flatten, serialize_with = "named_action::serialize")]
    pub action: Action,
    pub created_at: GoTime,
    pub updated_at: GoTime,
}

/// The body of a saga's COMPLETED status event, written `{}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
struct Completed {}

#[derive(Debug, Clone, PartialEq)]
pub enum SagaInput {
    Start(Document),
    Event(SagaEvent),
}

#[derive(Debug)]
pub struct Saga {
    tenant: Uuid,
    id: Uuid,
    state: Option<SagaState>,
    /// The version of the stored row this state was read from (optimistic lock).
    version: i64,
}

type Out = Effects<()>;

/// §3.3 step 2: invariants a document must hold to start.
pub fn acceptable(document: &Document) -> bool {
    let mut seen = std::collections::HashSet::new();
    let mut pending_seen = false;
    for step in &document.steps {
        if !seen.insert(&step.step_id) || step.action.is_empty() {
            return false;
        }
        match StepStatus::parse(&step.status) {
            Some(StepStatus::Pending) => pending_seen = true,
            Some(StepStatus::Completed) if !pending_seen => {}
            _ => return false,
        }
    }
    document.transaction_id.is_some_and(|t| !t.is_nil())
}

impl Saga {
    fn tenant_of(&self, state: &SagaState) -> Tenant {
        Tenant { id: self.tenant, region: state.region.clone(), major: state.major, minor: state.minor }
    }

    fn emit(&self, out: &mut Out, command: &Command, tenant: &Tenant, trace: &[(String, String)]) {
        out.emit_as(command.topic, command.key, &command.value, tenant, trace);
    }

    /// §4.2: runs steps until one must wait, or the saga ends.
    async fn advance(&mut self, services: &Foreign, out: &mut Out, trace: &[(String, String)]) {
        loop {
            let Some(state) = self.state.as_mut() else { return };
            let tenant = Tenant { id: self.tenant, region: state.region.clone(), major: state.major, minor: state.minor };
            let Some(index) = state.steps.iter().position(|s| s.status.is_pending()) else {
                return self.finish(out, trace, None);
            };
            let step = state.steps[index].clone();
            if actions::composite(&step.action) {
                let taken = |id: &str| state.steps.iter().any(|s| s.step_id == id);
                match lookups::expand(services, &tenant, &step).await {
                    Ok(concrete) if !concrete.iter().any(|s| taken(&s.step_id)) => {
                        state.steps.splice(index..=index, concrete);
                        continue;
                    }
                    Ok(_) => return self.fail(index, out, trace, None),
                    Err(error) => {
                        tracing::debug!(saga = %self.id, %error, "expansion failed");
                        return self.fail(index, out, trace, None);
                    }
                }
            }
            let t = state.transaction_id;
            let commands = match actions::command(&step.action, t) {
                Ok(Some(commands)) => Ok(commands),
                Ok(None) => lookups::dispatch(services, &tenant, &step.action, t).await,
                Err(error) => Err(error),
            };
            let commands = match commands {
                Ok(commands) => commands,
                Err(error) => {
                    tracing::debug!(saga = %self.id, step = %step.step_id, %error, "dispatch failed");
                    return self.fail(index, out, trace, None);
                }
            };
            for command in &commands {
                self.emit(out, command, &tenant, trace);
            }
            if !actions::synchronous(&step.action) {
                return;
            }
            self.mark(index, StepStatus::Completed);
        }
    }

    fn mark(&mut self, index: usize, outcome: StepStatus) {
        if let Some(step) = self.state.as_mut().and_then(|s| s.steps.get_mut(index)) {
            step.status = step.status.settle(outcome);
            step.updated_at = GoTime::now();
        }
    }

    /// §7.1 and §8.2: mark the step failed, emit the inverses of the completed steps before
    /// it (newest first), then FAILED. `timeout` carries the timeout's reason.
    fn fail(&mut self, index: usize, out: &mut Out, trace: &[(String, String)], timeout: Option<String>) {
        self.mark(index, StepStatus::Failed);
        let Some(state) = self.state.clone() else { return };
        let tenant = self.tenant_of(&state);
        for step in state.steps[..index.min(state.steps.len())].iter().rev().filter(|s| s.status == StepStatus::Completed) {
            if let Some(command) = actions::inverse(&step.action, state.transaction_id, step.created_slot) {
                self.emit(out, &command, &tenant, trace);
            }
        }
        let failed = state.steps.get(index);
        let step_id = failed.map_or_else(String::new, |s| s.step_id.clone());
        let (reason, code) = match (timeout, failed) {
            (Some(reason), _) => (reason, "SAGA_TIMEOUT"),
            (None, Some(step)) => actions::failure(&step.action, &step_id, &state.saga_type),
            (None, None) => ("Saga failed".to_string(), "UNKNOWN"),
        };
        let character = failed.map_or(0, |s| s.action.character_id());
        let body =
            FailedBody { reason, failed_step: step_id, character_id: character, saga_type: state.saga_type.clone(), error_code: code };
        self.finish(out, trace, Some(body));
    }

    fn finish(&mut self, out: &mut Out, trace: &[(String, String)], failed: Option<FailedBody>) {
        let Some(state) = self.state.as_mut() else { return };
        state.status = SagaStatus::ended(failed.is_some());
        state.finished_at = Some(Utc::now());
        let state = state.clone();
        let tenant = self.tenant_of(&state);
        let key = status_key(state.transaction_id);
        match failed {
            Some(body) => out.emit_as(
                "EVENT_TOPIC_SAGA_STATUS",
                key,
                &StatusEvent { transaction_id: state.transaction_id, kind: "FAILED", body },
                &tenant,
                trace,
            ),
            None => out.emit_as(
                "EVENT_TOPIC_SAGA_STATUS",
                key,
                &StatusEvent { transaction_id: state.transaction_id, kind: "COMPLETED", body: Completed {} },
                &tenant,
                trace,
            ),
        };
        out.cancel(DEADLINE.into());
    }

    /// Writes the state guarded by the version it was read at; the next write expects the
    /// bumped version (a failed commit reloads the actor, and with it the version).
    fn save(&mut self, out: &mut Out) {
        if let Some(state) = &self.state {
            out.write(sql::save(self.tenant, state, self.version));
            self.version += 1;
        }
    }

    fn start(&mut self, document: Document, meta: &Meta, timeout: std::time::Duration) -> bool {
        if let Some(existing) = &self.state {
            let recent = existing.finished_at.is_none_or(|at| Utc::now() - at < RETENTION);
            if recent {
                return false;
            }
        }
        if !acceptable(&document) {
            tracing::debug!(saga = %self.id, "saga document refused");
            return false;
        }
        // `acceptable` has checked every status; intake has decoded every payload.
        let steps: Result<Vec<Step>, String> = document
            .steps
            .into_iter()
            .map(|s| {
                Ok(Step {
                    status: StepStatus::parse(&s.status).ok_or("a status outside pending/completed")?,
                    action: Action::decode(&s.action, &s.payload)?,
                    step_id: s.step_id,
                    created_at: s.created_at,
                    updated_at: s.updated_at,
                    created_slot: None,
                })
            })
            .collect();
        let steps = match steps {
            Ok(steps) => steps,
            Err(error) => {
                tracing::debug!(saga = %self.id, %error, "saga document refused");
                return false;
            }
        };
        self.state = Some(SagaState {
            transaction_id: self.id,
            saga_type: document.saga_type,
            initiated_by: document.initiated_by,
            steps,
            status: SagaStatus::Active,
            deadline: Utc::now() + chrono::Duration::from_std(timeout).unwrap_or(chrono::Duration::minutes(5)),
            finished_at: None,
            region: meta.tenant.region.clone(),
            major: meta.tenant.major,
            minor: meta.tenant.minor,
        });
        true
    }

    /// §4.4: an event completes or fails the current step, or is ignored (§4.5).
    fn on_event(&mut self, event: &SagaEvent) -> Option<(usize, Verdict)> {
        let state = self.state.as_mut().filter(|s| s.status.is_active())?;
        let index = state.steps.iter().position(|s| s.status.is_pending())?;
        let step = &mut state.steps[index];
        let verdict = actions::verdict(&step.action, event.topic, &event.kind, &event.value)?;
        if let (Verdict::Completes, Action::CreateAndEquipAsset(p)) = (verdict, &step.action) {
            // §4.6.1: the created asset is equipped by a step of its own.
            let owner = p.character_id;
            if event.value["characterId"].as_u64() != Some(u64::from(owner)) {
                return Some((index, Verdict::Fails));
            }
            // The event has been decoded with its types: slot an i16, templateId a u32.
            let slot = event.value["slot"].as_i64().and_then(|s| i16::try_from(s).ok()).unwrap_or_default();
            let template = event.value["templateId"].as_u64().and_then(|t| u32::try_from(t).ok()).unwrap_or_default();
            step.created_slot = Some(slot);
            let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
            let equip = MoveAsset { character_id: owner, inventory_type: template / 1_000_000, source: slot, destination: -1 };
            state.steps.insert(index + 1, Step::new(&format!("auto_equip_step_{nanos}"), Action::EquipAsset(equip)));
        }
        Some((index, verdict))
    }
}

impl Entity for Saga {
    type Id = Uuid;
    type Input = SagaInput;
    type Timer = ();
    type Ports = SagaPorts;
    const KIND: &'static str = "saga";

    async fn load(ports: &SagaPorts, tenant: Uuid, id: &Uuid) -> Result<Self, EntityError> {
        let stored = sql::load(&ports.store, tenant, *id).await?;
        let version = stored.as_ref().map_or(0, |(_, version)| *version);
        Ok(Saga { tenant, id: *id, state: stored.map(|(state, _)| state), version })
    }

    async fn handle(&mut self, ports: &SagaPorts, input: SagaInput, meta: &Meta) -> Result<Out, EntityError> {
        let mut out = Out::none();
        match input {
            SagaInput::Start(document) => {
                if !self.start(document, meta, ports.timeout) {
                    return Ok(out);
                }
                if let Some(state) = &self.state {
                    out.arm(DEADLINE.into(), state.deadline, ());
                }
                self.advance(&ports.foreign, &mut out, &meta.trace).await;
            }
            SagaInput::Event(event) => match self.on_event(&event) {
                Some((index, Verdict::Completes)) => {
                    self.mark(index, StepStatus::Completed);
                    self.advance(&ports.foreign, &mut out, &meta.trace).await;
                }
                Some((index, Verdict::Fails)) => self.fail(index, &mut out, &meta.trace, None),
                None => return Ok(out),
            },
        }
        self.save(&mut out);
        Ok(out)
    }

    async fn on_timer(&mut self, ports: &SagaPorts, _: ()) -> Result<Out, EntityError> {
        let mut out = Out::none();
        let Some(state) = self.state.as_ref().filter(|s| s.status.is_active()) else { return Ok(out) };
        let index = state.steps.iter().position(|s| s.status.is_pending()).unwrap_or(state.steps.len());
        let reason = format!("saga exceeded timeout of {}", go_duration(ports.timeout));
        self.fail(index, &mut out, &[], Some(reason));
        self.save(&mut out);
        Ok(out)
    }

    fn timers(&self) -> Vec<(String, DateTime<Utc>, ())> {
        self.state.iter().filter(|s| s.status.is_active()).map(|s| (DEADLINE.to_string(), s.deadline, ())).collect()
    }

    /// No saga with this transaction id was started here: an event for it (another
    /// service's, or one of our own outputs carrying its command's transaction id) is
    /// skipped, and the actor the event made does not stay.
    fn absent(&self) -> bool {
        self.state.is_none()
    }
}

/// A time truncated to whole seconds, as the REST resource shows it (§10).
fn to_second(at: GoTime) -> GoTime {
    GoTime::from_micros(at.micros().div_euclid(1_000_000) * 1_000_000)
}

/// Go's `time.Duration` text for whole seconds (`5m0s`, `30s`, `1h0m0s`).
fn go_duration(duration: std::time::Duration) -> String {
    let total = duration.as_secs();
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m{s}s"),
        _ => format!("{h}h{m}m{s}s"),
    }
}

/// Validates a step payload against its action at intake (§3.3 step 1): the action known,
/// its payload decoded with its type.
pub fn check_step(action: &str, payload: &Value) -> Result<(), String> {
    Action::decode(action, payload).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn go_durations() {
        assert_eq!(go_duration(std::time::Duration::from_secs(300)), "5m0s");
        assert_eq!(go_duration(std::time::Duration::from_secs(30)), "30s");
        assert_eq!(go_duration(std::time::Duration::from_secs(3600)), "1h0m0s");
    }

    #[test]
    fn every_action_has_a_dispatch_path_and_unknown_ones_are_refused() {
        for action in Action::NAMES {
            assert!(check_step(action, &json!({})).is_ok(), "{action} accepts an all-zero payload");
            assert!(check_step(action, &json!([])).is_err(), "{action} refuses an array payload");
        }
        assert!(check_step("fly_to_the_moon", &json!({})).is_err());
        assert!(check_step("award_mesos", &json!({"amount": "lots"})).is_err());
    }
}
