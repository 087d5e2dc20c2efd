//! Set-up the runner does for itself: a work folder (SQLite file, server log) and the
//! server under test as a child process, killed when the guard drops (also on error or
//! panic).

use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const HEALTH_TIMEOUT: Duration = Duration::from_secs(60);

/// A temporary folder, removed on drop unless `keep` was called.
pub struct WorkDir {
    path: PathBuf,
    keep: bool,
}

impl WorkDir {
    pub fn create() -> anyhow::Result<WorkDir> {
        let path = std::env::temp_dir().join(format!("atlas-conformance-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(WorkDir { path, keep: false })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Keeps the folder (its log and database) for inspection after a failure.
    pub fn keep(&mut self) {
        self.keep = true;
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// A free local TCP port (bound and released; the small race is acceptable here).
pub fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

/// The environment of the server under test.
pub struct ServerEnv {
    pub bootstrap: String,
    pub database_url: String,
    pub rest_port: u16,
    pub channel_port: u16,
    pub base_service_url: String,
}

/// The running server under test; killed on drop.
pub struct ServerProcess {
    child: Child,
    pub log: PathBuf,
    pub url: String,
}

impl ServerProcess {
    /// Spawns `<this executable> serve` with stdout and stderr going to `log`.
    pub fn spawn(env: &ServerEnv, log: PathBuf) -> anyhow::Result<ServerProcess> {
        let exe = std::env::current_exe().context("locating the atlas-actors executable")?;
        let out = std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let err = out.try_clone().context("sharing the log file")?;
        let level = std::env::var("LOG_LEVEL").unwrap_or_else(|_| "warn".to_string());
        let child = Command::new(&exe)
            .arg("serve")
            .env("BOOTSTRAP_SERVERS", &env.bootstrap)
            .env("DATABASE_URL", &env.database_url)
            .env("REST_PORT", env.rest_port.to_string())
            .env("CHANNEL_PORT", env.channel_port.to_string())
            .env("BASE_SERVICE_URL", &env.base_service_url)
            .env("CONSUMER_GROUP_ID", format!("atlas-conformance-{}", uuid::Uuid::new_v4().simple()))
            .env("LOG_LEVEL", level)
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .with_context(|| format!("starting {} serve", exe.display()))?;
        Ok(ServerProcess { child, log, url: format!("http://127.0.0.1:{}", env.rest_port) })
    }

    /// Waits until GET /health answers 200; fails early if the child exits.
    pub async fn wait_healthy(&mut self, http: &reqwest::Client) -> anyhow::Result<()> {
        let started = Instant::now();
        let health = format!("{}/health", self.url);
        loop {
            if let Some(status) = self.child.try_wait().context("checking the server process")? {
                anyhow::bail!("the server exited during start-up ({status}); log {}:\n{}", self.log.display(), tail(&self.log, 30));
            }
            let answer = http.get(&health).timeout(Duration::from_secs(2)).send().await;
            if answer.is_ok_and(|r| r.status() == reqwest::StatusCode::OK) {
                return Ok(());
            }
            if started.elapsed() > HEALTH_TIMEOUT {
                anyhow::bail!(
                    "GET {health} did not answer 200 within {} s; log {}:\n{}",
                    HEALTH_TIMEOUT.as_secs(),
                    self.log.display(),
                    tail(&self.log, 30)
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The lines of a log file that mention `needle` (a tenant id), the last `limit` of them.
pub fn log_lines_with(log: &Path, needle: &str, limit: usize) -> Vec<String> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<String> = text.lines().filter(|l| l.contains(needle)).map(str::to_string).collect();
    lines[lines.len().saturating_sub(limit)..].to_vec()
}

/// The last `n` lines of a file.
pub fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Keeps the embedded broker's event loop awake while it is given commands.
///
/// librdkafka's mock cluster sometimes misses the wake-up for a queued command and serves
/// it only when its poll times out (~200 ms a command, seconds for a few dozen topics).
/// Any socket activity also ends the poll, so a connection attempt every few
/// milliseconds keeps commands prompt.
pub struct MockWaker {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl MockWaker {
    pub fn start(bootstrap: &str) -> MockWaker {
        use std::sync::atomic::Ordering;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let addresses: Vec<std::net::SocketAddr> =
            bootstrap.split(',').filter_map(|a| std::net::ToSocketAddrs::to_socket_addrs(a.trim()).ok()).flatten().collect();
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("conformance-waker".into())
            .spawn(move || {
                while !flag.load(Ordering::Acquire) {
                    for address in &addresses {
                        let _ = std::net::TcpStream::connect_timeout(address, Duration::from_millis(50));
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
            })
            .ok();
        MockWaker { stop, thread }
    }
}

impl Drop for MockWaker {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Release);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
