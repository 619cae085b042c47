//! What each role sees first, and who the signed-in user is.

mod charts;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use simdesk_types::{role_labels, Dashboard, DashboardCard, PoStatus, SessionInfo};

use crate::db::{begin, DataScope};
use crate::entity::{account, app_user, purchase_order, tenant};
use crate::policy::{self, Permission};
use crate::{audit, Actor, DomainError, DomainResult};

fn card(label: &str, value: impl ToString, href: Option<&str>) -> DashboardCard {
    DashboardCard {
        label: label.to_owned(),
        value: value.to_string(),
        href: href.map(str::to_owned),
    }
}

/// The signed-in user with the names the shell shows.
pub async fn session_info(db: &DatabaseConnection, actor: &Actor) -> DomainResult<SessionInfo> {
    let txn = begin(db, DataScope::of(actor)).await?;
    let user = crate::actor::own_user(&txn, actor).await?;
    let own_tenant = match actor.tenant_id {
        Some(id) => tenant::Entity::find_by_id(id).one(&txn).await?,
        None => None,
    };
    let account_name = match actor.account_id {
        Some(id) => account::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .map(|a| a.name),
        None => None,
    };
    txn.commit().await?;
    Ok(SessionInfo {
        user_id: user.id,
        email: user.email,
        display_name: user.display_name,
        roles: actor.roles.clone(),
        permissions: policy::granted(actor),
        tenant_name: own_tenant.as_ref().map(|t| t.name.clone()),
        account_name,
        must_change_password: user.must_change_password,
        must_enrol_second_factor: actor.must_enrol_second_factor,
        has_password: user.password_hash.is_some(),
        brand_color: own_tenant.as_ref().and_then(|t| t.brand_color.clone()),
        logo_url: own_tenant.and_then(|t| t.logo_url),
        regional: crate::regional::of_user(&user.time_zone, &user.locale),
    })
}

pub async fn for_actor(db: &DatabaseConnection, actor: &Actor) -> DomainResult<Dashboard> {
    let info = session_info(db, actor).await?;
    let txn = begin(db, DataScope::of(actor)).await?;
    let mut cards = Vec::new();
    let mut charts = Vec::new();
    let today = chrono::Utc::now().date_naive();
    let scope_name;
    let recent;
    let t = |english, german| actor.language.pick(english, german);
    if policy::allows(actor, Permission::ManageTenants) {
        scope_name = t("Platform", "Plattform").to_owned();
        cards.push(card(
            t("Service providers", "Dienstanbieter"),
            tenant::Entity::find().count(&txn).await?,
            Some("/tenants"),
        ));
        cards.push(card(
            t("Users", "Nutzer"),
            app_user::Entity::find().count(&txn).await?,
            None,
        ));
        recent = audit::recent(&txn, None, None, 10).await?;
    } else if let (Some(tenant_id), None) = (actor.tenant_id, actor.account_id) {
        scope_name = info.tenant_name.clone().unwrap_or_default();
        let to_review = purchase_order::Entity::find()
            .filter(purchase_order::Column::TenantId.eq(tenant_id))
            .filter(purchase_order::Column::Status.eq(PoStatus::Submitted.as_str()))
            .count(&txn)
            .await?;
        cards.push(card(
            t("Orders to review", "Zu prüfende Bestellungen"),
            to_review,
            Some("/orders?status=submitted"),
        ));
        let accounts = account::Entity::find()
            .filter(account::Column::TenantId.eq(tenant_id))
            .count(&txn)
            .await?;
        cards.push(card(
            t("Enterprise accounts", "Kundenkonten"),
            accounts,
            None,
        ));
        charts = charts::provider(&txn, tenant_id, today, actor.language).await?;
        if policy::allows(actor, Permission::ManageTenantStaff) {
            let staff = app_user::Entity::find()
                .filter(app_user::Column::TenantId.eq(tenant_id))
                .filter(app_user::Column::AccountId.is_null())
                .count(&txn)
                .await?;
            cards.push(card(
                t("Provider staff", "Mitarbeitende"),
                staff,
                Some("/users"),
            ));
            cards.push(card(
                t("Audit log", "Prüfprotokoll"),
                t("View", "Ansehen"),
                Some("/audit"),
            ));
            recent = audit::recent(&txn, Some(tenant_id), None, 10).await?;
        } else {
            let account_users = app_user::Entity::find()
                .filter(app_user::Column::TenantId.eq(tenant_id))
                .filter(app_user::Column::AccountId.is_not_null())
                .count(&txn)
                .await?;
            cards.push(card(
                t("Enterprise users", "Nutzer der Kundenkonten"),
                account_users,
                None,
            ));
            recent = Vec::new();
        }
    } else if let (Some(tenant_id), Some(account_id)) = (actor.tenant_id, actor.account_id) {
        scope_name = info.account_name.clone().unwrap_or_default();
        let users = app_user::Entity::find()
            .filter(app_user::Column::TenantId.eq(tenant_id))
            .filter(app_user::Column::AccountId.eq(account_id))
            .count(&txn)
            .await?;
        let roles = role_labels(&actor.roles, actor.language);
        cards.push(card(t("Your role", "Ihre Rolle"), roles, None));
        let open = purchase_order::Entity::find()
            .filter(purchase_order::Column::TenantId.eq(tenant_id))
            .filter(purchase_order::Column::AccountId.eq(account_id))
            .filter(
                purchase_order::Column::Status
                    .is_not_in([PoStatus::Closed.as_str(), PoStatus::Cancelled.as_str()]),
            )
            .count(&txn)
            .await?;
        cards.push(card(
            t("Open orders", "Offene Bestellungen"),
            open,
            Some("/orders"),
        ));
        charts = charts::account(&txn, tenant_id, account_id, today, actor.language).await?;
        if policy::allows(actor, Permission::ApproveOrders) {
            let waiting = purchase_order::Entity::find()
                .filter(purchase_order::Column::TenantId.eq(tenant_id))
                .filter(purchase_order::Column::AccountId.eq(account_id))
                .filter(purchase_order::Column::Status.eq(PoStatus::AwaitingApproval.as_str()))
                .count(&txn)
                .await?;
            cards.push(card(
                t("Awaiting approval", "Wartet auf Freigabe"),
                waiting,
                Some("/orders?status=awaiting_approval"),
            ));
        }
        cards.push(card(
            t("Users in your account", "Nutzer Ihres Kundenkontos"),
            users,
            policy::allows(actor, Permission::ManageAccountUsers).then_some("/users"),
        ));
        if let Some(provider) = &info.tenant_name {
            cards.push(card(
                t("Service provider", "Dienstanbieter"),
                provider,
                None,
            ));
        }
        recent = if policy::allows(actor, Permission::ManageAccountUsers) {
            audit::recent(&txn, Some(tenant_id), Some(account_id), 10).await?
        } else {
            Vec::new()
        };
    } else {
        return Err(DomainError::Forbidden);
    }
    txn.commit().await?;
    Ok(Dashboard {
        greeting: format!("{}, {}", t("Welcome", "Willkommen"), info.display_name),
        scope_name,
        cards,
        charts,
        recent_activity: recent,
    })
}
