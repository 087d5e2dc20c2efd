//! Request parts shared by the domain routes: tenant headers (400 when missing or
//! malformed), decimal path ids (400 when not a u32), JSON:API request documents.
// The error of these helpers is the HTTP answer itself (400 with no body), returned as is
// by every route; its size does not matter on this path.
#![allow(clippy::result_large_err)]

use crate::contracts::tenant::{self, Tenant};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;

/// A handler's outcome where refusals are early returns (`?`) carrying their response.
pub type Answer = Result<HttpResponse, HttpResponse>;

/// The response of an [`Answer`], refusal or not.
pub fn answer(outcome: Answer) -> HttpResponse {
    outcome.unwrap_or_else(|refusal| refusal)
}

/// The request's tenant, or a 400 with an empty body. A tenant header given twice is
/// ambiguous and refused, not read by its first value.
pub fn tenant(request: &HttpRequest) -> Result<Tenant, HttpResponse> {
    let names = [tenant::TENANT_ID, tenant::REGION, tenant::MAJOR_VERSION, tenant::MINOR_VERSION];
    if let Some(name) = names.into_iter().find(|name| request.headers().get_all(*name).count() > 1) {
        tracing::info!(header = name, "request with a tenant header given twice refused");
        return Err(HttpResponse::BadRequest().finish());
    }
    Tenant::from_http(|name| request.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string))
        .ok_or_else(|| HttpResponse::BadRequest().finish())
}

/// A decimal u32 path id, or a 400 with an empty body.
pub fn id(text: &str) -> Result<u32, HttpResponse> {
    text.parse::<u32>().map_err(|_| HttpResponse::BadRequest().finish())
}

/// The `data` object of a JSON:API request whose `type` is `kind` and whose `id` is a
/// decimal u32. Returns the id and the `attributes` object (empty when absent).
pub fn resource(body: &[u8], kind: &str) -> Result<(u32, Value), HttpResponse> {
    let bad = || HttpResponse::BadRequest().finish();
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

/// A JSON:API document answer with the content type the Go services send.
pub fn document(status: actix_web::http::StatusCode, body: &Value) -> HttpResponse {
    HttpResponse::build(status).content_type("application/json").body(body.to_string())
}

/// Publishes a command a route turned a request into (keyed by `key`, with the request's
/// tenant) and answers 202 once the broker has it, 500 if it refuses.
pub async fn accept_command(
    producer: &rdkafka::producer::FutureProducer,
    topic_variable: &'static str,
    key: u32,
    command: &Value,
    tenant: Tenant,
) -> Answer {
    let output = crate::store::Output {
        topic: crate::contracts::topics::name(topic_variable).to_string(),
        key: Some(key),
        value: command.to_string(),
        tenant,
        trace: crate::telemetry::with_current(crate::carried::current()),
    };
    match crate::kafka::producer::send(producer, &output, None).await {
        Ok(()) => Ok(HttpResponse::Accepted().finish()),
        Err(error) => {
            tracing::error!(%error, topic = topic_variable, "publishing a command failed");
            Err(HttpResponse::InternalServerError().finish())
        }
    }
}
