//! Alarms: a sweep finds what went wrong with each tenant's messages (a delivery given up, a
//! queue whose oldest message waits too long, a burst of refused cXML documents), raises one
//! alarm per condition and e-mails the tenant's admins; the provider's staff acknowledge and
//! resolve them. The sweep is idempotent: a condition seen again counts as an occurrence of
//! its open alarm, and a given-up message raises its alarm once.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::json;
use simdesk_types::{
    AlarmKind, AlarmList, AlarmStatus, AlarmView, DeliveryStatus, InboundStatus, Permission, Role,
    WebhookEvent, Wording,
};

use crate::audit::{denials, AuditEvent};
use crate::db::{begin, begin_write, DataScope};
use crate::entity::{
    alarm, app_user, cxml_document, cxml_outbox, inbound_email, membership, notification, tenant,
    webhook_delivery,
};
use crate::mail::{self, AlarmMail, MailContext, NewMail};
use crate::timestamps::rfc3339;
use crate::{policy, Actor, DatabaseConnection, DomainError, DomainResult};
use std::collections::HashMap;

/// The notification event of an alarm's e-mail; such e-mails raise no alarm themselves.
pub const EVENT: &str = "alarm.raised";

/// When a condition is an alarm, besides what each tenant sets for itself (how long a queue may
/// wait, how many refused cXML documents are a burst: `tenant::Model::alarm_*`).
#[derive(Debug, Clone)]
pub struct AlarmRules {
    /// The window in which a tenant's burst of refused inbound cXML documents is counted.
    pub refusal_window: Duration,
    /// How far back given-up messages are looked for.
    pub lookback: Duration,
}

impl Default for AlarmRules {
    fn default() -> Self {
        Self {
            refusal_window: Duration::minutes(10),
            lookback: Duration::days(7),
        }
    }
}

