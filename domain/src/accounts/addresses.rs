//! An account's shipping addresses: adding one, choosing the default, removing one.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use simdesk_types::{AccountDetail, ShippingAddressInput, Wording};

use super::detail::{address_view, detail_of, tenant_account};
use super::validation::{country, text};
use crate::audit::{denials, AuditEvent};
use crate::db::{begin_write, DataScope};
use crate::entity::shipping_address;
use crate::policy::{self, Permission};
use crate::{Actor, DomainError, DomainResult};

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
            Some(Wording::new(
                "Enter the recipient.",
                "Geben Sie den Empfänger ein.",
            )),
            &mut errors,
        );
        let street = text(
            &input.street,
            "street",
            200,
            Some(Wording::new(
                "Enter the street and number.",
                "Geben Sie Straße und Hausnummer ein.",
            )),
            &mut errors,
        );
        let postal_code = text(
            &input.postal_code,
            "postal_code",
            32,
            Some(Wording::new(
                "Enter the postal code.",
                "Geben Sie die Postleitzahl ein.",
            )),
            &mut errors,
        );
        let city = text(
            &input.city,
            "city",
            100,
            Some(Wording::new("Enter the city.", "Geben Sie den Ort ein.")),
            &mut errors,
        );
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
