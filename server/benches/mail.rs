//! A load generator for the e-mail worker against a real SMTP server (aiosmtpd, as in the
//! tests) on loopback, reporting throughput and latency percentiles:
//! - delivery: 1,000 queued e-mails sent by one worker, then 1,000 more by two side by side
//!   (claims keep them from sending any twice);
//! - step to mailbox: 60 PO steps (reject, reopen, submit, in turn) with the worker polling
//!   every second, each timed from the step's commit to its e-mail in the server's Maildir.
//!
//! `cargo bench -p simdesk-server --bench mail`. The backend follows
//! `SIMDESK_TEST_DATABASE_URL` like the tests do (unset: SQLite). Measurements, not assertions.

#[path = "../tests/support/smtp.rs"]
mod smtp;

use simdesk_domain::db::{begin_write, DataScope};
use simdesk_domain::mail::{self, MailContext, MailSettings, NewMail, PoMail};
use simdesk_domain::orders::{self, PoQuery};
use simdesk_domain::{demo, testing, DatabaseConnection};
use simdesk_server::config::{MailArgs, SmtpTls};
use simdesk_server::workers::mail_delivery::{deliver_due, run, Mailer};
use simdesk_server::workers::Every;
use simdesk_types::{PoAction, PoStatus};
use smtp::SmtpServer;
use std::time::{Duration, Instant};

const QUEUED: usize = 1_000;
const STEPS: usize = 60;

fn mailer(port: u16) -> Mailer {
    let args = MailArgs {
        smtp_host: Some("127.0.0.1".into()),
        smtp_port: Some(port),
        smtp_tls: SmtpTls::None,
        smtp_user: None,
        smtp_password: None,
        mail_from: "portal@simdesk.test".into(),
        mail_folder: "unused".into(),
        mail_poll_seconds: 1,
        mailbox_poll_seconds: 1,
    };
    Mailer::from_args(&args, "http://portal.test", Duration::from_secs(10)).expect("mailer")
}

async fn queue(db: &DatabaseConnection, tenant_id: i64, count: usize) {
    let txn = begin_write(db, DataScope::Tenant(tenant_id))
        .await
        .expect("transaction");
    for n in 0..count {
        let email = format!("reader{n}@nordwind.example");
        mail::enqueue(
            &txn,
            NewMail {
                tenant_id,
                account_id: None,
                purchase_order_id: None,
                event: "po.submitted",
                recipient_user_id: None,
                recipient_email: &email,
                subject: "Purchase order 1001: submitted",
                context: MailContext::PurchaseOrder(Box::new(PoMail {
                    recipient_name: "Reader".into(),
                    reference: "1001".into(),
                    total: "650.00 EUR".into(),
                    ..PoMail::default()
                })),
            },
        )
        .await
        .expect("queue");
    }
    txn.commit().await.expect("commit");
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let database = testing::fresh().await;
    let db = database.db.clone();
    demo::seed(&db).await.expect("demo data");
    let smtp = SmtpServer::start();
    let agent = testing::actor(&database, "agent@nordwind.example").await;
    let tenant_id = agent.tenant_id.expect("a tenant");
    let settings = MailSettings::default();
    let before = smtp.count();

    // Delivery throughput, one worker.
    queue(&db, tenant_id, QUEUED).await;
    let one = mailer(smtp.port);
    let started = Instant::now();
    let mut sent = 0;
    while sent < QUEUED {
        sent += deliver_due(&db, &one, &settings).await.expect("pass");
    }
    let elapsed = started.elapsed();
    println!(
        "{:<52} {QUEUED} e-mails in {:.2} s = {:.0}/s ({:.2} ms each)",
        "delivery, one worker",
        elapsed.as_secs_f64(),
        QUEUED as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1000.0 / QUEUED as f64
    );

    // Two workers side by side.
    queue(&db, tenant_id, QUEUED).await;
    let two = mailer(smtp.port);
    let started = Instant::now();
    let mut sent = 0;
    while sent < QUEUED {
        let (a, b) = tokio::join!(
            deliver_due(&db, &one, &settings),
            deliver_due(&db, &two, &settings)
        );
        sent += a.expect("pass") + b.expect("pass");
    }
    let elapsed = started.elapsed();
    println!(
        "{:<52} {QUEUED} e-mails in {:.2} s = {:.0}/s",
        "delivery, two workers side by side",
        elapsed.as_secs_f64(),
        QUEUED as f64 / elapsed.as_secs_f64()
    );
    let received = smtp.count() - before;
    println!(
        "{:<52} {received} (of {} queued)",
        "received by the SMTP server",
        2 * QUEUED
    );

    // Step to mailbox, with the worker running as the server runs it (polling every second).
    tokio::spawn(run(
        db.clone(),
        mailer(smtp.port),
        MailSettings::default(),
        Every::new(
            Duration::from_secs(1),
            &tokio_util::sync::CancellationToken::new(),
        ),
    ));
    let purchaser = testing::actor(&database, "purchaser@hafenlogistik.example").await;
    let query = PoQuery {
        statuses: vec![PoStatus::Submitted],
        limit: 10,
        ..PoQuery::default()
    };
    let id = orders::list(&db, &agent, query).await.expect("list").rows[0].id;
    let steps = [
        (&agent, PoAction::Reject, "Split it into two deliveries"),
        (&purchaser, PoAction::Reopen, ""),
        (&purchaser, PoAction::Submit, ""),
    ];
    let mut latencies = Vec::with_capacity(STEPS);
    for n in 0..STEPS {
        let (who, action, reason) = steps[n % steps.len()];
        let version = orders::detail(&db, who, id).await.expect("detail").version;
        let count = smtp.count();
        orders::act(&db, who, id, version, action, reason)
            .await
            .expect("step");
        let stepped = Instant::now();
        while smtp.count() == count {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        latencies.push(stepped.elapsed());
    }
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{:<52} {STEPS} steps: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        "step committed to e-mail in the mailbox (poll 1 s)",
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
        ms(*latencies.last().expect("steps"))
    );
}
