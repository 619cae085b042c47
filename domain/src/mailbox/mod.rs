//! A tenant's order mailbox read over IMAP: its settings (kept by the tenant admins, the
//! password sealed), and the reader that the server's worker runs every few seconds and a
//! tenant admin can run at once ("Check now").
//!
//! Nothing is lost and nothing is taken twice: a message is marked seen and the position
//! (UIDVALIDITY and the highest UID) advances only after `intake` has kept it; a crash in
//! between reads it again, and `intake` knows its Message-ID. A lease lets one instance read a
//! mailbox at a time. The first look takes the messages not yet seen; after that, every
//! message after the last UID, seen or not.

pub mod imap;

use std::time::Duration;

use chrono::Utc;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect, Set,
};
use serde_json::json;
use simdesk_types::{
    FieldError, MailboxCheck, MailboxInput, MailboxSecurity, MailboxView, Wording,
};

use crate::audit::AuditEvent;
use crate::db::{begin, begin_write, DataScope};
use crate::entity::{order_mailbox, tenant};
use crate::intake::{self, Arrival};
use crate::order_pages::PagePolicy;
use crate::policy::{self, Permission};
use crate::secret::SecretKey;
use crate::timestamps::rfc3339;
use crate::{Actor, DatabaseConnection, DomainError, DomainResult};

use imap::{ImapError, Mailbox, Server};

/// How the reader goes about it.
#[derive(Debug, Clone)]
pub struct ReaderSettings {
    /// A mailbox is looked at again after this long.
    pub poll: Duration,
    /// How long one instance holds a mailbox while reading it.
    pub lease: Duration,
    /// Each network step waits this long at most.
    pub timeout: Duration,
    /// Messages taken per look; the rest wait for the next.
    pub batch: usize,
    /// Larger messages are left in the mailbox; their header is kept and alarmed.
    pub max_bytes: u64,
    /// How pages the messages link to are fetched.
    pub pages: PagePolicy,
}

impl Default for ReaderSettings {
    fn default() -> Self {
        Self {
            poll: Duration::from_secs(30),
            lease: Duration::from_secs(300),
            timeout: Duration::from_secs(30),
            batch: 50,
            max_bytes: 30 * 1024 * 1024,
            pages: PagePolicy::default(),
        }
    }
}

/// The consecutive failed looks after which the mailbox is an alarm.
pub const FAILURES_FOR_ALARM: i32 = 3;

const DEFAULT_FOLDER: &str = "INBOX";

