//! Purchase orders driven by a procurement system: the cart a PunchOut returns, and the buyer's
//! OrderRequest that releases, revises or cancels it. Statuses change only through
//! [`super::workflow`], like every other PO.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
};
use simdesk_types::{Entitlements, PoAddress, PoStatus, Price, SystemReason, Wording};

pub(crate) use super::draft::Contract;
use super::draft::{line_rows, order_total_too_large, replace_lines, ValidLine};
use super::plausibility::plausibility_of;
use super::scope::{refused, status_of};
use super::sim_settings::set_overrides;
use super::transition::{record_event, transition, update_unchanged, TimelineEntry};
use super::workflow::{Capacity, Event};
use crate::audit::AuditEvent;
use crate::entity::{purchase_order, shipping_address};
use crate::{Actor, DomainError, DomainResult};

/// The procurement system acts for the account's buyer.
const BUYER: Capacity = Capacity {
    provider: false,
    buyer: true,
    approver: false,
};
const PROVIDER: Capacity = Capacity {
    provider: true,
    buyer: false,
    approver: false,
};

/// One line of a cart or of a buyer's order, at the price the buyer saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuyerLine {
    pub product_id: i64,
    pub quantity: i32,
    pub price: Price,
}

/// A cart as the buyer returns it: its lines and the SIM settings chosen for them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuyerCart {
    pub lines: Vec<BuyerLine>,
    pub overrides: Entitlements,
}

/// The order an OrderRequest carries, already mapped to the account's products.
#[derive(Debug, Clone)]
pub struct BuyerOrder {
    /// The PO of the returned cart the order names through SupplierPartAuxiliaryID.
    pub cart_po_id: Option<i64>,
    pub lines: Vec<BuyerLine>,
    /// The order's ShipTo; `None` keeps the cart's (or the account's default) address.
    pub address: Option<PoAddress>,
    /// The buyer's own order number (`orderID`).
    pub order_id: String,
    pub payload_id: String,
    pub credential_id: i64,
    pub comment: String,
    /// The tenant accepts exact contract matches without an agent.
    pub auto_accept: bool,
}

/// The sum of price times quantity, or `None` when it overflows.
pub(crate) fn cart_total(lines: &[BuyerLine]) -> Option<i64> {
    lines.iter().try_fold(0i64, |sum, l| {
        l.price
            .minor
            .checked_mul(i64::from(l.quantity))
            .and_then(|t| sum.checked_add(t))
    })
}

fn valid_lines(lines: &[BuyerLine]) -> DomainResult<(Vec<ValidLine>, String, i64)> {
    let currency = lines
        .first()
        .map(|l| l.price.currency.clone())
        .unwrap_or_default();
    if lines.iter().any(|l| l.price.currency != currency) {
        return Err(DomainError::invalid(
            "lines",
            Wording::new(
                "The lines are in different currencies; one order has one currency.",
                "Die Zeilen haben unterschiedliche Währungen; eine Bestellung hat nur eine Währung.",
            ),
        ));
    }
    let total =
        cart_total(lines).ok_or_else(|| DomainError::invalid("lines", order_total_too_large()))?;
    let valid = lines
        .iter()
        .map(|l| ValidLine {
            product_id: l.product_id,
            quantity: l.quantity,
            price: l.price.clone(),
        })
        .collect();
    Ok((valid, currency, total))
}

fn address_columns(model: &mut purchase_order::ActiveModel, address: &PoAddress) {
    model.ship_recipient = Set(address.recipient.clone());
    model.ship_street = Set(address.street.clone());
    model.ship_postal_code = Set(address.postal_code.clone());
    model.ship_city = Set(address.city.clone());
    model.ship_country = Set(address.country.clone());
}

