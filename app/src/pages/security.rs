use crate::components::server_action;
use leptos::prelude::*;
use leptos_meta::Title;
use simdesk_types::{Regional, SecondFactorStatus, TotpEnrolment, TrustedBrowser};

use crate::api::security::{
    second_factor_status, ConfirmSecondFactor, ForgetBrowsers, RenewRecoveryCodes,
    StartSecondFactor, TurnOffSecondFactor,
};
use crate::components::{
    action_feedback, described_by, error_beyond_fields, error_of, use_session, ConfirmStep,
    ErrorPanel, FieldMessage, PageHeader, BUTTON_PRIMARY, BUTTON_SECONDARY, CARD, INPUT, LABEL,
};
use crate::i18n::{td, td_string};
use crate::language::{use_lang, Lang};

/// The signed-in user's second factor: setting up an authenticator app, recovery codes,
/// trusted browsers, turning it off.
#[component]
pub fn SecurityPage() -> impl IntoView {
    let start = server_action::<StartSecondFactor>();
    let confirm = server_action::<ConfirmSecondFactor>();
    let renew = server_action::<RenewRecoveryCodes>();
    let turn_off = server_action::<TurnOffSecondFactor>();
    let forget = server_action::<ForgetBrowsers>();
    let status = Resource::new(
        move || {
            (
                start.version().get(),
                confirm.version().get(),
                renew.version().get(),
                turn_off.version().get(),
                forget.version().get(),
            )
        },
        |_| second_factor_status(),
    );
    let session = use_session();
    let lang = use_lang();
    let actions = Actions {
        start,
        confirm,
        renew,
        turn_off,
        forget,
    };
    view! {
        <Title text=td_string!(lang, auth.security_title) />
        <PageHeader title=td_string!(lang, auth.security_title).to_owned() subtitle=td_string!(lang, auth.security_subtitle) />
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let regional = session.regional().await;
                match status.await {
                    Ok(status) => view! { <SecondFactor status actions regional lang /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[derive(Clone, Copy)]
struct Actions {
    start: ServerAction<StartSecondFactor>,
    confirm: ServerAction<ConfirmSecondFactor>,
    renew: ServerAction<RenewRecoveryCodes>,
    turn_off: ServerAction<TurnOffSecondFactor>,
    forget: ServerAction<ForgetBrowsers>,
}

#[component]
fn SecondFactor(
    status: SecondFactorStatus,
    actions: Actions,
    regional: Regional,
    lang: Lang,
) -> impl IntoView {
    let enabled = status.enabled_at.is_some();
    let app = match (status.enabled_at, status.enrolment.clone()) {
        (Some(since), _) => view! { <AppOn since=regional.time(&since) status=status.clone() actions lang /> }.into_any(),
        (None, Some(enrolment)) => view! { <Enrolment enrolment actions lang /> }.into_any(),
        (None, None) => view! {
            <section class=format!("max-w-2xl {CARD}") aria-labelledby="app-heading">
                <h2 id="app-heading" class="text-lg font-semibold">{td_string!(lang, auth.app_off_heading)}</h2>
                <p class="mt-1 text-sm text-slate-600">{td_string!(lang, auth.app_off_body)}</p>
                <ActionForm action=actions.start attr:class="mt-4">
                    <button type="submit" class=BUTTON_PRIMARY data-testid="start-second-factor">{td_string!(lang, auth.app_set_up)}</button>
                </ActionForm>
                {error_beyond_fields(actions.start.value(), &[])}
            </section>
        }.into_any(),
    };
    view! {
        <div class="space-y-6">
            {(status.required && !enabled).then(|| view! {
                <div role="alert" class="max-w-2xl rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900" data-testid="second-factor-required">
                    {td_string!(lang, auth.second_factor_required)}
                </div>
            })}
            {(!status.new_recovery_codes.is_empty()).then(|| view! { <RecoveryCodes codes=status.new_recovery_codes.clone() lang /> })}
            {app}
            {enabled.then(|| view! { <TrustedBrowsers browsers=status.trusted_browsers.clone() forget=actions.forget regional=regional.clone() lang /> })}
        </div>
    }
}

#[component]
fn RecoveryCodes(codes: Vec<String>, lang: Lang) -> impl IntoView {
    view! {
        <section role="status" class="max-w-2xl rounded-lg border border-amber-200 bg-amber-50 p-6" aria-labelledby="codes-heading" data-testid="recovery-codes">
            <h2 id="codes-heading" class="text-lg font-semibold text-amber-950">{td_string!(lang, auth.codes_heading)}</h2>
            <p class="mt-1 text-sm text-amber-900">{td_string!(lang, auth.codes_body)}</p>
            <ol class="mt-4 grid grid-cols-2 gap-2 font-mono text-sm text-slate-900 sm:grid-cols-3">
                {codes.into_iter().map(|code| view! { <li class="rounded bg-white px-2 py-1 ring-1 ring-amber-200">{code}</li> }).collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn Enrolment(enrolment: TotpEnrolment, actions: Actions, lang: Lang) -> impl IntoView {
    view! {
        <section class=format!("max-w-2xl {CARD}") aria-labelledby="enrol-heading" data-testid="enrolment">
            <h2 id="enrol-heading" class="text-lg font-semibold">{td_string!(lang, auth.enrol_heading)}</h2>
            <ol class="mt-4 space-y-6 text-sm text-slate-700">
                <li>
                    <p class="font-medium text-slate-900">{td_string!(lang, auth.enrol_step_scan)}</p>
                    <div class="mt-3 flex flex-wrap items-start gap-6">
                        <div role="img" aria-label=td_string!(lang, auth.enrol_qr_label) class="h-[200px] w-[200px] shrink-0 bg-white [&>svg]:h-full [&>svg]:w-full" inner_html=enrolment.qr_svg.clone()></div>
                        <div class="min-w-0 space-y-2">
                            <p>{td_string!(lang, auth.enrol_type_key)}</p>
                            <p class="break-all rounded bg-slate-100 px-2 py-1 font-mono text-base tracking-wide text-slate-900" data-testid="totp-key">{enrolment.key.clone()}</p>
                            <p><a href=enrolment.otpauth_url.clone() class="font-medium text-teal-700 hover:underline">{td_string!(lang, auth.enrol_open_app)}</a></p>
                        </div>
                    </div>
                </li>
                <li>
                    <p class="font-medium text-slate-900">{td_string!(lang, auth.enrol_step_code)}</p>
                    <ActionForm action=actions.confirm attr:class="mt-3 flex flex-wrap items-end gap-3">
                        <CodeField id="enrol-code" label=td_string!(lang, auth.code_from_app) error=error_of(actions.confirm.value(), "code") />
                        <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, auth.turn_on)}</button>
                    </ActionForm>
                    <FieldMessage id="enrol-code" error=error_of(actions.confirm.value(), "code") />
                    {error_beyond_fields(actions.confirm.value(), &["code"])}
                </li>
            </ol>
            <ActionForm action=actions.start attr:class="mt-6 border-t border-slate-100 pt-4">
                <button type="submit" class=BUTTON_SECONDARY>{td_string!(lang, auth.enrol_restart)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn AppOn(
    /// When the app was turned on, as the user reads times.
    since: String,
    status: SecondFactorStatus,
    actions: Actions,
    lang: Lang,
) -> impl IntoView {
    let left = status.recovery_codes_left;
    view! {
        <section class=format!("max-w-2xl {CARD}") aria-labelledby="app-heading" data-testid="second-factor-on">
            <h2 id="app-heading" class="text-lg font-semibold">{td_string!(lang, auth.app_on_heading)}</h2>
            <p class="mt-1 text-sm text-slate-600">
                {td!(lang, auth.app_on_since, since = since.clone())}
            </p>
            <p class=if left <= 2 { "mt-2 text-sm font-medium text-amber-800" } else { "mt-2 text-sm text-slate-600" } data-testid="recovery-codes-left">
                {match left {
                    0 => td_string!(lang, auth.codes_left_none).into_any(),
                    1 => td_string!(lang, auth.codes_left_one).into_any(),
                    n => td!(lang, auth.codes_left_many, count = n).into_any(),
                }}
            </p>
            <ActionForm action=actions.renew attr:class="mt-4 flex flex-wrap items-end gap-3">
                <CodeField id="renew-code" label=td_string!(lang, auth.code_or_recovery) error=error_of(actions.renew.value(), "code") />
                <button type="submit" class=BUTTON_SECONDARY>{td_string!(lang, auth.renew_codes)}</button>
            </ActionForm>
            <FieldMessage id="renew-code" error=error_of(actions.renew.value(), "code") />
            {error_beyond_fields(actions.renew.value(), &["code"])}
            <div class="mt-6 border-t border-slate-100 pt-4">
                {if status.required {
                    view! { <p class="text-sm text-slate-600">{td_string!(lang, auth.required_stays_on)}</p> }.into_any()
                } else {
                    view! {
                        <ConfirmStep
                            label=td_string!(lang, auth.turn_off_step)
                            warning=td_string!(lang, auth.turn_off_warning).to_owned()
                            open=Signal::derive(move || matches!(actions.turn_off.value().get(), Some(Err(_))))
                        >
                            <ActionForm action=actions.turn_off attr:class="flex flex-wrap items-end gap-3">
                                <CodeField id="off-code" label=td_string!(lang, auth.code_or_recovery) error=error_of(actions.turn_off.value(), "code") />
                                <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, auth.turn_off_button)}</button>
                            </ActionForm>
                        </ConfirmStep>
                        <FieldMessage id="off-code" error=error_of(actions.turn_off.value(), "code") />
                        {error_beyond_fields(actions.turn_off.value(), &["code"])}
                    }.into_any()
                }}
            </div>
        </section>
    }
}

#[component]
fn TrustedBrowsers(
    browsers: Vec<TrustedBrowser>,
    forget: ServerAction<ForgetBrowsers>,
    regional: Regional,
    lang: Lang,
) -> impl IntoView {
    view! {
        <section class=format!("max-w-2xl {CARD}") aria-labelledby="browsers-heading" data-testid="trusted-browsers">
            <h2 id="browsers-heading" class="text-lg font-semibold">{td_string!(lang, auth.browsers_heading)}</h2>
            <p class="mt-1 text-sm text-slate-600">{td_string!(lang, auth.browsers_body)}</p>
            {if browsers.is_empty() {
                view! { <p class="mt-4 text-sm text-slate-500">{td_string!(lang, auth.browsers_none)}</p> }.into_any()
            } else {
                view! {
                    <ul class="mt-4 divide-y divide-slate-100">
                        {browsers.into_iter().map(|b| {
                            let since = regional.time(&b.since);
                            let until = regional.time(&b.until);
                            view! {
                            <li class="flex flex-wrap items-center justify-between gap-3 py-2 text-sm">
                                <span>
                                    <span class="font-medium text-slate-900">{b.label.clone()}</span>
                                    <span class="text-slate-500">" · "{td!(lang, auth.browser_trusted, since = since, until = until)}</span>
                                </span>
                                <ActionForm action=forget>
                                    <input type="hidden" name="id" value=b.id.to_string() />
                                    <button type="submit" class=BUTTON_SECONDARY>{td_string!(lang, auth.forget)}<span class="sr-only">{format!(" {}", b.label)}</span></button>
                                </ActionForm>
                            </li>
                            }
                        }).collect_view()}
                    </ul>
                    <ActionForm action=forget attr:class="mt-4">
                        <button type="submit" class=BUTTON_SECONDARY>{td_string!(lang, auth.forget_all)}</button>
                    </ActionForm>
                }.into_any()
            }}
            {action_feedback(forget, td_string!(lang, auth.forgotten))}
        </section>
    }
}

/// The field for a code from the app (or, where it counts, a recovery code). Its message is
/// shown below the form's row by [`FieldMessage`] with the same `id`, and tied to the input.
#[component]
fn CodeField(
    id: &'static str,
    label: &'static str,
    error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <div>
            <label for=id class=LABEL>{label}</label>
            <input
                id=id
                name="code"
                required
                autocomplete="one-time-code"
                maxlength="11"
                aria-describedby=move || described_by(None, id, error.get().is_some())
                aria-invalid=move || error.get().map(|_| "true")
                class=format!("mt-1 w-40 {INPUT}")
            />
        </div>
    }
}
