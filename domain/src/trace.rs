//! The message trace: every message of a tenant in or out, from the places they are kept
//! (the e-mail queue, the order e-mails received, the cXML outbox, the cXML documents
//! received and the carts returned, the webhooks sent), newest first with one keyset across them, and "send again" for what was given
//! up. For the provider's staff only ([`Permission::MonitorMessages`]). After the tenant's
//! retention ([`purge_contents`]) a message's contents are removed and its row stays, so the
//! trace, the alarms and the protocols' idempotency keep working.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use simdesk_types::{
    DeliveryStatus, InboundStatus, MessageChannel, MessageDirection, MessageStatus, Permission,
    PoReference, TraceDetail, TracePage, TraceRow, Wording,
};

use crate::audit::{denials, AuditEvent};
use crate::db::{begin, begin_write, DataScope};
use crate::entity::{
    cxml_document, cxml_outbox, inbound_email, notification, purchase_order, webhook_delivery,
    webhook_subscription,
};
use crate::orders::reference_of;
use crate::paging::{like_pattern, MAX_PAGE_SIZE};
use crate::timestamps::rfc3339;
use crate::{policy, Actor, DatabaseConnection, DomainError, DomainResult};

/// What the trace page asks for.
#[derive(Debug, Clone, Default)]
pub struct TraceQuery {
    pub channel: Option<MessageChannel>,
    pub direction: Option<MessageDirection>,
    /// Only messages not delivered, or refused.
    pub problems_only: bool,
    /// A PO number, a payloadID, a Message-ID, an address or a domain.
    pub search: String,
    pub after: Option<String>,
    pub limit: u64,
}

/// Where a message is kept; the order breaks ties of equal times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    Document = 0,
    Outbox = 1,
    Email = 2,
    InboundEmail = 3,
    Webhook = 4,
}

impl Source {
    fn prefix(self) -> &'static str {
        match self {
            Source::Document => "cxml-in",
            Source::Outbox => "cxml-out",
            Source::Email => "email",
            Source::InboundEmail => "email-in",
            Source::Webhook => "webhook",
        }
    }

    fn of(prefix: &str) -> Option<Source> {
        [
            Source::Document,
            Source::Outbox,
            Source::Email,
            Source::InboundEmail,
            Source::Webhook,
        ]
        .into_iter()
        .find(|s| s.prefix() == prefix)
    }
}

/// A position in the trace: after the message at `at` from `source` with `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cursor {
    at: DateTime<Utc>,
    source: Source,
    id: i64,
}

impl Cursor {
    fn encode(self) -> String {
        format!(
            "{}.{}.{}",
            self.at.timestamp_nanos_opt().unwrap_or(i64::MAX),
            self.source as u8,
            self.id
        )
    }

    fn parse(text: &str) -> DomainResult<Self> {
        let damaged = || {
            DomainError::invalid(
                "after",
                Wording::new(
                    "This page link is damaged; start from the first page.",
                    "Dieser Seitenlink ist beschädigt; beginnen Sie auf der ersten Seite.",
                ),
            )
        };
        let mut parts = text.split('.');
        let nanos: i64 = parts
            .next()
            .and_then(|p| p.parse().ok())
            .ok_or_else(damaged)?;
        let source = match parts.next() {
            Some("0") => Source::Document,
            Some("1") => Source::Outbox,
            Some("2") => Source::Email,
            Some("3") => Source::InboundEmail,
            Some("4") => Source::Webhook,
            _ => return Err(damaged()),
        };
        let id: i64 = parts
            .next()
            .and_then(|p| p.parse().ok())
            .ok_or_else(damaged)?;
        Ok(Cursor {
            at: DateTime::from_timestamp_nanos(nanos),
            source,
            id,
        })
    }

    /// The rows of `source` that come after this cursor, newest first.
    fn condition<C: ColumnTrait>(self, source: Source, at: C, id: C) -> Condition {
        let earlier = at.lt(self.at);
        match source.cmp(&self.source) {
            std::cmp::Ordering::Less => Condition::any().add(earlier).add(at.eq(self.at)),
            std::cmp::Ordering::Equal => Condition::any()
                .add(earlier)
                .add(Condition::all().add(at.eq(self.at)).add(id.lt(self.id))),
            std::cmp::Ordering::Greater => Condition::all().add(earlier),
        }
    }
}

