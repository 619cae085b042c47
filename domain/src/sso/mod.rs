//! Single sign-on through each enterprise account's OpenID provider: its configuration (the
//! client secret sealed at rest), routing an e-mail address to it, and turning a verified ID
//! token into a simdesk sign-in (users keyed by issuer and subject, created just in time, roles
//! mapped from a claim). The protocol itself is in [`oidc`].
//!
//! Where each use case lives:
//! - `error`: [`SsoError`], why a sign-on did not happen.
//! - `runtime`: [`SsoRuntime`], the provider settings and the public address.
//! - `provider`: [`ProviderConfig`], and finding an account's provider by e-mail or id.
//! - `sign_in`: signing in a verified identity, linking or creating the user, syncing roles.
//! - `validation`: checking the settings an admin entered.
//! - `config`: the settings page: viewing, saving, testing the connection.
//! - [`oidc`]: the OpenID Connect relying party.

mod config;
mod error;
pub mod oidc;
mod provider;
mod runtime;
mod sign_in;
mod validation;

pub use config::{config, save, test_connection};
pub use error::SsoError;
pub use oidc::{OidcSettings, PendingSignIn, VerifiedIdentity};
pub use provider::{provider_by_id, provider_for_email, ProviderConfig};
pub use runtime::{SsoRuntime, CALLBACK_PATH};
pub use sign_in::{claim_values, sign_in};
