//! A real IMAP server for the tests of the order mailbox: Dovecot, started by
//! `scripts/imap-server` on a free loopback port with its own users and Maildirs, and stopped
//! when dropped. Messages reach it by IMAP APPEND, as a mail server's delivery would.

use std::time::Duration;

use async_imap::Client;
use futures_util::TryStreamExt;
use tokio::net::TcpStream;

/// A running Dovecot.
pub struct ImapServer {
    pub port: u16,
    dir: tempfile::TempDir,
    users: Vec<(String, String)>,
    child: Option<std::process::Child>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl ImapServer {
    /// Starts a server with these users (name, password).
    pub async fn start(users: &[(&str, &str)]) -> Self {
        let mut server = ImapServer {
            port: free_port(),
            dir: tempfile::tempdir().expect("a folder for the IMAP server"),
            users: users
                .iter()
                .map(|(u, p)| ((*u).to_owned(), (*p).to_owned()))
                .collect(),
            child: None,
        };
        server.restart().await;
        server
    }

    /// Starts the server again on the same port, with empty mailboxes, after [`Self::stop`].
    pub async fn restart(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/imap-server");
        let child = std::process::Command::new(script)
            .arg(self.dir.path().join("dovecot"))
            .arg(self.port.to_string())
            .args(self.users.iter().map(|(u, p)| format!("{u}:{p}")))
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {script}: {e}"));
        self.child = Some(child);
        for _ in 0..200 {
            if TcpStream::connect(("127.0.0.1", self.port)).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the test IMAP server did not start (scripts/setup --test installs Dovecot)");
    }

    /// Stops the server, as an outage would.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    async fn session(&self, user: &str, password: &str) -> async_imap::Session<TcpStream> {
        let tcp = TcpStream::connect(("127.0.0.1", self.port))
            .await
            .expect("connect to the test IMAP server");
        let mut client = Client::new(tcp);
        client
            .read_response()
            .await
            .expect("the greeting")
            .expect("a greeting");
        client
            .login(user, password)
            .await
            .map_err(|(e, _)| e)
            .expect("sign in to the test IMAP server")
    }

    /// Puts a message into `user`'s INBOX, unseen.
    pub async fn deliver(&self, user: &str, password: &str, message: &[u8]) {
        let mut session = self.session(user, password).await;
        session
            .append("INBOX", None, None, message)
            .await
            .expect("append the message");
        let _ = session.logout().await;
    }

    /// The UIDs of `user`'s INBOX with whether each is marked seen, in UID order.
    pub async fn seen(&self, user: &str, password: &str) -> Vec<(u32, bool)> {
        let mut session = self.session(user, password).await;
        session.select("INBOX").await.expect("select INBOX");
        let fetched: Vec<_> = session
            .uid_fetch("1:*", "(UID FLAGS)")
            .await
            .expect("fetch flags")
            .try_collect()
            .await
            .expect("the flags");
        let mut flags: Vec<(u32, bool)> = fetched
            .iter()
            .filter_map(|f| {
                let seen = f.flags().any(|flag| flag == async_imap::types::Flag::Seen);
                Some((f.uid?, seen))
            })
            .collect();
        drop(fetched);
        let _ = session.logout().await;
        flags.sort_unstable();
        flags
    }
}

impl Drop for ImapServer {
    fn drop(&mut self) {
        self.stop();
    }
}
