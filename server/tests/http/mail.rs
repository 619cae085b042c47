//! The e-mail worker against a real SMTP server on loopback: notifications go out branded,
//! in plain text and HTML; permanent refusals are not retried, transient ones and outages are;
//! a claim lost to a crash goes out once after its lease; two workers never send one e-mail
//! twice; every attempt is recorded.

use crate::support::{demo_database, SmtpServer};
use mail_parser::{Address, MessageParser};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use simdesk_domain::db::{begin, begin_write, DataScope};
use simdesk_domain::entity::{notification, notification_attempt};
use simdesk_domain::mail::{self, MailContext, MailSettings, NewMail};
use simdesk_domain::orders::{self, PoQuery};
use simdesk_domain::testing::{actor, TestDatabase};
use simdesk_server::config::{MailArgs, SmtpTls};
use simdesk_server::workers::mail_delivery::{deliver_due, Mailer};
use simdesk_types::{DeliveryStatus, PoAction, PoStatus};
use std::collections::HashSet;
use std::time::Duration;

const NORDWIND_AGENT: &str = "agent@nordwind.example";
const HAFEN_PURCHASER: &str = "purchaser@hafenlogistik.example";

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
    Mailer::from_args(&args, "http://portal.test/", Duration::from_secs(5)).unwrap()
}

/// Retries due at once, so a test need not wait for the backoff.
fn at_once() -> MailSettings {
    MailSettings {
        first_retry: chrono::Duration::zero(),
        ..MailSettings::default()
    }
}

async fn notifications(t: &TestDatabase) -> Vec<notification::Model> {
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    notification::Entity::find()
        .order_by_asc(notification::Column::Id)
        .all(&txn)
        .await
        .unwrap()
}

async fn attempts_of(t: &TestDatabase, id: i64) -> Vec<notification_attempt::Model> {
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    notification_attempt::Entity::find()
        .filter(notification_attempt::Column::NotificationId.eq(id))
        .order_by_asc(notification_attempt::Column::Id)
        .all(&txn)
        .await
        .unwrap()
}

fn pending(rows: &[notification::Model]) -> Vec<&notification::Model> {
    rows.iter()
        .filter(|n| n.status == DeliveryStatus::Pending.as_str())
        .collect()
}

fn address(address: Option<&Address>) -> String {
    address
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or_default()
        .to_owned()
}

