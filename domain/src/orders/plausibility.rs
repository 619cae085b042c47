//! The provider's plausibility checks of a submitted PO: quantities, prices against the
//! contract, the address, the account's state.

use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};
use simdesk_types::{Locale, PlausibilityCheck, Wording};
use std::collections::HashMap;

use super::draft::{orderables, quantity_problem, Contract, ValidLine};
use super::stock;
use crate::entity::{product, purchase_order, purchase_order_line};
use crate::{money, DomainResult};

/// A check named `check`: passed without `problems` (saying `fine`), their sentences otherwise.
fn check(check: Wording, problems: Vec<Wording>, fine: Wording) -> PlausibilityCheck {
    let passed = problems.is_empty();
    let detail = if passed {
        fine
    } else {
        let join = |language: Locale| {
            problems
                .iter()
                .map(|p| p.in_locale(language))
                .collect::<Vec<_>>()
                .join(" ")
        };
        Wording::new(join(Locale::English), join(Locale::German))
    };
    PlausibilityCheck::new(check, passed, detail)
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
            None => {
                let name = name(line.product_id);
                assigned.push(Wording::new(
                    format!("{name} is no longer assigned to the account or no longer active."),
                    format!(
                        "{name} ist dem Kundenkonto nicht mehr zugewiesen oder nicht mehr aktiv."
                    ),
                ))
            }
            Some(entry) => {
                if let Some(problem) = quantity_problem(entry, line.quantity) {
                    limits.push(problem);
                }
                let contract = &entry.price;
                if contract.minor != line.price.minor || contract.currency != line.price.currency {
                    let ordered = money::format_amount(line.price.minor, &line.price.currency);
                    prices.push(Wording::new(
                        format!(
                            "{}: ordered at {ordered}, the contract price is {}.",
                            entry.name, contract.display
                        ),
                        format!(
                            "{}: bestellt zu {ordered}, der Vertragspreis ist {}.",
                            entry.name, contract.display
                        ),
                    ));
                }
            }
        }
    }
    let free = stock::free_up_to(txn, po.tenant_id, &needed).await?;
    let mut short: Vec<(String, i64, i64)> = needed
        .iter()
        .filter_map(|(product_id, quantity)| {
            let available = free.get(product_id).copied().unwrap_or_default();
            (available < *quantity).then(|| (name(*product_id), *quantity, available))
        })
        .collect();
    short.sort();
    let stock_problems: Vec<Wording> = short
        .into_iter()
        .map(|(name, quantity, available)| {
            Wording::new(
                format!("{name}: {quantity} ordered, {available} free in stock."),
                format!("{name}: {quantity} bestellt, {available} frei im Bestand."),
            )
        })
        .collect();
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
        Some(d) if d < today => vec![Wording::new(
            format!("The requested date {d} has passed."),
            format!("Das gewünschte Datum {d} ist vorbei."),
        )],
        Some(d) if d < today + Duration::days(2) => vec![Wording::new(
            format!("The requested date {d} is less than two days away: check that it can be met."),
            format!(
                "Das gewünschte Datum {d} ist weniger als zwei Tage entfernt: Prüfen Sie, ob es sich halten lässt."
            ),
        )],
        Some(_) => Vec::new(),
    };
    Ok(vec![
        check(
            Wording::new("Products assigned and active", "Produkte zugewiesen und aktiv"),
            assigned,
            Wording::new(
                "Every product is assigned to the account and active.",
                "Jedes Produkt ist dem Kundenkonto zugewiesen und aktiv.",
            ),
        ),
        check(
            Wording::new("Quantities within limits", "Mengen innerhalb der Grenzen"),
            limits,
            Wording::new(
                "Every quantity is within the product's minimum, maximum and increment.",
                "Jede Menge liegt innerhalb von Mindestmenge, Höchstmenge und Bestellschritt des Produkts.",
            ),
        ),
        check(
            Wording::new("Shipping address complete", "Lieferadresse vollständig"),
            if address_complete {
                Vec::new()
            } else {
                vec![Wording::new(
                    "The shipping address lacks a field.",
                    "Der Lieferadresse fehlt ein Feld.",
                )]
            },
            Wording::new(
                "Recipient, street, postal code, city and country are given.",
                "Empfänger, Straße, Postleitzahl, Ort und Land sind angegeben.",
            ),
        ),
        check(
            Wording::new("Contract prices", "Vertragspreise"),
            prices,
            Wording::new(
                "Every line is at the account's contract price.",
                "Jede Position hat den Vertragspreis des Kundenkontos.",
            ),
        ),
        check(
            Wording::new("SIM stock", "SIM-Bestand"),
            stock_problems,
            Wording::new(
                "Enough free SIMs of every product are in stock.",
                "Von jedem Produkt sind genug freie SIMs im Bestand.",
            ),
        ),
        check(
            Wording::new("Requested shipping date", "Gewünschtes Versanddatum"),
            date,
            match po.requested_ship_date {
                None => Wording::new("No date requested.", "Kein Datum gewünscht."),
                Some(_) => Wording::new(
                    "The requested date can be met.",
                    "Das gewünschte Datum lässt sich halten.",
                ),
            },
        ),
    ])
}
