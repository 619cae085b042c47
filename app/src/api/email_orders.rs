//! Orders by e-mail: thin calls into `simdesk_domain::intake`.

use leptos::prelude::*;
use simdesk_types as types;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

/// A page of the tenant's order e-mails; an empty status means all.
#[server(endpoint = "email_orders")]
pub async fn email_orders(
    #[server(default)] status: String,
    after: Option<String>,
) -> Result<types::EmailOrderPage, AppError> {
    let actor = ssr::actor()?;
    let after = after.and_then(|a| a.parse::<i64>().ok());
    Ok(simdesk_domain::intake::list(
        &ssr::db()?,
        &actor,
        types::InboundStatus::parse(&status),
        after,
        50,
    )
    .await?)
}

#[server(endpoint = "email_order")]
pub async fn email_order(id: i64) -> Result<types::EmailOrderDetail, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::intake::detail(&ssr::db()?, &actor, id).await?)
}

/// The order e-mail a PO was made of, for the provider's staff; `None` otherwise.
#[server(endpoint = "email_order_of_po")]
pub async fn email_order_of_po(po_id: i64) -> Result<Option<types::EmailOrderDetail>, AppError> {
    let actor = ssr::actor()?;
    if !simdesk_domain::policy::allows(&actor, types::Permission::ReviewOrders) {
        return Ok(None);
    }
    Ok(simdesk_domain::intake::of_order(&ssr::db()?, &actor, po_id).await?)
}

/// Makes the draft of an unknown sender's e-mail for the chosen account, and opens it.
#[server(endpoint = "assign_email_order")]
pub async fn assign_email_order(
    id: i64,
    #[server(default)] account_id: String,
) -> Result<i64, AppError> {
    let actor = ssr::actor()?;
    let account_id = account_id.trim().parse::<i64>().map_err(|_| {
        AppError::Invalid(vec![types::FieldError::new(
            "account_id",
            "Choose the account the order is for.",
        )])
    })?;
    let po_id = simdesk_domain::intake::assign(&ssr::db()?, &actor, id, account_id).await?;
    leptos_axum::redirect(&format!("/orders/{po_id}"));
    Ok(po_id)
}

#[server(endpoint = "dismiss_email_order")]
pub async fn dismiss_email_order(id: i64) -> Result<(), AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::intake::dismiss(&ssr::db()?, &actor, id).await?)
}

/// The tenant's order mailbox (IMAP), for its admins.
#[server(endpoint = "order_mailbox")]
pub async fn order_mailbox() -> Result<types::MailboxView, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::mailbox::settings(&ssr::db()?, &actor).await?)
}

#[server(endpoint = "save_order_mailbox")]
pub async fn save_order_mailbox(
    version: i32,
    settings: types::MailboxInput,
) -> Result<types::MailboxView, AppError> {
    let actor = ssr::actor()?;
    Ok(
        simdesk_domain::mailbox::save(&ssr::db()?, &ssr::sealing_key()?, &actor, version, settings)
            .await?,
    )
}

/// Reads the mailbox now, as the server does every few seconds.
#[server(endpoint = "check_order_mailbox")]
pub async fn check_order_mailbox() -> Result<types::MailboxCheck, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::mailbox::check_now(
        &ssr::db()?,
        &ssr::sealing_key()?,
        &actor,
        &ssr::mailbox()?,
    )
    .await?)
}
