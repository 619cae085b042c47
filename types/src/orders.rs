//! SIM purchase orders and the SIM stock, as they cross the wire.

use serde::{Deserialize, Serialize};

use crate::{Entitlements, OptionKind, Price, ShippingAddressInput};

coded_enum! {
    /// Where a purchase order stands. Transitions are decided by the server's workflow only.
    PoStatus {
        Draft => "draft", "Draft", "Entwurf";
        AwaitingApproval => "awaiting_approval", "Awaiting approval", "Wartet auf Freigabe";
        AwaitingBuyerPo => "awaiting_buyer_po", "Awaiting buyer PO", "Wartet auf Bestellung des Käufers";
        Submitted => "submitted", "Submitted", "Eingereicht";
        Accepted => "accepted", "Accepted", "Angenommen";
        Provisioning => "provisioning", "Provisioning", "In Bereitstellung";
        Ready => "ready", "Ready", "Bereit";
        Shipped => "shipped", "Shipped", "Versandt";
        Closed => "closed", "Closed", "Abgeschlossen";
        Rejected => "rejected", "Rejected", "Abgelehnt";
        Cancelled => "cancelled", "Cancelled", "Storniert";
    }
}

coded_enum! {
    /// Something done to a purchase order; the label is what a button says.
    PoAction {
        Create => "create", "Create", "Anlegen";
        Edit => "edit", "Edit", "Bearbeiten";
        Submit => "submit", "Submit", "Einreichen";
        Approve => "approve", "Approve", "Freigeben";
        Decline => "decline", "Decline", "Ablehnen";
        Accept => "accept", "Accept", "Annehmen";
        Reject => "reject", "Reject", "Ablehnen";
        Reopen => "reopen", "Reopen", "Wieder öffnen";
        Cancel => "cancel", "Cancel", "Stornieren";
        Provision => "provision", "Provision SIMs", "SIMs bereitstellen";
        Ship => "ship", "Ship", "Versenden";
        ConfirmReceipt => "confirm_receipt", "Confirm receipt", "Empfang bestätigen";
        ReceiveBuyerPo => "receive_buyer_po", "Receive buyer PO", "Bestellung des Käufers empfangen";
    }
}

impl PoAction {
    /// How the action reads in a PO's timeline.
    pub fn past_tense(self) -> &'static str {
        match self {
            PoAction::Create => "Created",
            PoAction::Edit => "Edited",
            PoAction::Submit => "Submitted",
            PoAction::Approve => "Approved",
            PoAction::Decline => "Declined",
            PoAction::Accept => "Accepted",
            PoAction::Reject => "Rejected",
            PoAction::Reopen => "Reopened",
            PoAction::Cancel => "Cancelled",
            PoAction::Provision => "SIMs provisioned",
            PoAction::Ship => "Shipped",
            PoAction::ConfirmReceipt => "Receipt confirmed",
            PoAction::ReceiveBuyerPo => "Buyer PO received",
        }
    }

    /// [`PoAction::past_tense`] in `locale`'s language.
    pub fn past_tense_in(self, locale: crate::Locale) -> &'static str {
        match locale {
            crate::Locale::English => self.past_tense(),
            crate::Locale::German => match self {
                PoAction::Create => "Angelegt",
                PoAction::Edit => "Bearbeitet",
                PoAction::Submit => "Eingereicht",
                PoAction::Approve => "Freigegeben",
                PoAction::Decline => "Freigabe abgelehnt",
                PoAction::Accept => "Angenommen",
                PoAction::Reject => "Abgelehnt",
                PoAction::Reopen => "Wieder geöffnet",
                PoAction::Cancel => "Storniert",
                PoAction::Provision => "SIMs bereitgestellt",
                PoAction::Ship => "Versandt",
                PoAction::ConfirmReceipt => "Empfang bestätigt",
                PoAction::ReceiveBuyerPo => "Bestellung des Käufers empfangen",
            },
        }
    }

    /// Whether the action needs a reason from the person taking it.
    pub fn needs_reason(self) -> bool {
        matches!(self, PoAction::Reject | PoAction::Decline)
    }
}

