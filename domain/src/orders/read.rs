//! Reading POs: one PO's page, its SIMs as CSV, and the keyset-paged list with counts per
//! status.

use chrono::{Duration, Utc};
use sea_orm::sea_query::{Alias, Asterisk, Expr, Func};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use simdesk_types::{
    OptionKind, PoAction, PoAddress, PoDetail, PoEntitlement, PoEventView, PoLineView, PoList,
    PoStatus, PoSummary, Shipment, SimView, StatusCount, Wording,
};
use std::collections::HashMap;

use super::scope::{load, status_of};
use super::sim_settings::overrides_of;
use super::workflow::{self, Capacity};
use crate::audit::denials;
use crate::catalog::tenant_options;
use crate::db::{begin, DataScope};
use crate::entity::{
    account, app_user, product, purchase_order, purchase_order_event, purchase_order_line,
    purchase_order_status_count, purchase_order_tenant_status_count, sim_card,
};
use crate::policy::OrderScope;
use crate::timestamps::rfc3339;
use crate::{money, Actor, DomainError, DomainResult};

pub const PAGE_SIZE: u64 = 50;

/// The SIMs a PO page lists; the rest come as CSV.
const SIMS_SHOWN: u64 = 100;

/// Everything about one PO the actor may see.
pub async fn detail(db: &DatabaseConnection, actor: &Actor, po_id: i64) -> DomainResult<PoDetail> {
    denials(db, actor, async {
        let scope = OrderScope::of(actor)?;
        let txn = begin(db, DataScope::Tenant(scope.tenant_id())).await?;
        let (po, capacity) = load(&txn, actor, po_id).await?;
        let detail = detail_in(&txn, &po, capacity).await?;
        txn.commit().await?;
        Ok(detail)
    })
    .await
}

pub(super) async fn detail_in(
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

/// All SIMs of a PO, for the account from READY on and for the provider.
pub async fn sims(
    db: &DatabaseConnection,
    actor: &Actor,
    po_id: i64,
) -> DomainResult<Vec<SimView>> {
    denials(db, actor, async {
        let scope = OrderScope::of(actor)?;
        let txn = begin(db, DataScope::Tenant(scope.tenant_id())).await?;
        let (po, capacity) = load(&txn, actor, po_id).await?;
        let status = status_of(&po)?;
        if !capacity.provider
            && !matches!(
                status,
                PoStatus::Ready | PoStatus::Shipped | PoStatus::Closed
            )
        {
            return Err(DomainError::conflict(Wording::new(
                "The SIMs of this purchase order are not ready yet.",
                "Die SIMs dieser Bestellung sind noch nicht bereit.",
            )));
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
        Ok(sim_views(rows, &products, &options))
    })
    .await
}

/// All SIMs of a PO as CSV, for the account from READY on and for the provider.
pub async fn sims_csv(db: &DatabaseConnection, actor: &Actor, po_id: i64) -> DomainResult<String> {
    let all = sims(db, actor, po_id).await?;
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
    for sim in all {
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
}

/// The largest age filter that changes anything.
const MAX_AGE_DAYS: u32 = 36_500;

/// Which POs a list shows.
#[derive(Debug, Clone, Default)]
pub struct PoQuery {
    /// Only POs in one of these statuses; every status when empty.
    pub statuses: Vec<PoStatus>,
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
    let scope = OrderScope::of(actor)?;
    let limit = query.limit.clamp(1, crate::paging::MAX_PAGE_SIZE);
    // An account's users see their own account; the provider all, or the one asked for.
    let account = match scope {
        OrderScope::Account { account_id, .. } => Some(account_id),
        OrderScope::Provider { .. } => query.account_id,
    };
    let mut visible = Condition::all().add(purchase_order::Column::TenantId.eq(scope.tenant_id()));
    if let Some(account_id) = account {
        visible = visible.add(purchase_order::Column::AccountId.eq(account_id));
    }
    if let Some(days) = query.older_than_days {
        // A century back is as old as any PO; a larger count would overflow the date.
        let days = i64::from(days.min(MAX_AGE_DAYS));
        visible =
            visible.add(purchase_order::Column::CreatedAt.lte(Utc::now() - Duration::days(days)));
    }
    let txn = begin(db, DataScope::Tenant(scope.tenant_id())).await?;
    // SUM of a bigint is a numeric on PostgreSQL.
    let summed = |column: Expr| Expr::expr(Func::cast_as(column.sum(), Alias::new("bigint")));
    let counts = match (query.older_than_days, account) {
        // The counters the database keeps: a few rows per status, whatever the orders.
        (None, Some(account_id)) => {
            purchase_order_status_count::Entity::find()
                .select_only()
                .column(purchase_order_status_count::Column::Status)
                .column_as(
                    summed(Expr::col(purchase_order_status_count::Column::Orders)),
                    "count",
                )
                .filter(purchase_order_status_count::Column::TenantId.eq(scope.tenant_id()))
                .filter(purchase_order_status_count::Column::AccountId.eq(account_id))
                .group_by(purchase_order_status_count::Column::Status)
                .into_model::<StatusRow>()
                .all(&txn)
                .await?
        }
        // The whole tenant's: summing its accounts' rows would grow with the accounts.
        (None, None) => {
            purchase_order_tenant_status_count::Entity::find()
                .select_only()
                .column(purchase_order_tenant_status_count::Column::Status)
                .column_as(
                    summed(Expr::col(
                        purchase_order_tenant_status_count::Column::Orders,
                    )),
                    "count",
                )
                .filter(purchase_order_tenant_status_count::Column::TenantId.eq(scope.tenant_id()))
                .group_by(purchase_order_tenant_status_count::Column::Status)
                .into_model::<StatusRow>()
                .all(&txn)
                .await?
        }
        // Counting a window of creation dates needs the orders themselves. COUNT(*), not of
        // the id, which PostgreSQL's (tenant, status, created) indexes do not hold: it reads
        // them alone, without visiting every order.
        (Some(_), _) => {
            purchase_order::Entity::find()
                .select_only()
                .column(purchase_order::Column::Status)
                .column_as(Expr::col(Asterisk).count(), "count")
                .filter(visible.clone())
                .group_by(purchase_order::Column::Status)
                .into_model::<StatusRow>()
                .all(&txn)
                .await?
        }
    };
    let mut rows_query = purchase_order::Entity::find().filter(visible);
    if !query.statuses.is_empty() {
        rows_query = rows_query.filter(
            purchase_order::Column::Status.is_in(query.statuses.iter().map(|s| s.as_str())),
        );
    }
    if let Some(after) = query.after.as_deref().filter(|a| !a.is_empty()) {
        let id: i64 = after.parse().map_err(|_| {
            DomainError::invalid(
                "after",
                Wording::new(
                    "This page link is damaged; start from the first page.",
                    "Dieser Seitenlink ist beschädigt; beginnen Sie auf der ersten Seite.",
                ),
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
                count: u64::try_from(row.count).ok().filter(|n| *n > 0)?,
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