/// One trace row with its sort position.
struct Found {
    cursor: Cursor,
    row: TraceRow,
}

/// One page of the tenant's trace.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    query: TraceQuery,
) -> DomainResult<TracePage> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::MonitorMessages)?;
        let limit = query.limit.clamp(1, MAX_PAGE_SIZE);
        let after = query.after.as_deref().map(Cursor::parse).transpose()?;
        let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
        let search = query.search.trim().to_owned();
        let po_ids = matching_po_numbers(&txn, tenant_id, &search).await?;
        let wants = |channel: MessageChannel, direction: MessageDirection| {
            query.channel.is_none_or(|c| c == channel)
                && query.direction.is_none_or(|d| d == direction)
        };
        let mut found = Vec::new();
        if wants(MessageChannel::Email, MessageDirection::Outbound) {
            found
                .extend(emails(&txn, tenant_id, &query, &search, &po_ids, after, limit + 1).await?);
        }
        if wants(MessageChannel::Email, MessageDirection::Inbound) {
            found.extend(
                inbound_emails(&txn, tenant_id, &query, &search, &po_ids, after, limit + 1).await?,
            );
        }
        if wants(MessageChannel::Cxml, MessageDirection::Outbound) {
            found
                .extend(outbox(&txn, tenant_id, &query, &search, &po_ids, after, limit + 1).await?);
        }
        if query.channel.is_none_or(|c| c == MessageChannel::Cxml) {
            found.extend(
                documents(&txn, tenant_id, &query, &search, &po_ids, after, limit + 1).await?,
            );
        }
        if wants(MessageChannel::Webhook, MessageDirection::Outbound) {
            found.extend(webhooks(&txn, tenant_id, &query, &search, after, limit + 1).await?);
        }
        found.sort_by(|a, b| {
            (b.cursor.at, b.cursor.source, b.cursor.id).cmp(&(
                a.cursor.at,
                a.cursor.source,
                a.cursor.id,
            ))
        });
        let more = found.len() as u64 > limit;
        found.truncate(limit as usize);
        let next = more
            .then(|| found.last().map(|f| f.cursor.encode()))
            .flatten();
        let mut rows: Vec<TraceRow> = found.into_iter().map(|f| f.row).collect();
        name_orders(&txn, &mut rows).await?;
        txn.commit().await?;
        Ok(TracePage { rows, next })
    })
    .await
}

/// The ids of the tenant's POs that `search` names (`PO-1001`, `1001`, `REQ-7`).
async fn matching_po_numbers(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    search: &str,
) -> DomainResult<Vec<i64>> {
    let named = match search.parse::<PoReference>() {
        Ok(PoReference::Number(number)) => purchase_order::Column::PoNumber.eq(number),
        Ok(PoReference::Request(id)) => purchase_order::Column::Id.eq(id),
        Err(_) => return Ok(Vec::new()),
    };
    Ok(purchase_order::Entity::find()
        .select_only()
        .column(purchase_order::Column::Id)
        .filter(purchase_order::Column::TenantId.eq(tenant_id))
        .filter(named)
        .into_tuple::<i64>()
        .all(txn)
        .await?)
}

/// The rows of `select` after `cursor` (all without one), newest first, at most `limit`, read
/// as `M` (the whole row, or the columns `select` picked).
async fn newest<E: EntityTrait, M: sea_orm::FromQueryResult>(
    txn: &DatabaseTransaction,
    mut select: sea_orm::Select<E>,
    cursor: Option<Cursor>,
    source: Source,
    at: E::Column,
    id: E::Column,
    limit: u64,
) -> DomainResult<Vec<M>> {
    if let Some(cursor) = cursor {
        select = select.filter(cursor.condition(source, at, id));
    }
    Ok(select
        .order_by_desc(at)
        .order_by_desc(id)
        .limit(limit)
        .into_model::<M>()
        .all(txn)
        .await?)
}

