//! Products one at a time: creating, reading, updating and retiring or reactivating a product
//! (with the version check against lost updates), and the view of a stored product.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use serde_json::json;
use simdesk_types::{
    Entitlements, FormFactor, ProductInput, ProductStatus, ProductView, SimType, Wording,
};

use super::validation::{apply, validate_product};
use crate::audit::{denials, AuditEvent};
use crate::db::{begin, begin_write, is_unique_violation, unique_violation, DataScope};
use crate::entity::product;
use crate::policy::{self, Permission};
use crate::{money, Actor, DomainError, DomainResult};

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

fn duplicate_part_number() -> Wording {
    Wording::new(
        "Another product has this part number.",
        "Ein anderes Produkt hat bereits diese Artikelnummer.",
    )
}

pub async fn create_product(
    db: &DatabaseConnection,
    actor: &Actor,
    input: ProductInput,
) -> DomainResult<ProductView> {
    let tenant_id = policy::tenant_for(actor, Permission::ManageCatalog)?;
    let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
    let valid = validate_product(&txn, tenant_id, &input).await?;
    if part_number_taken(&txn, tenant_id, &valid.part_number, None).await? {
        return Err(DomainError::invalid("part_number", duplicate_part_number()));
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
        .map_err(|e| unique_violation(e, "part_number", duplicate_part_number()))?;
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
pub(super) async fn update_versioned(
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
    DomainError::conflict(Wording::new(
        "Someone else changed this product meanwhile. Reload it, then make your change again.",
        "Jemand anderes hat dieses Produkt inzwischen geändert. Laden Sie es neu und nehmen Sie Ihre Änderung dann noch einmal vor.",
    ))
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
            return Err(DomainError::invalid("part_number", duplicate_part_number()));
        }
        let before = product_view(current.clone());
        let mut update = <product::ActiveModel as Default>::default();
        apply(&mut update, valid);
        let updated = update_versioned(&txn, &current, version, update)
            .await
            .map_err(|e| match e {
                DomainError::Database(db_err) if is_unique_violation(&db_err) => {
                    DomainError::invalid("part_number", duplicate_part_number())
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
