//! SIM purchase orders: drafts with overridable defaults, submission with spending limits and
//! plausibility checks, the provider's review, provisioning from stock, shipping and closing.
//! Every status change goes through [`workflow::next`] and [`transition`], which guard it with
//! the PO's version, write the timeline, the audit log and the notifications.

pub mod procurement;
pub mod provisioning;
pub mod stock;
pub mod workflow;

use chrono::{Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction, EntityTrait,
    FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use simdesk_types::{
    CatalogEntry, Entitlements, FieldError, NamedDefault, OptionKind, OptionView,
    PlausibilityCheck, PoAction, PoAddress, PoDetail, PoEntitlement, PoEventView, PoFormData,
    PoInput, PoLineView, PoList, PoStatus, PoSummary, Price, ProductStatus, Role, Shipment,
    ShipmentInput, SimSettingChoices, SimView, StatusCount,
};
use std::collections::HashMap;

use crate::audit::{denials, AuditEvent};
use crate::catalog::tenant_options;
use crate::db::{begin, begin_write, DataScope};
use crate::entity::{
    account, account_entitlement, account_product, app_user, membership, notification, product,
    purchase_order, purchase_order_event, purchase_order_line, shipping_address, sim_card, tenant,
};
use crate::{money, Actor, DomainError, DomainResult};
use workflow::{Capacity, Event};

pub const PAGE_SIZE: u64 = 50;
/// The SIMs a PO page lists; the rest come as CSV.
const SIMS_SHOWN: u64 = 100;
const CHANGED_MEANWHILE: &str =
    "Someone else changed this purchase order meanwhile. Reload it to see what changed, then try again.";

/// Whose purchase orders an actor works with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// The provider's agents and admins: every PO of the tenant.
    Provider { tenant_id: i64 },
    /// An enterprise account's users: that account's POs.
    Account { tenant_id: i64, account_id: i64 },
}

impl Side {
    fn of(actor: &Actor) -> DomainResult<Side> {
        match (actor.tenant_id, actor.account_id) {
            (Some(tenant_id), None) if actor.has_any(&Role::TENANT_STAFF) => {
                Ok(Side::Provider { tenant_id })
            }
            (Some(tenant_id), Some(account_id)) if actor.has_any(&Role::ACCOUNT_USERS) => {
                Ok(Side::Account {
                    tenant_id,
                    account_id,
                })
            }
            _ => Err(DomainError::Forbidden),
        }
    }

    fn tenant_id(self) -> i64 {
        match self {
            Side::Provider { tenant_id } | Side::Account { tenant_id, .. } => tenant_id,
        }
    }
}

fn status_of(po: &purchase_order::Model) -> DomainResult<PoStatus> {
    PoStatus::parse(&po.status)
        .ok_or_else(|| DomainError::Internal(format!("unknown PO status {}", po.status)))
}

/// Loads a PO the actor may see, with the capacities they act in on it.
async fn load(
    txn: &DatabaseTransaction,
    actor: &Actor,
    po_id: i64,
) -> DomainResult<(purchase_order::Model, Capacity)> {
    let side = Side::of(actor)?;
    let mut query = purchase_order::Entity::find_by_id(po_id)
        .filter(purchase_order::Column::TenantId.eq(side.tenant_id()));
    if let Side::Account { account_id, .. } = side {
        query = query.filter(purchase_order::Column::AccountId.eq(account_id));
    }
    let po = query
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::out_of_scope("purchase_order", po_id))?;
    let capacity = match side {
        Side::Provider { .. } => Capacity {
            provider: true,
            ..Capacity::default()
        },
        Side::Account { .. } => {
            let approver = actor.has(Role::Approver)
                && po.created_by != actor.user_id
                && last_submitter(txn, po.id).await? != Some(actor.user_id);
            Capacity {
                provider: false,
                buyer: actor.has_any(&[Role::Purchaser, Role::AccountAdmin]),
                approver,
            }
        }
    };
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

fn refused(refusal: workflow::Refusal) -> DomainError {
    match refusal {
        workflow::Refusal::NotYours { .. } => DomainError::Forbidden,
        workflow::Refusal::WrongStatus { .. } => DomainError::Conflict(refusal.message()),
    }
}

fn audit_action(action: PoAction) -> &'static str {
    match action {
        PoAction::Create => "po.created",
        PoAction::Edit => "po.edited",
        PoAction::Submit => "po.submitted",
        PoAction::Approve => "po.approved",
        PoAction::Decline => "po.declined",
        PoAction::Accept => "po.accepted",
        PoAction::Reject => "po.rejected",
        PoAction::Reopen => "po.reopened",
        PoAction::Cancel => "po.cancelled",
        PoAction::Provision => "po.provisioned",
        PoAction::Ship => "po.shipped",
        PoAction::ConfirmReceipt => "po.closed",
        PoAction::ReceiveBuyerPo => "po.buyer_po_received",
    }
}