fn contains<C: ColumnTrait>(column: C, search: &str) -> Condition {
    Condition::all().add(Expr::expr(Func::lower(Expr::col(column))).like(like_pattern(search)))
}

#[allow(clippy::too_many_arguments)]
async fn emails(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    query: &TraceQuery,
    search: &str,
    po_ids: &[i64],
    after: Option<Cursor>,
    limit: u64,
) -> DomainResult<Vec<Found>> {
    use notification::Column as C;
    let mut select = notification::Entity::find().filter(C::TenantId.eq(tenant_id));
    if query.problems_only {
        select = select.filter(C::Status.eq(DeliveryStatus::Failed.as_str()));
    }
    if !search.is_empty() {
        select = select.filter(
            Condition::any()
                .add(contains(C::RecipientEmail, search))
                .add(contains(C::MessageId, search))
                .add(contains(C::Subject, search))
                .add(C::PurchaseOrderId.is_in(po_ids.iter().copied())),
        );
    }
    let rows: Vec<notification::Model> = newest(
        txn,
        select,
        after,
        Source::Email,
        C::CreatedAt,
        C::Id,
        limit,
    )
    .await?;
    Ok(rows.into_iter().map(email_row).collect())
}

fn email_row(n: notification::Model) -> Found {
    let status = queued_status(&n.status);
    Found {
        cursor: Cursor {
            at: n.created_at,
            source: Source::Email,
            id: n.id,
        },
        row: TraceRow {
            key: format!("{}-{}", Source::Email.prefix(), n.id),
            channel: MessageChannel::Email,
            direction: MessageDirection::Outbound,
            at: rfc3339(n.created_at),
            counterpart: n.recipient_email,
            document_type: n.event,
            status,
            attempts: n.attempts,
            last_error: n.last_error,
            purchase_order_id: n.purchase_order_id,
            purchase_order_reference: None,
            reference: n.message_id,
            // Nothing to write a given-up e-mail from once its context is gone (a used link).
            can_resend: status == MessageStatus::Failed && n.context.is_some(),
        },
    }
}

#[allow(clippy::too_many_arguments)]
async fn inbound_emails(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    query: &TraceQuery,
    search: &str,
    po_ids: &[i64],
    after: Option<Cursor>,
    limit: u64,
) -> DomainResult<Vec<Found>> {
    use inbound_email::Column as C;
    let mut select = inbound_email::Entity::find()
        .select_only()
        .columns([
            C::Id,
            C::TenantId,
            C::MessageId,
            C::ReceivedAt,
            C::Sender,
            C::Status,
            C::Problem,
            C::PurchaseOrderId,
        ])
        .filter(C::TenantId.eq(tenant_id));
    if query.problems_only {
        select = select.filter(C::Status.eq(InboundStatus::Unreadable.as_str()));
    }
    if !search.is_empty() {
        select = select.filter(
            Condition::any()
                .add(contains(C::Sender, search))
                .add(contains(C::MessageId, search))
                .add(contains(C::Subject, search))
                .add(C::PurchaseOrderId.is_in(po_ids.iter().copied())),
        );
    }
    let rows: Vec<InboundSummary> = newest(
        txn,
        select,
        after,
        Source::InboundEmail,
        C::ReceivedAt,
        C::Id,
        limit,
    )
    .await?;
    Ok(rows.into_iter().map(inbound_row).collect())
}

/// What the trace shows of a received e-mail, without its bytes.
#[derive(Debug, sea_orm::FromQueryResult)]
struct InboundSummary {
    id: i64,
    message_id: String,
    received_at: DateTime<Utc>,
    sender: String,
    status: String,
    problem: String,
    purchase_order_id: Option<i64>,
}

