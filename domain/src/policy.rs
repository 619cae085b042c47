//! The one place that says who may do what: permissions, whose purchase orders an actor works
//! with, and in which capacity they act on one. Services ask it; the browser reads the
//! permissions it granted; nothing else decides.

use simdesk_types::Role;

use crate::entity::app_user;
use crate::{Actor, DomainError, DomainResult};

pub use simdesk_types::Permission;

/// The actor works for the provider: staff of a tenant, not of an account.
fn provider_staff(actor: &Actor, roles: &[Role]) -> bool {
    actor.has_any(roles) && actor.tenant_id.is_some() && actor.account_id.is_none()
}

/// The actor works for an enterprise account of a tenant.
fn account_user(actor: &Actor, roles: &[Role]) -> bool {
    actor.has_any(roles) && actor.tenant_id.is_some() && actor.account_id.is_some()
}

pub fn allows(actor: &Actor, permission: Permission) -> bool {
    match permission {
        Permission::ManageTenants => actor.has(Role::PlatformOperator),
        Permission::ManageTenantStaff => actor.has(Role::TenantAdmin) && actor.tenant_id.is_some(),
        Permission::ManageAccountUsers | Permission::RestrictAccountCatalog => {
            account_user(actor, &[Role::AccountAdmin])
        }
        Permission::ReadCatalog
        | Permission::ManageAccounts
        | Permission::ReviewOrders
        | Permission::MonitorMessages => provider_staff(actor, &Role::TENANT_STAFF),
        Permission::ManageCatalog | Permission::ManageProcurementSystems => {
            provider_staff(actor, &[Role::TenantAdmin])
        }
        Permission::ReadAuditLog => {
            actor.has(Role::PlatformOperator)
                || (actor.has(Role::TenantAdmin) && actor.tenant_id.is_some())
        }
        Permission::ViewAccountOrders => account_user(actor, &Role::ACCOUNT_USERS),
        Permission::ApproveOrders => account_user(actor, &[Role::Approver]),
        Permission::ManageApiTokens => {
            provider_staff(actor, &[Role::TenantAdmin])
                || account_user(actor, &[Role::AccountAdmin])
        }
        Permission::RaiseOrders => {
            provider_staff(actor, &Role::TENANT_STAFF)
                || account_user(actor, &[Role::Purchaser, Role::AccountAdmin])
        }
    }
}

/// Whom a tenant's second-factor requirement covers: its own staff and the admins of its
/// accounts, who manage other people's access, the catalog or the account's settings.
pub fn second_factor_applies(roles: &[Role]) -> bool {
    roles
        .iter()
        .any(|role| matches!(role, Role::TenantAdmin | Role::SpAgent | Role::AccountAdmin))
}

/// Everything the actor may do: sent to the browser with the session.
pub fn granted(actor: &Actor) -> Vec<Permission> {
    Permission::ALL
        .into_iter()
        .filter(|permission| allows(actor, *permission))
        .collect()
}

/// The actor's tenant, when they may do `permission` there.
pub fn tenant_for(actor: &Actor, permission: Permission) -> DomainResult<i64> {
    require(actor, permission)?;
    actor.tenant_id.ok_or(DomainError::Forbidden)
}

/// The actor's tenant and account, when they may do `permission` for their account.
pub fn account_for(actor: &Actor, permission: Permission) -> DomainResult<(i64, i64)> {
    require(actor, permission)?;
    match (actor.tenant_id, actor.account_id) {
        (Some(tenant_id), Some(account_id)) => Ok((tenant_id, account_id)),
        _ => Err(DomainError::Forbidden),
    }
}

pub fn require(actor: &Actor, permission: Permission) -> DomainResult<()> {
    if allows(actor, permission) {
        Ok(())
    } else {
        tracing::warn!(user_id = actor.user_id, ?permission, "permission denied");
        Err(DomainError::Forbidden)
    }
}

/// Whose purchase orders an actor works with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderScope {
    /// The provider's agents and admins: every PO of the tenant.
    Provider { tenant_id: i64 },
    /// An enterprise account's users: that account's POs.
    Account { tenant_id: i64, account_id: i64 },
}

impl OrderScope {
    pub fn of(actor: &Actor) -> DomainResult<OrderScope> {
        if allows(actor, Permission::ReviewOrders) {
            return Ok(OrderScope::Provider {
                tenant_id: tenant_for(actor, Permission::ReviewOrders)?,
            });
        }
        if allows(actor, Permission::ViewAccountOrders) {
            let (tenant_id, account_id) = account_for(actor, Permission::ViewAccountOrders)?;
            return Ok(OrderScope::Account {
                tenant_id,
                account_id,
            });
        }
        Err(DomainError::Forbidden)
    }