/// Writes `changes` to `po` only if nobody changed it since it was read (same version), with
/// a new version and update time; otherwise the caller's form is stale.
pub(crate) async fn update_unchanged(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
    changes: purchase_order::ActiveModel,
) -> DomainResult<()> {
    let updated = purchase_order::Entity::update_many()
        .set(changes)
        .col_expr(
            purchase_order::Column::Version,
            Expr::col(purchase_order::Column::Version).add(1),
        )
        .col_expr(purchase_order::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(purchase_order::Column::Id.eq(po.id))
        .filter(purchase_order::Column::Version.eq(po.version))
        .exec(txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(DomainError::Conflict(CHANGED_MEANWHILE.into()));
    }
    Ok(())
}

/// Applies `event` to `po`: checks the workflow, writes the new status with `changes` only if
/// nobody changed the PO since it was read, then the timeline, audit and notifications.
pub(crate) async fn transition(
    txn: &DatabaseTransaction,
    actor: &Actor,
    po: &purchase_order::Model,
    capacity: Capacity,
    event: Event,
    reason: &str,
    changes: purchase_order::ActiveModel,
) -> DomainResult<PoStatus> {
    let from = status_of(po)?;
    let to = workflow::next(from, event, capacity).map_err(refused)?;
    let mut changes = changes;
    changes.status = Set(to.as_str().to_owned());
    update_unchanged(txn, po, changes).await?;
    record_event(txn, actor, po, event.action(), Some(from), to, reason).await?;
    notify(txn, po, event.action(), to).await?;
    crate::punchout::outbox::enqueue(txn, po, event.action(), reason).await?;
    Ok(to)
}

async fn record_event(
    txn: &DatabaseTransaction,
    actor: &Actor,
    po: &purchase_order::Model,
    action: PoAction,
    from: Option<PoStatus>,
    to: PoStatus,
    reason: &str,
) -> DomainResult<()> {
    let actor_name = app_user::Entity::find_by_id(actor.user_id)
        .one(txn)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_else(|| actor.email.clone());
    purchase_order_event::ActiveModel {
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
    }
    .insert(txn)
    .await?;
    AuditEvent::new(audit_action(action), "purchase_order")
        .target(po.id)
        .tenant(Some(po.tenant_id), Some(po.account_id))
        .details(json!({
            "from": from.map(|s| s.as_str()),
            "to": to.as_str(),
            "reason": reason,
        }))
        .record(txn, Some(actor.user_id))
        .await?;
    Ok(())
}

/// Who hears about a transition.
enum Audience {
    /// The provider's agents (tenant admins when the tenant has no agent).
    Provider,
    /// The account's approvers, except whoever raised the PO.
    Approvers,
    /// Whoever raised the PO; the account's admins when an agent raised it.
    Buyer,
}

/// Leaves one notification per recipient for the e-mail sender.
async fn notify(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
    action: PoAction,
    to: PoStatus,
) -> DomainResult<()> {
    let audience = match (action, to) {
        (_, PoStatus::AwaitingApproval) => Audience::Approvers,
        (_, PoStatus::Submitted) | (PoAction::ConfirmReceipt, _) => Audience::Provider,
        (PoAction::Cancel | PoAction::Reopen, _) => Audience::Provider,
        (
            PoAction::Accept
            | PoAction::Reject
            | PoAction::Decline
            | PoAction::Ship
            | PoAction::Provision,
            _,
        ) => {
            if action == PoAction::Provision && to != PoStatus::Ready {
                return Ok(());
            }
            Audience::Buyer
        }
        _ => return Ok(()),
    };
    let with_role = |roles: &[Role], account: Option<i64>| {
        let mut query = membership::Entity::find()
            .filter(membership::Column::TenantId.eq(po.tenant_id))
            .filter(membership::Column::Role.is_in(roles.iter().map(|r| r.as_str())));
        query = match account {
            Some(account_id) => query.filter(membership::Column::AccountId.eq(account_id)),
            None => query.filter(membership::Column::AccountId.is_null()),
        };
        query
    };
    let mut user_ids: Vec<i64> = match audience {
        Audience::Provider => {
            let agents = with_role(&[Role::SpAgent], None).all(txn).await?;
            if agents.is_empty() {
                with_role(&[Role::TenantAdmin], None).all(txn).await?
            } else {
                agents
            }
            .into_iter()
            .map(|m| m.user_id)
            .collect()
        }
        Audience::Approvers => with_role(&[Role::Approver], Some(po.account_id))
            .all(txn)
            .await?
            .into_iter()
            .map(|m| m.user_id)
            .filter(|id| *id != po.created_by)
            .collect(),
        Audience::Buyer => {
            let creator_is_buyer = app_user::Entity::find_by_id(po.created_by)
                .one(txn)
                .await?
                .is_some_and(|u| u.account_id == Some(po.account_id));
            if creator_is_buyer {
                vec![po.created_by]
            } else {
                with_role(&[Role::AccountAdmin], Some(po.account_id))
                    .all(txn)
                    .await?
                    .into_iter()
                    .map(|m| m.user_id)
                    .collect()
            }
        }
    };
    user_ids.sort_unstable();
    user_ids.dedup();
    let recipients = app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(user_ids))
        .filter(app_user::Column::Active.eq(true))
        .all(txn)
        .await?;
    let subject = format!(
        "Purchase order {}: {}",
        reference_of(po),
        to.label().to_lowercase()
    );
    let event = format!("po.{}", to.as_str());
    let now = Utc::now();
    for user in recipients {
        notification::ActiveModel {
            tenant_id: Set(po.tenant_id),
            account_id: Set(Some(po.account_id)),
            purchase_order_id: Set(Some(po.id)),
            event: Set(event.clone()),
            recipient_user_id: Set(Some(user.id)),
            recipient_email: Set(user.email),
            subject: Set(subject.clone()),
            status: Set("pending".to_owned()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// The PO number once assigned, its draft id before.
fn reference_of(po: &purchase_order::Model) -> String {
    match po.po_number {
        Some(number) => number.to_string(),
        None => format!("draft #{}", po.id),
    }
}

// ---------------------------------------------------------------------------------------------
// Drafts

/// The account's assigned, active products at its contract prices, by product id
/// (`include_hidden`: also those the account admin hid from purchasers).
pub(crate) async fn orderables(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    account_id: i64,
    include_hidden: bool,
) -> DomainResult<HashMap<i64, CatalogEntry>> {
    let assigned = account_product::Entity::find()
        .filter(account_product::Column::TenantId.eq(tenant_id))
        .filter(account_product::Column::AccountId.eq(account_id))
        .all(txn)
        .await?;
    let products: HashMap<i64, product::Model> = product::Entity::find()
        .filter(product::Column::TenantId.eq(tenant_id))
        .filter(product::Column::Id.is_in(assigned.iter().map(|a| a.product_id)))
        .filter(product::Column::Status.eq(ProductStatus::Active.as_str()))
        .all(txn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    Ok(assigned
        .into_iter()
        .filter(|a| include_hidden || a.orderable_by_users)
        .filter_map(|a| {
            let entry = crate::accounts::catalog_entry(&a, products.get(&a.product_id)?);
            Some((a.product_id, entry))
        })
        .collect())
}

/// Whether `quantity` fits the product's minimum, maximum and increment; the message if not.
pub(crate) fn quantity_problem(entry: &CatalogEntry, quantity: i32) -> Option<String> {
    if quantity < entry.min_order_quantity {
        Some(format!(
            "{}: order at least {}.",
            entry.name, entry.min_order_quantity
        ))
    } else if quantity > entry.max_order_quantity {
        Some(format!(
            "{}: order at most {} at once.",
            entry.name, entry.max_order_quantity
        ))
    } else if entry.order_increment > 1 && quantity % entry.order_increment != 0 {
        Some(format!(
            "{}: order in multiples of {}.",
            entry.name, entry.order_increment
        ))
    } else {
        None
    }
}

struct ValidLine {
    product_id: i64,
    quantity: i32,
    price: Price,
}

struct ValidDraft {
    account_id: i64,
    lines: Vec<ValidLine>,
    address_id: Option<i64>,
    address: PoAddress,
    save_address: bool,
    requested_ship_date: Option<NaiveDate>,
    comment: String,
    overrides: Entitlements,
    currency: String,
    total_minor: i64,
}

fn parse_date(text: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) => Some(date),
        Err(_) => {
            errors.push(FieldError::new(field, "Enter the date as YYYY-MM-DD."));
            None
        }
    }
}

/// The account a draft is for: an account user's own, or the one an agent chose.
async fn draft_account(
    txn: &DatabaseTransaction,
    side: Side,
    requested: Option<i64>,
) -> DomainResult<account::Model> {
    let (tenant_id, account_id) = match side {
        Side::Account {
            tenant_id,
            account_id,
        } => (tenant_id, account_id),
        Side::Provider { tenant_id } => (
            tenant_id,
            requested.ok_or_else(|| {
                DomainError::invalid("account_id", "Choose the account the order is for.")
            })?,
        ),
    };
    let account = account::Entity::find_by_id(account_id)
        .filter(account::Column::TenantId.eq(tenant_id))
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::out_of_scope("account", account_id))?;
    if account.status != "active" {
        return Err(DomainError::invalid(
            "account_id",
            "This account is suspended and cannot order.",
        ));
    }
    Ok(account)
}

async fn validate_draft(
    txn: &DatabaseTransaction,
    actor: &Actor,
    side: Side,
    account: &account::Model,
    input: &PoInput,
) -> DomainResult<ValidDraft> {
    let tenant_id = side.tenant_id();
    let include_hidden = matches!(side, Side::Provider { .. }) || actor.has(Role::AccountAdmin);
    let catalog = orderables(txn, tenant_id, account.id, include_hidden).await?;
    let mut errors = Vec::new();

    let mut lines: Vec<ValidLine> = Vec::new();
    for line in &input.lines {
        let quantity_text = line.quantity.trim();
        if quantity_text.is_empty() || quantity_text == "0" {
            continue;
        }
        let Some(entry) = line.product_id.and_then(|id| catalog.get(&id)) else {
            errors.push(FieldError::new(
                "lines",
                "One of the products is not available to this account any more; reload the page.",
            ));
            continue;
        };
        let Ok(quantity) = quantity_text.parse::<i32>() else {
            errors.push(FieldError::new(
                "lines",
                format!("{}: enter the quantity as a whole number.", entry.name),
            ));
            continue;
        };
        if quantity < 0 {
            errors.push(FieldError::new(
                "lines",
                format!("{}: the quantity cannot be negative.", entry.name),
            ));
            continue;
        }
        if let Some(problem) = quantity_problem(entry, quantity) {
            errors.push(FieldError::new("lines", problem));
            continue;
        }
        if lines.iter().any(|l| l.product_id == entry.product_id) {
            errors.push(FieldError::new(
                "lines",
                format!("{} appears twice; order it on one line.", entry.name),
            ));
            continue;
        }
        lines.push(ValidLine {
            product_id: entry.product_id,
            quantity,
            price: entry.price.clone(),
        });
    }
    if lines.is_empty() && errors.is_empty() {
        errors.push(FieldError::new(
            "lines",
            "Enter a quantity for at least one product.",
        ));
    }
    let currency = lines
        .first()
        .map(|l| l.price.currency.clone())
        .unwrap_or_default();
    if lines.iter().any(|l| l.price.currency != currency) {
        errors.push(FieldError::new(
            "lines",
            "These products have different currencies; order them on separate purchase orders.",
        ));
    }
    let total_minor = lines.iter().try_fold(0i64, |sum, l| {
        l.price
            .minor
            .checked_mul(i64::from(l.quantity))
            .and_then(|t| sum.checked_add(t))
    });
    let total_minor = total_minor.unwrap_or_else(|| {
        errors.push(FieldError::new("lines", "The order total is too large."));
        0
    });

    let (address_id, address) = match input.shipping_address_id {
        Some(id) => {
            let chosen = shipping_address::Entity::find_by_id(id)
                .filter(shipping_address::Column::AccountId.eq(account.id))
                .filter(shipping_address::Column::TenantId.eq(tenant_id))
                .one(txn)
                .await?;
            match chosen {
                Some(a) => (
                    Some(a.id),
                    PoAddress {
                        recipient: a.recipient,
                        street: a.street,
                        postal_code: a.postal_code,
                        city: a.city,
                        country: a.country,
                    },
                ),
                None => {
                    errors.push(FieldError::new(
                        "shipping_address_id",
                        "Choose one of the account's addresses.",
                    ));
                    (None, PoAddress::default())
                }
            }
        }
        None => {
            let new = &input.new_address;
            let mut field = |name: &str, value: &str, what: &str, max: usize| {
                let value = value.trim();
                if value.is_empty() {
                    errors.push(FieldError::new(
                        format!("new_address.{name}"),
                        format!("Enter the {what}, or choose one of the account's addresses."),
                    ));
                } else if value.chars().count() > max {
                    errors.push(FieldError::new(
                        format!("new_address.{name}"),
                        format!("Use at most {max} characters."),
                    ));
                }
                value.to_owned()
            };
            let address = PoAddress {
                recipient: field("recipient", &new.recipient, "recipient", 200),
                street: field("street", &new.street, "street", 200),
                postal_code: field("postal_code", &new.postal_code, "postal code", 32),
                city: field("city", &new.city, "city", 100),
                country: field("country", &new.country, "country", 2).to_uppercase(),
            };
            let well_formed = address.country.len() == 2
                && address.country.chars().all(|c| c.is_ascii_uppercase());
            if !address.country.is_empty() && !well_formed {
                errors.push(FieldError::new(
                    "new_address.country",
                    "Use the two-letter ISO country code, such as DE.",
                ));
            }
            (None, address)
        }
    };

    let requested_ship_date = parse_date(
        &input.requested_ship_date,
        "requested_ship_date",
        &mut errors,
    );
    if requested_ship_date.is_some_and(|d| d < Utc::now().date_naive()) {
        errors.push(FieldError::new(
            "requested_ship_date",
            "The requested shipping date is in the past.",
        ));
    }
    let comment = input.comment.trim().to_owned();
    if comment.chars().count() > 2000 {
        errors.push(FieldError::new("comment", "Use at most 2000 characters."));
    }

    let overrides = input.overrides.clone();
    errors.extend(override_problems(txn, tenant_id, account.id, &overrides).await?);

    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    Ok(ValidDraft {
        account_id: account.id,
        lines,
        address_id,
        address,
        save_address: input.shipping_address_id.is_none() && input.save_new_address,
        requested_ship_date,
        comment,
        overrides,
        currency,
        total_minor,
    })
}

/// Whether the tenant lets orders change the account's defaults.
async fn overrides_allowed(txn: &DatabaseTransaction, tenant_id: i64) -> DomainResult<bool> {
    Ok(tenant::Entity::find_by_id(tenant_id)
        .one(txn)
        .await?
        .is_some_and(|t| t.allow_default_overrides))
}

/// The ids of the options an account is entitled to.
async fn entitled_options(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    account_id: i64,
) -> DomainResult<Vec<i64>> {
    Ok(account_entitlement::Entity::find()
        .filter(account_entitlement::Column::AccountId.eq(account_id))
        .filter(account_entitlement::Column::TenantId.eq(tenant_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|e| e.option_id)
        .collect())
}

/// The account's defaults by name and, where the tenant allows overrides, the active options
/// the account is entitled to: what an order form offers for the SIMs' settings.
pub(crate) async fn sim_setting_choices(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    account: &account::Model,
) -> DomainResult<SimSettingChoices> {
    let overrides_allowed = overrides_allowed(txn, tenant_id).await?;
    let options = tenant_options(txn, tenant_id, None).await?;
    let names: HashMap<i64, String> = options.iter().map(|o| (o.id, o.name.clone())).collect();
    let account_defaults = crate::accounts::defaults_of(account);
    let defaults = OptionKind::ALL
        .iter()
        .map(|kind| NamedDefault {
            kind: *kind,
            name: account_defaults
                .get(*kind)
                .and_then(|id| names.get(&id).cloned()),
        })
        .collect();
    let override_options = if overrides_allowed {
        let entitled = entitled_options(txn, tenant_id, account.id).await?;
        options
            .into_iter()
            .filter(|o| o.active && entitled.contains(&o.id))
            .collect()
    } else {
        Vec::new()
    };
    Ok(SimSettingChoices {
        defaults,
        overrides_allowed,
        override_options,
    })
}

/// What is wrong with an order's overrides of the account's defaults: each must be an active
/// option of its kind the account is entitled to, and the tenant must allow overrides at all.
pub(crate) async fn override_problems(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    account_id: i64,
    overrides: &Entitlements,
) -> DomainResult<Vec<FieldError>> {
    if OptionKind::ALL.iter().all(|k| overrides.get(*k).is_none()) {
        return Ok(Vec::new());
    }
    if !overrides_allowed(txn, tenant_id).await? {
        return Ok(vec![FieldError::new(
            "overrides",
            "Your provider does not allow orders to change the account's defaults.",
        )]);
    }
    let entitled = entitled_options(txn, tenant_id, account_id).await?;
    let options: HashMap<i64, OptionView> = tenant_options(txn, tenant_id, None)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    Ok(OptionKind::ALL
        .iter()
        .filter_map(|kind| {
            let id = overrides.get(*kind)?;
            let usable = entitled.contains(&id)
                && options
                    .get(&id)
                    .is_some_and(|o| o.kind == *kind && o.active);
            (!usable).then(|| {
                FieldError::new(
                    format!("overrides.{}", kind.as_str()),
                    format!(
                        "Choose one of the {} options this account is entitled to.",
                        kind.label()
                    ),
                )
            })
        })
        .collect())
}

/// Replaces a PO's lines, numbered from 1 in the given order.
async fn replace_lines(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    po_id: i64,
    lines: &[ValidLine],
) -> DomainResult<()> {
    purchase_order_line::Entity::delete_many()
        .filter(purchase_order_line::Column::PurchaseOrderId.eq(po_id))
        .exec(txn)
        .await?;
    if lines.is_empty() {
        return Ok(());
    }
    let rows = lines
        .iter()
        .enumerate()
        .map(|(index, line)| purchase_order_line::ActiveModel {
            tenant_id: Set(tenant_id),
            purchase_order_id: Set(po_id),
            line_number: Set(index as i32 + 1),
            product_id: Set(line.product_id),
            quantity: Set(line.quantity),
            unit_price_minor: Set(line.price.minor),
            currency: Set(line.price.currency.clone()),
            provisioned_quantity: Set(0),
            ..Default::default()
        });
    purchase_order_line::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// Writes the draft's own columns into `model`.
fn fill(model: &mut purchase_order::ActiveModel, draft: &ValidDraft) {
    model.shipping_address_id = Set(draft.address_id);
    model.ship_recipient = Set(draft.address.recipient.clone());
    model.ship_street = Set(draft.address.street.clone());
    model.ship_postal_code = Set(draft.address.postal_code.clone());
    model.ship_city = Set(draft.address.city.clone());
    model.ship_country = Set(draft.address.country.clone());
    model.requested_ship_date = Set(draft.requested_ship_date);
    model.comment = Set(draft.comment.clone());
    set_overrides(model, &draft.overrides);
    model.currency = Set(draft.currency.clone());
    model.total_minor = Set(draft.total_minor);
}

/// Writes the overrides of the account's defaults into `model`.
pub(crate) fn set_overrides(model: &mut purchase_order::ActiveModel, overrides: &Entitlements) {
    model.override_billing_status_id = Set(overrides.billing_status);
    model.override_price_plan_id = Set(overrides.price_plan);
    model.override_service_profile_id = Set(overrides.service_profile);
    model.override_roaming_profile_id = Set(overrides.roaming_profile);
    model.override_apn_group_id = Set(overrides.apn_group);
}

async fn write_lines(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    po_id: i64,
    draft: &ValidDraft,
) -> DomainResult<()> {
    replace_lines(txn, tenant_id, po_id, &draft.lines).await?;
    if draft.save_address {
        shipping_address::ActiveModel {
            tenant_id: Set(tenant_id),
            account_id: Set(draft.account_id),
            label: Set(String::new()),
            recipient: Set(draft.address.recipient.clone()),
            street: Set(draft.address.street.clone()),
            postal_code: Set(draft.address.postal_code.clone()),
            city: Set(draft.address.city.clone()),
            country: Set(draft.address.country.clone()),
            is_default: Set(false),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// Creates a draft PO; an agent creates it on behalf of the account they choose.
pub async fn create_draft(
    db: &DatabaseConnection,
    actor: &Actor,
    input: PoInput,
) -> DomainResult<i64> {
    denials(db, actor, async {
        let side = Side::of(actor)?;
        if matches!(side, Side::Account { .. })
            && !actor.has_any(&[Role::Purchaser, Role::AccountAdmin])
        {
            return Err(DomainError::Forbidden);
        }
        let txn = begin_write(db, DataScope::Tenant(side.tenant_id())).await?;
        let account = draft_account(&txn, side, input.account_id).await?;
        let draft = validate_draft(&txn, actor, side, &account, &input).await?;
        let now = Utc::now();
        let mut model = purchase_order::ActiveModel {
            tenant_id: Set(side.tenant_id()),
            account_id: Set(account.id),
            status: Set(PoStatus::Draft.as_str().to_owned()),
            source: Set(match side {
                Side::Provider { .. } => "agent",
                Side::Account { .. } => "portal",
            }
            .to_owned()),
            created_by: Set(actor.user_id),
            rejection_reason: Set(String::new()),
            carrier: Set(String::new()),
            tracking_number: Set(String::new()),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        fill(&mut model, &draft);
        let po = model.insert(&txn).await?;
        write_lines(&txn, po.tenant_id, po.id, &draft).await?;
        record_event(
            &txn,
            actor,
            &po,
            PoAction::Create,
            None,
            PoStatus::Draft,
            "",
        )
        .await?;
        txn.commit().await?;
        Ok(po.id)
    })
    .await
}

/// Changes a draft; `version` is the one the form showed, so concurrent edits do not overwrite
/// each other silently.
pub async fn update_draft(
    db: &DatabaseConnection,
    actor: &Actor,
    po_id: i64,
    version: i32,
    input: PoInput,
) -> DomainResult<i64> {
    denials(db, actor, async {
        let side = Side::of(actor)?;
        let txn = begin_write(db, DataScope::Tenant(side.tenant_id())).await?;
        let (po, capacity) = load(&txn, actor, po_id).await?;
        workflow::next(status_of(&po)?, Event::Edit, capacity).map_err(refused)?;
        if po.version != version {
            return Err(DomainError::Conflict(CHANGED_MEANWHILE.into()));
        }
        let account = draft_account(&txn, side, Some(po.account_id)).await?;
        let draft = validate_draft(&txn, actor, side, &account, &input).await?;
        let mut changes = <purchase_order::ActiveModel as Default>::default();
        fill(&mut changes, &draft);
        // Every status change bumps the version: an unchanged version is still a draft.
        update_unchanged(&txn, &po, changes).await?;
        write_lines(&txn, po.tenant_id, po.id, &draft).await?;
        AuditEvent::new(audit_action(PoAction::Edit), "purchase_order")
            .target(po.id)
            .tenant(Some(po.tenant_id), Some(po.account_id))
            .record(&txn, Some(actor.user_id))
            .await?;
        txn.commit().await?;
        Ok(po.id)
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Transitions

fn required_reason(action: PoAction, reason: &str) -> DomainResult<String> {
    let reason = reason.trim();
    if action.needs_reason() && reason.is_empty() {
        return Err(DomainError::invalid(
            "reason",
            format!(
                "Give the reason for the {}: the purchaser sees it.",
                match action {
                    PoAction::Decline => "decline",
                    _ => "rejection",
                }
            ),
        ));
    }
    if reason.chars().count() > 2000 {
        return Err(DomainError::invalid(
            "reason",
            "Use at most 2000 characters.",
        ));
    }
    Ok(reason.to_owned())
}

/// Whether the submitter's spending limit sends the PO to an approver first.
async fn needs_approval(
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
        let side = Side::of(actor)?;
        let reason = required_reason(action, reason)?;
        let txn = begin_write(db, DataScope::Tenant(side.tenant_id())).await?;
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
                    "This step needs its own form.",
                ))
            }
        };
        // The workflow decides first, so a stale form gets the precise reason.
        workflow::next(status_of(&po)?, event, capacity).map_err(refused)?;
        if po.version != version {
            return Err(DomainError::Conflict(CHANGED_MEANWHILE.into()));
        }
        if action == PoAction::Accept {
            changes.po_number = Set(Some(next_po_number(&txn, po.tenant_id).await?));
        }
        if action == PoAction::Cancel {
            provisioning::release(&txn, &po).await?;
        }
        let to = transition(&txn, actor, &po, capacity, event, &reason, changes).await?;
        txn.commit().await?;
        Ok(to)
    })
    .await
}

/// Takes the tenant's next PO number. The counter row is locked until the transaction ends,
/// so numbers are unique; a rolled-back acceptance may leave a gap, which is allowed.
async fn next_po_number(txn: &DatabaseTransaction, tenant_id: i64) -> DomainResult<i64> {
    tenant::Entity::update_many()
        .col_expr(
            tenant::Column::NextPoNumber,
            Expr::col(tenant::Column::NextPoNumber).add(1),
        )
        .filter(tenant::Column::Id.eq(tenant_id))
        .exec(txn)
        .await?;
    let next = tenant::Entity::find_by_id(tenant_id)
        .one(txn)
        .await?
        .ok_or(DomainError::NotFound)?
        .next_po_number;
    Ok(next - 1)
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
        let side = Side::of(actor)?;
        let txn = begin_write(db, DataScope::Tenant(side.tenant_id())).await?;
        let (po, capacity) = load(&txn, actor, po_id).await?;
        workflow::next(status_of(&po)?, Event::Ship, capacity).map_err(refused)?;
        let mut errors = Vec::new();
        let carrier = input.carrier.trim().to_owned();
        let tracking_number = input.tracking_number.trim().to_owned();
        for (field, value, what) in [
            ("carrier", &carrier, "the carrier"),
            ("tracking_number", &tracking_number, "the tracking number"),
        ] {
            if value.is_empty() {
                errors.push(FieldError::new(field, format!("Enter {what}.")));
            } else if value.chars().count() > 100 {
                errors.push(FieldError::new(field, "Use at most 100 characters."));
            }
        }
        let shipped_on = parse_date(&input.shipped_on, "shipped_on", &mut errors);
        if input.shipped_on.trim().is_empty() {
            errors.push(FieldError::new("shipped_on", "Enter the shipping date."));
        }
        if shipped_on.is_some_and(|d| d > Utc::now().date_naive() + Duration::days(1)) {
            errors.push(FieldError::new(
                "shipped_on",
                "The shipping date cannot be in the future.",
            ));
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        if po.version != version {
            return Err(DomainError::Conflict(CHANGED_MEANWHILE.into()));
        }
        let changes = purchase_order::ActiveModel {
            carrier: Set(carrier),
            tracking_number: Set(tracking_number),
            shipped_on: Set(shipped_on),
            ..Default::default()
        };
        let to = transition(&txn, actor, &po, capacity, Event::Ship, "", changes).await?;
        txn.commit().await?;
        Ok(to)
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Plausibility

fn check(check: &str, problems: Vec<String>, fine: &str) -> PlausibilityCheck {
    PlausibilityCheck {
        check: check.to_owned(),
        passed: problems.is_empty(),
        detail: if problems.is_empty() {
            fine.to_owned()
        } else {
            problems.join(" ")
        },
    }
}

/// The provider's checks of a submitted PO, computed from the catalog and stock as they are now.
async fn plausibility(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
) -> DomainResult<Vec<PlausibilityCheck>> {
    let lines = purchase_order_line::Entity::find()
        .filter(purchase_order_line::Column::PurchaseOrderId.eq(po.id))
        .order_by_asc(purchase_order_line::Column::LineNumber)
        .all(txn)
        .await?;
    let catalog = orderables(txn, po.tenant_id, po.account_id, true).await?;
    let names: HashMap<i64, String> = product::Entity::find()
        .filter(product::Column::Id.is_in(lines.iter().map(|l| l.product_id)))
        .all(txn)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let name = |id: i64| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));

    let mut assigned = Vec::new();
    let mut limits = Vec::new();
    let mut prices = Vec::new();
    let mut needed: HashMap<i64, i64> = HashMap::new();
    for line in &lines {
        *needed.entry(line.product_id).or_default() += i64::from(line.quantity);
        match catalog.get(&line.product_id) {
            None => assigned.push(format!(
                "{} is no longer assigned to the account or no longer active.",
                name(line.product_id)
            )),
            Some(entry) => {
                if let Some(problem) = quantity_problem(entry, line.quantity) {
                    limits.push(problem);
                }
                let contract = &entry.price;
                if contract.minor != line.unit_price_minor || contract.currency != line.currency {
                    prices.push(format!(
                        "{}: ordered at {}, the contract price is {}.",
                        entry.name,
                        money::format_amount(line.unit_price_minor, &line.currency),
                        contract.display
                    ));
                }
            }
        }
    }
    let free = stock::free_counts(
        txn,
        po.tenant_id,
        &needed.keys().copied().collect::<Vec<_>>(),
    )
    .await?;
    let mut stock_problems: Vec<String> = needed
        .iter()
        .filter_map(|(product_id, quantity)| {
            let available = free.get(product_id).copied().unwrap_or_default();
            (available < *quantity).then(|| {
                format!(
                    "{}: {} ordered, {} free in stock.",
                    name(*product_id),
                    quantity,
                    available
                )
            })
        })
        .collect();
    stock_problems.sort();
    let address_complete = [
        &po.ship_recipient,
        &po.ship_street,
        &po.ship_postal_code,
        &po.ship_city,
        &po.ship_country,
    ]
    .iter()
    .all(|v| !v.trim().is_empty());
    let today = Utc::now().date_naive();
    let date = match po.requested_ship_date {
        None => Vec::new(),
        Some(d) if d < today => vec![format!("The requested date {d} has passed.")],
        Some(d) if d < today + Duration::days(2) => vec![format!(
            "The requested date {d} is less than two days away: check that it can be met."
        )],
        Some(_) => Vec::new(),
    };
    Ok(vec![
        check(
            "Products assigned and active",
            assigned,
            "Every product is assigned to the account and active.",
        ),
        check(
            "Quantities within limits",
            limits,
            "Every quantity is within the product's minimum, maximum and increment.",
        ),
        check(
            "Shipping address complete",
            if address_complete {
                Vec::new()
            } else {
                vec!["The shipping address lacks a field.".to_owned()]
            },
            "Recipient, street, postal code, city and country are given.",
        ),
        check(
            "Contract prices",
            prices,
            "Every line is at the account's contract price.",
        ),
        check(
            "SIM stock",
            stock_problems,
            "Enough free SIMs of every product are in stock.",
        ),
        check(
            "Requested shipping date",
            date,
            match po.requested_ship_date {
                None => "No date requested.",
                Some(_) => "The requested date can be met.",
            },
        ),
    ])
}

// ---------------------------------------------------------------------------------------------
// Reading

pub(crate) fn rfc3339(at: chrono::DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Everything about one PO the actor may see.
pub async fn detail(db: &DatabaseConnection, actor: &Actor, po_id: i64) -> DomainResult<PoDetail> {
    denials(db, actor, async {
        let side = Side::of(actor)?;
        let txn = begin(db, DataScope::Tenant(side.tenant_id())).await?;
        let (po, capacity) = load(&txn, actor, po_id).await?;
        let detail = detail_in(&txn, &po, capacity).await?;
        txn.commit().await?;
        Ok(detail)
    })
    .await
}

async fn detail_in(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
    capacity: Capacity,
) -> DomainResult<PoDetail> {
    let status = status_of(po)?;
    let account = account::Entity::find_by_id(po.account_id)
        .one(txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    let lines = purchase_order_line::Entity::find()
        .filter(purchase_order_line::Column::PurchaseOrderId.eq(po.id))
        .order_by_asc(purchase_order_line::Column::LineNumber)
        .all(txn)
        .await?;
    let products: HashMap<i64, product::Model> = product::Entity::find()
        .filter(product::Column::Id.is_in(lines.iter().map(|l| l.product_id)))
        .all(txn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let options: HashMap<i64, String> = tenant_options(txn, po.tenant_id, None)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let events = purchase_order_event::Entity::find()
        .filter(purchase_order_event::Column::PurchaseOrderId.eq(po.id))
        .order_by_asc(purchase_order_event::Column::Id)
        .all(txn)
        .await?;
    let creator = app_user::Entity::find_by_id(po.created_by)
        .one(txn)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default();

    let overrides = overrides_of(po);
    let defaults = crate::accounts::defaults_of(&account);
    let entitlements = OptionKind::ALL
        .iter()
        .map(|kind| {
            let chosen = overrides.get(*kind);
            PoEntitlement {
                kind: *kind,
                name: chosen
                    .or(defaults.get(*kind))
                    .and_then(|id| options.get(&id).cloned()),
                overridden: chosen.is_some(),
            }
        })
        .collect();

    let sims_visible = capacity.provider
        || matches!(
            status,
            PoStatus::Ready | PoStatus::Shipped | PoStatus::Closed
        );
    let (sims, sim_count) = if sims_visible {
        let query = sim_card::Entity::find()
            .filter(sim_card::Column::TenantId.eq(po.tenant_id))
            .filter(sim_card::Column::PurchaseOrderId.eq(po.id));
        let count = query.clone().count(txn).await?;
        let rows = query
            .order_by_asc(sim_card::Column::Id)
            .limit(SIMS_SHOWN)
            .all(txn)
            .await?;
        (sim_views(rows, &products, &options), count)
    } else {
        (Vec::new(), 0)
    };

    let mut actions = workflow::available(status, capacity);
    actions.retain(|a| *a != PoAction::Edit || status == PoStatus::Draft);
    let procurement_messages = if capacity.provider {
        crate::punchout::outbox::messages_of(txn, po).await?
    } else {
        Vec::new()
    };
    Ok(PoDetail {
        id: po.id,
        version: po.version,
        po_number: po.po_number,
        account_id: po.account_id,
        account_name: account.name,
        status,
        source: po.source.clone(),
        created_by: creator,
        created_at: rfc3339(po.created_at),
        total: money::price(po.total_minor, &po.currency),
        lines: lines
            .iter()
            .map(|l| {
                let product = products.get(&l.product_id);
                PoLineView {
                    line_number: l.line_number,
                    product_id: l.product_id,
                    part_number: product.map(|p| p.part_number.clone()).unwrap_or_default(),
                    product_name: product.map(|p| p.name.clone()).unwrap_or_default(),
                    quantity: l.quantity,
                    unit_price: money::price(l.unit_price_minor, &l.currency),
                    line_total: money::price(
                        l.unit_price_minor.saturating_mul(i64::from(l.quantity)),
                        &l.currency,
                    ),
                    provisioned_quantity: l.provisioned_quantity,
                }
            })
            .collect(),
        shipping_address_id: po.shipping_address_id,
        address: PoAddress {
            recipient: po.ship_recipient.clone(),
            street: po.ship_street.clone(),
            postal_code: po.ship_postal_code.clone(),
            city: po.ship_city.clone(),
            country: po.ship_country.clone(),
        },
        requested_ship_date: po.requested_ship_date.map(|d| d.to_string()),
        comment: po.comment.clone(),
        entitlements,
        overrides,
        external_reference: po.external_reference.clone(),
        rejection_reason: po.rejection_reason.clone(),
        timeline: events
            .into_iter()
            .filter_map(|e| {
                Some(PoEventView {
                    action: PoAction::parse(&e.action)?,
                    from_status: e.from_status.as_deref().and_then(PoStatus::parse),
                    to_status: PoStatus::parse(&e.to_status)?,
                    actor: e.actor_name,
                    reason: e.reason,
                    at: rfc3339(e.at),
                })
            })
            .collect(),
        plausibility: if capacity.provider {
            po.plausibility
                .as_deref()
                .and_then(|json| serde_json::from_str(json).ok())
        } else {
            None
        },
        sims,
        sim_count,
        shipment: po.shipped_on.map(|date| Shipment {
            carrier: po.carrier.clone(),
            tracking_number: po.tracking_number.clone(),
            shipped_on: date.to_string(),
        }),
        actions,
        provider_view: capacity.provider,
        procurement_messages,
    })
}

pub(crate) fn overrides_of(po: &purchase_order::Model) -> Entitlements {
    Entitlements {
        billing_status: po.override_billing_status_id,
        price_plan: po.override_price_plan_id,
        service_profile: po.override_service_profile_id,
        roaming_profile: po.override_roaming_profile_id,
        apn_group: po.override_apn_group_id,
    }
}

fn sim_views(
    rows: Vec<sim_card::Model>,
    products: &HashMap<i64, product::Model>,
    options: &HashMap<i64, String>,
) -> Vec<SimView> {
    let name = |id: Option<i64>| id.and_then(|id| options.get(&id).cloned());
    rows.into_iter()
        .map(|s| SimView {
            part_number: products
                .get(&s.product_id)
                .map(|p| p.part_number.clone())
                .unwrap_or_default(),
            billing_status: name(s.billing_status_id),
            price_plan: name(s.price_plan_id),
            service_profile: name(s.service_profile_id),
            roaming_profile: name(s.roaming_profile_id),
            apn_group: name(s.apn_group_id),
            iccid: s.iccid,
            imsi: s.imsi,
            msisdn: s.msisdn,
        })
        .collect()
}

/// All SIMs of a PO as CSV, for the account from READY on and for the provider.
pub async fn sims_csv(db: &DatabaseConnection, actor: &Actor, po_id: i64) -> DomainResult<String> {
    denials(db, actor, async {
        let side = Side::of(actor)?;
        let txn = begin(db, DataScope::Tenant(side.tenant_id())).await?;
        let (po, capacity) = load(&txn, actor, po_id).await?;
        let status = status_of(&po)?;
        if !capacity.provider
            && !matches!(
                status,
                PoStatus::Ready | PoStatus::Shipped | PoStatus::Closed
            )
        {
            return Err(DomainError::Conflict(
                "The SIMs of this purchase order are not ready yet.".into(),
            ));
        }
        let rows = sim_card::Entity::find()
            .filter(sim_card::Column::TenantId.eq(po.tenant_id))
            .filter(sim_card::Column::PurchaseOrderId.eq(po.id))
            .order_by_asc(sim_card::Column::Id)
            .all(&txn)
            .await?;
        let products: HashMap<i64, product::Model> = product::Entity::find()
            .filter(product::Column::TenantId.eq(po.tenant_id))
            .all(&txn)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let options: HashMap<i64, String> = tenant_options(&txn, po.tenant_id, None)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        txn.commit().await?;
        let mut writer = csv::Writer::from_writer(Vec::new());
        let io = |e: csv::Error| DomainError::Internal(e.to_string());
        writer
            .write_record([
                "iccid",
                "imsi",
                "msisdn",
                "part_number",
                "billing_status",
                "price_plan",
                "service_profile",
                "roaming_profile",
                "apn_group",
            ])
            .map_err(io)?;
        for sim in sim_views(rows, &products, &options) {
            writer
                .write_record([
                    sim.iccid.as_str(),
                    &sim.imsi,
                    sim.msisdn.as_deref().unwrap_or_default(),
                    &sim.part_number,
                    sim.billing_status.as_deref().unwrap_or_default(),
                    sim.price_plan.as_deref().unwrap_or_default(),
                    sim.service_profile.as_deref().unwrap_or_default(),
                    sim.roaming_profile.as_deref().unwrap_or_default(),
                    sim.apn_group.as_deref().unwrap_or_default(),
                ])
                .map_err(io)?;
        }
        let bytes = writer
            .into_inner()
            .map_err(|e| DomainError::Internal(e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| DomainError::Internal(e.to_string()))
    })
    .await
}

/// Which POs a list shows.
#[derive(Debug, Clone, Default)]
pub struct PoQuery {
    pub status: Option<PoStatus>,
    /// Providers only: one account's POs.
    pub account_id: Option<i64>,
    /// Only POs created at least this many days ago.
    pub older_than_days: Option<u32>,
    /// Continue after this PO id (the list is newest first).
    pub after: Option<String>,
    pub limit: u64,
}

#[derive(FromQueryResult)]
struct StatusRow {
    status: String,
    count: i64,
}

/// The provider's PO inbox (every account of the tenant) or an account's own POs, newest
/// first, with counts per status.
pub async fn list(db: &DatabaseConnection, actor: &Actor, query: PoQuery) -> DomainResult<PoList> {
    let side = Side::of(actor)?;
    let limit = query.limit.clamp(1, crate::catalog::MAX_PAGE_SIZE);
    let mut scope = Condition::all().add(purchase_order::Column::TenantId.eq(side.tenant_id()));
    match side {
        Side::Account { account_id, .. } => {
            scope = scope.add(purchase_order::Column::AccountId.eq(account_id));
        }
        Side::Provider { .. } => {
            if let Some(account_id) = query.account_id {
                scope = scope.add(purchase_order::Column::AccountId.eq(account_id));
            }
        }
    }
    if let Some(days) = query.older_than_days {
        scope = scope.add(
            purchase_order::Column::CreatedAt.lte(Utc::now() - Duration::days(i64::from(days))),
        );
    }
    let txn = begin(db, DataScope::Tenant(side.tenant_id())).await?;
    let counts = purchase_order::Entity::find()
        .select_only()
        .column(purchase_order::Column::Status)
        .column_as(Expr::col(purchase_order::Column::Id).count(), "count")
        .filter(scope.clone())
        .group_by(purchase_order::Column::Status)
        .into_model::<StatusRow>()
        .all(&txn)
        .await?;
    let mut rows_query = purchase_order::Entity::find().filter(scope);
    if let Some(status) = query.status {
        rows_query = rows_query.filter(purchase_order::Column::Status.eq(status.as_str()));
    }
    if let Some(after) = query.after.as_deref().filter(|a| !a.is_empty()) {
        let id: i64 = after.parse().map_err(|_| {
            DomainError::invalid(
                "after",
                "This page link is damaged; start from the first page.",
            )
        })?;
        rows_query = rows_query.filter(purchase_order::Column::Id.lt(id));
    }
    let mut rows = rows_query
        .order_by_desc(purchase_order::Column::Id)
        .limit(limit + 1)
        .all(&txn)
        .await?;
    let next = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|po| po.id.to_string())
    } else {
        None
    };
    let ids: Vec<i64> = rows.iter().map(|po| po.id).collect();
    let quantities: HashMap<i64, i64> = purchase_order_line::Entity::find()
        .select_only()
        .column(purchase_order_line::Column::PurchaseOrderId)
        .column_as(
            Expr::col(purchase_order_line::Column::Quantity).sum(),
            "quantity",
        )
        .filter(purchase_order_line::Column::PurchaseOrderId.is_in(ids))
        .group_by(purchase_order_line::Column::PurchaseOrderId)
        .into_tuple::<(i64, i64)>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    let accounts: HashMap<i64, String> = account::Entity::find()
        .filter(account::Column::Id.is_in(rows.iter().map(|po| po.account_id)))
        .all(&txn)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let users: HashMap<i64, String> = app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(rows.iter().map(|po| po.created_by)))
        .all(&txn)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    txn.commit().await?;
    let mut counts: Vec<StatusCount> = counts
        .into_iter()
        .filter_map(|row| {
            Some(StatusCount {
                status: PoStatus::parse(&row.status)?,
                count: u64::try_from(row.count).ok()?,
            })
        })
        .collect();
    counts.sort_by_key(|c| PoStatus::ALL.iter().position(|s| *s == c.status));
    Ok(PoList {
        rows: rows
            .into_iter()
            .filter_map(|po| {
                Some(PoSummary {
                    id: po.id,
                    po_number: po.po_number,
                    account_id: po.account_id,
                    account_name: accounts.get(&po.account_id).cloned().unwrap_or_default(),
                    status: PoStatus::parse(&po.status)?,
                    total: money::price(po.total_minor, &po.currency),
                    quantity: quantities.get(&po.id).copied().unwrap_or_default(),
                    created_by: users.get(&po.created_by).cloned().unwrap_or_default(),
                    created_at: rfc3339(po.created_at),
                    external_reference: po.external_reference,
                })
            })
            .collect(),
        next,
        counts,
    })
}

/// What the PO form needs: for a new PO (of `account_id` when an agent raises it) or a draft.
pub async fn form_data(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: Option<i64>,
    po_id: Option<i64>,
) -> DomainResult<PoFormData> {
    denials(db, actor, async {
        let side = Side::of(actor)?;
        let txn = begin(db, DataScope::Tenant(side.tenant_id())).await?;
        let (draft, account_id) = match po_id {
            Some(po_id) => {
                let (po, capacity) = load(&txn, actor, po_id).await?;
                workflow::next(status_of(&po)?, Event::Edit, capacity).map_err(refused)?;
                let detail = detail_in(&txn, &po, capacity).await?;
                (Some(detail), Some(po.account_id))
            }
            None => (None, account_id),
        };
        let account = draft_account(&txn, side, account_id).await?;
        let include_hidden = matches!(side, Side::Provider { .. }) || actor.has(Role::AccountAdmin);
        let mut products: Vec<CatalogEntry> =
            orderables(&txn, side.tenant_id(), account.id, include_hidden)
                .await?
                .into_values()
                .collect();
        products.sort_by(|a, b| a.name.cmp(&b.name));
        let addresses = shipping_address::Entity::find()
            .filter(shipping_address::Column::AccountId.eq(account.id))
            .filter(shipping_address::Column::TenantId.eq(side.tenant_id()))
            .order_by_desc(shipping_address::Column::IsDefault)
            .order_by_asc(shipping_address::Column::Id)
            .all(&txn)
            .await?
            .into_iter()
            .map(crate::accounts::address_view)
            .collect();
        let sim_settings = sim_setting_choices(&txn, side.tenant_id(), &account).await?;
        txn.commit().await?;
        Ok(PoFormData {
            account_id: account.id,
            account_name: account.name,
            products,
            addresses,
            sim_settings,
            draft,
        })
    })
    .await
}

/// The account admin sets a user's spending limit (empty amount: no limit).
pub async fn set_spending_limit(
    db: &DatabaseConnection,
    actor: &Actor,
    user_id: i64,
    amount: &str,
    currency: &str,
) -> DomainResult<()> {
    denials(db, actor, async {
        let (Some(tenant_id), Some(account_id)) = (actor.tenant_id, actor.account_id) else {
            return Err(DomainError::Forbidden);
        };
        if !actor.has(Role::AccountAdmin) {
            return Err(DomainError::Forbidden);
        }
        let limit = if amount.trim().is_empty() {
            None
        } else {
            let (code, digits) = money::currency(currency, "spending_limit_currency")?;
            let minor = money::parse_amount(amount, digits, "spending_limit")?;
            Some((minor, code))
        };
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let Some(user) = app_user::Entity::find_by_id(user_id)
            .filter(app_user::Column::TenantId.eq(tenant_id))
            .filter(app_user::Column::AccountId.eq(account_id))
            .one(&txn)
            .await?
        else {
            return Err(DomainError::out_of_scope("app_user", user_id));
        };
        let mut model: app_user::ActiveModel = user.into();
        model.spending_limit_minor = Set(limit.as_ref().map(|(minor, _)| *minor));
        model.spending_limit_currency = Set(limit.as_ref().map(|(_, code)| code.clone()));
        model.updated_at = Set(Utc::now());
        model.update(&txn).await?;
        AuditEvent::new("user.spending_limit_set", "app_user")
            .target(user_id)
            .scoped_to(actor)
            .details(json!({
                "limit_minor": limit.as_ref().map(|(minor, _)| *minor),
                "currency": limit.as_ref().map(|(_, code)| code.clone()),
            }))
            .record(&txn, Some(actor.user_id))
            .await?;
        txn.commit().await?;
        Ok(())
    })
    .await
}

/// A spending limit for display.
pub fn spending_limit_of(user: &app_user::Model) -> Option<Price> {
    Some(money::price(
        user.spending_limit_minor?,
        user.spending_limit_currency.as_deref()?,
    ))
}
