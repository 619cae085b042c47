//! Provisioning: SIMs of the tenant's stock assigned to a PO's lines with the PO's
//! entitlements. On PostgreSQL free SIMs are taken with `FOR UPDATE SKIP LOCKED`, so two POs
//! provisioned at the same moment take different SIMs; SQLite has one writer at a time.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, Statement,
};
use simdesk_types::{Entitlements, FieldError, OptionKind, PoStatus, SystemReason, Wording};
use std::collections::HashMap;

use super::scope::{changed_meanwhile, load, refused, status_of};
use super::sim_settings::overrides_of;
use super::stock::SimStatus;
use super::transition::transition;
use super::workflow;
use super::workflow::Event;
use crate::audit::denials;
use crate::db::{begin_write, DataScope};
use crate::entity::{account, purchase_order, purchase_order_line, sim_card};
use crate::policy::OrderScope;
use crate::{Actor, DomainError, DomainResult};

/// The most SIM identities one upload may name.
pub const MAX_IDENTIFIERS: usize = 100_000;

/// The entitlements the PO's SIMs get: the PO's overrides, else the account's defaults.
async fn entitlements_for(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
) -> DomainResult<Entitlements> {
    let account = account::Entity::find_by_id(po.account_id)
        .one(txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    let overrides = overrides_of(po);
    let defaults = crate::accounts::defaults_of(&account);
    let mut chosen = Entitlements::default();
    for kind in OptionKind::ALL {
        chosen.set(*kind, overrides.get(*kind).or(defaults.get(*kind)));
    }
    Ok(chosen)
}

fn placeholder(backend: DbBackend, n: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    }
}

/// Assigns up to `wanted` free SIMs of the line's product; returns how many it got.
async fn take_free(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
    line: &purchase_order_line::Model,
    entitlements: &Entitlements,
    wanted: i64,
) -> DomainResult<i64> {
    let backend = txn.get_database_backend();
    let p = |n| placeholder(backend, n);
    let lock = if backend == DbBackend::Postgres {
        "FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE sim_card SET status = {}, account_id = {}, purchase_order_id = {}, \
         purchase_order_line_id = {}, billing_status_id = {}, price_plan_id = {}, \
         service_profile_id = {}, roaming_profile_id = {}, apn_group_id = {}, assigned_at = {} \
         WHERE id IN (SELECT id FROM sim_card WHERE tenant_id = {} AND product_id = {} \
         AND status = {} ORDER BY id LIMIT {} {lock})",
        p(1),
        p(2),
        p(3),
        p(4),
        p(5),
        p(6),
        p(7),
        p(8),
        p(9),
        p(10),
        p(11),
        p(12),
        p(13),
        p(14),
    );
    let result = txn
        .execute(Statement::from_sql_and_values(
            backend,
            sql,
            [
                SimStatus::Assigned.as_str().into(),
                po.account_id.into(),
                po.id.into(),
                line.id.into(),
                entitlements.billing_status.into(),
                entitlements.price_plan.into(),
                entitlements.service_profile.into(),
                entitlements.roaming_profile.into(),
                entitlements.apn_group.into(),
                Utc::now().into(),
                po.tenant_id.into(),
                line.product_id.into(),
                SimStatus::Free.as_str().into(),
                wanted.into(),
            ],
        ))
        .await?;
    Ok(result.rows_affected() as i64)
}

/// What to provision with.
pub enum Source<'a> {
    /// Free SIMs of each ordered product, oldest first.
    Stock,
    /// Exactly these ICCIDs or IMSIs, one per line (a CSV's first column works too).
    Identifiers(&'a str),
}

