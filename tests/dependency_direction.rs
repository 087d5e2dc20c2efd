//! One direction of dependencies, checked: every `crate::…` (in `main.rs`,
//! `atlas_actors::…`) and `super::…` path in `src/**/*.rs` that leaves its top-level
//! module must point to a lower layer. Comments are not read (a doc link is not a
//! dependency of the code).
//!
//! Layers, lowest first: `contracts`; infrastructure (store, metrics, logging, bounds,
//! kafka, …: may use each other); `actors`; the edges `bridge`, `rest`, `channel` (not each
//! other); `config`; `server`; the tools `conformance` and `simulate`; `main`. A module new
//! to the tree must be given its layer here, or the check fails.

use std::path::{Path, PathBuf};

/// Each top-level module and its layer.
const LAYERS: &[(&str, u8)] = &[
    ("contracts", 0),
    ("store", 1),
    ("metrics", 1),
    ("logging", 1),
    ("bounds", 1),
    ("carried", 1),
    ("telemetry", 1),
    ("chaos", 1),
    ("broker", 1),
    ("shutdown", 1),
    ("kafka", 1),
    ("duration", 1),
    ("live", 1),
    ("actors", 2),
    ("bridge", 3),
    ("rest", 3),
    ("channel", 3),
    ("config", 4),
    ("server", 5),
    ("conformance", 6),
    ("simulate", 6),
    ("main", 7),
];

/// Items at the crate root that belong to a module: exported macros.
const ROOT_ITEMS: &[(&str, &str)] = &[("write_sql", "store"), ("write_rows", "store")];

/// The layer whose modules may import each other: infrastructure.
const SIDEWAYS: u8 = 1;

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(name, _)| *name == module).map(|(_, layer)| *layer)
}

/// Whether `from` may import `to`.
fn allowed(from: &str, to: &str) -> Result<(), String> {
    if from == to {
        return Ok(());
    }
    let (Some(low), Some(high)) = (layer(to), layer(from)) else {
        return Err(format!("{from} -> {to}: a module without a layer (add it to LAYERS)"));
    };
    match low < high || (low == high && low == SIDEWAYS) {
        true => Ok(()),
        false if low == high => Err(format!("{from} -> {to}: sideways between siblings")),
        false => Err(format!("{from} -> {to}: upward")),
    }
}

/// The module path of a file under `src/`: `bridge/router.rs` → `[bridge, router]`,
/// `bridge/mod.rs` → `[bridge]`.
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs");
        if stem != "mod" {
            parts.push(stem.to_string());
        }
    }
    parts
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The first segments after `at` in `text`: one identifier, or each item of a `{…}` group.
fn first_segments(text: &str) -> Vec<String> {
    let text = text.trim_start();
    if let Some(group) = text.strip_prefix('{') {
        // Items at the group's own depth: `{a::{b, c}, d}` → `a`, `d`.
        let (mut items, mut item, mut depth) = (Vec::new(), String::new(), 0);
        for c in group.chars() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => items.push(std::mem::take(&mut item)),
                c => item.push(c),
            }
        }
        items.push(item);
        return items.iter().map(|item| item.trim().chars().take_while(|c| is_ident(*c)).collect()).collect();
    }
    vec![text.chars().take_while(|c| is_ident(*c)).collect()]
}

/// Occurrences of `prefix` that start a path (not the tail of another identifier or of `$crate`).
fn path_starts<'a>(line: &'a str, prefix: &str) -> Vec<&'a str> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = line[from..].find(prefix).map(|i| i + from) {
        let before = line[..at].chars().next_back();
        let starts = before.is_none_or(|c| !is_ident(c) && c != '$' && c != ':');
        if starts {
            found.push(&line[at..]);
        }
        from = at + prefix.len();
    }
    found
}

/// The code of a line: without a `//` comment and without the contents of string literals.
fn code_of(line: &str) -> String {
    let mut code = String::new();
    let mut chars = line.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        match (in_string, c) {
            (false, '/') if chars.peek() == Some(&'/') => break,
            (false, '"') => in_string = true,
            (true, '\\') => {
                chars.next();
            }
            (true, '"') => in_string = false,
            (true, _) => {}
            (false, c) => code.push(c),
        }
    }
    code
}

