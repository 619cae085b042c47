use crate::{Permission, Role};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The signed-in user as the UI needs it: who, which roles and permissions, and under whose
/// branding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user_id: i64,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    /// What the user may do, as the server's policy decides: the navigation reads these.
    pub permissions: Vec<Permission>,
    pub tenant_name: Option<String>,
    pub account_name: Option<String>,
    pub must_change_password: bool,
    /// The provider requires a second factor of this user and none is set up yet: they may do
    /// nothing else first.
    #[serde(default)]
    pub must_enrol_second_factor: bool,
    /// False for users who sign in only through their company's identity provider.
    pub has_password: bool,
    /// The tenant's branding, shown in the header: a colour such as `#0f766e` and a logo URL.
    pub brand_color: Option<String>,
    pub logo_url: Option<String>,
    /// The user's time zone and locale, which every page formats times, numbers and money with.
    #[serde(default)]
    pub regional: crate::Regional,
}

impl SessionInfo {
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }
}

/// One row of a user list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub active: bool,
    pub account_name: Option<String>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    /// The user signs in with an authenticator app's code as well.
    #[serde(default)]
    pub second_factor: bool,
    /// Above this total the user's purchase orders wait for an approver.
    pub spending_limit: Option<crate::Price>,
}

/// Which users a user-management page shows, and which roles can be handed out there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserDirectory {
    pub heading: String,
    /// The admin looking at the list: their own row offers no changes.
    pub acting_user_id: i64,
    pub assignable_roles: Vec<Role>,
    pub users: Vec<UserRow>,
}

/// One entry of the append-only audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: Option<String>,
    pub action: String,
    pub target: String,
    pub details: String,
    /// The HTTP request that made the entry, as the server's log names it (empty for work
    /// outside a request).
    pub request_id: String,
}

/// A page of audit entries, newest first; `next_before` continues the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    pub next_before: Option<i64>,
}

/// A figure on a dashboard, with where to go for details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardCard {
    pub label: String,
    pub value: String,
    pub href: Option<String>,
}

/// The dashboard of one signed-in user, composed for their roles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub greeting: String,
    pub scope_name: String,
    pub cards: Vec<DashboardCard>,
    pub charts: Vec<Chart>,
    pub recent_activity: Vec<AuditRow>,
}

/// A bar chart of a dashboard: one bar per label, each of one value per series (stacked). The
/// page draws it as SVG and lists the same figures in a table, for screen readers and for
/// anyone who wants the numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    /// Unique on the page; the chart's element ids start with it.
    pub key: String,
    pub title: String,
    /// What the chart shows, in one sentence.
    pub summary: String,
    /// The list behind the chart.
    pub href: String,
    /// What a value counts: "orders", "hours", "SIMs", a currency code.
    pub unit: String,
    /// Digits after the decimal point when a value is written out.
    pub decimals: u8,
    pub series: Vec<ChartSeries>,
    pub bars: Vec<ChartBar>,
    /// A level drawn across the chart (the low-stock threshold); bars below it are flagged.
    pub threshold: Option<f64>,
    /// Something that needs attention, said above the chart.
    pub warning: Option<String>,
}

/// One series of a chart, with the list of what it counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartSeries {
    pub name: String,
    pub href: Option<String>,
}

/// One bar: a value per series of the chart, in the series' order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartBar {
    pub label: String,
    pub values: Vec<f64>,
    pub href: Option<String>,
    /// Below the chart's threshold.
    pub flagged: bool,
}

impl ChartBar {
    pub fn total(&self) -> f64 {
        self.values.iter().sum()
    }
}

impl Chart {
    /// A value written out as the table and the chart's labels show it, for the reader's locale.
    pub fn format(&self, value: f64, regional: &crate::Regional) -> String {
        regional.decimal(value, self.decimals)
    }
}

/// A service provider as the platform operator sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantRow {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub accounts: u64,
    pub users: u64,
}

/// A sentence for a person in the portal's languages: English always, German where the
/// service layer wrote it (English stands in where it did not). The edge picks the reader's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wording {
    pub english: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub german: Option<String>,
}

impl Wording {
    pub fn new(english: impl Into<String>, german: impl Into<String>) -> Self {
        Wording {
            english: english.into(),
            german: Some(german.into()),
        }
    }

    /// The wording for a reader of `locale`.
    pub fn in_locale(&self, locale: crate::Locale) -> &str {
        in_language(locale, &self.english, &self.german)
    }
}

/// A text written in English and maybe German, for a reader of `locale`: German where it was
/// written, English otherwise.
pub(crate) fn in_language<'a>(
    locale: crate::Locale,
    english: &'a str,
    german: &'a Option<String>,
) -> &'a str {
    match (locale, german) {
        (crate::Locale::German, Some(german)) => german,
        _ => english,
    }
}

impl From<String> for Wording {
    fn from(english: String) -> Self {
        Wording {
            english,
            german: None,
        }
    }
}

impl From<&str> for Wording {
    fn from(english: &str) -> Self {
        english.to_owned().into()
    }
}

impl std::fmt::Display for Wording {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.english)
    }
}

/// A validation problem tied to one form field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    /// In English.
    pub message: String,
    /// In German, where written. The edge keeps only the reader's language
    /// ([`FieldError::localized`]) before an error leaves the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub german: Option<String>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<Wording>) -> Self {
        let Wording { english, german } = message.into();
        Self {
            field: field.into(),
            message: english,
            german,
        }
    }

    /// The problem as a reader of `locale` reads it: the message in their language only.
    pub fn localized(self, locale: crate::Locale) -> Self {
        let message = match (locale, self.german) {
            (crate::Locale::German, Some(german)) => german,
            _ => self.message,
        };
        FieldError {
            field: self.field,
            message,
            german: None,
        }
    }
}
