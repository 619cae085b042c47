//! The app shell and the small pieces every page uses.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::{Outlet, Redirect, A};
use leptos_router::hooks::use_location;
use simdesk_types::{
    role_labels, Entitlements, OptionKind, Permission, Regional, SessionInfo, SimSettingChoices,
};

use crate::api::current_user;
use crate::error::AppError;
use crate::i18n::{td, td_string};
use crate::language::{locale_of, use_lang, Lang};

pub const BUTTON_PRIMARY: &str = "inline-flex items-center justify-center rounded-md bg-teal-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-teal-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-700 disabled:opacity-60";
pub const BUTTON_SECONDARY: &str = "inline-flex items-center justify-center rounded-md bg-white px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-700";
pub const BUTTON_DANGER: &str = "inline-flex items-center justify-center rounded-md bg-white px-3 py-1.5 text-sm font-medium text-red-700 ring-1 ring-inset ring-red-300 hover:bg-red-50 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-700";
pub const INPUT: &str = "block w-full rounded-md border-0 px-3 py-2 text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 placeholder:text-slate-400 focus:ring-2 focus:ring-inset focus:ring-teal-700 sm:text-sm";
pub const LABEL: &str = "block text-sm font-medium text-slate-700";
pub const CARD: &str = "rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200";
pub const TABLE: &str = "min-w-full divide-y divide-slate-200 text-sm";
pub const TH: &str = "px-3 py-2 text-left font-semibold text-slate-700";
pub const TD: &str = "px-3 py-2 align-top text-slate-700";

/// One entry of the main navigation.
struct NavItem {
    href: &'static str,
    label: &'static str,
}

/// The navigation a user sees follows from the permissions the server's policy granted them.
fn navigation(user: &SessionInfo, lang: Lang) -> Vec<NavItem> {
    let item = |href, label| NavItem { href, label };
    let mut items = vec![item("/", td_string!(lang, common.nav_dashboard))];
    if user.can(Permission::ManageTenants) {
        items.push(item("/tenants", td_string!(lang, common.nav_tenants)));
    }
    if user.can(Permission::ReviewOrders) {
        items.push(item("/orders", td_string!(lang, common.nav_orders)));
        items.push(item(
            "/email-orders",
            td_string!(lang, common.nav_email_orders),
        ));
    }
    if user.can(Permission::ManageAccounts) {
        items.push(item("/accounts", td_string!(lang, common.nav_accounts)));
    }
    if user.can(Permission::ReadCatalog) {
        items.push(item("/catalog", td_string!(lang, common.nav_catalog)));
        items.push(item("/stock", td_string!(lang, common.nav_stock)));
    }
    if user.can(Permission::MonitorMessages) {
        items.push(item("/messages", td_string!(lang, common.nav_messages)));
        items.push(item("/alarms", td_string!(lang, common.nav_alarms)));
    }
    if user.can(Permission::ManageTenantStaff) {
        items.push(item("/users", td_string!(lang, common.nav_staff)));
    }
    if user.can(Permission::ManageCatalog) {
        items.push(item("/settings", td_string!(lang, common.nav_settings)));
    }
    if user.can(Permission::ViewAccountOrders) {
        items.push(item("/orders", td_string!(lang, common.nav_orders)));
        items.push(item("/shop", td_string!(lang, common.nav_products)));
    }
    if user.can(Permission::ManageAccountUsers) {
        items.push(item("/users", td_string!(lang, common.nav_users)));
        items.push(item("/sso", td_string!(lang, common.nav_sso)));
    }
    if user.can(Permission::ManageApiTokens) {
        items.push(item("/api-tokens", td_string!(lang, common.nav_api)));
    }
    if user.can(Permission::ReadAuditLog) {
        items.push(item("/audit", td_string!(lang, common.nav_audit)));
    }
    items
}

/// The signed-in user as [`AuthenticatedLayout`] loaded it, shared with the page below it.
#[derive(Clone, Copy)]
struct LoadedUser {
    user: Resource<Result<Option<SessionInfo>, AppError>>,
}

