//! sea-orm entities, one module per table.

pub mod account;
pub mod account_entitlement;
pub mod account_product;
pub mod app_user;
pub mod audit_log;
pub mod cxml_document;
pub mod cxml_outbox;
pub mod cxml_outbox_attempt;
pub mod entitlement_option;
pub mod external_identity;
pub mod identity_provider;
pub mod identity_provider_domain;
pub mod membership;
pub mod notification;
pub mod product;
pub mod punchout_credential;
pub mod punchout_session;
pub mod purchase_order;
pub mod purchase_order_event;
pub mod purchase_order_line;
pub mod session;
pub mod shipping_address;
pub mod sim_card;
pub mod tenant;
