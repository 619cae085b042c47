//! PunchOut: the procurement systems' credentials an admin manages, and the cart a
//! procurement user fills inside their system's frame.

use serde::{Deserialize, Serialize};

use crate::CatalogEntry;

coded_enum! {
    /// Which of the buyer's environments a credential serves (cXML `deploymentMode`).
    DeploymentMode {
        Production => "production", "Production", "Produktion";
        Test => "test", "Test", "Test";
    }
}

coded_enum! {
    /// How the returned cart travels in the browser's form post.
    CartEncoding {
        UrlEncoded => "urlencoded", "cxml-urlencoded", "cxml-urlencoded";
        Base64 => "base64", "cxml-base64", "cxml-base64";
    }
}

coded_enum! {
    /// What the procurement system asked the PunchOut for.
    PunchoutOperation {
        Create => "create", "New cart", "Neuer Warenkorb";
        Edit => "edit", "Edit cart", "Warenkorb bearbeiten";
        Inspect => "inspect", "View cart", "Warenkorb ansehen";
    }
}

coded_enum! {
    /// Where a document for a procurement system stands in the outbox.
    DeliveryStatus {
        Pending => "pending", "Waiting to be sent", "Wartet auf Versand";
        Sent => "sent", "Delivered", "Zugestellt";
        Failed => "failed", "Not delivered", "Nicht zugestellt";
    }
}

/// A document simdesk sends a PO's procurement system (an order confirmation, a ship
/// notice), as the provider's staff see it on the PO.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcurementMessage {
    pub id: i64,
    /// What it says, such as "Order confirmation (accept)" or "Ship notice".
    pub description: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// Why the last attempt failed, if it did.
    pub last_error: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339: when it was delivered, or when the next attempt is due while pending.
    pub status_at: String,
}

/// A procurement system's credential, as the admin sees it: never the shared secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PunchoutCredentialView {
    pub id: i64,
    pub account_id: i64,
    pub account_name: String,
    pub deployment_mode: DeploymentMode,
    pub domain: String,
    pub identity: String,
    pub cart_encoding: CartEncoding,
    pub frame_ancestors: Vec<String>,
    pub order_response_url: String,
    pub enabled: bool,
    pub version: i32,
}

/// The credential form. An empty shared secret keeps the stored one, or, for a new
/// credential, has simdesk generate one that is shown once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PunchoutCredentialInput {
    pub account_id: i64,
    pub deployment_mode: String,
    pub domain: String,
    pub identity: String,
    pub shared_secret: String,
    pub cart_encoding: String,
    /// Origins separated by spaces, commas or line breaks.
    pub frame_ancestors: String,
    pub order_response_url: String,
    #[serde(deserialize_with = "crate::form::checkbox")]
    pub enabled: bool,
}

/// A saved credential; `generated_secret` is shown once and never again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedPunchoutCredential {
    pub id: i64,
    pub generated_secret: Option<String>,
}

/// The PunchOut shopping page: the account's contract catalog and the cart so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PunchoutCart {
    pub tenant_name: String,
    pub brand_color: Option<String>,
    pub account_name: String,
    pub operation: PunchoutOperation,
    pub entries: Vec<CatalogEntry>,
    /// `(product_id, quantity)` the cart starts with.
    pub quantities: Vec<(i64, i32)>,
    /// The SIM settings the cart may choose, and those it has chosen (an edited cart's).
    pub sim_settings: crate::SimSettingChoices,
    pub overrides: crate::Entitlements,
    /// The session has returned its cart; the page only says so.
    pub closed: bool,
}

/// The form that carries the cart back to the procurement system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartReturn {
    /// The BrowserFormPost URL (cXML) or HOOK_URL (OCI).
    pub url: String,
    /// The form's `target` (OCI `~TARGET`), if any.
    pub target: Option<String>,
    /// The form's fields: `cxml-urlencoded` or `cxml-base64` for cXML, `NEW_ITEM-…[n]` for OCI.
    pub fields: Vec<(String, String)>,
    /// What the page says while the form submits itself.
    pub summary: String,
}

impl CartReturn {
    /// The value of a field, if the form has it.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The PunchOut settings page of one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PunchoutSettings {
    pub account_id: i64,
    pub account_name: String,
    /// Where the account's procurement system posts its cXML documents.
    pub endpoint_url: String,
    /// Where an SAP system's OCI catalog call goes.
    pub oci_url: String,
    pub credentials: Vec<PunchoutCredentialView>,
    /// A shared secret simdesk just generated, shown this once: `(identity, secret)`.
    pub generated_secret: Option<(String, String)>,
}
