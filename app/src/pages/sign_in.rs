use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

use crate::api::current_user;
use crate::components::{BUTTON_PRIMARY, BUTTON_SECONDARY, INPUT, LABEL};
use crate::i18n::td_string;
use crate::islands::PasswordToggle;
use crate::language::{use_lang, Lang};

fn message_for(lang: Lang, error: Option<&str>) -> Option<&'static str> {
    match error? {
        "failed" => Some(td_string!(lang, auth.sign_in_err_failed)),
        "throttled" => Some(td_string!(lang, auth.sign_in_err_throttled)),
        "sso_required" => Some(td_string!(lang, auth.sign_in_err_sso_required)),
        "sso_not_configured" => Some(td_string!(lang, auth.sign_in_err_sso_not_configured)),
        "sso_unreachable" => Some(td_string!(lang, auth.sign_in_err_sso_unreachable)),
        "sso_failed" => Some(td_string!(lang, auth.sign_in_err_sso_failed)),
        "sso_denied" => Some(td_string!(lang, auth.sign_in_err_sso_denied)),
        "sso_expired" => Some(td_string!(lang, auth.sign_in_err_sso_expired)),
        "sso_deactivated" => Some(td_string!(lang, auth.sign_in_err_sso_deactivated)),
        "sso_unknown_user" => Some(td_string!(lang, auth.sign_in_err_sso_unknown_user)),
        "code_expired" => Some(td_string!(lang, auth.sign_in_err_code_expired)),
        "sso_no_role" => Some(td_string!(lang, auth.sign_in_err_sso_no_role)),
        _ => Some(td_string!(lang, auth.sign_in_err_unavailable)),
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let user = Resource::new(|| (), |_| current_user());
    let error = move || query.read().get("error");
    let signed_out = move || query.read().get("signed_out").is_some();
    let password_reset = move || query.read().get("password_reset").is_some();
    let next = move || query.read().get("next").unwrap_or_default();
    let email = move || query.read().get("email").unwrap_or_default();
    let lang = use_lang();

    view! {
        <Title text=td_string!(lang, auth.sign_in_title) />
        <Suspense>
            {move || Suspend::new(async move {
                matches!(user.await, Ok(Some(_))).then(|| view! { <Redirect path="/" /> })
            })}
        </Suspense>
        <main class="flex min-h-screen items-center justify-center px-4">
            <div class="w-full max-w-sm">
                <div class="mb-8 text-center">
                    <span aria-hidden="true" class="mx-auto block h-10 w-10 rounded-lg bg-teal-700"></span>
                    <h1 class="mt-4 text-2xl font-bold tracking-tight">{td_string!(lang, auth.sign_in_heading)}</h1>
                    <p class="mt-1 text-sm text-slate-600">{td_string!(lang, auth.sign_in_tagline)}</p>
                </div>
                {move || signed_out().then(|| view! {
                    <div role="status" class="mb-4 rounded-md border border-teal-200 bg-teal-50 px-4 py-3 text-sm text-teal-900">
                        {td_string!(lang, auth.signed_out)}
                    </div>
                })}
                {move || password_reset().then(|| view! {
                    <div role="status" class="mb-4 rounded-md border border-teal-200 bg-teal-50 px-4 py-3 text-sm text-teal-900">
                        {td_string!(lang, auth.password_was_reset)}
                    </div>
                })}
                {move || message_for(lang, error().as_deref()).map(|message| view! {
                    <div role="alert" class="mb-4 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
                        {message}
                    </div>
                })}
                <form method="post" action="/auth/sign-in" class="space-y-5 rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200">
                    <input type="hidden" name="next" value=next />
                    <div>
                        <label for="email" class=LABEL>{td_string!(lang, auth.email_address)}</label>
                        <input id="email" name="email" type="email" autocomplete="username" required autofocus value=email class=format!("mt-1 {INPUT}") />
                    </div>
                    <div>
                        <div class="flex items-center justify-between">
                            <label for="password" class=LABEL>{td_string!(lang, auth.password)}</label>
                            <PasswordToggle
                                input_id="password".to_owned()
                                show=td_string!(lang, auth.show).to_owned()
                                hide=td_string!(lang, auth.hide).to_owned()
                            />
                        </div>
                        <input
                            id="password"
                            name="password"
                            type="password"
                            autocomplete="current-password"
                            required
                            class=format!("mt-1 {INPUT}")
                        />
                        <p class="mt-1 text-right text-xs">
                            <a href="/forgot-password" class="font-medium text-teal-700 hover:underline">{td_string!(lang, auth.forgot_password_link)}</a>
                        </p>
                    </div>
                    <button type="submit" class=format!("w-full {BUTTON_PRIMARY}")>{td_string!(lang, auth.sign_in_button)}</button>
                    <div class="relative text-center text-xs text-slate-500">
                        <span class="bg-white px-2">{td_string!(lang, auth.sign_in_or_sso)}</span>
                    </div>
                    <button
                        type="submit"
                        formaction="/auth/sso"
                        formnovalidate=true
                        class=format!("w-full {BUTTON_SECONDARY}")
                        data-testid="sso-sign-in"
                    >
                        {td_string!(lang, auth.sign_in_sso_button)}
                    </button>
                    <p class="text-xs text-slate-500">{td_string!(lang, auth.sign_in_sso_hint)}</p>
                </form>
            </div>
        </main>
    }
}

