//! Alarms: the sweep raises one per condition and e-mails the tenant admins, counts a
//! condition seen again, never re-raises a resolved alarm about one message (but does about a
//! queue); staff acknowledge and resolve; no other tenant or account user reaches them.

use crate::support::full_demo_db;
use chrono::{Duration, Utc};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use simdesk_domain::alarms::{self, AlarmRules};
use simdesk_domain::db::{begin, begin_write, DataScope};
use simdesk_domain::entity::{cxml_document, notification};
use simdesk_domain::testing::{actor, TestDatabase};
use simdesk_domain::DomainError;
use simdesk_types::{AlarmKind, AlarmStatus};

const NORDWIND_AGENT: &str = "agent@nordwind.example";
const NORDWIND_ADMIN: &str = "admin@nordwind.example";
const ALPINA_AGENT: &str = "agent@alpina.example";

async fn set_pending_emails(t: &TestDatabase, column: notification::Column, value: SimpleExpr) {
    let txn = begin_write(&t.db, DataScope::System).await.unwrap();
    notification::Entity::update_many()
        .col_expr(column, value)
        .filter(notification::Column::Status.eq("pending"))
        .exec(&txn)
        .await
        .unwrap();
    txn.commit().await.unwrap();
}

/// `count` refused inbound OrderRequests of `tenant_id`, received now.
async fn refused_documents(t: &TestDatabase, tenant_id: i64, count: usize) {
    let txn = begin_write(&t.db, DataScope::System).await.unwrap();
    for n in 0..count {
        cxml_document::ActiveModel {
            tenant_id: Set(tenant_id),
            account_id: Set(None),
            direction: Set("in".into()),
            document_type: Set("OrderRequest".into()),
            sender_domain: Set("NetworkID".into()),
            sender_identity: Set("AN-guess".into()),
            payload_id: Set(format!("guess-{tenant_id}-{n}")),
            idempotency_key: Set(None),
            body_sha256: Set(String::new()),
            body: Set("<cXML/>".into()),
            status_code: Set(401),
            status_text: Set("Unauthorized".into()),
            response: Set(String::new()),
            purchase_order_id: Set(None),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .unwrap();
    }
    txn.commit().await.unwrap();
}

async fn alarm_mails(t: &TestDatabase) -> Vec<String> {
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    notification::Entity::find()
        .filter(notification::Column::Event.eq(alarms::EVENT))
        .all(&txn)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.recipient_email)
        .collect()
}

#[tokio::test]
async fn a_given_up_email_raises_one_alarm_and_tells_the_admins() {
    let t = full_demo_db().await;
    let rules = AlarmRules::default();
    assert_eq!(alarms::sweep(&t.db, &rules).await.unwrap(), 0);
    // The demo's submissions were e-mailed to both providers' agents; they are given up.
    set_pending_emails(&t, notification::Column::Status, Expr::value("failed")).await;
    assert_eq!(alarms::sweep(&t.db, &rules).await.unwrap(), 2);
    assert_eq!(
        alarms::sweep(&t.db, &rules).await.unwrap(),
        0,
        "seen before"
    );
    let mails = alarm_mails(&t).await;
    assert!(mails.contains(&NORDWIND_ADMIN.to_owned()), "{mails:?}");
    assert!(
        mails.contains(&"admin@alpina.example".to_owned()),
        "{mails:?}"
    );

    let agent = actor(&t, NORDWIND_AGENT).await;
    let list = alarms::list(&t.db, &agent).await.unwrap();
    assert_eq!(list.open, 1);
    let alarm = &list.alarms[0];
    assert_eq!(alarm.kind, AlarmKind::DeliveryFailed);
    assert!(alarm.summary.contains(NORDWIND_AGENT), "{}", alarm.summary);
    assert!(alarm
        .message_key
        .as_deref()
        .is_some_and(|k| k.starts_with("email-")));

    alarms::acknowledge(&t.db, &agent, alarm.id).await.unwrap();
    assert!(matches!(
        alarms::acknowledge(&t.db, &agent, alarm.id).await,
        Err(DomainError::Conflict(_))
    ));
    let admin = actor(&t, NORDWIND_ADMIN).await;
    alarms::resolve(&t.db, &admin, alarm.id).await.unwrap();
    let list = alarms::list(&t.db, &agent).await.unwrap();
    assert_eq!(list.open, 0);
    let resolved = &list.alarms[0];
    assert_eq!(resolved.status, AlarmStatus::Resolved);
    assert_eq!(resolved.acknowledged.as_ref().unwrap().0, "Aaron Agent");
    assert_eq!(resolved.resolved.as_ref().unwrap().0, "Tessa Admin");
    // A resolved alarm about one message is not raised again.
    assert_eq!(alarms::sweep(&t.db, &rules).await.unwrap(), 0);
}

