//! What a product must satisfy: every field of a product input checked at once, and how a
//! checked product is written onto the stored row.

use chrono::Utc;
use sea_orm::{ConnectionTrait, Set};
use simdesk_types::{Entitlements, FieldError, FormFactor, ProductInput, SimType, Wording};

use super::options::{check_entitlements, validate_code};
use crate::entity::product;
use crate::text::{optional_text, required_text};
use crate::{money, DomainError, DomainResult};

/// A product input that passed every check.
pub(super) struct ValidProduct {
    pub(super) part_number: String,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) sim_type: SimType,
    pub(super) form_factor: FormFactor,
    pub(super) features: String,
    pub(super) branding: String,
    pub(super) unit_price_minor: i64,
    pub(super) currency: String,
    pub(super) unspsc: String,
    pub(super) unit_of_measure: String,
    pub(super) min_order_quantity: i32,
    pub(super) max_order_quantity: i32,
    pub(super) order_increment: i32,
    pub(super) defaults: Entitlements,
}

fn quantity(text: &str, field: &str, default: i32, errors: &mut Vec<FieldError>) -> i32 {
    let text = text.trim();
    if text.is_empty() {
        return default;
    }
    match text.parse::<i32>() {
        Ok(n) if n >= 1 => n,
        _ => {
            errors.push(FieldError::new(
                field,
                Wording::new(
                    "Enter a whole number of at least 1.",
                    "Geben Sie eine ganze Zahl ab 1 ein.",
                ),
            ));
            default
        }
    }
}

/// Checks every field and reports every problem at once.
pub(super) async fn validate_product(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    input: &ProductInput,
) -> DomainResult<ValidProduct> {
    let mut errors = Vec::new();
    let mut keep = |result: Result<String, FieldError>| {
        result.unwrap_or_else(|e| {
            errors.push(e);
            String::new()
        })
    };
    let part_number = keep(
        validate_code(&input.part_number, "part_number").map_err(|_| {
            FieldError::new(
                "part_number",
                Wording::new(
                    "Enter the part number: 1 to 64 letters, digits, dots, dashes or underscores.",
                    "Geben Sie die Artikelnummer ein: 1 bis 64 Buchstaben, Ziffern, Punkte, Bindestriche oder Unterstriche.",
                ),
            )
        }),
    );
    let name = keep(required_text(
        &input.name,
        "name",
        200,
        Wording::new("Enter a product name.", "Geben Sie einen Produktnamen ein."),
    ));
    let description = keep(optional_text(&input.description, "description", 4000));
    let features = keep(optional_text(&input.features, "features", 2000));
    let branding = keep(optional_text(&input.branding, "branding", 200));
    let unit_of_measure = {
        let uom = input.unit_of_measure.trim().to_uppercase();
        let uom = if uom.is_empty() { "EA".to_owned() } else { uom };
        if uom.len() > 8 || !uom.chars().all(|c| c.is_ascii_alphanumeric()) {
            errors.push(FieldError::new(
                "unit_of_measure",
                Wording::new(
                    "Use a UN/CEFACT unit code such as EA.",
                    "Verwenden Sie einen UN/CEFACT-Einheitencode wie EA.",
                ),
            ));
        }
        uom
    };
    let sim_type = SimType::parse(&input.sim_type);
    if sim_type.is_none() {
        errors.push(FieldError::new(
            "sim_type",
            Wording::new(
                "Choose plastic SIM, eSIM or chip.",
                "Wählen Sie Plastik-SIM, eSIM oder Chip.",
            ),
        ));
    }
    let form_factor = FormFactor::parse(&input.form_factor);
    if form_factor.is_none() {
        errors.push(FieldError::new(
            "form_factor",
            Wording::new(
                "Choose 2FF, 3FF, 4FF, MFF2 or eUICC.",
                "Wählen Sie 2FF, 3FF, 4FF, MFF2 oder eUICC.",
            ),
        ));
    }
    let unspsc = input.unspsc.trim().to_owned();
    if unspsc.len() != 8 || !unspsc.chars().all(|c| c.is_ascii_digit()) {
        errors.push(FieldError::new(
            "unspsc",
            Wording::new(
                "Enter the 8-digit UNSPSC code, such as 43191501.",
                "Geben Sie den 8-stelligen UNSPSC-Code ein, etwa 43191501.",
            ),
        ));
    }
    let (currency, unit_price_minor) = match money::currency(&input.currency, "currency") {
        Ok((code, digits)) => match money::parse_amount(&input.unit_price, digits, "unit_price") {
            Ok(minor) => (code, minor),
            Err(DomainError::Invalid(mut e)) => {
                errors.append(&mut e);
                (code, 0)
            }
            Err(other) => return Err(other),
        },
        Err(DomainError::Invalid(mut e)) => {
            errors.append(&mut e);
            (String::new(), 0)
        }
        Err(other) => return Err(other),
    };
    let min_order_quantity = quantity(
        &input.min_order_quantity,
        "min_order_quantity",
        1,
        &mut errors,
    );
    let max_order_quantity = quantity(
        &input.max_order_quantity,
        "max_order_quantity",
        100_000,
        &mut errors,
    );
    let order_increment = quantity(&input.order_increment, "order_increment", 1, &mut errors);
    if min_order_quantity > max_order_quantity {
        errors.push(FieldError::new(
            "max_order_quantity",
            Wording::new(
                "The maximum order quantity must not be below the minimum.",
                "Die Höchstbestellmenge darf nicht unter der Mindestbestellmenge liegen.",
            ),
        ));
    }
    let defaults = Entitlements {
        billing_status: input.initial_billing_status,
        price_plan: input.default_price_plan,
        service_profile: input.default_service_profile,
        roaming_profile: input.default_roaming_profile,
        apn_group: input.default_apn_group,
    };
    check_entitlements(db, tenant_id, &defaults, "default_", &mut errors).await?;
    match (sim_type, form_factor, errors.is_empty()) {
        (Some(sim_type), Some(form_factor), true) => Ok(ValidProduct {
            part_number,
            name,
            description,
            sim_type,
            form_factor,
            features,
            branding,
            unit_price_minor,
            currency,
            unspsc,
            unit_of_measure,
            min_order_quantity,
            max_order_quantity,
            order_increment,
            defaults,
        }),
        _ => Err(DomainError::Invalid(errors)),
    }
}

pub(super) fn apply(model: &mut product::ActiveModel, valid: ValidProduct) {
    model.part_number = Set(valid.part_number);
    model.name = Set(valid.name);
    model.description = Set(valid.description);
    model.sim_type = Set(valid.sim_type.as_str().to_owned());
    model.form_factor = Set(valid.form_factor.as_str().to_owned());
    model.features = Set(valid.features);
    model.branding = Set(valid.branding);
    model.unit_price_minor = Set(valid.unit_price_minor);
    model.currency = Set(valid.currency);
    model.unspsc = Set(valid.unspsc);
    model.unit_of_measure = Set(valid.unit_of_measure);
    model.min_order_quantity = Set(valid.min_order_quantity);
    model.max_order_quantity = Set(valid.max_order_quantity);
    model.order_increment = Set(valid.order_increment);
    model.initial_billing_status_id = Set(valid.defaults.billing_status);
    model.default_price_plan_id = Set(valid.defaults.price_plan);
    model.default_service_profile_id = Set(valid.defaults.service_profile);
    model.default_roaming_profile_id = Set(valid.defaults.roaming_profile);
    model.default_apn_group_id = Set(valid.defaults.apn_group);
    model.updated_at = Set(Utc::now());
}
