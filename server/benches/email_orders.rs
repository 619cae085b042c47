//! Orders by e-mail, timed end to end on the real pieces, with percentiles:
//! - mailbox to draft: 100 messages piped into `simdesk mail receive` one process each, as a
//!   mail server delivers them (text and CSV in turn), each timed from the start of the process
//!   to the draft committed (its exit), then the agent's two page reads (the list and the
//!   message with its draft) timed on a mailbox of 1,200 messages;
//! - in-process intake: 1,000 messages through `intake::receive` back to back, the rate;
//! - mailbox to draft over IMAP: 50 messages appended to a real Dovecot one at a time, each
//!   followed by one look of the reader, timed; then 50 at once taken by one look;
//! - confirmation to mailbox: 30 e-mail POs submitted and accepted by the agent with the
//!   mail worker polling every second, each timed from the acceptance's commit to the
//!   sender's confirmation in the SMTP server's Maildir.
//!
//! `cargo bench -p simdesk-server --bench email_orders`. The backend follows
//! `SIMDESK_TEST_DATABASE_URL` like the tests do (unset: SQLite). Measurements, not assertions.

#[path = "../tests/support/smtp.rs"]
mod smtp;

use simdesk_domain::intake;
use simdesk_domain::mail::MailSettings;
use simdesk_domain::mailbox::{self, ReaderSettings};
use simdesk_domain::orders;
use simdesk_domain::secret::SecretKey;
use simdesk_domain::testing::imap::ImapServer;
use simdesk_domain::{demo, testing};
use simdesk_server::config::{MailArgs, SmtpTls};
use simdesk_server::workers::mail_delivery::{run, Mailer};
use simdesk_server::workers::Every;
use simdesk_types::{MailboxInput, PoAction};
use smtp::SmtpServer;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PIPED: usize = 100;
const IN_PROCESS: usize = 1_000;
const CONFIRMED: usize = 30;
const IMAP_SINGLE: usize = 50;
const IMAP_BATCH: usize = 50;
const MAILBOX_USER: &str = "orders@nordwind.example";
const MAILBOX_PASSWORD: &str = "bench-secret";

fn message(n: usize, from: &str) -> String {
    if n.is_multiple_of(2) {
        format!(
            "From: {from}\r\nSubject: Order {n}\r\nMessage-ID: <bench-{n}@mail.example>\r\n\r\n\
             Hello,\r\n\r\n40 x NORDWIND-IOT-4FF @ 4.90 EUR\r\n20 pcs Embedded IoT chip\r\n\r\n\
             PO number: B-{n}\r\nShip to:\r\nHafenlogistik GmbH\r\nKaiweg 7\r\n20457 Hamburg\r\nGermany\r\n"
        )
    } else {
        format!(
            "From: {from}\r\nSubject: Order {n}\r\nMessage-ID: <bench-{n}@mail.example>\r\n\
             MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
             --b\r\nContent-Type: text/plain\r\n\r\nSee the attached order.\r\n\
             --b\r\nContent-Type: text/csv; name=\"order.csv\"\r\n\
             Content-Disposition: attachment; filename=\"order.csv\"\r\n\r\n\
             sku;description;qty;price\r\nNORDWIND-IOT-4FF;Industrial IoT SIM;40;4,90\r\n\
             NORDWIND-IOT-MFF2;Embedded IoT chip;20;6,50\r\n--b--\r\n"
        )
    }
}

fn pipe(database_url: &str, raw: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_simdesk"))
        .args(["mail", "receive", "--tenant", "nordwind"])
        .env("DATABASE_URL", database_url)
        .env("SIMDESK_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start simdesk");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(raw.as_bytes())
        .expect("pipe");
    assert!(child.wait().expect("simdesk ends").success());
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn report(what: &str, mut latencies: Vec<Duration>) {
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{what:<52} {} runs: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        latencies.len(),
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
        ms(*latencies.last().expect("runs"))
    );
}

