//! A tenant's opcode tables, read at run time from the configuration service
//! (`GET configurations/tenants/{id}` → `socket.handlers` and `socket.writers`), as Atlas
//! reads them: each handler entry binds an opcode to a handler name and a validator,
//! each writer entry a writer name to an opcode; both may carry options. Entries scoped
//! to other services (`services` without "channel") are left out.

use crate::actors::foreign;
use crate::channel::Services;
use crate::contracts::tenant::Tenant;
use dashmap::DashMap;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a table is used before it is read again.
const FRESH: Duration = Duration::from_secs(300);

/// What a client packet asks for, by its handler's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handler {
    CharacterLoggedIn,
    /// The answer to a `Ping`.
    Pong,
    CharacterExpression,
    /// A handler this transport does not serve yet (canonical name).
    Unserved(String),
}

impl Handler {
    fn named(name: &str) -> Handler {
        match canonical_handler(name) {
            "CharacterLoggedInHandle" => Handler::CharacterLoggedIn,
            "PongHandle" => Handler::Pong,
            "CharacterExpressionHandle" => Handler::CharacterExpression,
            other => Handler::Unserved(other.to_string()),
        }
    }
}

/// Atlas's handler names for the names its v83 template misspells (spec 51 §6 Q7).
fn canonical_handler(name: &str) -> &str {
    match name {
        "CharacterMultiChatHandle" => "CharacterChatMultiHandle",
        "CompartmentMergeHandle" => "CompartmentMerge",
        "CompartmentSortHandle" => "CompartmentSort",
        other => other,
    }
}

/// The other spelling of a writer name: the v83 template binds group chat as
/// `CharacterMultiChat`, Atlas's writer is `CharacterChatMulti`.
fn writer_alias(name: &str) -> Option<&'static str> {
    match name {
        "CharacterChatMulti" => Some("CharacterMultiChat"),
        "CharacterMultiChat" => Some("CharacterChatMulti"),
        _ => None,
    }
}

