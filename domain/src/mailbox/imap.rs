//! The IMAP side of the order mailbox: connect (TLS, STARTTLS or, on this machine only, plain),
//! sign in, select the folder, list what is new, fetch one message, mark it seen. No database
//! and no policy: `super` decides what is new and keeps what is fetched.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use async_imap::{Client, Session};
use futures_util::TryStreamExt;
use rustls::pki_types::ServerName;
use simdesk_types::MailboxSecurity;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// Any connection IMAP runs over: plain TCP or TLS.
pub trait Transport: AsyncRead + AsyncWrite + Unpin + Send + Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Debug> Transport for T {}

type Connection = Box<dyn Transport>;

/// Where the mailbox is and who signs in.
#[derive(Debug, Clone)]
pub struct Server {
    pub host: String,
    pub port: u16,
    pub security: MailboxSecurity,
    pub username: String,
    pub password: String,
    pub folder: String,
}

/// A failure, in words for the tenant admin and the alarm.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ImapError(pub String);

type Result<T> = std::result::Result<T, ImapError>;

/// The folder as selected: its UIDVALIDITY and the messages in it.
#[derive(Debug, Clone, Copy)]
pub struct Folder {
    pub uid_validity: Option<u32>,
    /// The UID the next message will get.
    pub uid_next: Option<u32>,
    pub exists: u32,
}

/// A message the server offers, before its bytes are fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offered {
    pub uid: u32,
    pub size: u32,
}

/// A signed-in session with the folder selected.
pub struct Mailbox {
    session: Session<Connection>,
    timeout: Duration,
}

/// Each step waits this long at most, so a silent server cannot hold the worker's lease.
async fn within<T, E: std::fmt::Display>(
    timeout: Duration,
    what: &str,
    step: impl std::future::Future<Output = std::result::Result<T, E>>,
) -> Result<T> {
    match tokio::time::timeout(timeout, step).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(ImapError(format!("{what}: {e}"))),
        Err(_) => Err(ImapError(format!(
            "{what}: no answer within {} seconds",
            timeout.as_secs()
        ))),
    }
}

fn tls_connector() -> Result<TlsConnector> {
    let roots = rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| ImapError(format!("TLS cannot be set up: {e}")))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// Wraps `io` (a new connection, or one after STARTTLS) in TLS, checking the certificate
/// against `host`.
async fn tls<IO: Transport + 'static>(host: &str, io: IO, timeout: Duration) -> Result<Connection> {
    let name = ServerName::try_from(host.to_owned())
        .map_err(|_| ImapError(format!("\"{host}\" is not a host name TLS can check")))?;
    let stream = within(
        timeout,
        "TLS with the mail server",
        tls_connector()?.connect(name, io),
    )
    .await?;
    Ok(Box::new(stream))
}

