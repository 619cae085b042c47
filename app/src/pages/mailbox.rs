//! `/settings/mailbox`: the tenant's order mailbox, read over IMAP, for its admins. Orders
//! mailed there become e-mail orders (`/email-orders`).

use leptos::prelude::*;
use leptos_meta::Title;
use simdesk_types::{MailboxSecurity, MailboxView, Regional};

use crate::api::email_orders::{order_mailbox, CheckOrderMailbox, SaveOrderMailbox};
use crate::components::{
    action_feedback, error_of, field_error, use_session, Checkbox, ErrorPanel, Field, PageHeader,
    BUTTON_PRIMARY, BUTTON_SECONDARY, CARD, INPUT, LABEL,
};

#[component]
pub fn MailboxPage() -> impl IntoView {
    let save = ServerAction::<SaveOrderMailbox>::new();
    let check = ServerAction::<CheckOrderMailbox>::new();
    let settings = Resource::new(
        move || (save.version().get(), check.version().get()),
        |_| order_mailbox(),
    );
    let session = use_session();
    view! {
        <Title text="Order mailbox" />
        <PageHeader title="Order mailbox".to_owned() subtitle="Orders mailed to this mailbox become e-mail orders for your agents to check." />
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let regional = session.regional().await;
                match settings.await {
                    Ok(view) => mailbox_form(view, save, check, &regional).into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn status_view(m: &MailboxView, regional: &Regional) -> impl IntoView {
    let state = match (&m.checked_at, m.last_error.is_empty()) {
        (None, _) if !m.enabled => "Not read: the mailbox is not enabled.".to_owned(),
        (None, _) => "Not read yet.".to_owned(),
        (Some(at), true) => format!("Last read {}.", regional.time_text(at)),
        (Some(at), false) => format!(
            "Last look {} failed: {}",
            regional.time_text(at),
            m.last_error
        ),
    };
    let failing = !m.last_error.is_empty();
    view! {
        <p data-testid="mailbox-status" class=if failing { "mt-2 text-sm text-red-800" } else { "mt-2 text-sm text-slate-700" }>{state}</p>
        <p class="mt-1 text-sm text-slate-600" data-testid="mailbox-received">{format!("Messages taken so far: {}.", m.received)}</p>
    }
}

fn mailbox_form(
    m: MailboxView,
    save: ServerAction<SaveOrderMailbox>,
    check: ServerAction<CheckOrderMailbox>,
    regional: &Regional,
) -> impl IntoView {
    let password_hint = if m.has_password {
        "Stored and never shown again. Leave empty to keep it."
    } else {
        "The mailbox user's password, or an app password."
    };
    let security = m.security;
    let status = status_view(&m, regional);
    let pipe = format!("simdesk mail receive --tenant {}", m.tenant_slug);
    view! {
        <div class="mb-6 space-y-2">{action_feedback(save.value(), "Order mailbox saved.")}</div>
        <div class="grid gap-6 lg:grid-cols-3">
            <ActionForm action=save attr:class=format!("space-y-4 lg:col-span-2 {CARD}") attr:data-testid="mailbox-form">
                <input type="hidden" name="version" value=m.version.to_string() />
                <Checkbox id="mailbox-enabled" name="settings[enabled]" checked=m.enabled label="Read this mailbox" hint="simdesk looks for new messages every few seconds and marks each one it took as read." />
                <Field id="mailbox-host" name="settings[host]" label="IMAP server" value=m.host.clone() hint="Such as imap.example.com" error=error_of(save.value(), "host") />
                <div class="grid gap-4 sm:grid-cols-2">
                    <div>
                        <label for="mailbox-security" class=LABEL>"Encryption"</label>
                        <select id="mailbox-security" name="settings[security]" class=format!("mt-1 {INPUT}")>
                            {MailboxSecurity::ALL.iter().map(|s| view! {
                                <option value=s.as_str() selected=*s == security>{s.label()}</option>
                            }).collect_view()}
                        </select>
                        {field_error(save.value(), "security")}
                    </div>
                    <Field id="mailbox-port" name="settings[port]" label="Port" kind="number" value=m.port.to_string() hint="993 for TLS, 143 for STARTTLS" error=error_of(save.value(), "port") />
                </div>
                <Field id="mailbox-username" name="settings[username]" label="User name" value=m.username.clone() error=error_of(save.value(), "username") />
                <div>
                    <label for="mailbox-password" class=LABEL>"Password"</label>
                    <input id="mailbox-password" name="settings[password]" type="password" autocomplete="new-password" class=format!("mt-1 {INPUT}") />
                    <p class="mt-1 text-xs text-slate-500">{password_hint}</p>
                    {field_error(save.value(), "password")}
                </div>
                <Field id="mailbox-folder" name="settings[folder]" label="Folder" value=m.folder.clone() hint="Where orders arrive; INBOX unless a rule files them elsewhere." error=error_of(save.value(), "folder") />
                {field_error(save.value(), "form")}
                <button type="submit" class=BUTTON_PRIMARY>"Save mailbox"</button>
            </ActionForm>
            <aside class="space-y-6">
                <section class=CARD aria-labelledby="mailbox-state">
                    <h2 id="mailbox-state" class="text-sm font-semibold text-slate-900">"Status"</h2>
                    {status}
                    <ActionForm action=check attr:class="mt-3">
                        <button type="submit" class=BUTTON_SECONDARY disabled=!m.enabled>"Check now"</button>
                    </ActionForm>
                    <div aria-live="polite" data-testid="mailbox-check-result" class="mt-3 text-sm">
                        {move || check.value().get().map(|result| match result {
                            Ok(found) => view! {
                                <p class="text-teal-800">{format!(
                                    "{} new, {} seen before, {} drafts made, {} too large and left in the mailbox.",
                                    found.kept, found.repeated, found.drafts, found.left
                                )}</p>
                            }.into_any(),
                            Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        })}
                    </div>
                </section>
                <section class=CARD aria-labelledby="mailbox-pipe">
                    <h2 id="mailbox-pipe" class="text-sm font-semibold text-slate-900">"Or let your mail server deliver"</h2>
                    <p class="mt-2 text-sm text-slate-600">"A mail server can hand each message to simdesk instead, as a pipe alias:"</p>
                    <p class="mt-2 break-all rounded bg-slate-100 px-2 py-1 font-mono text-xs">{pipe}</p>
                </section>
                <p class="text-sm"><a href="/email-orders" class="text-teal-800 underline">"See the e-mail orders"</a></p>
            </aside>
        </div>
    }
}
