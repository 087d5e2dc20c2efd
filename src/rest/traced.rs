//! Middleware giving each REST request a span that continues the caller's trace
//! (`traceparent`), and making the request's carried headers (trace context,
//! `ENVIRONMENT`) those of whatever it causes: commands it publishes, foreign calls.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

pub async fn trace(request: ServiceRequest, next: Next<impl MessageBody>) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let carried = crate::carried::pick(request.headers().iter().map(|(name, value)| (name.as_str(), value.as_bytes())));
    let span = if crate::telemetry::enabled() {
        let span = tracing::info_span!(
            "request",
            otel.name = %format!("{} {}", request.method(), request.match_pattern().unwrap_or_else(|| request.path().to_string())),
            otel.kind = "server",
            http.method = %request.method(),
            http.target = %request.path(),
            http.status_code = tracing::field::Empty,
        );
        crate::telemetry::continue_from(&span, &carried);
        span
    } else {
        tracing::Span::none()
    };
    let handled = crate::carried::scope(carried, tracing::Instrument::instrument(next.call(request), span.clone())).await;
    if let Ok(response) = &handled {
        span.record("http.status_code", response.status().as_u16());
    }
    handled
}