    pub fn tenant_id(self) -> i64 {
        match self {
            OrderScope::Provider { tenant_id } | OrderScope::Account { tenant_id, .. } => tenant_id,
        }
    }

    /// The one account whose POs the actor sees; `None` for the provider's staff.
    pub fn account_id(self) -> Option<i64> {
        match self {
            OrderScope::Provider { .. } => None,
            OrderScope::Account { account_id, .. } => Some(account_id),
        }
    }

    pub fn is_provider(self) -> bool {
        matches!(self, OrderScope::Provider { .. })
    }
}

/// In which capacities someone acts on one particular PO.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Capacity {
    /// The service provider's staff (agent or tenant admin) of the PO's tenant.
    pub provider: bool,
    /// A purchaser or account admin of the PO's account (or the procurement system for them).
    pub buyer: bool,
    /// An approver of the PO's account who did not raise it.
    pub approver: bool,
}

impl Capacity {
    /// Whether [`Capacity::on_order`] needs to know who last submitted the PO: only for an
    /// approver of the account who did not raise it.
    pub fn depends_on_submitter(actor: &Actor, scope: OrderScope, created_by: i64) -> bool {
        !scope.is_provider()
            && allows(actor, Permission::ApproveOrders)
            && created_by != actor.user_id
    }

    /// The capacities of `actor` on a PO within their `scope`, raised by `created_by` and last
    /// submitted by `last_submitter`: an approver never approves their own PO or submission.
    pub fn on_order(
        actor: &Actor,
        scope: OrderScope,
        created_by: i64,
        last_submitter: Option<i64>,
    ) -> Capacity {
        match scope {
            OrderScope::Provider { .. } => Capacity {
                provider: true,
                ..Capacity::default()
            },
            OrderScope::Account { .. } => Capacity {
                provider: false,
                buyer: allows(actor, Permission::RaiseOrders),
                approver: allows(actor, Permission::ApproveOrders)
                    && created_by != actor.user_id
                    && last_submitter != Some(actor.user_id),
            },
        }
    }
}

/// The group of users an actor administers: a tenant's staff, or one account's users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserGroup {
    TenantStaff { tenant_id: i64 },
    AccountUsers { tenant_id: i64, account_id: i64 },
}

impl UserGroup {
    /// The group this actor manages, preferring the account when they hold both kinds of role.
    pub fn managed_by(actor: &Actor) -> DomainResult<UserGroup> {
        match (actor.tenant_id, actor.account_id) {
            (Some(tenant_id), Some(account_id))
                if allows(actor, Permission::ManageAccountUsers) =>
            {
                Ok(UserGroup::AccountUsers {
                    tenant_id,
                    account_id,
                })
            }
            (Some(tenant_id), None) if allows(actor, Permission::ManageTenantStaff) => {
                Ok(UserGroup::TenantStaff { tenant_id })
            }
            _ => {
                tracing::warn!(user_id = actor.user_id, "user management denied");
                Err(DomainError::Forbidden)
            }
        }
    }

