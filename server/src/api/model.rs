//! The REST API's documents: its public contract, kept apart from the browser's view models so
//! a page can change without breaking an integration. Codes are the stable lower-case codes
//! the CSV files use; times are RFC 3339; money is in minor units with its currency.

use serde::{Deserialize, Serialize};
use simdesk_types as types;
use utoipa::ToSchema;

/// An amount of money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Money {
    /// In minor units (cents).
    #[schema(example = 399)]
    pub amount_minor: i64,
    /// ISO 4217.
    #[schema(example = "EUR")]
    pub currency: String,
}

impl From<&types::Price> for Money {
    fn from(price: &types::Price) -> Self {
        Self {
            amount_minor: price.minor,
            currency: price.currency.clone(),
        }
    }
}

/// Who is calling: the token and what it acts for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Me {
    pub token_id: i64,
    /// The admin the token acts as.
    pub acts_as: String,
    pub tenant_id: i64,
    /// None for a token of the whole tenant.
    pub account_id: Option<i64>,
    #[schema(example = json!(["read", "orders:write"]))]
    pub scopes: Vec<String>,
}

/// A purchase order in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderSummary {
    pub id: i64,
    /// The PO number, assigned at acceptance.
    pub number: Option<i64>,
    pub account_id: i64,
    pub account_name: String,
    /// One of `draft`, `awaiting_approval`, `awaiting_buyer_po`, `submitted`, `accepted`,
    /// `provisioning`, `ready`, `shipped`, `closed`, `rejected`, `cancelled`.
    #[schema(example = "submitted")]
    pub status: String,
    pub total: Money,
    /// SIMs ordered over all lines.
    pub quantity: i64,
    pub created_by: String,
    pub created_at: String,
    /// The buyer's own reference (a procurement system's order id).
    pub external_reference: Option<String>,
}

impl From<&types::PoSummary> for OrderSummary {
    fn from(po: &types::PoSummary) -> Self {
        Self {
            id: po.id,
            number: po.po_number,
            account_id: po.account_id,
            account_name: po.account_name.clone(),
            status: po.status.as_str().to_owned(),
            total: Money::from(&po.total),
            quantity: po.quantity,
            created_by: po.created_by.clone(),
            created_at: po.created_at.clone(),
            external_reference: po.external_reference.clone(),
        }
    }
}

/// One page of purchase orders, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderPage {
    pub data: Vec<OrderSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// How many orders of the filters' scope (whatever the status filter) are in each status.
    pub counts_by_status: std::collections::BTreeMap<String, u64>,
}

/// A line of a purchase order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderLine {
    pub line_number: i32,
    pub product_id: i64,
    pub part_number: String,
    pub product_name: String,
    pub quantity: i32,
    pub unit_price: Money,
    pub line_total: Money,
    pub provisioned_quantity: i32,
}

/// A step in a purchase order's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderEvent {
    #[schema(example = "accept")]
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor: String,
    pub reason: String,
    pub at: String,
}

/// Where the SIMs go.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Address {
    pub recipient: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
}

/// A SIM setting of the order's SIMs.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SimSetting {
    /// `billing_status`, `price_plan`, `service_profile`, `roaming_profile` or `apn_group`.
    pub kind: String,
    pub name: Option<String>,
    /// Whether the order overrides the account's default.
    pub overridden: bool,
}

/// A plausibility check, for the provider's review.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Check {
    pub check: String,
    pub passed: bool,
    pub detail: String,
}

/// How the SIMs were shipped.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ShipmentInfo {
    pub carrier: String,
    pub tracking_number: String,
    pub shipped_on: String,
}