/// The tenant's order mailbox as its admins see it.
pub async fn settings(db: &DatabaseConnection, actor: &Actor) -> DomainResult<MailboxView> {
    let tenant_id = policy::tenant_for(actor, Permission::ManageCatalog)?;
    let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
    let slug = tenant::Entity::find_by_id(tenant_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?
        .slug;
    let found = order_mailbox::Entity::find()
        .filter(order_mailbox::Column::TenantId.eq(tenant_id))
        .one(&txn)
        .await?;
    txn.commit().await?;
    Ok(view(found, slug))
}

fn view(found: Option<order_mailbox::Model>, tenant_slug: String) -> MailboxView {
    match found {
        Some(m) => MailboxView {
            enabled: m.enabled,
            port: u16::try_from(m.port).unwrap_or(993),
            security: MailboxSecurity::parse(&m.security).unwrap_or(MailboxSecurity::Tls),
            has_password: m.password_sealed.is_some(),
            checked_at: m.checked_at.map(rfc3339),
            failing_since: m.failing_since.map(rfc3339),
            host: m.host,
            username: m.username,
            folder: m.folder,
            last_error: m.last_error,
            received: m.received,
            version: m.version,
            tenant_slug,
        },
        None => MailboxView {
            enabled: false,
            host: String::new(),
            port: 993,
            security: MailboxSecurity::Tls,
            username: String::new(),
            has_password: false,
            folder: DEFAULT_FOLDER.to_owned(),
            tenant_slug,
            checked_at: None,
            failing_since: None,
            last_error: String::new(),
            received: 0,
            version: 0,
        },
    }
}

/// The settings as checked, before they are stored.
struct Valid {
    enabled: bool,
    host: String,
    port: u16,
    security: MailboxSecurity,
    username: String,
    password: Option<String>,
    folder: String,
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn validate(input: &MailboxInput, has_password: bool) -> Result<Valid, Vec<FieldError>> {
    let mut errors = Vec::new();
    let host = input.host.trim().trim_end_matches('.').to_lowercase();
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
        && !host.starts_with(['-', '.']);
    if !host_ok && (input.enabled || !host.is_empty()) {
        errors.push(FieldError::new(
            "host",
            Wording::new(
                "Enter the mail server's host name, such as imap.example.com.",
                "Geben Sie den Hostnamen des Mailservers ein, etwa imap.example.com.",
            ),
        ));
    }
    let security = MailboxSecurity::parse(&input.security).unwrap_or_else(|| {
        errors.push(FieldError::new(
            "security",
            Wording::new(
                "Choose TLS, STARTTLS or none.",
                "Wählen Sie TLS, STARTTLS oder keine.",
            ),
        ));
        MailboxSecurity::Tls
    });
    if security == MailboxSecurity::Plain && host_ok && !is_loopback(&host) {
        errors.push(FieldError::new(
            "security",
            Wording::new(
                "Without TLS the password would cross the network readable: use TLS or STARTTLS for a mail server on another machine.",
                "Ohne TLS ginge das Passwort lesbar über das Netzwerk: Verwenden Sie TLS oder STARTTLS für einen Mailserver auf einem anderen Rechner.",
            ),
        ));
    }
    let port = match input.port.trim() {
        "" => match security {
            MailboxSecurity::Tls => 993,
            _ => 143,
        },
        text => text
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .unwrap_or_else(|| {
                errors.push(FieldError::new(
                    "port",
                    Wording::new(
                        "Enter a port from 1 to 65535.",
                        "Geben Sie einen Port von 1 bis 65535 ein.",
                    ),
                ));
                993
            }),
    };
    let username = input.username.trim().to_owned();
    if username.chars().count() > 320 || username.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "username",
            Wording::new(
                "Enter the mailbox's user name, at most 320 characters.",
                "Geben Sie den Benutzernamen des Postfachs ein, höchstens 320 Zeichen.",
            ),
        ));
    } else if username.is_empty() && input.enabled {
        errors.push(FieldError::new(
            "username",
            Wording::new(
                "Enter the user name the mailbox signs in with.",
                "Geben Sie den Benutzernamen ein, mit dem sich das Postfach anmeldet.",
            ),
        ));
    }
    let password = (!input.password.is_empty()).then(|| input.password.clone());
    if password.as_ref().is_some_and(|p| p.len() > 500) {
        errors.push(FieldError::new(
            "password",
            Wording::new(
                "The password may have at most 500 characters.",
                "Das Passwort darf höchstens 500 Zeichen haben.",
            ),
        ));
    }
    if input.enabled && password.is_none() && !has_password {
        errors.push(FieldError::new(
            "password",
            Wording::new(
                "Enter the mailbox's password.",
                "Geben Sie das Passwort des Postfachs ein.",
            ),
        ));
    }
    let folder = match input.folder.trim() {
        "" => DEFAULT_FOLDER.to_owned(),
        f => f.to_owned(),
    };
    if folder.chars().count() > 200 || folder.chars().any(|c| c.is_control() || c == '"') {
        errors.push(FieldError::new(
            "folder",
            Wording::new(
                "Enter a folder name of at most 200 characters, without quotes, such as INBOX.",
                "Geben Sie einen Ordnernamen mit höchstens 200 Zeichen und ohne Anführungszeichen ein, etwa INBOX.",
            ),
        ));
    }
    if errors.is_empty() {
        Ok(Valid {
            enabled: input.enabled,
            host,
            port,
            security,
            username,
            password,
            folder,
        })
    } else {
        Err(errors)
    }
}

