//! Request parts shared by the domain routes: tenant headers (400 when missing or
//! malformed), decimal path ids (400 when not a u32), JSON:API request documents.

use super::error::{ApiError, ApiResult};
use crate::contracts::tenant::{self, Tenant};
use crate::contracts::topics::Topics;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::Value;

/// The request's tenant, or a 400 with an empty body. A tenant header given twice is
/// ambiguous and refused, not read by its first value.
pub fn tenant(request: &HttpRequest) -> Result<Tenant, ApiError> {
    let names = [tenant::TENANT_ID, tenant::REGION, tenant::MAJOR_VERSION, tenant::MINOR_VERSION];
    if let Some(name) = names.into_iter().find(|name| request.headers().get_all(*name).count() > 1) {
        tracing::info!(header = name, "request with a tenant header given twice refused");
        return Err(ApiError::BadRequest);
    }
    Tenant::from_http(|name| request.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string)).ok_or(ApiError::BadRequest)
}

/// A decimal u32 path id, or a 400 with an empty body.
pub fn id(text: &str) -> Result<u32, ApiError> {
    text.parse::<u32>().map_err(|_| ApiError::BadRequest)
}

/// The `data` object of a JSON:API request whose `type` is `kind` and whose `id` is a
/// decimal u32. Returns the id and the `attributes` object (empty when absent).
pub fn resource(body: &[u8], kind: &str) -> Result<(u32, Value), ApiError> {
    let bad = || ApiError::BadRequest;
    let document: Value = serde_json::from_slice(body).map_err(|_| bad())?;
    let data = document.get("data").filter(|d| d.is_object()).ok_or_else(bad)?;
    if data.get("type").and_then(Value::as_str) != Some(kind) {
        return Err(bad());
    }
    let id = data.get("id").and_then(Value::as_str).ok_or_else(bad)?.parse::<u32>().map_err(|_| bad())?;
    let attributes = match data.get("attributes") {
        None | Some(Value::Null) => Value::Object(Default::default()),
        Some(attributes @ Value::Object(_)) => attributes.clone(),
        Some(_) => return Err(bad()),
    };
    Ok((id, attributes))
}

/// A JSON:API document answer (200) with the content type the Go services send.
pub fn document(body: &impl Serialize) -> ApiResult {
    let text = serde_json::to_string(body).map_err(ApiError::internal("serializing a document"))?;
    Ok(HttpResponse::Ok().content_type("application/json").body(text))
}

/// Publishes a command a route turned a request into (keyed by `key`, with the request's
/// tenant) and answers 202 once the broker has it, 500 if it refuses.
pub async fn accept_command(
    producer: &rdkafka::producer::FutureProducer,
    topics: &Topics,
    topic_variable: &'static str,
    key: u32,
    command: &impl Serialize,
    tenant: Tenant,
) -> ApiResult {
    let output = crate::store::Output {
        topic: topics.name(topic_variable).to_string(),
        key: Some(key),
        value: serde_json::to_string(command).map_err(ApiError::internal("serializing a command"))?,
        tenant,
        trace: crate::telemetry::with_current(crate::carried::current()),
    };
    match crate::kafka::producer::send(producer, &output, None).await {
        Ok(()) => Ok(HttpResponse::Accepted().finish()),
        Err(cause) => Err(ApiError::Publish { topic: topic_variable, cause }),
    }
}