/// The session of the page being built: take it in the component with [`use_session`], then
/// await what the page needs of it inside the page's `Suspend`.
#[derive(Clone, Copy)]
pub struct Session(Option<LoadedUser>);

/// The session of the page being built.
pub fn use_session() -> Session {
    Session(use_context::<LoadedUser>())
}

impl Session {
    /// The user's time zone and locale (the user is loaded once, by the layout). Outside the
    /// signed-in layout, UTC in English.
    pub async fn regional(self) -> Regional {
        match self.0 {
            Some(LoadedUser { user, .. }) => user
                .await
                .ok()
                .flatten()
                .map(|u| u.regional)
                .unwrap_or_default(),
            None => Regional::default(),
        }
    }

    /// Whether the signed-in user may do `permission`, as the server's policy granted it.
    pub async fn can(self, permission: Permission) -> bool {
        match self.0 {
            Some(LoadedUser { user, .. }) => {
                user.await.ok().flatten().is_some_and(|u| u.can(permission))
            }
            None => false,
        }
    }
}

/// Pages behind sign-in: loads the user once, sends visitors to sign in, and draws the shell.
/// Only the header waits for the user; the page below is created once, outside any `Suspend`,
/// so its own data is fetched once.
#[component]
pub fn AuthenticatedLayout() -> impl IntoView {
    let user = Resource::new(|| (), |_| current_user());
    provide_context(LoadedUser { user });
    let location = use_location();
    let lang = use_lang();
    view! {
        <a
            href="#main"
            class="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2"
        >
            {td_string!(lang, common.skip_to_content)}
        </a>
        <Suspense fallback=|| view! { <header class="h-16 border-b border-slate-200 bg-white"></header> }>
            {move || Suspend::new(async move {
                let path = location.pathname.get_untracked();
                match user.await {
                    Ok(Some(user)) if user.must_change_password && path != "/account/password" => {
                        view! { <Redirect path="/account/password" /> }.into_any()
                    }
                    Ok(Some(user)) if user.must_enrol_second_factor && !user.must_change_password && path != "/account/security" => {
                        view! { <Redirect path="/account/security" /> }.into_any()
                    }
                    Ok(Some(user)) => view! { <Header user=user /> }.into_any(),
                    Ok(None) => {
                        let next = if path == "/" { String::new() } else { format!("?next={path}") };
                        view! { <Redirect path=format!("/sign-in{next}") /> }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
        <main id="main" class="mx-auto max-w-6xl px-4 py-8">
            <Outlet />
        </main>
    }
}

#[component]
fn Header(user: SessionInfo) -> impl IntoView {
    let location = use_location();
    let lang = use_lang();
    let nav = navigation(&user, lang);
    let scope = user
        .account_name
        .clone()
        .or_else(|| user.tenant_name.clone())
        .unwrap_or_else(|| td_string!(lang, common.platform).to_owned());
    let role_labels = role_labels(&user.roles, locale_of(lang));
    // Branding is data: a validated #rrggbb colour and an https logo from the tenant's settings.
    let accent = brand_accent(user.brand_color.clone());
    let logo = user
        .logo_url
        .clone()
        .filter(|url| url.starts_with("https://"));
    let tenant_name = user.tenant_name.clone().unwrap_or_default();
    let brand_alt = locale_of(lang).pick(
        format!("{tenant_name} logo"),
        format!("Logo von {tenant_name}"),
    );
    view! {
        <div class="h-1" style=format!("background-color: {accent}") data-testid="brand-bar"></div>
        <header class="border-b border-slate-200 bg-white">
            <div class="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
                <a href="/" class="flex items-center gap-2 text-lg font-bold text-slate-900">
                    {match logo {
                        Some(src) => view! { <img src=src alt=brand_alt class="h-6 w-auto" /> }.into_any(),
                        None => view! { <span aria-hidden="true" class="inline-block h-6 w-6 rounded" style=format!("background-color: {accent}")></span> }.into_any(),
                    }}
                    "simdesk"
                </a>
                <span class="hidden text-sm text-slate-500 sm:inline" data-testid="scope-name">
                    {scope}
                </span>
                <nav
                    id="main-nav"
                    aria-label=td_string!(lang, common.main_nav)
                    class="order-last flex w-full flex-wrap gap-1 sm:order-none sm:w-auto"
                >
                    {nav
                        .into_iter()
                        .map(|item| {
                            let href = item.href;
                            view! {
                                <A
                                    href=href
                                    attr:class=move || {
                                        let path = location.pathname.get();
                                        if path == href || (href != "/" && path.starts_with(&format!("{href}/"))) {
                                            "rounded-md bg-teal-50 px-3 py-2 text-sm font-semibold text-teal-800"
                                        } else {
                                            "rounded-md px-3 py-2 text-sm font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900"
                                        }
                                    }
                                >
                                    {item.label}
                                </A>
                            }
                        })
                        .collect_view()}
                </nav>
                <div class="flex flex-wrap items-center gap-2 sm:ml-auto">
                    <div class="text-right text-sm leading-tight">
                        <div class="font-medium" data-testid="user-name">
                            {user.display_name.clone()}
                        </div>
                        <div class="text-xs text-slate-500" data-testid="user-roles">
                            {role_labels}
                        </div>
                    </div>
                    <a href="/account/preferences" class=BUTTON_SECONDARY>
                        {td_string!(lang, common.link_preferences)}
                    </a>
                    {user.tenant_name.is_some().then(|| view! {
                        <a href="/account/notifications" class=BUTTON_SECONDARY>
                            {td_string!(lang, common.link_emails)}
                        </a>
                    })}
                    {user.has_password.then(|| view! {
                        <a href="/account/password" class=BUTTON_SECONDARY>
                            {td_string!(lang, common.link_password)}
                        </a>
                        <a href="/account/security" class=BUTTON_SECONDARY>
                            {td_string!(lang, common.link_security)}
                        </a>
                    })}
                    <form method="post" action="/auth/sign-out">
                        <button type="submit" class=BUTTON_SECONDARY>
                            {td_string!(lang, common.sign_out)}
                        </button>
                    </form>
                </div>
            </div>
        </header>
    }
}

/// A page heading with an optional line below it.
#[component]
pub fn PageHeader(
    title: String,
    #[prop(optional, into)] subtitle: Option<String>,
) -> impl IntoView {
    view! {
        <div class="mb-6">
            <h1 class="text-2xl font-bold tracking-tight text-slate-900">{title}</h1>
            {subtitle.map(|s| view! { <p class="mt-1 text-sm text-slate-600">{s}</p> })}
        </div>
    }
}

/// Explains a failed load or action. A fault of ours (5xx) rendered on the server also sets
/// the page's status, so load balancers, monitors and scripts see it too.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if error.status() >= 500 {
        if let (Some(response), Ok(status)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            http::StatusCode::from_u16(error.status()),
        ) {
            response.set_status(status);
        }
    }
    let message = error.message(use_lang());
    view! {
        <div role="alert" class="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
            {message}
        </div>
    }
}

/// A short confirmation after an action.
#[component]
pub fn Notice(message: String) -> impl IntoView {
    view! {
        <div
            role="status"
            class="rounded-md border border-teal-200 bg-teal-50 px-4 py-3 text-sm text-teal-900"
        >
            {message}
        </div>
    }
}

/// A step that cannot simply be undone, behind a second, deliberate choice: the first opens a
/// panel that says what will happen, the button inside it does it. A native `<details>`, so it
/// works the same without JavaScript and from the keyboard (Enter or Space on the first).
#[component]
pub fn ConfirmStep(
    /// What the first choice says, for example "Reject…".
    #[prop(into)]
    label: String,
    /// Read after the label by screen readers: which item it is about.
    #[prop(optional, into)]
    context: String,
    /// What the step does, and what cannot be taken back.
    warning: String,
    /// Open from the start, for example to show why the last attempt failed.
    #[prop(optional, into)]
    open: Option<Signal<bool>>,
    children: Children,
) -> impl IntoView {
    view! {
        <details class="group" open=move || open.is_some_and(|open| open.get())>
            <summary class=format!("{BUTTON_DANGER} cursor-pointer list-none select-none")>
                {label}<span class="sr-only">{context}</span>
            </summary>
            <div class="mt-2 space-y-2 rounded-md bg-red-50 p-3 ring-1 ring-red-200" data-testid="confirm-panel">
                <p class="text-sm text-red-900">{warning}</p>
                {children()}
            </div>
        </details>
    }
}

/// Shown where a list has nothing in it yet.
#[component]
pub fn EmptyState(message: &'static str) -> impl IntoView {
    view! {
        <p class="rounded-md border border-dashed border-slate-300 px-4 py-8 text-center text-sm text-slate-500">
            {message}
        </p>
    }
}

/// The query parameter by which the server tells a page that its form, posted without
/// JavaScript, succeeded: it names the server function (see the server's `form_outcome`).
pub const DONE_PARAMETER: &str = "__done";

/// What a server function answered to a plain form post (its output as JSON), which the server
/// keeps for the page the post returns to and hands to its rendering as a request extension.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PlainFormAnswer {
    /// The server function's path.
    pub path: String,
    /// Its output, as the server function encoded it.
    pub body: String,
}

/// A server action that, on a page a plain form post returned to, holds what its server
/// function answered there: the page shows the outcome (a result, a notice) where it shows it
/// in place after a call from the browser.
pub fn server_action<S>() -> ServerAction<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
{
    let action = ServerAction::<S>::new();
    #[cfg(feature = "ssr")]
    {
        let answer = use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<PlainFormAnswer>().cloned())
            .filter(|answer| answer.path == S::PATH)
            .and_then(|answer| serde_json::from_str::<S::Output>(&answer.body).ok());
        if let Some(output) = answer {
            action.value().set(Some(Ok(output)));
        }
    }
    action
}

/// The outcome of a server action as a notice or an error, once there is one: from the action
/// with JavaScript, from the page's address after a plain form post (a failure as Leptos puts
/// it there, a success as `__done`).
pub fn action_feedback<S>(action: ServerAction<S>, success: &'static str) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let done_without_script = use_location()
        .query
        .with_untracked(|query| query.get_str(DONE_PARAMETER) == Some(S::PATH));
    let value = action.value();
    move || match value.get() {
        Some(Ok(_)) => Some(view! { <Notice message=success.to_owned() /> }.into_any()),
        Some(Err(error)) => Some(view! { <ErrorPanel error /> }.into_any()),
        None => {
            done_without_script.then(|| view! { <Notice message=success.to_owned() /> }.into_any())
        }
    }
}

/// A failed action's error, unless it is about one of `fields` (shown beside those).
pub fn error_beyond_fields<T, S>(value: S, fields: &'static [&'static str]) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    move || {
        value
            .get()
            .and_then(|r| r.err())
            .filter(|e| fields.iter().all(|f| e.field(f).is_none()))
            .map(|error| view! { <ErrorPanel error /> })
    }
}