/// The account's default shipping address (its first one when none is marked default).
pub(crate) async fn default_address(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    account_id: i64,
) -> DomainResult<Option<shipping_address::Model>> {
    Ok(shipping_address::Entity::find()
        .filter(shipping_address::Column::TenantId.eq(tenant_id))
        .filter(shipping_address::Column::AccountId.eq(account_id))
        .order_by_desc(shipping_address::Column::IsDefault)
        .order_by_asc(shipping_address::Column::Id)
        .one(txn)
        .await?)
}

/// A PO of the account, by id; another account's id is not found.
pub(crate) async fn account_po(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    account_id: i64,
    po_id: i64,
) -> DomainResult<Option<purchase_order::Model>> {
    Ok(purchase_order::Entity::find_by_id(po_id)
        .filter(purchase_order::Column::TenantId.eq(tenant_id))
        .filter(purchase_order::Column::AccountId.eq(account_id))
        .one(txn)
        .await?)
}

/// A PO to create waiting for the buyer's order.
struct Waiting<'a> {
    account_id: i64,
    credential_id: i64,
    lines: &'a [BuyerLine],
    overrides: &'a Entitlements,
    /// The order's own address; `None` takes the account's default.
    ship_to: Option<&'a PoAddress>,
    /// Why the PO exists, for its first timeline entry.
    reason: &'a str,
}

