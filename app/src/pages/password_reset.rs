//! "Forgot password?": ask for a link, then choose a new password through it. Both are plain
//! form posts to `/auth/…`, so they work without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::{BUTTON_PRIMARY, INPUT, LABEL};

/// The frame of the signed-out pages: a centred card under a heading.
#[component]
fn SignedOutCard(title: &'static str, subtitle: &'static str, children: Children) -> impl IntoView {
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
                    <a href="/sign-in" class="font-medium text-teal-700 hover:underline">"Back to sign-in"</a>
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
    let error = move || match query.read().get("error").as_deref() {
        Some("email") => Some("Enter the e-mail address you sign in with."),
        Some("throttled") => {
            Some("Too many attempts from your network. Wait a minute and try again.")
        }
        Some(_) => Some("This is unavailable at the moment. Please try again shortly."),
        None => None,
    };
    view! {
        <Title text="Forgot password" />
        <SignedOutCard title="Forgot your password?" subtitle="We e-mail you a link to choose a new one.">
            {move || sent().then(|| view! {
                <div role="status" data-testid="reset-sent" class="mb-4 rounded-md border border-teal-200 bg-teal-50 px-4 py-3 text-sm text-teal-900">
                    "If an account signs in with that address, a link to choose a new password is on its way. It works once, for 30 minutes."
                </div>
            })}
            {move || error().map(alert)}
            <form method="post" action="/auth/forgot-password" class="space-y-5 rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200">
                <div>
                    <label for="email" class=LABEL>"E-mail address"</label>
                    <input id="email" name="email" type="email" autocomplete="username" required autofocus class=format!("mt-1 {INPUT}") />
                </div>
                <button type="submit" class=format!("w-full {BUTTON_PRIMARY}")>"E-mail me a link"</button>
                <p class="text-xs text-slate-500">"If your company signs you in with single sign-on, your password is managed there."</p>
            </form>
        </SignedOutCard>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let error = move || {
        match query.read().get("error").as_deref() {
        Some("mismatch") => Some("The two passwords differ."),
        Some("too_short") => Some("Use at least 12 characters; a passphrase of a few words is easy to remember and hard to guess."),
        Some("too_long") => Some("Use at most 256 characters."),
        Some("expired") => Some("This link has expired or was already used. Ask for a new one."),
        Some(_) => Some("This is unavailable at the moment. Please try again shortly."),
        None => None,
    }
    };
    let expired = move || query.read().get("error").as_deref() == Some("expired");
    view! {
        <Title text="Choose a new password" />
        <SignedOutCard title="Choose a new password" subtitle="Use at least 12 characters.">
            {move || error().map(alert)}
            {move || if expired() {
                view! {
                    <p class="text-center text-sm">
                        <a href="/forgot-password" class="font-medium text-teal-700 hover:underline">"Ask for a new link"</a>
                    </p>
                }.into_any()
            } else {
                view! {
                    <form method="post" action="/auth/reset-password" class="space-y-5 rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200">
                        <input type="hidden" name="token" value=token />
                        <div>
                            <label for="new-password" class=LABEL>"New password"</label>
                            <input id="new-password" name="password" type="password" required minlength="12" autocomplete="new-password" autofocus class=format!("mt-1 {INPUT}") />
                        </div>
                        <div>
                            <label for="confirm-password" class=LABEL>"New password again"</label>
                            <input id="confirm-password" name="confirm_password" type="password" required minlength="12" autocomplete="new-password" class=format!("mt-1 {INPUT}") />
                        </div>
                        <button type="submit" class=format!("w-full {BUTTON_PRIMARY}")>"Set the new password"</button>
                    </form>
                }.into_any()
            }}
        </SignedOutCard>
    }
}
