//! The single sign-on settings of an enterprise account: `/sso` for its admins,
//! `/accounts/:id/sso` for the provider's staff.

use crate::components::server_action;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use simdesk_types::{Role, SsoConfigView};

use crate::api::sso::{sso_settings, SaveSsoSettings, TestSsoConnection};
use crate::components::{
    action_feedback, error_of, field_error, Checkbox, ErrorPanel, Field, PageHeader,
    BUTTON_PRIMARY, BUTTON_SECONDARY, CARD, INPUT, LABEL,
};
use crate::i18n::td_string;
use crate::language::{locale_of, use_lang, Lang};

#[component]
pub fn SsoPage() -> impl IntoView {
    let params = use_params_map();
    let account_id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let lang = use_lang();
    let save = server_action::<SaveSsoSettings>();
    let test = server_action::<TestSsoConnection>();
    let settings = Resource::new(
        move || (account_id(), save.version().get()),
        |(account_id, _)| sso_settings(account_id),
    );
    view! {
        <Title text=td_string!(lang, accounts.sso_title) />
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(view) => settings_form(view, account_id(), save, test, lang).into_any(),
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
    lang: Lang,
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
        td_string!(lang, accounts.secret_stored)
    } else {
        td_string!(lang, accounts.secret_issued)
    };
    let role_choices = Role::ACCOUNT_USERS;
    let jit_role = s.jit_role;
    let admins = s.account_admins.clone();
    let break_glass = s.break_glass_user_id;
    let subtitle = format!(
        "{}: {}",
        s.account_name,
        td_string!(lang, accounts.sso_subtitle)
    );
    view! {
        <PageHeader title=td_string!(lang, accounts.sso_title).to_owned() subtitle=subtitle />
        <div class="mb-6 space-y-2">{action_feedback(save, td_string!(lang, accounts.sso_saved))}</div>
        <div class="grid gap-6 lg:grid-cols-3">
            <ActionForm action=save attr:class=format!("space-y-4 lg:col-span-2 {CARD}") attr:data-testid="sso-form">
                {account_field}
                <input type="hidden" name="version" value=s.version.to_string() />
                <Checkbox id="sso-enabled" name="settings[enabled]" checked=s.enabled label=td_string!(lang, accounts.sso_enabled) hint=td_string!(lang, accounts.sso_enabled_hint) />
                <Field id="sso-issuer" name="settings[issuer_url]" label=td_string!(lang, accounts.issuer_url) required=true value=s.issuer_url.clone() hint=td_string!(lang, accounts.issuer_url_hint) error=error_of(save.value(), "issuer_url") />
                <Field id="sso-client-id" name="settings[client_id]" label=td_string!(lang, accounts.client_id) required=true value=s.client_id.clone() error=error_of(save.value(), "client_id") />
                <div>
                    <label for="sso-client-secret" class=LABEL>{td_string!(lang, accounts.client_secret)}</label>
                    <input id="sso-client-secret" name="settings[client_secret]" type="password" autocomplete="off" class=format!("mt-1 {INPUT}") />
                    <p class="mt-1 text-xs text-slate-500">{secret_hint}</p>
                    {field_error(save.value(), "client_secret")}
                </div>
                <Field id="sso-scopes" name="settings[scopes]" label=td_string!(lang, accounts.scopes) value=s.scopes.clone() hint=td_string!(lang, accounts.scopes_hint) error=error_of(save.value(), "scopes") />
                <Field id="sso-domains" name="settings[domains]" label=td_string!(lang, accounts.email_domains) value=s.domains.clone() hint=td_string!(lang, accounts.email_domains_hint) error=error_of(save.value(), "domains") />
                <fieldset class="space-y-4 border-t border-slate-200 pt-4">
                    <legend class="text-sm font-semibold text-slate-900">{td_string!(lang, accounts.roles)}</legend>
                    <Field id="sso-role-claim" name="settings[role_claim]" label=td_string!(lang, accounts.role_claim) value=s.role_claim.clone() hint=td_string!(lang, accounts.role_claim_hint) error=error_of(save.value(), "role_claim") />
                    <div>
                        <label for="sso-role-mapping" class=LABEL>{td_string!(lang, accounts.role_mapping)}</label>
                        <textarea id="sso-role-mapping" name="settings[role_mapping]" rows="4" class=format!("mt-1 font-mono {INPUT}")>{mapping}</textarea>
                        <p class="mt-1 text-xs text-slate-500">
                            {td_string!(lang, accounts.role_mapping_hint)}
                        </p>
                        {field_error(save.value(), "role_mapping")}
                    </div>
                    <Checkbox id="sso-jit" name="settings[jit_enabled]" checked=s.jit_enabled label=td_string!(lang, accounts.jit_enabled) hint=td_string!(lang, accounts.jit_enabled_hint) />
                    <div>
                        <label for="sso-jit-role" class=LABEL>{td_string!(lang, accounts.jit_role)}</label>
                        <select id="sso-jit-role" name="settings[jit_role]" class=format!("mt-1 {INPUT}")>
                            <option value="" selected=jit_role.is_none()>{td_string!(lang, common.none)}</option>
                            {role_choices.into_iter().map(|role| view! {
                                <option value=role.as_str() selected=jit_role == Some(role)>{role.label_in(locale_of(lang))}</option>
                            }).collect_view()}
                        </select>
                        {field_error(save.value(), "jit_role")}
                    </div>
                </fieldset>
                <fieldset class="space-y-4 border-t border-slate-200 pt-4">
                    <legend class="text-sm font-semibold text-slate-900">{td_string!(lang, accounts.policy)}</legend>
                    <Checkbox id="sso-require" name="settings[require_sso]" checked=s.require_sso label=td_string!(lang, accounts.require_sso) hint=td_string!(lang, accounts.require_sso_hint) />
                    {field_error(save.value(), "require_sso")}
                    <div>
                        <label for="sso-break-glass" class=LABEL>{td_string!(lang, accounts.break_glass)}</label>
                        <select id="sso-break-glass" name="settings[break_glass_user_id]" class=format!("mt-1 {INPUT}")>
                            <option value="" selected=break_glass.is_none()>{td_string!(lang, common.none)}</option>
                            {admins.into_iter().map(|(id, email)| view! {
                                <option value=id.to_string() selected=break_glass == Some(id)>{email}</option>
                            }).collect_view()}
                        </select>
                        <p class="mt-1 text-xs text-slate-500">{td_string!(lang, accounts.break_glass_hint)}</p>
                        {field_error(save.value(), "break_glass_user_id")}
                    </div>
                </fieldset>
                {field_error(save.value(), "form")}
                <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, accounts.save_settings)}</button>
            </ActionForm>
            <aside class="space-y-6">
                <section class=CARD aria-labelledby="sso-register">
                    <h2 id="sso-register" class="text-sm font-semibold text-slate-900">{td_string!(lang, accounts.register_at_provider)}</h2>
                    <p class="mt-2 text-sm text-slate-600">{td_string!(lang, accounts.register_instructions)}</p>
                    <p class="mt-2 break-all rounded bg-slate-100 px-2 py-1 font-mono text-xs" data-testid="sso-redirect-uri">{s.redirect_uri.clone()}</p>
                </section>
                <section class=CARD aria-labelledby="sso-test">
                    <h2 id="sso-test" class="text-sm font-semibold text-slate-900">{td_string!(lang, accounts.test_connection)}</h2>
                    <p class="mt-2 text-sm text-slate-600">{td_string!(lang, accounts.test_connection_intro)}</p>
                    <ActionForm action=test attr:class="mt-3">
                        {test_account_field}
                        <button type="submit" class=BUTTON_SECONDARY disabled=!s.configured>{td_string!(lang, accounts.test_connection)}</button>
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
