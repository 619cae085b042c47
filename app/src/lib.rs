//! The simdesk web app: routes, pages and server functions, rendered on the server. Every page
//! works without JavaScript; the browser hydrates only the islands (`islands`), which add
//! conveniences.

pub mod api;
pub mod assets;
pub mod chart;
pub mod components;
pub mod error;
pub mod islands;
pub mod language;
pub mod pages;
pub mod security;

// The macro reads `locales/` at compile time. Its successor, code generation in build.rs, would
// build ICU's data exporter (with an HTTP client) before every build of this crate.
#[allow(deprecated)]
mod i18n_module {
    leptos_i18n::load_locales!();
}
pub use i18n_module::i18n;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Html, Link, Meta, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::AuthenticatedLayout;
use crate::pages::{
    AccountPage, AccountsPage, AlarmsPage, ApiTokensPage, AuditPage, CatalogPage,
    ChangePasswordPage, DashboardPage, EmailOrderPage, EmailOrdersPage, ForgotPasswordPage,
    ImportPage, MailPreferencesPage, MailboxPage, MessagePage, MessagesPage, NotFound, OptionsPage,
    OrdersPage, PoEditPage, PoNewPage, PoPage, PreferencesPage, ProductEditPage, ProductNewPage,
    PunchoutPage, PunchoutSettingsPage, ResetPasswordPage, SecondFactorSignInPage, SecurityPage,
    SettingsPage, ShopPage, SignInPage, SsoPage, StockPage, TenantsPage, UsersPage,
};

/// The HTML document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    security::provide_request_nonce();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" id="leptos" href=assets::stylesheet_href(&options) />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body class="min-h-screen bg-slate-50 text-slate-900 antialiased">
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // The page's language, decided once for the request; pages take it with `use_lang`.
    let lang = language::provide_page_lang();
    view! {
        <Html attr:lang=language::code_of(lang) attr:dir="ltr" />
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml" />
        <Meta name="description" content="simdesk: SIM card ordering for enterprises" />
        <Title text="simdesk" />
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/sign-in") view=SignInPage ssr=SsrMode::Async />
                <Route path=path!("/sign-in/code") view=SecondFactorSignInPage ssr=SsrMode::Async />
                <Route path=path!("/forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/reset-password") view=ResetPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/punchout") view=PunchoutPage ssr=SsrMode::Async />
                <ParentRoute path=path!("") view=AuthenticatedLayout ssr=SsrMode::Async>
                    <Route path=path!("/") view=DashboardPage ssr=SsrMode::Async />
                    <Route path=path!("/users") view=UsersPage ssr=SsrMode::Async />
                    <Route path=path!("/audit") view=AuditPage ssr=SsrMode::Async />
                    <Route path=path!("/tenants") view=TenantsPage ssr=SsrMode::Async />
                    <Route path=path!("/catalog") view=CatalogPage ssr=SsrMode::Async />
                    <Route path=path!("/catalog/new") view=ProductNewPage ssr=SsrMode::Async />
                    <Route path=path!("/catalog/products/:id") view=ProductEditPage ssr=SsrMode::Async />
                    <Route path=path!("/catalog/options") view=OptionsPage ssr=SsrMode::Async />
                    <Route path=path!("/catalog/import") view=ImportPage ssr=SsrMode::Async />
                    <Route path=path!("/settings") view=SettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/settings/mailbox") view=MailboxPage ssr=SsrMode::Async />
                    <Route path=path!("/accounts") view=AccountsPage ssr=SsrMode::Async />
                    <Route path=path!("/accounts/:id") view=AccountPage ssr=SsrMode::Async />
                    <Route path=path!("/accounts/:id/sso") view=SsoPage ssr=SsrMode::Async />
                    <Route path=path!("/accounts/:id/punchout") view=PunchoutSettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/sso") view=SsoPage ssr=SsrMode::Async />
                    <Route path=path!("/api-tokens") view=ApiTokensPage ssr=SsrMode::Async />
                    <Route path=path!("/shop") view=ShopPage ssr=SsrMode::Async />
                    <Route path=path!("/orders") view=OrdersPage ssr=SsrMode::Async />
                    <Route path=path!("/orders/new") view=PoNewPage ssr=SsrMode::Async />
                    <Route path=path!("/orders/:id") view=PoPage ssr=SsrMode::Async />
                    <Route path=path!("/orders/:id/edit") view=PoEditPage ssr=SsrMode::Async />
                    <Route path=path!("/email-orders") view=EmailOrdersPage ssr=SsrMode::Async />
                    <Route path=path!("/email-orders/:id") view=EmailOrderPage ssr=SsrMode::Async />
                    <Route path=path!("/stock") view=StockPage ssr=SsrMode::Async />
                    <Route path=path!("/messages") view=MessagesPage ssr=SsrMode::Async />
                    <Route path=path!("/alarms") view=AlarmsPage ssr=SsrMode::Async />
                    <Route path=path!("/messages/:key") view=MessagePage ssr=SsrMode::Async />
                    <Route
                        path=path!("/account/notifications")
                        view=MailPreferencesPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/account/preferences")
                        view=PreferencesPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/account/security")
                        view=SecurityPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/account/password")
                        view=ChangePasswordPage
                        ssr=SsrMode::Async
                    />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
