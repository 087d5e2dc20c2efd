//! Distributed tracing the Atlas way: W3C trace context (`traceparent`, `tracestate`) read
//! from Kafka and HTTP headers, spans exported over OTLP/gRPC.
//!
//! Export is on only when a collector is named: `TRACE_ENDPOINT` (Atlas's current name),
//! `JAEGER_HOST_PORT` (the seeds'), or the standard `OTEL_EXPORTER_OTLP_ENDPOINT`, as
//! `host:port` or a URL. Without one no span is created at all and the trace headers of an
//! input are copied to its outputs unchanged ([`crate::carried`]), so a trace still passes
//! through. With one, each consumed record gets a span (topic, partition, offset, tenant,
//! entity, type) whose parent is the record's context, with child spans for handling,
//! committing and publishing; outputs and foreign calls carry the context of our spans.

use crate::contracts::tenant::TRACE_HEADERS;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::{TraceContextExt, TracerProvider as _};
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::sync::OnceLock;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The service name spans are reported under.
const SERVICE_NAME: &str = "atlas-actors";

/// Set once export is configured: the provider (to flush at exit) and the runtime its
/// gRPC client lives on.
static EXPORT: OnceLock<(SdkTracerProvider, tokio::runtime::Runtime)> = OnceLock::new();

/// The collector's URL from the environment, if one is named (in order of precedence).
pub fn endpoint() -> Option<String> {
    let value = [std::env::var("TRACE_ENDPOINT"), std::env::var("JAEGER_HOST_PORT"), std::env::var("OTEL_EXPORTER_OTLP_ENDPOINT")]
        .into_iter()
        .find_map(|v| v.ok().filter(|v| !v.trim().is_empty()))?;
    let value = value.trim();
    // Atlas configures `host:port`; the gRPC client wants a URL.
    Some(if value.contains("://") { value.to_string() } else { format!("http://{value}") })
}

/// The layer exporting spans, when a collector is named; `None` (nothing exported, no
/// spans made) otherwise or when the exporter cannot be built (logged once logging is up).
pub fn layer<S>() -> Result<Option<tracing_opentelemetry::OpenTelemetryLayer<S, opentelemetry_sdk::trace::SdkTracer>>, String>
where
    S: tracing::Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
{
    let Some(endpoint) = endpoint() else { return Ok(None) };
    // The gRPC client needs a tokio runtime for its connection; the batch processor's own
    // thread drives exports. A small runtime of its own keeps it independent of actix's.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("otlp-export")
        .enable_all()
        .build()
        .map_err(|e| format!("no runtime for trace export: {e}"))?;
    let exporter = {
        let _entered = runtime.enter();
        opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .with_endpoint(endpoint.clone())
            .build()
            .map_err(|e| format!("trace exporter for {endpoint}: {e}"))?
    };
    let resource = opentelemetry_sdk::Resource::builder().with_service_name(SERVICE_NAME).build();
    let provider = SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource).build();
    let tracer = provider.tracer(SERVICE_NAME);
    let _ = EXPORT.set((provider, runtime));
    Ok(Some(tracing_opentelemetry::layer().with_tracer(tracer)))
}

/// Whether spans are made and exported.
pub fn enabled() -> bool {
    EXPORT.get().is_some()
}

/// Exports what is buffered; call before the process exits.
pub fn shutdown() {
    if let Some((provider, _)) = EXPORT.get() {
        if let Err(error) = provider.shutdown() {
            tracing::warn!(%error, "flushing the trace exporter failed");
        }
    }
}

struct Headers<'a>(&'a [(String, String)]);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(name, _)| name.eq_ignore_ascii_case(key)).map(|(_, value)| value.as_str())
    }
    fn keys(&self) -> Vec<&str> {
        self.0.iter().map(|(name, _)| name.as_str()).collect()
    }
}

struct Inject<'a>(&'a mut Vec<(String, String)>);

impl Injector for Inject<'_> {
    fn set(&mut self, key: &str, value: String) {
        self.0.retain(|(name, _)| !name.eq_ignore_ascii_case(key));
        self.0.push((key.to_string(), value));
    }
}

/// Makes `span` a child of the trace context in `headers` (a new trace when there is none).
pub fn continue_from(span: &Span, headers: &[(String, String)]) {
    if span.is_disabled() {
        return;
    }
    let parent = TraceContextPropagator::new().extract(&Headers(headers));
    if parent.span().span_context().is_valid() {
        let _ = span.set_parent(parent);
    }
}

/// Replaces the trace headers in `headers` with `span`'s context (a no-op for a span that
/// is not exported, which leaves an input's own context to pass through).
pub fn inject(span: &Span, headers: &mut Vec<(String, String)>) {
    if span.is_disabled() {
        return;
    }
    let context = span.context();
    if !context.span().span_context().is_valid() {
        return;
    }
    headers.retain(|(name, _)| !TRACE_HEADERS.iter().any(|t| t.eq_ignore_ascii_case(name)));
    TraceContextPropagator::new().inject_context(&context, &mut Inject(headers));
}

/// The span of one consumed record, continuing the record's trace; the carried headers
/// come back with the span's context, so what the record causes joins the same trace.
pub fn consume_span(
    topic: &str,
    partition: i32,
    offset: i64,
    tenant: &crate::contracts::tenant::Tenant,
    payload: &[u8],
    entity: impl FnOnce() -> String,
    mut carried: Vec<(String, String)>,
) -> (Span, Vec<(String, String)>) {
    if !enabled() {
        return (Span::none(), carried);
    }
    #[derive(serde::Deserialize)]
    struct Peek {
        #[serde(rename = "type")]
        kind: Option<String>,
    }
    let kind = serde_json::from_slice::<Peek>(payload).ok().and_then(|p| p.kind).unwrap_or_default();
    let span = tracing::info_span!(
        "consume",
        otel.name = %format!("{topic} consume"),
        otel.kind = "consumer",
        topic,
        partition,
        offset,
        tenant = %tenant.id,
        entity = %entity(),
        r#type = %kind,
    );
    continue_from(&span, &carried);
    inject(&span, &mut carried);
    (span, carried)
}

/// A child span of the input whose carried headers are `carried` (`handle`, `commit`,
/// `publish`), or a disabled span when nothing is exported.
pub fn child_span(name: &'static str, carried: &[(String, String)]) -> Span {
    if !enabled() {
        return Span::none();
    }
    let span = match name {
        "handle" => tracing::info_span!("handle"),
        "commit" => tracing::info_span!("commit"),
        _ => tracing::info_span!("publish", otel.kind = "producer"),
    };
    continue_from(&span, carried);
    span
}

/// The carried headers with the current span's context, for a foreign call or a record
/// published outside the consumer (REST commands).
pub fn with_current(mut carried: Vec<(String, String)>) -> Vec<(String, String)> {
    inject(&Span::current(), &mut carried);
    carried
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collector_address_becomes_a_url() {
        // Only this test touches these variables in this binary.
        std::env::set_var("TRACE_ENDPOINT", "tempo.home:4317");
        assert_eq!(endpoint().as_deref(), Some("http://tempo.home:4317"));
        std::env::set_var("TRACE_ENDPOINT", "");
        std::env::set_var("JAEGER_HOST_PORT", "http://jaeger:4317");
        assert_eq!(endpoint().as_deref(), Some("http://jaeger:4317"));
        std::env::remove_var("JAEGER_HOST_PORT");
        std::env::remove_var("TRACE_ENDPOINT");
    }
}
