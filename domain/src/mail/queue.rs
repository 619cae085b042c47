//! The durable e-mail queue (the `notification` table), without the transport: queueing an
//! e-mail in the caller's transaction, which are due, claiming one for a single attempt (so
//! another worker or instance skips it) with the message written out, and recording how the
//! attempt ended. Retries follow [`crate::delivery::RetryPolicy`].

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, InsertStatement};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
};
use simdesk_types::DeliveryStatus;

use super::compose::{compose, Bodies, Branding, MailContext, Portal};
use crate::db::{begin_write, DataScope};
use crate::delivery::{Outcome, RetryPolicy};
use crate::entity::{inbound_email, notification, notification_attempt, tenant};
use crate::DomainResult;

/// An e-mail to queue.
#[derive(Debug, Clone)]
pub struct NewMail<'a> {
    pub tenant_id: i64,
    pub account_id: Option<i64>,
    pub purchase_order_id: Option<i64>,
    /// What happened, such as `po.accepted`.
    pub event: &'a str,
    pub recipient_user_id: Option<i64>,
    pub recipient_email: &'a str,
    pub subject: &'a str,
    pub context: MailContext,
}

/// Queues `mail` in the caller's transaction: it is sent once that commits, and never if it
/// rolls back.
pub async fn enqueue(txn: &DatabaseTransaction, mail: NewMail<'_>) -> DomainResult<()> {
    enqueue_all(txn, vec![mail]).await
}

/// Queues every one of `mails` with one statement, as [`enqueue`] does one.
pub async fn enqueue_all(txn: &DatabaseTransaction, mails: Vec<NewMail<'_>>) -> DomainResult<()> {
    if let Some(rows) = queue_rows(mails)? {
        txn.execute(txn.get_database_backend().build(&rows)).await?;
    }
    Ok(())
}

/// The statement that queues `mails`, for a caller that writes it together with other rows of
/// the same change; none without mails.
pub(crate) fn queue_rows(mails: Vec<NewMail<'_>>) -> DomainResult<Option<InsertStatement>> {
    if mails.is_empty() {
        return Ok(None);
    }
    let now = Utc::now();
    let request_id = crate::request_id::current().unwrap_or_default();
    let rows = mails
        .into_iter()
        .map(|mail| {
            let context = serde_json::to_string(&mail.context).map_err(|e| {
                crate::DomainError::Internal(format!("cannot store a mail context: {e}"))
            })?;
            Ok(notification::ActiveModel {
                tenant_id: Set(mail.tenant_id),
                account_id: Set(mail.account_id),
                purchase_order_id: Set(mail.purchase_order_id),
                event: Set(mail.event.to_owned()),
                recipient_user_id: Set(mail.recipient_user_id),
                recipient_email: Set(mail.recipient_email.to_owned()),
                subject: Set(mail.subject.chars().take(300).collect()),
                status: Set(DeliveryStatus::Pending.as_str().to_owned()),
                created_at: Set(now),
                request_id: Set(request_id.clone()),
                context: Set(Some(context)),
                attempts: Set(0),
                next_attempt_at: Set(Some(now)),
                ..Default::default()
            })
        })
        .collect::<DomainResult<Vec<_>>>()?;
    Ok(Some(notification::Entity::insert_many(rows).into_query()))
}

/// How the queue is worked.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// Per attempt: connecting, the SMTP dialogue and the message together.
    pub timeout: std::time::Duration,
    pub max_attempts: i32,
    pub first_retry: Duration,
    pub max_retry: Duration,
    /// E-mails taken per pass.
    pub batch: u64,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            timeout: std::time::Duration::from_secs(30),
            max_attempts: 8,
            first_retry: Duration::minutes(1),
            max_retry: Duration::hours(2),
            batch: 50,
        }
    }
}

impl MailSettings {
    pub fn retry(&self) -> RetryPolicy {
        RetryPolicy {
            max_attempts: self.max_attempts,
            first_retry: self.first_retry,
            max_retry: self.max_retry,
        }
    }
}

/// An e-mail due for an attempt, not claimed yet: see [`claim`].
#[derive(Debug, Clone)]
pub struct Due {
    item: notification::Model,
    found_at: DateTime<Utc>,
}

impl Due {
    pub fn id(&self) -> i64 {
        self.item.id
    }
}

