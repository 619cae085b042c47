//! Onboarding enterprise accounts: customer data, defaults and entitlements, shipping
//! addresses, assigned products at contract prices, the first admin, and the checklist that
//! says when the account can order. Also the catalog the account's users see.

use chrono::Utc;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::json;
use simdesk_types::{
    AccountCatalog, AccountDetail, AccountInput, AccountSummary, AssignedProduct, CatalogEntry,
    ChecklistItem, Entitlements, FieldError, NamedDefault, OptionKind, Page, ProductStatus, Role,
    ShippingAddressInput, ShippingAddressView, SortOrder,
};
use std::collections::{HashMap, HashSet};

use crate::audit::{denials, AuditEvent};
use crate::catalog::{
    check_entitlements, like_pattern, product_view, tenant_options, unique_violation, MAX_PAGE_SIZE,
};
use crate::db::{begin, begin_write, DataScope};
use crate::entity::{
    account, account_entitlement, account_product, app_user, membership, product, shipping_address,
    tenant,
};
use crate::policy::{self, Permission, UserGroup};
use crate::users::{self, NewUser};
use crate::{money, paging, Actor, DomainError, DomainResult};

const STATUSES: [&str; 2] = ["active", "suspended"];

fn summary(a: &account::Model, parents: &HashMap<i64, String>) -> AccountSummary {
    AccountSummary {
        id: a.id,
        name: a.name.clone(),
        customer_number: a.customer_number.clone().unwrap_or_default(),
        status: a.status.clone(),
        parent_name: a.parent_account_id.and_then(|id| parents.get(&id).cloned()),
    }
}

fn input_of(a: &account::Model) -> AccountInput {
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

fn text(
    value: &str,
    field: &str,
    max: usize,
    required: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> String {
    let value = value.trim();
    if let Some(what) = required.filter(|_| value.is_empty()) {
        errors.push(FieldError::new(field, format!("Enter {what}.")));
    } else if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("Use at most {max} characters."),
        ));
    }
    value.to_owned()
}

fn country(value: &str, field: &str, required: bool, errors: &mut Vec<FieldError>) -> String {
    let code = value.trim().to_uppercase();
    let ok = code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase());
    if (required || !code.is_empty()) && !ok {
        errors.push(FieldError::new(
            field,
            "Use the two-letter ISO country code, such as DE.",
        ));
    }
    code
}