/// Looks at every tenant's messages once; returns how many alarms were raised.
pub async fn sweep(db: &DatabaseConnection, rules: &AlarmRules) -> DomainResult<usize> {
    let now = Utc::now();
    // Across tenants, like the queues' own workers.
    let txn = begin_write(db, DataScope::System).await?;
    let mut raised = 0;

    let failed_emails = notification::Entity::find()
        .filter(notification::Column::Status.eq(DeliveryStatus::Failed.as_str()))
        .filter(notification::Column::Event.ne(EVENT))
        .filter(notification::Column::CreatedAt.gt(now - rules.lookback))
        .all(&txn)
        .await?;
    for n in failed_emails {
        let summary = format!(
            "The e-mail \"{}\" to {} was given up: {}",
            n.subject, n.recipient_email, n.last_error
        );
        let subject = format!("email-{}", n.id);
        raised += raise(
            &txn,
            n.tenant_id,
            AlarmKind::DeliveryFailed,
            &subject,
            &summary,
            Once::Ever,
        )
        .await? as usize;
    }
    let failed_documents = cxml_outbox::Entity::find()
        .filter(cxml_outbox::Column::Status.eq(DeliveryStatus::Failed.as_str()))
        .filter(cxml_outbox::Column::CreatedAt.gt(now - rules.lookback))
        .all(&txn)
        .await?;
    for o in failed_documents {
        let summary = format!(
            "The {} to {} was given up: {}",
            o.document_type, o.url, o.last_error
        );
        let subject = format!("cxml-out-{}", o.id);
        raised += raise(
            &txn,
            o.tenant_id,
            AlarmKind::DeliveryFailed,
            &subject,
            &summary,
            Once::Ever,
        )
        .await? as usize;
    }
    let failed_webhooks = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Failed.as_str()))
        .filter(webhook_delivery::Column::CreatedAt.gt(now - rules.lookback))
        .all(&txn)
        .await?;
    for w in failed_webhooks {
        let summary = format!(
            "The webhook {} ({}) was given up: {}",
            w.message_id, w.event_type, w.last_error
        );
        let subject = format!("webhook-{}", w.id);
        raised += raise(
            &txn,
            w.tenant_id,
            AlarmKind::DeliveryFailed,
            &subject,
            &summary,
            Once::Ever,
        )
        .await? as usize;
    }

    let thresholds = Thresholds::load(&txn).await?;
    let stale_emails = thresholds
        .stale(
            &txn,
            notification::Entity::find()
                .filter(notification::Column::Status.eq(DeliveryStatus::Pending.as_str())),
            notification::Column::TenantId,
            notification::Column::CreatedAt,
            now,
        )
        .await?;
    for (tenant_id, minutes) in stale_emails {
        let summary = format!("E-mails have been waiting more than {minutes} minutes to be sent. Is the SMTP server reachable?");
        raised += raise(
            &txn,
            tenant_id,
            AlarmKind::QueueStale,
            "email-queue",
            &summary,
            Once::WhileOpen,
        )
        .await? as usize;
    }
    let stale_documents = thresholds
        .stale(
            &txn,
            cxml_outbox::Entity::find()
                .filter(cxml_outbox::Column::Status.eq(DeliveryStatus::Pending.as_str())),
            cxml_outbox::Column::TenantId,
            cxml_outbox::Column::CreatedAt,
            now,
        )
        .await?;
    for (tenant_id, minutes) in stale_documents {
        let summary = format!("cXML documents have been waiting more than {minutes} minutes to reach procurement systems.");
        raised += raise(
            &txn,
            tenant_id,
            AlarmKind::QueueStale,
            "cxml-queue",
            &summary,
            Once::WhileOpen,
        )
        .await? as usize;
    }

    let unreadable: Vec<(i64, i64, String, String)> = inbound_email::Entity::find()
        .select_only()
        .columns([
            inbound_email::Column::Id,
            inbound_email::Column::TenantId,
            inbound_email::Column::Sender,
            inbound_email::Column::Problem,
        ])
        .filter(inbound_email::Column::Status.eq(InboundStatus::Unreadable.as_str()))
        .filter(inbound_email::Column::ReceivedAt.gt(now - rules.lookback))
        .into_tuple()
        .all(&txn)
        .await?;
    for (id, tenant_id, sender, problem) in unreadable {
        let from = if sender.is_empty() {
            "an unknown sender".to_owned()
        } else {
            sender
        };
        let summary = format!(
            "An e-mail to the order mailbox from {from} is kept but cannot be read: {problem}"
        );
        raised += raise(
            &txn,
            tenant_id,
            AlarmKind::InboundUnreadable,
            &format!("email-in-{id}"),
            &summary,
            Once::Ever,
        )
        .await? as usize;
    }
    let waiting = thresholds
        .stale(
            &txn,
            inbound_email::Entity::find()
                .filter(inbound_email::Column::Status.eq(InboundStatus::NeedsReview.as_str())),
            inbound_email::Column::TenantId,
            inbound_email::Column::ReceivedAt,
            now,
        )
        .await?;
    for (tenant_id, minutes) in waiting {
        let summary = format!("Order e-mails from unknown senders have been waiting more than {minutes} minutes for an agent to choose the account.");
        raised += raise(
            &txn,
            tenant_id,
            AlarmKind::QueueStale,
            "email-orders",
            &summary,
            Once::WhileOpen,
        )
        .await? as usize;
    }

    for (tenant_id, mailbox, error) in crate::mailbox::failing(&txn).await? {
        let summary = format!(
            "The order mailbox {mailbox} could not be read the last {} times: {error}. Orders sent there wait on the mail server until it can.",
            crate::mailbox::FAILURES_FOR_ALARM
        );
        raised += raise(
            &txn,
            tenant_id,
            AlarmKind::MailboxUnreachable,
            "order-mailbox",
            &summary,
            Once::WhileOpen,
        )
        .await? as usize;
    }

    let refusals: Vec<(i64, i64)> = cxml_document::Entity::find()
        .select_only()
        .column(cxml_document::Column::TenantId)
        .column_as(Expr::col(cxml_document::Column::Id).count(), "refused")
        .filter(cxml_document::Column::Direction.eq("in"))
        .filter(cxml_document::Column::StatusCode.gte(400))
        .filter(cxml_document::Column::CreatedAt.gt(now - rules.refusal_window))
        .group_by(cxml_document::Column::TenantId)
        .into_tuple()
        .all(&txn)
        .await?;
    for (tenant_id, count) in refusals {
        if count < i64::from(thresholds.refusal_burst(tenant_id)) {
            continue;
        }
        let summary = format!(
            "{count} cXML documents were refused in the last {} minutes: a procurement system may be misconfigured, or someone is guessing credentials.",
            rules.refusal_window.num_minutes()
        );
        raised += raise(
            &txn,
            tenant_id,
            AlarmKind::CxmlRefusals,
            "cxml-refusals",
            &summary,
            Once::WhileOpen,
        )
        .await? as usize;
    }
    txn.commit().await?;
    Ok(raised)
}

/// What each tenant set: minutes a queue may wait, refusals that are a burst.
struct Thresholds(HashMap<i64, (i32, i32)>);

