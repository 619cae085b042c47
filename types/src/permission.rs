use serde::{Deserialize, Serialize};

/// Something a user may do, independent of a particular object. The server decides which a
/// user holds (`simdesk_domain::policy`) and sends them with the session, so the navigation and
/// buttons never re-derive them from roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    /// Create and list service-provider tenants.
    ManageTenants,
    /// Manage the provider's own admins and agents.
    ManageTenantStaff,
    /// Manage the users of the actor's own enterprise account, their spending limits and the
    /// account's single sign-on.
    ManageAccountUsers,
    /// Read the tenant's audit log.
    ReadAuditLog,
    /// Read the tenant's catalog and SIM stock.
    ReadCatalog,
    /// Change the catalog, the SIM stock and the tenant's settings.
    ManageCatalog,
    /// Manage the credentials of procurement systems (PunchOut, OCI).
    ManageProcurementSystems,
    /// Onboard and maintain enterprise accounts.
    ManageAccounts,
    /// Work with every purchase order of the tenant: review, provision, ship, resend documents.
    ReviewOrders,
    /// Follow the purchase orders of the actor's own account and see its products.
    ViewAccountOrders,
    /// Raise purchase orders (for the own account, or, as provider staff, for any account).
    RaiseOrders,
    /// Hide products of the account's catalog from its users.
    RestrictAccountCatalog,
    /// Approve or decline the account's purchase orders above a purchaser's spending limit
    /// (never one's own).
    ApproveOrders,
    /// Watch the tenant's messages: the trace (e-mail and cXML in and out) and "send again",
    /// the alarms and acknowledging or resolving them.
    MonitorMessages,
    /// Make and revoke tokens of the public REST API: for the whole tenant (tenant admins) or
    /// for the actor's account (account admins).
    ManageApiTokens,
}

impl Permission {
    pub const ALL: [Permission; 15] = [
        Permission::ManageTenants,
        Permission::ManageTenantStaff,
        Permission::ManageAccountUsers,
        Permission::ReadAuditLog,
        Permission::ReadCatalog,
        Permission::ManageCatalog,
        Permission::ManageProcurementSystems,
        Permission::ManageAccounts,
        Permission::ReviewOrders,
        Permission::ViewAccountOrders,
        Permission::RaiseOrders,
        Permission::RestrictAccountCatalog,
        Permission::ApproveOrders,
        Permission::MonitorMessages,
        Permission::ManageApiTokens,
    ];
}