/// The imports of one file against the allowed direction: `path:line: from -> to: why`.
fn offenders_in(relative: &Path, text: &str) -> Vec<String> {
    let path = module_path(relative);
    let Some(top) = path.first().cloned() else { return Vec::new() };
    let crate_prefix = if top == "main" { "atlas_actors::" } else { "crate::" };
    let mut inline: Vec<(String, i64)> = Vec::new();
    let mut depth: i64 = 0;
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let code = code_of(line);
        let mut targets = Vec::new();
        for rest in path_starts(&code, crate_prefix) {
            targets.extend(first_segments(&rest[crate_prefix.len()..]));
        }
        for rest in path_starts(&code, "super::") {
            let mut tail = rest;
            let mut ups = 0;
            while let Some(next) = tail.strip_prefix("super::") {
                ups += 1;
                tail = next;
            }
            let here = path.len() + inline.len();
            if ups >= here {
                targets.extend(first_segments(tail));
            }
        }
        let targets =
            targets.into_iter().map(|t| ROOT_ITEMS.iter().find(|(item, _)| *item == t).map_or(t, |(_, module)| module.to_string()));
        for target in targets.filter(|t| !t.is_empty() && t != "self") {
            if let Err(why) = allowed(&top, &target) {
                found.push(format!("src/{}:{}: {why}", relative.display(), number + 1));
            }
        }
        // Inline modules (`mod tests { … }`) deepen what `super::` climbs.
        let trimmed = code.trim_start();
        let declaration = trimmed.trim_start_matches("pub(crate) ").trim_start_matches("pub ");
        if let Some(name) = declaration.strip_prefix("mod ").filter(|rest| rest.trim_end().ends_with('{')) {
            inline.push((name.trim_end_matches('{').trim().to_string(), depth));
        }
        for c in code.chars() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if inline.last().is_some_and(|(_, opened)| *opened == depth) {
                        inline.pop();
                    }
                }
                _ => {}
            }
        }
    }
    found
}

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("readable src").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            rust_files(&entry, into);
        } else if entry.extension().is_some_and(|e| e == "rs") {
            into.push(entry);
        }
    }
}

#[test]
fn no_module_imports_against_the_direction_of_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut offenders = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("under src");
        if relative == Path::new("lib.rs") {
            continue;
        }
        let text = std::fs::read_to_string(file).expect("readable file");
        offenders.extend(offenders_in(relative, &text));
    }
    assert!(files.len() > 100, "the tree was read ({} files)", files.len());
    assert!(offenders.is_empty(), "imports against the direction of the layers:\n{}", offenders.join("\n"));
}

#[test]
fn every_top_level_module_has_a_layer() {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).expect("lib.rs");
    let modules: Vec<&str> = lib.lines().filter_map(|l| l.trim().strip_prefix("pub mod ")?.strip_suffix(';')).collect();
    assert!(modules.len() > 10, "{modules:?}");
    let missing: Vec<&&str> = modules.iter().filter(|m| layer(m).is_none()).collect();
    assert!(missing.is_empty(), "modules without a layer: {missing:?}");
}

#[test]
fn the_rule_refuses_upward_and_sideways_imports_and_allows_downward_ones() {
    let upward = "use crate::bridge::Publisher;\nuse crate::store::Store;\n";
    assert_eq!(offenders_in(Path::new("actors/mod.rs"), upward), vec!["src/actors/mod.rs:1: actors -> bridge: upward"]);
    let sideways = "fn f() { crate::channel::events::decode(); }";
    assert_eq!(
        offenders_in(Path::new("bridge/router.rs"), sideways),
        vec!["src/bridge/router.rs:1: bridge -> channel: sideways between siblings"]
    );
    let grouped = "use crate::{contracts::{key, topics}, simulate::Args};";
    assert_eq!(offenders_in(Path::new("server.rs"), grouped), vec!["src/server.rs:1: server -> simulate: upward"]);
    // `super::` from a module's root leaves it; inside an inline module it does not.
    let climbing = "use super::channel::Edge;\nmod tests {\n    use super::*;\n}\n";
    assert_eq!(offenders_in(Path::new("actors/mod.rs"), climbing), vec!["src/actors/mod.rs:1: actors -> channel: upward"]);
    assert!(offenders_in(Path::new("actors/saga/mod.rs"), "use super::super::store::Store;\n").is_empty());
    assert_eq!(offenders_in(Path::new("store/outbox.rs"), "use super::super::actors::Meta;\n").len(), 1);
    // Downward, within a module, infrastructure among itself, and comments are fine.
    let fine = "use crate::actors::Meta;\nuse crate::kafka::producer;\n// crate::server::run\nuse super::consumer;\n";
    assert!(offenders_in(Path::new("bridge/router.rs"), fine).is_empty());
    assert!(offenders_in(Path::new("logging.rs"), "crate::telemetry::layer()").is_empty());
    assert!(offenders_in(Path::new("actors/saga/sql.rs"), "use crate::write_sql;").is_empty(), "the store's macro");
    assert_eq!(offenders_in(Path::new("contracts/key.rs"), "use crate::write_sql;").len(), 1);
    assert_eq!(offenders_in(Path::new("main.rs"), "use atlas_actors::{server, nowhere};").len(), 1, "a module without a layer");
    assert!(offenders_in(Path::new("actors/mod.rs"), "let s = \"crate::bridge::x\";").is_empty(), "strings are not code");
}