/// The message for one field of a failed action.
pub fn field_error<T, S>(value: S, field: &'static str) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    move || {
        value
            .get()
            .and_then(|r| r.err())
            .and_then(|e| e.field(field))
            .map(|message| {
                view! { <p class="mt-1 text-sm text-red-700">{message}</p> }
            })
    }
}

/// The SIM settings of an order: per kind, a choice among the account's entitlements where
/// the tenant allows it (empty: the account's default), otherwise the setting as text.
/// `name_of` names each choice's form field; `error_of` shows the message for a field such as
/// `overrides.price_plan`.
pub fn sim_setting_fields(
    choices: &SimSettingChoices,
    chosen: &Entitlements,
    read_only: bool,
    name_of: impl Fn(OptionKind) -> String,
    error_of: impl Fn(&'static str) -> AnyView,
) -> impl IntoView {
    let lang = use_lang();
    let fields = OptionKind::ALL.iter().map(move |kind| {
        let default_name = choices
            .defaults
            .iter()
            .find(|d| d.kind == *kind)
            .and_then(|d| d.name.clone())
            .unwrap_or_else(|| "none".to_owned());
        let options: Vec<_> = choices
            .override_options
            .iter()
            .filter(|o| o.kind == *kind)
            .cloned()
            .collect();
        let picked = chosen.get(*kind);
        let field = match kind {
            OptionKind::BillingStatus => "overrides.billing_status",
            OptionKind::PricePlan => "overrides.price_plan",
            OptionKind::ServiceProfile => "overrides.service_profile",
            OptionKind::RoamingProfile => "overrides.roaming_profile",
            OptionKind::ApnGroup => "overrides.apn_group",
        };
        if choices.overrides_allowed && !options.is_empty() && !read_only {
            let select_id = format!("override-{}", kind.as_str());
            view! {
                <div>
                    <label for=select_id.clone() class=LABEL>{kind.label_in(locale_of(lang))}</label>
                    <select id=select_id name=name_of(*kind) class=format!("mt-1 {INPUT}")>
                        <option value="" selected=picked.is_none()>{td!(lang, common.account_default, name = default_name.clone())}</option>
                        {options.into_iter().map(|o| view! {
                            <option value=o.id.to_string() selected=picked == Some(o.id)>{o.name}</option>
                        }).collect_view()}
                    </select>
                    {error_of(field)}
                </div>
            }
            .into_any()
        } else {
            let shown = picked
                .and_then(|id| options.iter().find(|o| o.id == id))
                .map(|o| o.name.clone())
                .unwrap_or(default_name);
            view! {
                <div class="text-sm">
                    <div class="font-medium text-slate-700">{kind.label_in(locale_of(lang))}</div>
                    <div class="text-slate-600">{shown}</div>
                </div>
            }
            .into_any()
        }
    });
    view! { <div class="mt-4 grid gap-3 sm:grid-cols-2">{fields.collect_view()}</div> }
}

/// The message for one field of a failed action, as a signal for [`Field`].
pub fn error_of<T, S>(value: S, field: &'static str) -> Signal<Option<String>>
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || {
        value
            .get()
            .and_then(|r| r.err())
            .and_then(|e| e.field(field))
    })
}

