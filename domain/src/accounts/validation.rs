//! The checks on an account's data (and on the address fields shared with shipping addresses),
//! and how checked data is written onto the account.

use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use simdesk_types::{AccountInput, FieldError, Wording};
use std::collections::HashSet;

use crate::entity::account;
use crate::{DomainError, DomainResult};

const STATUSES: [&str; 2] = ["active", "suspended"];

/// A text field, trimmed, of at most `max` characters. `missing` is the whole message when a
/// required field is empty ("Enter the city."); `None` for an optional field.
pub(super) fn text(
    value: &str,
    field: &str,
    max: usize,
    missing: Option<Wording>,
    errors: &mut Vec<FieldError>,
) -> String {
    let value = value.trim();
    if let Some(missing) = missing.filter(|_| value.is_empty()) {
        errors.push(FieldError::new(field, missing));
    } else if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            Wording::new(
                format!("Use at most {max} characters."),
                format!("Verwenden Sie höchstens {max} Zeichen."),
            ),
        ));
    }
    value.to_owned()
}

pub(super) fn country(
    value: &str,
    field: &str,
    required: bool,
    errors: &mut Vec<FieldError>,
) -> String {
    let code = value.trim().to_uppercase();
    let ok = code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase());
    if (required || !code.is_empty()) && !ok {
        errors.push(FieldError::new(
            field,
            Wording::new(
                "Use the two-letter ISO country code, such as DE.",
                "Verwenden Sie den zweistelligen ISO-Ländercode, etwa DE.",
            ),
        ));
    }
    code
}

/// Checks an account's data; the billing address may be completed later (the checklist says so).
pub(super) async fn validate_account(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    input: &AccountInput,
    this_account: Option<i64>,
) -> DomainResult<AccountInput> {
    let mut errors = Vec::new();
    let name = text(
        &input.name,
        "name",
        200,
        Some(Wording::new(
            "Enter the company name.",
            "Geben Sie den Firmennamen ein.",
        )),
        &mut errors,
    );
    let customer_number = input.customer_number.trim().to_uppercase();
    if customer_number.is_empty()
        || customer_number.len() > 64
        || !customer_number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
    {
        errors.push(FieldError::new(
            "customer_number",
            Wording::new(
                "Enter the customer number: 1 to 64 letters, digits, dots, dashes, slashes or underscores.",
                "Geben Sie die Kundennummer ein: 1 bis 64 Buchstaben, Ziffern, Punkte, Bindestriche, Schrägstriche oder Unterstriche.",
            ),
        ));
    }
    let vat_id = text(&input.vat_id, "vat_id", 32, None, &mut errors).to_uppercase();
    let billing_name = text(&input.billing_name, "billing_name", 200, None, &mut errors);
    let billing_street = text(
        &input.billing_street,
        "billing_street",
        200,
        None,
        &mut errors,
    );
    let billing_postal_code = text(
        &input.billing_postal_code,
        "billing_postal_code",
        32,
        None,
        &mut errors,
    );
    let billing_city = text(&input.billing_city, "billing_city", 100, None, &mut errors);
    let billing_country = country(
        &input.billing_country,
        "billing_country",
        false,
        &mut errors,
    );
    let status = if input.status.trim().is_empty() {
        "active".to_owned()
    } else {
        input.status.trim().to_lowercase()
    };
    if !STATUSES.contains(&status.as_str()) {
        errors.push(FieldError::new(
            "status",
            Wording::new(
                "Choose active or suspended.",
                "Wählen Sie Aktiv oder Gesperrt.",
            ),
        ));
    }
    if let Some(parent_id) = input.parent_account_id {
        if Some(parent_id) == this_account {
            errors.push(FieldError::new(
                "parent_account_id",
                Wording::new(
                    "An account cannot be its own parent.",
                    "Ein Kundenkonto kann nicht sein eigenes übergeordnetes Kundenkonto sein.",
                ),
            ));
        } else {
            // Walk up from the parent: it must be ours, and the chain must not come back here.
            let mut cursor = Some(parent_id);
            let mut visited = HashSet::new();
            while let Some(id) = cursor {
                if !visited.insert(id) || Some(id) == this_account {
                    errors.push(FieldError::new(
                        "parent_account_id",
                        Wording::new(
                            "This parent would make a loop of accounts.",
                            "Dieses übergeordnete Kundenkonto würde eine Schleife von Kundenkonten bilden.",
                        ),
                    ));
                    break;
                }
                match account::Entity::find_by_id(id)
                    .filter(account::Column::TenantId.eq(tenant_id))
                    .one(db)
                    .await?
                {
                    Some(found) => cursor = found.parent_account_id,
                    None => {
                        errors.push(FieldError::new(
                            "parent_account_id",
                            Wording::new(
                                "Choose a parent account from the list.",
                                "Wählen Sie ein übergeordnetes Kundenkonto aus der Liste.",
                            ),
                        ));
                        break;
                    }
                }
            }
        }
    }
    let mut duplicate = account::Entity::find()
        .filter(account::Column::TenantId.eq(tenant_id))
        .filter(account::Column::CustomerNumber.eq(&customer_number));
    if let Some(id) = this_account {
        duplicate = duplicate.filter(account::Column::Id.ne(id));
    }
    if !customer_number.is_empty() && duplicate.one(db).await?.is_some() {
        errors.push(FieldError::new(
            "customer_number",
            duplicate_customer_number(),
        ));
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    Ok(AccountInput {
        name,
        customer_number,
        parent_account_id: input.parent_account_id,
        vat_id,
        billing_name,
        billing_street,
        billing_postal_code,
        billing_city,
        billing_country,
        status,
    })
}

pub(super) fn apply(model: &mut account::ActiveModel, valid: AccountInput) {
    model.name = Set(valid.name);
    model.customer_number = Set(Some(valid.customer_number));
    model.parent_account_id = Set(valid.parent_account_id);
    model.vat_id = Set(valid.vat_id);
    model.billing_name = Set(valid.billing_name);
    model.billing_street = Set(valid.billing_street);
    model.billing_postal_code = Set(valid.billing_postal_code);
    model.billing_city = Set(valid.billing_city);
    model.billing_country = Set(valid.billing_country);
    model.status = Set(valid.status);
    model.updated_at = Set(Some(Utc::now()));
}

pub(super) fn duplicate_customer_number() -> Wording {
    Wording::new(
        "Another account has this customer number.",
        "Ein anderes Kundenkonto hat bereits diese Kundennummer.",
    )
}