/// Checks an account's data; the billing address may be completed later (the checklist says so).
async fn validate_account(
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
        Some("the company name"),
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
            "Enter the customer number: 1 to 64 letters, digits, dots, dashes, slashes or underscores.",
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
        errors.push(FieldError::new("status", "Choose active or suspended."));
    }
    if let Some(parent_id) = input.parent_account_id {
        if Some(parent_id) == this_account {
            errors.push(FieldError::new(
                "parent_account_id",
                "An account cannot be its own parent.",
            ));
        } else {
            // Walk up from the parent: it must be ours, and the chain must not come back here.
            let mut cursor = Some(parent_id);
            let mut visited = HashSet::new();
            while let Some(id) = cursor {
                if !visited.insert(id) || Some(id) == this_account {
                    errors.push(FieldError::new(
                        "parent_account_id",
                        "This parent would make a loop of accounts.",
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
                            "Choose a parent account from the list.",
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
            "Another account has this customer number.",
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

fn apply(model: &mut account::ActiveModel, valid: AccountInput) {
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

const DUPLICATE_CUSTOMER_NUMBER: &str = "Another account has this customer number.";

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
async fn claim_version(
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
        Err(DomainError::Conflict(
            "Someone else changed this account meanwhile. Reload it, then make your change again."
                .into(),
        ))
    }
}

pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    input: AccountInput,
) -> DomainResult<AccountDetail> {
    let tenant_id = policy::tenant_for(actor, Permission::ManageAccounts)?;
    let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
    let valid = validate_account(&txn, tenant_id, &input, None).await?;
    let after = valid.clone();
    let mut model = account::ActiveModel {
        tenant_id: Set(tenant_id),
        version: Set(1),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    apply(&mut model, valid);
    let created = model
        .insert(&txn)
        .await
        .map_err(|e| unique_violation(e, "customer_number", DUPLICATE_CUSTOMER_NUMBER))?;
    AuditEvent::new("account.created", "account")
        .target(created.id)
        .tenant(Some(tenant_id), Some(created.id))
        .details(json!({ "after": after }))
        .record(&txn, Some(actor.user_id))
        .await?;
    let detail = detail_of(&txn, created).await?;
    txn.commit().await?;
    Ok(detail)
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: i64,
    version: i32,
    input: AccountInput,
) -> DomainResult<AccountDetail> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::ManageAccounts)?;
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let current = tenant_account(&txn, tenant_id, account_id).await?;
        let valid = validate_account(&txn, tenant_id, &input, Some(account_id)).await?;
        claim_version(&txn, account_id, version).await?;
        let before = input_of(&current);
        let after = valid.clone();
        let mut model = current.into_active_model();
        apply(&mut model, valid);
        model.version = Set(version + 1);
        let updated = model
            .update(&txn)
            .await
            .map_err(|e| unique_violation(e, "customer_number", DUPLICATE_CUSTOMER_NUMBER))?;
        AuditEvent::new("account.updated", "account")
            .target(account_id)
            .tenant(Some(tenant_id), Some(account_id))
            .details(json!({ "before": before, "after": after }))
            .record(&txn, Some(actor.user_id))
            .await?;
        let detail = detail_of(&txn, updated).await?;
        txn.commit().await?;
        Ok(detail)
    })
    .await
}

/// Sets the account's defaults and the options it may choose from when overriding them.
pub async fn set_entitlements(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: i64,
    version: i32,
    defaults: Entitlements,
    allowed: Vec<i64>,
) -> DomainResult<AccountDetail> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::ManageAccounts)?;
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let current = tenant_account(&txn, tenant_id, account_id).await?;
        let mut errors = Vec::new();
        check_entitlements(&txn, tenant_id, &defaults, "default_", &mut errors).await?;
        let options: HashMap<i64, simdesk_types::OptionView> =
            tenant_options(&txn, tenant_id, None)
                .await?
                .into_iter()
                .map(|o| (o.id, o))
                .collect();
        let mut allowed: Vec<i64> = allowed
            .into_iter()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        allowed.sort_unstable();
        if allowed
            .iter()
            .any(|id| !options.get(id).is_some_and(|o| o.active))
        {
            errors.push(FieldError::new(
                "entitlements",
                "Choose the account's options from the list.",
            ));
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        claim_version(&txn, account_id, version).await?;
        let before = (
            defaults_of(&current),
            current_entitlements(&txn, account_id).await?,
        );
        let mut model = current.into_active_model();
        model.default_billing_status_id = Set(defaults.billing_status);
        model.default_price_plan_id = Set(defaults.price_plan);
        model.default_service_profile_id = Set(defaults.service_profile);
        model.default_roaming_profile_id = Set(defaults.roaming_profile);
        model.default_apn_group_id = Set(defaults.apn_group);
        model.version = Set(version + 1);
        let updated = model.update(&txn).await?;
        account_entitlement::Entity::delete_many()
            .filter(account_entitlement::Column::AccountId.eq(account_id))
            .exec(&txn)
            .await?;
        for option_id in &allowed {
            account_entitlement::ActiveModel {
                tenant_id: Set(tenant_id),
                account_id: Set(account_id),
                option_id: Set(*option_id),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        AuditEvent::new("account.entitlements_changed", "account")
            .target(account_id)
            .tenant(Some(tenant_id), Some(account_id))
            .details(json!({
                "before": { "defaults": before.0, "allowed": before.1 },
                "after": { "defaults": defaults, "allowed": allowed },
            }))
            .record(&txn, Some(actor.user_id))
            .await?;
        let detail = detail_of(&txn, updated).await?;
        txn.commit().await?;
        Ok(detail)
    })
    .await
}

async fn current_entitlements(
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

pub async fn add_shipping_address(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: i64,
    input: ShippingAddressInput,
    make_default: bool,
) -> DomainResult<AccountDetail> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::ManageAccounts)?;
        let mut errors = Vec::new();
        let label = text(&input.label, "label", 100, None, &mut errors);
        let recipient = text(
            &input.recipient,
            "recipient",
            200,
            Some("the recipient"),
            &mut errors,
        );
        let street = text(
            &input.street,
            "street",
            200,
            Some("the street and number"),
            &mut errors,
        );
        let postal_code = text(
            &input.postal_code,
            "postal_code",
            32,
            Some("the postal code"),
            &mut errors,
        );
        let city = text(&input.city, "city", 100, Some("the city"), &mut errors);
        let country = country(&input.country, "country", true, &mut errors);
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let current = tenant_account(&txn, tenant_id, account_id).await?;
        let first = shipping_address::Entity::find()
            .filter(shipping_address::Column::AccountId.eq(account_id))
            .count(&txn)
            .await?
            == 0;
        let is_default = make_default || first;
        if is_default {
            clear_default_address(&txn, account_id).await?;
        }
        let created = shipping_address::ActiveModel {
            tenant_id: Set(tenant_id),
            account_id: Set(account_id),
            label: Set(label),
            recipient: Set(recipient),
            street: Set(street),
            postal_code: Set(postal_code),
            city: Set(city),
            country: Set(country),
            is_default: Set(is_default),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        AuditEvent::new("account.address_added", "account")
            .target(account_id)
            .tenant(Some(tenant_id), Some(account_id))
            .details(json!({ "address": address_view(created) }))
            .record(&txn, Some(actor.user_id))
            .await?;
        let detail = detail_of(&txn, current).await?;
        txn.commit().await?;
        Ok(detail)
    })
    .await
}

