//! Spending limits of an account's purchasers: above it, their POs wait for an approver.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::json;

use crate::audit::{denials, AuditEvent};
use crate::db::{begin_write, DataScope};
use crate::entity::app_user;
use crate::policy::{self, Permission};
use crate::{money, Actor, DomainError, DomainResult};

/// The account admin sets a user's spending limit (empty amount: no limit).
pub async fn set_spending_limit(
    db: &DatabaseConnection,
    actor: &Actor,
    user_id: i64,
    amount: &str,
    currency: &str,
) -> DomainResult<()> {
    denials(db, actor, async {
        let (tenant_id, account_id) = policy::account_for(actor, Permission::ManageAccountUsers)?;
        let limit = if amount.trim().is_empty() {
            None
        } else {
            let (code, digits) = money::currency(currency, "spending_limit_currency")?;
            let minor = money::parse_amount(amount, digits, "spending_limit")?;
            Some((minor, code))
        };
        let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
        let Some(user) = app_user::Entity::find_by_id(user_id)
            .filter(app_user::Column::TenantId.eq(tenant_id))
            .filter(app_user::Column::AccountId.eq(account_id))
            .one(&txn)
            .await?
        else {
            return Err(DomainError::out_of_scope("app_user", user_id));
        };
        let mut model: app_user::ActiveModel = user.into();
        model.spending_limit_minor = Set(limit.as_ref().map(|(minor, _)| *minor));
        model.spending_limit_currency = Set(limit.as_ref().map(|(_, code)| code.clone()));
        model.updated_at = Set(Utc::now());
        model.update(&txn).await?;
        AuditEvent::new("user.spending_limit_set", "app_user")
            .target(user_id)
            .scoped_to(actor)
            .details(json!({
                "limit_minor": limit.as_ref().map(|(minor, _)| *minor),
                "currency": limit.as_ref().map(|(_, code)| code.clone()),
            }))
            .record(&txn, Some(actor.user_id))
            .await?;
        txn.commit().await?;
        Ok(())
    })
    .await
}
