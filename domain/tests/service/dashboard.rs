//! The dashboards' charts: each counts the viewer's own tenant or account, and nothing else.

use crate::orders::po_input;
use crate::support::*;
use chrono::{Datelike, Timelike};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel,
    QueryFilter, Set,
};
use simdesk_domain::db::{begin, DataScope};
use simdesk_domain::entity::{purchase_order, purchase_order_event};
use simdesk_domain::orders::provisioning::{self, Source};
use simdesk_domain::orders::{self};
use simdesk_domain::testing::TestDatabase;
use simdesk_domain::{dashboard, Actor};
use simdesk_types::{Chart, Dashboard, PoAction, PoStatus, ShipmentInput};

fn chart<'a>(board: &'a Dashboard, key: &str) -> &'a Chart {
    board
        .charts
        .iter()
        .find(|chart| chart.key == key)
        .unwrap_or_else(|| panic!("no chart {key} in {:?}", board.charts))
}

/// One series' values added up over every bar.
fn series_total(chart: &Chart, series: usize) -> f64 {
    chart.bars.iter().map(|bar| bar.values[series]).sum()
}

async fn board(t: &TestDatabase, email: &str) -> Dashboard {
    dashboard::for_actor(&t.db, &actor(t, email).await)
        .await
        .unwrap()
}

async fn step(t: &TestDatabase, who: &Actor, id: i64, action: PoAction) {
    step_because(t, who, id, action, "").await;
}

async fn step_because(t: &TestDatabase, who: &Actor, id: i64, action: PoAction, reason: &str) {
    let version = orders::detail(&t.db, who, id).await.unwrap().version;
    orders::act(&t.db, who, id, version, action, reason)
        .await
        .unwrap();
}

/// The people of a PO above the purchaser's limit, and that PO (300 SIMs), submitted and so
/// awaiting approval.
struct AboveLimit {
    purchaser: Actor,
    approver: Actor,
    agent: Actor,
    id: i64,
}

async fn above_limit(t: &TestDatabase) -> AboveLimit {
    let purchaser = actor(t, HAFEN_PURCHASER).await;
    let id = orders::create_draft(&t.db, &purchaser, po_input(t, &purchaser, 300).await)
        .await
        .unwrap();
    step(t, &purchaser, id, PoAction::Submit).await;
    assert_eq!(
        orders::detail(&t.db, &purchaser, id).await.unwrap().status,
        PoStatus::AwaitingApproval
    );
    AboveLimit {
        purchaser,
        approver: actor(t, HAFEN_APPROVER).await,
        agent: actor(t, NORDWIND_AGENT).await,
        id,
    }
}

/// Moves the purchaser's submission of the PO `hours` into the past.
async fn backdate_submission(t: &TestDatabase, id: i64, hours: i64) {
    let at = chrono::Utc::now() - chrono::Duration::hours(hours);
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    let mut po = purchase_order::Entity::find_by_id(id)
        .one(&txn)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    po.submitted_at = Set(Some(at));
    po.update(&txn).await.unwrap();
    txn.commit().await.unwrap();
}

/// Moves the PO's arrival in `status` (its timeline entry) `hours` into the past.
async fn backdate_arrival(t: &TestDatabase, id: i64, status: PoStatus, hours: i64) {
    let at = chrono::Utc::now() - chrono::Duration::hours(hours);
    // The timeline is append-only; travelling in time lifts that on this test's own database,
    // as its owner (the application's role may not update it at all).
    let lift = match t.db.get_database_backend() {
        DbBackend::Postgres => {
            "ALTER TABLE purchase_order_event DISABLE TRIGGER purchase_order_event_append_only"
        }
        _ => "DROP TRIGGER IF EXISTS purchase_order_event_no_update",
    };
    t.db.execute_unprepared(lift).await.unwrap();
    purchase_order_event::Entity::update_many()
        .col_expr(purchase_order_event::Column::At, Expr::value(at))
        .filter(purchase_order_event::Column::PurchaseOrderId.eq(id))
        .filter(purchase_order_event::Column::ToStatus.eq(status.as_str()))
        .exec(&t.db)
        .await
        .unwrap();
}