fn inbound_row(m: InboundSummary) -> Found {
    let unreadable = m.status == InboundStatus::Unreadable.as_str();
    Found {
        cursor: Cursor {
            at: m.received_at,
            source: Source::InboundEmail,
            id: m.id,
        },
        row: TraceRow {
            key: format!("{}-{}", Source::InboundEmail.prefix(), m.id),
            channel: MessageChannel::Email,
            direction: MessageDirection::Inbound,
            at: rfc3339(m.received_at),
            counterpart: m.sender,
            document_type: "order e-mail".to_owned(),
            status: if unreadable {
                MessageStatus::Refused
            } else {
                MessageStatus::Received
            },
            attempts: 1,
            last_error: m.problem,
            purchase_order_id: m.purchase_order_id,
            purchase_order_reference: None,
            reference: m.message_id,
            can_resend: false,
        },
    }
}

#[allow(clippy::too_many_arguments)]
async fn outbox(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    query: &TraceQuery,
    search: &str,
    po_ids: &[i64],
    after: Option<Cursor>,
    limit: u64,
) -> DomainResult<Vec<Found>> {
    use cxml_outbox::Column as C;
    let mut select = cxml_outbox::Entity::find().filter(C::TenantId.eq(tenant_id));
    if query.problems_only {
        select = select.filter(C::Status.eq(DeliveryStatus::Failed.as_str()));
    }
    if !search.is_empty() {
        select = select.filter(
            Condition::any()
                .add(contains(C::Url, search))
                .add(contains(C::Payload, search))
                .add(C::PurchaseOrderId.is_in(po_ids.iter().copied())),
        );
    }
    let rows: Vec<cxml_outbox::Model> = newest(
        txn,
        select,
        after,
        Source::Outbox,
        C::CreatedAt,
        C::Id,
        limit,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|o| Found {
            cursor: Cursor {
                at: o.created_at,
                source: Source::Outbox,
                id: o.id,
            },
            row: outbox_row(o),
        })
        .collect())
}

async fn webhooks(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    query: &TraceQuery,
    search: &str,
    after: Option<Cursor>,
    limit: u64,
) -> DomainResult<Vec<Found>> {
    use webhook_delivery::Column as C;
    let mut select = webhook_delivery::Entity::find().filter(C::TenantId.eq(tenant_id));
    if query.problems_only {
        select = select.filter(C::Status.eq(DeliveryStatus::Failed.as_str()));
    }
    if !search.is_empty() {
        select = select.filter(
            Condition::any()
                .add(contains(C::MessageId, search))
                .add(contains(C::EventType, search))
                .add(contains(C::Payload, search)),
        );
    }
    let rows: Vec<webhook_delivery::Model> = newest(
        txn,
        select,
        after,
        Source::Webhook,
        C::CreatedAt,
        C::Id,
        limit,
    )
    .await?;
    let urls = webhook_urls(txn, tenant_id, &rows).await?;
    Ok(rows
        .into_iter()
        .map(|w| Found {
            cursor: Cursor {
                at: w.created_at,
                source: Source::Webhook,
                id: w.id,
            },
            row: webhook_row(&urls, w),
        })
        .collect())
}

/// The addresses of the subscriptions the deliveries went to.
async fn webhook_urls(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    deliveries: &[webhook_delivery::Model],
) -> DomainResult<std::collections::HashMap<i64, String>> {
    Ok(webhook_subscription::Entity::find()
        .filter(webhook_subscription::Column::TenantId.eq(tenant_id))
        .filter(
            webhook_subscription::Column::Id.is_in(deliveries.iter().map(|d| d.subscription_id)),
        )
        .all(txn)
        .await?
        .into_iter()
        .map(|s| (s.id, s.url))
        .collect())
}

fn webhook_row(
    urls: &std::collections::HashMap<i64, String>,
    w: webhook_delivery::Model,
) -> TraceRow {
    let order = serde_json::from_str::<serde_json::Value>(&w.payload)
        .ok()
        .and_then(|v| {
            v.pointer("/data/order_id")
                .and_then(serde_json::Value::as_i64)
        });
    TraceRow {
        key: format!("{}-{}", Source::Webhook.prefix(), w.id),
        channel: MessageChannel::Webhook,
        direction: MessageDirection::Outbound,
        at: rfc3339(w.created_at),
        counterpart: urls.get(&w.subscription_id).cloned().unwrap_or_default(),
        document_type: w.event_type.clone(),
        status: queued_status(&w.status),
        attempts: w.attempts,
        last_error: w.last_error.clone(),
        purchase_order_id: order,
        purchase_order_reference: None,
        reference: w.message_id.clone(),
        can_resend: w.status == DeliveryStatus::Failed.as_str() && !w.payload.is_empty(),
    }
}

