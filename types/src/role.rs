use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where a role applies: the whole platform, one service provider, or one enterprise account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RoleScope {
    Platform,
    Tenant,
    Account,
}

/// A role a user holds through a membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    PlatformOperator,
    TenantAdmin,
    SpAgent,
    AccountAdmin,
    Purchaser,
    Approver,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::PlatformOperator,
        Role::TenantAdmin,
        Role::SpAgent,
        Role::AccountAdmin,
        Role::Purchaser,
        Role::Approver,
        Role::Viewer,
    ];
    /// Roles a tenant admin hands out to the provider's own staff.
    pub const TENANT_STAFF: [Role; 2] = [Role::TenantAdmin, Role::SpAgent];
    /// Roles an account admin (or a provider agent) hands out to an account's users.
    pub const ACCOUNT_USERS: [Role; 4] = [
        Role::AccountAdmin,
        Role::Purchaser,
        Role::Approver,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::PlatformOperator => "platform_operator",
            Role::TenantAdmin => "tenant_admin",
            Role::SpAgent => "sp_agent",
            Role::AccountAdmin => "account_admin",
            Role::Purchaser => "purchaser",
            Role::Approver => "approver",
            Role::Viewer => "viewer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::PlatformOperator => "Platform operator",
            Role::TenantAdmin => "Tenant admin",
            Role::SpAgent => "Service-provider agent",
            Role::AccountAdmin => "Account admin",
            Role::Purchaser => "Purchaser",
            Role::Approver => "Approver",
            Role::Viewer => "Viewer",
        }
    }

    /// The label in `locale`'s language.
    pub fn label_in(self, locale: crate::Locale) -> &'static str {
        match locale {
            crate::Locale::English => self.label(),
            crate::Locale::German => match self {
                Role::PlatformOperator => "Plattformbetrieb",
                Role::TenantAdmin => "Anbieter-Admin",
                Role::SpAgent => "Anbieter-Sachbearbeitung",
                Role::AccountAdmin => "Konto-Admin",
                Role::Purchaser => "Einkauf",
                Role::Approver => "Freigabe",
                Role::Viewer => "Lesezugriff",
            },
        }
    }

    pub fn scope(self) -> RoleScope {
        match self {
            Role::PlatformOperator => RoleScope::Platform,
            Role::TenantAdmin | Role::SpAgent => RoleScope::Tenant,
            Role::AccountAdmin | Role::Purchaser | Role::Approver | Role::Viewer => {
                RoleScope::Account
            }
        }
    }
}

/// Roles as people read them: "Purchaser, Approver".
pub fn role_labels(roles: &[Role], locale: crate::Locale) -> String {
    roles
        .iter()
        .map(|r| r.label_in(locale))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == s.trim())
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_name() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn staff_and_account_roles_have_matching_scopes() {
        assert!(Role::TENANT_STAFF
            .iter()
            .all(|r| r.scope() == RoleScope::Tenant));
        assert!(Role::ACCOUNT_USERS
            .iter()
            .all(|r| r.scope() == RoleScope::Account));
    }
}