fn changed_elsewhere() -> DomainError {
    DomainError::conflict(Wording::new(
        "Someone else changed the order mailbox meanwhile. Reload the page to see it.",
        "Jemand anderes hat das Bestellpostfach inzwischen geändert. Laden Sie die Seite neu, um die Änderung zu sehen.",
    ))
}

/// Saves the order mailbox. `version` is the one the form started from (0 for the first
/// time); an empty password keeps the stored one. Pointing it at another server, user or
/// folder starts reading that one afresh.
pub async fn save(
    db: &DatabaseConnection,
    key: &SecretKey,
    actor: &Actor,
    version: i32,
    input: MailboxInput,
) -> DomainResult<MailboxView> {
    let tenant_id = policy::tenant_for(actor, Permission::ManageCatalog)?;
    let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
    let current = order_mailbox::Entity::find()
        .filter(order_mailbox::Column::TenantId.eq(tenant_id))
        .one(&txn)
        .await?;
    if current.as_ref().map_or(0, |m| m.version) != version {
        return Err(changed_elsewhere());
    }
    let valid = validate(
        &input,
        current
            .as_ref()
            .is_some_and(|m| m.password_sealed.is_some()),
    )
    .map_err(DomainError::Invalid)?;
    let now = Utc::now();
    let moved = current.as_ref().is_none_or(|m| {
        m.host != valid.host || m.username != valid.username || m.folder != valid.folder
    });
    let mut model = match current.clone() {
        Some(m) => m.into_active_model(),
        None => order_mailbox::ActiveModel {
            tenant_id: Set(tenant_id),
            ..Default::default()
        },
    };
    model.enabled = Set(valid.enabled);
    model.host = Set(valid.host.clone());
    model.port = Set(i32::from(valid.port));
    model.security = Set(valid.security.as_str().to_owned());
    model.username = Set(valid.username.clone());
    model.folder = Set(valid.folder.clone());
    if let Some(password) = &valid.password {
        model.password_sealed = Set(Some(key.seal_for_tenant(tenant_id, password)?));
    }
    if moved {
        model.uid_validity = Set(None);
        model.last_uid = Set(0);
    }
    // New settings deserve a fresh look, not the old settings' failures.
    model.failures = Set(0);
    model.failing_since = Set(None);
    model.last_error = Set(String::new());
    model.checked_at = Set(None);
    model.version = Set(version + 1);
    model.updated_at = Set(now);
    let saved = if current.is_some() {
        let result = order_mailbox::Entity::update_many()
            .set(model)
            .filter(order_mailbox::Column::TenantId.eq(tenant_id))
            .filter(order_mailbox::Column::Version.eq(version))
            .exec(&txn)
            .await?;
        if result.rows_affected != 1 {
            return Err(changed_elsewhere());
        }
        order_mailbox::Entity::find()
            .filter(order_mailbox::Column::TenantId.eq(tenant_id))
            .one(&txn)
            .await?
            .ok_or(DomainError::NotFound)?
    } else {
        model.insert(&txn).await.map_err(|e| {
            crate::db::unique_violation(
                e,
                "form",
                Wording::new(
                    "The order mailbox was set up meanwhile. Reload the page.",
                    "Das Bestellpostfach wurde inzwischen eingerichtet. Laden Sie die Seite neu.",
                ),
            )
        })?
    };
    AuditEvent::new("order_mailbox.configured", "tenant")
        .target(tenant_id)
        .tenant(Some(tenant_id), None)
        .details(json!({
            "enabled": valid.enabled,
            "host": valid.host,
            "port": valid.port,
            "security": valid.security.as_str(),
            "username": valid.username,
            "folder": valid.folder,
            "password_changed": valid.password.is_some(),
        }))
        .record(&txn, Some(actor.user_id))
        .await?;
    let slug = tenant::Entity::find_by_id(tenant_id)
        .one(&txn)
        .await?
        .map(|t| t.slug)
        .unwrap_or_default();
    txn.commit().await?;
    Ok(view(Some(saved), slug))
}

