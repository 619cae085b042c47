//! "Forgot password?": ask for a link, then choose a new password through it. Both are plain
//! form posts to `/auth/…`, so they work without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::{BUTTON_PRIMARY, INPUT, LABEL};
use crate::i18n::td_string;
use crate::language::use_lang;

/// The frame of the signed-out pages: a centred card under a heading.
#[component]
fn SignedOutCard(title: &'static str, subtitle: &'static str, children: Children) -> impl IntoView {
    let lang = use_lang();
    view! {
        <main class="flex min-h-screen items-center justify-center px-4">
            <div class="w-full max-w-sm">
                <div class="mb-8 text-center">
                    <span aria-hidden="true" class="mx-auto block h-10 w-10 rounded-lg bg-teal-700"></span>
                    <h1 class="mt-4 text-2xl font-bold tracking-tight">{title}</h1>
                    <p class="mt-1 text-sm text-slate-600">{subtitle}</p>
                </div>
                {children()}
                <p class="mt-6 text-center text-sm">
                    <a href="/sign-in" class="font-medium text-teal-700 hover:underline">{td_string!(lang, auth.back_to_sign_in)}</a>
                </p>
            </div>
        </main>
    }
}

fn alert(message: &'static str) -> impl IntoView {
    view! {
        <div role="alert" class="mb-4 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
            {message}
        </div>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let sent = move || query.read().get("sent").is_some();
    let lang = use_lang();
    let error = move || match query.read().get("error").as_deref() {
        Some("email") => Some(td_string!(lang, auth.forgot_err_email)),
        Some("throttled") => Some(td_string!(lang, auth.forgot_err_throttled)),
        Some(_) => Some(td_string!(lang, auth.reset_err_unavailable)),
        None => None,
    };
    view! {
        <Title text=td_string!(lang, auth.forgot_title) />
        <SignedOutCard title=td_string!(lang, auth.forgot_heading) subtitle=td_string!(lang, auth.forgot_subtitle)>
            {move || sent().then(|| view! {
                <div role="status" data-testid="reset-sent" class="mb-4 rounded-md border border-teal-200 bg-teal-50 px-4 py-3 text-sm text-teal-900">
                    {td_string!(lang, auth.forgot_sent)}
                </div>
            })}
            {move || error().map(alert)}
            <form method="post" action="/auth/forgot-password" class="space-y-5 rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200">
                <div>
                    <label for="email" class=LABEL>{td_string!(lang, auth.email_address)}</label>
                    <input id="email" name="email" type="email" autocomplete="username" required autofocus class=format!("mt-1 {INPUT}") />
                </div>
                <button type="submit" class=format!("w-full {BUTTON_PRIMARY}")>{td_string!(lang, auth.forgot_button)}</button>
                <p class="text-xs text-slate-500">{td_string!(lang, auth.forgot_sso_hint)}</p>
            </form>
        </SignedOutCard>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let lang = use_lang();
    let error = move || match query.read().get("error").as_deref() {
        Some("mismatch") => Some(td_string!(lang, auth.reset_err_mismatch)),
        Some("too_short") => Some(td_string!(lang, auth.password_rule)),
        Some("too_long") => Some(td_string!(lang, auth.reset_err_too_long)),
        Some("expired") => Some(td_string!(lang, auth.reset_err_expired)),
        Some(_) => Some(td_string!(lang, auth.reset_err_unavailable)),
        None => None,
    };
    let expired = move || query.read().get("error").as_deref() == Some("expired");
    view! {
        <Title text=td_string!(lang, auth.reset_title) />
        <SignedOutCard title=td_string!(lang, auth.reset_title) subtitle=td_string!(lang, auth.reset_subtitle)>
            {move || error().map(alert)}
            {move || if expired() {
                view! {
                    <p class="text-center text-sm">
                        <a href="/forgot-password" class="font-medium text-teal-700 hover:underline">{td_string!(lang, auth.reset_new_link)}</a>
                    </p>
                }.into_any()
            } else {
                view! {
                    <form method="post" action="/auth/reset-password" class="space-y-5 rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200">
                        <input type="hidden" name="token" value=token />
                        <div>
                            <label for="new-password" class=LABEL>{td_string!(lang, auth.new_password)}</label>
                            <input id="new-password" name="password" type="password" required minlength="12" autocomplete="new-password" autofocus class=format!("mt-1 {INPUT}") />
                        </div>
                        <div>
                            <label for="confirm-password" class=LABEL>{td_string!(lang, auth.new_password_again)}</label>
                            <input id="confirm-password" name="confirm_password" type="password" required minlength="12" autocomplete="new-password" class=format!("mt-1 {INPUT}") />
                        </div>
                        <button type="submit" class=format!("w-full {BUTTON_PRIMARY}")>{td_string!(lang, auth.reset_button)}</button>
                    </form>
                }.into_any()
            }}
        </SignedOutCard>
    }
}
