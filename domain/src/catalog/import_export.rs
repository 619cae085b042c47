//! The product CSV: exporting all of the tenant's products, and importing a file of them
//! (created or updated by part number, all or nothing).

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use simdesk_types::{Locale, OptionKind, ProductInput, ProductStatus, Wording};
use std::collections::HashMap;

use super::editing::update_versioned;
use super::options::tenant_options;
use super::validation::{apply, validate_product};
use crate::audit::AuditEvent;
use crate::db::{begin, begin_write, DataScope};
use crate::entity::product;
use crate::policy::{self, Permission};
use crate::{money, Actor, DomainError, DomainResult};

/// The columns of the product CSV, in order; import accepts them in any order.
pub const PRODUCT_CSV_COLUMNS: [&str; 20] = [
    "part_number",
    "name",
    "description",
    "sim_type",
    "form_factor",
    "features",
    "branding",
    "unit_price",
    "currency",
    "unspsc",
    "unit_of_measure",
    "min_order_quantity",
    "max_order_quantity",
    "order_increment",
    "status",
    "initial_billing_status",
    "default_price_plan",
    "default_service_profile",
    "default_roaming_profile",
    "default_apn_group",
];

/// All of the tenant's products as CSV, option references by code.
pub async fn export_products_csv(db: &DatabaseConnection, actor: &Actor) -> DomainResult<String> {
    let tenant_id = policy::tenant_for(actor, Permission::ReadCatalog)?;
    let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
    let codes: HashMap<i64, String> = tenant_options(&txn, tenant_id, None)
        .await?
        .into_iter()
        .map(|o| (o.id, o.code))
        .collect();
    let all = product::Entity::find()
        .filter(product::Column::TenantId.eq(tenant_id))
        .order_by_asc(product::Column::PartNumber)
        .all(&txn)
        .await?;
    txn.commit().await?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let csv_error = |e: csv::Error| DomainError::Internal(format!("CSV export failed: {e}"));
    writer
        .write_record(PRODUCT_CSV_COLUMNS)
        .map_err(csv_error)?;
    let code = |id: Option<i64>| {
        id.and_then(|id| codes.get(&id).cloned())
            .unwrap_or_default()
    };
    for p in all {
        writer
            .write_record([
                p.part_number.clone(),
                p.name.clone(),
                p.description.clone(),
                p.sim_type.clone(),
                p.form_factor.clone(),
                p.features.clone(),
                p.branding.clone(),
                money::format_amount(p.unit_price_minor, &p.currency),
                p.currency.clone(),
                p.unspsc.clone(),
                p.unit_of_measure.clone(),
                p.min_order_quantity.to_string(),
                p.max_order_quantity.to_string(),
                p.order_increment.to_string(),
                p.status.clone(),
                code(p.initial_billing_status_id),
                code(p.default_price_plan_id),
                code(p.default_service_profile_id),
                code(p.default_roaming_profile_id),
                code(p.default_apn_group_id),
            ])
            .map_err(csv_error)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| DomainError::Internal(format!("CSV export failed: {e}")))?;
    String::from_utf8(bytes).map_err(|e| DomainError::Internal(format!("CSV export failed: {e}")))
}

pub const MAX_IMPORT_ROWS: usize = 10_000;

