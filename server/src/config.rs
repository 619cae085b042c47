//! Command line and environment configuration.

use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args, Parser, Subcommand};
use std::net::SocketAddr;

#[derive(Debug, Parser)]
#[command(
    name = "simdesk",
    version,
    about = "SIM ordering portal for service providers and their enterprise customers"
)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub pages: PageArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// How pages that order e-mails link to are fetched (by `serve`'s mailbox reader and by
/// `mail receive`).
#[derive(Debug, Args, Clone)]
pub struct PageArgs {
    /// Also fetch order pages from internal addresses (loopback, private networks) and over
    /// plain http. Off in production: a link must never reach the portal's own network. The
    /// tests turn it on for their local web server.
    #[arg(long, env = "SIMDESK_FETCH_INTERNAL_PAGES", global = true, action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub fetch_internal_pages: bool,
}

impl PageArgs {
    pub fn policy(&self) -> simdesk_domain::order_pages::PagePolicy {
        simdesk_domain::order_pages::PagePolicy {
            allow_internal: self.fetch_internal_pages,
            ..Default::default()
        }
    }
}

#[derive(Debug, Args, Clone)]
pub struct DatabaseArgs {
    /// `sqlite://PATH?mode=rwc` (embedded, the default) or `postgres://USER@HOST/DB`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/simdesk.db?mode=rwc",
        global = true
    )]
    pub database_url: String,
    /// At most this many connections to PostgreSQL per instance (default: twice the cores plus
    /// two). Requests beyond them wait in the instance, in order, rather than in PostgreSQL.
    #[arg(long, env = "SIMDESK_DATABASE_CONNECTIONS", global = true,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub database_connections: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the portal.
    Serve(Box<ServeArgs>),
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Load the demo tenants, accounts and users (does nothing if they exist).
    SeedDemo,
    /// Create a platform operator, or reset an existing one's password.
    CreateAdmin(CreateAdminArgs),
    /// Make a token of the REST API for a tenant or account admin, and print its secret (for
    /// scripts; admins make theirs on the portal's API and webhooks page).
    ApiToken(ApiTokenArgs),
    /// Support tools for cXML documents from procurement systems.
    #[command(subcommand)]
    Cxml(CxmlCommand),
    /// Orders by e-mail.
    #[command(subcommand)]
    Mail(MailCommand),
}

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Receive one message for a tenant's order mailbox, as a mail server pipes it, for
    /// example from /etc/aliases: `orders: "|simdesk mail receive --tenant nordwind"`.
    /// Exit status (sysexits): 0 kept, 75 try again later, 67 no such tenant, 66 no such
    /// file, 65 too large.
    Receive {
        /// The tenant whose order mailbox it is (its short name, such as `nordwind`).
        #[arg(long)]
        tenant: String,
        /// The message's file, or `-` for standard input.
        #[arg(default_value = "-")]
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum CxmlCommand {
    /// Parse a document as simdesk would; print what was understood (JSON) and every problem.
    /// Exit status 0 when the document is usable, 1 when it is not, 2 when it cannot be read.
    Check {
        /// The document's file, or `-` for standard input.
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// Address to listen on; cargo-leptos sets LEPTOS_SITE_ADDR in development.
    #[arg(long, env = "SIMDESK_ADDR")]
    pub addr: Option<SocketAddr>,
    /// Seed the demo data and print its sign-ins at start-up.
    #[arg(long, env = "SIMDESK_DEMO", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub demo: bool,
    /// Sign-in attempts allowed per client address and minute.
    #[arg(long, env = "SIMDESK_SIGN_IN_PER_MINUTE", default_value_t = 20)]
    pub sign_in_per_minute: u32,
    /// Requests of the REST API allowed per token and minute, counted by each instance.
    #[arg(long, env = "SIMDESK_API_REQUESTS_PER_MINUTE", default_value_t = 600)]
    pub api_requests_per_minute: u32,
    /// Let webhooks go to loopback and private addresses (tests, a provider's own network).
    #[arg(long, env = "SIMDESK_WEBHOOKS_ALLOW_PRIVATE_TARGETS", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub webhooks_allow_private_targets: bool,
    /// Minutes of inactivity after which a session ends.
    #[arg(long, env = "SIMDESK_SESSION_IDLE_MINUTES", default_value_t = 480)]
    pub session_idle_minutes: i64,
    /// The portal's public address, such as https://portal.example.com: the base of the
    /// redirect URI registered at identity providers. Without it, the request's host is used.
    #[arg(long, env = "SIMDESK_PUBLIC_URL")]
    pub public_url: Option<String>,
    #[command(flatten)]
    pub secrets: SecretKeyArgs,
    /// Seconds to wait for an identity provider (discovery, keys, token) before giving up.
    #[arg(long, env = "SIMDESK_OIDC_TIMEOUT_SECONDS", default_value_t = 10)]
    pub oidc_timeout_seconds: u64,
    /// Seconds an identity provider's clock may be ahead of ours when checking token expiry.
    #[arg(long, env = "SIMDESK_OIDC_CLOCK_SKEW_SECONDS", default_value_t = 60)]
    pub oidc_clock_skew_seconds: i64,
    #[command(flatten)]
    pub mail: MailArgs,
    /// The bearer token `/metrics` asks for; without one, only loopback clients may read it.
    #[arg(long, env = "SIMDESK_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Seconds between two looks for alarms.
    #[arg(long, env = "SIMDESK_ALARM_SWEEP_SECONDS", default_value_t = 60)]
    pub alarm_sweep_seconds: u64,
    /// After SIGTERM, seconds `/readyz` answers 503 before the listener closes, so that a load
    /// balancer stops sending new requests first; requests keep being served meanwhile.
    #[arg(long, env = "SIMDESK_DRAIN_SECONDS", default_value_t = 5)]
    pub drain_seconds: u64,
    /// Seconds the workers may take to finish the pass they are in once the server stopped.
    #[arg(long, env = "SIMDESK_SHUTDOWN_GRACE_SECONDS", default_value_t = 30)]
    pub shutdown_grace_seconds: u64,
}

/// Where e-mail goes: an SMTP server, or, without one, a folder of `.eml` files.
#[derive(Debug, Args, Clone)]
pub struct MailArgs {
    /// The SMTP server. Without it, e-mails are written to SIMDESK_MAIL_FOLDER instead.
    #[arg(long, env = "SIMDESK_SMTP_HOST")]
    pub smtp_host: Option<String>,
    /// Defaults to 587 for STARTTLS, 465 for TLS and 25 without encryption.
    #[arg(long, env = "SIMDESK_SMTP_PORT")]
    pub smtp_port: Option<u16>,
    /// How the connection is encrypted.
    #[arg(long, env = "SIMDESK_SMTP_TLS", value_enum, default_value_t = SmtpTls::Starttls)]
    pub smtp_tls: SmtpTls,
    #[arg(long, env = "SIMDESK_SMTP_USER")]
    pub smtp_user: Option<String>,
    #[arg(long, env = "SIMDESK_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    /// The sender address of every e-mail; the tenant's name is shown as the sender, and
    /// replies go to the tenant's support address.
    #[arg(
        long,
        env = "SIMDESK_MAIL_FROM",
        default_value = "portal@simdesk.localhost"
    )]
    pub mail_from: String,
    /// Where e-mails are written when no SMTP server is set.
    #[arg(long, env = "SIMDESK_MAIL_FOLDER", default_value = "data/mail")]
    pub mail_folder: std::path::PathBuf,
    /// Seconds between two looks at the e-mail queue.
    #[arg(long, env = "SIMDESK_MAIL_POLL_SECONDS", default_value_t = 5)]
    pub mail_poll_seconds: u64,
    /// Seconds between two looks into each tenant's order mailbox (IMAP).
    #[arg(long, env = "SIMDESK_MAILBOX_POLL_SECONDS", default_value_t = 30)]
    pub mailbox_poll_seconds: u64,
}

