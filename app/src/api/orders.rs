//! Server functions of SIM purchase orders and the SIM stock.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use simdesk_types as types;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

/// A page of the PO list with what its filters offer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrdersPageData {
    pub list: types::PoList,
    /// The tenant's accounts, for the provider's account filter and "raise on behalf".
    pub accounts: Vec<types::AccountSummary>,
    pub provider: bool,
    pub can_raise: bool,
}

#[server(endpoint = "orders_page")]
pub async fn orders_page(
    #[server(default)] status: String,
    #[server(default)] account: String,
    #[server(default)] older_than: String,
    #[server(default)] after: Option<String>,
) -> Result<OrdersPageData, AppError> {
    use simdesk_domain::orders::{self, PoQuery};
    use simdesk_domain::policy::{self, Permission};
    let actor = ssr::actor()?;
    let db = ssr::db()?;
    let provider = policy::allows(&actor, Permission::ReviewOrders);
    let query = PoQuery {
        // One status, or a group of them ("accepted,provisioning,ready") from a chart.
        statuses: status
            .split(',')
            .filter_map(types::PoStatus::parse)
            .collect(),
        account_id: account.parse().ok(),
        older_than_days: older_than.parse().ok().filter(|days| *days > 0),
        after: after.filter(|a| !a.is_empty()),
        limit: orders::PAGE_SIZE,
    };
    let list = orders::list(&db, &actor, query).await?;
    let accounts = if provider {
        simdesk_domain::accounts::list(
            &db,
            &actor,
            simdesk_domain::accounts::AccountQuery {
                limit: 200,
                ..Default::default()
            },
        )
        .await?
        .rows
    } else {
        Vec::new()
    };
    Ok(OrdersPageData {
        list,
        accounts,
        provider,
        can_raise: policy::allows(&actor, Permission::RaiseOrders),
    })
}

#[server(endpoint = "po_form")]
pub async fn po_form(
    #[server(default)] account: Option<i64>,
    #[server(default)] id: Option<i64>,
) -> Result<types::PoFormData, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::orders::form_data(&ssr::db()?, &actor, account, id).await?)
}

/// Creates a draft (no `id`) or changes one, then shows it.
#[server(endpoint = "save_po")]
pub async fn save_po(
    #[server(default)] id: Option<i64>,
    #[server(default)] version: Option<i32>,
    input: types::PoInput,
) -> Result<i64, AppError> {
    let actor = ssr::actor()?;
    let db = ssr::db()?;
    let saved = match id {
        None => simdesk_domain::orders::create_draft(&db, &actor, input).await?,
        Some(id) => {
            simdesk_domain::orders::update_draft(
                &db,
                &actor,
                id,
                version.unwrap_or_default(),
                input,
            )
            .await?
        }
    };
    leptos_axum::redirect(&format!("/orders/{saved}"));
    Ok(saved)
}

#[server(endpoint = "po_detail")]
pub async fn po_detail(id: i64) -> Result<types::PoDetail, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::orders::detail(&ssr::db()?, &actor, id).await?)
}

/// One step of the workflow; the server decides whether it is allowed.
#[server(endpoint = "po_step")]
pub async fn po_step(
    id: i64,
    version: i32,
    step: String,
    #[server(default)] reason: String,
) -> Result<types::PoStatus, AppError> {
    let actor = ssr::actor()?;
    let action = types::PoAction::parse(&step)
        .ok_or_else(|| AppError::Invalid(vec![types::FieldError::new("step", "Unknown step.")]))?;
    Ok(simdesk_domain::orders::act(&ssr::db()?, &actor, id, version, action, &reason).await?)
}

/// Sends a document the procurement system did not take once more (provider staff only).
#[server(endpoint = "retry_procurement_message")]
pub async fn retry_procurement_message(id: i64, message: i64) -> Result<(), AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::punchout::outbox::retry(&ssr::db()?, &actor, id, message).await?)
}

/// Assigns SIMs: from stock when `identifiers` is empty, else exactly those listed.
#[server(endpoint = "provision_po")]
pub async fn provision_po(
    id: i64,
    version: i32,
    #[server(default)] identifiers: String,
) -> Result<types::PoStatus, AppError> {
    use simdesk_domain::orders::provisioning::{self, Source};
    let actor = ssr::actor()?;
    let source = if identifiers.trim().is_empty() {
        Source::Stock
    } else {
        Source::Identifiers(&identifiers)
    };
    Ok(provisioning::provision(&ssr::db()?, &actor, id, version, source).await?)
}

#[server(endpoint = "ship_po")]
pub async fn ship_po(
    id: i64,
    version: i32,
    shipment: types::ShipmentInput,
) -> Result<types::PoStatus, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::orders::ship(&ssr::db()?, &actor, id, version, shipment).await?)
}

#[server(endpoint = "stock_levels")]
pub async fn stock_levels() -> Result<Vec<types::StockLevel>, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::orders::stock::levels(&ssr::db()?, &actor).await?)
}

/// The outcome of the last stock upload of this session, once.
#[server(endpoint = "take_stock_import_outcome")]
pub async fn take_stock_import_outcome() -> Result<Option<types::ImportOutcome>, AppError> {
    ssr::take_import_outcome(types::STOCK_IMPORT_OUTCOME_KEY).await
}

#[server(endpoint = "set_spending_limit")]
pub async fn set_spending_limit(
    user_id: i64,
    #[server(default)] amount: String,
    #[server(default)] currency: String,
) -> Result<(), AppError> {
    let actor = ssr::actor()?;
    Ok(
        simdesk_domain::orders::set_spending_limit(
            &ssr::db()?,
            &actor,
            user_id,
            &amount,
            &currency,
        )
        .await?,
    )
}
