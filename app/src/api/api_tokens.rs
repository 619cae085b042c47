//! Server functions of the API and webhooks page: the REST API's tokens and the webhooks of
//! the actor's tenant or account.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use simdesk_types as types;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

#[cfg(feature = "ssr")]
const NEW_API_TOKEN_KEY: &str = "new_api_token";

/// The API tokens page: the actor's tokens, and the one just made with its secret (shown this
/// once, with or without JavaScript: it waits in the session for the page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenOverview {
    pub list: types::ApiTokenList,
    pub new_token: Option<types::NewApiToken>,
}

#[server(endpoint = "api_tokens")]
pub async fn api_tokens() -> Result<ApiTokenOverview, AppError> {
    let actor = ssr::actor()?;
    let list = simdesk_domain::api_tokens::list(&ssr::db()?, &actor).await?;
    let new_token = ssr::session()
        .await?
        .remove::<types::NewApiToken>(NEW_API_TOKEN_KEY)
        .await
        .map_err(|_| AppError::Internal)?;
    Ok(ApiTokenOverview { list, new_token })
}

/// Makes a token. Its secret waits in the session for the page, so it is shown once, with or
/// without JavaScript; the answer carries the token without it.
#[server(endpoint = "create_api_token")]
pub async fn create_api_token(
    input: types::ApiTokenInput,
) -> Result<types::ApiTokenView, AppError> {
    let actor = ssr::actor()?;
    let made = simdesk_domain::api_tokens::create(&ssr::db()?, &actor, input).await?;
    let token = made.token.clone();
    ssr::session()
        .await?
        .insert(NEW_API_TOKEN_KEY, made)
        .await
        .map_err(|_| AppError::Internal)?;
    Ok(token)
}

/// Revokes a token at once: calls with it are refused from now on.
#[server(endpoint = "revoke_api_token")]
pub async fn revoke_api_token(token_id: i64) -> Result<(), AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::api_tokens::revoke(&ssr::db()?, &actor, token_id).await?)
}

#[cfg(feature = "ssr")]
const NEW_WEBHOOK_KEY: &str = "new_webhook";

/// The webhooks part of the page: the actor's webhooks with their latest deliveries, and the
/// one just made with its signing secret (shown this once, like a token's secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookOverview {
    pub list: types::WebhookList,
    pub new_webhook: Option<types::NewWebhook>,
}

/// How webhooks are delivered, as the server's worker delivers them.
#[cfg(feature = "ssr")]
fn webhook_settings() -> Result<simdesk_domain::webhooks::WebhookSettings, AppError> {
    use_context::<simdesk_domain::webhooks::WebhookSettings>().ok_or_else(|| {
        tracing::error!("no webhook settings in the server-function context");
        AppError::Internal
    })
}

#[server(endpoint = "webhooks")]
pub async fn webhooks() -> Result<WebhookOverview, AppError> {
    let actor = ssr::actor()?;
    let list = simdesk_domain::webhooks::list(&ssr::db()?, &actor).await?;
    let new_webhook = ssr::session()
        .await?
        .remove::<types::NewWebhook>(NEW_WEBHOOK_KEY)
        .await
        .map_err(|_| AppError::Internal)?;
    Ok(WebhookOverview { list, new_webhook })
}

/// Makes a webhook. Its signing secret waits in the session for the page, so it is shown once,
/// with or without JavaScript; the answer carries the webhook without it.
#[server(endpoint = "create_webhook")]
pub async fn create_webhook(input: types::WebhookInput) -> Result<types::WebhookView, AppError> {
    let actor = ssr::actor()?;
    let made = simdesk_domain::webhooks::create(
        &ssr::db()?,
        &ssr::sealing_key()?,
        &webhook_settings()?,
        &actor,
        input,
    )
    .await?;
    let webhook = made.webhook.clone();
    ssr::session()
        .await?
        .insert(NEW_WEBHOOK_KEY, made)
        .await
        .map_err(|_| AppError::Internal)?;
    Ok(webhook)
}

/// Removes a webhook: nothing more is sent to it; its deliveries stay in the message trace.
#[server(endpoint = "remove_webhook")]
pub async fn remove_webhook(webhook_id: i64) -> Result<(), AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::webhooks::remove(&ssr::db()?, &actor, webhook_id).await?)
}

/// Queues a `webhook.test` event for one webhook; the worker sends it within seconds.
#[server(endpoint = "test_webhook")]
pub async fn test_webhook(webhook_id: i64) -> Result<(), AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::webhooks::send_test(&ssr::db()?, &actor, webhook_id).await?)
}
