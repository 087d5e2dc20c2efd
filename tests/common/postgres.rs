//! The PostgreSQL database of the postgres half of the tests, found or made once per test
//! binary:
//!
//! 1. `TEST_POSTGRES_URL` when set;
//! 2. else `postgres://postgres@127.0.0.1:5432/test` when that port answers (what `.ci/run`
//!    starts);
//! 3. else a throwaway cluster from local PostgreSQL binaries (`initdb`, `pg_ctl` in
//!    `TEST_POSTGRES_BIN`, on `PATH` or under `/usr/lib/postgresql/*/bin`) in a temp dir on
//!    a free port, stopped and removed when the test binary exits;
//! 4. else none: the PostgreSQL tests return at once, and one line on stderr says what was
//!    not run and how to run it.

#![allow(dead_code)]

use std::io::Write as _;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

/// Where the default database is looked for when `TEST_POSTGRES_URL` is unset.
const DEFAULT_ADDRESS: &str = "127.0.0.1:5432";
const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The database URL, or `None` (after saying so, once) when no PostgreSQL can be had.
/// PostgreSQL tests start with `let Some(url) = postgres() else { return };`.
pub fn postgres() -> Option<&'static str> {
    static URL: OnceLock<Option<String>> = OnceLock::new();
    URL.get_or_init(|| match find() {
        Ok(url) => Some(url),
        Err(why) => {
            // Straight to stderr: the test harness captures `eprintln!` of passing tests,
            // and this line is for the person running `cargo test`.
            let binary = std::env::args().next().unwrap_or_default();
            let name = Path::new(&binary).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let _ = writeln!(
                std::io::stderr(),
                "{name}: PostgreSQL tests NOT run ({why}); to run them set TEST_POSTGRES_URL=postgres://… \
                 or install PostgreSQL (initdb/pg_ctl on PATH)"
            );
            None
        }
    })
    .as_deref()
}

/// The database URL for a test that cannot run without one: panics with the reason.
pub fn postgres_url() -> &'static str {
    postgres().unwrap_or_else(|| panic!("this test needs PostgreSQL; see the line above for why none was found"))
}

fn find() -> Result<String, String> {
    if let Ok(url) = std::env::var("TEST_POSTGRES_URL") {
        return Ok(url);
    }
    let address: SocketAddr = DEFAULT_ADDRESS.parse().map_err(|e| format!("{DEFAULT_ADDRESS}: {e}"))?;
    let refused = match TcpStream::connect_timeout(&address, Duration::from_secs(1)) {
        Ok(_) => return Ok(DEFAULT_URL.to_string()),
        Err(error) => format!("TEST_POSTGRES_URL unset, nothing answers at {DEFAULT_ADDRESS} ({error})"),
    };
    let bin = binaries().ok_or_else(|| format!("{refused}, no initdb/pg_ctl found"))?;
    throwaway(&bin).map_err(|error| format!("{refused}, throwaway cluster from {} failed: {error}", bin.display()))
}

/// The first directory holding both `initdb` and `pg_ctl`.
fn binaries() -> Option<PathBuf> {
    let has_both = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Ok(dir) = std::env::var("TEST_POSTGRES_BIN") {
        return Some(PathBuf::from(dir)).filter(|d| has_both(d));
    }
    let on_path = std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect::<Vec<_>>()).unwrap_or_default();
    let mut versioned: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| dirs.filter_map(|d| Some(d.ok()?.path().join("bin"))).collect())
        .unwrap_or_default();
    // Newest version first (directory names are major versions).
    versioned.sort_by_key(|d| std::cmp::Reverse(d.parent().and_then(|v| v.file_name()?.to_str()?.parse::<u32>().ok())));
    on_path.into_iter().chain(versioned).find(|d| has_both(d))
}

/// Starts a cluster owned by this test binary; returns its URL.
fn throwaway(bin: &Path) -> Result<String, String> {
    let dir = std::env::temp_dir().join(format!("atlas-test-pg-{}", uuid::Uuid::new_v4()));
    let data = dir.join("data");
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    // PostgreSQL refuses to run as root; then the cluster belongs to the `postgres` user.
    let as_user = running_as_root().then_some("postgres");
    if let Some(user) = as_user {
        run(Command::new("chown").arg(user).arg(&dir))?;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| format!("no free port: {e}"))?.port();
    let tool = |name: &str| {
        let mut command = match as_user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(bin.join(name));
                c
            }
            None => Command::new(bin.join(name)),
        };
        command.stdin(Stdio::null());
        command
    };
    run(tool("initdb").arg("-D").arg(&data).args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]))?;
    let options = format!("-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", dir.display());
    run(tool("pg_ctl").arg("-D").arg(&data).arg("-o").arg(options).arg("-l").arg(dir.join("log")).args(["-w", "start"]))?;
    // Stop and remove it when this test binary exits, however it exits: a watcher polls our
    // pid (statics are never dropped, so no destructor would run).
    let pg_ctl = shell_quote(&bin.join("pg_ctl").to_string_lossy());
    let data_arg = shell_quote(&data.to_string_lossy());
    let runuser = as_user.map(|u| format!("runuser -u {u} -- ")).unwrap_or_default();
    let stop = format!("{runuser}{pg_ctl} -D {data_arg} -m immediate stop");
    let watcher = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        dir = shell_quote(&dir.to_string_lossy()),
    );
    Command::new("sh")
        .args(["-c", &watcher])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting the cluster's watcher: {e}"))?;
    let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    let _ = writeln!(std::io::stderr(), "PostgreSQL tests use a throwaway cluster at {url} ({})", bin.display());
    Ok(url)
}

fn running_as_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| o.stdout.trim_ascii() == b"0").unwrap_or(false)
}

/// Runs a set-up command; its output is the error when it fails.
fn run(command: &mut Command) -> Result<(), String> {
    let output = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("running {}: {e}", command.get_program().to_string_lossy()))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "{} exited with {}: {}{}",
        command.get_program().to_string_lossy(),
        output.status,
        String::from_utf8_lossy(&output.stderr).trim(),
        String::from_utf8_lossy(&output.stdout).trim()
    ))
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