/// A purchase order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Order {
    pub id: i64,
    /// Send it back with every change: a change to an order that changed meanwhile is
    /// refused with 409.
    pub version: i32,
    pub number: Option<i64>,
    pub account_id: i64,
    pub account_name: String,
    #[schema(example = "draft")]
    pub status: String,
    /// `portal`, `agent`, `api`, `cxml`, `oci` or `email`.
    pub source: String,
    pub created_by: String,
    pub created_at: String,
    pub lines: Vec<OrderLine>,
    pub total: Money,
    pub shipping_address_id: Option<i64>,
    pub shipping_address: Address,
    pub requested_ship_date: Option<String>,
    pub comment: String,
    pub sim_settings: Vec<SimSetting>,
    pub external_reference: Option<String>,
    pub rejection_reason: String,
    pub timeline: Vec<OrderEvent>,
    /// The provider's plausibility checks (provider tokens only).
    pub plausibility: Option<Vec<Check>>,
    pub sim_count: u64,
    pub shipment: Option<ShipmentInfo>,
    /// The steps this token may take now, as `POST /orders/{id}/{action}` takes them.
    #[schema(example = json!(["submit", "cancel"]))]
    pub actions: Vec<String>,
}

impl From<types::PoDetail> for Order {
    fn from(po: types::PoDetail) -> Self {
        Self {
            id: po.id,
            version: po.version,
            number: po.po_number,
            account_id: po.account_id,
            account_name: po.account_name,
            status: po.status.as_str().to_owned(),
            source: po.source,
            created_by: po.created_by,
            created_at: po.created_at,
            lines: po
                .lines
                .iter()
                .map(|line| OrderLine {
                    line_number: line.line_number,
                    product_id: line.product_id,
                    part_number: line.part_number.clone(),
                    product_name: line.product_name.clone(),
                    quantity: line.quantity,
                    unit_price: Money::from(&line.unit_price),
                    line_total: Money::from(&line.line_total),
                    provisioned_quantity: line.provisioned_quantity,
                })
                .collect(),
            total: Money::from(&po.total),
            shipping_address_id: po.shipping_address_id,
            shipping_address: Address {
                recipient: po.address.recipient,
                street: po.address.street,
                postal_code: po.address.postal_code,
                city: po.address.city,
                country: po.address.country,
            },
            requested_ship_date: po.requested_ship_date,
            comment: po.comment,
            sim_settings: po
                .entitlements
                .into_iter()
                .map(|e| SimSetting {
                    kind: e.kind.as_str().to_owned(),
                    name: e.name,
                    overridden: e.overridden,
                })
                .collect(),
            external_reference: po.external_reference,
            rejection_reason: po.rejection_reason,
            timeline: po
                .timeline
                .into_iter()
                .map(|event| OrderEvent {
                    action: event.action.as_str().to_owned(),
                    from_status: event.from_status.map(|s| s.as_str().to_owned()),
                    to_status: event.to_status.as_str().to_owned(),
                    actor: event.actor,
                    reason: event.reason,
                    at: event.at,
                })
                .collect(),
            plausibility: po.plausibility.map(|checks| {
                checks
                    .into_iter()
                    .map(|c| Check {
                        check: c.check,
                        passed: c.passed,
                        detail: c.detail,
                    })
                    .collect()
            }),
            sim_count: po.sim_count,
            shipment: po.shipment.map(|s| ShipmentInfo {
                carrier: s.carrier,
                tracking_number: s.tracking_number,
                shipped_on: s.shipped_on,
            }),
            actions: po
                .actions
                .into_iter()
                .filter(|a| !matches!(a, types::PoAction::Edit | types::PoAction::Provision))
                .map(|a| a.as_str().to_owned())
                .collect(),
        }
    }
}

/// A line to order.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderLineInput {
    pub product_id: i64,
    #[schema(minimum = 1, example = 10)]
    pub quantity: u32,
}

/// A new shipping address.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AddressInput {
    /// How the account's address list names it, when it is kept.
    pub label: String,
    pub recipient: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
}

/// SIM settings as ids of the tenant's entitlement options: the ones an order chooses instead
/// of the account's defaults, where the provider allows it, or a product's defaults.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SimSettingIds {
    pub billing_status: Option<i64>,
    pub price_plan: Option<i64>,
    pub service_profile: Option<i64>,
    pub roaming_profile: Option<i64>,
    pub apn_group: Option<i64>,
}

/// A draft purchase order, as created or replaced.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct OrderInput {
    /// The account the order is for: provider tokens only; an account's token orders for its
    /// own account.
    #[serde(default)]
    pub account_id: Option<i64>,
    pub lines: Vec<OrderLineInput>,
    /// One of the account's addresses; or give `shipping_address`.
    #[serde(default)]
    pub shipping_address_id: Option<i64>,
    #[serde(default)]
    pub shipping_address: Option<AddressInput>,
    /// Keep `shipping_address` among the account's addresses.
    #[serde(default)]
    pub save_shipping_address: bool,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub requested_ship_date: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub sim_settings: Option<SimSettingIds>,
}