/// Creates or updates products (by part number) from CSV. All or nothing: when any row is
/// refused, nothing is written and every refused row is reported by its line number.
pub async fn import_products_csv(
    db: &DatabaseConnection,
    actor: &Actor,
    text: &str,
) -> DomainResult<simdesk_types::ImportReport> {
    use simdesk_types::{ImportReport, RowError};
    let tenant_id = policy::tenant_for(actor, Permission::ManageCatalog)?;
    // The report is the importing admin's to read.
    let language = actor.language;
    let say = |english: String, german: String| language.pick(english, german);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| {
            DomainError::invalid(
                "file",
                Wording::new(
                    format!("The first line must name the columns: {e}"),
                    format!("Die erste Zeile muss die Spalten benennen: {e}"),
                ),
            )
        })?
        .iter()
        .map(|h| h.to_lowercase())
        .collect();
    let missing: Vec<&str> = [
        "part_number",
        "name",
        "sim_type",
        "form_factor",
        "unit_price",
        "currency",
        "unspsc",
    ]
    .into_iter()
    .filter(|c| !headers.iter().any(|h| h == c))
    .collect();
    if !missing.is_empty() {
        return Err(DomainError::invalid(
            "file",
            Wording::new(
                format!("Missing columns: {}.", missing.join(", ")),
                format!("Es fehlen Spalten: {}.", missing.join(", ")),
            ),
        ));
    }
    let unknown: Vec<&String> = headers
        .iter()
        .filter(|h| !PRODUCT_CSV_COLUMNS.contains(&h.as_str()))
        .collect();
    if !unknown.is_empty() {
        let unknown = unknown
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(DomainError::invalid(
            "file",
            Wording::new(
                format!("Unknown columns: {unknown}."),
                format!("Unbekannte Spalten: {unknown}."),
            ),
        ));
    }

    let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
    let options: HashMap<(OptionKind, String), i64> = tenant_options(&txn, tenant_id, None)
        .await?
        .into_iter()
        .map(|o| ((o.kind, o.code), o.id))
        .collect();
    let existing: HashMap<String, product::Model> = product::Entity::find()
        .filter(product::Column::TenantId.eq(tenant_id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|p| (p.part_number.clone(), p))
        .collect();

    let mut report = ImportReport {
        created: 0,
        updated: 0,
        errors: Vec::new(),
    };
    let mut valid_rows = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (index, record) in reader.records().enumerate() {
        let line = index as u64 + 2;
        if index >= MAX_IMPORT_ROWS {
            report.errors.push(RowError {
                line,
                message: say(
                    format!("A file may hold at most {MAX_IMPORT_ROWS} products."),
                    format!("Eine Datei darf höchstens {MAX_IMPORT_ROWS} Produkte enthalten."),
                ),
            });
            break;
        }
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                report.errors.push(RowError {
                    line,
                    message: say(
                        format!("Unreadable line: {e}"),
                        format!("Unlesbare Zeile: {e}"),
                    ),
                });
                continue;
            }
        };
        let field = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.get(i))
                .unwrap_or_default()
                .to_owned()
        };
        let mut reference_errors = Vec::new();
        let mut reference = |column: &str, kind: OptionKind| {
            let code = field(column).trim().to_uppercase();
            if code.is_empty() {
                return None;
            }
            let found = options.get(&(kind, code.clone())).copied();
            if found.is_none() {
                reference_errors.push(say(
                    format!(
                        "{column}: no {} with the code {code}",
                        kind.label().to_lowercase()
                    ),
                    format!(
                        "{column}: „{}“ mit dem Code {code} gibt es nicht",
                        kind.label_in(Locale::German)
                    ),
                ));
            }
            found
        };
        let input = ProductInput {
            part_number: field("part_number"),
            name: field("name"),
            description: field("description"),
            sim_type: field("sim_type"),
            form_factor: field("form_factor"),
            features: field("features"),
            branding: field("branding"),
            unit_price: field("unit_price"),
            currency: field("currency"),
            unspsc: field("unspsc"),
            unit_of_measure: field("unit_of_measure"),
            min_order_quantity: field("min_order_quantity"),
            max_order_quantity: field("max_order_quantity"),
            order_increment: field("order_increment"),
            initial_billing_status: reference("initial_billing_status", OptionKind::BillingStatus),
            default_price_plan: reference("default_price_plan", OptionKind::PricePlan),
            default_service_profile: reference(
                "default_service_profile",
                OptionKind::ServiceProfile,
            ),
            default_roaming_profile: reference(
                "default_roaming_profile",
                OptionKind::RoamingProfile,
            ),
            default_apn_group: reference("default_apn_group", OptionKind::ApnGroup),
        };
        let status_text = field("status");
        let status = if status_text.trim().is_empty() {
            Some(ProductStatus::Active)
        } else {
            ProductStatus::parse(&status_text)
        };
        if status.is_none() {
            reference_errors.push(say(
                "status: use active or retired".to_owned(),
                "status: verwenden Sie active oder retired".to_owned(),
            ));
        }
        let result = validate_product(&txn, tenant_id, &input).await;
        let mut messages = reference_errors;
        match result {
            Ok(valid) if messages.is_empty() => {
                if let Some(first) = seen.insert(valid.part_number.clone(), line) {
                    report.errors.push(RowError {
                        line,
                        message: say(
                            format!(
                                "part_number: {} appears already on line {first}",
                                valid.part_number
                            ),
                            format!(
                                "part_number: {} steht bereits in Zeile {first}",
                                valid.part_number
                            ),
                        ),
                    });
                } else {
                    valid_rows.push((valid, status.unwrap_or(ProductStatus::Active)));
                }
                continue;
            }
            Ok(_) => {}
            Err(DomainError::Invalid(errors)) => {
                messages.extend(
                    errors
                        .into_iter()
                        .map(|e| e.localized(language))
                        .map(|e| format!("{}: {}", e.field, e.message)),
                );
            }
            Err(other) => return Err(other),
        }
        report.errors.push(RowError {
            line,
            message: messages.join("; "),
        });
    }
    if !report.errors.is_empty() {
        return Ok(report);
    }
    let now = Utc::now();
    for (valid, status) in valid_rows {
        match existing.get(&valid.part_number) {
            Some(current) => {
                let mut update = product::ActiveModel {
                    status: Set(status.as_str().to_owned()),
                    ..Default::default()
                };
                apply(&mut update, valid);
                update_versioned(&txn, current, current.version, update).await?;
                report.updated += 1;
            }
            None => {
                let mut model = product::ActiveModel {
                    tenant_id: Set(tenant_id),
                    status: Set(status.as_str().to_owned()),
                    version: Set(1),
                    created_at: Set(now),
                    ..Default::default()
                };
                apply(&mut model, valid);
                model.insert(&txn).await?;
                report.created += 1;
            }
        }
    }
    AuditEvent::new("product.imported", "product")
        .scoped_to(actor)
        .details(json!({ "created": report.created, "updated": report.updated }))
        .record(&txn, Some(actor.user_id))
        .await?;
    txn.commit().await?;
    Ok(report)
}