/// Assigns SIMs to the PO's open lines. The PO becomes READY when every line has all its SIMs,
/// PROVISIONING while some are missing.
pub async fn provision(
    db: &DatabaseConnection,
    actor: &Actor,
    po_id: i64,
    version: i32,
    source: Source<'_>,
) -> DomainResult<PoStatus> {
    denials(db, actor, async {
        let scope = OrderScope::of(actor)?;
        let txn = begin_write(db, DataScope::Tenant(scope.tenant_id())).await?;
        let (po, capacity) = load(&txn, actor, po_id).await?;
        // Either outcome needs the same status and capacity; check before touching stock.
        workflow::next(
            status_of(&po)?,
            Event::Provision { complete: false },
            capacity,
        )
        .map_err(refused)?;
        if po.version != version {
            return Err(DomainError::conflict(changed_meanwhile()));
        }
        let lines = purchase_order_line::Entity::find()
            .filter(purchase_order_line::Column::PurchaseOrderId.eq(po.id))
            .order_by_asc(purchase_order_line::Column::LineNumber)
            .all(&txn)
            .await?;
        let entitlements = entitlements_for(&txn, &po).await?;
        let mut provisioned: HashMap<i64, i64> = lines
            .iter()
            .map(|l| (l.id, i64::from(l.provisioned_quantity)))
            .collect();
        let added = match source {
            Source::Stock => {
                let mut added = 0;
                for line in &lines {
                    let missing = i64::from(line.quantity) - provisioned[&line.id];
                    if missing > 0 {
                        let got = take_free(&txn, &po, line, &entitlements, missing).await?;
                        *provisioned.entry(line.id).or_default() += got;
                        added += got;
                    }
                }
                if added == 0 {
                    return Err(DomainError::invalid(
                        "stock",
                        Wording::new(
                            "No free SIMs of the ordered products are in stock: load SIMs first.",
                            "Von den bestellten Produkten sind keine freien SIMs auf Lager: Laden Sie zuerst SIMs.",
                        ),
                    ));
                }
                added
            }
            Source::Identifiers(text) => {
                assign_named(&txn, &po, &lines, &entitlements, text, &mut provisioned).await?
            }
        };
        for line in &lines {
            let now = provisioned[&line.id];
            if now != i64::from(line.provisioned_quantity) {
                purchase_order_line::Entity::update_many()
                    .col_expr(
                        purchase_order_line::Column::ProvisionedQuantity,
                        Expr::value(now as i32),
                    )
                    .filter(purchase_order_line::Column::Id.eq(line.id))
                    .exec(&txn)
                    .await?;
            }
        }
        let complete = lines
            .iter()
            .all(|l| provisioned[&l.id] >= i64::from(l.quantity));
        let reason = SystemReason::SimsAssigned(u64::try_from(added).unwrap_or_default()).english();
        let to = status_of(
            &transition(
                &txn,
                actor,
                &po,
                capacity,
                Event::Provision { complete },
                &reason,
                <purchase_order::ActiveModel as Default>::default(),
            )
            .await?,
        )?;
        txn.commit().await?;
        Ok(to)
    })
    .await
}

