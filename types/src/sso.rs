//! Single sign-on configuration as the account admin and the provider's agents see it.

use serde::{Deserialize, Serialize};

/// One rule of the role mapping: users whose role claim holds `value` get `role`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRule {
    pub value: String,
    pub role: crate::Role,
}

/// An account's OpenID provider settings. The client secret never leaves the server: the view
/// only says whether one is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SsoConfigView {
    pub account_id: i64,
    pub account_name: String,
    /// False until the first save; the fields then hold suggestions.
    pub configured: bool,
    pub enabled: bool,
    pub issuer_url: String,
    pub client_id: String,
    pub has_client_secret: bool,
    pub scopes: String,
    /// Comma-separated e-mail domains routed to this provider.
    pub domains: String,
    pub role_claim: String,
    pub role_mapping: Vec<RoleRule>,
    pub jit_enabled: bool,
    pub jit_role: Option<crate::Role>,
    pub require_sso: bool,
    pub break_glass_user_id: Option<i64>,
    /// The account admins who may be named break-glass admin: (id, e-mail).
    pub account_admins: Vec<(i64, String)>,
    /// The redirect URI to register at the provider.
    pub redirect_uri: String,
    pub version: i32,
}

/// What a form posts to save the settings. An empty `client_secret` keeps the stored one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SsoConfigInput {
    #[serde(default)]
    pub enabled: bool,
    pub issuer_url: String,
    pub client_id: String,
    #[serde(default)]
    pub client_secret: String,
    #[serde(default)]
    pub scopes: String,
    #[serde(default)]
    pub domains: String,
    #[serde(default)]
    pub role_claim: String,
    /// One rule per line: `claim value = role code`.
    #[serde(default)]
    pub role_mapping: String,
    #[serde(default)]
    pub jit_enabled: bool,
    #[serde(default)]
    pub jit_role: String,
    #[serde(default)]
    pub require_sso: bool,
    #[serde(default)]
    pub break_glass_user_id: Option<i64>,
}

/// One finding of "Test connection".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoCheck {
    pub passed: bool,
    pub message: String,
}
