//! Sends the e-mails the queue holds over SMTP, or, with no SMTP server configured, writes
//! them as `.eml` files to a folder: the service layer says what is due, writes each e-mail
//! and records how each attempt ended; this worker makes the attempts.

use std::time::{Duration, Instant};

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{
    Address, AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use sea_orm::DatabaseConnection;
use simdesk_domain::delivery::Outcome;
use simdesk_domain::mail::{self, Attempt, MailSettings, OutgoingMail, Portal};
use simdesk_domain::DomainResult;

use super::every::Every;

use crate::config::{MailArgs, SmtpTls};

/// Where the worker hands e-mails over.
#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder(AsyncFileTransport<Tokio1Executor>, std::path::PathBuf),
}

/// The configured transport with the sender address and the portal the links point to.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Address,
    portal: Portal,
}

impl Mailer {
    /// The mailer `args` describe; links in e-mails point to `portal_url`.
    pub fn from_args(args: &MailArgs, portal_url: &str, timeout: Duration) -> Result<Self, String> {
        let from: Address = args
            .mail_from
            .parse()
            .map_err(|e| format!("SIMDESK_MAIL_FROM {:?}: {e}", args.mail_from))?;
        let transport = match &args.smtp_host {
            Some(host) => Transport::Smtp(smtp(args, host, timeout)?),
            None => {
                std::fs::create_dir_all(&args.mail_folder).map_err(|e| {
                    format!(
                        "cannot create the mail folder {}: {e}",
                        args.mail_folder.display()
                    )
                })?;
                Transport::Folder(
                    AsyncFileTransport::new(&args.mail_folder),
                    args.mail_folder.clone(),
                )
            }
        };
        Ok(Mailer {
            transport,
            from,
            portal: Portal::new(portal_url),
        })
    }

    /// Where e-mails go, for the start-up log.
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp(_) => "the SMTP server".to_owned(),
            Transport::Folder(_, folder) => format!(
                "files in {} (no SMTP server is set: see SIMDESK_SMTP_HOST)",
                folder.display()
            ),
        }
    }

    /// The domain of the sender address, which the Message-IDs carry.
    fn domain(&self) -> &str {
        self.from.domain()
    }
}

fn smtp(
    args: &MailArgs,
    host: &str,
    timeout: Duration,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let tls = || TlsParameters::new(host.to_owned()).map_err(|e| format!("TLS for {host}: {e}"));
    let (tls, default_port) = match args.smtp_tls {
        SmtpTls::Starttls => (Tls::Required(tls()?), 587),
        SmtpTls::Tls => (Tls::Wrapper(tls()?), 465),
        SmtpTls::None => (Tls::None, 25),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(args.smtp_port.unwrap_or(default_port))
        .tls(tls)
        .timeout(Some(timeout));
    if let Some(user) = &args.smtp_user {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            args.smtp_password.clone().unwrap_or_default(),
        ));
    }
    Ok(builder.build())
}

/// The MIME message for `mail`: multipart plain text and HTML, from the tenant's name at the
/// portal's sender address, replies to the tenant's support address, threaded under the order
/// e-mail it answers.
fn message(mailer: &Mailer, mail: &OutgoingMail) -> Result<Message, String> {
    let bodies = mail.bodies().map_err(str::to_owned)?;
    let to: Mailbox = mail
        .to()
        .parse()
        .map_err(|e| format!("the recipient's address {:?} is not valid: {e}", mail.to()))?;
    let mut builder = Message::builder()
        .from(Mailbox::new(
            Some(mail.from_name.clone()),
            mailer.from.clone(),
        ))
        .to(to)
        .subject(mail.subject())
        .message_id(Some(mail.message_id.clone()));
    if let Some(reply_to) = mail
        .reply_to
        .as_deref()
        .and_then(|r| r.parse::<Mailbox>().ok())
    {
        builder = builder.reply_to(reply_to);
    }
    if let Some(order_email) = &mail.in_reply_to {
        builder = builder
            .in_reply_to(order_email.clone())
            .references(order_email.clone());
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            bodies.text.clone(),
            bodies.html.clone(),
        ))
        .map_err(|e| format!("cannot build the message: {e}"))
}

/// Hands `mail` over once and says how that went: delivered when the server accepted it;
/// refused for good on a permanent (5xx) reply; worth a retry on a transient (4xx) reply, a
/// timeout or a failed connection.
pub async fn attempt(mailer: &Mailer, mail: &OutgoingMail) -> Attempt {
    let message = match message(mailer, mail) {
        Ok(message) => message,
        Err(reason) => return Attempt::refused(&reason),
    };
    let started = Instant::now();
    let (outcome, smtp_code) = match &mailer.transport {
        Transport::Smtp(smtp) => match smtp.send(message).await {
            Ok(response) => (
                Outcome::Delivered,
                Some(i32::from(u16::from(response.code()))),
            ),
            Err(e) => {
                let code = e.status().map(|c| i32::from(u16::from(c)));
                let outcome = if e.is_permanent() {
                    Outcome::Refused(format!("refused: {e}"))
                } else if e.is_timeout() {
                    Outcome::Retry("timed out".into())
                } else {
                    Outcome::Retry(format!("not delivered: {e}"))
                };
                (outcome, code)
            }
        },
        Transport::Folder(folder, _) => match folder.send(message).await {
            Ok(_) => (Outcome::Delivered, None),
            Err(e) => (
                Outcome::Retry(format!("cannot write the e-mail: {e}")),
                None,
            ),
        },
    };
    Attempt {
        outcome,
        smtp_code,
        took: started.elapsed(),
    }
}

/// Sends what is due once; returns how many e-mails were attempted.
pub async fn deliver_due(
    db: &DatabaseConnection,
    mailer: &Mailer,
    settings: &MailSettings,
) -> DomainResult<usize> {
    let mut attempted = 0;
    for due in mail::due(db, settings).await? {
        // Claimed one by one, just before its attempt: another worker's pass skips it.
        let Some(outgoing) =
            mail::claim(db, settings, &mailer.portal, mailer.domain(), &due).await?
        else {
            continue;
        };
        attempted += 1;
        let made = attempt(mailer, &outgoing).await;
        mail::record_outcome(db, settings, &outgoing, made).await?;
    }
    Ok(attempted)
}

/// Sends due e-mails at every pass, until told to stop.
pub async fn run(db: DatabaseConnection, mailer: Mailer, settings: MailSettings, mut every: Every) {
    while every.next().await {
        if let Err(e) = deliver_due(&db, &mailer, &settings).await {
            tracing::warn!(error = %e, "an e-mail queue pass failed");
        }
    }
}