/// Where a message of a queue (e-mail, cXML outbox) stands, from its stored delivery status.
fn queued_status(stored: &str) -> MessageStatus {
    match DeliveryStatus::parse(stored) {
        Some(DeliveryStatus::Sent) => MessageStatus::Sent,
        Some(DeliveryStatus::Failed) => MessageStatus::Failed,
        _ => MessageStatus::Pending,
    }
}

/// The payloadID attribute of a cXML document, read without parsing the whole document.
fn payload_id_of(xml: &str) -> String {
    xml.split_once("payloadID=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(id, _)| id.to_owned())
        .unwrap_or_default()
}

#[allow(clippy::too_many_arguments)]
async fn documents(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    query: &TraceQuery,
    search: &str,
    po_ids: &[i64],
    after: Option<Cursor>,
    limit: u64,
) -> DomainResult<Vec<Found>> {
    use cxml_document::Column as C;
    let mut select = cxml_document::Entity::find().filter(C::TenantId.eq(tenant_id));
    if let Some(direction) = query.direction {
        select = select.filter(C::Direction.eq(direction.as_str()));
    }
    if query.problems_only {
        select = select.filter(C::StatusCode.gte(400));
    }
    if !search.is_empty() {
        select = select.filter(
            Condition::any()
                .add(contains(C::PayloadId, search))
                .add(contains(C::SenderDomain, search))
                .add(contains(C::SenderIdentity, search))
                .add(C::PurchaseOrderId.is_in(po_ids.iter().copied())),
        );
    }
    let rows: Vec<cxml_document::Model> = newest(
        txn,
        select,
        after,
        Source::Document,
        C::CreatedAt,
        C::Id,
        limit,
    )
    .await?;
    Ok(rows.into_iter().map(document_row).collect())
}

fn document_row(d: cxml_document::Model) -> Found {
    let inbound = d.direction == MessageDirection::Inbound.as_str();
    let status = match (inbound, d.status_code) {
        (true, 200..=299) => MessageStatus::Received,
        (true, _) => MessageStatus::Refused,
        (false, _) => MessageStatus::Sent,
    };
    Found {
        cursor: Cursor {
            at: d.created_at,
            source: Source::Document,
            id: d.id,
        },
        row: TraceRow {
            key: format!("{}-{}", Source::Document.prefix(), d.id),
            channel: MessageChannel::Cxml,
            direction: if inbound {
                MessageDirection::Inbound
            } else {
                MessageDirection::Outbound
            },
            at: rfc3339(d.created_at),
            counterpart: format!("{} {}", d.sender_domain, d.sender_identity),
            document_type: d.document_type,
            status,
            attempts: 1,
            last_error: if status == MessageStatus::Refused {
                format!("{} {}", d.status_code, d.status_text)
            } else {
                String::new()
            },
            purchase_order_id: d.purchase_order_id,
            purchase_order_reference: None,
            reference: d.payload_id,
            can_resend: false,
        },
    }
}

/// A received message as text, cut where attachments would make it too long to show.
fn shown_raw(raw: &[u8]) -> String {
    const SHOWN: usize = 200_000;
    let text = String::from_utf8_lossy(&raw[..raw.len().min(SHOWN)]).into_owned();
    if raw.len() > SHOWN {
        format!("{text}\n… (cut here: {} bytes in all)", raw.len())
    } else {
        text
    }
}

/// Fills in the PO references of `rows`.
async fn name_orders(txn: &DatabaseTransaction, rows: &mut [TraceRow]) -> DomainResult<()> {
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.purchase_order_id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let orders = purchase_order::Entity::find()
        .filter(purchase_order::Column::Id.is_in(ids))
        .all(txn)
        .await?;
    for row in rows {
        row.purchase_order_reference = row
            .purchase_order_id
            .and_then(|id| orders.iter().find(|o| o.id == id).map(reference_of));
    }
    Ok(())
}

/// Reads a trace key (`email-12`) into its source and id.
fn parse_key(key: &str) -> DomainResult<(Source, i64)> {
    key.rsplit_once('-')
        .and_then(|(prefix, id)| Some((Source::of(prefix)?, id.parse().ok()?)))
        .ok_or(DomainError::NotFound)
}

/// One message of the tenant with what it carried.
pub async fn detail(
    db: &DatabaseConnection,
    actor: &Actor,
    key: &str,
) -> DomainResult<TraceDetail> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::MonitorMessages)?;
        let (source, id) = parse_key(key)?;
        let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
        let out_of_scope = || DomainError::out_of_scope("message", key);
        let mut detail = match source {
            Source::Email => {
                let n = notification::Entity::find_by_id(id)
                    .filter(notification::Column::TenantId.eq(tenant_id))
                    .one(&txn)
                    .await?
                    .ok_or_else(out_of_scope)?;
                let subject = n.subject.clone();
                let payload = n.body_text.clone().unwrap_or_else(|| {
                    if n.status == DeliveryStatus::Pending.as_str() {
                        "(written when it is sent)".to_owned()
                    } else {
                        "(not kept: it carried a one-time link, or the provider's retention period removed it)".to_owned()
                    }
                });
                TraceDetail {
                    row: email_row(n).row,
                    subject,
                    payload,
                    response: String::new(),
                }
            }
            Source::InboundEmail => {
                let m = inbound_email::Entity::find_by_id(id)
                    .filter(inbound_email::Column::TenantId.eq(tenant_id))
                    .one(&txn)
                    .await?
                    .ok_or_else(out_of_scope)?;
                let subject = m.subject.clone();
                let payload = if m.raw.is_empty() {
                    REMOVED.to_owned()
                } else {
                    shown_raw(&m.raw)
                };
                let response = match InboundStatus::parse(&m.status) {
                    Some(InboundStatus::Draft) => "A draft purchase order was made of it.",
                    Some(InboundStatus::NeedsReview) => {
                        "Waiting for an agent to choose the account."
                    }
                    Some(InboundStatus::Dismissed) => "Dismissed by an agent.",
                    _ => "Kept; it cannot be read.",
                }
                .to_owned();
                TraceDetail {
                    row: inbound_row(InboundSummary {
                        id: m.id,
                        message_id: m.message_id,
                        received_at: m.received_at,
                        sender: m.sender,
                        status: m.status,
                        problem: m.problem,
                        purchase_order_id: m.purchase_order_id,
                    })
                    .row,
                    subject,
                    payload,
                    response,
                }
            }
            Source::Outbox => {
                let o = cxml_outbox::Entity::find_by_id(id)
                    .filter(cxml_outbox::Column::TenantId.eq(tenant_id))
                    .one(&txn)
                    .await?
                    .ok_or_else(out_of_scope)?;
                let payload = if o.payload.is_empty() {
                    REMOVED.to_owned()
                } else {
                    o.payload.clone()
                };
                TraceDetail {
                    row: outbox_row(o),
                    subject: String::new(),
                    payload,
                    response: String::new(),
                }
            }
            Source::Webhook => {
                let w = webhook_delivery::Entity::find_by_id(id)
                    .filter(webhook_delivery::Column::TenantId.eq(tenant_id))
                    .one(&txn)
                    .await?
                    .ok_or_else(out_of_scope)?;
                let urls = webhook_urls(&txn, tenant_id, std::slice::from_ref(&w)).await?;
                let payload = if w.payload.is_empty() {
                    REMOVED.to_owned()
                } else {
                    w.payload.clone()
                };
                let response = w
                    .last_http_status
                    .map(|status| format!("HTTP {status}"))
                    .unwrap_or_default();
                TraceDetail {
                    row: webhook_row(&urls, w),
                    subject: String::new(),
                    payload,
                    response,
                }
            }
            Source::Document => {
                let d = cxml_document::Entity::find_by_id(id)
                    .filter(cxml_document::Column::TenantId.eq(tenant_id))
                    .one(&txn)
                    .await?
                    .ok_or_else(out_of_scope)?;
                let (payload, response) = if d.body.is_empty() {
                    (REMOVED.to_owned(), String::new())
                } else {
                    (d.body.clone(), d.response.clone())
                };
                TraceDetail {
                    row: document_row(d).row,
                    subject: String::new(),
                    payload,
                    response,
                }
            }
        };
        name_orders(&txn, std::slice::from_mut(&mut detail.row)).await?;
        txn.commit().await?;
        Ok(detail)
    })
    .await
}

