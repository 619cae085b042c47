//! The tenant's catalog: entitlement options, SIM sales products, tenant settings.

use chrono::Utc;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use simdesk_types::{
    Entitlements, FieldError, FormFactor, OptionKind, OptionView, Page, ProductInput,
    ProductStatus, ProductView, SimType, SortOrder, TenantSettings,
};
use std::collections::HashMap;

use crate::audit::{denials, AuditEvent};
use crate::db::{begin, begin_write, DataScope};
use crate::entity::{entitlement_option, product, tenant};
use crate::policy::{self, Permission};
use crate::{money, paging, Actor, DomainError, DomainResult};

// ---------------------------------------------------------------------------------------------
// Entitlement options

pub(crate) fn option_view(model: entitlement_option::Model) -> Option<OptionView> {
    Some(OptionView {
        id: model.id,
        kind: OptionKind::parse(&model.kind)?,
        code: model.code,
        name: model.name,
        description: model.description,
        active: model.active,
    })
}

/// The tenant's options, of one kind or all, by kind and name.
pub async fn options(
    db: &DatabaseConnection,
    actor: &Actor,
    kind: Option<OptionKind>,
) -> DomainResult<Vec<OptionView>> {
    let tenant_id = policy::tenant_for(actor, Permission::ReadCatalog)?;
    let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
    let rows = tenant_options(&txn, tenant_id, kind).await?;
    txn.commit().await?;
    Ok(rows)
}

pub(crate) async fn tenant_options(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    kind: Option<OptionKind>,
) -> DomainResult<Vec<OptionView>> {
    let mut query = entitlement_option::Entity::find()
        .filter(entitlement_option::Column::TenantId.eq(tenant_id))
        .order_by_asc(entitlement_option::Column::Kind)
        .order_by_asc(entitlement_option::Column::Name);
    if let Some(kind) = kind {
        query = query.filter(entitlement_option::Column::Kind.eq(kind.as_str()));
    }
    Ok(query
        .all(db)
        .await?
        .into_iter()
        .filter_map(option_view)
        .collect())
}

fn validate_code(code: &str, field: &str) -> DomainResult<String> {
    let code = code.trim().to_uppercase();
    let ok = !code.is_empty()
        && code.len() <= 64
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(code)
    } else {
        Err(DomainError::invalid(
            field,
            "Use 1 to 64 letters, digits, dots, dashes or underscores.",
        ))
    }
}

fn required_text(value: &str, field: &str, max: usize, what: &str) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        Err(FieldError::new(field, format!("Enter {what}.")))
    } else if value.chars().count() > max {
        Err(FieldError::new(
            field,
            format!("Use at most {max} characters."),
        ))
    } else {
        Ok(value.to_owned())
    }
}

fn optional_text(value: &str, field: &str, max: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value.chars().count() > max {
        Err(FieldError::new(
            field,
            format!("Use at most {max} characters."),
        ))
    } else {
        Ok(value.to_owned())
    }
}

pub async fn create_option(
    db: &DatabaseConnection,
    actor: &Actor,
    kind: &str,
    code: &str,
    name: &str,
    description: &str,
) -> DomainResult<OptionView> {
    let tenant_id = policy::tenant_for(actor, Permission::ManageCatalog)?;
    let kind = OptionKind::parse(kind)
        .ok_or_else(|| DomainError::invalid("kind", "Choose a kind from the list."))?;
    let code = validate_code(code, "code")?;
    let name =
        required_text(name, "name", 200, "a name").map_err(|e| DomainError::Invalid(vec![e]))?;
    let description = optional_text(description, "description", 1000)
        .map_err(|e| DomainError::Invalid(vec![e]))?;
    let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
    let taken = entitlement_option::Entity::find()
        .filter(entitlement_option::Column::TenantId.eq(tenant_id))
        .filter(entitlement_option::Column::Kind.eq(kind.as_str()))
        .filter(entitlement_option::Column::Code.eq(&code))
        .one(&txn)
        .await?
        .is_some();
    if taken {
        return Err(DomainError::invalid(
            "code",
            format!(
                "A {} with the code {code} exists already.",
                kind.label().to_lowercase()
            ),
        ));
    }
    let created = entitlement_option::ActiveModel {
        tenant_id: Set(tenant_id),
        kind: Set(kind.as_str().to_owned()),
        code: Set(code),
        name: Set(name),
        description: Set(description),
        active: Set(true),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| unique_violation(e, "code", "This code exists already."))?;
    let view =
        option_view(created).ok_or(DomainError::Internal("stored an unknown kind".into()))?;
    AuditEvent::new("option.created", "entitlement_option")
        .target(view.id)
        .scoped_to(actor)
        .details(json!({ "after": view }))
        .record(&txn, Some(actor.user_id))
        .await?;
    txn.commit().await?;
    Ok(view)
}

