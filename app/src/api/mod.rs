//! Server functions. Each body finds the actor, calls the service layer, and maps errors; the
//! rules live in the service layer.

use leptos::prelude::*;
use simdesk_types as types;

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use super::AppError;
    use leptos::prelude::use_context;
    use simdesk_domain::{Actor, DatabaseConnection};

    pub fn db() -> Result<DatabaseConnection, AppError> {
        use_context::<DatabaseConnection>().ok_or_else(|| {
            tracing::error!("no database in the server-function context");
            AppError::Internal
        })
    }

    /// The signed-in actor, put into the request by the server's session middleware.
    pub fn signed_in() -> Option<Actor> {
        use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<Actor>().cloned())
    }

    /// The actor, for everything but changing one's own password and setting up a second
    /// factor: what a user must do first.
    pub fn actor() -> Result<Actor, AppError> {
        let actor = enrolling_actor()?;
        if actor.must_enrol_second_factor {
            return Err(AppError::SecondFactorRequired);
        }
        Ok(actor)
    }

    /// The actor, for setting up a second factor, which may come before anything else.
    pub fn enrolling_actor() -> Result<Actor, AppError> {
        let actor = signed_in().ok_or(AppError::Unauthenticated)?;
        if actor.must_change_password {
            return Err(AppError::PasswordChangeRequired);
        }
        Ok(actor)
    }

    /// The browser's session.
    pub async fn session() -> Result<tower_sessions::Session, AppError> {
        leptos_axum::extract::<tower_sessions::Session>()
            .await
            .map_err(|_| AppError::Internal)
    }

    /// Takes what a plain-HTTP upload route left in the session for its page, once.
    pub async fn take_import_outcome(
        key: &str,
    ) -> Result<Option<simdesk_types::ImportOutcome>, AppError> {
        actor()?;
        let session = leptos_axum::extract::<tower_sessions::Session>()
            .await
            .map_err(|_| AppError::Internal)?;
        session.remove(key).await.map_err(|_| AppError::Internal)
    }

    /// The key that seals and opens stored secrets (identity providers' client secrets,
    /// procurement systems' shared secrets).
    /// How order mailboxes are read, as the server's worker reads them.
    pub fn mailbox() -> Result<simdesk_domain::mailbox::ReaderSettings, AppError> {
        use_context::<simdesk_domain::mailbox::ReaderSettings>().ok_or_else(|| {
            tracing::error!("no mailbox settings in the server-function context");
            AppError::Internal
        })
    }

    pub fn sealing_key() -> Result<simdesk_domain::secret::SecretKey, AppError> {
        use_context::<simdesk_domain::secret::SecretKey>().ok_or_else(|| {
            tracing::error!("no sealing key in the server-function context");
            AppError::Internal
        })
    }

    /// Single sign-on's run-time settings, and the redirect URI as this request's browser sees it.
    pub fn sso() -> Result<(simdesk_domain::sso::SsoRuntime, String), AppError> {
        let runtime = use_context::<simdesk_domain::sso::SsoRuntime>().ok_or_else(|| {
            tracing::error!("no single sign-on settings in the server-function context");
            AppError::Internal
        })?;
        let redirect_uri = format!(
            "{}{}",
            public_base(&runtime),
            simdesk_domain::sso::CALLBACK_PATH
        );
        Ok((runtime, redirect_uri))
    }

    /// The portal's public address as this request's browser sees it.
    pub fn public_base(runtime: &simdesk_domain::sso::SsoRuntime) -> String {
        let parts = use_context::<http::request::Parts>();
        let header = |name: &str| {
            parts
                .as_ref()
                .and_then(|p| p.headers.get(name))
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        runtime.public_base(
            header("host").as_deref(),
            header("x-forwarded-proto").as_deref(),
        )
    }

    pub fn parse_role(role: &str) -> Result<simdesk_types::Role, AppError> {
        role.parse().map_err(|_| {
            AppError::Invalid(vec![simdesk_types::FieldError::new(
                "role",
                "Choose a role from the list.",
            )])
        })
    }
}

/// The signed-in user, or `None` for a visitor.
#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<types::SessionInfo>, AppError> {
    let Some(actor) = ssr::signed_in() else {
        return Ok(None);
    };
    Ok(Some(
        simdesk_domain::dashboard::session_info(&ssr::db()?, &actor).await?,
    ))
}