/// Looks into the tenant's mailbox now, as the worker would, and says what it found.
pub async fn check_now(
    db: &DatabaseConnection,
    key: &SecretKey,
    actor: &Actor,
    settings: &ReaderSettings,
) -> DomainResult<MailboxCheck> {
    let tenant_id = policy::tenant_for(actor, Permission::ManageCatalog)?;
    let mailbox = {
        let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
        let found = order_mailbox::Entity::find()
            .filter(order_mailbox::Column::TenantId.eq(tenant_id))
            .one(&txn)
            .await?;
        txn.commit().await?;
        found.filter(|m| m.enabled).ok_or_else(|| {
            DomainError::invalid(
                "form",
                Wording::new(
                    "Save an enabled order mailbox first.",
                    "Speichern Sie zuerst ein aktiviertes Bestellpostfach.",
                ),
            )
        })?
    };
    if !claim(db, &mailbox, settings).await? {
        return Err(DomainError::conflict(Wording::new(
            "The mailbox is being read right now. Look again in a minute.",
            "Das Postfach wird gerade gelesen. Sehen Sie in einer Minute wieder nach.",
        )));
    }
    read(db, key, mailbox, settings)
        .await
        .map_err(|failure| match failure {
            Failure::Mailbox(e) => DomainError::invalid(
                "form",
                Wording::new(
                    format!("The mailbox cannot be read: {e}."),
                    format!("Das Postfach kann nicht gelesen werden: {e}."),
                ),
            ),
            Failure::Domain(e) => e,
        })
}

/// Looks into every enabled mailbox that is due and not being read by another instance;
/// returns how many messages were kept. A mailbox's failure is recorded on it, not returned.
pub async fn read_due(
    db: &DatabaseConnection,
    key: &SecretKey,
    settings: &ReaderSettings,
) -> DomainResult<usize> {
    let now = Utc::now();
    let due_before = now - chrono::Duration::from_std(settings.poll).unwrap_or_default();
    let due = {
        let txn = begin(db, DataScope::System).await?;
        let due = order_mailbox::Entity::find()
            .filter(order_mailbox::Column::Enabled.eq(true))
            .filter(
                order_mailbox::Column::CheckedAt
                    .is_null()
                    .or(order_mailbox::Column::CheckedAt.lt(due_before)),
            )
            .filter(
                order_mailbox::Column::LeaseUntil
                    .is_null()
                    .or(order_mailbox::Column::LeaseUntil.lt(now)),
            )
            .all(&txn)
            .await?;
        txn.commit().await?;
        due
    };
    let mut kept = 0;
    for mailbox in due {
        if !claim(db, &mailbox, settings).await? {
            continue;
        }
        match read(db, key, mailbox, settings).await {
            Ok(check) => kept += check.kept,
            Err(Failure::Mailbox(_)) => {}
            Err(Failure::Domain(e)) => return Err(e),
        }
    }
    Ok(kept)
}

/// Takes the mailbox's lease when nobody holds it: a compare-and-set, so of two instances
/// one reads.
async fn claim(
    db: &DatabaseConnection,
    mailbox: &order_mailbox::Model,
    settings: &ReaderSettings,
) -> DomainResult<bool> {
    let now = Utc::now();
    let until = now + chrono::Duration::from_std(settings.lease).unwrap_or_default();
    let txn = begin_write(db, DataScope::Tenant(mailbox.tenant_id)).await?;
    let claimed = order_mailbox::Entity::update_many()
        .col_expr(order_mailbox::Column::LeaseUntil, Expr::value(until))
        .filter(order_mailbox::Column::Id.eq(mailbox.id))
        .filter(order_mailbox::Column::Enabled.eq(true))
        .filter(
            order_mailbox::Column::LeaseUntil
                .is_null()
                .or(order_mailbox::Column::LeaseUntil.lt(now)),
        )
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(claimed.rows_affected == 1)
}