/// Retires or restores an option; retired options stay on existing records but are offered no
/// longer.
pub async fn set_option_active(
    db: &DatabaseConnection,
    actor: &Actor,
    option_id: i64,
    active: bool,
) -> DomainResult<OptionView> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::ManageCatalog)?;
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let Some(option) = entitlement_option::Entity::find_by_id(option_id)
            .filter(entitlement_option::Column::TenantId.eq(tenant_id))
            .one(&txn)
            .await?
        else {
            return Err(DomainError::out_of_scope("entitlement_option", option_id));
        };
        let mut model = option.into_active_model();
        model.active = Set(active);
        let updated = model.update(&txn).await?;
        AuditEvent::new(
            if active {
                "option.restored"
            } else {
                "option.retired"
            },
            "entitlement_option",
        )
        .target(updated.id)
        .scoped_to(actor)
        .record(&txn, Some(actor.user_id))
        .await?;
        txn.commit().await?;
        option_view(updated).ok_or(DomainError::Internal("stored an unknown kind".into()))
    })
    .await
}

pub(crate) fn unique_violation(error: sea_orm::DbErr, field: &str, message: &str) -> DomainError {
    match error.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => DomainError::invalid(field, message),
        _ => DomainError::Database(error),
    }
}

/// Checks that each chosen option exists in the tenant, is of the right kind and is active.
pub(crate) async fn check_entitlements(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    chosen: &Entitlements,
    field_prefix: &str,
    errors: &mut Vec<FieldError>,
) -> DomainResult<()> {
    let ids: Vec<i64> = OptionKind::ALL
        .iter()
        .filter_map(|k| chosen.get(*k))
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let found: HashMap<i64, entitlement_option::Model> = entitlement_option::Entity::find()
        .filter(entitlement_option::Column::TenantId.eq(tenant_id))
        .filter(entitlement_option::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    for kind in OptionKind::ALL {
        let Some(id) = chosen.get(*kind) else {
            continue;
        };
        let field = format!("{field_prefix}{}", kind.as_str());
        match found.get(&id) {
            Some(option) if option.kind == kind.as_str() && option.active => {}
            Some(option) if option.kind == kind.as_str() => errors.push(FieldError::new(
                field,
                format!("{} {} is retired.", kind.label(), option.code),
            )),
            _ => errors.push(FieldError::new(
                field,
                format!("Choose a {} from the list.", kind.label().to_lowercase()),
            )),
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Products

/// A product input that passed every check.
struct ValidProduct {
    part_number: String,
    name: String,
    description: String,
    sim_type: SimType,
    form_factor: FormFactor,
    features: String,
    branding: String,
    unit_price_minor: i64,
    currency: String,
    unspsc: String,
    unit_of_measure: String,
    min_order_quantity: i32,
    max_order_quantity: i32,
    order_increment: i32,
    defaults: Entitlements,
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
                "Enter a whole number of at least 1.",
            ));
            default
        }
    }
}

