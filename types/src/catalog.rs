//! Catalog and onboarding types: entitlement options, SIM sales products, accounts.

use serde::{Deserialize, Serialize};

coded_enum! {
    /// The kinds of entitlement option a tenant defines.
    OptionKind {
        BillingStatus => "billing_status", "SIM billing status", "SIM-Abrechnungsstatus";
        PricePlan => "price_plan", "Price plan", "Tarif";
        ServiceProfile => "service_profile", "Service profile", "Dienstprofil";
        RoamingProfile => "roaming_profile", "Roaming profile", "Roaming-Profil";
        ApnGroup => "apn_group", "APN group", "APN-Gruppe";
    }
}

coded_enum! {
    SimType {
        PlasticSim => "plastic", "Plastic SIM", "Plastik-SIM";
        Esim => "esim", "eSIM", "eSIM";
        Chip => "chip", "Chip (MFF)", "Chip (MFF)";
    }
}

coded_enum! {
    FormFactor {
        TwoFf => "2FF", "2FF (mini)", "2FF (Mini)";
        ThreeFf => "3FF", "3FF (micro)", "3FF (Micro)";
        FourFf => "4FF", "4FF (nano)", "4FF (Nano)";
        Mff2 => "MFF2", "MFF2 (embedded chip)", "MFF2 (eingebetteter Chip)";
        Euicc => "eUICC", "eUICC", "eUICC";
    }
}

coded_enum! {
    ProductStatus {
        Active => "active", "Active", "Aktiv";
        Retired => "retired", "Retired", "Ausgelaufen";
    }
}

/// One entitlement option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionView {
    pub id: i64,
    pub kind: OptionKind,
    pub code: String,
    pub name: String,
    pub description: String,
    pub active: bool,
}

/// The five defaults an account (or a product) carries; each an option id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entitlements {
    #[serde(default, deserialize_with = "crate::form::optional_id")]
    pub billing_status: Option<i64>,
    #[serde(default, deserialize_with = "crate::form::optional_id")]
    pub price_plan: Option<i64>,
    #[serde(default, deserialize_with = "crate::form::optional_id")]
    pub service_profile: Option<i64>,
    #[serde(default, deserialize_with = "crate::form::optional_id")]
    pub roaming_profile: Option<i64>,
    #[serde(default, deserialize_with = "crate::form::optional_id")]
    pub apn_group: Option<i64>,
}

impl Entitlements {
    pub fn get(&self, kind: OptionKind) -> Option<i64> {
        match kind {
            OptionKind::BillingStatus => self.billing_status,
            OptionKind::PricePlan => self.price_plan,
            OptionKind::ServiceProfile => self.service_profile,
            OptionKind::RoamingProfile => self.roaming_profile,
            OptionKind::ApnGroup => self.apn_group,
        }
    }

    pub fn set(&mut self, kind: OptionKind, value: Option<i64>) {
        match kind {
            OptionKind::BillingStatus => self.billing_status = value,
            OptionKind::PricePlan => self.price_plan = value,
            OptionKind::ServiceProfile => self.service_profile = value,
            OptionKind::RoamingProfile => self.roaming_profile = value,
            OptionKind::ApnGroup => self.apn_group = value,
        }
    }
}

/// A price in minor units of an ISO 4217 currency, with its text for people ("12.50 EUR").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Price {
    pub minor: i64,
    pub currency: String,
    pub display: String,
    /// The currency's digits after the decimal point (2 for EUR, 0 for JPY).
    #[serde(default = "two_digits")]
    pub digits: u8,
}

fn two_digits() -> u8 {
    2
}

/// A SIM sales product as the tenant's staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductView {
    pub id: i64,
    pub part_number: String,
    pub name: String,
    pub description: String,
    pub sim_type: SimType,
    pub form_factor: FormFactor,
    pub features: String,
    pub branding: String,
    pub price: Price,
    pub unspsc: String,
    pub unit_of_measure: String,
    pub defaults: Entitlements,
    pub min_order_quantity: i32,
    pub max_order_quantity: i32,
    pub order_increment: i32,
    pub status: ProductStatus,
    pub version: i32,
}

/// What a tenant admin enters for a product. Numbers arrive as text so that each can be
/// checked with a precise message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductInput {
    pub part_number: String,
    pub name: String,
    pub description: String,
    pub sim_type: String,
    pub form_factor: String,
    pub features: String,
    pub branding: String,
    /// Decimal, for example `4.90`.
    pub unit_price: String,
    pub currency: String,
    pub unspsc: String,
    pub unit_of_measure: String,
    pub min_order_quantity: String,
    pub max_order_quantity: String,
    pub order_increment: String,
    #[serde(default, deserialize_with = "crate::form::optional_id")]
    pub initial_billing_status: Option<i64>,
    #[serde(default, deserialize_with = "crate::form::optional_id")]
    pub default_price_plan: Option<i64>,
    #[serde(default, deserialize_with = "crate::form::optional_id")]
    pub default_service_profile: Option<i64>,
    #[serde(default, deserialize_with = "crate::form::optional_id")]
    pub default_roaming_profile: Option<i64>,
    #[serde(default, deserialize_with = "crate::form::optional_id")]
    pub default_apn_group: Option<i64>,
}

/// How a list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortOrder {
    #[default]
    Ascending,
    Descending,
}

/// A page of a keyset-paginated list; `next` continues it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub next: Option<String>,
}

/// The tenant-wide settings a tenant admin controls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSettings {
    pub name: String,
    #[serde(default, deserialize_with = "crate::form::checkbox")]
    pub allow_default_overrides: bool,
    /// PunchOut orders that match the contract exactly are accepted without an agent.
    #[serde(default, deserialize_with = "crate::form::checkbox")]
    pub punchout_auto_accept: bool,
    pub brand_color: String,
    pub logo_url: String,
    pub support_email: String,
    /// Minutes a queue's oldest message may wait before it is an alarm.
    #[serde(default)]
    pub alarm_stale_minutes: String,
    /// Refused inbound cXML documents within 10 minutes that are an alarm.
    #[serde(default)]
    pub alarm_refusal_burst: String,
    /// Days the contents of messages are kept for the trace.
    #[serde(default)]
    pub message_retention_days: String,
    /// Hosts whose order pages are fetched when an order e-mail links to one, comma-separated.
    #[serde(default)]
    pub order_page_hosts: String,
    /// Fewer free SIMs of a product than this is marked as low stock; 0 marks nothing.
    #[serde(default)]
    pub low_stock_threshold: String,
    /// Provider staff and account admins who sign in with a password must use a second factor.
    #[serde(default, deserialize_with = "crate::form::checkbox")]
    pub require_second_factor: bool,
}

/// One line of a CSV import that was refused, by its line number in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub line: u64,
    pub message: String,
}

/// The outcome of a CSV import: nothing is written unless every row is valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub created: u64,
    pub updated: u64,
    pub errors: Vec<RowError>,
}

/// What an upload of a product CSV came to, carried to the page that shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportOutcome {
    Report(ImportReport),
    /// The file as a whole was refused (unreadable, missing columns, not allowed).
    Refused(String),
}

/// The session key under which the server leaves the last import's outcome for the page.
pub const IMPORT_OUTCOME_KEY: &str = "product_import";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_ignore_case() {
        for kind in OptionKind::ALL {
            assert_eq!(OptionKind::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(FormFactor::parse(" euicc "), Some(FormFactor::Euicc));
        assert_eq!(FormFactor::parse("4ff"), Some(FormFactor::FourFf));
        assert_eq!(SimType::parse("floppy"), None);
    }
}
