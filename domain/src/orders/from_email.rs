//! A draft PO made of an order e-mail: each line matched to one of the account's products (by
//! part number, then by name similarity, with a confidence), the buyer's reference, address
//! and requested date taken over, and every difference listed for the agent who confirms it.
//! The draft then follows the normal workflow.

use chrono::Utc;
use mailorder::{RequestedLine, RequestedOrder};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use simdesk_types::{
    CatalogEntry, Finding, FindingKind, PoAddress, PoStatus, ReadLine, SystemReason, Wording,
};

use super::draft::{orderables, quantity_problem, replace_lines, ValidLine};
use super::procurement::default_address;
use super::transition::{record_event, TimelineEntry};
use crate::accounts::buyer_parts::normalized;
use crate::entity::{account, buyer_part_number, purchase_order};
use crate::{money, Actor, DomainResult};

/// Below this, a name match is no match.
const LEAST_CONFIDENCE: f64 = 0.55;
/// Below this, a match is listed for the agent to check.
const SURE: f64 = 0.9;

/// What became of an order e-mail.
pub struct EmailDraft {
    pub po_id: i64,
    pub lines: Vec<ReadLine>,
    pub findings: Vec<Finding>,
}

/// Creates the draft of `order` for `account`, raised by `creator` (the sender, or the agent
/// who assigned the message).
pub(crate) async fn create_from_email(
    txn: &DatabaseTransaction,
    creator: &Actor,
    account: &account::Model,
    order: &RequestedOrder,
) -> DomainResult<EmailDraft> {
    let tenant_id = account.tenant_id;
    let catalog: Vec<CatalogEntry> = orderables(txn, tenant_id, account.id, true)
        .await?
        .into_values()
        .collect();
    let buyer_parts: Vec<(String, i64)> = buyer_part_number::Entity::find()
        .filter(buyer_part_number::Column::AccountId.eq(account.id))
        .all(txn)
        .await?
        .into_iter()
        .map(|b| (b.buyer_part, b.product_id))
        .collect();
    let mut findings = Vec::new();
    let mut finding =
        |kind: FindingKind, message: Wording| findings.push(Finding::new(kind, message));
    let mut read = Vec::new();
    let mut lines: Vec<ValidLine> = Vec::new();
    for line in &order.lines {
        let Some((entry, confidence)) = best_match(line, &catalog, &buyer_parts) else {
            finding(
                FindingKind::UnknownProduct,
                Wording::new(
                    format!("“{}”: no product of the account matches.", line.text),
                    format!("„{}“: Kein Produkt des Kundenkontos passt.", line.text),
                ),
            );
            read.push(ReadLine {
                text: line.text.clone(),
                quantity: line.quantity,
                product: None,
                confidence: 0,
            });
            continue;
        };
        read.push(ReadLine {
            text: line.text.clone(),
            quantity: line.quantity,
            product: Some(entry.name.clone()),
            confidence: (confidence * 100.0).round() as u8,
        });
        if confidence < SURE {
            finding(
                FindingKind::UncertainMatch,
                Wording::new(
                    format!(
                        "“{}” was read as {} ({}% sure).",
                        line.text,
                        entry.name,
                        (confidence * 100.0).round()
                    ),
                    format!(
                        "„{}“ wurde als {} gelesen ({} % sicher).",
                        line.text,
                        entry.name,
                        (confidence * 100.0).round()
                    ),
                ),
            );
        }
        if let Some(expected) = line.unit_price_minor {
            let currency = line.currency.as_deref().unwrap_or(&entry.price.currency);
            if expected != entry.price.minor || currency != entry.price.currency {
                finding(
                    FindingKind::PriceDiffers,
                    Wording::new(
                        format!(
                            "{}: the buyer expects {}, the contract price is {}.",
                            entry.name,
                            money::price(expected, currency).display,
                            entry.price.display
                        ),
                        format!(
                            "{}: Der Käufer erwartet {}, der Vertragspreis ist {}.",
                            entry.name,
                            money::price(expected, currency).display,
                            entry.price.display
                        ),
                    ),
                );
            }
        }
        let quantity = i32::try_from(line.quantity).unwrap_or(i32::MAX);
        if let Some(existing) = lines.iter_mut().find(|l| l.product_id == entry.product_id) {
            existing.quantity = existing.quantity.saturating_add(quantity);
            finding(
                FindingKind::RepeatedProduct,
                Wording::new(
                    format!(
                        "{} is on several lines; the quantities were added up.",
                        entry.name
                    ),
                    format!(
                        "{} steht in mehreren Zeilen; die Mengen wurden zusammengezählt.",
                        entry.name
                    ),
                ),
            );
        } else {
            lines.push(ValidLine {
                product_id: entry.product_id,
                quantity,
                price: entry.price.clone(),
            });
        }
    }
    for line in &lines {
        let entry = catalog.iter().find(|e| e.product_id == line.product_id);
        if let Some(problem) = entry.and_then(|e| quantity_problem(e, line.quantity)) {
            finding(FindingKind::QuantityOutsideLimits, problem);
        }
    }
    for text in &order.unread {
        finding(
            FindingKind::UnreadLine,
            Wording::new(
                format!("“{text}” looks like an order line but could not be read."),
                format!("„{text}“ sieht wie eine Bestellposition aus, konnte aber nicht gelesen werden."),
            ),
        );
    }
    if order.lines.is_empty() && order.unread.is_empty() {
        finding(
            FindingKind::NoLines,
            Wording::new(
                "No order line could be read from the message.",
                "Aus der Nachricht konnte keine Bestellposition gelesen werden.",
            ),
        );
    }
    // One currency per PO: lines in another currency than the first stay out.
    let currency = lines
        .first()
        .map(|l| l.price.currency.clone())
        .unwrap_or_default();
    lines.retain(|l| l.price.currency == currency);
    let total_minor = lines
        .iter()
        .map(|l| l.price.minor.saturating_mul(i64::from(l.quantity)))
        .fold(0i64, i64::saturating_add);

    let (address, address_id) = match &order.ship_to {
        Some(a) => {
            if a.country.is_empty() {
                finding(
                    FindingKind::AddressMissing,
                    Wording::new(
                        "The ship-to address has no country.",
                        "Der Lieferadresse fehlt das Land.",
                    ),
                );
            }
            (
                PoAddress {
                    recipient: if a.recipient.is_empty() {
                        account.name.clone()
                    } else {
                        a.recipient.clone()
                    },
                    street: a.street.clone(),
                    postal_code: a.postal_code.clone(),
                    city: a.city.clone(),
                    country: a.country.clone(),
                },
                None,
            )
        }
        None => match default_address(txn, tenant_id, account.id).await? {
            Some(a) => {
                finding(
                    FindingKind::AddressFromAccount,
                    Wording::new(
                        format!(
                            "The e-mail gives no ship-to address; the account's address in {} is used.",
                            a.city
                        ),
                        format!(
                            "Die E-Mail nennt keine Lieferadresse; die Adresse des Kundenkontos in {} wird verwendet.",
                            a.city
                        ),
                    ),
                );
                let id = a.id;
                (PoAddress::from(a), Some(id))
            }
            None => {
                finding(
                    FindingKind::AddressMissing,
                    Wording::new(
                        "The e-mail gives no ship-to address, and the account has none.",
                        "Die E-Mail nennt keine Lieferadresse, und das Kundenkonto hat keine.",
                    ),
                );
                (PoAddress::default(), None)
            }
        },
    };
    let requested_ship_date = match order.requested_date {
        Some(date) if date < Utc::now().date_naive() => {
            finding(
                FindingKind::DateNotUsable,
                Wording::new(
                    format!("The requested date {date} is in the past."),
                    format!("Der Wunschtermin {date} liegt in der Vergangenheit."),
                ),
            );
            None
        }
        other => other,
    };
    if let Some(reference) = &order.reference {
        let earlier = purchase_order::Entity::find()
            .filter(purchase_order::Column::TenantId.eq(tenant_id))
            .filter(purchase_order::Column::AccountId.eq(account.id))
            .filter(purchase_order::Column::ExternalReference.eq(reference.as_str()))
            .filter(purchase_order::Column::Status.ne(PoStatus::Cancelled.as_str()))
            .one(txn)
            .await?;
        if let Some(earlier) = earlier {
            finding(
                FindingKind::DuplicateReference,
                Wording::new(
                    format!(
                        "The buyer's reference {reference} is already on purchase order {}.",
                        super::reference_of(&earlier)
                    ),
                    format!(
                        "Die Referenz des Käufers {reference} steht bereits auf der Bestellung {}.",
                        super::reference_of(&earlier)
                    ),
                ),
            );
        }
    }

    let now = Utc::now();
    let po = purchase_order::ActiveModel {
        tenant_id: Set(tenant_id),
        account_id: Set(account.id),
        status: Set(PoStatus::Draft.as_str().to_owned()),
        source: Set("email".to_owned()),
        created_by: Set(creator.user_id),
        shipping_address_id: Set(address_id),
        ship_recipient: Set(address.recipient),
        ship_street: Set(address.street),
        ship_postal_code: Set(address.postal_code),
        ship_city: Set(address.city),
        ship_country: Set(address.country),
        requested_ship_date: Set(requested_ship_date),
        comment: Set(String::new()),
        currency: Set(currency),
        total_minor: Set(total_minor),
        rejection_reason: Set(String::new()),
        carrier: Set(String::new()),
        tracking_number: Set(String::new()),
        external_reference: Set(order.reference.clone()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    replace_lines(txn, tenant_id, po.id, &lines).await?;
    record_event(
        txn,
        creator,
        &po,
        TimelineEntry::created(PoStatus::Draft, &SystemReason::FromEmail.english()),
        Vec::new(),
    )
    .await?;
    Ok(EmailDraft {
        po_id: po.id,
        lines: read,
        findings,
    })
}

/// The product `line` means, with how sure that is (0 to 1): by the provider's part number,
/// then by the buyer's own (`buyer_parts`: upper-cased part number, product), then by name.
fn best_match<'a>(
    line: &RequestedLine,
    catalog: &'a [CatalogEntry],
    buyer_parts: &[(String, i64)],
) -> Option<(&'a CatalogEntry, f64)> {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let product = |id: i64| catalog.iter().find(|e| e.product_id == id);
    if let Some(code) = &line.code {
        let squashed = squash(code);
        if let Some(entry) = catalog.iter().find(|e| squash(&e.part_number) == squashed) {
            return Some((entry, 1.0));
        }
        let code = normalized(code);
        if let Some(entry) = buyer_parts
            .iter()
            .find(|(part, _)| *part == code)
            .and_then(|(_, id)| product(*id))
        {
            return Some((entry, 1.0));
        }
    }
    // A part number anywhere in the line, the longest first ("X-IOT-4FF" before "X-IOT").
    let text = line.description.to_lowercase();
    let mut by_length: Vec<&CatalogEntry> = catalog.iter().collect();
    by_length.sort_by_key(|e| std::cmp::Reverse(e.part_number.len()));
    if let Some(entry) = by_length.into_iter().find(|e| {
        let part = e.part_number.to_lowercase();
        !part.is_empty() && contains_token(&text, &part)
    }) {
        return Some((entry, 1.0));
    }
    let upper = line.description.to_uppercase();
    if let Some(entry) = buyer_parts
        .iter()
        .filter(|(part, _)| contains_token(&upper, part))
        .max_by_key(|(part, _)| part.len())
        .and_then(|(_, id)| product(*id))
    {
        return Some((entry, 1.0));
    }
    let mut scored: Vec<(&CatalogEntry, f64)> = catalog
        .iter()
        .map(|e| (e, similarity(&line.description, &e.name)))
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (best, score) = *scored.first()?;
    if score < LEAST_CONFIDENCE {
        return None;
    }
    // Two products about as likely: the agent must decide.
    let runner_up = scored.get(1).map_or(0.0, |s| s.1);
    let confidence = if score - runner_up < 0.1 {
        score.min(SURE - 0.05)
    } else {
        score
    };
    Some((best, confidence))
}

fn contains_token(text: &str, token: &str) -> bool {
    text.match_indices(token).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + token.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '-');
        boundary(before) && boundary(after)
    })
}