/// Checks every field and reports every problem at once.
async fn validate_product(
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
                "Enter the part number: 1 to 64 letters, digits, dots, dashes or underscores.",
            )
        }),
    );
    let name = keep(required_text(&input.name, "name", 200, "a product name"));
    let description = keep(optional_text(&input.description, "description", 4000));
    let features = keep(optional_text(&input.features, "features", 2000));
    let branding = keep(optional_text(&input.branding, "branding", 200));
    let unit_of_measure = {
        let uom = input.unit_of_measure.trim().to_uppercase();
        let uom = if uom.is_empty() { "EA".to_owned() } else { uom };
        if uom.len() > 8 || !uom.chars().all(|c| c.is_ascii_alphanumeric()) {
            errors.push(FieldError::new(
                "unit_of_measure",
                "Use a UN/CEFACT unit code such as EA.",
            ));
        }
        uom
    };
    let sim_type = SimType::parse(&input.sim_type);
    if sim_type.is_none() {
        errors.push(FieldError::new(
            "sim_type",
            "Choose plastic SIM, eSIM or chip.",
        ));
    }
    let form_factor = FormFactor::parse(&input.form_factor);
    if form_factor.is_none() {
        errors.push(FieldError::new(
            "form_factor",
            "Choose 2FF, 3FF, 4FF, MFF2 or eUICC.",
        ));
    }
    let unspsc = input.unspsc.trim().to_owned();
    if unspsc.len() != 8 || !unspsc.chars().all(|c| c.is_ascii_digit()) {
        errors.push(FieldError::new(
            "unspsc",
            "Enter the 8-digit UNSPSC code, such as 43191501.",
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
            "The maximum order quantity must not be below the minimum.",
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

pub(crate) fn product_view(p: product::Model) -> ProductView {
    ProductView {
        id: p.id,
        price: money::price(p.unit_price_minor, &p.currency),
        sim_type: SimType::parse(&p.sim_type).unwrap_or(SimType::PlasticSim),
        form_factor: FormFactor::parse(&p.form_factor).unwrap_or(FormFactor::TwoFf),
        status: ProductStatus::parse(&p.status).unwrap_or(ProductStatus::Retired),
        defaults: Entitlements {
            billing_status: p.initial_billing_status_id,
            price_plan: p.default_price_plan_id,
            service_profile: p.default_service_profile_id,
            roaming_profile: p.default_roaming_profile_id,
            apn_group: p.default_apn_group_id,
        },
        part_number: p.part_number,
        name: p.name,
        description: p.description,
        features: p.features,
        branding: p.branding,
        unspsc: p.unspsc,
        unit_of_measure: p.unit_of_measure,
        min_order_quantity: p.min_order_quantity,
        max_order_quantity: p.max_order_quantity,
        order_increment: p.order_increment,
        version: p.version,
    }
}

fn apply(model: &mut product::ActiveModel, valid: ValidProduct) {
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

const DUPLICATE_PART_NUMBER: &str = "Another product has this part number.";

pub async fn create_product(
    db: &DatabaseConnection,
    actor: &Actor,
    input: ProductInput,
) -> DomainResult<ProductView> {
    let tenant_id = policy::tenant_for(actor, Permission::ManageCatalog)?;
    let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
    let valid = validate_product(&txn, tenant_id, &input).await?;
    if part_number_taken(&txn, tenant_id, &valid.part_number, None).await? {
        return Err(DomainError::invalid("part_number", DUPLICATE_PART_NUMBER));
    }
    let now = Utc::now();
    let mut model = product::ActiveModel {
        tenant_id: Set(tenant_id),
        status: Set(ProductStatus::Active.as_str().to_owned()),
        version: Set(1),
        created_at: Set(now),
        ..Default::default()
    };
    apply(&mut model, valid);
    let created = model
        .insert(&txn)
        .await
        .map_err(|e| unique_violation(e, "part_number", DUPLICATE_PART_NUMBER))?;
    let view = product_view(created);
    AuditEvent::new("product.created", "product")
        .target(view.id)
        .scoped_to(actor)
        .details(json!({ "after": view }))
        .record(&txn, Some(actor.user_id))
        .await?;
    txn.commit().await?;
    Ok(view)
}

async fn part_number_taken(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    part_number: &str,
    except: Option<i64>,
) -> DomainResult<bool> {
    let mut query = product::Entity::find()
        .filter(product::Column::TenantId.eq(tenant_id))
        .filter(product::Column::PartNumber.eq(part_number));
    if let Some(id) = except {
        query = query.filter(product::Column::Id.ne(id));
    }
    Ok(query.one(db).await?.is_some())
}

/// Loads one of the tenant's products; any other id is "not found" and logged.
async fn tenant_product(
    txn: &impl ConnectionTrait,
    tenant_id: i64,
    product_id: i64,
) -> DomainResult<product::Model> {
    match product::Entity::find_by_id(product_id)
        .filter(product::Column::TenantId.eq(tenant_id))
        .one(txn)
        .await?
    {
        Some(found) => Ok(found),
        None => Err(DomainError::out_of_scope("product", product_id)),
    }
}

pub async fn product(
    db: &DatabaseConnection,
    actor: &Actor,
    product_id: i64,
) -> DomainResult<ProductView> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::ReadCatalog)?;
        let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
        let found = tenant_product(&txn, tenant_id, product_id).await?;
        txn.commit().await?;
        Ok(product_view(found))
    })
    .await
}

