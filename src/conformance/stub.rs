//! The foreign-service stub: one HTTP server answering every running scenario's
//! `foreign` routes, told apart by the `TENANT_ID` header the server under test sends.
//!
//! It runs on its own thread with its own actix system, so it neither depends on nor
//! disturbs the runner's tokio runtime.

use super::captures::{self, Captures};
use super::scenario::ForeignRoute;
use crate::contracts::tenant::TENANT_ID;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use anyhow::Context as _;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use uuid::Uuid;

/// Requests to keep of those no scenario claimed.
const STRAY_LIMIT: usize = 50;

#[derive(Default)]
struct TenantRoutes {
    routes: Vec<ForeignRoute>,
    /// The scenario's captures, so route bodies may use `$ref:NAME` too.
    captures: Captures,
    /// "METHOD /path?query → status", in arrival order, for failure reports.
    hits: Vec<String>,
}

#[derive(Default)]
struct State {
    tenants: Mutex<HashMap<Uuid, TenantRoutes>>,
    /// Requests without a known tenant: a sign the server dropped the tenant headers.
    stray: Mutex<Vec<String>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub struct Stub {
    port: u16,
    state: Arc<State>,
    handle: actix_web::dev::ServerHandle,
    thread: Option<JoinHandle<()>>,
}

impl Stub {
    /// Listens on 127.0.0.1:`port` (0: any free port).
    pub fn start(port: u16) -> anyhow::Result<Stub> {
        let state = Arc::new(State::default());
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).with_context(|| format!("binding the stub to port {port}"))?;
        let port = listener.local_addr()?.port();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let shared = state.clone();
        let thread = std::thread::Builder::new()
            .name("conformance-stub".into())
            .spawn(move || {
                let system = actix_rt::System::new();
                system.block_on(async move {
                    let data = web::Data::from(shared);
                    let server =
                        actix_web::HttpServer::new(move || actix_web::App::new().app_data(data.clone()).default_service(web::to(answer)))
                            .workers(1)
                            .disable_signals()
                            .listen(listener);
                    match server {
                        Ok(server) => {
                            let server = server.run();
                            let _ = ready_tx.send(Ok(server.handle()));
                            let _ = server.await;
                        }
                        Err(error) => {
                            let _ = ready_tx.send(Err(error));
                        }
                    }
                })
            })
            .context("starting the stub thread")?;
        let handle = ready_rx.recv().context("the stub thread ended before listening")?.context("starting the stub server")?;
        Ok(Stub { port, state, handle, thread: Some(thread) })
    }