fn code_message_for(lang: Lang, error: Option<&str>) -> Option<&'static str> {
    match error? {
        "failed" => Some(td_string!(lang, auth.code_err_failed)),
        "throttled" => Some(td_string!(lang, auth.sign_in_err_throttled)),
        _ => Some(td_string!(lang, auth.sign_in_err_unavailable)),
    }
}

/// The second step of signing in: a code from the authenticator app, or a recovery code.
#[component]
pub fn SecondFactorSignInPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || query.read().get("error");
    let lang = use_lang();
    view! {
        <Title text=td_string!(lang, auth.code_title) />
        <main class="flex min-h-screen items-center justify-center px-4">
            <div class="w-full max-w-sm">
                <div class="mb-8 text-center">
                    <span aria-hidden="true" class="mx-auto block h-10 w-10 rounded-lg bg-teal-700"></span>
                    <h1 class="mt-4 text-2xl font-bold tracking-tight">{td_string!(lang, auth.code_heading)}</h1>
                    <p class="mt-1 text-sm text-slate-600">{td_string!(lang, auth.code_intro)}</p>
                </div>
                {move || code_message_for(lang, error().as_deref()).map(|message| view! {
                    <div role="alert" class="mb-4 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
                        {message}
                    </div>
                })}
                <form method="post" action="/auth/second-factor" class="space-y-5 rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200">
                    <div>
                        <label for="code" class=LABEL>{td_string!(lang, auth.code_label)}</label>
                        <input id="code" name="code" required autofocus autocomplete="one-time-code" maxlength="11" aria-describedby="code-help" class=format!("mt-1 font-mono tracking-widest {INPUT}") />
                        <p id="code-help" class="mt-1 text-xs text-slate-500">{td_string!(lang, auth.code_help)}</p>
                    </div>
                    <label class="flex items-start gap-2 text-sm text-slate-700">
                        <input type="checkbox" name="remember" value="on" class="mt-0.5 h-4 w-4 rounded border-slate-300 text-teal-700 focus:ring-teal-700" />
                        {td_string!(lang, auth.code_remember)}
                    </label>
                    <button type="submit" class=format!("w-full {BUTTON_PRIMARY}")>{td_string!(lang, auth.sign_in_button)}</button>
                    <p class="text-center text-xs"><a href="/sign-in" class="font-medium text-teal-700 hover:underline">{td_string!(lang, auth.start_again)}</a></p>
                </form>
            </div>
        </main>
    }
}