/// The check run before a handler (Atlas's validators).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validator {
    NoOp,
    /// The session's account must be logged in, or the session is destroyed.
    LoggedIn,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HandlerEntry {
    pub handler: Handler,
    pub validator: Validator,
    pub options: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WriterEntry {
    pub opcode: u16,
    pub options: Value,
}

/// One tenant's tables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    handlers: HashMap<u16, HandlerEntry>,
    writers: HashMap<String, WriterEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawHandler {
    op_code: String,
    #[serde(default)]
    validator: String,
    handler: String,
    #[serde(default)]
    options: Value,
    #[serde(default)]
    services: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawWriter {
    op_code: String,
    writer: String,
    #[serde(default)]
    options: Value,
    #[serde(default)]
    services: Vec<String>,
}

#[derive(Deserialize, Default)]
struct RawSocket {
    #[serde(default)]
    handlers: Vec<RawHandler>,
    #[serde(default)]
    writers: Vec<RawWriter>,
}

/// `0x14` or `20`, as Atlas's opcode strings are written.
fn opcode(text: &str) -> Option<u16> {
    let text = text.trim();
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u16::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

fn for_channel(services: &[String]) -> bool {
    services.is_empty() || services.iter().any(|s| s == "channel")
}

impl Table {
    /// Reads the `socket` object of a tenant configuration; entries that cannot be used
    /// (bad opcode, unknown validator) are logged and left out, as Atlas does.
    pub fn from_socket(socket: &Value) -> Table {
        let raw = RawSocket::deserialize(socket).unwrap_or_else(|error| {
            tracing::warn!(%error, "socket configuration not readable: no opcodes");
            RawSocket::default()
        });
        let mut table = Table::default();
        for entry in raw.handlers.into_iter().filter(|h| for_channel(&h.services)) {
            let validator = match entry.validator.as_str() {
                "NoOpValidator" => Validator::NoOp,
                "LoggedInValidator" => Validator::LoggedIn,
                other => {
                    tracing::warn!(validator = other, handler = entry.handler, "unknown validator: handler left out");
                    continue;
                }
            };
            let Some(code) = opcode(&entry.op_code) else {
                tracing::warn!(opcode = entry.op_code, handler = entry.handler, "bad opcode: handler left out");
                continue;
            };
            table.handlers.insert(code, HandlerEntry { handler: Handler::named(&entry.handler), validator, options: entry.options });
        }
        for entry in raw.writers.into_iter().filter(|w| for_channel(&w.services)) {
            let Some(code) = opcode(&entry.op_code) else {
                tracing::warn!(opcode = entry.op_code, writer = entry.writer, "bad opcode: writer left out");
                continue;
            };
            table.writers.insert(entry.writer, WriterEntry { opcode: code, options: entry.options });
        }
        table
    }

    pub fn handler(&self, opcode: u16) -> Option<&HandlerEntry> {
        self.handlers.get(&opcode)
    }

    /// The writer entry of a writer name, under either spelling.
    pub fn writer(&self, name: &str) -> Option<&WriterEntry> {
        self.writers.get(name).or_else(|| writer_alias(name).and_then(|alias| self.writers.get(alias)))
    }
}

/// Tables by tenant, read when a client of the tenant connects and kept for a while.
#[derive(Debug, Default)]
pub struct Tables {
    by_tenant: DashMap<uuid::Uuid, (Instant, Arc<Table>)>,
}

impl Tables {
    /// The tenant's table; a table older than `FRESH` is read again, and kept if the
    /// configuration service does not answer. `None`: never read.
    pub async fn get(&self, services: &Services, tenant: &Tenant) -> Option<Arc<Table>> {
        let cached = self.by_tenant.get(&tenant.id).map(|entry| entry.value().clone());
        if let Some((read, table)) = &cached {
            if read.elapsed() < FRESH {
                return Some(table.clone());
            }
        }
        let path = format!("configurations/tenants/{}", tenant.id);
        match foreign::get::<Value>(&services.foreign, tenant, "CONFIGURATIONS_SERVICE_URL", &path).await {
            Some(document) => {
                let table = Arc::new(Table::from_socket(&document["data"]["attributes"]["socket"]));
                self.by_tenant.insert(tenant.id, (Instant::now(), table.clone()));
                Some(table)
            }
            None => {
                tracing::warn!(tenant = %tenant.id, "tenant configuration not readable");
                cached.map(|(_, table)| table)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tables_read_atlas_entries_and_both_spellings() {
        let socket = json!({
            "handlers": [
                {"opCode": "0x14", "validator": "NoOpValidator", "handler": "CharacterLoggedInHandle", "services": ["channel"]},
                {"opCode": "0x01", "validator": "NoOpValidator", "handler": "LoginHandle", "services": ["login"]},
                {"opCode": "0x33", "validator": "LoggedInValidator", "handler": "CharacterExpressionHandle"},
                {"opCode": "0x77", "validator": "LoggedInValidator", "handler": "CharacterMultiChatHandle", "services": ["channel"]},
                {"opCode": "0x99", "validator": "Whatever", "handler": "PongHandle"},
                {"opCode": "zz", "validator": "NoOpValidator", "handler": "PongHandle"},
                {"opCode": "24", "validator": "NoOpValidator", "handler": "PongHandle", "services": ["login", "channel"]}
            ],
            "writers": [
                {"opCode": "0x1F", "writer": "StatChanged", "options": {"statistics": ["SKIN"]}, "services": ["channel"]},
                {"opCode": "0x86", "writer": "CharacterMultiChat", "services": ["channel"]},
                {"opCode": "0x00", "writer": "AuthSuccess", "services": ["login"]}
            ]
        });
        let table = Table::from_socket(&socket);
        assert_eq!(table.handler(0x14).map(|h| (&h.handler, h.validator)), Some((&Handler::CharacterLoggedIn, Validator::NoOp)));
        assert!(table.handler(0x01).is_none(), "the login service's entry");
        assert_eq!(table.handler(0x33).map(|h| h.validator), Some(Validator::LoggedIn));
        assert_eq!(table.handler(0x77).map(|h| h.handler.clone()), Some(Handler::Unserved("CharacterChatMultiHandle".into())));
        assert!(table.handler(0x99).is_none(), "unknown validator");
        assert_eq!(table.handler(24).map(|h| h.handler.clone()), Some(Handler::Pong), "decimal opcodes");
        assert_eq!(table.writer("StatChanged").map(|w| w.opcode), Some(0x1F));
        assert_eq!(table.writer("CharacterChatMulti").map(|w| w.opcode), Some(0x86), "the template's spelling");
        assert!(table.writer("AuthSuccess").is_none());
        assert_eq!(Table::from_socket(&json!("nonsense")), Table::default());
    }
}