/// A labelled checkbox posting `true` when ticked, with an optional line of explanation.
#[component]
pub fn Checkbox(
    #[prop(into)] id: String,
    name: &'static str,
    checked: bool,
    label: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="flex items-start gap-3">
            <input id=id.clone() name=name type="checkbox" value="true" checked=checked class="mt-1 h-4 w-4 rounded border-slate-300 text-teal-700 focus:ring-teal-700" />
            <label for=id class="text-sm text-slate-700">
                {label}
                {hint.map(|hint| view! { <span class="block text-xs text-slate-500">{hint}</span> })}
            </label>
        </div>
    }
}

/// The tenant's brand colour when it is a valid `#rrggbb` (it goes into a style attribute),
/// else simdesk's own.
pub fn brand_accent(color: Option<String>) -> String {
    color
        .filter(|c| {
            c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit())
        })
        .unwrap_or_else(|| "#0f766e".to_owned())
}

/// A labelled text input with its error message. The hint and the message are tied to the
/// input (`aria-describedby`), and a field with a message is marked invalid, so a screen
/// reader reads them with the field.
#[component]
pub fn Field(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] kind: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional, into)] error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    let hint_id = format!("{id}-hint");
    let described_by = {
        let hint_id = hint_id.clone();
        move || described_by(hint.map(|_| hint_id.as_str()), id, error.get().is_some())
    };
    view! {
        <div>
            <label for=id class=LABEL>{label}</label>
            <input
                id=id
                name=name
                type=kind.unwrap_or("text")
                value=value
                required=required
                aria-describedby=described_by
                aria-invalid=move || error.get().map(|_| "true")
                class=format!("mt-1 {INPUT}")
            />
            {hint.map(|hint| view! { <p id=hint_id class="mt-1 text-xs text-slate-500">{hint}</p> })}
            <FieldMessage id=id error=error />
        </div>
    }
}

