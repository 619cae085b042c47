//! Queuing an event for every active subscription that wants it: the tenant's own, and, for an
//! event about an account, that account's. Runs inside the transaction of the change, so an
//! event is queued exactly when its change is kept.

use chrono::Utc;
use sea_orm::sea_query::{Alias, BinOper, Expr, InsertStatement, LikeExpr, Query, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, Set};
use serde_json::{json, Value};
use simdesk_types::{DeliveryStatus, WebhookEvent};

use super::signature::new_message_id;
use crate::entity::{webhook_delivery, webhook_subscription};
use crate::DomainResult;

/// The condition on `webhook_subscription` that its space-separated events name `event`.
fn wants(event: WebhookEvent) -> SimpleExpr {
    let code: String = event
        .as_str()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let events = Expr::col((
        webhook_subscription::Entity,
        webhook_subscription::Column::Events,
    ));
    concat(concat(Expr::val(" "), events), Expr::val(" "))
        .like(LikeExpr::new(format!("% {code} %")).escape('\\'))
}

/// `left || right`, string concatenation on both PostgreSQL and SQLite.
fn concat(left: impl Into<SimpleExpr>, right: impl Into<SimpleExpr>) -> SimpleExpr {
    left.into().binary(BinOper::Custom("||"), right)
}

/// The body of a delivery: the Standard Webhooks envelope.
pub(super) fn envelope(event: WebhookEvent, data: Value) -> String {
    json!({
        "type": event.as_str(),
        "timestamp": crate::timestamps::rfc3339(Utc::now()),
        "data": data,
    })
    .to_string()
}

/// Queues `event` about `account_id` (none for a tenant-wide event) for the subscriptions that
/// want it; returns how many deliveries were queued.
pub(crate) async fn publish(
    txn: &impl ConnectionTrait,
    tenant_id: i64,
    account_id: Option<i64>,
    event: WebhookEvent,
    data: Value,
) -> DomainResult<usize> {
    let rows = publish_rows(tenant_id, account_id, event, data);
    let queued = txn.execute(txn.get_database_backend().build(&rows)).await?;
    Ok(usize::try_from(queued.rows_affected()).unwrap_or(usize::MAX))
}

/// The statement that queues `event` for the subscriptions that want it, choosing them as it
/// writes (`INSERT … SELECT`): no read before, and a caller can write it with the other rows
/// of its change. Each delivery's message id is a fresh random id with its subscription's id.
pub(crate) fn publish_rows(
    tenant_id: i64,
    account_id: Option<i64>,
    event: WebhookEvent,
    data: Value,
) -> InsertStatement {
    use webhook_delivery::Column as Delivery;
    use webhook_subscription::Column as Subscription;
    let mut owners = Condition::any().add(Subscription::AccountId.is_null());
    if let Some(account_id) = account_id {
        owners = owners.add(Subscription::AccountId.eq(account_id));
    }
    let now = Utc::now();
    let subscription = |column| Expr::col((webhook_subscription::Entity, column));
    let chosen = Query::select()
        .expr(subscription(Subscription::TenantId))
        .expr(subscription(Subscription::AccountId))
        .expr(subscription(Subscription::Id))
        .expr(concat(
            Expr::val(format!("{}_", new_message_id())),
            subscription(Subscription::Id).cast_as(Alias::new("TEXT")),
        ))
        .expr(Expr::val(event.as_str()))
        .expr(Expr::val(envelope(event, data)))
        .expr(Expr::val(DeliveryStatus::Pending.as_str()))
        .expr(Expr::val(0))
        .expr(Expr::val(now))
        .expr(Expr::val(""))
        .expr(Expr::val(now))
        .expr(Expr::val(crate::request_id::current().unwrap_or_default()))
        .from(webhook_subscription::Entity)
        .and_where(Subscription::TenantId.eq(tenant_id))
        .and_where(Subscription::Active.eq(true))
        .cond_where(owners)
        .and_where(wants(event))
        .to_owned();
    Query::insert()
        .into_table(webhook_delivery::Entity)
        .columns([
            Delivery::TenantId,
            Delivery::AccountId,
            Delivery::SubscriptionId,
            Delivery::MessageId,
            Delivery::EventType,
            Delivery::Payload,
            Delivery::Status,
            Delivery::Attempts,
            Delivery::NextAttemptAt,
            Delivery::LastError,
            Delivery::CreatedAt,
            Delivery::RequestId,
        ])
        .select_from(chosen)
        .expect("as many values as columns, both listed here")
        .to_owned()
}

/// A delivery of `payload` to `subscription`, due now.
pub(super) fn queued(
    subscription: &webhook_subscription::Model,
    event: WebhookEvent,
    payload: String,
    now: chrono::DateTime<Utc>,
) -> webhook_delivery::ActiveModel {
    webhook_delivery::ActiveModel {
        tenant_id: Set(subscription.tenant_id),
        account_id: Set(subscription.account_id),
        subscription_id: Set(subscription.id),
        message_id: Set(new_message_id()),
        event_type: Set(event.as_str().to_owned()),
        payload: Set(payload),
        status: Set(DeliveryStatus::Pending.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(String::new()),
        last_http_status: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        request_id: Set(crate::request_id::current().unwrap_or_default()),
        ..Default::default()
    }
}