#[tokio::test]
async fn a_stale_queue_is_one_alarm_counted_until_resolved_and_may_come_back() {
    let t = full_demo_db().await;
    let rules = AlarmRules::default();
    set_pending_emails(
        &t,
        notification::Column::CreatedAt,
        Expr::value(Utc::now() - Duration::minutes(20)),
    )
    .await;
    assert_eq!(
        alarms::sweep(&t.db, &rules).await.unwrap(),
        2,
        "one per tenant"
    );
    assert_eq!(alarms::sweep(&t.db, &rules).await.unwrap(), 0);
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let list = alarms::list(&t.db, &admin).await.unwrap();
    let stale = list
        .alarms
        .iter()
        .find(|a| a.kind == AlarmKind::QueueStale)
        .unwrap();
    assert_eq!(stale.occurrences, 2);
    assert!(stale.message_key.is_none());
    let gauges = alarms::gauges(&t.db).await.unwrap();
    assert!(gauges
        .standing_alarms
        .contains(&("nordwind".into(), "queue_stale".into(), 1)));
    assert!(gauges
        .oldest_pending_seconds
        .iter()
        .any(|(q, s)| *q == "email" && *s >= 1200));

    alarms::resolve(&t.db, &admin, stale.id).await.unwrap();
    assert_eq!(
        alarms::sweep(&t.db, &rules).await.unwrap(),
        1,
        "still stale: again"
    );
}

#[tokio::test]
async fn a_burst_of_refused_cxml_raises_an_alarm_for_that_tenant_only() {
    let t = full_demo_db().await;
    let nordwind = actor(&t, NORDWIND_AGENT).await.tenant_id.unwrap();
    let alpina = actor(&t, ALPINA_AGENT).await.tenant_id.unwrap();
    refused_documents(&t, nordwind, 5).await;
    refused_documents(&t, alpina, 4).await;
    assert_eq!(
        alarms::sweep(&t.db, &AlarmRules::default()).await.unwrap(),
        1
    );
    let list = alarms::list(&t.db, &actor(&t, NORDWIND_AGENT).await)
        .await
        .unwrap();
    assert_eq!(list.alarms[0].kind, AlarmKind::CxmlRefusals);
    assert!(list.alarms[0].summary.starts_with("5 cXML documents"));
    assert!(alarms::list(&t.db, &actor(&t, ALPINA_AGENT).await)
        .await
        .unwrap()
        .alarms
        .is_empty());
}

#[tokio::test]
async fn nobody_settles_another_tenants_alarms_or_reads_them_as_an_account_user() {
    let t = full_demo_db().await;
    set_pending_emails(&t, notification::Column::Status, Expr::value("failed")).await;
    alarms::sweep(&t.db, &AlarmRules::default()).await.unwrap();
    let nordwind = alarms::list(&t.db, &actor(&t, NORDWIND_AGENT).await)
        .await
        .unwrap();
    let id = nordwind.alarms[0].id;
    let alpina = actor(&t, ALPINA_AGENT).await;
    assert!(alarms::acknowledge(&t.db, &alpina, id).await.is_err());
    assert!(alarms::resolve(&t.db, &alpina, id).await.is_err());
    for user in [
        "purchaser@hafenlogistik.example",
        "admin@hafenlogistik.example",
    ] {
        let someone = actor(&t, user).await;
        assert!(matches!(
            alarms::list(&t.db, &someone).await,
            Err(DomainError::Forbidden)
        ));
        assert!(alarms::resolve(&t.db, &someone, id).await.is_err());
    }
    let still = alarms::list(&t.db, &actor(&t, NORDWIND_AGENT).await)
        .await
        .unwrap();
    assert_eq!(still.alarms[0].status, AlarmStatus::Open);
}

