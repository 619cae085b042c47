mod accounts;
mod audit;
mod catalog;
mod dashboard;
mod email_orders;
mod mail_preferences;
mod mailbox;
mod messages;
mod not_found;
mod orders;
mod password;
mod password_reset;
mod punchout;
mod sign_in;
mod sso;
mod tenants;
mod users;

pub use accounts::{AccountPage, AccountsPage, ShopPage};
pub use audit::AuditPage;
pub use catalog::{
    CatalogPage, ImportPage, OptionsPage, ProductEditPage, ProductNewPage, SettingsPage,
};
pub use dashboard::DashboardPage;
pub(crate) use email_orders::EmailOrigin;
pub use email_orders::{EmailOrderPage, EmailOrdersPage};
pub use mail_preferences::MailPreferencesPage;
pub use mailbox::MailboxPage;
pub use messages::{AlarmsPage, MessagePage, MessagesPage};
pub use not_found::NotFound;
pub use orders::{OrdersPage, PoEditPage, PoNewPage, PoPage, StockPage};
pub use password::ChangePasswordPage;
pub use password_reset::{ForgotPasswordPage, ResetPasswordPage};
pub use punchout::{PunchoutPage, PunchoutSettingsPage};
pub use sign_in::SignInPage;
pub use sso::SsoPage;
pub use tenants::TenantsPage;
pub use users::UsersPage;