#[server(endpoint = "dashboard")]
pub async fn dashboard() -> Result<types::Dashboard, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::dashboard::for_actor(&ssr::db()?, &actor).await?)
}

#[server(endpoint = "user_directory")]
pub async fn user_directory() -> Result<types::UserDirectory, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::users::directory(&ssr::db()?, &actor).await?)
}

#[server(endpoint = "create_user")]
pub async fn create_user(
    email: String,
    display_name: String,
    role: String,
    initial_password: String,
) -> Result<types::UserRow, AppError> {
    let actor = ssr::actor()?;
    let new = simdesk_domain::users::NewUser {
        email,
        display_name,
        role: ssr::parse_role(&role)?,
        initial_password,
    };
    Ok(simdesk_domain::users::create(&ssr::db()?, &actor, new).await?)
}

#[server(endpoint = "change_role")]
pub async fn change_role(user_id: i64, role: String) -> Result<types::UserRow, AppError> {
    let actor = ssr::actor()?;
    let role: types::Role = ssr::parse_role(&role)?;
    Ok(simdesk_domain::users::change_role(&ssr::db()?, &actor, user_id, role).await?)
}

#[server(endpoint = "set_user_active")]
pub async fn set_user_active(user_id: i64, active: bool) -> Result<types::UserRow, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::users::set_active(&ssr::db()?, &actor, user_id, active).await?)
}

#[server(endpoint = "audit_page")]
pub async fn audit_page(before: Option<i64>) -> Result<types::AuditPage, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::audit::list(&ssr::db()?, &actor, before).await?)
}

#[server(endpoint = "tenants")]
pub async fn tenants() -> Result<Vec<types::TenantRow>, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::tenants::list(&ssr::db()?, &actor).await?)
}

#[server(endpoint = "create_tenant")]
pub async fn create_tenant(
    name: String,
    slug: String,
    admin_email: String,
    admin_name: String,
    admin_password: String,
) -> Result<types::TenantRow, AppError> {
    let actor = ssr::actor()?;
    let new = simdesk_domain::tenants::NewTenant {
        name,
        slug,
        admin_email,
        admin_name,
        admin_password,
    };
    Ok(simdesk_domain::tenants::create(&ssr::db()?, &actor, new).await?)
}

#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    let actor = ssr::signed_in().ok_or(AppError::Unauthenticated)?;
    if new_password != confirm_password {
        return Err(AppError::Invalid(vec![simdesk_types::FieldError::new(
            "confirm_password",
            "The two new passwords differ.",
        )]));
    }
    simdesk_domain::auth::change_password(&ssr::db()?, &actor, &current_password, &new_password)
        .await?;
    // A second factor the provider requires comes next, before anything else.
    leptos_axum::redirect(if actor.must_enrol_second_factor {
        "/account/security"
    } else {
        "/?password_changed=1"
    });
    Ok(())
}

/// The signed-in user's e-mail preferences.
#[server(endpoint = "mail_preferences")]
pub async fn mail_preferences() -> Result<types::MailPreferences, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::mail::preferences::get(&ssr::db()?, &actor).await?)
}

/// Keeps e-mailing the signed-in user about the `topics` checked, and stops the others.
#[server(endpoint = "save_mail_preferences")]
pub async fn save_mail_preferences(
    #[server(default)] topics: Vec<String>,
) -> Result<types::MailPreferences, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::mail::preferences::save(&ssr::db()?, &actor, &topics).await?)
}

/// The signed-in user's time zone and format, with the zones to choose from.
#[server(endpoint = "regional_settings")]
pub async fn regional_settings() -> Result<types::RegionalSettings, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::regional::settings(&ssr::db()?, &actor).await?)
}

/// Sets the signed-in user's time zone (an IANA name) and format (`en` or `de`).
#[server(endpoint = "save_regional_settings")]
pub async fn save_regional_settings(
    time_zone: String,
    locale: String,
) -> Result<types::RegionalSettings, AppError> {
    let actor = ssr::actor()?;
    Ok(simdesk_domain::regional::save(&ssr::db()?, &actor, &time_zone, &locale).await?)
}

pub mod accounts;
pub mod api_tokens;
pub mod catalog;
pub mod email_orders;
pub mod messages;
pub mod orders;
pub mod punchout;
pub mod security;
pub mod sso;
