//! The parts of a cluster the harness can break: a PostgreSQL server of its own (so it may be
//! crashed without disturbing anything else on the machine), `simdesk serve` instances, and
//! HAProxy in front of them with health checks on `/readyz`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn run(command: &mut Command, what: &str) {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The newest PostgreSQL server programs of the machine (Debian keeps them out of PATH): the
/// newest version directory that has `initdb`, not only a client.
fn postgres_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dir| {
            dir.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    versions.retain(|bin| bin.join("initdb").exists());
    versions.sort_by_key(|bin| {
        bin.parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0)
    });
    match versions.pop() {
        Some(bin) => bin,
        None => {
            let output = Command::new("pg_config")
                .arg("--bindir")
                .output()
                .expect("PostgreSQL's server programs (Debian: apt-get install postgresql)");
            PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
        }
    }
}

/// A PostgreSQL server in a temporary directory, on a port of its own.
pub struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
    as_root: bool,
}

impl Postgres {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let as_root = running_as_root();
        if as_root {
            // PostgreSQL refuses to run as root: its files belong to the postgres user.
            run(
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(dir.path()),
                "chown",
            );
        }
        let server = Self {
            dir,
            bin: postgres_bin(),
            port: free_port(),
            as_root,
        };
        let data = server.data();
        run(
            &mut server.command(
                "initdb",
                &[
                    "-D",
                    &data,
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ],
            ),
            "initdb",
        );
        server.start_again();
        server
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn command(&self, program: &str, args: &[&str]) -> Command {
        let program = self.bin.join(program);
        let mut command = if self.as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        command.args(args);
        command
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the server and waits until it accepts connections.
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("postgres.log").display().to_string();
        run(
            &mut self.command(
                "pg_ctl",
                &[
                    "-D",
                    &self.data(),
                    "-l",
                    &log,
                    "-o",
                    &options,
                    "-w",
                    "start",
                ],
            ),
            "pg_ctl start",
        );
    }

    /// Stops the server the way a crash would: no checkpoint, every connection cut; the next
    /// start recovers from the write-ahead log.
    pub fn crash(&self) {
        run(
            &mut self.command(
                "pg_ctl",
                &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
            ),
            "pg_ctl stop",
        );
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl", &["-D", &self.data(), "-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// One `simdesk serve` process.
pub struct Instance {
    child: std::sync::Mutex<Child>,
    pub port: u16,
    pub log: PathBuf,
}

impl Instance {
    pub fn start(database_url: &str, sealing_key: &str, dir: &Path, name: &str) -> Self {
        Self::start_on(database_url, sealing_key, dir, name, free_port())
    }

    pub fn start_on(
        database_url: &str,
        sealing_key: &str,
        dir: &Path,
        name: &str,
        port: u16,
    ) -> Self {
        let log = dir.join(format!("{name}.log"));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("the instance's log file");
        let child = Command::new(env!("CARGO_BIN_EXE_simdesk"))
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("SIMDESK_ADDR", format!("127.0.0.1:{port}"))
            .env("SIMDESK_SECRET_KEY", sealing_key)
            .env("SIMDESK_MAIL_FOLDER", dir.join(format!("{name}-mail")))
            .env("SIMDESK_SIGN_IN_PER_MINUTE", "100000")
            .env("SIMDESK_DRAIN_SECONDS", "1")
            .env("SIMDESK_LOG", "warn,sqlx=error")
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("start simdesk");
        Self {
            child: std::sync::Mutex::new(child),
            port,
            log,
        }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Waits until `/readyz` answers 200.
    pub async fn ready(&self, client: &reqwest::Client) {
        let started = Instant::now();
        loop {
            let status = client
                .get(format!("{}/readyz", self.base()))
                .send()
                .await
                .map(|r| r.status().as_u16());
            if status.ok() == Some(200) {
                return;
            }
            assert!(
                self.child
                    .lock()
                    .unwrap()
                    .try_wait()
                    .expect("the instance's state")
                    .is_none(),
                "the instance ended at start: {}",
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
            assert!(
                started.elapsed() < Duration::from_secs(90),
                "the instance never got ready"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGKILL: no shutdown, no draining, connections cut mid-request.
    pub fn kill_nine(&self) {
        let mut child = self.child.lock().unwrap();
        child.kill().expect("SIGKILL");
        let _ = child.wait();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Ok(mut child) = self.child.lock() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// HAProxy in front of the instances: round robin, health checks on `/readyz` twice a second,
/// and a request whose connection was refused sent to another instance.
pub struct Balancer {
    child: Child,
    pub port: u16,
    socket: PathBuf,
}

impl Balancer {
    pub fn start(dir: &Path, ports: &[u16]) -> Self {
        let port = free_port();
        let socket = dir.join("haproxy.sock");
        let servers: String = ports
            .iter()
            .enumerate()
            .map(|(i, p)| format!("  server s{} 127.0.0.1:{p} check\n", i + 1))
            .collect();
        let config = format!(
            "global\n  maxconn 2000\n  stats socket {socket} mode 600 level admin\n\
             defaults\n  mode http\n  timeout connect 1s\n  timeout client 60s\n  timeout server 60s\n\
             \x20 retries 3\n  option redispatch\n  retry-on conn-failure\n\
             frontend portal\n  bind 127.0.0.1:{port}\n  default_backend simdesk\n\
             \x20 unique-id-format %{{+X}}o%ci:%cp_%fi:%fp_%Ts_%rt:%pid\n\
             \x20 http-request set-header X-Request-Id %[unique-id]\n\
             backend simdesk\n  balance roundrobin\n  option httpchk GET /readyz\n\
             \x20 default-server inter 500ms fall 2 rise 2\n{servers}",
            socket = socket.display(),
        );
        let file = dir.join("haproxy.cfg");
        std::fs::write(&file, config).expect("write haproxy.cfg");
        let log = std::fs::File::create(dir.join("haproxy.log")).expect("haproxy.log");
        let child = Command::new(haproxy())
            .arg("-db")
            .arg("-f")
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start haproxy (Debian: apt-get install haproxy; scripts/setup --test does)");
        Self {
            child,
            port,
            socket,
        }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The state HAProxy's health checks gave each server (`UP`, `DOWN`, …), by name.
    pub async fn server_states(&self) -> Vec<(String, String)> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let Ok(mut stream) = tokio::net::UnixStream::connect(&self.socket).await else {
            return Vec::new();
        };
        let _ = stream.write_all(b"show stat\n").await;
        let mut csv = String::new();
        let _ = stream.read_to_string(&mut csv).await;
        // Columns: pxname, svname, …, status is the 18th.
        csv.lines()
            .filter(|l| l.starts_with("simdesk,s"))
            .filter_map(|l| {
                let fields: Vec<&str> = l.split(',').collect();
                Some((fields.get(1)?.to_string(), fields.get(17)?.to_string()))
            })
            .collect()
    }

    /// Waits until HAProxy reports `server` in `state`.
    pub async fn wait_for(&self, server: &str, state: &str, within: Duration) -> Duration {
        let started = Instant::now();
        loop {
            let states = self.server_states().await;
            if states.iter().any(|(s, st)| s == server && st == state) {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < within,
                "{server} not {state} after {within:?}: {states:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn haproxy() -> PathBuf {
    ["/usr/sbin/haproxy", "/usr/local/sbin/haproxy"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("haproxy"))
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