/// Creates a PO waiting for the buyer's order, as a returned cart.
async fn create_waiting(
    txn: &DatabaseTransaction,
    actor: &Actor,
    tenant_id: i64,
    waiting: Waiting<'_>,
) -> DomainResult<purchase_order::Model> {
    let Waiting {
        account_id,
        credential_id,
        lines,
        overrides,
        ship_to,
        reason,
    } = waiting;
    let (valid, currency, total) = valid_lines(lines)?;
    let now = Utc::now();
    // The account's default address unless the order names its own.
    let (address_id, address) = match ship_to {
        Some(ship_to) => (None, ship_to.clone()),
        None => match default_address(txn, tenant_id, account_id).await? {
            Some(a) => (Some(a.id), PoAddress::from(a)),
            None => (None, PoAddress::default()),
        },
    };
    let mut model = purchase_order::ActiveModel {
        tenant_id: Set(tenant_id),
        account_id: Set(account_id),
        status: Set(PoStatus::AwaitingBuyerPo.as_str().to_owned()),
        source: Set("punchout".to_owned()),
        created_by: Set(actor.user_id),
        shipping_address_id: Set(address_id),
        comment: Set(String::new()),
        currency: Set(currency),
        total_minor: Set(total),
        rejection_reason: Set(String::new()),
        carrier: Set(String::new()),
        tracking_number: Set(String::new()),
        punchout_credential_id: Set(Some(credential_id)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    address_columns(&mut model, &address);
    set_overrides(&mut model, overrides);
    let po = model.insert(txn).await?;
    // The lines go with the first timeline entry: one round trip.
    record_event(
        txn,
        actor,
        &po,
        TimelineEntry::created(PoStatus::AwaitingBuyerPo, reason),
        line_rows(tenant_id, po.id, &valid).into_iter().collect(),
    )
    .await?;
    Ok(po)
}

/// Records a cart returned to the procurement system: a new PO waiting for the buyer's order,
/// or the changed cart of one being edited. An emptied cart cancels the edited PO. Returns
/// the PO, if any remains.
pub(crate) async fn record_cart(
    txn: &DatabaseTransaction,
    actor: &Actor,
    tenant_id: i64,
    account_id: i64,
    credential_id: i64,
    editing: Option<i64>,
    cart: &BuyerCart,
) -> DomainResult<Option<i64>> {
    let edited = match editing {
        Some(id) => account_po(txn, tenant_id, account_id, id)
            .await?
            .filter(|po| status_of(po).is_ok_and(|s| s == PoStatus::AwaitingBuyerPo)),
        None => None,
    };
    let Some(po) = edited else {
        if cart.lines.is_empty() {
            return Ok(None);
        }
        let waiting = Waiting {
            account_id,
            credential_id,
            lines: &cart.lines,
            overrides: &cart.overrides,
            ship_to: None,
            reason: &SystemReason::CartReturned.english(),
        };
        let po = create_waiting(txn, actor, tenant_id, waiting).await?;
        return Ok(Some(po.id));
    };
    if cart.lines.is_empty() {
        transition(
            txn,
            actor,
            &po,
            BUYER,
            Event::Cancel,
            &SystemReason::CartEmptied.english(),
            Default::default(),
        )
        .await?;
        return Ok(None);
    }
    let (valid, currency, total) = valid_lines(&cart.lines)?;
    let mut changes = purchase_order::ActiveModel {
        currency: Set(currency),
        total_minor: Set(total),
        ..Default::default()
    };
    set_overrides(&mut changes, &cart.overrides);
    update_unchanged(txn, &po, changes).await?;
    replace_lines(txn, tenant_id, po.id, &valid).await?;
    AuditEvent::new("po.edited", "purchase_order")
        .target(po.id)
        .tenant(Some(tenant_id), Some(account_id))
        .record(txn, Some(actor.user_id))
        .await?;
    Ok(Some(po.id))
}

/// The columns an OrderRequest sets, with the plausibility checks of the new lines against
/// the contract the order was mapped with. `lines_stored`: the PO was just created with exactly
/// these lines.
async fn order_changes(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
    order: &BuyerOrder,
    contract: &Contract,
    lines_stored: bool,
) -> DomainResult<(purchase_order::ActiveModel, bool)> {
    let (valid, currency, total) = valid_lines(&order.lines)?;
    if !lines_stored {
        replace_lines(txn, po.tenant_id, po.id, &valid).await?;
    }
    let mut changes = <purchase_order::ActiveModel as Default>::default();
    if let Some(address) = &order.address {
        changes.shipping_address_id = Set(None);
        address_columns(&mut changes, address);
    }
    let mut checked = po.clone();
    if let Some(address) = &order.address {
        checked.ship_recipient = address.recipient.clone();
        checked.ship_street = address.street.clone();
        checked.ship_postal_code = address.postal_code.clone();
        checked.ship_city = address.city.clone();
        checked.ship_country = address.country.clone();
    }
    let checks = plausibility_of(txn, &checked, &valid, contract).await?;
    let exact = checks.iter().all(|c| c.passed);
    changes.plausibility = Set(Some(
        serde_json::to_string(&checks).map_err(|e| DomainError::Internal(e.to_string()))?,
    ));
    changes.currency = Set(currency);
    changes.total_minor = Set(total);
    changes.external_reference = Set(Some(order.order_id.clone()));
    changes.buyer_payload_id = Set(Some(order.payload_id.clone()));
    changes.punchout_credential_id = Set(Some(order.credential_id));
    changes.submitted_at = Set(Some(Utc::now()));
    if !order.comment.is_empty() {
        changes.comment = Set(order.comment.clone());
    }
    Ok((changes, exact))
}

/// Accepts a just-submitted PO without an agent when the tenant allows it and every
/// plausibility check passed. Returns the PO as it stands then.
async fn maybe_accept(
    txn: &DatabaseTransaction,
    actor: &Actor,
    po: purchase_order::Model,
    order: &BuyerOrder,
    exact: bool,
) -> DomainResult<purchase_order::Model> {
    if !(order.auto_accept && exact) {
        return Ok(po);
    }
    transition(
        txn,
        actor,
        &po,
        PROVIDER,
        Event::Accept,
        &SystemReason::AcceptedAutomatically.english(),
        Default::default(),
    )
    .await
}

/// Releases the returned cart (or a fresh PO when the order names none) with the buyer's
/// order: SUBMITTED, or ACCEPTED at once for an exact match where the tenant allows it.
/// `contract` is the account's, as the order's lines were mapped with. Returns the PO as it
/// stands then.
pub(crate) async fn receive_order(
    txn: &DatabaseTransaction,
    actor: &Actor,
    tenant_id: i64,
    account_id: i64,
    order: &BuyerOrder,
    contract: &Contract,
) -> DomainResult<purchase_order::Model> {
    let (po, lines_stored) = match order.cart_po_id {
        Some(id) => {
            let po = account_po(txn, tenant_id, account_id, id)
                .await?
                .ok_or_else(|| {
                    DomainError::invalid(
                        "SupplierPartAuxiliaryID",
                        "The order refers to a cart this account never returned.",
                    )
                })?;
            if status_of(&po)? != PoStatus::AwaitingBuyerPo {
                let ordered = po
                    .external_reference
                    .as_deref()
                    .map(|r| format!(" by order {r}"))
                    .unwrap_or_default();
                return Err(DomainError::conflict(format!(
                    "This cart was already ordered{ordered} or cancelled; it is {}.",
                    status_of(&po)?.label().to_lowercase()
                )));
            }
            (po, false)
        }
        None => {
            let waiting = Waiting {
                account_id,
                credential_id: order.credential_id,
                lines: &order.lines,
                overrides: &Entitlements::default(),
                ship_to: order.address.as_ref(),
                reason: &SystemReason::CreatedWithoutCart.english(),
            };
            let po = create_waiting(txn, actor, tenant_id, waiting).await?;
            (po, true)
        }
    };
    let (changes, exact) = order_changes(txn, &po, order, contract, lines_stored).await?;
    let po = transition(
        txn,
        actor,
        &po,
        BUYER,
        Event::ReceiveBuyerPo,
        &SystemReason::OrderReceived(order.order_id.clone()).english(),
        changes,
    )
    .await?;
    maybe_accept(txn, actor, po, order, exact).await
}

/// The PO an earlier OrderRequest of the account created: by that request's payloadID, else
/// by the buyer's order number.
pub(crate) async fn find_buyer_po(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    account_id: i64,
    payload_id: Option<&str>,
    order_id: &str,
) -> DomainResult<Option<purchase_order::Model>> {
    let scoped = || {
        purchase_order::Entity::find()
            .filter(purchase_order::Column::TenantId.eq(tenant_id))
            .filter(purchase_order::Column::AccountId.eq(account_id))
            .order_by_desc(purchase_order::Column::Id)
    };
    if let Some(payload_id) = payload_id {
        if let Some(po) = scoped()
            .filter(purchase_order::Column::BuyerPayloadId.eq(payload_id))
            .one(txn)
            .await?
        {
            return Ok(Some(po));
        }
    }
    Ok(scoped()
        .filter(purchase_order::Column::ExternalReference.eq(order_id))
        .one(txn)
        .await?)
}

/// Applies `OrderRequest type="update"` to a PO the provider has not accepted yet. Returns the
/// PO as it stands then.
pub(crate) async fn revise_order(
    txn: &DatabaseTransaction,
    actor: &Actor,
    po: &purchase_order::Model,
    order: &BuyerOrder,
    contract: &Contract,
) -> DomainResult<purchase_order::Model> {
    super::workflow::next(status_of(po)?, Event::ReviseBuyerPo, BUYER).map_err(refused)?;
    let (changes, exact) = order_changes(txn, po, order, contract, false).await?;
    let po = transition(
        txn,
        actor,
        po,
        BUYER,
        Event::ReviseBuyerPo,
        &SystemReason::OrderChanged(order.order_id.clone()).english(),
        changes,
    )
    .await?;
    maybe_accept(txn, actor, po, order, exact).await
}

/// Applies `OrderRequest type="delete"`: cancels a PO the provider has not accepted yet.
/// Returns the PO as it stands then.
pub(crate) async fn cancel_order(
    txn: &DatabaseTransaction,
    actor: &Actor,
    po: &purchase_order::Model,
    order_id: &str,
) -> DomainResult<purchase_order::Model> {
    transition(
        txn,
        actor,
        po,
        BUYER,
        Event::Cancel,
        &SystemReason::OrderCancelled(order_id.to_string()).english(),
        Default::default(),
    )
    .await
}
