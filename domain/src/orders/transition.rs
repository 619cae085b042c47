//! Carrying out one workflow step on a PO: the guarded update, then every consequence the
//! workflow's row names (PO number, released SIMs, timeline and audit, notifications, the
//! document for the procurement system), all in the caller's transaction.

use chrono::Utc;
use sea_orm::sea_query::{Expr, InsertStatement, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryTrait, Set,
};
use serde_json::json;
use simdesk_types::{PoAction, PoStatus, WebhookEvent};

use super::notify::notifications;
use super::scope::{changed_meanwhile, refused, status_of};
use super::stock;
use super::workflow::{self, Capacity, Event};
use crate::audit::AuditEvent;
use crate::entity::{purchase_order, purchase_order_event, tenant};
use crate::{Actor, DomainError, DomainResult};

/// Writes `changes` to `po` only if nobody changed it since it was read (same version), with
/// a new version and update time; otherwise the caller's form is stale. Returns the PO as
/// written, read back by the same statement.
pub(crate) async fn update_unchanged(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
    changes: purchase_order::ActiveModel,
) -> DomainResult<purchase_order::Model> {
    let mut update = purchase_order::Entity::update_many()
        .set(changes)
        .col_expr(
            purchase_order::Column::Version,
            Expr::col(purchase_order::Column::Version).add(1),
        )
        .col_expr(purchase_order::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(purchase_order::Column::Id.eq(po.id))
        .filter(purchase_order::Column::Version.eq(po.version))
        .into_query();
    update.returning_all();
    purchase_order::Entity::find()
        .from_raw_sql(txn.get_database_backend().build(&update))
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::conflict(changed_meanwhile()))
}

/// Applies `event` to `po`: asks the workflow for the step, writes the new status with
/// `changes` only if nobody changed the PO since it was read, then carries out the step's
/// consequences in the same transaction: the PO number, released SIMs, the timeline and audit
/// entry, the notifications and the document for the ordering procurement system. Returns the
/// PO as written.
pub(crate) async fn transition(
    txn: &DatabaseTransaction,
    actor: &Actor,
    po: &purchase_order::Model,
    capacity: Capacity,
    event: Event,
    reason: &str,
    changes: purchase_order::ActiveModel,
) -> DomainResult<purchase_order::Model> {
    let from = status_of(po)?;
    let step = workflow::step(from, event, capacity).map_err(refused)?;
    let then = step.then;
    let mut changes = changes;
    changes.status = Set(step.to.as_str().to_owned());
    let mut number = po.po_number;
    if then.assigns_po_number {
        number = Some(next_po_number(txn, po.tenant_id).await?);
        changes.po_number = Set(number);
    }
    let updated = update_unchanged(txn, po, changes).await?;
    if then.releases_sims {
        stock::release(txn, po).await?;
    }
    let entry = TimelineEntry {
        action: event.action(),
        audit: then.audit,
        from: Some(from),
        to: step.to,
        reason,
    };
    // The step's e-mails and webhooks are written with its timeline entry: one round trip.
    let mut rows: Vec<InsertStatement> = match then.notify {
        Some(audience) => notifications(txn, &updated, audience, step.to, reason).await?,
        None => None,
    }
    .into_iter()
    .collect();
    rows.extend(announcements(po, number, event.action(), from, step.to));
    record_event(txn, actor, po, entry, rows).await?;
    if let Some(document) = then.document {
        crate::punchout::outbox::enqueue(txn, &updated, document, reason).await?;
    }
    Ok(updated)
}

/// The statements that queue the webhooks of a step: every status change, and the SIMs being
/// ready or shipped.
fn announcements(
    po: &purchase_order::Model,
    number: Option<i64>,
    action: PoAction,
    from: PoStatus,
    to: PoStatus,
) -> Vec<InsertStatement> {
    let data = serde_json::json!({
        "order_id": po.id,
        "number": number,
        "account_id": po.account_id,
        "action": action.as_str(),
        "from_status": from.as_str(),
        "status": to.as_str(),
        "version": po.version + 1,
    });
    let mut events = vec![WebhookEvent::OrderStatusChanged];
    match to {
        PoStatus::Ready => events.push(WebhookEvent::OrderSimsReady),
        PoStatus::Shipped => events.push(WebhookEvent::OrderShipped),
        _ => {}
    }
    events
        .into_iter()
        .map(|event| {
            crate::webhooks::publish_rows(po.tenant_id, Some(po.account_id), event, data.clone())
        })
        .collect()
}

/// One entry of a PO's timeline, written to the audit log too.
pub(super) struct TimelineEntry<'a> {
    pub action: PoAction,
    pub audit: &'static str,
    pub from: Option<PoStatus>,
    pub to: PoStatus,
    pub reason: &'a str,
}

impl<'a> TimelineEntry<'a> {
    /// A PO's first entry: it was created in `status`.
    pub(super) fn created(status: PoStatus, reason: &'a str) -> Self {
        TimelineEntry {
            action: PoAction::Create,
            audit: workflow::CREATED,
            from: None,
            to: status,
            reason,
        }
    }
}

/// Writes `entry` to the PO's timeline and the audit log, together with `alongside`: other
/// rows of the same change that nobody reads back (its lines, its e-mails).
pub(super) async fn record_event(
    txn: &DatabaseTransaction,
    actor: &Actor,
    po: &purchase_order::Model,
    entry: TimelineEntry<'_>,
    alongside: Vec<InsertStatement>,
) -> DomainResult<()> {
    let TimelineEntry {
        action,
        audit,
        from,
        to,
        reason,
    } = entry;
    let actor_name = if actor.display_name.is_empty() {
        actor.email.clone()
    } else {
        actor.display_name.clone()
    };
    let timeline = purchase_order_event::ActiveModel {
        tenant_id: Set(po.tenant_id),
        account_id: Set(po.account_id),
        purchase_order_id: Set(po.id),
        action: Set(action.as_str().to_owned()),
        from_status: Set(from.map(|s| s.as_str().to_owned())),
        to_status: Set(to.as_str().to_owned()),
        actor_user_id: Set(Some(actor.user_id)),
        actor_name: Set(actor_name),
        reason: Set(reason.to_owned()),
        at: Set(Utc::now()),
        ..Default::default()
    };
    // The timeline entry, its audit entry and the rest in one round trip.
    let mut rows = alongside;
    rows.push(purchase_order_event::Entity::insert(timeline).into_query());
    AuditEvent::new(audit, "purchase_order")
        .target(po.id)
        .tenant(Some(po.tenant_id), Some(po.account_id))
        .details(json!({
            "from": from.map(|s| s.as_str()),
            "to": to.as_str(),
            "reason": reason,
        }))
        .record_along(txn, Some(actor.user_id), rows)
        .await?;
    Ok(())
}

/// Takes the tenant's next PO number. The counter row is locked until the transaction ends,
/// so numbers are unique; a rolled-back acceptance may leave a gap, which is allowed.
async fn next_po_number(txn: &DatabaseTransaction, tenant_id: i64) -> DomainResult<i64> {
    let taken = Query::update()
        .table(tenant::Entity)
        .value(
            tenant::Column::NextPoNumber,
            Expr::col(tenant::Column::NextPoNumber).add(1),
        )
        .and_where(tenant::Column::Id.eq(tenant_id))
        .returning_col(tenant::Column::NextPoNumber)
        .to_owned();
    let next: i64 = txn
        .query_one(txn.get_database_backend().build(&taken))
        .await?
        .ok_or(DomainError::NotFound)?
        .try_get_by_index(0)?;
    Ok(next - 1)
}