/// The e-mails due now, oldest first.
pub async fn due(db: &DatabaseConnection, settings: &MailSettings) -> DomainResult<Vec<Due>> {
    let found_at = Utc::now();
    let query = notification::Entity::find()
        .filter(notification::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .filter(notification::Column::NextAttemptAt.lte(found_at))
        .order_by_asc(notification::Column::NextAttemptAt)
        .order_by_asc(notification::Column::Id)
        .limit(settings.batch);
    let due = crate::delivery::due_batch(
        db,
        query,
        notification::Column::Id,
        notification::Column::NextAttemptAt,
        found_at + crate::delivery::lease(settings.timeout),
        |n| n.id,
        |n, at| n.next_attempt_at = Some(at),
    )
    .await?;
    Ok(due.into_iter().map(|item| Due { item, found_at }).collect())
}

/// An e-mail claimed for one attempt, written out. The worker sends it (or, when
/// [`Self::bodies`] says it cannot be written, sends nothing) and hands the [`Attempt`] to
/// [`record_outcome`].
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    item: notification::Model,
    /// The tenant's name, shown as the sender.
    pub from_name: String,
    /// The tenant's support address, where replies go.
    pub reply_to: Option<String>,
    /// The same on every attempt, so a receiver can tell a repeat.
    pub message_id: String,
    /// The order e-mail this one answers (its Message-ID, in angle brackets), so the sender's
    /// mail program shows the answer in the same thread.
    pub in_reply_to: Option<String>,
    bodies: Result<Bodies, String>,
    carries_secret: bool,
}

impl OutgoingMail {
    pub fn id(&self) -> i64 {
        self.item.id
    }
    pub fn to(&self) -> &str {
        &self.item.recipient_email
    }
    pub fn subject(&self) -> &str {
        &self.item.subject
    }
    /// Both bodies, or why the e-mail cannot be written.
    pub fn bodies(&self) -> Result<&Bodies, &str> {
        self.bodies.as_ref().map_err(String::as_str)
    }
}

/// Claims a due e-mail for one attempt: its next attempt moves past the attempt's lease, so
/// another worker's pass skips it. `None` when another worker claimed it first. The message
/// is written with the tenant's branding as it is now; its bodies and Message-ID are kept
/// with the row.
pub async fn claim(
    db: &DatabaseConnection,
    settings: &MailSettings,
    portal: &Portal,
    mail_domain: &str,
    due: &Due,
) -> DomainResult<Option<OutgoingMail>> {
    let item = &due.item;
    let lease = crate::delivery::claim_until(
        item.next_attempt_at.unwrap_or(due.found_at),
        settings.timeout,
    );
    let txn = begin_write(db, DataScope::Tenant(item.tenant_id)).await?;
    let tenant = tenant::Entity::find_by_id(item.tenant_id).one(&txn).await?;
    let branding = tenant.as_ref().map(Branding::of);
    let context = item
        .context
        .as_deref()
        .map(serde_json::from_str::<MailContext>);
    let carries_secret = matches!(&context, Some(Ok(c)) if c.carries_secret());
    let bodies = match (&branding, context) {
        (None, _) => Err("the tenant is gone".to_owned()),
        (_, None) => Err("the notification holds nothing to write an e-mail from".to_owned()),
        (_, Some(Err(e))) => Err(format!("cannot read the notification: {e}")),
        (Some(branding), Some(Ok(context))) => compose(&item.subject, &context, branding, portal)
            .map_err(|e| format!("cannot write the e-mail: {e}")),
    };
    let message_id = if item.message_id.is_empty() {
        format!(
            "<notification.{}.{}@{}>",
            item.id,
            item.created_at.timestamp(),
            mail_domain
        )
    } else {
        item.message_id.clone()
    };
    let in_reply_to = answered_order_email(&txn, item).await?;
    let mut update = notification::Entity::update_many()
        .col_expr(notification::Column::NextAttemptAt, Expr::value(lease))
        .col_expr(
            notification::Column::MessageId,
            Expr::value(message_id.clone()),
        );
    // A one-time link is not kept once written: the e-mail's copy is the only one.
    if let (Ok(bodies), false) = (&bodies, carries_secret) {
        update = update
            .col_expr(
                notification::Column::BodyText,
                Expr::value(bodies.text.clone()),
            )
            .col_expr(
                notification::Column::BodyHtml,
                Expr::value(bodies.html.clone()),
            );
    }
    let claimed = update
        .filter(notification::Column::Id.eq(item.id))
        .filter(notification::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .filter(notification::Column::NextAttemptAt.eq(item.next_attempt_at))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    if claimed.rows_affected != 1 {
        return Ok(None);
    }
    let branding = branding.unwrap_or_else(|| Branding {
        name: "simdesk".into(),
        color: Branding::DEFAULT_COLOR.into(),
        logo_url: String::new(),
        support_email: String::new(),
    });
    Ok(Some(OutgoingMail {
        item: item.clone(),
        from_name: branding.name,
        reply_to: (!branding.support_email.is_empty()).then_some(branding.support_email),
        message_id,
        in_reply_to,
        bodies,
        carries_secret,
    }))
}

/// The Message-ID of the order e-mail whose sender `item` goes to, for a PO made of one.
/// Messages without a Message-ID are kept under a digest, which no mail program knows.
async fn answered_order_email(
    txn: &DatabaseTransaction,
    item: &notification::Model,
) -> DomainResult<Option<String>> {
    let Some(po_id) = item.purchase_order_id else {
        return Ok(None);
    };
    let found: Option<String> = inbound_email::Entity::find()
        .select_only()
        .column(inbound_email::Column::MessageId)
        .filter(inbound_email::Column::TenantId.eq(item.tenant_id))
        .filter(inbound_email::Column::PurchaseOrderId.eq(po_id))
        .filter(inbound_email::Column::AnswerTo.eq(item.recipient_email.as_str()))
        .into_tuple()
        .one(txn)
        .await?;
    Ok(found
        .filter(|id| !id.starts_with("sha256:"))
        .map(|id| format!("<{}>", id.trim_start_matches('<').trim_end_matches('>'))))
}

/// One attempt as the worker made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub outcome: Outcome,
    /// The SMTP server's reply code, if it answered one.
    pub smtp_code: Option<i32>,
    pub took: std::time::Duration,
}