impl Thresholds {
    async fn load(txn: &DatabaseTransaction) -> DomainResult<Self> {
        let rows: Vec<(i64, i32, i32)> = tenant::Entity::find()
            .select_only()
            .columns([
                tenant::Column::Id,
                tenant::Column::AlarmStaleMinutes,
                tenant::Column::AlarmRefusalBurst,
            ])
            .into_tuple()
            .all(txn)
            .await?;
        Ok(Self(
            rows.into_iter()
                .map(|(id, minutes, burst)| (id, (minutes.max(1), burst.max(1))))
                .collect(),
        ))
    }

    fn minutes(&self, tenant_id: i64) -> i32 {
        self.0.get(&tenant_id).map_or(15, |t| t.0)
    }

    fn refusal_burst(&self, tenant_id: i64) -> i32 {
        self.0.get(&tenant_id).map_or(5, |t| t.1)
    }

    /// The tenants with a row of `waiting` older than their own limit, with that limit in
    /// minutes: one query for the shortest limit of all, then one per tenant found.
    async fn stale<E: EntityTrait>(
        &self,
        txn: &DatabaseTransaction,
        waiting: sea_orm::Select<E>,
        tenant_column: E::Column,
        at: E::Column,
        now: DateTime<Utc>,
    ) -> DomainResult<Vec<(i64, i32)>> {
        let shortest = self.0.values().map(|t| t.0).min().unwrap_or(15);
        let candidates: Vec<i64> = waiting
            .clone()
            .select_only()
            .column(tenant_column)
            .distinct()
            .filter(at.lt(now - Duration::minutes(shortest.into())))
            .into_tuple()
            .all(txn)
            .await?;
        let mut stale = Vec::new();
        for tenant_id in candidates {
            let minutes = self.minutes(tenant_id);
            let old = waiting
                .clone()
                .select_only()
                .column(tenant_column)
                .filter(tenant_column.eq(tenant_id))
                .filter(at.lt(now - Duration::minutes(minutes.into())))
                .into_tuple::<i64>()
                .one(txn)
                .await?;
            if old.is_some() {
                stale.push((tenant_id, minutes));
            }
        }
        Ok(stale)
    }
}

/// Whether a condition raises its alarm again after it was resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Once {
    /// Never: one message given up is one alarm.
    Ever,
    /// Yes: a queue can go stale again.
    WhileOpen,
}

/// Raises the alarm for (`kind`, `subject`) unless one stands; true when a new one was raised.
async fn raise(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    kind: AlarmKind,
    subject: &str,
    summary: &str,
    once: Once,
) -> DomainResult<bool> {
    let now = Utc::now();
    let mut existing = alarm::Entity::find()
        .filter(alarm::Column::TenantId.eq(tenant_id))
        .filter(alarm::Column::Kind.eq(kind.as_str()))
        .filter(alarm::Column::Subject.eq(subject));
    if once == Once::WhileOpen {
        existing = existing.filter(alarm::Column::Status.ne(AlarmStatus::Resolved.as_str()));
    }
    if let Some(standing) = existing.one(txn).await? {
        if standing.status != AlarmStatus::Resolved.as_str() && once == Once::WhileOpen {
            alarm::Entity::update_many()
                .col_expr(
                    alarm::Column::Occurrences,
                    Expr::col(alarm::Column::Occurrences).add(1),
                )
                .col_expr(alarm::Column::LastSeenAt, Expr::value(now))
                .col_expr(
                    alarm::Column::Summary,
                    Expr::value(summary.chars().take(1000).collect::<String>()),
                )
                .filter(alarm::Column::Id.eq(standing.id))
                .exec(txn)
                .await?;
        }
        return Ok(false);
    }
    let raised = alarm::ActiveModel {
        tenant_id: Set(tenant_id),
        kind: Set(kind.as_str().to_owned()),
        subject: Set(subject.to_owned()),
        summary: Set(summary.chars().take(1000).collect()),
        status: Set(AlarmStatus::Open.as_str().to_owned()),
        occurrences: Set(1),
        raised_at: Set(now),
        last_seen_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    tracing::error!(
        tenant = tenant_id,
        kind = kind.as_str(),
        subject,
        summary,
        "alarm raised"
    );
    crate::webhooks::publish(
        txn,
        tenant_id,
        None,
        WebhookEvent::AlarmRaised,
        json!({ "alarm_id": raised.id, "kind": kind.as_str(), "summary": raised.summary }),
    )
    .await?;
    AuditEvent::new(EVENT, "alarm")
        .target(raised.id)
        .tenant(Some(tenant_id), None)
        .details(json!({ "kind": kind.as_str(), "subject": subject }))
        .record(txn, None)
        .await?;
    let admins: Vec<i64> = membership::Entity::find()
        .filter(membership::Column::TenantId.eq(tenant_id))
        .filter(membership::Column::AccountId.is_null())
        .filter(membership::Column::Role.eq(Role::TenantAdmin.as_str()))
        .all(txn)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    let recipients = app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(admins))
        .filter(app_user::Column::Active.eq(true))
        .all(txn)
        .await?;
    for admin in recipients {
        let language = crate::actor::language_of(&admin);
        let about = kind.label_in(language);
        let mail_subject = format!("Alarm: {about}");
        mail::enqueue(
            txn,
            NewMail {
                tenant_id,
                account_id: None,
                purchase_order_id: None,
                event: EVENT,
                recipient_user_id: Some(admin.id),
                recipient_email: &admin.email,
                subject: &mail_subject,
                context: MailContext::Alarm(AlarmMail {
                    recipient_name: admin.display_name.clone(),
                    about: about.to_owned(),
                    summary: summary.to_owned(),
                    language,
                }),
            },
        )
        .await?;
    }
    Ok(true)
}