impl From<OrderInput> for types::PoInput {
    fn from(input: OrderInput) -> Self {
        let address = input.shipping_address.unwrap_or_default();
        let settings = input.sim_settings.unwrap_or_default();
        types::PoInput {
            account_id: input.account_id,
            lines: input
                .lines
                .into_iter()
                .map(|line| types::PoLineInput {
                    product_id: Some(line.product_id),
                    quantity: line.quantity.to_string(),
                })
                .collect(),
            shipping_address_id: input.shipping_address_id,
            new_address: types::ShippingAddressInput {
                label: address.label,
                recipient: address.recipient,
                street: address.street,
                postal_code: address.postal_code,
                city: address.city,
                country: address.country,
            },
            save_new_address: input.save_shipping_address,
            requested_ship_date: input.requested_ship_date.unwrap_or_default(),
            comment: input.comment.unwrap_or_default(),
            overrides: types::Entitlements {
                billing_status: settings.billing_status,
                price_plan: settings.price_plan,
                service_profile: settings.service_profile,
                roaming_profile: settings.roaming_profile,
                apn_group: settings.apn_group,
            },
        }
    }
}

/// A draft's replacement, with the version it replaces.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct OrderUpdate {
    /// The `version` the change is based on.
    pub version: i32,
    #[serde(flatten)]
    pub order: OrderInput,
}

/// A step on a purchase order.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    /// The `version` the step is based on.
    pub version: i32,
    /// Required to reject or decline.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Assigning SIMs to an accepted order (provider tokens).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvisionInput {
    /// The `version` the step is based on.
    pub version: i32,
    /// ICCIDs or IMSIs of free SIMs of the ordered products, one per SIM; when not given, the
    /// oldest free SIMs of each product in stock.
    #[serde(default)]
    pub sims: Option<Vec<String>>,
}

/// Shipping the SIMs of a ready order (provider tokens).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipInput {
    pub version: i32,
    pub carrier: String,
    pub tracking_number: String,
    /// `YYYY-MM-DD`.
    pub shipped_on: String,
}

/// The answer to a step.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepResult {
    pub id: i64,
    #[schema(example = "submitted")]
    pub status: String,
}

impl StepResult {
    pub fn new(id: i64, status: types::PoStatus) -> Self {
        Self {
            id,
            status: status.as_str().to_owned(),
        }
    }
}

/// A SIM of an order, from `ready` on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Sim {
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

impl From<types::SimView> for Sim {
    fn from(sim: types::SimView) -> Self {
        Self {
            iccid: sim.iccid,
            imsi: sim.imsi,
            msisdn: sim.msisdn,
            part_number: sim.part_number,
            billing_status: sim.billing_status,
            price_plan: sim.price_plan,
            service_profile: sim.service_profile,
            roaming_profile: sim.roaming_profile,
            apn_group: sim.apn_group,
        }
    }
}

/// A product: for an account's token, the account's products at its contract prices; for a
/// tenant's token, the tenant's catalog at list prices with the fields only its editors see.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Product {
    pub id: i64,
    pub part_number: String,
    pub name: String,
    pub description: String,
    /// `plastic`, `esim` or `chip`.
    pub sim_type: String,
    /// `2FF`, `3FF`, `4FF`, `MFF2` or `eUICC`.
    pub form_factor: String,
    pub features: String,
    pub price: Money,
    pub unit_of_measure: String,
    pub min_order_quantity: i32,
    pub max_order_quantity: i32,
    pub order_increment: i32,
    /// `active` or `retired` (tenant catalog only; an account sees what it may order).
    pub status: String,
    /// Tenant tokens: the branding printed on the SIM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branding: Option<String>,
    /// Tenant tokens: the 8-digit UNSPSC code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unspsc: Option<String>,
    /// Tenant tokens: the SIM settings a new SIM of this product gets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub defaults: Option<SimSettingIds>,
    /// Tenant tokens: the version a change is based on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

