//! The account's own view for its users: the catalog they may order from at contract prices,
//! with the account's defaults, and the account admin hiding products from their users.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    Set,
};
use simdesk_types::{AccountCatalog, CatalogEntry, NamedDefault, OptionKind, ProductStatus};
use std::collections::HashMap;

use super::detail::defaults_of;
use crate::audit::{denials, AuditEvent};
use crate::catalog::{product_view, tenant_options};
use crate::db::{begin, begin_write, DataScope};
use crate::entity::{account, account_product, product, tenant};
use crate::policy::{self, Permission};
use crate::{money, Actor, DomainError, DomainResult};

/// A product as an account sees it: at its contract price.
pub(crate) fn catalog_entry(
    assigned: &account_product::Model,
    product: &product::Model,
) -> CatalogEntry {
    let view = product_view(product.clone());
    CatalogEntry {
        product_id: product.id,
        part_number: view.part_number,
        name: view.name,
        description: view.description,
        sim_type: view.sim_type,
        form_factor: view.form_factor,
        features: view.features,
        price: money::price(assigned.contract_price_minor, &assigned.currency),
        unit_of_measure: view.unit_of_measure,
        min_order_quantity: view.min_order_quantity,
        max_order_quantity: view.max_order_quantity,
        order_increment: view.order_increment,
        orderable_by_users: assigned.orderable_by_users,
    }
}

/// The products an enterprise user may order, at the account's contract prices, and the
/// account's defaults. Account admins also see the products they hid from their users.
pub async fn catalog(db: &DatabaseConnection, actor: &Actor) -> DomainResult<AccountCatalog> {
    let (tenant_id, account_id) = policy::account_for(actor, Permission::ViewAccountOrders)?;
    let can_restrict = policy::allows(actor, Permission::RestrictAccountCatalog);
    let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
    let own = account::Entity::find_by_id(account_id)
        .filter(account::Column::TenantId.eq(tenant_id))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    let overrides_allowed = tenant::Entity::find_by_id(tenant_id)
        .one(&txn)
        .await?
        .is_some_and(|t| t.allow_default_overrides);
    let assigned = account_product::Entity::find()
        .filter(account_product::Column::AccountId.eq(account_id))
        .all(&txn)
        .await?;
    let products: HashMap<i64, product::Model> = product::Entity::find()
        .filter(product::Column::TenantId.eq(tenant_id))
        .filter(product::Column::Id.is_in(assigned.iter().map(|a| a.product_id)))
        .filter(product::Column::Status.eq(ProductStatus::Active.as_str()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut entries: Vec<CatalogEntry> = assigned
        .into_iter()
        .filter(|a| can_restrict || a.orderable_by_users)
        .filter_map(|a| Some(catalog_entry(&a, products.get(&a.product_id)?)))
        .collect();
    entries.sort_by(|x, y| x.name.cmp(&y.name));
    let names: HashMap<i64, String> = tenant_options(&txn, tenant_id, None)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let defaults = defaults_of(&own);
    txn.commit().await?;
    Ok(AccountCatalog {
        account_name: own.name,
        entries,
        defaults: OptionKind::ALL
            .iter()
            .map(|kind| NamedDefault {
                kind: *kind,
                name: defaults.get(*kind).and_then(|id| names.get(&id).cloned()),
            })
            .collect(),
        overrides_allowed,
        can_restrict,
    })
}

/// The account admin hides an assigned product from the account's users, or shows it again.
pub async fn set_orderable_by_users(
    db: &DatabaseConnection,
    actor: &Actor,
    product_id: i64,
    orderable: bool,
) -> DomainResult<AccountCatalog> {
    denials(db, actor, async {
        let (tenant_id, account_id) =
            policy::account_for(actor, Permission::RestrictAccountCatalog)?;
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let Some(assigned) = account_product::Entity::find()
            .filter(account_product::Column::AccountId.eq(account_id))
            .filter(account_product::Column::ProductId.eq(product_id))
            .one(&txn)
            .await?
        else {
            return Err(DomainError::out_of_scope("account_product", product_id));
        };
        let mut model = assigned.into_active_model();
        model.orderable_by_users = Set(orderable);
        model.update(&txn).await?;
        AuditEvent::new(
            if orderable {
                "account.product_shown"
            } else {
                "account.product_hidden"
            },
            "account_product",
        )
        .target(product_id)
        .scoped_to(actor)
        .record(&txn, Some(actor.user_id))
        .await?;
        txn.commit().await?;
        catalog(db, actor).await
    })
    .await
}
