//! Log set-up from `LOG_LEVEL` (Rust levels or Atlas's Panic/Fatal/Error/Warn/Info/Debug/Trace)
//! and `LOG_FORMAT` (text/json), plus the span exporter of [`crate::telemetry`] when a
//! collector is configured.

use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer as _};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Installs the subscriber with the level and format the settings give (`LOG_LEVEL`,
/// `LOG_FORMAT`, read by clap).
pub fn init(level: &str, format: LogFormat) {
    let level = match level.to_ascii_lowercase().as_str() {
        "panic" | "fatal" | "error" => "error".to_string(),
        "warning" => "warn".to_string(),
        other => other.to_string(),
    };
    let filter = || {
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(format!("{level},rdkafka=warn,sqlx=warn,actix_server=warn")))
    };
    let json = format == LogFormat::Json;
    let text = (!json).then(|| tracing_subscriber::fmt::layer().with_writer(std::io::stderr));
    let json = json.then(|| tracing_subscriber::fmt::layer().json().with_writer(std::io::stderr));
    // Spans are exported whatever the log level, but only this crate's: the exporter's own
    // gRPC stack must not trace itself.
    let (traces, trace_error) = match crate::telemetry::layer() {
        Ok(layer) => (layer, None),
        Err(error) => (None, Some(error)),
    };
    let traces =
        traces.map(|layer| layer.with_filter(tracing_subscriber::filter::Targets::new().with_target("atlas_actors", tracing::Level::INFO)));
    let _ = tracing_subscriber::registry().with(traces).with(text.with_filter(filter())).with(json.with_filter(filter())).try_init();
    if let Some(error) = trace_error {
        tracing::error!(%error, "traces are not exported");
    } else if let Some(endpoint) = crate::telemetry::endpoint() {
        tracing::info!(%endpoint, "exporting traces over OTLP/gRPC");
    }
    // Handler panics are caught and retried by the actors; log them as one line instead of
    // the default multi-line report.
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message =
            payload.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| payload.downcast_ref::<String>().cloned()).unwrap_or_default();
        let location = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        tracing::error!(%location, "panicked: {message}");
    }));
}
