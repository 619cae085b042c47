//! Server functions of the PunchOut visit. They live under `/punchout/`, so the browser sends
//! the visit's own cookie with them inside the procurement system's frame.

use leptos::prelude::*;
use simdesk_types as types;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

/// The visit's catalog and cart.
#[server(prefix = "/punchout/api", endpoint = "cart")]
pub async fn punchout_cart() -> Result<types::PunchoutCart, AppError> {
    use simdesk_domain::punchout::shopping::{self, Visit};
    let actor = ssr::actor()?;
    let visit = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Visit>().copied())
        .ok_or(AppError::Unauthenticated)?;
    Ok(shopping::cart(&ssr::db()?, &actor, visit).await?)
}

#[cfg(feature = "ssr")]
const GENERATED_SECRET_KEY: &str = "punchout_generated_secret";

/// The PunchOut settings of an account, with a just-generated shared secret shown once.
#[server(endpoint = "punchout_settings")]
pub async fn punchout_settings(account_id: i64) -> Result<types::PunchoutSettings, AppError> {
    use simdesk_domain::punchout::credentials;
    let actor = ssr::actor()?;
    let (runtime, _) = ssr::sso()?;
    let base = ssr::public_base(&runtime);
    let mut settings = credentials::settings(&ssr::db()?, &actor, account_id, &base).await?;
    let session = leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(|_| AppError::Internal)?;
    let generated: Option<(i64, String, String)> = session
        .remove(GENERATED_SECRET_KEY)
        .await
        .map_err(|_| AppError::Internal)?;
    settings.generated_secret = generated
        .filter(|(account, _, _)| *account == account_id)
        .map(|(_, identity, secret)| (identity, secret));
    Ok(settings)
}

/// Creates (`id` empty) or changes a credential. A generated secret waits in the session for
/// the page, so it is shown once, with or without JavaScript.
#[server(endpoint = "save_punchout_credential")]
pub async fn save_punchout_credential(
    #[server(default)] id: Option<i64>,
    #[server(default)] version: Option<i32>,
    input: types::PunchoutCredentialInput,
) -> Result<types::SavedPunchoutCredential, AppError> {
    use simdesk_domain::punchout::credentials;
    let actor = ssr::actor()?;
    let key = ssr::sealing_key()?;
    let account_id = input.account_id;
    let identity = input.identity.trim().to_owned();
    let saved = credentials::save(&ssr::db()?, &key, &actor, id, version, input).await?;
    if let Some(secret) = &saved.generated_secret {
        let session = leptos_axum::extract::<tower_sessions::Session>()
            .await
            .map_err(|_| AppError::Internal)?;
        session
            .insert(GENERATED_SECRET_KEY, (account_id, identity, secret.clone()))
            .await
            .map_err(|_| AppError::Internal)?;
    }
    Ok(types::SavedPunchoutCredential {
        id: saved.id,
        // The page shows it from the session; it does not travel twice.
        generated_secret: None,
    })
}

#[server(endpoint = "delete_punchout_credential")]
pub async fn delete_punchout_credential(id: i64) -> Result<(), AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::punchout::credentials::delete(&ssr::db()?, &actor, id).await?)
}