/// The tenant's standing alarms, then the 50 latest resolved.
pub async fn list(db: &DatabaseConnection, actor: &Actor) -> DomainResult<AlarmList> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::MonitorMessages)?;
        let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
        let standing = alarm::Entity::find()
            .filter(alarm::Column::TenantId.eq(tenant_id))
            .filter(alarm::Column::Status.ne(AlarmStatus::Resolved.as_str()))
            .order_by_desc(alarm::Column::LastSeenAt)
            .all(&txn)
            .await?;
        let resolved = alarm::Entity::find()
            .filter(alarm::Column::TenantId.eq(tenant_id))
            .filter(alarm::Column::Status.eq(AlarmStatus::Resolved.as_str()))
            .order_by_desc(alarm::Column::ResolvedAt)
            .limit(50)
            .all(&txn)
            .await?;
        let open = standing
            .iter()
            .filter(|a| a.status == AlarmStatus::Open.as_str())
            .count() as u64;
        let all: Vec<alarm::Model> = standing.into_iter().chain(resolved).collect();
        let people: Vec<i64> = all
            .iter()
            .flat_map(|a| [a.acknowledged_by, a.resolved_by])
            .flatten()
            .collect();
        let names = app_user::Entity::find()
            .filter(app_user::Column::Id.is_in(people))
            .all(&txn)
            .await?;
        txn.commit().await?;
        let name = |id: Option<i64>| {
            id.and_then(|id| names.iter().find(|u| u.id == id))
                .map(|u| u.display_name.clone())
                .unwrap_or_default()
        };
        let by =
            |who: Option<i64>, at: Option<DateTime<Utc>>| at.map(|at| (name(who), rfc3339(at)));
        let alarms = all
            .into_iter()
            .map(|a| AlarmView {
                id: a.id,
                kind: AlarmKind::parse(&a.kind).unwrap_or(AlarmKind::DeliveryFailed),
                status: AlarmStatus::parse(&a.status).unwrap_or(AlarmStatus::Open),
                summary: a.summary.clone(),
                message_key: (a.subject.starts_with("email-")
                    && a.subject != "email-queue"
                    && a.subject != "email-orders"
                    || a.subject.starts_with("cxml-out-")
                    || a.subject.starts_with("webhook-"))
                .then(|| a.subject.clone()),
                occurrences: a.occurrences,
                raised_at: rfc3339(a.raised_at),
                last_seen_at: rfc3339(a.last_seen_at),
                acknowledged: by(a.acknowledged_by, a.acknowledged_at),
                resolved: by(a.resolved_by, a.resolved_at),
            })
            .collect();
        Ok(AlarmList { alarms, open })
    })
    .await
}

/// Acknowledges an open alarm (somebody is on it).
pub async fn acknowledge(db: &DatabaseConnection, actor: &Actor, id: i64) -> DomainResult<()> {
    settle(db, actor, id, AlarmStatus::Acknowledged).await
}

/// Resolves an open or acknowledged alarm.
pub async fn resolve(db: &DatabaseConnection, actor: &Actor, id: i64) -> DomainResult<()> {
    settle(db, actor, id, AlarmStatus::Resolved).await
}