impl Attempt {
    /// An e-mail that was not sent at all, for `reason` (see [`OutgoingMail::bodies`]).
    pub fn refused(reason: &str) -> Self {
        Attempt {
            outcome: Outcome::Refused(reason.to_owned()),
            smtp_code: None,
            took: std::time::Duration::ZERO,
        }
    }
}

/// Records how the attempt at `mail` ended: the attempt row and the e-mail's new status. One
/// given up or refused is logged as an error: somebody was not told.
pub async fn record_outcome(
    db: &DatabaseConnection,
    settings: &MailSettings,
    mail: &OutgoingMail,
    attempt: Attempt,
) -> DomainResult<()> {
    let item = &mail.item;
    let now = Utc::now();
    let settled = settings.retry().settle(item.attempts, attempt.outcome, now);
    if settled.status == DeliveryStatus::Failed {
        tracing::error!(
            notification = item.id,
            purchase_order = item.purchase_order_id,
            event = %item.event,
            error = %settled.error,
            "an e-mail could not be delivered"
        );
    }
    let txn = begin_write(db, DataScope::Tenant(item.tenant_id)).await?;
    notification_attempt::ActiveModel {
        tenant_id: Set(item.tenant_id),
        notification_id: Set(item.id),
        at: Set(now),
        smtp_code: Set(attempt.smtp_code),
        error: Set(settled.error.clone()),
        duration_ms: Set(i64::try_from(attempt.took.as_millis()).unwrap_or(i64::MAX)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let settled_for_good = settled.status != DeliveryStatus::Pending;
    let mut row = notification::ActiveModel {
        id: sea_orm::Unchanged(item.id),
        status: Set(settled.status.as_str().to_owned()),
        attempts: Set(settled.attempts),
        next_attempt_at: Set(Some(settled.next_attempt_at)),
        last_error: Set(settled.error),
        sent_at: Set((settled.status == DeliveryStatus::Sent).then_some(now)),
        ..Default::default()
    };
    if mail.carries_secret && settled_for_good {
        // The link is no longer needed to write the e-mail: nothing keeps it now.
        row.context = Set(None);
    }
    row.update(&txn).await?;
    txn.commit().await?;
    Ok(())
}