/// Why a look failed: the mailbox (recorded on it), or the database (returned).
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error("{0}")]
    Mailbox(ImapError),
    #[error(transparent)]
    Domain(#[from] DomainError),
}

impl From<sea_orm::DbErr> for Failure {
    fn from(e: sea_orm::DbErr) -> Self {
        Failure::Domain(e.into())
    }
}

/// One look into a claimed mailbox; the lease is given back however it ends.
async fn read(
    db: &DatabaseConnection,
    key: &SecretKey,
    mailbox: order_mailbox::Model,
    settings: &ReaderSettings,
) -> Result<MailboxCheck, Failure> {
    let outcome = look(db, key, &mailbox, settings).await;
    let now = Utc::now();
    let mut updates: Vec<(order_mailbox::Column, SimpleExpr)> = vec![
        (
            order_mailbox::Column::LeaseUntil,
            Expr::value(None::<chrono::DateTime<Utc>>),
        ),
        (order_mailbox::Column::CheckedAt, Expr::value(now)),
    ];
    match &outcome {
        Ok(_) => {
            updates.push((order_mailbox::Column::Failures, Expr::value(0)));
            updates.push((
                order_mailbox::Column::FailingSince,
                Expr::value(None::<chrono::DateTime<Utc>>),
            ));
            updates.push((order_mailbox::Column::LastError, Expr::value("")));
        }
        Err(Failure::Mailbox(e)) => {
            tracing::warn!(tenant = mailbox.tenant_id, error = %e, "the order mailbox cannot be read");
            updates.push((
                order_mailbox::Column::Failures,
                Expr::col(order_mailbox::Column::Failures).add(1),
            ));
            updates.push((
                order_mailbox::Column::FailingSince,
                Expr::value(mailbox.failing_since.unwrap_or(now)),
            ));
            updates.push((
                order_mailbox::Column::LastError,
                Expr::value(e.0.chars().take(1000).collect::<String>()),
            ));
        }
        Err(Failure::Domain(_)) => {}
    }
    let txn = begin_write(db, DataScope::Tenant(mailbox.tenant_id)).await?;
    let mut update = order_mailbox::Entity::update_many();
    for (column, value) in updates {
        update = update.col_expr(column, value);
    }
    update
        .filter(order_mailbox::Column::Id.eq(mailbox.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    outcome
}

async fn look(
    db: &DatabaseConnection,
    key: &SecretKey,
    mailbox: &order_mailbox::Model,
    settings: &ReaderSettings,
) -> Result<MailboxCheck, Failure> {
    let password = match &mailbox.password_sealed {
        Some(sealed) => key
            .open_for_tenant(mailbox.tenant_id, sealed)
            .map_err(|_| {
                Failure::Mailbox(ImapError(
                    "the stored password cannot be opened with this server's secret key; enter it again".into(),
                ))
            })?,
        None => return Err(Failure::Mailbox(ImapError("no password is stored".into()))),
    };
    let server = Server {
        host: mailbox.host.clone(),
        port: u16::try_from(mailbox.port).unwrap_or(993),
        security: MailboxSecurity::parse(&mailbox.security).unwrap_or(MailboxSecurity::Tls),
        username: mailbox.username.clone(),
        password,
        folder: mailbox.folder.clone(),
    };
    let (mut session, folder) = Mailbox::open(&server, settings.timeout)
        .await
        .map_err(Failure::Mailbox)?;
    let outcome = take_new(db, mailbox, &mut session, folder, settings).await;
    session.close().await;
    outcome
}

/// Takes what is new in the selected folder, one message at a time, recording the position
/// after each.
async fn take_new(
    db: &DatabaseConnection,
    mailbox: &order_mailbox::Model,
    session: &mut Mailbox,
    folder: imap::Folder,
    settings: &ReaderSettings,
) -> Result<MailboxCheck, Failure> {
    // Another UIDVALIDITY means the server numbered the folder afresh: start again from the
    // unseen messages (what was kept before is known by its Message-ID).
    let validity = folder.uid_validity.map(i64::from);
    let after = match (mailbox.uid_validity, validity) {
        (Some(stored), Some(current)) if stored == current => u32::try_from(mailbox.last_uid).ok(),
        _ => None,
    };
    // A first look takes the unseen messages and keeps no position until it has taken them
    // all; then it starts after the newest message in the folder.
    let first = after.is_none();
    let mut check = MailboxCheck::default();
    let offered = if folder.exists == 0 {
        Vec::new()
    } else {
        session
            .offered(after, settings.batch)
            .await
            .map_err(Failure::Mailbox)?
    };
    let exhausted = offered.len() < settings.batch;
    let mut position = after.unwrap_or(0);
    for message in offered {
        let too_large = u64::from(message.size) > settings.max_bytes;
        let raw = session
            .fetch(message.uid, too_large)
            .await
            .map_err(Failure::Mailbox)?;
        let receipt = if too_large {
            check.left += 1;
            intake::receive_too_large(
                db,
                mailbox.tenant_id,
                &raw,
                u64::from(message.size),
                settings.max_bytes,
                Arrival::Imap,
            )
            .await?
        } else {
            intake::receive_with(db, mailbox.tenant_id, &raw, Arrival::Imap, &settings.pages)
                .await?
        };
        if receipt.duplicate {
            check.repeated += 1;
        } else if !too_large {
            check.kept += 1;
            if receipt.purchase_order_id.is_some() {
                check.drafts += 1;
            }
        }
        // Kept: now it may be marked and passed. A message too large stays unseen, for a
        // person to deal with.
        if !too_large {
            session
                .mark_seen(message.uid)
                .await
                .map_err(Failure::Mailbox)?;
        }
        position = position.max(message.uid);
        let stored_validity = if first { None } else { validity };
        record_position(
            db,
            mailbox,
            stored_validity,
            position,
            i64::from(!receipt.duplicate),
        )
        .await?;
    }
    if first && exhausted {
        let newest = folder.uid_next.map_or(0, |next| next.saturating_sub(1));
        record_position(db, mailbox, validity, position.max(newest), 0).await?;
    }
    Ok(check)
}

async fn record_position(
    db: &DatabaseConnection,
    mailbox: &order_mailbox::Model,
    validity: Option<i64>,
    last_uid: u32,
    kept: i64,
) -> DomainResult<()> {
    let txn = begin_write(db, DataScope::Tenant(mailbox.tenant_id)).await?;
    order_mailbox::Entity::update_many()
        .col_expr(order_mailbox::Column::UidValidity, Expr::value(validity))
        .col_expr(
            order_mailbox::Column::LastUid,
            Expr::value(i64::from(last_uid)),
        )
        .col_expr(
            order_mailbox::Column::Received,
            Expr::col(order_mailbox::Column::Received).add(kept),
        )
        .filter(order_mailbox::Column::Id.eq(mailbox.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Mailboxes whose last looks all failed, for the alarm sweep: (tenant, what, since, error).
pub(crate) async fn failing(
    txn: &sea_orm::DatabaseTransaction,
) -> DomainResult<Vec<(i64, String, String)>> {
    let rows: Vec<(i64, String, String, String)> = order_mailbox::Entity::find()
        .select_only()
        .columns([
            order_mailbox::Column::TenantId,
            order_mailbox::Column::Username,
            order_mailbox::Column::Host,
            order_mailbox::Column::LastError,
        ])
        .filter(order_mailbox::Column::Enabled.eq(true))
        .filter(order_mailbox::Column::Failures.gte(FAILURES_FOR_ALARM))
        .into_tuple()
        .all(txn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(tenant_id, user, host, error)| (tenant_id, format!("{user} at {host}"), error))
        .collect())
}