/// Writes `update` only if the product is still at `version`; someone else's save in between is
/// a conflict, not a silent overwrite.
async fn update_versioned(
    txn: &impl ConnectionTrait,
    current: &product::Model,
    version: i32,
    mut update: product::ActiveModel,
) -> DomainResult<product::Model> {
    if current.version != version {
        return Err(stale());
    }
    update.version = Set(version + 1);
    let result = product::Entity::update_many()
        .set(update)
        .filter(product::Column::Id.eq(current.id))
        .filter(product::Column::Version.eq(version))
        .exec(txn)
        .await?;
    if result.rows_affected != 1 {
        return Err(stale());
    }
    product::Entity::find_by_id(current.id)
        .one(txn)
        .await?
        .ok_or(DomainError::NotFound)
}

fn stale() -> DomainError {
    DomainError::Conflict(
        "Someone else changed this product meanwhile. Reload it, then make your change again."
            .into(),
    )
}

pub async fn update_product(
    db: &DatabaseConnection,
    actor: &Actor,
    product_id: i64,
    version: i32,
    input: ProductInput,
) -> DomainResult<ProductView> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::ManageCatalog)?;
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let current = tenant_product(&txn, tenant_id, product_id).await?;
        let valid = validate_product(&txn, tenant_id, &input).await?;
        if part_number_taken(&txn, tenant_id, &valid.part_number, Some(product_id)).await? {
            return Err(DomainError::invalid("part_number", DUPLICATE_PART_NUMBER));
        }
        let before = product_view(current.clone());
        let mut update = <product::ActiveModel as Default>::default();
        apply(&mut update, valid);
        let updated = update_versioned(&txn, &current, version, update)
            .await
            .map_err(|e| match e {
                DomainError::Database(db_err) => {
                    unique_violation(db_err, "part_number", DUPLICATE_PART_NUMBER)
                }
                other => other,
            })?;
        let after = product_view(updated);
        AuditEvent::new("product.updated", "product")
            .target(product_id)
            .scoped_to(actor)
            .details(json!({ "before": before, "after": after }))
            .record(&txn, Some(actor.user_id))
            .await?;
        txn.commit().await?;
        Ok(after)
    })
    .await
}

/// Retires a product (kept on existing orders, hidden from new ones) or makes it active again.
pub async fn set_product_status(
    db: &DatabaseConnection,
    actor: &Actor,
    product_id: i64,
    version: i32,
    status: ProductStatus,
) -> DomainResult<ProductView> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::ManageCatalog)?;
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let current = tenant_product(&txn, tenant_id, product_id).await?;
        let update = product::ActiveModel {
            status: Set(status.as_str().to_owned()),
            updated_at: Set(Utc::now()),
            ..Default::default()
        };
        let updated = update_versioned(&txn, &current, version, update).await?;
        AuditEvent::new(
            match status {
                ProductStatus::Active => "product.reactivated",
                ProductStatus::Retired => "product.retired",
            },
            "product",
        )
        .target(product_id)
        .scoped_to(actor)
        .details(json!({ "before": current.status, "after": status.as_str() }))
        .record(&txn, Some(actor.user_id))
        .await?;
        txn.commit().await?;
        Ok(product_view(updated))
    })
    .await
}

