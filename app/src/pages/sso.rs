//! The single sign-on settings of an enterprise account: `/sso` for its admins,
//! `/accounts/:id/sso` for the provider's staff.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use simdesk_types::{Role, SsoConfigView};

use crate::api::sso::{sso_settings, SaveSsoSettings, TestSsoConnection};
use crate::components::{
    action_feedback, error_of, field_error, Checkbox, ErrorPanel, Field, PageHeader,
    BUTTON_PRIMARY, BUTTON_SECONDARY, CARD, INPUT, LABEL,
};

#[component]
pub fn SsoPage() -> impl IntoView {
    let params = use_params_map();
    let account_id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let save = ServerAction::<SaveSsoSettings>::new();
    let test = ServerAction::<TestSsoConnection>::new();
    let settings = Resource::new(
        move || (account_id(), save.version().get()),
        |(account_id, _)| sso_settings(account_id),
    );
    view! {
        <Title text="Single sign-on" />
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(view) => settings_form(view, account_id(), save, test).into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn settings_form(
    s: SsoConfigView,
    account_id: Option<i64>,
    save: ServerAction<SaveSsoSettings>,
    test: ServerAction<TestSsoConnection>,
) -> impl IntoView {
    let account_field = account_id
        .map(|id| view! { <input type="hidden" name="account_id" value=id.to_string() /> });
    let test_account_field = account_field.clone();
    let mapping = s
        .role_mapping
        .iter()
        .map(|rule| format!("{} = {}", rule.value, rule.role.as_str()))
        .collect::<Vec<_>>()
        .join("\n");
    let secret_hint = if s.has_client_secret {
        "Stored and never shown again. Leave empty to keep it."
    } else {
        "Issued by the provider when you registered simdesk."
    };
    let role_choices = Role::ACCOUNT_USERS;
    let jit_role = s.jit_role;
    let admins = s.account_admins.clone();
    let break_glass = s.break_glass_user_id;
    let subtitle = format!(
        "{}: let users sign in with their company's OpenID Connect provider.",
        s.account_name
    );
    view! {
        <PageHeader title="Single sign-on".to_owned() subtitle=subtitle />
        <div class="mb-6 space-y-2">{action_feedback(save.value(), "Single sign-on settings saved.")}</div>
        <div class="grid gap-6 lg:grid-cols-3">
            <ActionForm action=save attr:class=format!("space-y-4 lg:col-span-2 {CARD}") attr:data-testid="sso-form">
                {account_field}
                <input type="hidden" name="version" value=s.version.to_string() />
                <Checkbox id="sso-enabled" name="settings[enabled]" checked=s.enabled label="Enabled" hint="Users of the domains below sign in at the provider." />
                <Field id="sso-issuer" name="settings[issuer_url]" label="Issuer URL" required=true value=s.issuer_url.clone() hint="Exactly as the provider names itself, such as https://login.microsoftonline.com/TENANT/v2.0" error=error_of(save.value(), "issuer_url") />
                <Field id="sso-client-id" name="settings[client_id]" label="Client ID" required=true value=s.client_id.clone() error=error_of(save.value(), "client_id") />
                <div>
                    <label for="sso-client-secret" class=LABEL>"Client secret"</label>
                    <input id="sso-client-secret" name="settings[client_secret]" type="password" autocomplete="off" class=format!("mt-1 {INPUT}") />
                    <p class="mt-1 text-xs text-slate-500">{secret_hint}</p>
                    {field_error(save.value(), "client_secret")}
                </div>
                <Field id="sso-scopes" name="settings[scopes]" label="Scopes" value=s.scopes.clone() hint="Space-separated; openid is always requested." error=error_of(save.value(), "scopes") />
                <Field id="sso-domains" name="settings[domains]" label="E-mail domains" value=s.domains.clone() hint="Comma-separated, such as example.com, example.de. Users typing such an address are sent to this provider." error=error_of(save.value(), "domains") />
                <fieldset class="space-y-4 border-t border-slate-200 pt-4">
                    <legend class="text-sm font-semibold text-slate-900">"Roles"</legend>
                    <Field id="sso-role-claim" name="settings[role_claim]" label="Role claim" value=s.role_claim.clone() hint="The ID-token claim with the user's groups or roles, such as groups or realm_access.roles." error=error_of(save.value(), "role_claim") />
                    <div>
                        <label for="sso-role-mapping" class=LABEL>"Role mapping"</label>
                        <textarea id="sso-role-mapping" name="settings[role_mapping]" rows="4" class=format!("mt-1 font-mono {INPUT}")>{mapping}</textarea>
                        <p class="mt-1 text-xs text-slate-500">
                            "One rule per line: claim value = role (account_admin, purchaser, approver, viewer). Mapped roles follow the provider at every sign-in; others stay as set here."
                        </p>
                        {field_error(save.value(), "role_mapping")}
                    </div>
                    <Checkbox id="sso-jit" name="settings[jit_enabled]" checked=s.jit_enabled label="Create users at their first sign-in" hint="Otherwise only users you created beforehand can sign in." />
                    <div>
                        <label for="sso-jit-role" class=LABEL>"Role of new users without a mapped role"</label>
                        <select id="sso-jit-role" name="settings[jit_role]" class=format!("mt-1 {INPUT}")>
                            <option value="" selected=jit_role.is_none()>"None"</option>
                            {role_choices.into_iter().map(|role| view! {
                                <option value=role.as_str() selected=jit_role == Some(role)>{role.label()}</option>
                            }).collect_view()}
                        </select>
                        {field_error(save.value(), "jit_role")}
                    </div>
                </fieldset>
                <fieldset class="space-y-4 border-t border-slate-200 pt-4">
                    <legend class="text-sm font-semibold text-slate-900">"Policy"</legend>
                    <Checkbox id="sso-require" name="settings[require_sso]" checked=s.require_sso label="Require single sign-on" hint="Passwords stop working for this account's users, except the break-glass admin's." />
                    {field_error(save.value(), "require_sso")}
                    <div>
                        <label for="sso-break-glass" class=LABEL>"Break-glass admin"</label>
                        <select id="sso-break-glass" name="settings[break_glass_user_id]" class=format!("mt-1 {INPUT}")>
                            <option value="" selected=break_glass.is_none()>"None"</option>
                            {admins.into_iter().map(|(id, email)| view! {
                                <option value=id.to_string() selected=break_glass == Some(id)>{email}</option>
                            }).collect_view()}
                        </select>
                        <p class="mt-1 text-xs text-slate-500">"Keeps a password in case the provider is unavailable."</p>
                        {field_error(save.value(), "break_glass_user_id")}
                    </div>
                </fieldset>
                {field_error(save.value(), "form")}
                <button type="submit" class=BUTTON_PRIMARY>"Save settings"</button>
            </ActionForm>
            <aside class="space-y-6">
                <section class=CARD aria-labelledby="sso-register">
                    <h2 id="sso-register" class="text-sm font-semibold text-slate-900">"Register simdesk at your provider"</h2>
                    <p class="mt-2 text-sm text-slate-600">"Create a confidential web client with the authorization code flow and this redirect URI:"</p>
                    <p class="mt-2 break-all rounded bg-slate-100 px-2 py-1 font-mono text-xs" data-testid="sso-redirect-uri">{s.redirect_uri.clone()}</p>
                </section>
                <section class=CARD aria-labelledby="sso-test">
                    <h2 id="sso-test" class="text-sm font-semibold text-slate-900">"Test connection"</h2>
                    <p class="mt-2 text-sm text-slate-600">"Fetches the provider's discovery document and signing keys with the saved settings."</p>
                    <ActionForm action=test attr:class="mt-3">
                        {test_account_field}
                        <button type="submit" class=BUTTON_SECONDARY disabled=!s.configured>"Test connection"</button>
                    </ActionForm>
                    <div aria-live="polite" data-testid="sso-test-result">
                        {move || test.value().get().map(|result| match result {
                            Ok(checks) => view! {
                                <ul class="mt-3 space-y-1 text-sm">
                                    {checks.into_iter().map(|check| view! {
                                        <li class="flex gap-2" data-passed=check.passed.to_string()>
                                            <span aria-hidden="true" class=if check.passed { "text-teal-700" } else { "text-red-700" }>{if check.passed { "✓" } else { "✗" }}</span>
                                            <span class=if check.passed { "text-slate-700" } else { "text-red-800" }>{check.message}</span>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        })}
                    </div>
                </section>
            </aside>
        </div>
    }
}