/// Assigns exactly the SIMs named in `text` (ICCIDs or IMSIs). All or nothing: every name that
/// cannot be used is reported by its line.
async fn assign_named(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
    lines: &[purchase_order_line::Model],
    entitlements: &Entitlements,
    text: &str,
    provisioned: &mut HashMap<i64, i64>,
) -> DomainResult<i64> {
    let names: Vec<(usize, String)> = text
        .lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let first = line
                .split([',', ';', '\t'])
                .next()?
                .trim()
                .trim_matches('"');
            (!first.is_empty() && first.bytes().all(|b| b.is_ascii_digit()))
                .then(|| (index + 1, first.to_owned()))
        })
        .collect();
    if names.is_empty() {
        return Err(DomainError::invalid(
            "identifiers",
            Wording::new(
                "List the ICCIDs or IMSIs to assign, one per line.",
                "Geben Sie die zuzuordnenden ICCIDs oder IMSIs an, eine pro Zeile.",
            ),
        ));
    }
    if names.len() > MAX_IDENTIFIERS {
        return Err(DomainError::invalid(
            "identifiers",
            Wording::new(
                format!("List at most {MAX_IDENTIFIERS} SIMs at once."),
                format!("Geben Sie höchstens {MAX_IDENTIFIERS} SIMs auf einmal an."),
            ),
        ));
    }
    let all: Vec<String> = names.iter().map(|(_, n)| n.clone()).collect();
    let mut found: HashMap<String, sim_card::Model> = HashMap::new();
    for chunk in all.chunks(1_000) {
        let mut query = sim_card::Entity::find()
            .filter(sim_card::Column::TenantId.eq(po.tenant_id))
            .filter(
                sea_orm::Condition::any()
                    .add(sim_card::Column::Iccid.is_in(chunk.iter().cloned()))
                    .add(sim_card::Column::Imsi.is_in(chunk.iter().cloned())),
            );
        if txn.get_database_backend() == DbBackend::Postgres {
            query = sea_orm::QuerySelect::lock_exclusive(query);
        }
        for sim in query.all(txn).await? {
            found.insert(sim.iccid.clone(), sim.clone());
            found.insert(sim.imsi.clone(), sim);
        }
    }
    let mut errors = Vec::new();
    let mut chosen: HashMap<i64, (i64, usize)> = HashMap::new();
    let mut assigned_to_line: HashMap<i64, Vec<i64>> = HashMap::new();
    for (line_number, name) in &names {
        let Some(sim) = found.get(name) else {
            errors.push(FieldError::new(
                "identifiers",
                Wording::new(
                    format!("Line {line_number}: no SIM {name} in stock."),
                    format!("Zeile {line_number}: Keine SIM {name} auf Lager."),
                ),
            ));
            continue;
        };
        if SimStatus::parse(&sim.status) != Some(SimStatus::Free) {
            errors.push(FieldError::new(
                "identifiers",
                Wording::new(
                    format!("Line {line_number}: SIM {name} is already assigned."),
                    format!("Zeile {line_number}: SIM {name} ist bereits zugeordnet."),
                ),
            ));
            continue;
        }
        if let Some((_, first)) = chosen.get(&sim.id) {
            errors.push(FieldError::new(
                "identifiers",
                Wording::new(
                    format!("Line {line_number}: SIM {name} repeats line {first}."),
                    format!("Zeile {line_number}: SIM {name} wiederholt Zeile {first}."),
                ),
            ));
            continue;
        }
        let Some(line) = lines.iter().find(|l| {
            l.product_id == sim.product_id
                && provisioned[&l.id] + assigned_to_line.get(&l.id).map_or(0, |v| v.len() as i64)
                    < i64::from(l.quantity)
        }) else {
            errors.push(FieldError::new(
                "identifiers",
                Wording::new(
                    format!(
                        "Line {line_number}: SIM {name} is of a product this order does not need (more of)."
                    ),
                    format!(
                        "Zeile {line_number}: SIM {name} gehört zu einem Produkt, das diese Bestellung nicht (mehr) braucht."
                    ),
                ),
            ));
            continue;
        };
        chosen.insert(sim.id, (line.id, *line_number));
        assigned_to_line.entry(line.id).or_default().push(sim.id);
    }
    if !errors.is_empty() {
        errors.truncate(200);
        return Err(DomainError::Invalid(errors));
    }
    let mut added = 0;
    for (line_id, sim_ids) in assigned_to_line {
        for chunk in sim_ids.chunks(1_000) {
            let result = sim_card::Entity::update_many()
                .col_expr(
                    sim_card::Column::Status,
                    Expr::value(SimStatus::Assigned.as_str()),
                )
                .col_expr(sim_card::Column::AccountId, Expr::value(po.account_id))
                .col_expr(sim_card::Column::PurchaseOrderId, Expr::value(po.id))
                .col_expr(sim_card::Column::PurchaseOrderLineId, Expr::value(line_id))
                .col_expr(
                    sim_card::Column::BillingStatusId,
                    Expr::value(entitlements.billing_status),
                )
                .col_expr(
                    sim_card::Column::PricePlanId,
                    Expr::value(entitlements.price_plan),
                )
                .col_expr(
                    sim_card::Column::ServiceProfileId,
                    Expr::value(entitlements.service_profile),
                )
                .col_expr(
                    sim_card::Column::RoamingProfileId,
                    Expr::value(entitlements.roaming_profile),
                )
                .col_expr(
                    sim_card::Column::ApnGroupId,
                    Expr::value(entitlements.apn_group),
                )
                .col_expr(sim_card::Column::AssignedAt, Expr::value(Utc::now()))
                .filter(sim_card::Column::Id.is_in(chunk.iter().copied()))
                .filter(sim_card::Column::Status.eq(SimStatus::Free.as_str()))
                .exec(txn)
                .await?;
            if result.rows_affected != chunk.len() as u64 {
                return Err(DomainError::conflict(Wording::new(
                    "Some of these SIMs were assigned elsewhere at the same moment; try again.",
                    "Einige dieser SIMs wurden im selben Moment anderweitig zugeordnet; versuchen Sie es erneut.",
                )));
            }
            added += chunk.len() as i64;
        }
        *provisioned.entry(line_id).or_default() += sim_ids.len() as i64;
    }
    Ok(added)
}
