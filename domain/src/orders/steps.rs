//! The simple workflow steps people take on a PO (submit, approve, decline, accept, reject,
//! reopen, cancel, confirm receipt) and shipping. Provisioning has its own module.

use chrono::{Duration, Utc};
use sea_orm::{DatabaseConnection, DatabaseTransaction, EntityTrait, Set};
use simdesk_types::{FieldError, PoAction, PoStatus, ShipmentInput, Wording};

use super::draft::parse_date;
use super::plausibility::plausibility;
use super::scope::{changed_meanwhile, load, refused, status_of};
use super::transition::transition;
use super::workflow::{self, Capacity, Event};
use crate::audit::denials;
use crate::db::{begin_write, DataScope};
use crate::entity::{app_user, purchase_order};
use crate::policy::OrderScope;
use crate::{Actor, DomainError, DomainResult};

fn required_reason(action: PoAction, reason: &str) -> DomainResult<String> {
    let reason = reason.trim();
    if action.needs_reason() && reason.is_empty() {
        return Err(DomainError::invalid(
            "reason",
            match action {
                PoAction::Decline => Wording::new(
                    "Give the reason for the decline: the purchaser sees it.",
                    "Geben Sie den Grund für die Ablehnung der Freigabe an: Der Besteller sieht ihn.",
                ),
                _ => Wording::new(
                    "Give the reason for the rejection: the purchaser sees it.",
                    "Geben Sie den Grund für die Ablehnung an: Der Besteller sieht ihn.",
                ),
            },
        ));
    }
    if reason.chars().count() > 2000 {
        return Err(DomainError::invalid(
            "reason",
            Wording::new(
                "Use at most 2000 characters.",
                "Verwenden Sie höchstens 2000 Zeichen.",
            ),
        ));
    }
    Ok(reason.to_owned())
}

/// Whether the submitter's spending limit sends the PO to an approver first.
pub(super) async fn needs_approval(
    txn: &DatabaseTransaction,
    actor: &Actor,
    capacity: Capacity,
    po: &purchase_order::Model,
) -> DomainResult<bool> {
    if capacity.provider {
        return Ok(false);
    }
    let Some(user) = app_user::Entity::find_by_id(actor.user_id).one(txn).await? else {
        return Ok(true);
    };
    Ok(match user.spending_limit_minor {
        None => false,
        Some(limit) => {
            po.total_minor > limit || user.spending_limit_currency.as_deref() != Some(&po.currency)
        }
    })
}

/// Takes a simple step on a PO: submit, approve, decline, accept, reject, reopen, cancel or
/// confirm receipt. Provisioning and shipping have their own entry points.
pub async fn act(
    db: &DatabaseConnection,
    actor: &Actor,
    po_id: i64,
    version: i32,
    action: PoAction,
    reason: &str,
) -> DomainResult<PoStatus> {
    denials(db, actor, async {
        let scope = OrderScope::of(actor)?;
        let reason = required_reason(action, reason)?;
        let txn = begin_write(db, DataScope::Tenant(scope.tenant_id())).await?;
        let (po, capacity) = load(&txn, actor, po_id).await?;
        let mut changes = <purchase_order::ActiveModel as Default>::default();
        let event = match action {
            PoAction::Submit => {
                let checks = plausibility(&txn, &po).await?;
                changes.plausibility = Set(Some(
                    serde_json::to_string(&checks)
                        .map_err(|e| DomainError::Internal(e.to_string()))?,
                ));
                changes.submitted_at = Set(Some(Utc::now()));
                changes.rejection_reason = Set(String::new());
                // Each submission is approved afresh (or not at all, within the limit): an
                // approval of an earlier, reopened version does not carry over.
                changes.approved_by = Set(None);
                Event::Submit {
                    needs_approval: needs_approval(&txn, actor, capacity, &po).await?,
                }
            }
            PoAction::Approve => {
                changes.approved_by = Set(Some(actor.user_id));
                Event::Approve
            }
            PoAction::Decline => Event::Decline,
            PoAction::Accept => Event::Accept,
            PoAction::Reject => {
                changes.rejection_reason = Set(reason.clone());
                Event::Reject
            }
            PoAction::Reopen => Event::Reopen,
            PoAction::Cancel => Event::Cancel,
            PoAction::ConfirmReceipt => Event::ConfirmReceipt,
            PoAction::Create
            | PoAction::Edit
            | PoAction::Provision
            | PoAction::Ship
            | PoAction::ReceiveBuyerPo => {
                return Err(DomainError::invalid(
                    "action",
                    Wording::new(
                        "This step needs its own form.",
                        "Für diesen Schritt gibt es ein eigenes Formular.",
                    ),
                ))
            }
        };
        // The workflow decides first, so a stale form gets the precise reason.
        workflow::next(status_of(&po)?, event, capacity).map_err(refused)?;
        if po.version != version {
            return Err(DomainError::conflict(changed_meanwhile()));
        }
        let to =
            status_of(&transition(&txn, actor, &po, capacity, event, &reason, changes).await?)?;
        txn.commit().await?;
        Ok(to)
    })
    .await
}

/// Records the shipment: carrier, tracking number and date.
pub async fn ship(
    db: &DatabaseConnection,
    actor: &Actor,
    po_id: i64,
    version: i32,
    input: ShipmentInput,
) -> DomainResult<PoStatus> {
    denials(db, actor, async {
        let scope = OrderScope::of(actor)?;
        let txn = begin_write(db, DataScope::Tenant(scope.tenant_id())).await?;
        let (po, capacity) = load(&txn, actor, po_id).await?;
        workflow::next(status_of(&po)?, Event::Ship, capacity).map_err(refused)?;
        let mut errors = Vec::new();
        let carrier = input.carrier.trim().to_owned();
        let tracking_number = input.tracking_number.trim().to_owned();
        for (field, value, missing) in [
            (
                "carrier",
                &carrier,
                Wording::new(
                    "Enter the carrier.",
                    "Geben Sie den Versanddienstleister ein.",
                ),
            ),
            (
                "tracking_number",
                &tracking_number,
                Wording::new(
                    "Enter the tracking number.",
                    "Geben Sie die Sendungsnummer ein.",
                ),
            ),
        ] {
            if value.is_empty() {
                errors.push(FieldError::new(field, missing));
            } else if value.chars().count() > 100 {
                errors.push(FieldError::new(
                    field,
                    Wording::new(
                        "Use at most 100 characters.",
                        "Verwenden Sie höchstens 100 Zeichen.",
                    ),
                ));
            }
        }
        let shipped_on = parse_date(&input.shipped_on, "shipped_on", &mut errors);
        if input.shipped_on.trim().is_empty() {
            errors.push(FieldError::new(
                "shipped_on",
                Wording::new(
                    "Enter the shipping date.",
                    "Geben Sie das Versanddatum ein.",
                ),
            ));
        }
        if shipped_on.is_some_and(|d| d > Utc::now().date_naive() + Duration::days(1)) {
            errors.push(FieldError::new(
                "shipped_on",
                Wording::new(
                    "The shipping date cannot be in the future.",
                    "Das Versanddatum kann nicht in der Zukunft liegen.",
                ),
            ));
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        if po.version != version {
            return Err(DomainError::conflict(changed_meanwhile()));
        }
        let changes = purchase_order::ActiveModel {
            carrier: Set(carrier),
            tracking_number: Set(tracking_number),
            shipped_on: Set(shipped_on),
            ..Default::default()
        };
        let to =
            status_of(&transition(&txn, actor, &po, capacity, Event::Ship, "", changes).await?)?;
        txn.commit().await?;
        Ok(to)
    })
    .await
}
