//! Onboarding and updating accounts by provider staff: creating an account, changing its data,
//! and inviting its first account admin.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, IntoActiveModel, Set};
use serde_json::json;
use simdesk_types::{AccountDetail, AccountInput, Role};

use super::detail::{account, claim_version, detail_of, input_of, tenant_account};
use super::validation::{apply, duplicate_customer_number, validate_account};
use crate::audit::{denials, AuditEvent};
use crate::db::{begin, begin_write, unique_violation, DataScope};
use crate::entity::account;
use crate::policy::{self, Permission, UserGroup};
use crate::users::{self, NewUser};
use crate::{Actor, DomainResult};

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
        .map_err(|e| unique_violation(e, "customer_number", duplicate_customer_number()))?;
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
            .map_err(|e| unique_violation(e, "customer_number", duplicate_customer_number()))?;
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
