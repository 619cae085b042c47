//! Server functions of the single sign-on settings page.

use leptos::prelude::*;
use simdesk_types as types;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

/// The settings of the actor's own account (account admins) or of `account_id` (the tenant's staff).
#[server(endpoint = "sso_settings")]
pub async fn sso_settings(
    #[server(default)] account_id: Option<i64>,
) -> Result<types::SsoConfigView, AppError> {
    let actor = ssr::actor()?;
    let (_, redirect_uri) = ssr::sso()?;
    Ok(simdesk_domain::sso::config(&ssr::db()?, &actor, account_id, &redirect_uri).await?)
}

#[server(endpoint = "save_sso_settings")]
pub async fn save_sso_settings(
    #[server(default)] account_id: Option<i64>,
    version: i32,
    settings: types::SsoConfigInput,
) -> Result<types::SsoConfigView, AppError> {
    let actor = ssr::actor()?;
    let (_, redirect_uri) = ssr::sso()?;
    Ok(simdesk_domain::sso::save(
        &ssr::db()?,
        &ssr::sealing_key()?,
        &actor,
        account_id,
        version,
        settings,
        &redirect_uri,
    )
    .await?)
}

/// Fetches the provider's discovery document and keys with the stored settings.
#[server(endpoint = "test_sso_connection")]
pub async fn test_sso_connection(
    #[server(default)] account_id: Option<i64>,
) -> Result<Vec<types::SsoCheck>, AppError> {
    let actor = ssr::actor()?;
    let (runtime, _) = ssr::sso()?;
    Ok(simdesk_domain::sso::test_connection(
        &ssr::db()?,
        &ssr::sealing_key()?,
        &actor,
        account_id,
        &runtime.oidc,
    )
    .await?)
}
