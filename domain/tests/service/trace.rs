//! The message trace: one keyset across e-mails and cXML documents, filters and search,
//! "send again" for what was given up, and never another tenant's messages, nor for account
//! users.

use crate::support::full_demo_db;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use simdesk_domain::db::{begin_write, DataScope};
use simdesk_domain::entity::notification;
use simdesk_domain::orders::{self, PoQuery};
use simdesk_domain::testing::{actor, TestDatabase};
use simdesk_domain::trace::{self, TraceQuery};
use simdesk_domain::DomainError;
use simdesk_types::{MessageChannel, MessageStatus, PoAction, PoStatus};

const NORDWIND_AGENT: &str = "agent@nordwind.example";
const NORDWIND_ADMIN: &str = "admin@nordwind.example";
const ALPINA_AGENT: &str = "agent@alpina.example";
const HAFEN_PURCHASER: &str = "purchaser@hafenlogistik.example";

/// Rejects, reopens and resubmits the demo's PO at Nordwind a few times: e-mails to trace.
async fn some_traffic(t: &TestDatabase) -> i64 {
    let agent = actor(t, NORDWIND_AGENT).await;
    let purchaser = actor(t, HAFEN_PURCHASER).await;
    let query = PoQuery {
        statuses: vec![PoStatus::Submitted],
        limit: 10,
        ..PoQuery::default()
    };
    let id = orders::list(&t.db, &agent, query).await.unwrap().rows[0].id;
    for round in 0..3 {
        let version = orders::detail(&t.db, &agent, id).await.unwrap().version;
        orders::act(
            &t.db,
            &agent,
            id,
            version,
            PoAction::Reject,
            &format!("Round {round}"),
        )
        .await
        .unwrap();
        let version = orders::detail(&t.db, &purchaser, id).await.unwrap().version;
        orders::act(&t.db, &purchaser, id, version, PoAction::Reopen, "")
            .await
            .unwrap();
        let version = orders::detail(&t.db, &purchaser, id).await.unwrap().version;
        orders::act(&t.db, &purchaser, id, version, PoAction::Submit, "")
            .await
            .unwrap();
    }
    id
}

fn everything() -> TraceQuery {
    TraceQuery {
        limit: 200,
        ..TraceQuery::default()
    }
}

