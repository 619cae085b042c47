//! The public REST API's tokens, as their admins see and make them.

use serde::{Deserialize, Serialize};

coded_enum! {
    /// What an API token may do, on top of what its maker's roles allow.
    ApiScope {
        Read => "read", "Read orders, products and, for the provider, accounts, stock and messages", "Bestellungen und Produkte lesen, für den Anbieter auch Kundenkonten, Bestand und Nachrichten";
        OrdersWrite => "orders:write", "Raise, edit and move purchase orders through their steps", "Bestellungen anlegen, bearbeiten und durch ihre Schritte führen";
        CatalogWrite => "catalog:write", "Change the catalog (tenant tokens only)", "Den Katalog ändern (nur Tokens des Anbieters)";
    }
}

impl ApiScope {
    /// The scopes a token of a whole tenant may have; an account's token has all but
    /// `catalog:write`.
    pub fn allowed(for_tenant: bool) -> Vec<ApiScope> {
        Self::ALL
            .iter()
            .copied()
            .filter(|scope| for_tenant || *scope != ApiScope::CatalogWrite)
            .collect()
    }
}

/// The longest an API token may live, in days.
pub const API_TOKEN_MAX_DAYS: u32 = 365;

/// An API token in its admin's list (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenView {
    pub id: i64,
    pub name: String,
    /// The token's first characters, to tell tokens apart.
    pub prefix: String,
    pub scopes: Vec<ApiScope>,
    pub created_by: String,
    /// RFC 3339.
    pub created_at: String,
    pub expires_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    /// Neither revoked nor expired.
    pub active: bool,
}

/// What an admin enters for a new token. Scopes come as checkboxes, one field each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiTokenInput {
    pub name: String,
    #[serde(deserialize_with = "crate::form::checkbox")]
    pub read: bool,
    #[serde(deserialize_with = "crate::form::checkbox")]
    pub orders_write: bool,
    #[serde(deserialize_with = "crate::form::checkbox")]
    pub catalog_write: bool,
    /// Days until it expires, as entered.
    pub expires_in_days: String,
}

impl ApiTokenInput {
    pub fn scopes(&self) -> Vec<ApiScope> {
        [
            (self.read, ApiScope::Read),
            (self.orders_write, ApiScope::OrdersWrite),
            (self.catalog_write, ApiScope::CatalogWrite),
        ]
        .into_iter()
        .filter_map(|(chosen, scope)| chosen.then_some(scope))
        .collect()
    }
}

/// The admin's token page: the tokens, and whether they are the tenant's or an account's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenList {
    pub tokens: Vec<ApiTokenView>,
    /// The latest calls made with these tokens, newest first.
    pub recent_calls: Vec<ApiCallRow>,
    /// Whose tokens these are: the tenant's or the account's name.
    pub owner: String,
    pub for_tenant: bool,
}

/// One call made with a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiCallRow {
    /// RFC 3339.
    pub at: String,
    pub token_name: String,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub request_id: String,
}

/// A token just made: its secret is shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiToken {
    pub secret: String,
    pub token: ApiTokenView,
}

coded_enum! {
    /// What a webhook tells of.
    WebhookEvent {
        OrderStatusChanged => "order.status_changed", "A purchase order changed its status", "Eine Bestellung hat ihren Status geändert";
        OrderSimsReady => "order.sims_ready", "The SIMs of a purchase order are ready", "Die SIMs einer Bestellung sind bereit";
        OrderShipped => "order.shipped", "The SIMs of a purchase order were shipped", "Die SIMs einer Bestellung wurden versandt";
        AlarmRaised => "alarm.raised", "An alarm was raised (tenant webhooks only)", "Ein Alarm wurde ausgelöst (nur Webhooks des Anbieters)";
        Test => "webhook.test", "A test delivery", "Eine Testzustellung";
    }
}

impl WebhookEvent {
    /// The events a subscription may choose: an account's all but the tenant's alarms.
    pub fn subscribable(for_tenant: bool) -> Vec<WebhookEvent> {
        Self::ALL
            .iter()
            .copied()
            .filter(|event| *event != WebhookEvent::Test)
            .filter(|event| for_tenant || *event != WebhookEvent::AlarmRaised)
            .collect()
    }
}

/// One delivery of a webhook, as its admin sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDeliveryView {
    pub id: i64,
    /// The `webhook-id` header.
    pub message_id: String,
    pub event: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub last_http_status: Option<i32>,
    pub last_error: String,
    /// RFC 3339.
    pub created_at: String,
}

/// A webhook subscription (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookView {
    pub id: i64,
    pub url: String,
    pub description: String,
    pub events: Vec<WebhookEvent>,
    pub active: bool,
    pub created_by: String,
    pub created_at: String,
    /// The latest deliveries, newest first.
    pub deliveries: Vec<WebhookDeliveryView>,
}

/// What an admin enters for a new webhook; events come as checkboxes, one field each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookInput {
    pub url: String,
    pub description: String,
    #[serde(deserialize_with = "crate::form::checkbox")]
    pub order_status_changed: bool,
    #[serde(deserialize_with = "crate::form::checkbox")]
    pub order_sims_ready: bool,
    #[serde(deserialize_with = "crate::form::checkbox")]
    pub order_shipped: bool,
    #[serde(deserialize_with = "crate::form::checkbox")]
    pub alarm_raised: bool,
}

impl WebhookInput {
    pub fn events(&self) -> Vec<WebhookEvent> {
        [
            (self.order_status_changed, WebhookEvent::OrderStatusChanged),
            (self.order_sims_ready, WebhookEvent::OrderSimsReady),
            (self.order_shipped, WebhookEvent::OrderShipped),
            (self.alarm_raised, WebhookEvent::AlarmRaised),
        ]
        .into_iter()
        .filter_map(|(chosen, event)| chosen.then_some(event))
        .collect()
    }
}

/// The admin's webhooks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookList {
    pub webhooks: Vec<WebhookView>,
    pub for_tenant: bool,
}

/// A webhook just made: its signing secret is shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewWebhook {
    pub secret: String,
    pub webhook: WebhookView,
}