/// How alike a written name and a product name are: the words of the product's name found in
/// the text, and the letters' likeness, half each.
fn similarity(written: &str, name: &str) -> f64 {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (written_words, name_words) = (words(written), words(name));
    if name_words.is_empty() || written_words.is_empty() {
        return 0.0;
    }
    let found = name_words
        .iter()
        .filter(|w| {
            written_words
                .iter()
                .any(|x| x == *w || strsim::jaro_winkler(x, w) > 0.92)
        })
        .count() as f64
        / name_words.len() as f64;
    let letters = strsim::sorensen_dice(&written_words.join(" "), &name_words.join(" "));
    (found + letters) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use simdesk_types::{FormFactor, SimType};

    fn entry(id: i64, part: &str, name: &str) -> CatalogEntry {
        CatalogEntry {
            product_id: id,
            part_number: part.into(),
            name: name.into(),
            description: String::new(),
            sim_type: SimType::ALL[0],
            form_factor: FormFactor::ALL[0],
            features: String::new(),
            price: money::price(490, "EUR"),
            unit_of_measure: "EA".into(),
            min_order_quantity: 10,
            max_order_quantity: 1000,
            order_increment: 10,
            orderable_by_users: true,
        }
    }

    fn line(description: &str, code: Option<&str>) -> RequestedLine {
        RequestedLine {
            text: description.into(),
            code: code.map(Into::into),
            description: description.into(),
            quantity: 10,
            unit_price_minor: None,
            currency: None,
        }
    }

    fn catalog() -> Vec<CatalogEntry> {
        vec![
            entry(1, "NW-IOT-4FF", "Industrial IoT SIM, nano"),
            entry(2, "NW-IOT-MFF2", "Embedded IoT chip"),
            entry(3, "NW-ESIM", "Consumer-grade eSIM profile"),
        ]
    }

    fn matched(description: &str, code: Option<&str>) -> Option<(i64, u8)> {
        let catalog = catalog();
        best_match(&line(description, code), &catalog, &[])
            .map(|(e, c)| (e.product_id, (c * 100.0).round() as u8))
    }

    #[test]
    fn a_part_number_is_a_sure_match() {
        assert_eq!(matched("nw-iot-mff2", None), Some((2, 100)));
        assert_eq!(
            matched("SIMs (NW-IOT-4FF) for the fleet", None),
            Some((1, 100))
        );
        assert_eq!(matched("whatever", Some("NW IOT 4FF")), Some((1, 100)));
        // A longer part number is not mistaken for a shorter one it contains.
        assert_ne!(matched("NW-IOT-4FF-X", None).map(|m| m.1), Some(100));
    }

    #[test]
    fn the_buyers_own_part_number_is_a_sure_match() {
        let catalog = catalog();
        let buyer_parts = vec![("MAT-0815".to_owned(), 2), ("SIM".to_owned(), 3)];
        let found = |description: &str, code: Option<&str>| {
            best_match(&line(description, code), &catalog, &buyer_parts)
                .map(|(e, c)| (e.product_id, (c * 100.0).round() as u8))
        };
        assert_eq!(found("40 pcs mat-0815 please", None), Some((2, 100)));
        assert_eq!(found("whatever", Some(" mat-0815 ")), Some((2, 100)));
        // The provider's part number wins over a buyer part number in the same line.
        assert_eq!(found("MAT-0815 NW-IOT-4FF", None), Some((1, 100)));
        // A buyer part number must stand alone, as a part number does.
        assert_ne!(found("MAT-08150", None).map(|m| m.1), Some(100));
    }

    #[test]
    fn names_match_with_a_confidence() {
        let (id, confidence) = matched("Industrial IoT SIM nano", None).expect("match");
        assert_eq!(id, 1);
        assert!(confidence >= 90, "{confidence}");
        let (id, confidence) = matched("embedded chip", None).expect("match");
        assert_eq!(id, 2);
        assert!(confidence < 90, "{confidence}");
        assert_eq!(matched("Coffee beans, dark roast", None), None);
    }
}
