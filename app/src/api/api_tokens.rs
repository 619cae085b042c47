//! Server functions of the API tokens page: the REST API's tokens of the actor's tenant or
//! account.

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