/// How the SMTP connection is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same host or a trusted network.
    None,
}

/// The key that seals identity-provider client secrets at rest.
#[derive(Debug, Args, Clone)]
pub struct SecretKeyArgs {
    /// 32 random bytes, base64 (`openssl rand -base64 32`). Takes precedence over the file.
    #[arg(long, env = "SIMDESK_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Where the key is kept when SIMDESK_SECRET_KEY is not set; created (mode 0600) on first
    /// start. Keep it with the database backups: without it, stored client secrets are lost.
    #[arg(
        long,
        env = "SIMDESK_SECRET_KEY_FILE",
        default_value = "data/secret.key"
    )]
    pub secret_key_file: std::path::PathBuf,
}

impl SecretKeyArgs {
    /// The configured key, or the one in the key file, created if there is none yet.
    pub fn load(&self) -> Result<simdesk_domain::secret::SecretKey, String> {
        use simdesk_domain::secret::SecretKey;
        if let Some(text) = &self.secret_key {
            return SecretKey::from_base64(text).map_err(|e| format!("SIMDESK_SECRET_KEY: {e}"));
        }
        let path = &self.secret_key_file;
        match std::fs::read_to_string(path) {
            Ok(text) => {
                SecretKey::from_base64(&text).map_err(|e| format!("{}: {e}", path.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = SecretKey::generate();
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
                }
                write_private(path, &key.to_base64())
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                tracing::info!(path = %path.display(), "created a new secret key");
                Ok(key)
            }
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }
}

/// Writes a file only its owner can read, failing if it exists (two starts racing).
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

#[derive(Debug, Args, Clone)]
pub struct ApiTokenArgs {
    /// The admin the token acts as: a tenant admin (a token of the tenant) or an account
    /// admin (a token of the account).
    #[arg(long)]
    pub email: String,
    #[arg(long, default_value = "made on the command line")]
    pub name: String,
    /// Comma-separated: read, orders:write, catalog:write.
    #[arg(long, default_value = "read")]
    pub scopes: String,
    #[arg(long, default_value_t = 30)]
    pub days: u32,
}

#[derive(Debug, Args)]
pub struct CreateAdminArgs {
    #[arg(long)]
    pub email: String,
    #[arg(long, default_value = "Platform Operator")]
    pub name: String,
    /// The password; read from SIMDESK_ADMIN_PASSWORD so it stays out of shell history.
    #[arg(long, env = "SIMDESK_ADMIN_PASSWORD", hide_env_values = true)]
    pub password: String,
}
