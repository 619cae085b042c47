//! The order mailbox read over IMAP, against a real Dovecot: orders mailed there become e-mail
//! orders once (again after a restart of the reader, and with two readers at once), a message
//! is marked seen only once kept, a message too large is kept as unreadable and left in the
//! mailbox, a failing mailbox is recorded and alarmed, and its settings are validated, sealed
//! and the tenant admins' own.

use std::time::Duration;

use crate::support::full_demo_db;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use simdesk_domain::alarms::{self, AlarmRules};
use simdesk_domain::entity::{inbound_email, order_mailbox};
use simdesk_domain::intake;
use simdesk_domain::mailbox::{self, ReaderSettings};
use simdesk_domain::secret::SecretKey;
use simdesk_domain::testing::imap::ImapServer;
use simdesk_domain::testing::{actor, TestDatabase};
use simdesk_domain::DomainError;
use simdesk_types::{AlarmKind, InboundStatus, MailboxCheck, MailboxInput};

const NORDWIND_ADMIN: &str = "admin@nordwind.example";
const NORDWIND_AGENT: &str = "agent@nordwind.example";
const ALPINA_ADMIN: &str = "admin@alpina.example";
const HAFEN_PURCHASER: &str = "purchaser@hafenlogistik.example";
const MAILBOX_USER: &str = "orders@nordwind.example";
const MAILBOX_PASSWORD: &str = "mailbox-secret";

fn order_mail(from: &str, message_id: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {MAILBOX_USER}\r\nSubject: SIM order\r\n\
         Message-ID: <{message_id}>\r\nDate: Fri, 04 Dec 2026 09:00:00 +0100\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    )
    .into_bytes()
}

fn input(port: u16, password: &str) -> MailboxInput {
    MailboxInput {
        enabled: true,
        host: "127.0.0.1".into(),
        port: port.to_string(),
        security: "none".into(),
        username: MAILBOX_USER.into(),
        password: password.into(),
        folder: "INBOX".into(),
    }
}

/// Every look is due at once.
fn eager() -> ReaderSettings {
    ReaderSettings {
        poll: Duration::ZERO,
        timeout: Duration::from_secs(10),
        ..ReaderSettings::default()
    }
}

async fn set_up(t: &TestDatabase, key: &SecretKey, port: u16) {
    let admin = actor(t, NORDWIND_ADMIN).await;
    mailbox::save(&t.db, key, &admin, 0, input(port, MAILBOX_PASSWORD))
        .await
        .expect("save the mailbox");
}

