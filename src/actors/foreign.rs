//! Calls to the other Atlas services (character, inventory, buffs, data): GET with the
//! tenant headers, the carried headers (`crate::carried`) and the client's timeout; 200 or
//! 202 with a decodable JSON body is a success, anything else (or an answer that does not
//! fit its type under the object rule) a failure (`None`), which each domain degrades from
//! as its spec says.

use crate::contracts::strict;
use crate::contracts::tenant::Tenant;
use serde::de::DeserializeOwned;

/// The other Atlas services: the HTTP client (connections reused across calls, with the
/// `FOREIGN_TIMEOUT_MS` timeout) and where each service is, `BASE_SERVICE_URL` or a
/// per-service override variable (e.g. `CHARACTERS_SERVICE_URL`) when set.
#[derive(Debug, Clone)]
pub struct Foreign {
    pub http: reqwest::Client,
    pub base_url: String,
}

impl Foreign {
    /// The root URL of a foreign service, ending with `/`.
    pub fn root(&self, service_variable: &str) -> String {
        let root = std::env::var(service_variable).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| self.base_url.clone());
        if root.ends_with('/') {
            root
        } else {
            format!("{root}/")
        }
    }
}

/// The tenant headers plus those carried from the input being handled (environment,
/// trace context).
fn headers(tenant: &Tenant) -> Vec<(String, String)> {
    let tenant = tenant.http_headers().into_iter().map(|(name, value)| (name.to_string(), value));
    tenant.chain(crate::telemetry::with_current(crate::carried::current())).collect()
}

/// POSTs a JSON document to `path`; the response when its status is 2xx.
pub async fn post_for(
    services: &Foreign,
    tenant: &Tenant,
    service_variable: &str,
    path: &str,
    body: &impl serde::Serialize,
) -> Option<reqwest::Response> {
    let url = format!("{}{path}", services.root(service_variable));
    let request = headers(tenant)
        .into_iter()
        .fold(services.http.post(&url), |request, (name, value)| request.header(name, value))
        .header("Content-Type", "application/json; charset=utf-8")
        .body(serde_json::to_string(body).ok()?);
    let response = request.send().await.ok()?;
    if !response.status().is_success() {
        tracing::debug!(%url, status = %response.status(), "foreign call refused");
        return None;
    }
    Some(response)
}

/// POSTs a JSON document to `path` and decodes the answer (2xx).
pub async fn post<T: DeserializeOwned>(
    services: &Foreign,
    tenant: &Tenant,
    service_variable: &str,
    path: &str,
    body: &impl serde::Serialize,
) -> Option<T> {
    let answer = post_for(services, tenant, service_variable, path, body).await?.bytes().await.ok()?;
    strict::from_slice(&answer).inspect_err(|error| tracing::debug!(path, %error, "foreign answer not understood")).ok()
}

/// GETs `path` (relative, e.g. `characters/1001`) from the service whose root URL is
/// `service_variable` (falling back to `BASE_SERVICE_URL`).
pub async fn get<T: DeserializeOwned>(services: &Foreign, tenant: &Tenant, service_variable: &str, path: &str) -> Option<T> {
    get_with_query(services, tenant, service_variable, path, &[]).await
}

/// Like [`get`], with query parameters percent-encoded by the HTTP client.
pub async fn get_with_query<T: DeserializeOwned>(
    services: &Foreign,
    tenant: &Tenant,
    service_variable: &str,
    path: &str,
    query: &[(&str, &str)],
) -> Option<T> {
    let url = format!("{}{path}", services.root(service_variable));
    let mut request = headers(tenant)
        .into_iter()
        .fold(services.http.get(&url), |request, (name, value)| request.header(name, value))
        .header("Content-Type", "application/json; charset=utf-8");
    if !query.is_empty() {
        request = request.query(query);
    }
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => {
            tracing::debug!(%url, %error, "foreign call failed");
            return None;
        }
    };
    if !matches!(response.status().as_u16(), 200 | 202) {
        tracing::debug!(%url, status = %response.status(), "foreign call refused");
        return None;
    }
    // Answers are decoded under the object rule like every record we consume.
    let decoded = match response.bytes().await {
        Ok(bytes) => strict::from_slice(&bytes),
        Err(error) => Err(error.to_string()),
    };
    match decoded {
        Ok(document) => Some(document),
        Err(error) => {
            tracing::debug!(%url, %error, "foreign answer not understood");
            None
        }
    }
}
