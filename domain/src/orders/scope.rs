//! Which POs an actor sees, and the capacity they act in on one: the query side of the
//! policy's order scope, with the messages for stale forms and refused steps.

use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};
use simdesk_types::{PoAction, PoStatus, Wording};

use super::workflow::{self, Capacity};
use crate::entity::{purchase_order, purchase_order_event};
use crate::policy::OrderScope;
use crate::{Actor, DomainError, DomainResult};

/// The message for a stale form: someone changed the PO since it was loaded.
pub(super) fn changed_meanwhile() -> Wording {
    Wording::new(
        "Someone else changed this purchase order meanwhile. Reload it to see what changed, then try again.",
        "Diese Bestellung wurde inzwischen von jemand anderem geändert. Laden Sie sie neu, um die Änderungen zu sehen, und versuchen Sie es dann erneut.",
    )
}

pub(crate) fn status_of(po: &purchase_order::Model) -> DomainResult<PoStatus> {
    PoStatus::parse(&po.status)
        .ok_or_else(|| DomainError::Internal(format!("unknown PO status {}", po.status)))
}

/// Loads a PO the actor may see, with the capacities they act in on it.
pub(super) async fn load(
    txn: &DatabaseTransaction,
    actor: &Actor,
    po_id: i64,
) -> DomainResult<(purchase_order::Model, Capacity)> {
    let scope = OrderScope::of(actor)?;
    let mut query = purchase_order::Entity::find_by_id(po_id)
        .filter(purchase_order::Column::TenantId.eq(scope.tenant_id()));
    if let Some(account_id) = scope.account_id() {
        query = query.filter(purchase_order::Column::AccountId.eq(account_id));
    }
    let po = query
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::out_of_scope("purchase_order", po_id))?;
    let last_submitter = if Capacity::depends_on_submitter(actor, scope, po.created_by) {
        last_submitter(txn, po.id).await?
    } else {
        None
    };
    let capacity = Capacity::on_order(actor, scope, po.created_by, last_submitter);
    Ok((po, capacity))
}

/// Who submitted the PO last: an approver may not approve their own submission either.
async fn last_submitter(txn: &DatabaseTransaction, po_id: i64) -> DomainResult<Option<i64>> {
    Ok(purchase_order_event::Entity::find()
        .filter(purchase_order_event::Column::PurchaseOrderId.eq(po_id))
        .filter(purchase_order_event::Column::Action.eq(PoAction::Submit.as_str()))
        .order_by_desc(purchase_order_event::Column::Id)
        .one(txn)
        .await?
        .and_then(|e| e.actor_user_id))
}

pub(super) fn refused(refusal: workflow::Refusal) -> DomainError {
    match refusal {
        workflow::Refusal::NotYours { .. } => DomainError::Forbidden,
        workflow::Refusal::WrongStatus { .. } => DomainError::conflict(refusal.message()),
    }
}
