//! What single sign-on needs at run time ([`SsoRuntime`]): the provider settings and the
//! portal's public address with the callback path providers return to. Client secrets are
//! opened with the one sealing key (`crate::secret`), handed to each call.

use super::oidc::OidcSettings;

/// What single sign-on needs at run time: how to talk to providers, and the portal's public
/// address (for the redirect URI).
#[derive(Debug, Clone, Default)]
pub struct SsoRuntime {
    pub oidc: OidcSettings,
    /// `https://portal.example.com`, without a trailing slash; when `None`, the address the
    /// browser used is taken from the request.
    pub public_url: Option<String>,
}

/// The path providers send the browser back to.
pub const CALLBACK_PATH: &str = "/auth/sso/callback";

impl SsoRuntime {
    /// The portal's address as the browser knows it: the configured public URL, or else the
    /// request's `Host` (and `X-Forwarded-Proto` from a TLS-terminating proxy).
    pub fn public_base(&self, host: Option<&str>, forwarded_proto: Option<&str>) -> String {
        if let Some(url) = &self.public_url {
            return url.trim_end_matches('/').to_owned();
        }
        let scheme = match forwarded_proto {
            Some("https") => "https",
            _ => "http",
        };
        format!("{scheme}://{}", host.unwrap_or("localhost"))
    }

    /// The redirect URI to register at providers.
    pub fn redirect_uri(&self, host: Option<&str>, forwarded_proto: Option<&str>) -> String {
        format!("{}{CALLBACK_PATH}", self.public_base(host, forwarded_proto))
    }
}
