//! Orders by e-mail: a user's e-mail becomes a draft with its differences, the same message
//! twice is one order, an unknown sender waits for the agent, the sender hears of acceptance
//! and rejection, an unreadable message is kept, traced and alarmed, and no tenant sees
//! another's mailbox.

use crate::support::{full_demo_db, lines_of};
use futures::future::join_all;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use simdesk_domain::alarms::{self, AlarmRules};
use simdesk_domain::entity::{inbound_email, notification, purchase_order};
use simdesk_domain::intake;
use simdesk_domain::orders;
use simdesk_domain::testing::{actor, TestDatabase};
use simdesk_domain::trace::{self, TraceQuery};
use simdesk_domain::DomainError;
use simdesk_types::{
    AlarmKind, FindingKind, InboundStatus, MessageChannel, MessageDirection, MessageStatus,
    PoAction, PoStatus,
};

const NORDWIND_AGENT: &str = "agent@nordwind.example";
const ALPINA_AGENT: &str = "agent@alpina.example";
const HAFEN_PURCHASER: &str = "purchaser@hafenlogistik.example";

fn order_mail(from: &str, message_id: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Jana Kühn <{from}>\r\nTo: orders@nordwind.example\r\nSubject: SIM order\r\n\
         Message-ID: <{message_id}>\r\nDate: Thu, 03 Dec 2026 09:00:00 +0100\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    )
    .into_bytes()
}

const BODY: &str = "Hello,\r\n\r\nplease send us\r\n\r\n\
    50 x NORDWIND-IOT-4FF @ 9.99 EUR\r\n\
    15 pcs Embedded IoT chip\r\n\
    3 x Satellite phone handset\r\n\r\n\
    PO number: HL-2026-77\r\n\
    Delivery date: 2099-01-15\r\n\r\n\
    Ship to:\r\nHafenlogistik GmbH, Lager 3\r\nKaiweg 7\r\n20457 Hamburg\r\nGermany\r\n\r\nThanks\r\n";

async fn nordwind(t: &TestDatabase) -> i64 {
    intake::tenant_of(&t.db, "nordwind").await.unwrap()
}

#[tokio::test]
async fn a_users_order_email_becomes_a_draft_with_every_difference() {
    let t = full_demo_db().await;
    let tenant = nordwind(&t).await;
    let receipt = intake::receive(
        &t.db,
        tenant,
        &order_mail(HAFEN_PURCHASER, "hl-1@mail.example", BODY),
    )
    .await
    .unwrap();
    assert_eq!(receipt.status, InboundStatus::Draft);
    assert!(!receipt.duplicate);
    let po_id = receipt.purchase_order_id.expect("a draft");

    let agent = actor(&t, NORDWIND_AGENT).await;
    let po = orders::detail(&t.db, &agent, po_id).await.unwrap();
    assert_eq!(po.status, PoStatus::Draft);
    assert_eq!(po.source, "email");
    assert_eq!(po.external_reference.as_deref(), Some("HL-2026-77"));
    assert_eq!(po.requested_ship_date.as_deref(), Some("2099-01-15"));
    assert_eq!(po.address.city, "Hamburg");
    assert_eq!(po.address.country, "DE");
    assert_eq!(po.address.recipient, "Hafenlogistik GmbH, Lager 3");
    let lines = lines_of(&po);
    assert_eq!(
        lines,
        vec![
            ("NORDWIND-IOT-4FF".to_owned(), 50),
            ("NORDWIND-IOT-MFF2".to_owned(), 15)
        ]
    );
    // The purchaser who wrote it sees it as theirs.
    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    assert!(orders::detail(&t.db, &purchaser, po_id).await.is_ok());

    let detail = intake::detail(&t.db, &agent, receipt.id).await.unwrap();
    let kinds: Vec<FindingKind> = detail.findings.iter().map(|f| f.kind).collect();
    assert!(kinds.contains(&FindingKind::PriceDiffers), "{kinds:?}");
    assert!(
        kinds.contains(&FindingKind::QuantityOutsideLimits),
        "{kinds:?}"
    );
    assert!(kinds.contains(&FindingKind::UnknownProduct), "{kinds:?}");
    assert!(!kinds.contains(&FindingKind::UnknownSender), "{kinds:?}");
    let price = detail
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::PriceDiffers)
        .unwrap();
    assert!(price.message.contains("9.99"), "{}", price.message);
    // A German reader gets the same finding in German.
    let german = price.message_in(simdesk_types::Locale::German);
    assert!(german.contains("Der Käufer erwartet"), "{german}");
    let unknown = detail
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::UnknownProduct)
        .unwrap();
    assert!(unknown
        .message_in(simdesk_types::Locale::German)
        .contains("Kein Produkt des Kundenkontos passt"));
    assert_eq!(detail.lines.len(), 3);
    assert_eq!(detail.lines[2].product, None);
    assert_eq!(detail.reference.as_deref(), Some("HL-2026-77"));
    assert!(detail.text.contains("Satellite phone handset"));
    // The PO page shows where it came from.
    let origin = intake::of_order(&t.db, &agent, po_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(origin.row.id, receipt.id);

    // The same reference again is listed as a possible duplicate.
    let again = intake::receive(
        &t.db,
        tenant,
        &order_mail(HAFEN_PURCHASER, "hl-2@mail.example", BODY),
    )
    .await
    .unwrap();
    let second = intake::detail(&t.db, &agent, again.id).await.unwrap();
    assert!(second
        .findings
        .iter()
        .any(|f| f.kind == FindingKind::DuplicateReference && f.message.contains("HL-2026-77")));
}

