//! One account as provider staff see it: loading it within the tenant, the version lock that
//! keeps two editors from both winning, and the detail its page shows (data, defaults,
//! entitlements, addresses, assigned products, admins and the onboarding checklist).

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder,
};
use simdesk_types::{
    AccountDetail, AccountInput, AssignedProduct, BuyerPart, ChecklistItem, Entitlements,
    OptionKind, ProductStatus, Role, ShippingAddressView, Wording,
};
use std::collections::HashMap;

use crate::audit::denials;
use crate::catalog::product_view;
use crate::db::{begin, DataScope};
use crate::entity::{
    account, account_entitlement, account_product, app_user, buyer_part_number, membership,
    product, shipping_address,
};
use crate::policy::{self, Permission};
use crate::users;
use crate::{money, Actor, DomainError, DomainResult};

/// Loads one of the tenant's accounts; any other id is "not found" and logged.
pub(crate) async fn tenant_account(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    account_id: i64,
) -> DomainResult<account::Model> {
    match account::Entity::find_by_id(account_id)
        .filter(account::Column::TenantId.eq(tenant_id))
        .one(txn)
        .await?
    {
        Some(found) => Ok(found),
        None => Err(DomainError::out_of_scope("account", account_id)),
    }
}

/// Bumps the account's version if it is still `version`: two agents editing one account cannot
/// both win.
pub(super) async fn claim_version(
    txn: &DatabaseTransaction,
    account_id: i64,
    version: i32,
) -> DomainResult<()> {
    let result = account::Entity::update_many()
        .col_expr(account::Column::Version, Expr::value(version + 1))
        .col_expr(account::Column::UpdatedAt, Expr::value(Some(Utc::now())))
        .filter(account::Column::Id.eq(account_id))
        .filter(account::Column::Version.eq(version))
        .exec(txn)
        .await?;
    if result.rows_affected == 1 {
        Ok(())
    } else {
        Err(DomainError::conflict(Wording::new(
            "Someone else changed this account meanwhile. Reload it, then make your change again.",
            "Jemand anderes hat dieses Kundenkonto inzwischen geändert. Laden Sie es neu und nehmen Sie Ihre Änderung dann noch einmal vor.",
        )))
    }
}

/// One account with everything its page shows.
pub async fn account(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: i64,
) -> DomainResult<AccountDetail> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::ManageAccounts)?;
        let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
        let current = tenant_account(&txn, tenant_id, account_id).await?;
        let detail = detail_of(&txn, current).await?;
        txn.commit().await?;
        Ok(detail)
    })
    .await
}