impl Mailbox {
    /// Connects, signs in and selects the folder.
    pub async fn open(server: &Server, timeout: Duration) -> Result<(Self, Folder)> {
        let address = format!("{}:{}", server.host, server.port);
        let tcp = within(
            timeout,
            &format!("cannot connect to {address}"),
            TcpStream::connect((server.host.as_str(), server.port)),
        )
        .await?;
        let mut client = match server.security {
            MailboxSecurity::Tls => Client::new(tls(&server.host, tcp, timeout).await?),
            MailboxSecurity::StartTls | MailboxSecurity::Plain => {
                Client::new(Box::new(tcp) as Connection)
            }
        };
        let greeting = within(
            timeout,
            "the mail server's greeting",
            client.read_response(),
        )
        .await?;
        if greeting.is_none() {
            return Err(ImapError(format!(
                "{address} closed the connection at once"
            )));
        }
        if server.security == MailboxSecurity::StartTls {
            within(
                timeout,
                "STARTTLS",
                client.run_command_and_check_ok("STARTTLS", None),
            )
            .await?;
            client = Client::new(tls(&server.host, client.into_inner(), timeout).await?);
        }
        let session =
            match tokio::time::timeout(timeout, client.login(&server.username, &server.password))
                .await
            {
                Ok(Ok(session)) => session,
                Ok(Err((async_imap::error::Error::No(_), _))) => {
                    return Err(ImapError(format!(
                        "the mail server refused the user name \"{}\" or its password",
                        server.username
                    )))
                }
                Ok(Err((e, _))) => return Err(ImapError(format!("signing in failed: {e}"))),
                Err(_) => {
                    return Err(ImapError(format!(
                        "signing in: no answer within {} seconds",
                        timeout.as_secs()
                    )))
                }
            };
        let mut mailbox = Mailbox { session, timeout };
        let selected =
            match tokio::time::timeout(timeout, mailbox.session.select(&server.folder)).await {
                Ok(Ok(selected)) => selected,
                Ok(Err(async_imap::error::Error::No(_))) => {
                    return Err(ImapError(format!(
                        "there is no folder \"{}\" in this mailbox",
                        server.folder
                    )))
                }
                Ok(Err(e)) => return Err(ImapError(format!("selecting the folder failed: {e}"))),
                Err(_) => return Err(ImapError("selecting the folder: no answer".into())),
            };
        Ok((
            mailbox,
            Folder {
                uid_validity: selected.uid_validity,
                uid_next: selected.uid_next,
                exists: selected.exists,
            },
        ))
    }

    /// The messages after `after` (a UID), or, with no position yet, those not seen; in UID
    /// order, at most `limit`, with their sizes.
    pub async fn offered(&mut self, after: Option<u32>, limit: usize) -> Result<Vec<Offered>> {
        let query = match after {
            Some(uid) => format!("UID {}:*", uid.saturating_add(1)),
            None => "UNSEEN".to_owned(),
        };
        let found = within(
            self.timeout,
            "searching the folder",
            self.session.uid_search(query),
        )
        .await?;
        let mut uids: Vec<u32> = found
            .into_iter()
            // `n:*` also names the last message when every UID is below n.
            .filter(|uid| after.is_none_or(|a| *uid > a))
            .collect();
        uids.sort_unstable();
        uids.truncate(limit);
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let set = uids
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let timeout = self.timeout;
        let fetches = within(timeout, "listing the new messages", async {
            self.session
                .uid_fetch(&set, "(UID RFC822.SIZE)")
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await?;
        let mut offered: Vec<Offered> = fetches
            .iter()
            .filter_map(|f| {
                Some(Offered {
                    uid: f.uid?,
                    size: f.size.unwrap_or(0),
                })
            })
            .collect();
        offered.sort_unstable_by_key(|o| o.uid);
        offered.dedup_by_key(|o| o.uid);
        Ok(offered)
    }

    /// The message `uid` exactly as stored (`headers_only`: its header), without marking it
    /// seen.
    pub async fn fetch(&mut self, uid: u32, headers_only: bool) -> Result<Vec<u8>> {
        let query = if headers_only {
            "(UID BODY.PEEK[HEADER])"
        } else {
            "(UID BODY.PEEK[])"
        };
        let timeout = self.timeout;
        let fetches = within(timeout, "fetching a message", async {
            self.session
                .uid_fetch(uid.to_string(), query)
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await?;
        fetches
            .iter()
            .find(|f| f.uid == Some(uid))
            .and_then(|f| if headers_only { f.header() } else { f.body() })
            .map(<[u8]>::to_vec)
            .ok_or_else(|| ImapError(format!("the server sent no message for UID {uid}")))
    }

    /// Marks `uid` as seen, so people reading the mailbox see what simdesk has kept.
    pub async fn mark_seen(&mut self, uid: u32) -> Result<()> {
        let timeout = self.timeout;
        within(timeout, "marking a message seen", async {
            self.session
                .uid_store(uid.to_string(), "+FLAGS.SILENT (\\Seen)")
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await?;
        Ok(())
    }

    /// Signs out; a failure here loses nothing.
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(self.timeout, self.session.logout()).await;
    }
}