/// The demo's submitted PO at Nordwind, rejected by its agent with `reason`.
async fn reject_demo_po(t: &TestDatabase, reason: &str) -> i64 {
    let agent = actor(t, NORDWIND_AGENT).await;
    let list = orders::list(
        &t.db,
        &agent,
        PoQuery {
            statuses: vec![PoStatus::Submitted],
            limit: 10,
            ..PoQuery::default()
        },
    )
    .await
    .unwrap();
    let id = list.rows.first().expect("the demo's submitted PO").id;
    let version = orders::detail(&t.db, &agent, id).await.unwrap().version;
    orders::act(&t.db, &agent, id, version, PoAction::Reject, reason)
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn notifications_reach_the_smtp_server_branded_in_text_and_html() {
    let t = demo_database().await;
    let smtp = SmtpServer::start();
    let po_id = reject_demo_po(&t, "Wrong APN group <for this fleet>").await;
    let queued = pending(&notifications(&t).await).len();
    assert!(
        queued >= 2,
        "the demo's submission and the rejection are queued"
    );

    let sent = deliver_due(&t.db, &mailer(smtp.port), &at_once())
        .await
        .unwrap();
    assert_eq!(sent, queued);
    let raw = smtp.messages();
    assert_eq!(raw.len(), queued);

    let rows = notifications(&t).await;
    let row = rows
        .iter()
        .find(|n| n.recipient_email == HAFEN_PURCHASER && n.event == "po.rejected")
        .expect("the purchaser is told of the rejection");
    assert_eq!(row.status, DeliveryStatus::Sent.as_str());
    assert_eq!(row.attempts, 1);
    assert!(row.sent_at.is_some());
    let attempts = attempts_of(&t, row.id).await;
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].smtp_code, Some(250));

    let parsed: Vec<_> = raw
        .iter()
        .map(|m| {
            MessageParser::default()
                .parse(m)
                .expect("a readable message")
        })
        .collect();
    let message = parsed
        .iter()
        .find(|m| address(m.to()) == HAFEN_PURCHASER)
        .expect("the purchaser's e-mail arrived");
    assert_eq!(message.subject(), Some(row.subject.as_str()));
    assert!(row.subject.contains("rejected"), "{}", row.subject);
    let from = message.from().and_then(|a| a.first()).unwrap();
    assert_eq!(from.name(), Some("Nordwind Mobile"));
    assert_eq!(from.address(), Some("portal@simdesk.test"));
    assert_eq!(address(message.reply_to()), "support@nordwind.example");
    assert_eq!(
        message.message_id().map(|id| format!("<{id}>")),
        Some(row.message_id.clone())
    );
    let text = message.body_text(0).expect("a plain-text body");
    let html = message.body_html(0).expect("an HTML body");
    let link = format!("http://portal.test/orders/{po_id}");
    assert!(
        text.contains("Reason: Wrong APN group <for this fleet>"),
        "{text}"
    );
    assert!(text.contains(&link), "{text}");
    assert!(
        html.contains("Wrong APN group &lt;for this fleet&gt;"),
        "{html}"
    );
    assert!(html.contains(&link), "{html}");
    assert!(html.contains("#0f766e"), "the tenant's colour: {html}");
    assert_eq!(
        row.body_text.as_deref().map(str::trim),
        Some(text.replace("\r\n", "\n").trim())
    );

    // Nothing is sent twice.
    assert_eq!(
        deliver_due(&t.db, &mailer(smtp.port), &at_once())
            .await
            .unwrap(),
        0
    );
    assert_eq!(smtp.messages().len(), queued);
}

/// Points the pending notifications at `addresses`, in turn.
async fn readdress(t: &TestDatabase, addresses: &[&str]) -> Vec<i64> {
    let rows = notifications(t).await;
    let ids: Vec<i64> = pending(&rows).iter().map(|n| n.id).collect();
    let txn = begin_write(&t.db, DataScope::System).await.unwrap();
    for (id, address) in ids.iter().zip(addresses) {
        notification::Entity::update_many()
            .col_expr(notification::Column::RecipientEmail, Expr::value(*address))
            .filter(notification::Column::Id.eq(*id))
            .exec(&txn)
            .await
            .unwrap();
    }
    txn.commit().await.unwrap();
    ids
}

#[tokio::test]
async fn a_permanent_refusal_is_given_up_and_a_transient_one_retried() {
    let t = demo_database().await;
    let smtp = SmtpServer::start();
    let ids = readdress(
        &t,
        &["refused@hafenlogistik.example", "busy@alpina.example"],
    )
    .await;
    deliver_due(&t.db, &mailer(smtp.port), &at_once())
        .await
        .unwrap();
    assert!(smtp.messages().is_empty());

    let rows = notifications(&t).await;
    let refused = rows.iter().find(|n| n.id == ids[0]).unwrap();
    assert_eq!(refused.status, DeliveryStatus::Failed.as_str());
    assert_eq!(refused.attempts, 1);
    assert!(refused.last_error.contains("550"), "{}", refused.last_error);
    assert_eq!(attempts_of(&t, refused.id).await[0].smtp_code, Some(550));

    let busy = rows.iter().find(|n| n.id == ids[1]).unwrap();
    assert_eq!(busy.status, DeliveryStatus::Pending.as_str());
    assert_eq!(busy.attempts, 1);
    assert!(busy.last_error.contains("451"), "{}", busy.last_error);

    // The refused one stays given up; the busy one is tried again.
    deliver_due(&t.db, &mailer(smtp.port), &at_once())
        .await
        .unwrap();
    assert_eq!(attempts_of(&t, refused.id).await.len(), 1);
    assert_eq!(attempts_of(&t, busy.id).await.len(), 2);
}