#[tokio::main]
async fn main() {
    let database = testing::fresh().await;
    let db = database.db.clone();
    demo::seed(&db).await.expect("demo data");
    let agent = testing::actor(&database, "agent@nordwind.example").await;
    let tenant_id = agent.tenant_id.expect("a tenant");
    let purchaser = "purchaser@hafenlogistik.example";

    // Mailbox to draft, one process per message as a mail server pipes them.
    let mut piped = Vec::with_capacity(PIPED);
    for n in 0..PIPED {
        let raw = message(n, purchaser);
        let started = Instant::now();
        pipe(&database.url, &raw);
        piped.push(started.elapsed());
    }
    report("piped message to committed draft (a process each)", piped);

    // In-process intake rate.
    let started = Instant::now();
    for n in PIPED..PIPED + IN_PROCESS {
        let receipt = intake::receive(&db, tenant_id, message(n, purchaser).as_bytes())
            .await
            .expect("receive");
        assert!(receipt.purchase_order_id.is_some());
    }
    let elapsed = started.elapsed();
    println!(
        "{:<52} {IN_PROCESS} messages in {:.2} s = {:.0}/s ({:.2} ms each)",
        "intake::receive, message to draft",
        elapsed.as_secs_f64(),
        IN_PROCESS as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1000.0 / IN_PROCESS as f64
    );

    // Mailbox to draft over IMAP: each message appended to a real Dovecot, then one look of
    // the reader (what the server's worker does every SIMDESK_MAILBOX_POLL_SECONDS).
    let imap = ImapServer::start(&[(MAILBOX_USER, MAILBOX_PASSWORD)]).await;
    let key = SecretKey::generate();
    let admin = testing::actor(&database, "admin@nordwind.example").await;
    mailbox::save(
        &db,
        &key,
        &admin,
        0,
        MailboxInput {
            enabled: true,
            host: "127.0.0.1".into(),
            port: imap.port.to_string(),
            security: "none".into(),
            username: MAILBOX_USER.into(),
            password: MAILBOX_PASSWORD.into(),
            folder: "INBOX".into(),
        },
    )
    .await
    .expect("the mailbox");
    let eager = ReaderSettings {
        poll: Duration::ZERO,
        ..ReaderSettings::default()
    };
    let mut looks = Vec::with_capacity(IMAP_SINGLE);
    let first = PIPED + IN_PROCESS;
    for n in first..first + IMAP_SINGLE {
        imap.deliver(
            MAILBOX_USER,
            MAILBOX_PASSWORD,
            message(n, purchaser).as_bytes(),
        )
        .await;
        let started = Instant::now();
        let kept = mailbox::read_due(&db, &key, &eager).await.expect("a look");
        looks.push(started.elapsed());
        assert_eq!(kept, 1);
    }
    report("IMAP: one look taking one new message to a draft", looks);
    let batch = first + IMAP_SINGLE;
    for n in batch..batch + IMAP_BATCH {
        imap.deliver(
            MAILBOX_USER,
            MAILBOX_PASSWORD,
            message(n, purchaser).as_bytes(),
        )
        .await;
    }
    let started = Instant::now();
    let kept = mailbox::read_due(&db, &key, &eager).await.expect("a look");
    let elapsed = started.elapsed();
    assert_eq!(kept, IMAP_BATCH);
    println!(
        "{:<52} {IMAP_BATCH} messages in {:.2} s = {:.0}/s",
        "IMAP: one look taking a batch to drafts",
        elapsed.as_secs_f64(),
        IMAP_BATCH as f64 / elapsed.as_secs_f64()
    );

    // The agent's screen: the list, then the newest message with its draft.
    let mut list = Vec::new();
    let mut detail = Vec::new();
    for _ in 0..50 {
        let started = Instant::now();
        let page = intake::list(&db, &agent, None, None, 50)
            .await
            .expect("list");
        list.push(started.elapsed());
        let started = Instant::now();
        intake::detail(&db, &agent, page.rows[0].id)
            .await
            .expect("detail");
        detail.push(started.elapsed());
    }
    report("agent's list of e-mail orders (1,200 in the mailbox)", list);
    report("agent's view of one e-mail with its draft", detail);

    // Confirmation to the sender's mailbox, with the worker as the server runs it.
    let smtp = SmtpServer::start();
    let args = MailArgs {
        smtp_host: Some("127.0.0.1".into()),
        smtp_port: Some(smtp.port),
        smtp_tls: SmtpTls::None,
        smtp_user: None,
        smtp_password: None,
        mail_from: "portal@simdesk.test".into(),
        mail_folder: "unused".into(),
        mail_poll_seconds: 1,
        mailbox_poll_seconds: 1,
    };
    let mailer =
        Mailer::from_args(&args, "http://portal.test", Duration::from_secs(10)).expect("mailer");
    tokio::spawn(run(
        db.clone(),
        mailer,
        MailSettings::default(),
        Every::new(
            Duration::from_secs(1),
            &tokio_util::sync::CancellationToken::new(),
        ),
    ));
    let mut confirmed = Vec::with_capacity(CONFIRMED);
    for n in 0..CONFIRMED {
        let sender = format!("buyer{n}@hafenlogistik-partner.example");
        let raw = message(10_000 + n, &sender);
        let receipt = intake::receive(&db, tenant_id, raw.as_bytes())
            .await
            .expect("receive");
        let accounts = intake::detail(&db, &agent, receipt.id)
            .await
            .expect("detail")
            .accounts;
        let po = intake::assign(&db, &agent, receipt.id, accounts[0].0)
            .await
            .expect("assign");
        let version = orders::detail(&db, &agent, po).await.expect("po").version;
        orders::act(&db, &agent, po, version, PoAction::Submit, "")
            .await
            .expect("submit");
        // Let the submission's e-mails go out first, so only the confirmation is waited for.
        tokio::time::sleep(Duration::from_millis(1_200)).await;
        let version = orders::detail(&db, &agent, po).await.expect("po").version;
        let arrived = |smtp: &SmtpServer| {
            smtp.messages()
                .iter()
                .filter(|m| {
                    let text = String::from_utf8_lossy(m);
                    text.contains(&sender) && text.contains(": accepted")
                })
                .count()
        };
        orders::act(&db, &agent, po, version, PoAction::Accept, "")
            .await
            .expect("accept");
        let accepted = Instant::now();
        let mut seen = smtp.count();
        loop {
            let now = smtp.count();
            if now != seen {
                seen = now;
                if arrived(&smtp) > 0 {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        confirmed.push(accepted.elapsed());
    }
    report(
        "acceptance committed to the sender's confirmation (poll 1 s)",
        confirmed,
    );
}