    pub fn assignable_roles(self) -> &'static [Role] {
        match self {
            UserGroup::TenantStaff { .. } => &Role::TENANT_STAFF,
            UserGroup::AccountUsers { .. } => &Role::ACCOUNT_USERS,
        }
    }

    pub fn tenant_id(self) -> i64 {
        match self {
            UserGroup::TenantStaff { tenant_id } | UserGroup::AccountUsers { tenant_id, .. } => {
                tenant_id
            }
        }
    }

    pub fn account_id(self) -> Option<i64> {
        match self {
            UserGroup::TenantStaff { .. } => None,
            UserGroup::AccountUsers { account_id, .. } => Some(account_id),
        }
    }

    /// Whether a user belongs to this group; users of other groups are "not found".
    pub fn contains(self, user: &app_user::Model) -> bool {
        user.tenant_id == Some(self.tenant_id()) && user.account_id == self.account_id()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: &[Role], tenant_id: Option<i64>, account_id: Option<i64>) -> Actor {
        Actor {
            user_id: 1,
            tenant_id,
            account_id,
            email: "a@example.com".into(),
            display_name: "A".into(),
            roles: roles.to_vec(),
            must_change_password: false,
            must_enrol_second_factor: false,
            language: simdesk_types::Locale::English,
        }
    }

    #[test]
    fn tenant_admin_manages_staff_of_their_tenant_only() {
        let admin = actor(&[Role::TenantAdmin], Some(7), None);
        assert_eq!(
            UserGroup::managed_by(&admin).ok(),
            Some(UserGroup::TenantStaff { tenant_id: 7 })
        );
    }

    #[test]
    fn account_admin_manages_their_account_only() {
        let admin = actor(&[Role::AccountAdmin], Some(7), Some(9));
        assert_eq!(
            UserGroup::managed_by(&admin).ok(),
            Some(UserGroup::AccountUsers {
                tenant_id: 7,
                account_id: 9
            })
        );
    }

    #[test]
    fn other_roles_manage_nobody() {
        for role in [Role::SpAgent, Role::Purchaser, Role::Approver, Role::Viewer] {
            let user = actor(&[role], Some(7), Some(9));
            assert!(
                UserGroup::managed_by(&user).is_err(),
                "{role} must not manage users"
            );
        }
        let operator = actor(&[Role::PlatformOperator], None, None);
        assert!(UserGroup::managed_by(&operator).is_err());
    }

    #[test]
    fn catalog_is_the_tenant_admins_and_accounts_are_the_staffs() {
        let admin = actor(&[Role::TenantAdmin], Some(7), None);
        let agent = actor(&[Role::SpAgent], Some(7), None);
        assert!(allows(&admin, Permission::ManageCatalog));
        assert!(!allows(&agent, Permission::ManageCatalog));
        for staff in [&admin, &agent] {
            assert!(allows(staff, Permission::ReadCatalog));
            assert!(allows(staff, Permission::ManageAccounts));
        }
        for role in Role::ACCOUNT_USERS {
            let user = actor(&[role], Some(7), Some(9));
            assert!(!allows(&user, Permission::ReadCatalog), "{role}");
            assert!(!allows(&user, Permission::ManageAccounts), "{role}");
        }
    }

    #[test]
    fn a_role_without_its_scope_grants_nothing() {
        // A tenant_admin membership on a user without a tenant must not open anything.
        let broken = actor(&[Role::TenantAdmin], None, None);
        assert!(!allows(&broken, Permission::ManageTenantStaff));
        assert!(!allows(&broken, Permission::ReadAuditLog));
    }

    #[test]
    fn each_role_is_granted_what_its_navigation_shows() {
        let granted = |roles: &[Role], tenant, account| granted(&actor(roles, tenant, account));
        use Permission::*;
        assert_eq!(
            granted(&[Role::PlatformOperator], None, None),
            vec![ManageTenants, ReadAuditLog]
        );
        assert_eq!(
            granted(&[Role::SpAgent], Some(7), None),
            vec![
                ReadCatalog,
                ManageAccounts,
                ReviewOrders,
                RaiseOrders,
                MonitorMessages
            ]
        );
        let admin = granted(&[Role::TenantAdmin], Some(7), None);
        for permission in [
            ManageTenantStaff,
            ManageCatalog,
            ManageProcurementSystems,
            ReadAuditLog,
            ReviewOrders,
            MonitorMessages,
        ] {
            assert!(admin.contains(&permission), "{permission:?}");
        }
        assert_eq!(
            granted(&[Role::Viewer], Some(7), Some(9)),
            vec![ViewAccountOrders]
        );
        assert_eq!(
            granted(&[Role::Purchaser], Some(7), Some(9)),
            vec![ViewAccountOrders, RaiseOrders]
        );
        assert_eq!(
            granted(&[Role::Approver], Some(7), Some(9)),
            vec![ViewAccountOrders, ApproveOrders]
        );
        let account_admin = granted(&[Role::AccountAdmin], Some(7), Some(9));
        for permission in [
            ManageAccountUsers,
            RestrictAccountCatalog,
            RaiseOrders,
            ViewAccountOrders,
        ] {
            assert!(account_admin.contains(&permission), "{permission:?}");
        }
        assert!(!account_admin.contains(&ReviewOrders));
    }

    #[test]
    fn an_approver_never_approves_their_own_order_or_submission() {
        let approver = actor(&[Role::Approver], Some(7), Some(9));
        let scope = OrderScope::of(&approver).expect("account user");
        assert!(Capacity::on_order(&approver, scope, 2, Some(3)).approver);
        assert!(!Capacity::on_order(&approver, scope, 1, None).approver);
        assert!(!Capacity::on_order(&approver, scope, 2, Some(1)).approver);
        assert!(!Capacity::on_order(&approver, scope, 2, None).buyer);
        let agent = actor(&[Role::SpAgent], Some(7), None);
        let provider = Capacity::on_order(&agent, OrderScope::of(&agent).expect("staff"), 2, None);
        assert!(provider.provider && !provider.buyer && !provider.approver);
    }
}