impl From<types::CatalogEntry> for Product {
    fn from(entry: types::CatalogEntry) -> Self {
        Self {
            id: entry.product_id,
            part_number: entry.part_number,
            name: entry.name,
            description: entry.description,
            sim_type: entry.sim_type.as_str().to_owned(),
            form_factor: entry.form_factor.as_str().to_owned(),
            features: entry.features,
            price: Money::from(&entry.price),
            unit_of_measure: entry.unit_of_measure,
            min_order_quantity: entry.min_order_quantity,
            max_order_quantity: entry.max_order_quantity,
            order_increment: entry.order_increment,
            status: types::ProductStatus::Active.as_str().to_owned(),
            branding: None,
            unspsc: None,
            defaults: None,
            version: None,
        }
    }
}

impl From<types::ProductView> for Product {
    fn from(product: types::ProductView) -> Self {
        Self {
            id: product.id,
            part_number: product.part_number,
            name: product.name,
            description: product.description,
            sim_type: product.sim_type.as_str().to_owned(),
            form_factor: product.form_factor.as_str().to_owned(),
            features: product.features,
            price: Money::from(&product.price),
            unit_of_measure: product.unit_of_measure,
            min_order_quantity: product.min_order_quantity,
            max_order_quantity: product.max_order_quantity,
            order_increment: product.order_increment,
            status: product.status.as_str().to_owned(),
            branding: Some(product.branding),
            unspsc: Some(product.unspsc),
            defaults: Some(SimSettingIds {
                billing_status: product.defaults.billing_status,
                price_plan: product.defaults.price_plan,
                service_profile: product.defaults.service_profile,
                roaming_profile: product.defaults.roaming_profile,
                apn_group: product.defaults.apn_group,
            }),
            version: Some(product.version),
        }
    }
}

/// A product of the tenant's catalog, as created or replaced (tenant tokens with
/// `catalog:write`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductInput {
    /// Unique in the tenant: 1 to 64 letters, digits, dots, dashes or underscores.
    #[schema(example = "SIM-4FF-IND")]
    pub part_number: String,
    #[schema(example = "Industrial nano SIM")]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// `plastic`, `esim` or `chip`.
    #[schema(example = "plastic")]
    pub sim_type: String,
    /// `2FF`, `3FF`, `4FF`, `MFF2` or `eUICC`.
    #[schema(example = "4FF")]
    pub form_factor: String,
    #[serde(default)]
    pub features: String,
    #[serde(default)]
    pub branding: String,
    /// The list price of one unit; more than zero.
    pub price: Money,
    /// The 8-digit UNSPSC code.
    #[schema(example = "43191501")]
    pub unspsc: String,
    /// A UN/CEFACT unit code; `EA` when not given.
    #[serde(default)]
    pub unit_of_measure: Option<String>,
    /// 1 when not given.
    #[serde(default)]
    pub min_order_quantity: Option<u32>,
    /// 100000 when not given.
    #[serde(default)]
    pub max_order_quantity: Option<u32>,
    /// 1 when not given.
    #[serde(default)]
    pub order_increment: Option<u32>,
    /// The SIM settings a new SIM of this product gets: active options of their kind.
    #[serde(default)]
    pub defaults: SimSettingIds,
    /// For `PUT`, required: the `version` the change is based on. A new product has none.
    #[serde(default)]
    pub version: Option<i32>,
}

/// The catalog form's field names as [`ProductInput`] calls them.
pub const PRODUCT_FIELD_NAMES: [(&str, &str); 7] = [
    ("unit_price", "price.amount_minor"),
    ("currency", "price.currency"),
    ("default_billing_status", "defaults.billing_status"),
    ("default_price_plan", "defaults.price_plan"),
    ("default_service_profile", "defaults.service_profile"),
    ("default_roaming_profile", "defaults.roaming_profile"),
    ("default_apn_group", "defaults.apn_group"),
];

