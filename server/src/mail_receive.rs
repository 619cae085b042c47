//! `simdesk mail receive`: one message, piped by a mail server (or read from a file), into a
//! tenant's order mailbox. The exit status follows sysexits(3), which mail servers read: 0
//! kept, 75 try again later (the database is unreachable; nothing is lost, the mail server
//! keeps the message), 67 no such mailbox, 66 no such file, 65 too large.

use std::io::{Read, Write};
use std::path::Path;

use simdesk_domain::intake::{self, Receipt};
use simdesk_domain::order_pages::PagePolicy;
use simdesk_domain::{db, DomainError};

/// The most read from the pipe; beyond it the message is bounced, not kept.
const MAX_BYTES: u64 = 30 * 1024 * 1024;

/// How receiving ended.
#[derive(Debug)]
pub enum Outcome {
    Kept(Receipt),
    TooLarge,
    NoInput(String),
    NoSuchTenant(String),
    TryAgain(String),
}

impl Outcome {
    pub fn exit_code(&self) -> u8 {
        match self {
            Outcome::Kept(_) => 0,
            Outcome::TooLarge => 65,
            Outcome::NoInput(_) => 66,
            Outcome::NoSuchTenant(_) => 67,
            Outcome::TryAgain(_) => 75,
        }
    }
}

/// Receives the message in `file` (`-`: standard input) for the tenant `slug`, and says on
/// `out` what became of it.
pub async fn run(
    database_url: &str,
    slug: &str,
    file: &Path,
    pages: &PagePolicy,
    out: &mut impl Write,
) -> Outcome {
    let outcome = receive(database_url, slug, file, pages).await;
    let line = match &outcome {
        Outcome::Kept(r) if r.duplicate => format!(
            "received before as e-mail order {} ({}); nothing new was made",
            r.id,
            r.status.label().to_lowercase()
        ),
        Outcome::Kept(r) => match r.purchase_order_id {
            Some(po) => format!("kept as e-mail order {}: draft purchase order {po}", r.id),
            None => format!(
                "kept as e-mail order {}: {}",
                r.id,
                r.status.label().to_lowercase()
            ),
        },
        Outcome::TooLarge => format!(
            "the message is larger than {} MB and was not kept",
            MAX_BYTES / 1024 / 1024
        ),
        Outcome::NoInput(why) | Outcome::NoSuchTenant(why) | Outcome::TryAgain(why) => why.clone(),
    };
    let _ = writeln!(out, "{line}");
    outcome
}

async fn receive(database_url: &str, slug: &str, file: &Path, pages: &PagePolicy) -> Outcome {
    let mut raw = Vec::new();
    let read = if file == Path::new("-") {
        std::io::stdin().take(MAX_BYTES + 1).read_to_end(&mut raw)
    } else {
        match std::fs::File::open(file) {
            Ok(f) => f.take(MAX_BYTES + 1).read_to_end(&mut raw),
            Err(e) => return Outcome::NoInput(format!("cannot open {}: {e}", file.display())),
        }
    };
    if let Err(e) = read {
        return Outcome::NoInput(format!("cannot read the message: {e}"));
    }
    if raw.len() as u64 > MAX_BYTES {
        return Outcome::TooLarge;
    }
    if let Err(e) = crate::prepare_sqlite_path(database_url) {
        return Outcome::TryAgain(format!("cannot create the database directory: {e}"));
    }
    let database = match db::connect(database_url).await {
        Ok(d) => d,
        Err(e) => return Outcome::TryAgain(format!("cannot open the database: {e}")),
    };
    if let Err(e) = db::migrate(&database).await {
        return Outcome::TryAgain(format!("migration failed: {e}"));
    }
    let tenant_id = match intake::tenant_of(&database, slug).await {
        Ok(id) => id,
        Err(DomainError::Invalid(_)) => {
            return Outcome::NoSuchTenant(format!("there is no tenant \"{slug}\""))
        }
        Err(e) => return Outcome::TryAgain(e.to_string()),
    };
    match intake::receive_with(&database, tenant_id, &raw, intake::Arrival::Pipe, pages).await {
        Ok(receipt) => Outcome::Kept(receipt),
        Err(e) => Outcome::TryAgain(format!("the message was not kept: {e}")),
    }
}
