//! Delivery of queued documents, without the transport: which are due, claiming one for a
//! single attempt (so another worker skips it) with its body ready to send, and recording how
//! the attempt the worker made ended: the attempt row, the new status, the backoff.

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use simdesk_types::DeliveryStatus;

use super::documents::with_secret;
use crate::db::{begin_write, DataScope};
pub use crate::delivery::Outcome;
use crate::delivery::RetryPolicy;
use crate::entity::{cxml_outbox, cxml_outbox_attempt, punchout_credential};
use crate::secret::SecretKey;
use crate::DomainResult;

/// How the outbox delivers.
#[derive(Debug, Clone)]
pub struct OutboxSettings {
    /// Per attempt, connecting and answering together.
    pub timeout: std::time::Duration,
    /// After this many attempts a document is given up (and an error logged).
    pub max_attempts: i32,
    /// The wait after the first failure; it doubles with every further one.
    pub first_retry: Duration,
    pub max_retry: Duration,
    /// Documents taken per pass.
    pub batch: u64,
}

impl Default for OutboxSettings {
    fn default() -> Self {
        Self {
            timeout: std::time::Duration::from_secs(30),
            max_attempts: 10,
            first_retry: Duration::seconds(30),
            max_retry: Duration::hours(1),
            batch: 50,
        }
    }
}

impl OutboxSettings {
    /// The wait before the attempt after `attempts` failed ones.
    pub fn backoff(&self, attempts: i32) -> Duration {
        self.retry().backoff(attempts)
    }

    /// When to try again, and when to stop.
    pub fn retry(&self) -> RetryPolicy {
        RetryPolicy {
            max_attempts: self.max_attempts,
            first_retry: self.first_retry,
            max_retry: self.max_retry,
        }
    }
}

/// One attempt as the worker made it: how it ended, what the other side answered, how long it
/// took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub outcome: Outcome,
    /// The HTTP status of the answer, if one came.
    pub http_status: Option<i32>,
    /// The cXML status code in the answer, if it was a cXML Response.
    pub cxml_status: Option<i32>,
    pub took: std::time::Duration,
}

impl Attempt {
    /// A document that was not sent at all, for `reason` (see [`Delivery::body`]).
    pub fn refused(reason: &str) -> Self {
        Self {
            outcome: Outcome::Refused(reason.to_owned()),
            http_status: None,
            cxml_status: None,
            took: std::time::Duration::ZERO,
        }
    }
}

/// A document due for an attempt, not claimed yet: see [`claim`].
#[derive(Debug, Clone)]
pub struct Due {
    item: cxml_outbox::Model,
}

impl Due {
    /// The outbox entry's id.
    pub fn id(&self) -> i64 {
        self.item.id
    }
}

/// A document claimed for one attempt, with what to post where. The worker posts it, or not
/// (see [`Delivery::body`]), and hands the [`Attempt`] to [`record_outcome`]. Its `Debug`
/// output leaves the body out: it holds the shared secret.
#[derive(Clone)]
pub struct Delivery {
    item: cxml_outbox::Model,
    body: Result<String, String>,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery")
            .field("id", &self.item.id)
            .field("url", &self.item.url)
            .field("document_type", &self.item.document_type)
            .field("refused", &self.body.as_ref().err())
            .finish_non_exhaustive()
    }
}

impl Delivery {
    /// The outbox entry's id.
    pub fn id(&self) -> i64 {
        self.item.id
    }

    /// The procurement system's address for documents.
    pub fn url(&self) -> &str {
        &self.item.url
    }

    /// The cXML request's element name, such as `ConfirmationRequest`.
    pub fn document_type(&self) -> &str {
        &self.item.document_type
    }

    /// The document to post, with the shared secret in it; or, when it cannot be sent (the
    /// credential is gone, its secret does not open), why: the worker records that as
    /// [`Attempt::refused`] without posting anything.
    pub fn body(&self) -> Result<&str, &str> {
        self.body.as_deref().map_err(String::as_str)
    }
}