async fn clear_default_address(txn: &DatabaseTransaction, account_id: i64) -> DomainResult<()> {
    shipping_address::Entity::update_many()
        .col_expr(shipping_address::Column::IsDefault, Expr::value(false))
        .filter(shipping_address::Column::AccountId.eq(account_id))
        .exec(txn)
        .await?;
    Ok(())
}

async fn account_address(
    txn: &DatabaseTransaction,
    account_id: i64,
    address_id: i64,
) -> DomainResult<shipping_address::Model> {
    match shipping_address::Entity::find_by_id(address_id)
        .filter(shipping_address::Column::AccountId.eq(account_id))
        .one(txn)
        .await?
    {
        Some(found) => Ok(found),
        None => Err(DomainError::out_of_scope("shipping_address", address_id)),
    }
}

pub async fn set_default_address(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: i64,
    address_id: i64,
) -> DomainResult<AccountDetail> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::ManageAccounts)?;
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let current = tenant_account(&txn, tenant_id, account_id).await?;
        let address = account_address(&txn, account_id, address_id).await?;
        clear_default_address(&txn, account_id).await?;
        let mut model = address.into_active_model();
        model.is_default = Set(true);
        model.update(&txn).await?;
        AuditEvent::new("account.default_address_changed", "account")
            .target(account_id)
            .tenant(Some(tenant_id), Some(account_id))
            .details(json!({ "address_id": address_id }))
            .record(&txn, Some(actor.user_id))
            .await?;
        let detail = detail_of(&txn, current).await?;
        txn.commit().await?;
        Ok(detail)
    })
    .await
}

pub async fn remove_address(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: i64,
    address_id: i64,
) -> DomainResult<AccountDetail> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::ManageAccounts)?;
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let current = tenant_account(&txn, tenant_id, account_id).await?;
        let address = account_address(&txn, account_id, address_id).await?;
        shipping_address::Entity::delete_by_id(address.id)
            .exec(&txn)
            .await?;
        if address.is_default {
            // Another address, if any, becomes the default.
            if let Some(next) = shipping_address::Entity::find()
                .filter(shipping_address::Column::AccountId.eq(account_id))
                .order_by_asc(shipping_address::Column::Id)
                .one(&txn)
                .await?
            {
                let mut model = next.into_active_model();
                model.is_default = Set(true);
                model.update(&txn).await?;
            }
        }
        AuditEvent::new("account.address_removed", "account")
            .target(account_id)
            .tenant(Some(tenant_id), Some(account_id))
            .details(json!({ "address": address_view(address) }))
            .record(&txn, Some(actor.user_id))
            .await?;
        let detail = detail_of(&txn, current).await?;
        txn.commit().await?;
        Ok(detail)
    })
    .await
}