fn outbox_row(o: cxml_outbox::Model) -> TraceRow {
    let status = queued_status(&o.status);
    TraceRow {
        key: format!("{}-{}", Source::Outbox.prefix(), o.id),
        channel: MessageChannel::Cxml,
        direction: MessageDirection::Outbound,
        at: rfc3339(o.created_at),
        counterpart: o.url.clone(),
        document_type: o.document_type.clone(),
        status,
        attempts: o.attempts,
        last_error: o.last_error.clone(),
        purchase_order_id: o.purchase_order_id,
        purchase_order_reference: None,
        reference: payload_id_of(&o.payload),
        can_resend: status == MessageStatus::Failed && !o.payload.is_empty(),
    }
}

/// What a message whose contents the retention removed says instead.
pub const REMOVED: &str = "(removed after the provider's retention period)";

/// Removes the contents of every tenant's messages older than its retention
/// (`tenant.message_retention_days`): e-mail bodies and their snapshots, cXML payloads and
/// answers, received e-mails, webhook bodies. Rows, addresses, types, statuses and ids stay. Messages still
/// waiting to be sent and order e-mails still waiting for an agent are left alone. Returns how
/// many messages lost their contents.
pub async fn purge_contents(db: &DatabaseConnection) -> DomainResult<u64> {
    let txn = begin_write(db, DataScope::System).await?;
    let tenants: Vec<(i64, i32)> = crate::entity::tenant::Entity::find()
        .select_only()
        .columns([
            crate::entity::tenant::Column::Id,
            crate::entity::tenant::Column::MessageRetentionDays,
        ])
        .into_tuple()
        .all(&txn)
        .await?;
    let mut purged = 0;
    for (tenant_id, days) in tenants {
        let cutoff = Utc::now() - chrono::Duration::days(i64::from(days.max(1)));
        purged += notification::Entity::update_many()
            .col_expr(
                notification::Column::BodyText,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                notification::Column::BodyHtml,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                notification::Column::Context,
                Expr::value(Option::<String>::None),
            )
            .filter(notification::Column::TenantId.eq(tenant_id))
            .filter(notification::Column::CreatedAt.lt(cutoff))
            .filter(notification::Column::Status.ne(DeliveryStatus::Pending.as_str()))
            .filter(
                Condition::any()
                    .add(notification::Column::BodyText.is_not_null())
                    .add(notification::Column::Context.is_not_null()),
            )
            .exec(&txn)
            .await?
            .rows_affected;
        purged += cxml_outbox::Entity::update_many()
            .col_expr(cxml_outbox::Column::Payload, Expr::value(""))
            .filter(cxml_outbox::Column::TenantId.eq(tenant_id))
            .filter(cxml_outbox::Column::CreatedAt.lt(cutoff))
            .filter(cxml_outbox::Column::Status.ne(DeliveryStatus::Pending.as_str()))
            .filter(cxml_outbox::Column::Payload.ne(""))
            .exec(&txn)
            .await?
            .rows_affected;
        purged += cxml_document::Entity::update_many()
            .col_expr(cxml_document::Column::Body, Expr::value(""))
            .col_expr(cxml_document::Column::Response, Expr::value(""))
            .filter(cxml_document::Column::TenantId.eq(tenant_id))
            .filter(cxml_document::Column::CreatedAt.lt(cutoff))
            .filter(cxml_document::Column::Body.ne(""))
            .exec(&txn)
            .await?
            .rows_affected;
        purged += inbound_email::Entity::update_many()
            .col_expr(inbound_email::Column::Raw, Expr::value(Vec::<u8>::new()))
            .col_expr(
                inbound_email::Column::Reading,
                Expr::value(Option::<String>::None),
            )
            .filter(inbound_email::Column::TenantId.eq(tenant_id))
            .filter(inbound_email::Column::ReceivedAt.lt(cutoff))
            .filter(inbound_email::Column::Status.ne(InboundStatus::NeedsReview.as_str()))
            .filter(inbound_email::Column::Reading.is_not_null())
            .exec(&txn)
            .await?
            .rows_affected;
        purged += webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::Payload, Expr::value(""))
            .filter(webhook_delivery::Column::TenantId.eq(tenant_id))
            .filter(webhook_delivery::Column::CreatedAt.lt(cutoff))
            .filter(webhook_delivery::Column::Status.ne(DeliveryStatus::Pending.as_str()))
            .filter(webhook_delivery::Column::Payload.ne(""))
            .exec(&txn)
            .await?
            .rows_affected;
    }
    txn.commit().await?;
    Ok(purged)
}