/// One line of a PO as entered: the product and the quantity (as text, to be checked).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PoLineInput {
    #[serde(deserialize_with = "crate::form::optional_id")]
    pub product_id: Option<i64>,
    pub quantity: String,
}

/// What a purchaser (or an agent on the account's behalf) enters for a draft PO.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PoInput {
    /// The account the PO is for; only agents choose it, account users always order for
    /// their own account.
    #[serde(deserialize_with = "crate::form::optional_id")]
    pub account_id: Option<i64>,
    /// Lines with an empty or zero quantity are left out.
    pub lines: Vec<PoLineInput>,
    /// One of the account's addresses, or none for `new_address`.
    #[serde(deserialize_with = "crate::form::optional_id")]
    pub shipping_address_id: Option<i64>,
    pub new_address: ShippingAddressInput,
    /// Whether to keep `new_address` among the account's addresses.
    #[serde(deserialize_with = "crate::form::checkbox")]
    pub save_new_address: bool,
    /// `YYYY-MM-DD`, or empty.
    pub requested_ship_date: String,
    pub comment: String,
    /// Overrides of the account's defaults, where the tenant allows them.
    pub overrides: Entitlements,
}

/// A PO in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoSummary {
    pub id: i64,
    pub po_number: Option<i64>,
    pub account_id: i64,
    pub account_name: String,
    pub status: PoStatus,
    pub total: Price,
    pub quantity: i64,
    pub created_by: String,
    /// RFC 3339.
    pub created_at: String,
    pub external_reference: Option<String>,
}

/// How many POs of the list's scope are in one status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCount {
    pub status: PoStatus,
    pub count: u64,
}

/// A page of POs with the counts per status of everything the filters (but the status) match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoList {
    pub rows: Vec<PoSummary>,
    pub next: Option<String>,
    pub counts: Vec<StatusCount>,
}

/// A PO line as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoLineView {
    pub line_number: i32,
    pub product_id: i64,
    pub part_number: String,
    pub product_name: String,
    pub quantity: i32,
    pub unit_price: Price,
    pub line_total: Price,
    pub provisioned_quantity: i32,
}

/// One entry of a PO's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoEventView {
    pub action: PoAction,
    pub from_status: Option<PoStatus>,
    pub to_status: PoStatus,
    pub actor: String,
    pub reason: String,
    /// RFC 3339.
    pub at: String,
}

/// One plausibility check, computed at submission for the provider's review. Stored with the
/// PO in both languages (checks stored before they had German read in English).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlausibilityCheck {
    pub check: String,
    pub passed: bool,
    pub detail: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_german: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail_german: Option<String>,
}

impl PlausibilityCheck {
    pub fn new(check: crate::Wording, passed: bool, detail: crate::Wording) -> Self {
        PlausibilityCheck {
            check: check.english,
            passed,
            detail: detail.english,
            check_german: check.german,
            detail_german: detail.german,
        }
    }

    /// What is checked, in `locale`'s language.
    pub fn check_in(&self, locale: crate::Locale) -> &str {
        crate::views::in_language(locale, &self.check, &self.check_german)
    }

    /// The outcome, in `locale`'s language.
    pub fn detail_in(&self, locale: crate::Locale) -> &str {
        crate::views::in_language(locale, &self.detail, &self.detail_german)
    }
}

/// An entitlement the PO's SIMs get, and whether the PO overrides the account default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoEntitlement {
    pub kind: OptionKind,
    pub name: Option<String>,
    pub overridden: bool,
}

/// A SIM of a PO, visible to the account from READY on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimView {
    pub iccid: String,
    pub imsi: String,
    pub msisdn: Option<String>,
    pub part_number: String,
    pub billing_status: Option<String>,
    pub price_plan: Option<String>,
    pub service_profile: Option<String>,
    pub roaming_profile: Option<String>,
    pub apn_group: Option<String>,
}

/// The shipping address a PO carries (a copy, so later address edits do not change it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoAddress {
    pub recipient: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
}

/// Carrier, tracking number and date of a shipped PO.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipment {
    pub carrier: String,
    pub tracking_number: String,
    /// `YYYY-MM-DD`.
    pub shipped_on: String,
}