async fn settle(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    to: AlarmStatus,
) -> DomainResult<()> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::MonitorMessages)?;
        let now = Utc::now();
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let (from, at, by): (&[AlarmStatus], _, _) = match to {
            AlarmStatus::Acknowledged => (
                &[AlarmStatus::Open],
                alarm::Column::AcknowledgedAt,
                alarm::Column::AcknowledgedBy,
            ),
            _ => (
                &[AlarmStatus::Open, AlarmStatus::Acknowledged],
                alarm::Column::ResolvedAt,
                alarm::Column::ResolvedBy,
            ),
        };
        let changed = alarm::Entity::update_many()
            .col_expr(alarm::Column::Status, Expr::value(to.as_str()))
            .col_expr(at, Expr::value(now))
            .col_expr(by, Expr::value(actor.user_id))
            .filter(alarm::Column::Id.eq(id))
            .filter(alarm::Column::TenantId.eq(tenant_id))
            .filter(alarm::Column::Status.is_in(from.iter().map(|s| s.as_str())))
            .exec(&txn)
            .await?;
        if changed.rows_affected != 1 {
            let exists = alarm::Entity::find_by_id(id)
                .filter(alarm::Column::TenantId.eq(tenant_id))
                .one(&txn)
                .await?
                .is_some();
            return Err(if exists {
                DomainError::conflict(Wording::new(
                    "This alarm changed meanwhile: reload the page to see where it stands.",
                    "Dieser Alarm hat sich inzwischen geändert: Laden Sie die Seite neu, um seinen Stand zu sehen.",
                ))
            } else {
                DomainError::out_of_scope("alarm", id)
            });
        }
        let action = match to {
            AlarmStatus::Acknowledged => "alarm.acknowledged",
            _ => "alarm.resolved",
        };
        AuditEvent::new(action, "alarm")
            .target(id)
            .tenant(Some(tenant_id), None)
            .record(&txn, Some(actor.user_id))
            .await?;
        txn.commit().await?;
        Ok(())
    })
    .await
}

/// What `/metrics` reports, across tenants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gauges {
    /// (tenant slug, kind, open or acknowledged alarms).
    pub standing_alarms: Vec<(String, String, i64)>,
    /// (queue, status, messages).
    pub messages: Vec<(&'static str, String, i64)>,
    /// (queue, seconds the oldest pending message waits).
    pub oldest_pending_seconds: Vec<(&'static str, i64)>,
}

/// The counts behind `/metrics`.
pub async fn gauges(db: &DatabaseConnection) -> DomainResult<Gauges> {
    let txn = begin(db, DataScope::System).await?;
    let now = Utc::now();
    let standing: Vec<(i64, String, i64)> = alarm::Entity::find()
        .select_only()
        .column(alarm::Column::TenantId)
        .column(alarm::Column::Kind)
        .column_as(Expr::col(alarm::Column::Id).count(), "n")
        .filter(alarm::Column::Status.ne(AlarmStatus::Resolved.as_str()))
        .group_by(alarm::Column::TenantId)
        .group_by(alarm::Column::Kind)
        .into_tuple()
        .all(&txn)
        .await?;
    let tenants = tenant::Entity::find().all(&txn).await?;
    let slug = |id: i64| {
        tenants
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.slug.clone())
            .unwrap_or_default()
    };
    let mut gauges = Gauges {
        standing_alarms: standing
            .into_iter()
            .map(|(tenant, kind, n)| (slug(tenant), kind, n))
            .collect(),
        ..Gauges::default()
    };
    let emails: Vec<(String, i64)> = notification::Entity::find()
        .select_only()
        .column(notification::Column::Status)
        .column_as(Expr::col(notification::Column::Id).count(), "n")
        .group_by(notification::Column::Status)
        .into_tuple()
        .all(&txn)
        .await?;
    let documents: Vec<(String, i64)> = cxml_outbox::Entity::find()
        .select_only()
        .column(cxml_outbox::Column::Status)
        .column_as(Expr::col(cxml_outbox::Column::Id).count(), "n")
        .group_by(cxml_outbox::Column::Status)
        .into_tuple()
        .all(&txn)
        .await?;
    gauges
        .messages
        .extend(emails.into_iter().map(|(s, n)| ("email", s, n)));
    gauges
        .messages
        .extend(documents.into_iter().map(|(s, n)| ("cxml", s, n)));
    let oldest_email = notification::Entity::find()
        .filter(notification::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .order_by_asc(notification::Column::CreatedAt)
        .one(&txn)
        .await?
        .map(|n| n.created_at);
    let oldest_document = cxml_outbox::Entity::find()
        .filter(cxml_outbox::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .order_by_asc(cxml_outbox::Column::CreatedAt)
        .one(&txn)
        .await?
        .map(|o| o.created_at);
    txn.commit().await?;
    let age = |at: Option<DateTime<Utc>>| at.map_or(0, |at| (now - at).num_seconds().max(0));
    gauges.oldest_pending_seconds =
        vec![("email", age(oldest_email)), ("cxml", age(oldest_document))];
    Ok(gauges)
}