/// A Hafenlogistik order of 100 SIMs, submitted five hours ago, then accepted, provisioned and
/// shipped today. Returns its total in EUR.
async fn shipped_order(t: &TestDatabase) -> f64 {
    let purchaser = actor(t, HAFEN_PURCHASER).await;
    let agent = actor(t, NORDWIND_AGENT).await;
    let id = orders::create_draft(&t.db, &purchaser, po_input(t, &purchaser, 100).await)
        .await
        .unwrap();
    step(t, &purchaser, id, PoAction::Submit).await;
    backdate_submission(t, id, 5).await;
    backdate_arrival(t, id, PoStatus::Submitted, 5).await;
    step(t, &agent, id, PoAction::Accept).await;
    let version = orders::detail(&t.db, &agent, id).await.unwrap().version;
    provisioning::provision(&t.db, &agent, id, version, Source::Stock)
        .await
        .unwrap();
    let version = orders::detail(&t.db, &agent, id).await.unwrap().version;
    let shipment = ShipmentInput {
        carrier: "DHL".into(),
        tracking_number: "JD014600006281230704".into(),
        shipped_on: chrono::Utc::now().date_naive().to_string(),
    };
    orders::ship(&t.db, &agent, id, version, shipment)
        .await
        .unwrap();
    let total = orders::detail(&t.db, &purchaser, id).await.unwrap().total;
    total.minor as f64 / 100.0
}