/// How the product list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProductSort {
    #[default]
    Name,
    PartNumber,
    Price,
}

impl ProductSort {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "name" => Some(Self::Name),
            "part_number" => Some(Self::PartNumber),
            "price" => Some(Self::Price),
            _ => None,
        }
    }
}

/// A request for one page of products.
#[derive(Debug, Clone, Default)]
pub struct ProductQuery {
    /// Part of the name or part number, any case.
    pub search: String,
    pub status: Option<ProductStatus>,
    pub sort: ProductSort,
    pub order: SortOrder,
    /// The `next` of the previous page.
    pub after: Option<String>,
    pub limit: u64,
}

pub const MAX_PAGE_SIZE: u64 = 200;

/// Escapes LIKE wildcards so a search for "50%" finds "50%".
pub(crate) fn like_pattern(search: &str) -> String {
    let escaped = search
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A page of the tenant's products, by keyset: the cursor is the last row's sort key and id, so
/// every page costs the same however deep it is.
pub async fn products(
    db: &DatabaseConnection,
    actor: &Actor,
    query: ProductQuery,
) -> DomainResult<Page<ProductView>> {
    let tenant_id = policy::tenant_for(actor, Permission::ReadCatalog)?;
    let limit = query.limit.clamp(1, MAX_PAGE_SIZE);
    let column = match query.sort {
        ProductSort::Name => product::Column::Name,
        ProductSort::PartNumber => product::Column::PartNumber,
        ProductSort::Price => product::Column::UnitPriceMinor,
    };
    let mut select = product::Entity::find().filter(product::Column::TenantId.eq(tenant_id));
    if !query.search.trim().is_empty() {
        let pattern = like_pattern(&query.search);
        select = select.filter(
            Condition::any()
                .add(
                    Expr::expr(Func::lower(Expr::col(product::Column::Name)))
                        .like(pattern.as_str()),
                )
                .add(
                    Expr::expr(Func::lower(Expr::col(product::Column::PartNumber)))
                        .like(pattern.as_str()),
                ),
        );
    }
    if let Some(status) = query.status {
        select = select.filter(product::Column::Status.eq(status.as_str()));
    }
    if let Some(cursor) = &query.after {
        let (id, key): (i64, sea_orm::Value) = if query.sort == ProductSort::Price {
            let (id, key) = paging::parse_numeric_cursor(cursor)?;
            (id, key.into())
        } else {
            let (id, key) = paging::parse_cursor(cursor)?;
            (id, key.into())
        };
        select = select.filter(paging::after(
            column,
            product::Column::Id,
            key,
            id,
            query.order,
        ));
    }
    select = paging::ordered(select, column, product::Column::Id, query.order);
    let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
    let mut rows = select.limit(limit + 1).all(&txn).await?;
    txn.commit().await?;
    let next = paging::next_cursor(&mut rows, limit, |last| {
        let key = match query.sort {
            ProductSort::Name => last.name.clone(),
            ProductSort::PartNumber => last.part_number.clone(),
            ProductSort::Price => last.unit_price_minor.to_string(),
        };
        (last.id, key)
    });
    Ok(Page {
        rows: rows.into_iter().map(product_view).collect(),
        next,
    })
}

// ---------------------------------------------------------------------------------------------
// CSV export and import

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
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| {
            DomainError::invalid("file", format!("The first line must name the columns: {e}"))
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
            format!("Missing columns: {}.", missing.join(", ")),
        ));
    }
    let unknown: Vec<&String> = headers
        .iter()
        .filter(|h| !PRODUCT_CSV_COLUMNS.contains(&h.as_str()))
        .collect();
    if !unknown.is_empty() {
        return Err(DomainError::invalid(
            "file",
            format!(
                "Unknown columns: {}.",
                unknown
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
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
                message: format!("A file may hold at most {MAX_IMPORT_ROWS} products."),
            });
            break;
        }
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                report.errors.push(RowError {
                    line,
                    message: format!("Unreadable line: {e}"),
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
                reference_errors.push(format!(
                    "{column}: no {} with the code {code}",
                    kind.label().to_lowercase()
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
            reference_errors.push("status: use active or retired".to_owned());
        }
        let result = validate_product(&txn, tenant_id, &input).await;
        let mut messages = reference_errors;
        match result {
            Ok(valid) if messages.is_empty() => {
                if let Some(first) = seen.insert(valid.part_number.clone(), line) {
                    report.errors.push(RowError {
                        line,
                        message: format!(
                            "part_number: {} appears already on line {first}",
                            valid.part_number
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

// ---------------------------------------------------------------------------------------------
// Tenant settings

pub async fn settings(db: &DatabaseConnection, actor: &Actor) -> DomainResult<TenantSettings> {
    let tenant_id = policy::tenant_for(actor, Permission::ReadCatalog)?;
    let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
    let found = tenant::Entity::find_by_id(tenant_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    txn.commit().await?;
    Ok(settings_view(found))
}

fn settings_view(t: tenant::Model) -> TenantSettings {
    TenantSettings {
        name: t.name,
        allow_default_overrides: t.allow_default_overrides,
        punchout_auto_accept: t.punchout_auto_accept,
        brand_color: t.brand_color.unwrap_or_default(),
        logo_url: t.logo_url.unwrap_or_default(),
        support_email: t.support_email.unwrap_or_default(),
    }
}

pub async fn update_settings(
    db: &DatabaseConnection,
    actor: &Actor,
    new: TenantSettings,
) -> DomainResult<TenantSettings> {
    let tenant_id = policy::tenant_for(actor, Permission::ManageCatalog)?;
    let mut errors = Vec::new();
    let name = required_text(&new.name, "name", 200, "the provider's name").unwrap_or_else(|e| {
        errors.push(e);
        String::new()
    });
    let color = new.brand_color.trim().to_lowercase();
    let color_ok = color.is_empty()
        || (color.len() == 7
            && color.starts_with('#')
            && color[1..].chars().all(|c| c.is_ascii_hexdigit()));
    if !color_ok {
        errors.push(FieldError::new(
            "brand_color",
            "Use a colour such as #0f766e.",
        ));
    }
    let logo = new.logo_url.trim().to_owned();
    if !logo.is_empty()
        && (!logo.starts_with("https://") || logo.len() > 512 || logo.contains(char::is_whitespace))
    {
        errors.push(FieldError::new(
            "logo_url",
            "Use an https:// address of at most 512 characters.",
        ));
    }
    let email = crate::auth::normalize_email(&new.support_email);
    if !email.is_empty() && crate::users::validate_email(&email).is_err() {
        errors.push(FieldError::new(
            "support_email",
            "Enter an e-mail address such as support@example.com.",
        ));
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
    let current = tenant::Entity::find_by_id(tenant_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    let before = settings_view(current.clone());
    let mut model = current.into_active_model();
    model.name = Set(name);
    model.allow_default_overrides = Set(new.allow_default_overrides);
    model.punchout_auto_accept = Set(new.punchout_auto_accept);
    model.brand_color = Set((!color.is_empty()).then_some(color));
    model.logo_url = Set((!logo.is_empty()).then_some(logo));
    model.support_email = Set((!email.is_empty()).then_some(email));
    let after = settings_view(model.update(&txn).await?);
    AuditEvent::new("tenant.settings_changed", "tenant")
        .target(tenant_id)
        .scoped_to(actor)
        .details(json!({ "before": before, "after": after }))
        .record(&txn, Some(actor.user_id))
        .await?;
    txn.commit().await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern(" 50%_Off "), "%50\\%\\_off%");
    }
}
