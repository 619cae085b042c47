//! The one place that says who may do what. Services ask it; nothing else decides.

use simdesk_types::Role;

use crate::entity::app_user;
use crate::{Actor, DomainError, DomainResult};

/// Something an actor may be allowed to do, independent of a particular object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Create and list service-provider tenants.
    ManageTenants,
    /// Manage the provider's own admins and agents.
    ManageTenantStaff,
    /// Manage the users of the actor's own enterprise account.
    ManageAccountUsers,
    /// Read the tenant's audit log.
    ReadAuditLog,
    /// Read the tenant's catalog: products and entitlement options.
    ReadCatalog,
    /// Change the catalog and the tenant's settings.
    ManageCatalog,
    /// Onboard and maintain enterprise accounts.
    ManageAccounts,
}

pub fn allows(actor: &Actor, permission: Permission) -> bool {
    match permission {
        Permission::ManageTenants => actor.has(Role::PlatformOperator),
        Permission::ManageTenantStaff => actor.has(Role::TenantAdmin) && actor.tenant_id.is_some(),
        Permission::ManageAccountUsers => {
            actor.has(Role::AccountAdmin) && actor.tenant_id.is_some() && actor.account_id.is_some()
        }
        Permission::ReadCatalog | Permission::ManageAccounts => {
            actor.has_any(&[Role::TenantAdmin, Role::SpAgent])
                && actor.tenant_id.is_some()
                && actor.account_id.is_none()
        }
        Permission::ManageCatalog => {
            actor.has(Role::TenantAdmin) && actor.tenant_id.is_some() && actor.account_id.is_none()
        }
        Permission::ReadAuditLog => {
            actor.has(Role::PlatformOperator)
                || (actor.has(Role::TenantAdmin) && actor.tenant_id.is_some())
        }
    }
}

/// The actor's tenant, when they may do `permission` there.
pub fn tenant_for(actor: &Actor, permission: Permission) -> DomainResult<i64> {
    require(actor, permission)?;
    actor.tenant_id.ok_or(DomainError::Forbidden)
}

pub fn require(actor: &Actor, permission: Permission) -> DomainResult<()> {
    if allows(actor, permission) {
        Ok(())
    } else {
        tracing::warn!(user_id = actor.user_id, ?permission, "permission denied");
        Err(DomainError::Forbidden)
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
            roles: roles.to_vec(),
            must_change_password: false,
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
}
