//! The provider's plausibility checks of a submitted PO: quantities, prices against the
//! contract, the address, the account's state.

use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};
use simdesk_types::PlausibilityCheck;
use std::collections::HashMap;

use super::draft::{orderables, quantity_problem, Contract, ValidLine};
use super::stock;
use crate::entity::{product, purchase_order, purchase_order_line};
use crate::{money, DomainResult};

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
pub(super) async fn plausibility(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
) -> DomainResult<Vec<PlausibilityCheck>> {
    let lines: Vec<ValidLine> = purchase_order_line::Entity::find()
        .filter(purchase_order_line::Column::PurchaseOrderId.eq(po.id))
        .order_by_asc(purchase_order_line::Column::LineNumber)
        .all(txn)
        .await?
        .into_iter()
        .map(|l| ValidLine {
            product_id: l.product_id,
            quantity: l.quantity,
            price: money::price(l.unit_price_minor, &l.currency),
        })
        .collect();
    let catalog = orderables(txn, po.tenant_id, po.account_id, true).await?;
    plausibility_of(txn, po, &lines, &catalog).await
}

/// [`plausibility`] of lines and a contract the caller has at hand: an OrderRequest has just
/// read both.
pub(super) async fn plausibility_of(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
    lines: &[ValidLine],
    catalog: &Contract,
) -> DomainResult<Vec<PlausibilityCheck>> {
    // Only a product gone from the contract needs its name read.
    let gone: Vec<i64> = lines
        .iter()
        .map(|l| l.product_id)
        .filter(|id| !catalog.contains_key(id))
        .collect();
    let names: HashMap<i64, String> = if gone.is_empty() {
        HashMap::new()
    } else {
        product::Entity::find()
            .filter(product::Column::Id.is_in(gone))
            .all(txn)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect()
    };
    let name = |id: i64| {
        catalog
            .get(&id)
            .map(|entry| entry.name.clone())
            .or_else(|| names.get(&id).cloned())
            .unwrap_or_else(|| format!("#{id}"))
    };

    let mut assigned = Vec::new();
    let mut limits = Vec::new();
    let mut prices = Vec::new();
    let mut needed: HashMap<i64, i64> = HashMap::new();
    for line in lines {
        *needed.entry(line.product_id).or_default() += i64::from(line.quantity);
        match catalog.get(&line.product_id) {
            None => assigned.push(format!(
                "{} is no longer assigned to the account or no longer active.",
                name(line.product_id)
            )),
            Some(entry) => {
                if let Some(problem) = quantity_problem(entry, line.quantity) {
                    // Stored with the PO: in English, as the other checks.
                    let problem = problem.english;
                    limits.push(problem);
                }
                let contract = &entry.price;
                if contract.minor != line.price.minor || contract.currency != line.price.currency {
                    prices.push(format!(
                        "{}: ordered at {}, the contract price is {}.",
                        entry.name,
                        money::format_amount(line.price.minor, &line.price.currency),
                        contract.display
                    ));
                }
            }
        }
    }
    let free = stock::free_up_to(txn, po.tenant_id, &needed).await?;
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
