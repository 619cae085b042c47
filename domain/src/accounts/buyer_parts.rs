//! An account's own part numbers: its purchasing system writes its SKUs in orders, and each
//! names one of the products assigned to the account, so an order e-mail's line with that SKU
//! is matched for sure (`orders::from_email`). Kept by the provider's staff on the account page.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use simdesk_types::{AccountDetail, Wording};

use super::detail::{detail_of, tenant_account};
use crate::audit::{denials, AuditEvent};
use crate::db::{begin_write, unique_violation, DataScope};
use crate::entity::{account_product, buyer_part_number};
use crate::policy::{self, Permission};
use crate::{Actor, DatabaseConnection, DomainError, DomainResult};

/// A buyer part number as it is stored and matched: trimmed, upper-cased.
pub(crate) fn normalized(text: &str) -> String {
    text.trim().to_uppercase()
}

/// Says that the account's `buyer_part` means `product_id`, one of its assigned products.
pub async fn add_buyer_part(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: i64,
    buyer_part: &str,
    product_id: i64,
) -> DomainResult<AccountDetail> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::ManageAccounts)?;
        let part = normalized(buyer_part);
        if part.is_empty()
            || part.chars().count() > 100
            || part.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(DomainError::invalid(
                "buyer_part",
                Wording::new(
                    "Enter the buyer's part number as their orders write it: 1 to 100 characters, no spaces.",
                    "Geben Sie die Artikelnummer des Kunden so ein, wie seine Bestellungen sie schreiben: 1 bis 100 Zeichen, ohne Leerzeichen.",
                ),
            ));
        }
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let current = tenant_account(&txn, tenant_id, account_id).await?;
        let assigned = account_product::Entity::find()
            .filter(account_product::Column::AccountId.eq(account_id))
            .filter(account_product::Column::ProductId.eq(product_id))
            .one(&txn)
            .await?;
        if assigned.is_none() {
            return Err(DomainError::invalid(
                "buyer_product_id",
                Wording::new(
                    "Choose one of the products assigned to this account.",
                    "Wählen Sie eines der Produkte, die diesem Kundenkonto zugewiesen sind.",
                ),
            ));
        }
        buyer_part_number::ActiveModel {
            tenant_id: Set(tenant_id),
            account_id: Set(account_id),
            buyer_part: Set(part.clone()),
            product_id: Set(product_id),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| {
            unique_violation(
                e,
                "buyer_part",
                Wording::new(
                    "This part number names a product of the account already.",
                    "Diese Artikelnummer steht bereits für ein Produkt des Kundenkontos.",
                ),
            )
        })?;
        AuditEvent::new("account.buyer_part_added", "account")
            .target(account_id)
            .tenant(Some(tenant_id), Some(account_id))
            .details(json!({ "buyer_part": part, "product_id": product_id }))
            .record(&txn, Some(actor.user_id))
            .await?;
        let detail = detail_of(&txn, current).await?;
        txn.commit().await?;
        Ok(detail)
    })
    .await
}

pub async fn remove_buyer_part(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: i64,
    buyer_part_id: i64,
) -> DomainResult<AccountDetail> {
    denials(db, actor, async {
        let tenant_id = policy::tenant_for(actor, Permission::ManageAccounts)?;
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let current = tenant_account(&txn, tenant_id, account_id).await?;
        let found = buyer_part_number::Entity::find_by_id(buyer_part_id)
            .filter(buyer_part_number::Column::AccountId.eq(account_id))
            .one(&txn)
            .await?
            .ok_or_else(|| DomainError::out_of_scope("buyer_part_number", buyer_part_id))?;
        buyer_part_number::Entity::delete_by_id(found.id)
            .exec(&txn)
            .await?;
        AuditEvent::new("account.buyer_part_removed", "account")
            .target(account_id)
            .tenant(Some(tenant_id), Some(account_id))
            .details(json!({ "buyer_part": found.buyer_part, "product_id": found.product_id }))
            .record(&txn, Some(actor.user_id))
            .await?;
        let detail = detail_of(&txn, current).await?;
        txn.commit().await?;
        Ok(detail)
    })
    .await
}