async fn set_rules(t: &TestDatabase, admin: &str, stale: &str, burst: &str, retention: &str) {
    let admin = actor(t, admin).await;
    let mut settings = simdesk_domain::tenants::settings(&t.db, &admin)
        .await
        .unwrap();
    settings.alarm_stale_minutes = stale.into();
    settings.alarm_refusal_burst = burst.into();
    settings.message_retention_days = retention.into();
    simdesk_domain::tenants::update_settings(&t.db, &admin, settings)
        .await
        .unwrap();
}

#[tokio::test]
async fn each_tenant_sets_how_long_a_queue_may_wait() {
    let t = full_demo_db().await;
    // Nordwind allows 30 minutes, Alpina keeps the default of 15.
    set_rules(&t, NORDWIND_ADMIN, "30", "5", "365").await;
    set_pending_emails(
        &t,
        notification::Column::CreatedAt,
        Expr::value(Utc::now() - Duration::minutes(20)),
    )
    .await;
    assert_eq!(
        alarms::sweep(&t.db, &AlarmRules::default()).await.unwrap(),
        1
    );
    assert!(alarms::list(&t.db, &actor(&t, NORDWIND_AGENT).await)
        .await
        .unwrap()
        .alarms
        .is_empty());
    let alpina = alarms::list(&t.db, &actor(&t, ALPINA_AGENT).await)
        .await
        .unwrap();
    assert_eq!(alpina.alarms[0].kind, AlarmKind::QueueStale);
    assert!(alpina.alarms[0].summary.contains("15 minutes"));
    // Past Nordwind's own limit, Nordwind's alarm says its own minutes.
    set_pending_emails(
        &t,
        notification::Column::CreatedAt,
        Expr::value(Utc::now() - Duration::minutes(40)),
    )
    .await;
    alarms::sweep(&t.db, &AlarmRules::default()).await.unwrap();
    let nordwind = alarms::list(&t.db, &actor(&t, NORDWIND_AGENT).await)
        .await
        .unwrap();
    assert!(nordwind.alarms[0].summary.contains("30 minutes"));
}

#[tokio::test]
async fn the_rules_are_checked_and_only_the_tenant_admin_sets_them() {
    let t = full_demo_db().await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let mut settings = simdesk_domain::tenants::settings(&t.db, &admin)
        .await
        .unwrap();
    assert_eq!(
        (
            settings.alarm_stale_minutes.as_str(),
            settings.alarm_refusal_burst.as_str(),
            settings.message_retention_days.as_str()
        ),
        ("15", "5", "365")
    );
    settings.alarm_stale_minutes = "0".into();
    settings.alarm_refusal_burst = "many".into();
    settings.message_retention_days = "3".into();
    let Err(DomainError::Invalid(errors)) =
        simdesk_domain::tenants::update_settings(&t.db, &admin, settings.clone()).await
    else {
        panic!("refused");
    };
    let mut fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "alarm_refusal_burst",
            "alarm_stale_minutes",
            "message_retention_days"
        ]
    );
    assert!(errors[0].message.starts_with("Enter a whole number from"));
    let agent = actor(&t, NORDWIND_AGENT).await;
    assert!(matches!(
        simdesk_domain::tenants::update_settings(&t.db, &agent, settings).await,
        Err(DomainError::Forbidden)
    ));
}

#[tokio::test]
async fn a_burst_is_what_the_tenant_says_it_is() {
    let t = full_demo_db().await;
    set_rules(&t, "admin@alpina.example", "15", "2", "365").await;
    let alpina = actor(&t, ALPINA_AGENT).await.tenant_id.unwrap();
    refused_documents(&t, alpina, 2).await;
    assert_eq!(
        alarms::sweep(&t.db, &AlarmRules::default()).await.unwrap(),
        1
    );
    let list = alarms::list(&t.db, &actor(&t, ALPINA_AGENT).await)
        .await
        .unwrap();
    assert_eq!(list.alarms[0].kind, AlarmKind::CxmlRefusals);
}
