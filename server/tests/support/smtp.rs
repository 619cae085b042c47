//! A real SMTP server for the tests and benchmarks of the mail worker. Shared by
//! `tests/http` and `benches/mail.rs` through `#[path]`.
#![allow(dead_code)]

/// A real SMTP server (aiosmtpd, see `tests/support/smtp_server.py`) on a free loopback port,
/// keeping what it accepts in a Maildir. Stopped when dropped.
pub struct SmtpServer {
    pub port: u16,
    maildir: tempfile::TempDir,
    child: Option<std::process::Child>,
}

impl SmtpServer {
    pub fn start() -> Self {
        let port = free_port();
        let maildir = tempfile::tempdir().expect("a temporary Maildir");
        let mut server = SmtpServer {
            port,
            maildir,
            child: None,
        };
        server.restart();
        server
    }

    /// Starts the server again on the same port and Maildir, after [`Self::stop`].
    pub fn restart(&mut self) {
        use std::io::BufRead;
        let python =
            std::env::var("SIMDESK_TEST_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".into());
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_server.py");
        let mut child = std::process::Command::new(&python)
            .arg(script)
            .args(["--port", &self.port.to_string()])
            .arg("--maildir")
            .arg(self.maildir.path().join("received"))
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the test SMTP server with {python}: {e} (scripts/setup --test installs python3-aiosmtpd)"));
        let stdout = child.stdout.take().expect("the SMTP server's output");
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the SMTP server's first line");
        assert_eq!(
            line.trim(),
            "ready",
            "the test SMTP server did not start (is python3-aiosmtpd installed?)"
        );
        self.child = Some(child);
    }

    /// Stops the server, as an outage would.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// How many messages the server accepted.
    pub fn count(&self) -> usize {
        ["new", "cur"]
            .iter()
            .filter_map(|sub| {
                std::fs::read_dir(self.maildir.path().join("received").join(sub)).ok()
            })
            .map(|entries| entries.count())
            .sum()
    }

    /// Every message the server accepted, as received.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let mut files: Vec<_> = ["new", "cur"]
            .iter()
            .filter_map(|sub| {
                std::fs::read_dir(self.maildir.path().join("received").join(sub)).ok()
            })
            .flatten()
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| std::fs::read(f).expect("a stored message"))
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
