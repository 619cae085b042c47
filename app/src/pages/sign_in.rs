use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

use crate::api::current_user;
use crate::components::{BUTTON_PRIMARY, BUTTON_SECONDARY, INPUT, LABEL};

fn message_for(error: Option<&str>) -> Option<&'static str> {
    match error? {
        "failed" => Some("Sign-in failed. Check your e-mail address and password. After repeated failures, sign-in is paused for 15 minutes."),
        "throttled" => Some("Too many sign-in attempts from your network. Wait a minute and try again."),
        "sso_required" => Some("Your company signs you in with single sign-on. Choose \"Sign in with single sign-on\"."),
        "sso_not_configured" => Some("No single sign-on is set up for this e-mail address. Sign in with your password, or ask your account admin."),
        "sso_unreachable" => Some("Your company's identity provider could not be reached. Try again shortly; if it persists, tell your account admin."),
        "sso_failed" => Some("Your company's identity provider sent an answer simdesk could not accept, so you were not signed in. Try again; if it persists, tell your account admin."),
        "sso_denied" => Some("The sign-in was cancelled or refused at your company's identity provider."),
        "sso_expired" => Some("This sign-in expired or was already used. Start again."),
        "sso_deactivated" => Some("Your simdesk user is deactivated. Ask your account admin."),
        "sso_unknown_user" => Some("There is no simdesk user for you in this account yet. Ask your account admin to add you."),
        "code_expired" => Some("Your sign-in waited too long for its code. Sign in again."),
        "sso_no_role" => Some("Your identity provider grants you no role in simdesk. Ask your account admin to add you to the right group."),
        _ => Some("Sign-in is unavailable at the moment. Please try again shortly."),
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
    let (show_password, set_show_password) = signal(false);

    view! {
        <Title text="Sign in" />
        <Suspense>
            {move || Suspend::new(async move {
                matches!(user.await, Ok(Some(_))).then(|| view! { <Redirect path="/" /> })
            })}
        </Suspense>
        <main class="flex min-h-screen items-center justify-center px-4">
            <div class="w-full max-w-sm">
                <div class="mb-8 text-center">
                    <span aria-hidden="true" class="mx-auto block h-10 w-10 rounded-lg bg-teal-700"></span>
                    <h1 class="mt-4 text-2xl font-bold tracking-tight">"Sign in to simdesk"</h1>
                    <p class="mt-1 text-sm text-slate-600">"SIM ordering for enterprises and their providers"</p>
                </div>
                {move || signed_out().then(|| view! {
                    <div role="status" class="mb-4 rounded-md border border-teal-200 bg-teal-50 px-4 py-3 text-sm text-teal-900">
                        "You are signed out."
                    </div>
                })}
                {move || password_reset().then(|| view! {
                    <div role="status" class="mb-4 rounded-md border border-teal-200 bg-teal-50 px-4 py-3 text-sm text-teal-900">
                        "Your password was changed. Sign in with the new one."
                    </div>
                })}
                {move || message_for(error().as_deref()).map(|message| view! {
                    <div role="alert" class="mb-4 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
                        {message}
                    </div>
                })}
                <form method="post" action="/auth/sign-in" class="space-y-5 rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200">
                    <input type="hidden" name="next" value=next />
                    <div>
                        <label for="email" class=LABEL>"E-mail address"</label>
                        <input id="email" name="email" type="email" autocomplete="username" required autofocus value=email class=format!("mt-1 {INPUT}") />
                    </div>
                    <div>
                        <div class="flex items-center justify-between">
                            <label for="password" class=LABEL>"Password"</label>
                            <button
                                type="button"
                                class="text-xs font-medium text-teal-700 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-700"
                                aria-controls="password"
                                aria-pressed=move || show_password.get().to_string()
                                data-testid="toggle-password"
                                on:click=move |_| set_show_password.update(|shown| *shown = !*shown)
                            >
                                {move || if show_password.get() { "Hide" } else { "Show" }}
                            </button>
                        </div>
                        <input
                            id="password"
                            name="password"
                            type=move || if show_password.get() { "text" } else { "password" }
                            autocomplete="current-password"
                            required
                            class=format!("mt-1 {INPUT}")
                        />
                        <p class="mt-1 text-right text-xs">
                            <a href="/forgot-password" class="font-medium text-teal-700 hover:underline">"Forgot your password?"</a>
                        </p>
                    </div>
                    <button type="submit" class=format!("w-full {BUTTON_PRIMARY}")>"Sign in"</button>
                    <div class="relative text-center text-xs text-slate-500">
                        <span class="bg-white px-2">"or, if your company uses it"</span>
                    </div>
                    <button
                        type="submit"
                        formaction="/auth/sso"
                        formnovalidate=true
                        class=format!("w-full {BUTTON_SECONDARY}")
                        data-testid="sso-sign-in"
                    >
                        "Sign in with single sign-on"
                    </button>
                    <p class="text-xs text-slate-500">"Single sign-on needs only your e-mail address."</p>
                </form>
            </div>
        </main>
    }
}

fn code_message_for(error: Option<&str>) -> Option<&'static str> {
    match error? {
        "failed" => Some("That code did not work. Enter the code your app shows now, or a recovery code. After repeated failures, sign-in is paused for 15 minutes."),
        "throttled" => Some("Too many sign-in attempts from your network. Wait a minute and try again."),
        _ => Some("Sign-in is unavailable at the moment. Please try again shortly."),
    }
}

/// The second step of signing in: a code from the authenticator app, or a recovery code.
#[component]
pub fn SecondFactorSignInPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || query.read().get("error");
    view! {
        <Title text="Sign-in code" />
        <main class="flex min-h-screen items-center justify-center px-4">
            <div class="w-full max-w-sm">
                <div class="mb-8 text-center">
                    <span aria-hidden="true" class="mx-auto block h-10 w-10 rounded-lg bg-teal-700"></span>
                    <h1 class="mt-4 text-2xl font-bold tracking-tight">"Enter your sign-in code"</h1>
                    <p class="mt-1 text-sm text-slate-600">"Open your authenticator app and enter the 6-digit code it shows for simdesk."</p>
                </div>
                {move || code_message_for(error().as_deref()).map(|message| view! {
                    <div role="alert" class="mb-4 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
                        {message}
                    </div>
                })}
                <form method="post" action="/auth/second-factor" class="space-y-5 rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200">
                    <div>
                        <label for="code" class=LABEL>"Code"</label>
                        <input id="code" name="code" required autofocus autocomplete="one-time-code" maxlength="11" aria-describedby="code-help" class=format!("mt-1 font-mono tracking-widest {INPUT}") />
                        <p id="code-help" class="mt-1 text-xs text-slate-500">"No phone at hand? Type one of your recovery codes here instead."</p>
                    </div>
                    <label class="flex items-start gap-2 text-sm text-slate-700">
                        <input type="checkbox" name="remember" value="on" class="mt-0.5 h-4 w-4 rounded border-slate-300 text-teal-700 focus:ring-teal-700" />
                        "Don't ask for a code in this browser for 30 days. Choose this only on a device that is yours alone."
                    </label>
                    <button type="submit" class=format!("w-full {BUTTON_PRIMARY}")>"Sign in"</button>
                    <p class="text-center text-xs"><a href="/sign-in" class="font-medium text-teal-700 hover:underline">"Start again"</a></p>
                </form>
            </div>
        </main>
    }
}