impl From<ProductInput> for types::ProductInput {
    fn from(input: ProductInput) -> Self {
        let currency = input.price.currency.trim().to_uppercase();
        let count = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
        types::ProductInput {
            part_number: input.part_number,
            name: input.name,
            description: input.description,
            sim_type: input.sim_type,
            form_factor: input.form_factor,
            features: input.features,
            branding: input.branding,
            unit_price: simdesk_domain::money::format_amount(input.price.amount_minor, &currency),
            currency,
            unspsc: input.unspsc,
            unit_of_measure: input.unit_of_measure.unwrap_or_default(),
            min_order_quantity: count(input.min_order_quantity),
            max_order_quantity: count(input.max_order_quantity),
            order_increment: count(input.order_increment),
            initial_billing_status: input.defaults.billing_status,
            default_price_plan: input.defaults.price_plan,
            default_service_profile: input.defaults.service_profile,
            default_roaming_profile: input.defaults.roaming_profile,
            default_apn_group: input.defaults.apn_group,
        }
    }
}

/// Retiring a product or offering it again.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionInput {
    /// The `version` the change is based on.
    pub version: i32,
}

/// An entitlement option of the tenant: a SIM billing status, price plan, service profile,
/// roaming profile or APN group.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntitlementOption {
    pub id: i64,
    /// `billing_status`, `price_plan`, `service_profile`, `roaming_profile` or `apn_group`.
    pub kind: String,
    pub code: String,
    pub name: String,
    pub description: String,
    /// Retired options stay on the records that chose them, but cannot be chosen again.
    pub active: bool,
}

impl From<types::OptionView> for EntitlementOption {
    fn from(option: types::OptionView) -> Self {
        Self {
            id: option.id,
            kind: option.kind.as_str().to_owned(),
            code: option.code,
            name: option.name,
            description: option.description,
            active: option.active,
        }
    }
}

/// A new entitlement option (tenant tokens with `catalog:write`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionInput {
    /// `billing_status`, `price_plan`, `service_profile`, `roaming_profile` or `apn_group`.
    #[schema(example = "price_plan")]
    pub kind: String,
    /// Unique per kind: 1 to 64 letters, digits, dots, dashes or underscores.
    #[schema(example = "IOT-10MB")]
    pub code: String,
    #[schema(example = "IoT 10 MB")]
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// The options a token may choose: a tenant's token all of the tenant's, an account's token
/// the ones its orders may choose instead of the account's defaults.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OptionList {
    pub data: Vec<EntitlementOption>,
    /// Whether orders may override the account's default SIM settings at all.
    pub overrides_allowed: bool,
}

/// A page of a list, with the cursor of the next.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProductPage {
    pub data: Vec<Product>,
    pub next_cursor: Option<String>,
}

/// An enterprise account (provider tokens).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub customer_number: String,
    /// `active` or `suspended`.
    pub status: String,
    pub parent_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountPage {
    pub data: Vec<Account>,
    pub next_cursor: Option<String>,
}

/// Free and assigned SIMs of one product (provider tokens).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StockLevel {
    pub product_id: i64,
    pub part_number: String,
    pub product_name: String,
    pub free: u64,
    pub assigned: u64,
}

/// A message in or out: e-mail or cXML (provider tokens).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Message {
    /// Stable, such as `email-12`.
    pub key: String,
    /// `email` or `cxml`.
    pub channel: String,
    /// `in` or `out`.
    pub direction: String,
    pub at: String,
    pub counterpart: String,
    pub document_type: String,
    /// `pending`, `sent`, `failed`, `received` or `refused`.
    pub status: String,
    pub attempts: i32,
    pub last_error: String,
    pub purchase_order_id: Option<i64>,
    pub reference: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessagePage {
    pub data: Vec<Message>,
    pub next_cursor: Option<String>,
}

/// An alarm about the tenant's messages (provider tokens).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Alarm {
    pub id: i64,
    /// `delivery_failed`, `queue_stale`, `cxml_refusals`, `inbound_unreadable` or
    /// `mailbox_unreachable`.
    pub kind: String,
    /// `open`, `acknowledged` or `resolved`.
    pub status: String,
    pub summary: String,
    pub message_key: Option<String>,
    pub occurrences: i32,
    pub raised_at: String,
    pub last_seen_at: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlarmPage {
    pub data: Vec<Alarm>,
    /// How many are open.
    pub open: u64,
}