pub(super) async fn detail_of(
    db: &impl ConnectionTrait,
    a: account::Model,
) -> DomainResult<AccountDetail> {
    let parent_name = match a.parent_account_id {
        Some(id) => account::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|p| p.name),
        None => None,
    };
    let addresses: Vec<ShippingAddressView> = shipping_address::Entity::find()
        .filter(shipping_address::Column::AccountId.eq(a.id))
        .order_by_desc(shipping_address::Column::IsDefault)
        .order_by_asc(shipping_address::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(address_view)
        .collect();
    let assigned = account_product::Entity::find()
        .filter(account_product::Column::AccountId.eq(a.id))
        .all(db)
        .await?;
    let products: HashMap<i64, product::Model> = product::Entity::find()
        .filter(product::Column::Id.is_in(assigned.iter().map(|ap| ap.product_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut products: Vec<AssignedProduct> = assigned
        .into_iter()
        .filter_map(|ap| {
            let p = products.get(&ap.product_id)?;
            let view = product_view(p.clone());
            Some(AssignedProduct {
                product_id: p.id,
                part_number: view.part_number,
                name: view.name,
                list_price: view.price,
                contract_price: money::price(ap.contract_price_minor, &ap.currency),
                orderable_by_users: ap.orderable_by_users,
                status: view.status,
            })
        })
        .collect();
    products.sort_by(|x, y| x.name.cmp(&y.name));
    let buyer_parts = buyer_part_number::Entity::find()
        .filter(buyer_part_number::Column::AccountId.eq(a.id))
        .order_by_asc(buyer_part_number::Column::BuyerPart)
        .all(db)
        .await?
        .into_iter()
        .map(|b| BuyerPart {
            id: b.id,
            product: products
                .iter()
                .find(|p| p.product_id == b.product_id)
                .map(|p| format!("{} ({})", p.name, p.part_number))
                .unwrap_or_else(|| "a product no longer assigned".into()),
            buyer_part: b.buyer_part,
            product_id: b.product_id,
        })
        .collect();
    let admin_ids: Vec<i64> = membership::Entity::find()
        .filter(membership::Column::AccountId.eq(a.id))
        .filter(membership::Column::Role.eq(Role::AccountAdmin.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    let admins = users::to_rows(
        db,
        app_user::Entity::find()
            .filter(app_user::Column::Id.is_in(admin_ids))
            .order_by_asc(app_user::Column::Email)
            .all(db)
            .await?,
    )
    .await?;
    let defaults = defaults_of(&a);
    let entitlements = current_entitlements(db, a.id).await?;
    let billing_complete = [
        &a.billing_name,
        &a.billing_street,
        &a.billing_postal_code,
        &a.billing_city,
        &a.billing_country,
    ]
    .iter()
    .all(|f| !f.trim().is_empty());
    let item = |key: &str, label: &str, done: bool| ChecklistItem {
        key: key.into(),
        label: label.into(),
        done,
    };
    let checklist = vec![
        item("billing_address", "Billing address complete", billing_complete),
        item("shipping_address", "At least one shipping address", !addresses.is_empty()),
        item(
            "defaults",
            "Defaults for billing status, price plan, service profile, roaming profile and APN group",
            OptionKind::ALL.iter().all(|k| defaults.get(*k).is_some()),
        ),
        item(
            "products",
            "At least one active product assigned",
            products.iter().any(|p| p.status == ProductStatus::Active),
        ),
        item("admin", "An account admin who can sign in", admins.iter().any(|u| u.active)),
    ];
    Ok(AccountDetail {
        id: a.id,
        version: a.version,
        parent_name,
        data: input_of(&a),
        defaults,
        entitlements,
        addresses,
        products,
        buyer_parts,
        admins,
        checklist,
    })
}

pub(super) fn input_of(a: &account::Model) -> AccountInput {
    AccountInput {
        name: a.name.clone(),
        customer_number: a.customer_number.clone().unwrap_or_default(),
        parent_account_id: a.parent_account_id,
        vat_id: a.vat_id.clone(),
        billing_name: a.billing_name.clone(),
        billing_street: a.billing_street.clone(),
        billing_postal_code: a.billing_postal_code.clone(),
        billing_city: a.billing_city.clone(),
        billing_country: a.billing_country.clone(),
        status: a.status.clone(),
    }
}

pub(crate) fn defaults_of(a: &account::Model) -> Entitlements {
    Entitlements {
        billing_status: a.default_billing_status_id,
        price_plan: a.default_price_plan_id,
        service_profile: a.default_service_profile_id,
        roaming_profile: a.default_roaming_profile_id,
        apn_group: a.default_apn_group_id,
    }
}

pub(crate) fn address_view(a: shipping_address::Model) -> ShippingAddressView {
    ShippingAddressView {
        id: a.id,
        label: a.label,
        recipient: a.recipient,
        street: a.street,
        postal_code: a.postal_code,
        city: a.city,
        country: a.country,
        is_default: a.is_default,
    }
}

pub(super) async fn current_entitlements(
    db: &impl ConnectionTrait,
    account_id: i64,
) -> DomainResult<Vec<i64>> {
    let mut ids: Vec<i64> = account_entitlement::Entity::find()
        .filter(account_entitlement::Column::AccountId.eq(account_id))
        .all(db)
        .await?
        .into_iter()
        .map(|e| e.option_id)
        .collect();
    ids.sort_unstable();
    Ok(ids)
}