#[tokio::test]
async fn the_same_message_delivered_many_times_is_one_order() {
    let t = full_demo_db().await;
    let tenant = nordwind(&t).await;
    let raw = order_mail(HAFEN_PURCHASER, "twice@mail.example", BODY);
    let drafts_before = purchase_order::Entity::find()
        .filter(purchase_order::Column::Source.eq("email"))
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(drafts_before, 0);
    let receipts = join_all((0..6).map(|_| intake::receive(&t.db, tenant, &raw))).await;
    let receipts: Vec<_> = receipts.into_iter().map(Result::unwrap).collect();
    assert!(receipts.iter().all(|r| r.id == receipts[0].id));
    assert_eq!(receipts.iter().filter(|r| !r.duplicate).count(), 1);
    let later = intake::receive(&t.db, tenant, &raw).await.unwrap();
    assert!(later.duplicate);
    assert_eq!(later.purchase_order_id, receipts[0].purchase_order_id);
    assert_eq!(inbound_email::Entity::find().count(&t.db).await.unwrap(), 1);
    assert_eq!(
        purchase_order::Entity::find()
            .filter(purchase_order::Column::Source.eq("email"))
            .count(&t.db)
            .await
            .unwrap(),
        1
    );
}

async fn sent_to(t: &TestDatabase, address: &str, event: &str) -> Vec<notification::Model> {
    notification::Entity::find()
        .filter(notification::Column::RecipientEmail.eq(address))
        .filter(notification::Column::Event.eq(event))
        .all(&t.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_unknown_sender_waits_for_the_agent_and_hears_the_outcome() {
    let t = full_demo_db().await;
    let tenant = nordwind(&t).await;
    let stranger = "einkauf@hafenlogistik.example";
    let raw = order_mail(
        stranger,
        "stranger@mail.example",
        "20 x NORDWIND-IOT-4FF\r\n",
    );
    let receipt = intake::receive(&t.db, tenant, &raw).await.unwrap();
    assert_eq!(receipt.status, InboundStatus::NeedsReview);
    assert_eq!(receipt.purchase_order_id, None);

    let agent = actor(&t, NORDWIND_AGENT).await;
    let detail = intake::detail(&t.db, &agent, receipt.id).await.unwrap();
    assert_eq!(detail.findings[0].kind, FindingKind::UnknownSender);
    assert!(detail.findings[0]
        .message_in(simdesk_types::Locale::German)
        .contains("ist kein Nutzer eines Kundenkontos"));
    let (hafen_id, _) = detail
        .accounts
        .iter()
        .find(|(_, name)| name == "Hafenlogistik GmbH")
        .cloned()
        .unwrap();
    // The sender's domain is that of the account's users.
    assert_eq!(detail.suggested_account_id, Some(hafen_id));
    let waiting = intake::list(&t.db, &agent, Some(InboundStatus::NeedsReview), None, 50)
        .await
        .unwrap();
    assert_eq!(waiting.rows.len(), 1);
    assert_eq!(waiting.rows[0].id, receipt.id);

    // A viewer of the account may not order: the agent decides, with the account suggested.
    let viewer = intake::receive(
        &t.db,
        tenant,
        &order_mail(
            "viewer@hafenlogistik.example",
            "viewer@mail.example",
            "20 x NORDWIND-IOT-4FF\r\n",
        ),
    )
    .await
    .unwrap();
    assert_eq!(viewer.status, InboundStatus::NeedsReview);
    let viewer = intake::detail(&t.db, &agent, viewer.id).await.unwrap();
    assert_eq!(viewer.suggested_account_id, Some(hafen_id));
    assert!(viewer.findings[0].message.contains("does not raise orders"));

    let po_id = intake::assign(&t.db, &agent, receipt.id, hafen_id)
        .await
        .unwrap();
    // Twice is refused: the first assignment stands.
    assert!(matches!(
        intake::assign(&t.db, &agent, receipt.id, hafen_id).await,
        Err(DomainError::Conflict(_))
    ));
    let po = orders::detail(&t.db, &agent, po_id).await.unwrap();
    assert_eq!(po.source, "email");
    assert_eq!(po.lines.len(), 1);
    let handled = intake::detail(&t.db, &agent, receipt.id).await.unwrap();
    assert_eq!(handled.row.status, InboundStatus::Draft);
    assert!(handled
        .findings
        .iter()
        .all(|f| f.kind != FindingKind::UnknownSender));
    // The account's address was used: the e-mail gave none.
    assert!(handled
        .findings
        .iter()
        .any(|f| f.kind == FindingKind::AddressFromAccount));

    // The agent confirms: submitted on the account's behalf, then accepted.
    orders::act(&t.db, &agent, po_id, po.version, PoAction::Submit, "")
        .await
        .unwrap();
    let version = orders::detail(&t.db, &agent, po_id).await.unwrap().version;
    orders::act(&t.db, &agent, po_id, version, PoAction::Accept, "")
        .await
        .unwrap();
    let accepted = sent_to(&t, stranger, "po.accepted").await;
    assert_eq!(accepted.len(), 1, "the sender hears of the acceptance once");
    let number = orders::detail(&t.db, &agent, po_id)
        .await
        .unwrap()
        .po_number
        .unwrap();
    assert!(
        accepted[0].subject.contains(&number.to_string()),
        "{}",
        accepted[0].subject
    );
    assert_eq!(accepted[0].recipient_user_id, None);
    // Written as an answer to the order e-mail, in its thread.
    let settings = simdesk_domain::mail::MailSettings::default();
    let due = simdesk_domain::mail::queue::due(&t.db, &settings)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.id() == accepted[0].id)
        .expect("the acceptance is due");
    let portal = simdesk_domain::mail::Portal::new("https://portal.example");
    let outgoing =
        simdesk_domain::mail::queue::claim(&t.db, &settings, &portal, "portal.example", &due)
            .await
            .unwrap()
            .expect("claimed");
    assert_eq!(
        outgoing.in_reply_to.as_deref(),
        Some("<stranger@mail.example>")
    );
}

#[tokio::test]
async fn a_rejection_is_answered_to_the_sender_but_machine_mail_never_is() {
    let t = full_demo_db().await;
    let tenant = nordwind(&t).await;
    let agent = actor(&t, NORDWIND_AGENT).await;
    let raw = format!(
        "From: {HAFEN_PURCHASER}\r\nReply-To: einkauf@hafenlogistik.example\r\nSubject: order\r\n\
         Message-ID: <r-1@mail.example>\r\n\r\n20 x NORDWIND-IOT-4FF\r\n"
    );
    let po_id = intake::receive(&t.db, tenant, raw.as_bytes())
        .await
        .unwrap()
        .purchase_order_id
        .unwrap();
    let version = orders::detail(&t.db, &agent, po_id).await.unwrap().version;
    orders::act(&t.db, &agent, po_id, version, PoAction::Submit, "")
        .await
        .unwrap();
    let version = orders::detail(&t.db, &agent, po_id).await.unwrap().version;
    orders::act(
        &t.db,
        &agent,
        po_id,
        version,
        PoAction::Reject,
        "We do not sell that quantity.",
    )
    .await
    .unwrap();
    let rejected = sent_to(&t, "einkauf@hafenlogistik.example", "po.rejected").await;
    assert_eq!(rejected.len(), 1, "Reply-To hears of the rejection");

    let machine = format!(
        "From: {HAFEN_PURCHASER}\r\nAuto-Submitted: auto-generated\r\nSubject: order\r\n\
         Message-ID: <m-1@mail.example>\r\n\r\n20 x NORDWIND-IOT-4FF\r\n"
    );
    let receipt = intake::receive(&t.db, tenant, machine.as_bytes())
        .await
        .unwrap();
    let detail = intake::detail(&t.db, &agent, receipt.id).await.unwrap();
    assert_eq!(detail.answer_to, "");
}

#[tokio::test]
async fn an_unreadable_message_is_kept_traced_and_raises_an_alarm() {
    let t = full_demo_db().await;
    let tenant = nordwind(&t).await;
    let garbage = b"\x00\x01 this is no e-mail at all \xff\xfe";
    let receipt = intake::receive(&t.db, tenant, garbage).await.unwrap();
    assert_eq!(receipt.status, InboundStatus::Unreadable);
    // Kept whole.
    let kept = inbound_email::Entity::find_by_id(receipt.id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.raw, garbage.to_vec());
    // Twice is still one.
    assert!(
        intake::receive(&t.db, tenant, garbage)
            .await
            .unwrap()
            .duplicate
    );

    let agent = actor(&t, NORDWIND_AGENT).await;
    let detail = intake::detail(&t.db, &agent, receipt.id).await.unwrap();
    assert!(
        detail.problem.contains("cannot be read"),
        "{}",
        detail.problem
    );

    let admin = actor(&t, "admin@nordwind.example").await;
    let inbound = trace::list(
        &t.db,
        &admin,
        TraceQuery {
            channel: Some(MessageChannel::Email),
            direction: Some(MessageDirection::Inbound),
            limit: 50,
            ..TraceQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(inbound.rows.len(), 1);
    assert_eq!(inbound.rows[0].status, MessageStatus::Refused);
    let key = inbound.rows[0].key.clone();
    let traced = trace::detail(&t.db, &admin, &key).await.unwrap();
    assert!(traced.payload.contains("this is no e-mail"));

    assert_eq!(
        alarms::sweep(&t.db, &AlarmRules::default()).await.unwrap(),
        1
    );
    assert_eq!(
        alarms::sweep(&t.db, &AlarmRules::default()).await.unwrap(),
        0
    );
    let list = alarms::list(&t.db, &admin).await.unwrap();
    let alarm = list
        .alarms
        .iter()
        .find(|a| a.kind == AlarmKind::InboundUnreadable)
        .unwrap();
    assert_eq!(alarm.message_key.as_deref(), Some(key.as_str()));

    intake::dismiss(&t.db, &agent, receipt.id).await.unwrap();
    assert_eq!(
        intake::detail(&t.db, &agent, receipt.id)
            .await
            .unwrap()
            .row
            .status,
        InboundStatus::Dismissed
    );
}

#[tokio::test]
async fn no_tenant_reads_or_handles_another_tenants_order_mail() {
    let t = full_demo_db().await;
    let tenant = nordwind(&t).await;
    let alpina = intake::tenant_of(&t.db, "alpina").await.unwrap();
    let receipt = intake::receive(
        &t.db,
        tenant,
        &order_mail(
            "stranger@nowhere.example",
            "iso@mail.example",
            "20 x NORDWIND-IOT-4FF\r\n",
        ),
    )
    .await
    .unwrap();
    let nordwind_agent = actor(&t, NORDWIND_AGENT).await;
    assert_eq!(
        intake::list(&t.db, &nordwind_agent, None, None, 50)
            .await
            .unwrap()
            .rows
            .len(),
        1
    );

    let foreign = actor(&t, ALPINA_AGENT).await;
    assert!(intake::list(&t.db, &foreign, None, None, 50)
        .await
        .unwrap()
        .rows
        .is_empty());
    assert!(matches!(
        intake::detail(&t.db, &foreign, receipt.id).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        intake::dismiss(&t.db, &foreign, receipt.id).await,
        Err(DomainError::NotFound)
    ));
    // Assigning it to an account of the agent's own tenant finds no such message either.
    let foreign_detail_accounts = {
        let mine = intake::receive(
            &t.db,
            alpina,
            &order_mail(
                "stranger@nowhere.example",
                "iso-2@mail.example",
                "20 x ALPINA-IOT-4FF\r\n",
            ),
        )
        .await
        .unwrap();
        intake::detail(&t.db, &foreign, mine.id)
            .await
            .unwrap()
            .accounts
    };
    assert!(matches!(
        intake::assign(&t.db, &foreign, receipt.id, foreign_detail_accounts[0].0).await,
        Err(DomainError::NotFound)
    ));
    // Nor can a Nordwind agent assign a message to an Alpina account.
    assert!(matches!(
        intake::assign(
            &t.db,
            &nordwind_agent,
            receipt.id,
            foreign_detail_accounts[0].0
        )
        .await,
        Err(DomainError::Invalid(_))
    ));
    // A draft made of a Nordwind e-mail shows its origin to Nordwind only.
    let drafted = intake::receive(
        &t.db,
        tenant,
        &order_mail(
            HAFEN_PURCHASER,
            "iso-3@mail.example",
            "20 x NORDWIND-IOT-4FF\r\n",
        ),
    )
    .await
    .unwrap()
    .purchase_order_id
    .unwrap();
    assert!(intake::of_order(&t.db, &nordwind_agent, drafted)
        .await
        .unwrap()
        .is_some());
    assert!(matches!(
        intake::of_order(&t.db, &foreign, drafted).await,
        Ok(None)
    ));

    // Account users have no mailbox view.
    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    assert!(matches!(
        intake::list(&t.db, &purchaser, None, None, 50).await,
        Err(DomainError::Forbidden)
    ));
    assert!(matches!(
        intake::detail(&t.db, &purchaser, receipt.id).await,
        Err(DomainError::Forbidden)
    ));

    // A user of one tenant is a stranger to another: no draft in Alpina's name.
    let crossed = intake::receive(
        &t.db,
        alpina,
        &order_mail(
            HAFEN_PURCHASER,
            "cross@mail.example",
            "20 x ALPINA-IOT-4FF\r\n",
        ),
    )
    .await
    .unwrap();
    assert_eq!(crossed.status, InboundStatus::NeedsReview);
    assert_eq!(
        intake::detail(&t.db, &foreign, crossed.id)
            .await
            .unwrap()
            .suggested_account_id,
        None
    );
}