/// What an input's `aria-describedby` names: its hint, if any, and its error message while
/// there is one (`{id}-error`, as [`FieldMessage`] renders it).
pub fn described_by(hint_id: Option<&str>, id: &str, has_error: bool) -> Option<String> {
    let error_id = has_error.then(|| format!("{id}-error"));
    let ids: Vec<&str> = hint_id.into_iter().chain(error_id.as_deref()).collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// The error message of the input `id`, as `{id}-error`, for its `aria-describedby`.
#[component]
pub fn FieldMessage(id: &'static str, error: Signal<Option<String>>) -> impl IntoView {
    move || {
        error.get().map(|message| {
            view! { <p id=format!("{id}-error") class="mt-1 text-sm text-red-700">{message}</p> }
        })
    }
}

/// A labelled select of entitlement options of one kind, with "none" first.
#[component]
pub fn OptionSelect(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    options: Vec<simdesk_types::OptionView>,
    selected: Option<i64>,
    #[prop(optional, into)] error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    view! {
        <div>
            <label for=id class=LABEL>{label}</label>
            <select id=id name=name class=format!("mt-1 {INPUT}")>
                <option value="" selected=selected.is_none()>{td_string!(use_lang(), common.none)}</option>
                {options
                    .into_iter()
                    .filter(|o| o.active || Some(o.id) == selected)
                    .map(|o| {
                        let text = format!("{} ({})", o.name, o.code);
                        view! { <option value=o.id.to_string() selected=Some(o.id) == selected>{text}</option> }
                    })
                    .collect_view()}
            </select>
            {move || error.and_then(|e| e.get()).map(|message| view! { <p class="mt-1 text-sm text-red-700">{message}</p> })}
        </div>
    }
}

