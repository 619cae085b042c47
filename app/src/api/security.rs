//! The signed-in user's second factor, and an admin's reset of someone else's.

use leptos::prelude::*;
use simdesk_types as types;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

#[cfg(feature = "ssr")]
const NEW_RECOVERY_CODES_KEY: &str = "new_recovery_codes";

/// The user's second factor, with recovery codes just made (shown this once, with or without
/// JavaScript: they wait in the session for the page).
#[server(endpoint = "second_factor_status")]
pub async fn second_factor_status() -> Result<types::SecondFactorStatus, AppError> {
    let actor = ssr::enrolling_actor()?;
    let mut status =
        simdesk_domain::second_factor::status(&ssr::db()?, &ssr::sealing_key()?, &actor).await?;
    let session = ssr::session().await?;
    status.new_recovery_codes = session
        .remove::<Vec<String>>(NEW_RECOVERY_CODES_KEY)
        .await
        .map_err(|_| AppError::Internal)?
        .unwrap_or_default();
    Ok(status)
}

#[server(endpoint = "start_second_factor")]
pub async fn start_second_factor() -> Result<(), AppError> {
    let actor = ssr::enrolling_actor()?;
    Ok(
        simdesk_domain::second_factor::start_enrolment(&ssr::db()?, &ssr::sealing_key()?, &actor)
            .await?,
    )
}

/// Turns the authenticator app on with a first code from it.
#[server(endpoint = "confirm_second_factor")]
pub async fn confirm_second_factor(code: String) -> Result<(), AppError> {
    let actor = ssr::enrolling_actor()?;
    let codes = simdesk_domain::second_factor::confirm_enrolment(
        &ssr::db()?,
        &ssr::sealing_key()?,
        &actor,
        &code,
    )
    .await?;
    keep_recovery_codes(codes).await
}

#[server(endpoint = "renew_recovery_codes")]
pub async fn renew_recovery_codes(code: String) -> Result<(), AppError> {
    let actor = ssr::actor()?;
    let codes = simdesk_domain::second_factor::renew_recovery_codes(
        &ssr::db()?,
        &ssr::sealing_key()?,
        &actor,
        &code,
    )
    .await?;
    keep_recovery_codes(codes).await
}

#[server(endpoint = "turn_off_second_factor")]
pub async fn turn_off_second_factor(code: String) -> Result<(), AppError> {
    let actor = ssr::actor()?;
    Ok(
        simdesk_domain::second_factor::turn_off(&ssr::db()?, &ssr::sealing_key()?, &actor, &code)
            .await?,
    )
}

/// Stops trusting one browser (`id`), or all of them.
#[server(endpoint = "forget_browsers")]
pub async fn forget_browsers(#[server(default)] id: Option<i64>) -> Result<(), AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::second_factor::forget_browsers(&ssr::db()?, &actor, id).await?)
}

/// An admin removes a user's second factor (a lost phone and lost recovery codes).
#[server(endpoint = "reset_second_factor")]
pub async fn reset_second_factor(user_id: i64) -> Result<types::UserRow, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::users::reset_second_factor(&ssr::db()?, &actor, user_id).await?)
}

#[cfg(feature = "ssr")]
async fn keep_recovery_codes(codes: Vec<String>) -> Result<(), AppError> {
    ssr::session()
        .await?
        .insert(NEW_RECOVERY_CODES_KEY, codes)
        .await
        .map_err(|_| AppError::Internal)
}
