//! Log set-up from `LOG_LEVEL` (Rust levels or Atlas's Panic/Fatal/Error/Warn/Info/Debug/Trace)
//! and `LOG_FORMAT` (text/json).

use tracing_subscriber::EnvFilter;

pub fn init() {
    let level = std::env::var("LOG_LEVEL").unwrap_or_else(|_| "info".into());
    let level = match level.to_ascii_lowercase().as_str() {
        "panic" | "fatal" | "error" => "error".to_string(),
        "warning" => "warn".to_string(),
        other => other.to_string(),
    };
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("{level},rdkafka=warn,sqlx=warn,actix_server=warn")));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let json = std::env::var("LOG_FORMAT").map(|f| f.eq_ignore_ascii_case("json")).unwrap_or(false);
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
    // Handler panics are caught and retried by the actors; log them as one line instead of
    // the default multi-line report.
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let location = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        tracing::error!(%location, "panicked: {message}");
    }));
}