/// The documents due now, oldest first, at most `settings.batch` of them.
pub async fn due(db: &DatabaseConnection, settings: &OutboxSettings) -> DomainResult<Vec<Due>> {
    let found_at = Utc::now();
    let query = cxml_outbox::Entity::find()
        .filter(cxml_outbox::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .filter(cxml_outbox::Column::NextAttemptAt.lte(found_at))
        .order_by_asc(cxml_outbox::Column::NextAttemptAt)
        .limit(settings.batch);
    let due = crate::delivery::due_batch(
        db,
        query,
        cxml_outbox::Column::Id,
        cxml_outbox::Column::NextAttemptAt,
        found_at + crate::delivery::lease(settings.timeout),
        |o| o.id,
        |o, at| o.next_attempt_at = at,
    )
    .await?;
    Ok(due.into_iter().map(|item| Due { item }).collect())
}

/// Claims a due document for one attempt, just before it is made: its next attempt moves past
/// the attempt's lease, so another worker's pass skips it. `None` when another worker claimed
/// it first. The shared secret is opened with `key` and added to the body.
pub async fn claim(
    db: &DatabaseConnection,
    key: &SecretKey,
    settings: &OutboxSettings,
    due: &Due,
) -> DomainResult<Option<Delivery>> {
    let item = &due.item;
    let lease = crate::delivery::claim_until(item.next_attempt_at, settings.timeout);
    let txn = begin_write(db, DataScope::Tenant(item.tenant_id)).await?;
    let claimed = cxml_outbox::Entity::update_many()
        .col_expr(cxml_outbox::Column::NextAttemptAt, Expr::value(lease))
        .filter(cxml_outbox::Column::Id.eq(item.id))
        .filter(cxml_outbox::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .filter(cxml_outbox::Column::NextAttemptAt.eq(item.next_attempt_at))
        .exec(&txn)
        .await?;
    let credential = punchout_credential::Entity::find_by_id(item.credential_id)
        .one(&txn)
        .await?;
    txn.commit().await?;
    if claimed.rows_affected != 1 {
        return Ok(None);
    }
    let body = match credential {
        None => Err("the credential was removed".to_owned()),
        Some(credential) => key
            .open(credential.account_id, &credential.secret_sealed)
            .map_err(|e| e.to_string())
            .and_then(|secret| with_secret(&item.payload, &secret))
            .map_err(|e| format!("cannot prepare: {e}")),
    };
    Ok(Some(Delivery {
        item: item.clone(),
        body,
    }))
}

/// Records how the attempt at `delivery` ended: the attempt itself, and the document's new
/// status. A retry waits [`RetryPolicy::backoff`]; after `max_attempts` the document is
/// given up. A document given up or refused is logged as an error: a procurement system did
/// not hear about an order.
pub async fn record_outcome(
    db: &DatabaseConnection,
    settings: &OutboxSettings,
    delivery: &Delivery,
    attempt: Attempt,
) -> DomainResult<()> {
    let item = &delivery.item;
    let now = Utc::now();
    // A 5xx, a timeout or a refused connection is retried; a 4xx, or a document the other
    // side cannot take, is refused.
    let settled = settings.retry().settle(item.attempts, attempt.outcome, now);
    let (status, error) = (settled.status, settled.error.as_str());
    if status == DeliveryStatus::Failed {
        // The alarm: a procurement system did not hear about an order.
        tracing::error!(
            outbox = item.id,
            purchase_order = item.purchase_order_id,
            document = %item.document_type,
            url = %item.url,
            %error,
            "a cXML document could not be delivered"
        );
    }
    let txn = begin_write(db, DataScope::Tenant(item.tenant_id)).await?;
    cxml_outbox_attempt::ActiveModel {
        tenant_id: Set(item.tenant_id),
        outbox_id: Set(item.id),
        at: Set(now),
        http_status: Set(attempt.http_status),
        cxml_status: Set(attempt.cxml_status),
        error: Set(error.to_owned()),
        duration_ms: Set(i64::try_from(attempt.took.as_millis()).unwrap_or(i64::MAX)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    cxml_outbox::ActiveModel {
        id: sea_orm::Unchanged(item.id),
        status: Set(status.as_str().to_owned()),
        attempts: Set(settled.attempts),
        next_attempt_at: Set(settled.next_attempt_at),
        last_error: Set(error.to_owned()),
        sent_at: Set((status == DeliveryStatus::Sent).then_some(now)),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}