#[tokio::test]
async fn an_outage_is_retried_until_the_server_is_back_and_nothing_goes_twice() {
    let t = demo_database().await;
    let mut smtp = SmtpServer::start();
    smtp.stop();
    let queued = pending(&notifications(&t).await).len();
    assert!(queued > 0);
    let settings = MailSettings::default();
    let before = chrono::Utc::now();
    assert_eq!(
        deliver_due(&t.db, &mailer(smtp.port), &settings)
            .await
            .unwrap(),
        queued
    );
    for row in notifications(&t).await {
        assert_eq!(row.status, DeliveryStatus::Pending.as_str(), "{row:?}");
        assert_eq!(row.attempts, 1);
        assert!(
            row.last_error.starts_with("not delivered"),
            "{}",
            row.last_error
        );
        // The first retry waits a minute.
        assert!(row.next_attempt_at.unwrap() >= before + settings.first_retry);
    }
    assert_eq!(
        deliver_due(&t.db, &mailer(smtp.port), &settings)
            .await
            .unwrap(),
        0
    );

    // The minute passes, and the server is back.
    let txn = begin_write(&t.db, DataScope::System).await.unwrap();
    notification::Entity::update_many()
        .col_expr(
            notification::Column::NextAttemptAt,
            Expr::value(chrono::Utc::now()),
        )
        .filter(notification::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .exec(&txn)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    smtp.restart();
    assert_eq!(
        deliver_due(&t.db, &mailer(smtp.port), &at_once())
            .await
            .unwrap(),
        queued
    );
    assert_eq!(
        deliver_due(&t.db, &mailer(smtp.port), &at_once())
            .await
            .unwrap(),
        0
    );
    assert_eq!(smtp.messages().len(), queued);
    assert!(notifications(&t)
        .await
        .iter()
        .all(|n| n.status == DeliveryStatus::Sent.as_str() && n.attempts == 2));
}

#[tokio::test]
async fn a_claim_lost_to_a_crash_goes_out_once_its_lease_ends() {
    let t = demo_database().await;
    let smtp = SmtpServer::start();
    // A lease of two seconds (twice the attempt's timeout).
    let settings = MailSettings {
        timeout: Duration::from_secs(1),
        ..at_once()
    };
    let queued = pending(&notifications(&t).await).len();
    // A worker takes one e-mail (on PostgreSQL a pass leases what it takes)...
    let one = MailSettings {
        batch: 1,
        ..settings.clone()
    };
    let due = mail::due(&t.db, &one).await.unwrap();
    let portal = mail::Portal::new("http://portal.test");
    // ...claims it, then dies before sending it.
    let lost = mail::claim(&t.db, &settings, &portal, "simdesk.test", &due[0])
        .await
        .unwrap()
        .expect("claimed");
    let mailer = mailer(smtp.port);
    assert_eq!(
        deliver_due(&t.db, &mailer, &settings).await.unwrap(),
        queued - 1
    );
    assert_eq!(smtp.messages().len(), queued - 1);

    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(deliver_due(&t.db, &mailer, &settings).await.unwrap(), 1);
    let raw = smtp.messages();
    assert_eq!(raw.len(), queued);
    let ids: HashSet<String> = raw
        .iter()
        .filter_map(|m| MessageParser::default().parse(m))
        .filter_map(|m| m.message_id().map(str::to_owned))
        .collect();
    assert_eq!(ids.len(), queued, "each e-mail once");
    assert!(ids.contains(lost.message_id.trim_matches(['<', '>'])));
}

#[tokio::test]
async fn two_workers_side_by_side_send_each_email_once() {
    let t = demo_database().await;
    let smtp = SmtpServer::start();
    let agent = actor(&t, NORDWIND_AGENT).await;
    let txn = begin_write(&t.db, DataScope::Tenant(agent.tenant_id.unwrap()))
        .await
        .unwrap();
    for n in 0..20 {
        mail::enqueue(
            &txn,
            NewMail {
                tenant_id: agent.tenant_id.unwrap(),
                account_id: None,
                purchase_order_id: None,
                event: "po.submitted",
                recipient_user_id: None,
                recipient_email: &format!("reader{n}@nordwind.example"),
                subject: &format!("Message {n}"),
                context: MailContext::PurchaseOrder(Box::default()),
            },
        )
        .await
        .unwrap();
    }
    txn.commit().await.unwrap();
    let queued = pending(&notifications(&t).await).len();
    let (a, b) = (mailer(smtp.port), mailer(smtp.port));
    let settings = at_once();
    let (first, second) = tokio::join!(
        deliver_due(&t.db, &a, &settings),
        deliver_due(&t.db, &b, &settings)
    );
    assert_eq!(first.unwrap() + second.unwrap(), queued);
    assert_eq!(smtp.messages().len(), queued);
    assert!(notifications(&t)
        .await
        .iter()
        .all(|n| n.status == DeliveryStatus::Sent.as_str() && n.attempts == 1));
}

#[tokio::test]
async fn without_an_smtp_server_mail_lands_in_the_folder() {
    let t = demo_database().await;
    let folder = tempfile::tempdir().unwrap();
    let args = MailArgs {
        smtp_host: None,
        smtp_port: None,
        smtp_tls: SmtpTls::Starttls,
        smtp_user: None,
        smtp_password: None,
        mail_from: "portal@simdesk.test".into(),
        mail_folder: folder.path().join("mail"),
        mail_poll_seconds: 1,
        mailbox_poll_seconds: 1,
    };
    let mailer = Mailer::from_args(&args, "http://localhost:3000", Duration::from_secs(5)).unwrap();
    assert!(mailer.describe().contains("mail"), "{}", mailer.describe());
    let queued = pending(&notifications(&t).await).len();
    assert_eq!(
        deliver_due(&t.db, &mailer, &at_once()).await.unwrap(),
        queued
    );
    let files: Vec<_> = std::fs::read_dir(folder.path().join("mail"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .collect();
    assert_eq!(files.len(), queued);
}

#[tokio::test]
async fn a_reset_link_leaves_no_copy_in_the_database_once_sent() {
    let t = demo_database().await;
    let smtp = SmtpServer::start();
    simdesk_domain::password_reset::request(&t.db, HAFEN_PURCHASER)
        .await
        .unwrap();
    deliver_due(&t.db, &mailer(smtp.port), &at_once())
        .await
        .unwrap();
    let rows = notifications(&t).await;
    let row = rows
        .iter()
        .find(|n| n.event == simdesk_domain::password_reset::EVENT)
        .expect("the reset e-mail");
    assert_eq!(row.status, DeliveryStatus::Sent.as_str());
    assert_eq!(
        (&row.context, &row.body_text, &row.body_html),
        (&None, &None, &None),
        "the link is gone from the queue"
    );
    let message = smtp
        .messages()
        .into_iter()
        .filter_map(|m| MessageParser::default().parse(&m).map(|m| m.into_owned()))
        .find(|m| address(m.to()) == HAFEN_PURCHASER)
        .expect("the reset e-mail arrived");
    let text = message.body_text(0).unwrap();
    assert!(
        text.contains("http://portal.test/reset-password?token="),
        "{text}"
    );
    assert!(text.contains("30 minutes"), "{text}");
}

#[tokio::test]
async fn nobody_reads_another_tenants_messages_over_http() {
    let server = crate::support::start().await;
    let alpina = server.sign_in("agent@alpina.example").await;
    let (status, trace) = server.call("message_trace", "", Some(&alpina)).await;
    assert_eq!(status, 200, "{trace}");
    let key = trace
        .split("\"key\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("Alpina's demo submission was e-mailed")
        .to_owned();
    let (status, _) = server
        .call("message_detail", &format!("key={key}"), Some(&alpina))
        .await;
    assert_eq!(status, 200);
    for email in [
        "agent@nordwind.example",
        "admin@nordwind.example",
        "purchaser@lakeside.example",
        "admin@lakeside.example",
    ] {
        let cookie = server.sign_in(email).await;
        for (function, form) in [
            ("message_detail", format!("key={key}")),
            ("send_message_again", format!("key={key}")),
        ] {
            let (status, body) = server.call(function, &form, Some(&cookie)).await;
            assert!(
                status.is_client_error() && !body.contains("alpina"),
                "{email} {function}: {status} {body}"
            );
        }
        let (status, body) = server.call("message_trace", "", Some(&cookie)).await;
        if email.contains("lakeside") {
            assert_eq!(status, 403, "{email}: {body}");
        } else {
            assert!(!body.contains("alpina.example"), "{email}: {body}");
        }
    }
}

#[tokio::test]
async fn metrics_count_requests_per_route_template_and_failed_sign_ins() {
    let server = crate::support::start().await;
    let agent = server.sign_in("agent@nordwind.example").await;
    for id in [1, 2, 3] {
        server.get(&format!("/orders/{id}"), Some(&agent)).await;
    }
    server.get("/healthz", None).await;
    server
        .sign_in_response("agent@nordwind.example", "not the password", None)
        .await;
    let (status, _) = server.call("dashboard", "", Some(&agent)).await;
    assert_eq!(status, 200);
    let body = server
        .client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // One series for the page template, whatever the id.
    assert!(
        body.contains(
            "simdesk_http_requests_total{method=\"GET\",route=\"/orders/{id}\",status=\"2xx\"} 3"
        ),
        "{body}"
    );
    assert!(!body.contains("/orders/1\""), "{body}");
    assert!(body.contains("route=\"/healthz\""), "{body}");
    assert!(
        body.contains("simdesk_http_requests_total{method=\"POST\",route=\"/api/dashboard\",status=\"2xx\"} 1"),
        "{body}"
    );
    assert!(
        body.contains("simdesk_http_request_duration_seconds_bucket{le=\"0.005\",method=\"GET\",route=\"/orders/{id}\"}")
            || body.contains("simdesk_http_request_duration_seconds_count{method=\"GET\",route=\"/orders/{id}\"} 3"),
        "{body}"
    );
    assert!(
        body.contains("simdesk_sign_in_failures_total{reason=\"password\"} 1"),
        "{body}"
    );
    assert!(
        body.contains("simdesk_db_pool_connections{state=\"open\"}"),
        "{body}"
    );
}

#[tokio::test]
async fn metrics_report_the_queues_and_alarms_to_whoever_holds_the_token() {
    let open = crate::support::start().await;
    let response = open.client.get(open.url("/metrics")).send().await.unwrap();
    assert_eq!(
        response.status(),
        200,
        "a loopback client without a token configured"
    );
    assert!(response.headers().get("content-type").is_some_and(|v| v
        .to_str()
        .unwrap()
        .starts_with("application/openmetrics-text")));
    let body = response.text().await.unwrap();
    assert!(body.contains("simdesk_messages{"), "{body}");
    assert!(body.contains("queue=\"email\""), "{body}");
    assert!(
        body.contains("simdesk_queue_oldest_pending_seconds"),
        "{body}"
    );
    assert!(body.trim_end().ends_with("# EOF"), "{body}");
    drop(open);

    let settings = simdesk_server::HttpSettings {
        metrics_token: Some("scrape-me".into()),
        ..simdesk_server::HttpSettings::default()
    };
    let guarded = crate::support::start_with(settings).await;
    for token in [None, Some("Bearer wrong")] {
        let mut request = guarded.client.get(guarded.url("/metrics"));
        if let Some(token) = token {
            request = request.header("authorization", token);
        }
        assert_eq!(request.send().await.unwrap().status(), 403, "{token:?}");
    }
    let response = guarded
        .client
        .get(guarded.url("/metrics"))
        .header("authorization", "Bearer scrape-me")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}