    /// The server's BASE_SERVICE_URL.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/api/", self.port)
    }

    pub fn register(&self, tenant: Uuid, routes: Vec<ForeignRoute>) {
        lock(&self.state.tenants).insert(tenant, TenantRoutes { routes, ..TenantRoutes::default() });
    }

    pub fn set_captures(&self, tenant: Uuid, captures: &Captures) {
        if let Some(entry) = lock(&self.state.tenants).get_mut(&tenant) {
            entry.captures = captures.clone();
        }
    }

    /// The requests seen for `tenant` so far.
    pub fn hits(&self, tenant: Uuid) -> Vec<String> {
        lock(&self.state.tenants).get(&tenant).map(|t| t.hits.clone()).unwrap_or_default()
    }

    pub fn unregister(&self, tenant: Uuid) {
        lock(&self.state.tenants).remove(&tenant);
    }

    /// Requests that carried no running scenario's tenant.
    pub fn stray(&self) -> Vec<String> {
        lock(&self.state.stray).clone()
    }

    pub async fn stop(mut self) {
        self.handle.stop(false).await;
        if let Some(thread) = self.thread.take() {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

async fn answer(request: HttpRequest, body: web::Bytes, state: web::Data<State>) -> HttpResponse {
    let method = request.method().as_str().to_string();
    let query = request.query_string();
    let target = if query.is_empty() { request.path().to_string() } else { format!("{}?{query}", request.path()) };
    let tenant = request.headers().get(TENANT_ID).and_then(|v| v.to_str().ok()).and_then(|v| Uuid::parse_str(v.trim()).ok());
    let mut tenants = lock(&state.tenants);
    let Some(entry) = tenant.and_then(|t| tenants.get_mut(&t)) else {
        drop(tenants);
        let mut stray = lock(&state.stray);
        if stray.len() < STRAY_LIMIT {
            let header = tenant.map_or_else(|| "no valid TENANT_ID".to_string(), |t| format!("unknown tenant {t}"));
            stray.push(format!("{method} {target} ({header}) → 404"));
        }
        return HttpResponse::NotFound().finish();
    };
    // Route paths may use `$ref:NAME` too, resolved with the captures made so far.
    let captured = &entry.captures;
    let route = entry
        .routes
        .iter()
        .map(|r| match captures::substitute_text(&r.path, captured) {
            Ok(path) => ForeignRoute { path, ..r.clone() },
            Err(_) => r.clone(),
        })
        .find(|r| route_matches(r, &method, request.path(), query));
    let sent = if body.is_empty() { String::new() } else { format!(" with {} bytes", body.len()) };
    let Some(route) = route else {
        entry.hits.push(format!("{method} {target}{sent} → 404 (no route)"));
        return HttpResponse::NotFound().finish();
    };
    let status = StatusCode::from_u16(route.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    entry.hits.push(format!("{method} {target}{sent} → {}", status.as_u16()));
    match route.body {
        None => HttpResponse::build(status).finish(),
        Some(body) => {
            // An unknown reference leaves the body as written rather than failing the call.
            let body = captures::substitute_value(&body, &entry.captures).unwrap_or(body);
            HttpResponse::build(status).content_type("application/json").body(body.to_string())
        }
    }
}

/// Method (any case) and path must match; the query string only when the route has one
/// (then as a set of decoded pairs, so parameter order and encoding do not matter).
fn route_matches(route: &ForeignRoute, method: &str, path: &str, query: &str) -> bool {
    if !route.method.eq_ignore_ascii_case(method) {
        return false;
    }
    match route.path.split_once('?') {
        None => decode(&route.path, false) == decode(path, false),
        Some((route_path, route_query)) => {
            decode(route_path, false) == decode(path, false) && query_pairs(route_query) == query_pairs(query)
        }
    }
}

fn query_pairs(query: &str) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k, true), decode(v, true))
        })
        .collect();
    pairs.sort();
    pairs
}

/// Percent-decoding (and `+` as space in queries); malformed escapes stay as written.
fn decode(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(method: &str, path: &str) -> ForeignRoute {
        serde_json::from_value(serde_json::json!({"method": method, "path": path, "status": 200, "body": {}})).expect("test fixture")
    }

    #[test]
    fn routes_match_method_and_path_and_query_only_when_given() {
        let plain = route("GET", "/api/characters/1001");
        assert!(route_matches(&plain, "GET", "/api/characters/1001", ""));
        assert!(route_matches(&plain, "GET", "/api/characters/1001", "include=x"));
        assert!(!route_matches(&plain, "POST", "/api/characters/1001", ""));
        assert!(!route_matches(&plain, "GET", "/api/characters/10011", ""));
        let with_query = route("get", "/api/characters/4107/inventory/compartments?type=4");
        assert!(route_matches(&with_query, "GET", "/api/characters/4107/inventory/compartments", "type=4"));
        assert!(!route_matches(&with_query, "GET", "/api/characters/4107/inventory/compartments", "type=2"));
        assert!(!route_matches(&with_query, "GET", "/api/characters/4107/inventory/compartments", ""));
        let filter = route("GET", "/api/messengers?filter[members.id]=5&a=b");
        assert!(route_matches(&filter, "GET", "/api/messengers", "a=b&filter%5Bmembers.id%5D=5"));
    }

    #[test]
    fn decoding() {
        assert_eq!(decode("a%20b%5B", false), "a b[");
        assert_eq!(decode("a+b", true), "a b");
        assert_eq!(decode("a+b", false), "a+b");
        assert_eq!(decode("100%", false), "100%");
        assert_eq!(decode("%zz%4", false), "%zz%4");
    }
}
