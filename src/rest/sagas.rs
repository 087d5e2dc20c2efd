//! Spec 40 §10: sagas over REST. Reads serve committed state; POST starts a saga through
//! its actor and answers with the state after its first run.

use super::bodies::Document as Answer;
use super::error::{ApiError, ApiResult};
use super::request::{self, document};
use super::ApiState;
use crate::actors::saga::{acceptable, check_step, sql, SagaInput};
use crate::actors::Meta;
use crate::contracts::saga::{Document, StepDocument};
use actix_web::{web, HttpRequest};
use serde_json::Value;
use uuid::Uuid;

pub fn routes(config: &mut web::ServiceConfig) {
    config.service(web::resource("/api/sagas").get(list).post(create)).service(web::resource("/api/sagas/{transactionId}").get(one));
}

async fn list(request: HttpRequest, state: web::Data<ApiState>) -> ApiResult {
    let tenant = request::tenant(&request)?;
    let sagas = sql::active_of(&state.store, tenant.id).await.map_err(ApiError::internal("sagas"))?;
    document(&Answer::of(sagas.iter().map(|s| s.resource()).collect::<Vec<_>>()))
}

async fn one(request: HttpRequest, path: web::Path<String>, state: web::Data<ApiState>) -> ApiResult {
    let tenant = request::tenant(&request)?;
    let id = Uuid::parse_str(&path).map_err(|_| ApiError::BadRequest)?;
    match sql::load(&state.store, tenant.id, id).await.map_err(ApiError::internal("sagas"))? {
        Some((saga, _)) if saga.status.is_active() => document(&Answer::of(saga.resource())),
        _ => Err(ApiError::NotFound),
    }
}

/// Decodes the POST document like a Kafka saga document (unparseable step times: now).
fn decode(body: &[u8]) -> Option<Document> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let data = value.get("data")?;
    let attributes = data.get("attributes").cloned().unwrap_or_else(|| Value::Object(Default::default()));
    let id = match data.get("id").and_then(Value::as_str) {
        Some(id) => Some(Uuid::parse_str(id).ok()?),
        None => attributes.get("transactionId").and_then(Value::as_str).and_then(|t| Uuid::parse_str(t).ok()),
    };
    let id = id.filter(|id| !id.is_nil()).unwrap_or_else(Uuid::new_v4);
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
    let time = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .and_then(crate::contracts::json::GoTime::parse)
            .unwrap_or_else(crate::contracts::json::GoTime::now)
    };
    let steps = match attributes.get("steps") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(steps)) => steps
            .iter()
            .map(|s| StepDocument {
                step_id: text(s, "stepId"),
                status: text(s, "status"),
                action: text(s, "action"),
                payload: s.get("payload").cloned().unwrap_or(Value::Null),
                created_at: time(s, "createdAt"),
                updated_at: time(s, "updatedAt"),
            })
            .collect(),
        Some(_) => return None,
    };
    Some(Document {
        transaction_id: Some(id),
        saga_type: text(&attributes, "sagaType"),
        initiated_by: text(&attributes, "initiatedBy"),
        steps,
    })
}

async fn create(request: HttpRequest, body: web::Bytes, state: web::Data<ApiState>) -> ApiResult {
    let tenant = request::tenant(&request)?;
    let saga = decode(&body).ok_or(ApiError::BadRequest)?;
    if saga.steps.iter().any(|s| check_step(&s.action, &s.payload).is_err()) || !acceptable(&saga) {
        return Err(ApiError::BadRequest);
    }
    let id = saga.transaction_id.unwrap_or_default();
    if sql::load(&state.store, tenant.id, id).await.map_err(ApiError::internal("sagas"))?.is_some_and(|(s, _)| s.status.is_active()) {
        return Err(ApiError::Conflict);
    }
    let meta = Meta { tenant: tenant.clone(), position: None, trace: crate::telemetry::with_current(crate::carried::current()) };
    state.sagas.deliver(tenant.id, id, SagaInput::Start(saga), meta).await.map_err(ApiError::internal("sagas"))?;
    let (saga, _) = sql::load(&state.store, tenant.id, id).await.map_err(ApiError::internal("sagas"))?.ok_or(ApiError::Conflict)?;
    document(&Answer::of(saga.resource()))
}
