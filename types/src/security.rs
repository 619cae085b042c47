//! A user's second factor at sign-in, as their security page shows it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The signed-in user's second factor: whether it is on, what their provider requires, and what
/// they can manage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecondFactorStatus {
    pub email: String,
    /// When the user turned the authenticator app on; none while it is off.
    pub enabled_at: Option<DateTime<Utc>>,
    /// The provider requires a second factor of this user.
    pub required: bool,
    /// Unused recovery codes.
    pub recovery_codes_left: u32,
    pub trusted_browsers: Vec<TrustedBrowser>,
    /// An enrolment begun and not yet confirmed: what to scan or type into the app.
    pub enrolment: Option<TotpEnrolment>,
    /// Recovery codes made by the last step, shown this once.
    pub new_recovery_codes: Vec<String>,
}

/// What an authenticator app needs: a QR code of the `otpauth://` address, or the key typed in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TotpEnrolment {
    /// The key in base32, in groups of four for typing.
    pub key: String,
    pub otpauth_url: String,
    /// The QR code as an SVG document.
    pub qr_svg: String,
}

/// A browser in which the user chose not to be asked for a code for a while.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrustedBrowser {
    pub id: i64,
    pub label: String,
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
}