/// Assigns an active product at a contract price (the list price when none is given), or
/// changes the contract price of an assigned one.
pub async fn assign_product(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: i64,
    product_id: i64,
    contract_price: &str,
) -> DomainResult<AccountDetail> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::ManageAccounts)?;
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let current = tenant_account(&txn, tenant_id, account_id).await?;
        let Some(found) = product::Entity::find_by_id(product_id)
            .filter(product::Column::TenantId.eq(tenant_id))
            .one(&txn)
            .await?
        else {
            return Err(DomainError::out_of_scope("product", product_id));
        };
        if found.status != ProductStatus::Active.as_str() {
            return Err(DomainError::invalid(
                "product_id",
                "A retired product cannot be assigned.",
            ));
        }
        let price = if contract_price.trim().is_empty() {
            found.unit_price_minor
        } else {
            let (_, digits) = money::currency(&found.currency, "contract_price")?;
            money::parse_amount(contract_price, digits, "contract_price")?
        };
        let existing = account_product::Entity::find()
            .filter(account_product::Column::AccountId.eq(account_id))
            .filter(account_product::Column::ProductId.eq(product_id))
            .one(&txn)
            .await?;
        let before = existing.as_ref().map(|e| e.contract_price_minor);
        match existing {
            Some(existing) => {
                let mut model = existing.into_active_model();
                model.contract_price_minor = Set(price);
                model.update(&txn).await?;
            }
            None => {
                account_product::ActiveModel {
                    tenant_id: Set(tenant_id),
                    account_id: Set(account_id),
                    product_id: Set(product_id),
                    contract_price_minor: Set(price),
                    currency: Set(found.currency.clone()),
                    orderable_by_users: Set(true),
                    created_at: Set(Utc::now()),
                    ..Default::default()
                }
                .insert(&txn)
                .await
                .map_err(|e| {
                    unique_violation(e, "product_id", "This product is assigned already.")
                })?;
            }
        }
        AuditEvent::new("account.product_assigned", "account")
            .target(account_id)
            .tenant(Some(tenant_id), Some(account_id))
            .details(json!({
                "product": found.part_number,
                "before": before.map(|p| money::price(p, &found.currency).display),
                "after": money::price(price, &found.currency).display,
            }))
            .record(&txn, Some(actor.user_id))
            .await?;
        let detail = detail_of(&txn, current).await?;
        txn.commit().await?;
        Ok(detail)
    })
    .await
}

pub async fn unassign_product(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: i64,
    product_id: i64,
) -> DomainResult<AccountDetail> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::ManageAccounts)?;
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let current = tenant_account(&txn, tenant_id, account_id).await?;
        let deleted = account_product::Entity::delete_many()
            .filter(account_product::Column::AccountId.eq(account_id))
            .filter(account_product::Column::ProductId.eq(product_id))
            .exec(&txn)
            .await?
            .rows_affected;
        if deleted == 0 {
            return Err(DomainError::out_of_scope("account_product", product_id));
        }
        AuditEvent::new("account.product_unassigned", "account")
            .target(account_id)
            .tenant(Some(tenant_id), Some(account_id))
            .details(json!({ "product_id": product_id }))
            .record(&txn, Some(actor.user_id))
            .await?;
        let detail = detail_of(&txn, current).await?;
        txn.commit().await?;
        Ok(detail)
    })
    .await
}

/// Creates an account admin for an account being onboarded; they must choose their own
/// password at first sign-in.
pub async fn invite_admin(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: i64,
    email: &str,
    display_name: &str,
    initial_password: &str,
) -> DomainResult<AccountDetail> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::ManageAccounts)?;
        let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
        tenant_account(&txn, tenant_id, account_id).await?;
        txn.commit().await?;
        let group = UserGroup::AccountUsers {
            tenant_id,
            account_id,
        };
        let new = NewUser {
            email: email.to_owned(),
            display_name: display_name.to_owned(),
            role: Role::AccountAdmin,
            initial_password: initial_password.to_owned(),
        };
        users::create_in_group(db, actor, group, new).await?;
        account(db, actor, account_id).await
    })
    .await
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

async fn detail_of(db: &impl ConnectionTrait, a: account::Model) -> DomainResult<AccountDetail> {
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
        admins,
        checklist,
    })
}

/// How the account list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AccountSort {
    #[default]
    Name,
    CustomerNumber,
}

#[derive(Debug, Clone, Default)]
pub struct AccountQuery {
    /// Part of the name or customer number, any case.
    pub search: String,
    pub status: Option<String>,
    pub sort: AccountSort,
    pub order: SortOrder,
    pub after: Option<String>,
    pub limit: u64,
}

