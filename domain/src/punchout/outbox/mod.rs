//! Order confirmations and ship notices for procurement systems, through a durable outbox:
//! a PO's transition queues the document in its own transaction ([`enqueue`]); a worker outside
//! the service layer claims what is due, posts it and records how that went ([`claim`],
//! [`record_outcome`]), retrying 5xx answers and timeouts with exponential backoff and giving
//! up on 4xx. Every attempt is recorded. The shared secret joins the document only when it is
//! sent. This module is the queue and the staff's view of it; the documents are built in
//! `documents`, their delivery is claimed and recorded in `delivery`.

mod delivery;
mod documents;

use chrono::Utc;
use cxml::{Body, Request, RequestKind};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use simdesk_types::{DeliveryStatus, ProcurementMessage, Wording};

use crate::audit::{denials, AuditEvent};
use crate::db::{begin_write, DataScope};
use crate::entity::{cxml_outbox, punchout_credential, purchase_order};
use crate::orders::workflow::BuyerDocument;
use crate::policy::{self, Permission};
use crate::timestamps::rfc3339;
use crate::{Actor, DomainError, DomainResult};

pub use delivery::{claim, due, record_outcome, Attempt, Delivery, Due, OutboxSettings, Outcome};

/// Queues the `document` a PO's step sends to the procurement system that ordered it (none
/// for other POs). Called by the transition, in its transaction, so the document exists
/// exactly when the step happened; `po` is the PO as the step wrote it.
pub(crate) async fn enqueue(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
    document: BuyerDocument,
    reason: &str,
) -> DomainResult<()> {
    // Most POs never saw a procurement system: they cost no query here.
    let Some(credential_id) = po.punchout_credential_id else {
        return Ok(());
    };
    let Some(credential) = punchout_credential::Entity::find_by_id(credential_id)
        .filter(punchout_credential::Column::TenantId.eq(po.tenant_id))
        .one(txn)
        .await?
        .filter(|c| !c.order_response_url.trim().is_empty())
    else {
        return Ok(());
    };
    let document = documents::document_for(txn, po, &credential, document, reason).await?;
    let payload = document
        .to_xml()
        .map_err(|e| DomainError::Internal(format!("writing a cXML document failed: {e}")))?;
    let now = Utc::now();
    cxml_outbox::ActiveModel {
        tenant_id: Set(po.tenant_id),
        account_id: Set(po.account_id),
        purchase_order_id: Set(Some(po.id)),
        credential_id: Set(credential.id),
        document_type: Set(match &document.body {
            Body::Request(r) => r.kind.element_name().to_owned(),
            _ => String::new(),
        }),
        url: Set(credential.order_response_url.clone()),
        payload: Set(payload),
        status: Set(DeliveryStatus::Pending.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(String::new()),
        created_at: Set(now),
        request_id: Set(crate::request_id::current().unwrap_or_default()),
        sent_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// What a document says, for people: "Order confirmation (accept)", "Ship notice". Only a
/// confirmation (small) is read for its type; a ship notice, which lists every SIM, is not.
fn describe(item: &cxml_outbox::Model) -> String {
    match item.document_type.as_str() {
        "ShipNoticeRequest" => "Ship notice".to_owned(),
        "ConfirmationRequest" => match documents::parse_own(&item.payload).map(|d| d.body) {
            Ok(Body::Request(Request {
                kind: RequestKind::ConfirmationRequest(c),
                ..
            })) => format!(
                "Order confirmation ({})",
                c.header.confirmation_type.as_str()
            ),
            _ => "Order confirmation".to_owned(),
        },
        other => other.to_owned(),
    }
}

/// The documents sent, or to be sent, to the procurement system that ordered `po`, oldest
/// first. For the provider's staff: the PO page shows them.
pub(crate) async fn messages_of(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
) -> DomainResult<Vec<ProcurementMessage>> {
    if po.punchout_credential_id.is_none() {
        return Ok(Vec::new());
    }
    let rows = cxml_outbox::Entity::find()
        .filter(cxml_outbox::Column::TenantId.eq(po.tenant_id))
        .filter(cxml_outbox::Column::PurchaseOrderId.eq(po.id))
        .order_by_asc(cxml_outbox::Column::Id)
        .all(txn)
        .await?;
    Ok(rows
        .iter()
        .map(|item| {
            let status = DeliveryStatus::parse(&item.status).unwrap_or(DeliveryStatus::Pending);
            ProcurementMessage {
                id: item.id,
                description: describe(item),
                status,
                attempts: item.attempts,
                last_error: item.last_error.clone(),
                created_at: rfc3339(item.created_at),
                status_at: rfc3339(match status {
                    DeliveryStatus::Sent => item.sent_at.unwrap_or(item.next_attempt_at),
                    _ => item.next_attempt_at,
                }),
            }
        })
        .collect())
}

/// The provider's staff send a document that was given up once more: it goes back into the
/// outbox, due now, for one further attempt.
pub async fn retry(
    db: &DatabaseConnection,
    actor: &Actor,
    po_id: i64,
    message_id: i64,
) -> DomainResult<()> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::ReviewOrders)?;
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let item = cxml_outbox::Entity::find_by_id(message_id)
            .filter(cxml_outbox::Column::TenantId.eq(tenant_id))
            .filter(cxml_outbox::Column::PurchaseOrderId.eq(po_id))
            .one(&txn)
            .await?
            .ok_or_else(|| DomainError::out_of_scope("cxml_outbox", message_id))?;
        let requeued = cxml_outbox::Entity::update_many()
            .col_expr(
                cxml_outbox::Column::Status,
                Expr::value(DeliveryStatus::Pending.as_str()),
            )
            .col_expr(cxml_outbox::Column::NextAttemptAt, Expr::value(Utc::now()))
            .filter(cxml_outbox::Column::Id.eq(item.id))
            .filter(cxml_outbox::Column::Status.eq(DeliveryStatus::Failed.as_str()))
            .exec(&txn)
            .await?;
        if requeued.rows_affected != 1 {
            return Err(DomainError::conflict(Wording::new(
                "This document is not waiting for a retry: reload the page to see where it stands.",
                "Dieses Dokument wartet nicht auf einen erneuten Versuch: Laden Sie die Seite neu, um seinen Stand zu sehen.",
            )));
        }
        AuditEvent::new("cxml.retry", "cxml_outbox")
            .target(item.id)
            .tenant(Some(tenant_id), Some(item.account_id))
            .details(json!({ "purchase_order": po_id, "document": item.document_type }))
            .record(&txn, Some(actor.user_id))
            .await?;
        txn.commit().await?;
        Ok(())
    })
    .await
}