/// What the provider enters when shipping.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ShipmentInput {
    pub carrier: String,
    pub tracking_number: String,
    pub shipped_on: String,
}

/// Everything about one PO that its viewer may see, with the actions open to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoDetail {
    pub id: i64,
    pub version: i32,
    pub po_number: Option<i64>,
    pub account_id: i64,
    pub account_name: String,
    pub status: PoStatus,
    pub source: String,
    pub created_by: String,
    pub created_at: String,
    pub lines: Vec<PoLineView>,
    pub total: Price,
    pub shipping_address_id: Option<i64>,
    pub address: PoAddress,
    pub requested_ship_date: Option<String>,
    pub comment: String,
    pub entitlements: Vec<PoEntitlement>,
    pub overrides: Entitlements,
    pub external_reference: Option<String>,
    pub rejection_reason: String,
    pub timeline: Vec<PoEventView>,
    /// Shown to the provider only.
    pub plausibility: Option<Vec<PlausibilityCheck>>,
    /// The first SIMs (from READY on); all of them come as CSV.
    pub sims: Vec<SimView>,
    pub sim_count: u64,
    pub shipment: Option<Shipment>,
    pub actions: Vec<PoAction>,
    /// Whether the viewer works for the provider (and so sees the review side).
    pub provider_view: bool,
    /// What was sent to the procurement system that ordered the PO (provider only).
    pub procurement_messages: Vec<crate::ProcurementMessage>,
}

/// What an order may set for its SIMs: the account's defaults and, where the tenant allows
/// it, the other options the account is entitled to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimSettingChoices {
    pub defaults: Vec<crate::NamedDefault>,
    pub overrides_allowed: bool,
    /// The account's active entitlements (empty when overrides are not allowed).
    pub override_options: Vec<crate::OptionView>,
}

/// What the PO form offers: the account's catalog, addresses and, where allowed, overrides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoFormData {
    pub account_id: i64,
    pub account_name: String,
    pub products: Vec<crate::CatalogEntry>,
    pub addresses: Vec<crate::ShippingAddressView>,
    pub sim_settings: SimSettingChoices,
    /// The draft being edited, if any.
    pub draft: Option<PoDetail>,
}

/// Free and assigned SIMs of one product in the tenant's stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLevel {
    pub product_id: i64,
    pub part_number: String,
    pub product_name: String,
    pub free: u64,
    pub assigned: u64,
}

/// The session key under which the server leaves the last stock import's outcome.
pub const STOCK_IMPORT_OUTCOME_KEY: &str = "stock_import";

/// What the portal itself writes as the reason of a step on a PO's timeline. Stored in English,
/// as the API and CSV files carry it; the PO page and the e-mails show it in the reader's
/// language ([`timeline_reason_in`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemReason {
    FromEmail,
    CartReturned,
    CartEmptied,
    AcceptedAutomatically,
    CreatedWithoutCart,
    /// The procurement system's order id.
    OrderReceived(String),
    OrderChanged(String),
    OrderCancelled(String),
    SimsAssigned(u64),
}

/// The fixed English and German of the reasons without values.
const FIXED_REASONS: [(SystemReason, &str, &str); 5] = [
    (SystemReason::FromEmail, "from e-mail", "aus einer E-Mail"),
    (
        SystemReason::CartReturned,
        "Cart returned to the procurement system.",
        "Warenkorb an das Beschaffungssystem zurückgegeben.",
    ),
    (
        SystemReason::CartEmptied,
        "The cart was emptied in the procurement system.",
        "Der Warenkorb wurde im Beschaffungssystem geleert.",
    ),
    (
        SystemReason::AcceptedAutomatically,
        "Accepted automatically: the order matches the contract exactly.",
        "Automatisch angenommen: Die Bestellung entspricht genau dem Vertrag.",
    ),
    (
        SystemReason::CreatedWithoutCart,
        "Created from an order of the procurement system without a PunchOut cart.",
        "Aus einer Bestellung des Beschaffungssystems ohne PunchOut-Warenkorb angelegt.",
    ),
];

