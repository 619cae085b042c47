//! What an account may order with: its defaults and allowed entitlement options, and the
//! products assigned to it at contract prices.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    Set,
};
use serde_json::json;
use simdesk_types::{AccountDetail, Entitlements, FieldError, ProductStatus, Wording};
use std::collections::{HashMap, HashSet};

use super::detail::{claim_version, current_entitlements, defaults_of, detail_of, tenant_account};
use crate::audit::{denials, AuditEvent};
use crate::catalog::{check_entitlements, tenant_options};
use crate::db::{begin_write, unique_violation, DataScope};
use crate::entity::{account_entitlement, account_product, buyer_part_number, product};
use crate::policy::{self, Permission};
use crate::{money, Actor, DomainError, DomainResult};

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
                Wording::new(
                    "Choose the account's options from the list.",
                    "Wählen Sie die Optionen des Kundenkontos aus der Liste.",
                ),
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
                Wording::new(
                    "A retired product cannot be assigned.",
                    "Ein ausgelaufenes Produkt kann nicht zugewiesen werden.",
                ),
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
                    unique_violation(
                        e,
                        "product_id",
                        Wording::new(
                            "This product is assigned already.",
                            "Dieses Produkt ist bereits zugewiesen.",
                        ),
                    )
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
        // The buyer's part numbers for it mean nothing any more.
        buyer_part_number::Entity::delete_many()
            .filter(buyer_part_number::Column::AccountId.eq(account_id))
            .filter(buyer_part_number::Column::ProductId.eq(product_id))
            .exec(&txn)
            .await?;
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