/// Puts a given-up outgoing message back in its queue, due now.
pub async fn send_again(db: &DatabaseConnection, actor: &Actor, key: &str) -> DomainResult<()> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::MonitorMessages)?;
        let (source, id) = parse_key(key)?;
        let not_waiting = || {
            DomainError::conflict(Wording::new(
                "This message is not waiting to be sent again: reload the page to see where it stands.",
                "Diese Nachricht wartet nicht auf einen erneuten Versand: Laden Sie die Seite neu, um ihren Stand zu sehen.",
            ))
        };
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let requeued = match source {
            Source::Email => {
                notification::Entity::update_many()
                    .col_expr(notification::Column::Status, Expr::value(DeliveryStatus::Pending.as_str()))
                    .col_expr(notification::Column::NextAttemptAt, Expr::value(Utc::now()))
                    .filter(notification::Column::Id.eq(id))
                    .filter(notification::Column::TenantId.eq(tenant_id))
                    .filter(notification::Column::Status.eq(DeliveryStatus::Failed.as_str()))
                    .filter(notification::Column::Context.is_not_null())
                    .exec(&txn)
                    .await?
                    .rows_affected
            }
            Source::Outbox => {
                cxml_outbox::Entity::update_many()
                    .col_expr(cxml_outbox::Column::Status, Expr::value(DeliveryStatus::Pending.as_str()))
                    .col_expr(cxml_outbox::Column::NextAttemptAt, Expr::value(Utc::now()))
                    .filter(cxml_outbox::Column::Id.eq(id))
                    .filter(cxml_outbox::Column::TenantId.eq(tenant_id))
                    .filter(cxml_outbox::Column::Status.eq(DeliveryStatus::Failed.as_str()))
                    .filter(cxml_outbox::Column::Payload.ne(""))
                    .exec(&txn)
                    .await?
                    .rows_affected
            }
            Source::Webhook => {
                webhook_delivery::Entity::update_many()
                    .col_expr(webhook_delivery::Column::Status, Expr::value(DeliveryStatus::Pending.as_str()))
                    .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(Utc::now()))
                    .filter(webhook_delivery::Column::Id.eq(id))
                    .filter(webhook_delivery::Column::TenantId.eq(tenant_id))
                    .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Failed.as_str()))
                    .filter(webhook_delivery::Column::Payload.ne(""))
                    .exec(&txn)
                    .await?
                    .rows_affected
            }
            Source::Document | Source::InboundEmail => 0,
        };
        if requeued != 1 {
            // Another tenant's message is indistinguishable from one not waiting.
            return Err(not_waiting());
        }
        AuditEvent::new("message.send_again", "message")
            .target(key)
            .tenant(Some(tenant_id), None)
            .details(json!({ "message": key }))
            .record(&txn, Some(actor.user_id))
            .await?;
        txn.commit().await?;
        Ok(())
    })
    .await
}