#[tokio::test]
async fn pages_walk_the_whole_trace_once_newest_first() {
    let t = full_demo_db().await;
    let po_id = some_traffic(&t).await;
    let agent = actor(&t, NORDWIND_AGENT).await;
    let all = trace::list(&t.db, &agent, everything()).await.unwrap();
    assert!(all.next.is_none());
    assert!(all.rows.len() >= 10, "{}", all.rows.len());
    assert!(
        all.rows.windows(2).all(|w| w[0].at >= w[1].at),
        "newest first"
    );
    let rejected = all
        .rows
        .iter()
        .find(|r| r.document_type == "po.rejected")
        .unwrap();
    assert_eq!(rejected.channel, MessageChannel::Email);
    assert_eq!(rejected.counterpart, HAFEN_PURCHASER);
    assert_eq!(rejected.status, MessageStatus::Pending);
    assert_eq!(rejected.purchase_order_id, Some(po_id));
    assert_eq!(
        rejected.purchase_order_reference.as_deref(),
        Some(&*format!("REQ-{po_id}"))
    );

    // Three at a time: the same rows, in the same order, none twice.
    let mut walked = Vec::new();
    let mut after = None;
    loop {
        let page = trace::list(
            &t.db,
            &agent,
            TraceQuery {
                limit: 3,
                after: after.clone(),
                ..TraceQuery::default()
            },
        )
        .await
        .unwrap();
        walked.extend(page.rows.into_iter().map(|r| r.key));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let keys: Vec<String> = all.rows.iter().map(|r| r.key.clone()).collect();
    assert_eq!(walked, keys);

    // Filters and search.
    let search = |text: &str| TraceQuery {
        search: text.into(),
        ..everything()
    };
    let mine = trace::list(&t.db, &agent, search("PURCHASER@hafen"))
        .await
        .unwrap();
    assert!(!mine.rows.is_empty());
    assert!(mine.rows.iter().all(|r| r.counterpart == HAFEN_PURCHASER));
    let cxml = TraceQuery {
        channel: Some(MessageChannel::Cxml),
        ..everything()
    };
    assert!(trace::list(&t.db, &agent, cxml)
        .await
        .unwrap()
        .rows
        .is_empty());
    let problems = TraceQuery {
        problems_only: true,
        ..everything()
    };
    assert!(trace::list(&t.db, &agent, problems)
        .await
        .unwrap()
        .rows
        .is_empty());
    let damaged = TraceQuery {
        after: Some("yesterday".into()),
        ..everything()
    };
    assert!(matches!(
        trace::list(&t.db, &agent, damaged).await,
        Err(DomainError::Invalid(e)) if e[0].field == "after"
    ));
}

#[tokio::test]
async fn a_given_up_email_is_sent_again_once() {
    let t = full_demo_db().await;
    some_traffic(&t).await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let txn = begin_write(&t.db, DataScope::System).await.unwrap();
    notification::Entity::update_many()
        .col_expr(notification::Column::Status, Expr::value("failed"))
        .col_expr(
            notification::Column::LastError,
            Expr::value("refused: 550 no such mailbox"),
        )
        .filter(notification::Column::Event.eq("po.rejected"))
        .exec(&txn)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    let problems = TraceQuery {
        problems_only: true,
        ..everything()
    };
    let failed = trace::list(&t.db, &admin, problems.clone())
        .await
        .unwrap()
        .rows;
    assert_eq!(failed.len(), 3);
    assert!(failed
        .iter()
        .all(|r| r.can_resend && r.last_error.contains("550")));
    let key = &failed[0].key;
    let detail = trace::detail(&t.db, &admin, key).await.unwrap();
    assert!(detail.subject.contains("rejected"), "{}", detail.subject);

    trace::send_again(&t.db, &admin, key).await.unwrap();
    assert_eq!(
        trace::list(&t.db, &admin, problems)
            .await
            .unwrap()
            .rows
            .len(),
        2
    );
    assert!(matches!(
        trace::send_again(&t.db, &admin, key).await,
        Err(DomainError::Conflict(_))
    ));
}

#[tokio::test]
async fn nobody_reads_another_tenants_trace_or_any_as_an_account_user() {
    let t = full_demo_db().await;
    some_traffic(&t).await;
    let nordwind = trace::list(&t.db, &actor(&t, NORDWIND_AGENT).await, everything())
        .await
        .unwrap();
    let key = &nordwind.rows[0].key;
    let alpina_agent = actor(&t, ALPINA_AGENT).await;
    let alpina = trace::list(&t.db, &alpina_agent, everything())
        .await
        .unwrap();
    assert!(alpina
        .rows
        .iter()
        .all(|r| !nordwind.rows.iter().any(|n| n.key == r.key)));
    assert!(alpina
        .rows
        .iter()
        .all(|r| !r.counterpart.contains("hafenlogistik")));
    assert!(trace::detail(&t.db, &alpina_agent, key).await.is_err());
    assert!(trace::send_again(&t.db, &alpina_agent, key).await.is_err());
    for user in [
        HAFEN_PURCHASER,
        "admin@hafenlogistik.example",
        "operator@simdesk.example",
    ] {
        let someone = actor(&t, user).await;
        assert!(
            matches!(
                trace::list(&t.db, &someone, everything()).await,
                Err(DomainError::Forbidden)
            ),
            "{user}"
        );
        assert!(trace::detail(&t.db, &someone, key).await.is_err(), "{user}");
    }
}

#[tokio::test]
async fn contents_past_the_tenants_retention_are_removed_and_the_rows_stay() {
    let t = full_demo_db().await;
    some_traffic(&t).await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let mut settings = simdesk_domain::tenants::settings(&t.db, &admin)
        .await
        .unwrap();
    settings.message_retention_days = "7".into();
    simdesk_domain::tenants::update_settings(&t.db, &admin, settings)
        .await
        .unwrap();
    // Everything of both tenants is eight days old and delivered.
    let txn = begin_write(&t.db, DataScope::System).await.unwrap();
    notification::Entity::update_many()
        .col_expr(
            notification::Column::CreatedAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::days(8)),
        )
        .col_expr(notification::Column::Status, Expr::value("sent"))
        .col_expr(notification::Column::BodyText, Expr::value("Hello, a body"))
        .exec(&txn)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    let before = trace::list(&t.db, &admin, everything()).await.unwrap().rows;

    assert!(trace::purge_contents(&t.db).await.unwrap() > 0);
    assert_eq!(trace::purge_contents(&t.db).await.unwrap(), 0, "once");
    let after = trace::list(&t.db, &admin, everything()).await.unwrap().rows;
    assert_eq!(before, after, "the rows stay as they were");
    let email = after
        .iter()
        .find(|r| r.channel == MessageChannel::Email)
        .unwrap();
    let detail = trace::detail(&t.db, &admin, &email.key).await.unwrap();
    assert!(detail.payload.contains("retention"), "{}", detail.payload);

    // Alpina keeps its year: its e-mails still have their bodies.
    let alpina = actor(&t, ALPINA_AGENT).await;
    let theirs = trace::list(&t.db, &alpina, everything())
        .await
        .unwrap()
        .rows;
    let theirs = theirs
        .iter()
        .find(|r| r.channel == MessageChannel::Email)
        .unwrap();
    let kept = trace::detail(&t.db, &alpina, &theirs.key).await.unwrap();
    assert_eq!(kept.payload, "Hello, a body");
}
