//! Delivery of queued webhooks, without the transport: which are due, claiming one for a
//! single attempt (so another worker skips it) with its secret opened, and recording how the
//! attempt ended, with the queues' one retry policy.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use simdesk_types::DeliveryStatus;

use super::WebhookSettings;
use crate::db::{begin_write, DataScope};
pub use crate::delivery::Outcome;
use crate::entity::{webhook_delivery, webhook_subscription};
use crate::secret::SecretKey;
use crate::DomainResult;

/// A delivery due for an attempt, not claimed yet.
#[derive(Debug, Clone)]
pub struct Due {
    item: webhook_delivery::Model,
}

/// A delivery claimed for one attempt: where to post what, signed with which secret. Its
/// `Debug` output leaves the secret out.
#[derive(Clone)]
pub struct Claimed {
    item: webhook_delivery::Model,
    target: Result<(String, String), String>,
}

impl std::fmt::Debug for Claimed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Claimed")
            .field("id", &self.item.id)
            .field("event", &self.item.event_type)
            .finish_non_exhaustive()
    }
}

impl Claimed {
    pub fn id(&self) -> i64 {
        self.item.id
    }

    /// The `webhook-id`.
    pub fn message_id(&self) -> &str {
        &self.item.message_id
    }

    pub fn payload(&self) -> &str {
        &self.item.payload
    }

    /// The address and the signing secret; or why the delivery cannot be made (the webhook
    /// was removed, its secret does not open), recorded as refused without posting.
    pub fn target(&self) -> Result<(&str, &str), &str> {
        match &self.target {
            Ok((url, secret)) => Ok((url, secret)),
            Err(reason) => Err(reason),
        }
    }
}

/// The deliveries due now, oldest first.
pub async fn due(db: &DatabaseConnection, settings: &WebhookSettings) -> DomainResult<Vec<Due>> {
    let found_at = Utc::now();
    let query = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .filter(webhook_delivery::Column::NextAttemptAt.lte(found_at))
        .order_by_asc(webhook_delivery::Column::NextAttemptAt)
        .limit(settings.batch);
    let due = crate::delivery::due_batch(
        db,
        query,
        webhook_delivery::Column::Id,
        webhook_delivery::Column::NextAttemptAt,
        found_at + crate::delivery::lease(settings.timeout),
        |d| d.id,
        |d, at| d.next_attempt_at = at,
    )
    .await?;
    Ok(due.into_iter().map(|item| Due { item }).collect())
}

/// Claims a due delivery for one attempt; `None` when another worker claimed it first.
pub async fn claim(
    db: &DatabaseConnection,
    key: &SecretKey,
    settings: &WebhookSettings,
    due: &Due,
) -> DomainResult<Option<Claimed>> {
    let item = &due.item;
    let lease = crate::delivery::claim_until(item.next_attempt_at, settings.timeout);
    let txn = begin_write(db, DataScope::Tenant(item.tenant_id)).await?;
    let claimed = webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(lease))
        .filter(webhook_delivery::Column::Id.eq(item.id))
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .filter(webhook_delivery::Column::NextAttemptAt.eq(item.next_attempt_at))
        .exec(&txn)
        .await?;
    let subscription = webhook_subscription::Entity::find_by_id(item.subscription_id)
        .one(&txn)
        .await?;
    txn.commit().await?;
    if claimed.rows_affected != 1 {
        return Ok(None);
    }
    let target = match subscription {
        Some(s) if s.active => key
            .open_for_tenant(s.tenant_id, &s.secret_sealed)
            .map(|secret| (s.url, secret))
            .map_err(|e| format!("the signing secret cannot be opened: {e}")),
        _ => Err("the webhook was removed".to_owned()),
    };
    Ok(Some(Claimed {
        item: item.clone(),
        target,
    }))
}

/// Records how the attempt at `claimed` ended: delivered, retried after the backoff, or given
/// up (logged as an error, and raised as an alarm by the sweep).
pub async fn record_outcome(
    db: &DatabaseConnection,
    settings: &WebhookSettings,
    claimed: &Claimed,
    outcome: Outcome,
    http_status: Option<i32>,
) -> DomainResult<()> {
    let item = &claimed.item;
    let now = Utc::now();
    let settled = settings.retry().settle(item.attempts, outcome, now);
    if settled.status == DeliveryStatus::Failed {
        tracing::error!(
            delivery = item.id,
            event = %item.event_type,
            error = %settled.error,
            "a webhook could not be delivered"
        );
    }
    let txn = begin_write(db, DataScope::Tenant(item.tenant_id)).await?;
    webhook_delivery::Entity::update_many()
        .col_expr(
            webhook_delivery::Column::Status,
            Expr::value(settled.status.as_str()),
        )
        .col_expr(
            webhook_delivery::Column::Attempts,
            Expr::value(settled.attempts),
        )
        .col_expr(
            webhook_delivery::Column::NextAttemptAt,
            Expr::value(settled.next_attempt_at),
        )
        .col_expr(
            webhook_delivery::Column::LastError,
            Expr::value(settled.error.clone()),
        )
        .col_expr(
            webhook_delivery::Column::LastHttpStatus,
            Expr::value(http_status),
        )
        .col_expr(
            webhook_delivery::Column::SentAt,
            Expr::value((settled.status == DeliveryStatus::Sent).then_some(now)),
        )
        .filter(webhook_delivery::Column::Id.eq(item.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}