/// A page of the tenant's accounts, by keyset.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    query: AccountQuery,
) -> DomainResult<Page<AccountSummary>> {
    let tenant_id = policy::tenant_for(actor, Permission::ManageAccounts)?;
    let limit = query.limit.clamp(1, MAX_PAGE_SIZE);
    let column = match query.sort {
        AccountSort::Name => account::Column::Name,
        AccountSort::CustomerNumber => account::Column::CustomerNumber,
    };
    let mut select = account::Entity::find().filter(account::Column::TenantId.eq(tenant_id));
    if !query.search.trim().is_empty() {
        let pattern = like_pattern(&query.search);
        select = select.filter(
            Condition::any()
                .add(
                    Expr::expr(Func::lower(Expr::col(account::Column::Name)))
                        .like(pattern.as_str()),
                )
                .add(
                    Expr::expr(Func::lower(Expr::col(account::Column::CustomerNumber)))
                        .like(pattern.as_str()),
                ),
        );
    }
    if let Some(status) = query.status.as_deref().filter(|s| !s.is_empty()) {
        select = select.filter(account::Column::Status.eq(status));
    }
    if let Some(cursor) = &query.after {
        let (id, key) = paging::parse_cursor(cursor)?;
        select = select.filter(paging::after(
            column,
            account::Column::Id,
            key.into(),
            id,
            query.order,
        ));
    }
    select = paging::ordered(select, column, account::Column::Id, query.order);
    let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
    let mut rows = select.limit(limit + 1).all(&txn).await?;
    let parent_ids: Vec<i64> = rows.iter().filter_map(|a| a.parent_account_id).collect();
    let parents: HashMap<i64, String> = account::Entity::find()
        .filter(account::Column::Id.is_in(parent_ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    txn.commit().await?;
    let next = paging::next_cursor(&mut rows, limit, |last| {
        let key = match query.sort {
            AccountSort::Name => last.name.clone(),
            AccountSort::CustomerNumber => last.customer_number.clone().unwrap_or_default(),
        };
        (last.id, key)
    });
    Ok(Page {
        rows: rows.iter().map(|a| summary(a, &parents)).collect(),
        next,
    })
}

/// All of the tenant's accounts as CSV.
pub async fn export_csv(db: &DatabaseConnection, actor: &Actor) -> DomainResult<String> {
    let tenant_id = policy::tenant_for(actor, Permission::ManageAccounts)?;
    let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
    let all = account::Entity::find()
        .filter(account::Column::TenantId.eq(tenant_id))
        .order_by_asc(account::Column::Name)
        .all(&txn)
        .await?;
    txn.commit().await?;
    let names: HashMap<i64, String> = all
        .iter()
        .map(|a| (a.id, a.customer_number.clone().unwrap_or_default()))
        .collect();
    let mut writer = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| DomainError::Internal(format!("CSV export failed: {e}"));
    writer
        .write_record([
            "customer_number",
            "name",
            "status",
            "parent_customer_number",
            "vat_id",
            "billing_name",
            "billing_street",
            "billing_postal_code",
            "billing_city",
            "billing_country",
        ])
        .map_err(failed)?;
    for a in &all {
        writer
            .write_record([
                a.customer_number.clone().unwrap_or_default(),
                a.name.clone(),
                a.status.clone(),
                a.parent_account_id
                    .and_then(|id| names.get(&id).cloned())
                    .unwrap_or_default(),
                a.vat_id.clone(),
                a.billing_name.clone(),
                a.billing_street.clone(),
                a.billing_postal_code.clone(),
                a.billing_city.clone(),
                a.billing_country.clone(),
            ])
            .map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| DomainError::Internal(format!("CSV export failed: {e}")))?;
    String::from_utf8(bytes).map_err(|e| DomainError::Internal(format!("CSV export failed: {e}")))
}

// ---------------------------------------------------------------------------------------------
// The account's own view

fn account_user_scope(actor: &Actor) -> DomainResult<(i64, i64)> {
    match (actor.tenant_id, actor.account_id) {
        (Some(tenant_id), Some(account_id)) if actor.has_any(&Role::ACCOUNT_USERS) => {
            Ok((tenant_id, account_id))
        }
        _ => Err(DomainError::Forbidden),
    }
}

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
    let (tenant_id, account_id) = account_user_scope(actor)?;
    let can_restrict = actor.has(Role::AccountAdmin);
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
        let (tenant_id, account_id) = account_user_scope(actor)?;
        if !actor.has(Role::AccountAdmin) {
            return Err(DomainError::Forbidden);
        }
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
