//! Headers an input carries to everything it causes: the trace context (`traceparent`,
//! `tracestate`) and Atlas's execution environment (`ENVIRONMENT`). They are copied from
//! a consumed record onto its output records (through [`crate::actors::Meta::trace`]) and,
//! while the record is being handled, onto calls to other services.
//!
//! Foreign calls are made deep inside domain code that only knows the tenant, so the
//! handled input's headers travel as a task-local rather than as one more argument
//! through every look-up.

use std::future::Future;

pub use crate::contracts::tenant::{CARRIED_HEADERS, ENVIRONMENT};

tokio::task_local! {
    static CURRENT: Vec<(String, String)>;
}

/// Runs `work` with `headers` as the carried headers of whatever it calls.
pub async fn scope<F: Future>(headers: Vec<(String, String)>, work: F) -> F::Output {
    CURRENT.scope(headers, work).await
}

/// The carried headers of the input being handled; empty outside [`scope`].
pub fn current() -> Vec<(String, String)> {
    CURRENT.try_with(Clone::clone).unwrap_or_default()
}

/// Picks the carried headers out of a record's or request's headers.
pub fn pick<'a>(headers: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Vec<(String, String)> {
    headers
        .into_iter()
        .filter(|(name, _)| CARRIED_HEADERS.iter().any(|carried| carried.eq_ignore_ascii_case(name)))
        .filter_map(|(name, value)| {
            let canonical = CARRIED_HEADERS.iter().find(|carried| carried.eq_ignore_ascii_case(name))?;
            Some((canonical.to_string(), String::from_utf8(value.to_vec()).ok()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn headers_are_seen_inside_the_scope_only() {
        let headers = vec![(ENVIRONMENT.to_string(), "pr-12".to_string())];
        assert_eq!(scope(headers.clone(), async { current() }).await, headers);
        assert!(current().is_empty());
    }

    #[test]
    fn pick_keeps_carried_headers_under_their_canonical_names() {
        let picked = pick([
            ("environment", &b"main"[..]),
            ("traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
            ("TENANT_ID", b"x"),
        ]);
        assert_eq!(
            picked,
            vec![
                (ENVIRONMENT.to_string(), "main".to_string()),
                ("traceparent".to_string(), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".to_string()),
            ]
        );
    }
}