/// A link that keeps the page's filters and moves to the next keyset page.
pub fn next_page_link(
    path: &str,
    query: &leptos_router::params::ParamsMap,
    next: Option<String>,
) -> impl IntoView {
    next.map(|next| {
        let mut parts: Vec<String> = [
            "search",
            "status",
            "sort",
            "order",
            "account",
            "older_than",
            "channel",
            "direction",
            "problems",
            "q",
        ]
        .iter()
        .filter_map(|key| query.get(key).map(|v| format!("{key}={}", encode(&v))))
        .collect();
        parts.push(format!("after={}", encode(&next)));
        let href = format!("{path}?{}", parts.join("&"));
        view! {
            <div class="mt-4">
                <a href=href class=BUTTON_SECONDARY>{td_string!(use_lang(), common.next_page)}</a>
            </div>
        }
    })
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A price's amount without its currency, for form fields: "4.90".
pub fn amount_text(price: &simdesk_types::Price) -> String {
    price
        .display
        .strip_suffix(&format!(" {}", price.currency))
        .unwrap_or(&price.display)
        .to_owned()
}

/// What a CSV upload came to: a count, every refused line, or why the file was refused.
pub fn import_outcome_view(
    outcome: Option<simdesk_types::ImportOutcome>,
    done: impl Fn(&simdesk_types::ImportReport) -> String,
) -> impl IntoView {
    use simdesk_types::ImportOutcome;
    let lang = use_lang();
    match outcome {
        Some(ImportOutcome::Report(report)) if report.errors.is_empty() => {
            let message = done(&report);
            view! {
                <div class="mb-6">
                    <Notice message />
                </div>
            }
            .into_any()
        }
        Some(ImportOutcome::Report(report)) => view! {
            <div role="alert" class="mb-6 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800" data-testid="import-errors">
                <p class="font-semibold">{td!(lang, common.import_refused, count = report.errors.len())}</p>
                <ul class="mt-2 max-h-96 list-disc space-y-1 overflow-y-auto pl-5">
                    {report.errors.into_iter().take(1_000).map(|e| view! { <li>{td!(lang, common.import_line, line = e.line, message = e.message)}</li> }).collect_view()}
                </ul>
            </div>
        }
        .into_any(),
        Some(ImportOutcome::Refused(message)) => view! {
            <div class="mb-6">
                <ErrorPanel error=AppError::Invalid(vec![simdesk_types::FieldError::new("file", message)]) />
            </div>
        }
        .into_any(),
        None => ().into_any(),
    }
}