/// The English of the reasons with a value: what comes before and after it.
const VALUED_REASONS: [(&str, &str); 4] = [
    ("Order ", " received from the procurement system."),
    ("Order ", " changed in the procurement system."),
    ("Order ", " cancelled in the procurement system."),
    ("", " SIMs assigned"),
];

impl SystemReason {
    /// As stored.
    pub fn english(&self) -> String {
        self.in_locale(crate::Locale::English)
    }

    pub fn in_locale(&self, locale: crate::Locale) -> String {
        match self {
            SystemReason::OrderReceived(id) => locale.pick(
                format!("Order {id} received from the procurement system."),
                format!("Bestellung {id} aus dem Beschaffungssystem empfangen."),
            ),
            SystemReason::OrderChanged(id) => locale.pick(
                format!("Order {id} changed in the procurement system."),
                format!("Bestellung {id} im Beschaffungssystem geändert."),
            ),
            SystemReason::OrderCancelled(id) => locale.pick(
                format!("Order {id} cancelled in the procurement system."),
                format!("Bestellung {id} im Beschaffungssystem storniert."),
            ),
            SystemReason::SimsAssigned(n) => {
                locale.pick(format!("{n} SIMs assigned"), format!("{n} SIMs zugeordnet"))
            }
            fixed => FIXED_REASONS
                .iter()
                .find(|(reason, ..)| reason == fixed)
                .map(|(_, english, german)| locale.pick(*english, *german).to_owned())
                .unwrap_or_default(),
        }
    }

    /// The reason the portal wrote as `stored`; none for one a person wrote.
    pub fn parse(stored: &str) -> Option<Self> {
        if let Some((reason, ..)) = FIXED_REASONS.iter().find(|(_, e, _)| *e == stored) {
            return Some(reason.clone());
        }
        VALUED_REASONS
            .iter()
            .enumerate()
            .find_map(|(index, (before, after))| {
                let value = stored.strip_prefix(before)?.strip_suffix(after)?;
                if value.is_empty() || value.contains(char::is_whitespace) {
                    return None;
                }
                match index {
                    0 => Some(SystemReason::OrderReceived(value.to_owned())),
                    1 => Some(SystemReason::OrderChanged(value.to_owned())),
                    2 => Some(SystemReason::OrderCancelled(value.to_owned())),
                    _ => value.parse().ok().map(SystemReason::SimsAssigned),
                }
            })
    }
}

/// A timeline reason as `stored`, for a reader of `locale`: the portal's own in their
/// language, a person's as they wrote it.
pub fn timeline_reason_in(stored: &str, locale: crate::Locale) -> String {
    SystemReason::parse(stored).map_or_else(|| stored.to_owned(), |r| r.in_locale(locale))
}

#[cfg(test)]
mod system_reason_tests {
    use super::*;
    use crate::Locale;

    #[test]
    fn every_reason_reads_back_from_its_english_and_has_german() {
        let reasons = [
            SystemReason::FromEmail,
            SystemReason::CartReturned,
            SystemReason::CartEmptied,
            SystemReason::AcceptedAutomatically,
            SystemReason::CreatedWithoutCart,
            SystemReason::OrderReceived("PO-4711".into()),
            SystemReason::OrderChanged("PO-4711".into()),
            SystemReason::OrderCancelled("PO-4711".into()),
            SystemReason::SimsAssigned(40),
        ];
        for reason in reasons {
            let english = reason.english();
            assert_eq!(
                SystemReason::parse(&english),
                Some(reason.clone()),
                "{english}"
            );
            let german = reason.in_locale(Locale::German);
            assert!(!german.is_empty() && german != english, "{english}");
        }
        assert_eq!(
            timeline_reason_in("40 SIMs assigned", Locale::German),
            "40 SIMs zugeordnet"
        );
    }

    #[test]
    fn what_a_person_wrote_stays_as_written() {
        for written in [
            "Wrong product",
            "Order it again next week.",
            " SIMs assigned",
        ] {
            assert_eq!(SystemReason::parse(written), None);
            assert_eq!(timeline_reason_in(written, Locale::German), written);
        }
    }
}
