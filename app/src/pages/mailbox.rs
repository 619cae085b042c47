//! `/settings/mailbox`: the tenant's order mailbox, read over IMAP, for its admins. Orders
//! mailed there become e-mail orders (`/email-orders`).

use crate::components::server_action;
use leptos::prelude::*;
use leptos_meta::Title;
use simdesk_types::{MailboxSecurity, MailboxView, Regional};

use crate::api::email_orders::{order_mailbox, CheckOrderMailbox, SaveOrderMailbox};
use crate::components::{
    action_feedback, error_of, field_error, use_session, Checkbox, ErrorPanel, Field, PageHeader,
    BUTTON_PRIMARY, BUTTON_SECONDARY, CARD, INPUT, LABEL,
};
use crate::i18n::{td, td_string};
use crate::language::{locale_of, use_lang, Lang};

#[component]
pub fn MailboxPage() -> impl IntoView {
    let lang = use_lang();
    let save = server_action::<SaveOrderMailbox>();
    let check = server_action::<CheckOrderMailbox>();
    let settings = Resource::new(
        move || (save.version().get(), check.version().get()),
        |_| order_mailbox(),
    );
    let session = use_session();
    view! {
        <Title text=td_string!(lang, messages.mailbox_title) />
        <PageHeader title=td_string!(lang, messages.mailbox_title).to_owned() subtitle=td_string!(lang, messages.mailbox_subtitle) />
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let regional = session.regional().await;
                match settings.await {
                    Ok(view) => mailbox_form(view, save, check, &regional, lang).into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn status_view(m: &MailboxView, regional: &Regional, lang: Lang) -> impl IntoView {
    let state = match (&m.checked_at, m.last_error.is_empty()) {
        (None, _) if !m.enabled => td_string!(lang, messages.mailbox_not_enabled).into_any(),
        (None, _) => td_string!(lang, messages.mailbox_not_read).into_any(),
        (Some(at), true) => td!(
            lang,
            messages.mailbox_last_read,
            at = regional.time_text(at)
        )
        .into_any(),
        (Some(at), false) => {
            let at = regional.time_text(at);
            let error = m.last_error.clone();
            td!(lang, messages.mailbox_last_failed, at = at, error = error).into_any()
        }
    };
    let failing = !m.last_error.is_empty();
    view! {
        <p data-testid="mailbox-status" class=if failing { "mt-2 text-sm text-red-800" } else { "mt-2 text-sm text-slate-700" }>{state}</p>
        <p class="mt-1 text-sm text-slate-600" data-testid="mailbox-received">{td!(lang, messages.mailbox_received, taken = m.received)}</p>
    }
}

fn mailbox_form(
    m: MailboxView,
    save: ServerAction<SaveOrderMailbox>,
    check: ServerAction<CheckOrderMailbox>,
    regional: &Regional,
    lang: Lang,
) -> impl IntoView {
    let password_hint = if m.has_password {
        td_string!(lang, messages.password_hint_stored)
    } else {
        td_string!(lang, messages.password_hint_new)
    };
    let security = m.security;
    let status = status_view(&m, regional, lang);
    let pipe = format!("simdesk mail receive --tenant {}", m.tenant_slug);
    view! {
        <div class="mb-6 space-y-2">{action_feedback(save, td_string!(lang, messages.mailbox_saved))}</div>
        <div class="grid gap-6 lg:grid-cols-3">
            <ActionForm action=save attr:class=format!("space-y-4 lg:col-span-2 {CARD}") attr:data-testid="mailbox-form">
                <input type="hidden" name="version" value=m.version.to_string() />
                <Checkbox id="mailbox-enabled" name="settings[enabled]" checked=m.enabled label=td_string!(lang, messages.read_mailbox) hint=td_string!(lang, messages.read_mailbox_hint) />
                <Field id="mailbox-host" name="settings[host]" label=td_string!(lang, messages.imap_server) value=m.host.clone() hint=td_string!(lang, messages.imap_server_hint) error=error_of(save.value(), "host") />
                <div class="grid gap-4 sm:grid-cols-2">
                    <div>
                        <label for="mailbox-security" class=LABEL>{td_string!(lang, messages.encryption)}</label>
                        <select id="mailbox-security" name="settings[security]" class=format!("mt-1 {INPUT}")>
                            {MailboxSecurity::ALL.iter().map(|s| view! {
                                <option value=s.as_str() selected=*s == security>{s.label_in(locale_of(lang))}</option>
                            }).collect_view()}
                        </select>
                        {field_error(save.value(), "security")}
                    </div>
                    <Field id="mailbox-port" name="settings[port]" label=td_string!(lang, messages.port) kind="number" value=m.port.to_string() hint=td_string!(lang, messages.port_hint) error=error_of(save.value(), "port") />
                </div>
                <Field id="mailbox-username" name="settings[username]" label=td_string!(lang, messages.user_name) value=m.username.clone() error=error_of(save.value(), "username") />
                <div>
                    <label for="mailbox-password" class=LABEL>{td_string!(lang, messages.password)}</label>
                    <input id="mailbox-password" name="settings[password]" type="password" autocomplete="new-password" class=format!("mt-1 {INPUT}") />
                    <p class="mt-1 text-xs text-slate-500">{password_hint}</p>
                    {field_error(save.value(), "password")}
                </div>
                <Field id="mailbox-folder" name="settings[folder]" label=td_string!(lang, messages.folder) value=m.folder.clone() hint=td_string!(lang, messages.folder_hint) error=error_of(save.value(), "folder") />
                {field_error(save.value(), "form")}
                <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, messages.save_mailbox)}</button>
            </ActionForm>
            <aside class="space-y-6">
                <section class=CARD aria-labelledby="mailbox-state">
                    <h2 id="mailbox-state" class="text-sm font-semibold text-slate-900">{td_string!(lang, messages.status)}</h2>
                    {status}
                    <ActionForm action=check attr:class="mt-3">
                        <button type="submit" class=BUTTON_SECONDARY disabled=!m.enabled>{td_string!(lang, messages.check_now)}</button>
                    </ActionForm>
                    <div aria-live="polite" data-testid="mailbox-check-result" class="mt-3 text-sm">
                        {move || check.value().get().map(|result| match result {
                            Ok(found) => view! {
                                <p class="text-teal-800">{td!(
                                    lang,
                                    messages.check_result,
                                    kept = found.kept,
                                    repeated = found.repeated,
                                    drafts = found.drafts,
                                    left = found.left
                                )}</p>
                            }.into_any(),
                            Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        })}
                    </div>
                </section>
                <section class=CARD aria-labelledby="mailbox-pipe">
                    <h2 id="mailbox-pipe" class="text-sm font-semibold text-slate-900">{td_string!(lang, messages.pipe_heading)}</h2>
                    <p class="mt-2 text-sm text-slate-600">{td_string!(lang, messages.pipe_body)}</p>
                    <p class="mt-2 break-all rounded bg-slate-100 px-2 py-1 font-mono text-xs">{pipe}</p>
                </section>
                <p class="text-sm"><a href="/email-orders" class="text-teal-800 underline">{td_string!(lang, messages.see_email_orders)}</a></p>
            </aside>
        </div>
    }
}
