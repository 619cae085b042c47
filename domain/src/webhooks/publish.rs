//! Queuing an event for every active subscription that wants it: the tenant's own, and, for an
//! event about an account, that account's. Runs inside the transaction of the change, so an
//! event is queued exactly when its change is kept.

use chrono::Utc;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};
use simdesk_types::{DeliveryStatus, WebhookEvent};

use super::signature::new_message_id;
use crate::entity::{webhook_delivery, webhook_subscription};
use crate::DomainResult;

/// Whether a subscription's space-separated events name `event`.
pub(super) fn wants(events: &str, event: WebhookEvent) -> bool {
    events.split_whitespace().any(|code| code == event.as_str())
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
    let mut owners = Condition::any().add(webhook_subscription::Column::AccountId.is_null());
    if let Some(account_id) = account_id {
        owners = owners.add(webhook_subscription::Column::AccountId.eq(account_id));
    }
    let subscriptions: Vec<webhook_subscription::Model> = webhook_subscription::Entity::find()
        .filter(webhook_subscription::Column::TenantId.eq(tenant_id))
        .filter(webhook_subscription::Column::Active.eq(true))
        .filter(owners)
        .all(txn)
        .await?
        .into_iter()
        .filter(|s| wants(&s.events, event))
        .collect();
    if subscriptions.is_empty() {
        return Ok(0);
    }
    let payload = envelope(event, data);
    let now = Utc::now();
    let rows: Vec<webhook_delivery::ActiveModel> = subscriptions
        .iter()
        .map(|s| queued(s, event, payload.clone(), now))
        .collect();
    let queued = rows.len();
    webhook_delivery::Entity::insert_many(rows)
        .exec(txn)
        .await?;
    Ok(queued)
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