async fn imap_rows(t: &TestDatabase) -> Vec<inbound_email::Model> {
    inbound_email::Entity::find()
        .filter(inbound_email::Column::Via.eq("imap"))
        .all(&t.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn orders_mailed_to_the_mailbox_become_email_orders_once() {
    let t = full_demo_db().await;
    let key = SecretKey::generate();
    let imap = ImapServer::start(&[(MAILBOX_USER, MAILBOX_PASSWORD)]).await;
    let first = order_mail(
        HAFEN_PURCHASER,
        "imap-1@hafen.example",
        "20 x NORDWIND-IOT-4FF\r\n",
    );
    imap.deliver(MAILBOX_USER, MAILBOX_PASSWORD, &first).await;
    imap.deliver(
        MAILBOX_USER,
        MAILBOX_PASSWORD,
        &order_mail(
            "buyer@stranger.example",
            "imap-2@stranger.example",
            "5 x NORDWIND-IOT-4FF\r\n",
        ),
    )
    .await;
    set_up(&t, &key, imap.port).await;

    assert_eq!(mailbox::read_due(&t.db, &key, &eager()).await.unwrap(), 2);
    let rows = imap_rows(&t).await;
    let statuses: Vec<&str> = rows.iter().map(|r| r.status.as_str()).collect();
    assert_eq!(statuses, vec!["draft", "needs_review"]);
    assert_eq!(
        rows[0].raw, first,
        "the message is kept exactly as the server holds it"
    );
    assert_eq!(
        imap.seen(MAILBOX_USER, MAILBOX_PASSWORD).await,
        vec![(1, true), (2, true)],
        "both are marked seen once kept"
    );

    // Nothing new: the next look takes nothing.
    assert_eq!(mailbox::read_due(&t.db, &key, &eager()).await.unwrap(), 0);
    // The same message again (a mail server's retry) and a new one.
    imap.deliver(MAILBOX_USER, MAILBOX_PASSWORD, &first).await;
    imap.deliver(
        MAILBOX_USER,
        MAILBOX_PASSWORD,
        &order_mail(
            HAFEN_PURCHASER,
            "imap-3@hafen.example",
            "7 x NORDWIND-IOT-4FF\r\n",
        ),
    )
    .await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let found = mailbox::check_now(&t.db, &key, &admin, &eager())
        .await
        .unwrap();
    assert_eq!(
        found,
        MailboxCheck {
            kept: 1,
            repeated: 1,
            drafts: 1,
            left: 0
        }
    );
    assert_eq!(imap_rows(&t).await.len(), 3, "the repeat made nothing new");
    let view = mailbox::settings(&t.db, &admin).await.unwrap();
    assert_eq!(view.received, 3);
    assert!(view.last_error.is_empty());
    assert!(view.checked_at.is_some());
    assert!(imap
        .seen(MAILBOX_USER, MAILBOX_PASSWORD)
        .await
        .iter()
        .all(|(_, seen)| *seen));
}

#[tokio::test]
async fn two_readers_at_once_keep_each_message_once() {
    let t = full_demo_db().await;
    let key = SecretKey::generate();
    let imap = ImapServer::start(&[(MAILBOX_USER, MAILBOX_PASSWORD)]).await;
    for n in 0..5 {
        imap.deliver(
            MAILBOX_USER,
            MAILBOX_PASSWORD,
            &order_mail(
                HAFEN_PURCHASER,
                &format!("both-{n}@hafen.example"),
                "3 x NORDWIND-IOT-4FF\r\n",
            ),
        )
        .await;
    }
    set_up(&t, &key, imap.port).await;
    let settings = eager();
    let (a, b) = tokio::join!(
        mailbox::read_due(&t.db, &key, &settings),
        mailbox::read_due(&t.db, &key, &settings)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a + b, 5);
    assert_eq!(a.min(b), 0, "the lease lets one of them read: {a} and {b}");
    assert_eq!(imap_rows(&t).await.len(), 5);
}

#[tokio::test]
async fn a_reader_that_stopped_after_keeping_takes_nothing_twice() {
    let t = full_demo_db().await;
    let key = SecretKey::generate();
    let imap = ImapServer::start(&[(MAILBOX_USER, MAILBOX_PASSWORD)]).await;
    let message = order_mail(
        HAFEN_PURCHASER,
        "crash-1@hafen.example",
        "9 x NORDWIND-IOT-4FF\r\n",
    );
    imap.deliver(MAILBOX_USER, MAILBOX_PASSWORD, &message).await;
    set_up(&t, &key, imap.port).await;
    // A reader kept the message and stopped before it marked it or moved its position.
    let tenant = intake::tenant_of(&t.db, "nordwind").await.unwrap();
    intake::receive_with(
        &t.db,
        tenant,
        &message,
        intake::Arrival::Imap,
        &Default::default(),
    )
    .await
    .unwrap();
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let found = mailbox::check_now(&t.db, &key, &admin, &eager())
        .await
        .unwrap();
    assert_eq!((found.kept, found.repeated), (0, 1));
    assert_eq!(imap_rows(&t).await.len(), 1);
    assert_eq!(
        imap.seen(MAILBOX_USER, MAILBOX_PASSWORD).await,
        vec![(1, true)]
    );
}

#[tokio::test]
async fn a_message_too_large_is_kept_as_unreadable_and_left_in_the_mailbox() {
    let t = full_demo_db().await;
    let key = SecretKey::generate();
    let imap = ImapServer::start(&[(MAILBOX_USER, MAILBOX_PASSWORD)]).await;
    let big = order_mail(
        HAFEN_PURCHASER,
        "big-1@hafen.example",
        &"10 x NORDWIND-IOT-4FF\r\n".repeat(400),
    );
    imap.deliver(MAILBOX_USER, MAILBOX_PASSWORD, &big).await;
    set_up(&t, &key, imap.port).await;
    let small = ReaderSettings {
        max_bytes: 4096,
        ..eager()
    };
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let found = mailbox::check_now(&t.db, &key, &admin, &small)
        .await
        .unwrap();
    assert_eq!((found.kept, found.left), (0, 1));
    let rows = imap_rows(&t).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, InboundStatus::Unreadable.as_str());
    assert_eq!(rows[0].sender, HAFEN_PURCHASER);
    assert!(
        rows[0].problem.contains("left in the mailbox"),
        "{}",
        rows[0].problem
    );
    assert!(rows[0].raw.len() < 1024, "only the header is kept");
    assert_eq!(
        imap.seen(MAILBOX_USER, MAILBOX_PASSWORD).await,
        vec![(1, false)],
        "left unseen for a person"
    );
    // It is not taken again.
    let again = mailbox::check_now(&t.db, &key, &admin, &small)
        .await
        .unwrap();
    assert_eq!(again, MailboxCheck::default());
    alarms::sweep(&t.db, &AlarmRules::default()).await.unwrap();
    let list = alarms::list(&t.db, &admin).await.unwrap();
    assert!(list
        .alarms
        .iter()
        .any(|a| a.kind == AlarmKind::InboundUnreadable));
}

#[tokio::test]
async fn a_failing_mailbox_is_recorded_and_alarmed_until_it_answers() {
    let t = full_demo_db().await;
    let key = SecretKey::generate();
    let mut imap = ImapServer::start(&[(MAILBOX_USER, MAILBOX_PASSWORD)]).await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    mailbox::save(&t.db, &key, &admin, 0, input(imap.port, "wrong"))
        .await
        .unwrap();
    let refused = mailbox::check_now(&t.db, &key, &admin, &eager()).await;
    match refused {
        Err(DomainError::Invalid(errors)) => assert!(
            errors[0].message.contains("refused the user name"),
            "{errors:?}"
        ),
        other => panic!("expected the refusal, got {other:?}"),
    }
    imap.stop();
    for _ in 0..2 {
        mailbox::read_due(&t.db, &key, &eager()).await.unwrap();
    }
    let view = mailbox::settings(&t.db, &admin).await.unwrap();
    assert!(
        view.last_error.contains("cannot connect"),
        "{}",
        view.last_error
    );
    assert!(view.failing_since.is_some());
    alarms::sweep(&t.db, &AlarmRules::default()).await.unwrap();
    let raised: Vec<_> = alarms::list(&t.db, &admin)
        .await
        .unwrap()
        .alarms
        .into_iter()
        .filter(|a| a.kind == AlarmKind::MailboxUnreachable)
        .collect();
    assert_eq!(raised.len(), 1, "one alarm after three failed looks");
    assert!(raised[0].summary.contains(MAILBOX_USER));

    // Back, with the right password: the failures are forgotten.
    imap.restart().await;
    let view = mailbox::settings(&t.db, &admin).await.unwrap();
    mailbox::save(
        &t.db,
        &key,
        &admin,
        view.version,
        input(imap.port, MAILBOX_PASSWORD),
    )
    .await
    .unwrap();
    mailbox::read_due(&t.db, &key, &eager()).await.unwrap();
    let view = mailbox::settings(&t.db, &admin).await.unwrap();
    assert!(view.last_error.is_empty());
    assert!(view.failing_since.is_none());
}

#[tokio::test]
async fn mailbox_settings_are_validated_sealed_and_the_tenant_admins_own() {
    let t = full_demo_db().await;
    let key = SecretKey::generate();
    let admin = actor(&t, NORDWIND_ADMIN).await;

    let invalid = MailboxInput {
        enabled: true,
        host: "imap.example.com".into(),
        port: "0".into(),
        security: "none".into(),
        username: String::new(),
        password: String::new(),
        folder: "In\"box".into(),
    };
    match mailbox::save(&t.db, &key, &admin, 0, invalid).await {
        Err(DomainError::Invalid(errors)) => {
            let mut fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            fields.sort_unstable();
            assert_eq!(
                fields,
                vec!["folder", "password", "port", "security", "username"]
            );
        }
        other => panic!("expected field errors, got {other:?}"),
    }

    let saved = mailbox::save(
        &t.db,
        &key,
        &admin,
        0,
        MailboxInput {
            security: "tls".into(),
            host: "imap.nordwind.example".into(),
            port: String::new(),
            ..input(0, MAILBOX_PASSWORD)
        },
    )
    .await
    .unwrap();
    assert_eq!(saved.port, 993, "the port follows the encryption");
    assert!(saved.has_password);
    let stored = order_mailbox::Entity::find()
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    let sealed = stored.password_sealed.unwrap();
    assert!(!sealed.contains(MAILBOX_PASSWORD));
    assert_eq!(
        key.open_for_tenant(stored.tenant_id, &sealed).unwrap(),
        MAILBOX_PASSWORD
    );

    // An empty password keeps the stored one; a stale version is refused.
    let kept = mailbox::save(
        &t.db,
        &key,
        &admin,
        saved.version,
        MailboxInput {
            security: "tls".into(),
            host: "imap.nordwind.example".into(),
            ..input(993, "")
        },
    )
    .await
    .unwrap();
    assert!(kept.has_password);
    assert!(matches!(
        mailbox::save(&t.db, &key, &admin, saved.version, input(993, "x")).await,
        Err(DomainError::Conflict(_))
    ));

    // Another tenant's admin sees their own, empty mailbox; agents and account users none.
    let alpina = actor(&t, ALPINA_ADMIN).await;
    let theirs = mailbox::settings(&t.db, &alpina).await.unwrap();
    assert_eq!(theirs.host, "");
    assert_eq!(theirs.tenant_slug, "alpina");
    assert_eq!(theirs.version, 0);
    for email in [
        NORDWIND_AGENT,
        HAFEN_PURCHASER,
        "admin@hafenlogistik.example",
    ] {
        let who = actor(&t, email).await;
        assert!(matches!(
            mailbox::settings(&t.db, &who).await,
            Err(DomainError::Forbidden)
        ));
        assert!(matches!(
            mailbox::save(&t.db, &key, &who, 1, input(993, "x")).await,
            Err(DomainError::Forbidden)
        ));
        assert!(matches!(
            mailbox::check_now(&t.db, &key, &who, &eager()).await,
            Err(DomainError::Forbidden)
        ));
    }
    // A tenant's sealed password does not open as another tenant's.
    assert!(key.open_for_tenant(stored.tenant_id + 1, &sealed).is_err());
}