#[tokio::test]
async fn a_providers_charts_count_its_own_orders_and_stock() {
    let t = full_demo_db().await;
    let before = board(&t, NORDWIND_AGENT).await;
    let alpina_before = board(&t, ALPINA_AGENT).await;
    // The demo's one submitted order.
    let weekly = chart(&before, "orders-per-week");
    assert_eq!(weekly.series[0].name, "Submitted");
    assert_eq!(series_total(weekly, 0), 1.0);
    assert_eq!(weekly.bars.len(), 8);
    assert!(chart(&before, "top-accounts").bars.is_empty());

    shipped_order(&t).await;

    let after = board(&t, NORDWIND_AGENT).await;
    let weekly = chart(&after, "orders-per-week");
    assert_eq!(series_total(weekly, 0), 1.0, "the demo's order");
    assert_eq!(weekly.series[2].name, "Shipped or closed");
    assert_eq!(series_total(weekly, 2), 1.0);
    // The legend opens the list of exactly that group.
    assert_eq!(
        weekly.series[2].href.as_deref(),
        Some("/orders?status=shipped,closed")
    );
    let group = orders::list(
        &t.db,
        &actor(&t, NORDWIND_AGENT).await,
        orders::PoQuery {
            statuses: vec![PoStatus::Shipped, PoStatus::Closed],
            limit: 50,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(group.rows.len(), 1, "{:?}", group.rows);
    assert!(group
        .rows
        .iter()
        .all(|po| matches!(po.status, PoStatus::Shipped | PoStatus::Closed)));
    // Submitted five hours ago: in last week's bar during the first five hours of a Monday.
    let now = chrono::Utc::now();
    let its_week = if now.weekday() == chrono::Weekday::Mon && now.hour() < 5 {
        6
    } else {
        7
    };
    let added =
        weekly.bars[its_week].total() - chart(&before, "orders-per-week").bars[its_week].total();
    assert_eq!(added, 1.0, "the new order in the week it was submitted");
    if its_week == 7 {
        assert_eq!(weekly.bars[7].total(), 2.0, "both in this week");
    }

    let waited = chart(&after, "time-to-acceptance").bars[7].values[0];
    assert!((waited - 5.0).abs() < 0.05, "{waited} hours");

    let top = chart(&after, "top-accounts");
    let ranked: Vec<_> = top
        .bars
        .iter()
        .map(|bar| (bar.label.as_str(), bar.values[0]))
        .collect();
    assert_eq!(ranked, [("Hafenlogistik GmbH", 100.0)]);
    assert!(top.bars[0]
        .href
        .as_deref()
        .unwrap()
        .starts_with("/orders?account="));

    let free = |board: &Dashboard| -> f64 {
        chart(board, "stock")
            .bars
            .iter()
            .find(|bar| bar.label == "Industrial IoT SIM, nano")
            .expect("the nano SIM's stock")
            .values[0]
    };
    assert_eq!(free(&before) - free(&after), 100.0);

    // Another provider sees nothing of it.
    assert_eq!(board(&t, ALPINA_AGENT).await.charts, alpina_before.charts);
}

#[tokio::test]
async fn time_to_acceptance_counts_from_the_approval_not_from_the_first_submission() {
    let t = full_demo_db().await;
    // Submitted eight hours ago, approved two hours ago, accepted now.
    let AboveLimit {
        approver,
        agent,
        id,
        ..
    } = above_limit(&t).await;
    backdate_submission(&t, id, 8).await;
    backdate_arrival(&t, id, PoStatus::AwaitingApproval, 8).await;
    step(&t, &approver, id, PoAction::Approve).await;
    backdate_arrival(&t, id, PoStatus::Submitted, 2).await;
    step(&t, &agent, id, PoAction::Accept).await;

    let waited = chart(&board(&t, NORDWIND_AGENT).await, "time-to-acceptance").bars[7].values[0];
    assert!((waited - 2.0).abs() < 0.05, "{waited} hours, not 8");
}

#[tokio::test]
async fn an_order_approved_then_reopened_and_cut_below_the_limit_counts_as_within_it() {
    let t = full_demo_db().await;
    let AboveLimit {
        purchaser,
        approver,
        agent,
        id,
    } = above_limit(&t).await;
    step(&t, &approver, id, PoAction::Approve).await;
    step_because(&t, &agent, id, PoAction::Reject, "Too many at once").await;
    step(&t, &purchaser, id, PoAction::Reopen).await;
    let version = orders::detail(&t.db, &purchaser, id).await.unwrap().version;
    orders::update_draft(
        &t.db,
        &purchaser,
        id,
        version,
        po_input(&t, &purchaser, 100).await,
    )
    .await
    .unwrap();
    step(&t, &purchaser, id, PoAction::Submit).await;
    step(&t, &agent, id, PoAction::Accept).await;

    let total = orders::detail(&t.db, &purchaser, id).await.unwrap().total;
    let spend = chart(&board(&t, HAFEN_PURCHASER).await, "spend-per-month").bars[5]
        .values
        .clone();
    assert_eq!(
        spend,
        [total.minor as f64 / 100.0, 0.0],
        "within the limit: the earlier approval was of another version"
    );
}

#[tokio::test]
async fn an_accounts_charts_count_its_own_orders() {
    let t = full_demo_db().await;
    let neighbour_before = board(&t, BERGBAHN_ADMIN).await;
    let total = shipped_order(&t).await;

    let own = board(&t, HAFEN_PURCHASER).await;
    let by_status: Vec<_> = chart(&own, "orders-by-status")
        .bars
        .iter()
        .map(|bar| (bar.label.as_str(), bar.values[0], bar.href.clone().unwrap()))
        .collect();
    assert_eq!(
        by_status,
        [
            ("Submitted", 1.0, "/orders?status=submitted".to_owned()),
            ("Shipped", 1.0, "/orders?status=shipped".to_owned()),
        ]
    );
    let spend = chart(&own, "spend-per-month");
    assert_eq!(spend.unit, "EUR");
    assert_eq!(spend.bars.len(), 6);
    // 100 SIMs are within the purchaser's limit: no approver was needed.
    assert_eq!(spend.bars[5].values, [total, 0.0]);
    assert_eq!(chart(&own, "sims-received").bars[5].values, [100.0]);

    // The tenant's other account sees none of it, and no provider chart.
    let neighbour = board(&t, BERGBAHN_ADMIN).await;
    assert_eq!(neighbour.charts, neighbour_before.charts);
    assert_eq!(series_total(chart(&neighbour, "sims-received"), 0), 0.0);
    assert!(neighbour.charts.iter().all(|c| c.key != "stock"));
}

#[tokio::test]
async fn the_platform_operator_has_no_charts_of_any_tenant() {
    let t = full_demo_db().await;
    shipped_order(&t).await;
    assert!(board(&t, OPERATOR).await.charts.is_empty());
}

#[tokio::test]
async fn a_user_who_reads_german_gets_the_dashboard_in_german() {
    let t = full_demo_db().await;
    shipped_order(&t).await;
    for email in [NORDWIND_ADMIN, HAFEN_PURCHASER] {
        let who = actor(&t, email).await;
        simdesk_domain::regional::save(&t.db, &who, "Europe/Berlin", "de")
            .await
            .unwrap();
    }
    // The language is the stored one, read with the actor as every request reads it.
    let provider = board(&t, NORDWIND_ADMIN).await;
    assert!(provider.greeting.starts_with("Willkommen, "));
    let labels: Vec<&str> = provider.cards.iter().map(|c| c.label.as_str()).collect();
    assert!(labels.contains(&"Zu prüfende Bestellungen"), "{labels:?}");
    let weekly = chart(&provider, "orders-per-week");
    assert_eq!(weekly.title, "Bestellungen pro Woche");
    assert_eq!(weekly.series[0].name, "Eingereicht");
    // Weeks named like "30. Nov.": day, then the German month.
    assert!(
        weekly.bars.iter().all(|bar| bar.label.contains(". ")),
        "{:?}",
        weekly.bars
    );

    let account = board(&t, HAFEN_PURCHASER).await;
    let spend = chart(&account, "spend-per-month");
    assert_eq!(spend.title, "Ausgaben pro Monat");
    let statuses = chart(&account, "orders-by-status");
    assert!(statuses.bars.iter().any(|bar| bar.label == "Versandt"));

    // Nobody else's dashboard changed language.
    let colleague = board(&t, HAFEN_APPROVER).await;
    assert!(colleague.greeting.starts_with("Welcome, "));
    assert_eq!(
        chart(&colleague, "spend-per-month").title,
        "Spend per month"
    );
    let other_tenant = board(&t, ALPINA_ADMIN).await;
    assert!(other_tenant.greeting.starts_with("Welcome, "));
}
