//! `/api-tokens`: the REST API's tokens and the webhooks of a tenant (its admins) or of an
//! account (its admins): making a token or a webhook, its secret shown once, revoking or
//! removing it, the latest calls made with the tokens, a webhook's test event and its latest
//! deliveries.

use crate::components::server_action;
use leptos::prelude::*;
use leptos_meta::Title;
use simdesk_types::{
    ApiCallRow, ApiScope, ApiTokenView, NewApiToken, NewWebhook, Regional, WebhookDeliveryView,
    WebhookEvent, WebhookView, API_TOKEN_MAX_DAYS,
};

use crate::api::api_tokens::{
    api_tokens, webhooks, ApiTokenOverview, CreateApiToken, CreateWebhook, RemoveWebhook,
    RevokeApiToken, TestWebhook, WebhookOverview,
};
use crate::components::{
    action_feedback, error_beyond_fields, field_error, use_session, Checkbox, ConfirmStep,
    EmptyState, ErrorPanel, PageHeader, BUTTON_DANGER, BUTTON_PRIMARY, BUTTON_SECONDARY, CARD,
    INPUT, LABEL, TABLE, TD, TH,
};
use crate::i18n::{td, td_string};
use crate::language::{locale_of, use_lang, Lang};

/// The days a new token lives unless the admin chooses otherwise.
const DEFAULT_DAYS: u32 = 90;

#[component]
pub fn ApiTokensPage() -> impl IntoView {
    let lang = use_lang();
    let create = server_action::<CreateApiToken>();
    let revoke = server_action::<RevokeApiToken>();
    let page = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| api_tokens(),
    );
    let session = use_session();
    view! {
        <Title text=td_string!(lang, admin.title) />
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let regional = session.regional().await;
                match page.await {
                    Ok(page) => tokens_page(page, create, revoke, &regional, lang).into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
        <WebhooksSection />
    }
}

fn tokens_page(
    page: ApiTokenOverview,
    create: ServerAction<CreateApiToken>,
    revoke: ServerAction<RevokeApiToken>,
    regional: &Regional,
    lang: Lang,
) -> impl IntoView {
    let ApiTokenOverview { list, new_token } = page;
    let subtitle = if list.for_tenant {
        format!(
            "{} {}: {}",
            td_string!(lang, admin.subtitle_tenant_before),
            list.owner,
            td_string!(lang, admin.subtitle_tenant_after)
        )
    } else {
        format!(
            "{} {}: {}",
            td_string!(lang, admin.subtitle_account_before),
            list.owner,
            td_string!(lang, admin.subtitle_account_after)
        )
    };
    let scopes = ApiScope::allowed(list.for_tenant);
    let calls = calls_section(list.recent_calls, regional, lang);
    let table = if list.tokens.is_empty() {
        view! { <EmptyState message=td_string!(lang, admin.no_tokens) /> }.into_any()
    } else {
        tokens_table(list.tokens, revoke, regional, lang).into_any()
    };
    view! {
        <PageHeader title=format!("{} {}", td_string!(lang, admin.title_of), list.owner) subtitle=subtitle />
        <section aria-labelledby="api-tokens-heading" class="mb-12">
            <h2 id="api-tokens-heading" class="text-xl font-semibold text-slate-900">{td_string!(lang, admin.tokens_heading)}</h2>
            <p class="mb-6 mt-1 max-w-3xl text-sm text-slate-600">
                {td_string!(lang, admin.tokens_intro_header)}" "
                <code class="rounded bg-slate-100 px-1 font-mono text-xs">"Authorization: Bearer …"</code>
                " "{td_string!(lang, admin.tokens_intro_addresses)}" "
                <code class="rounded bg-slate-100 px-1 font-mono text-xs">"/api/v1"</code>
                ". "{td_string!(lang, admin.tokens_intro_acts)}" "
                <a href="/api/v1/docs" rel="external" class="font-medium text-teal-700 hover:underline">{td_string!(lang, admin.api_reference)}</a>
                "."
            </p>
            {new_token.map(|made| new_token_panel(made, regional, lang))}
            <section aria-labelledby="create-token-heading" class=format!("mb-8 max-w-2xl {CARD}")>
                <h3 id="create-token-heading" class="text-lg font-semibold">{td_string!(lang, admin.create_token_heading)}</h3>
                <p class="mt-1 text-sm text-slate-600">{td_string!(lang, admin.create_token_hint)}</p>
                {create_form(create, scopes, lang)}
            </section>
            <section aria-labelledby="tokens-heading" class="space-y-3">
                <h3 id="tokens-heading" class="text-lg font-semibold">{td_string!(lang, admin.tokens_list_heading)}</h3>
                {action_feedback(revoke, td_string!(lang, admin.token_revoked))}
                {table}
            </section>
            {calls}
        </section>
    }
}

/// The latest calls made with the tokens, reads and changes alike.
fn calls_section(calls: Vec<ApiCallRow>, regional: &Regional, lang: Lang) -> impl IntoView {
    let body = if calls.is_empty() {
        view! { <EmptyState message=td_string!(lang, admin.no_calls) /> }.into_any()
    } else {
        view! {
            <div class="relative overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
                <table class=TABLE data-testid="api-calls">
                    <thead class="bg-slate-50">
                        <tr>
                            <th class=TH scope="col">{td_string!(lang, admin.col_time)}</th>
                            <th class=TH scope="col">{td_string!(lang, admin.col_token)}</th>
                            <th class=TH scope="col">{td_string!(lang, admin.col_request)}</th>
                            <th class=TH scope="col">{td_string!(lang, admin.col_status)}</th>
                            <th class=TH scope="col">{td_string!(lang, admin.col_request_id)}</th>
                        </tr>
                    </thead>
                    <tbody class="divide-y divide-slate-100">
                        {calls.into_iter().map(|call| call_row(call, regional)).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="api-calls-heading" class="mt-8 space-y-3">
            <h3 id="api-calls-heading" class="text-lg font-semibold">{td_string!(lang, admin.recent_calls)}</h3>
            <p class="max-w-3xl text-sm text-slate-600">{td_string!(lang, admin.recent_calls_hint)}</p>
            {body}
        </section>
    }
}

fn call_row(call: ApiCallRow, regional: &Regional) -> impl IntoView {
    let status_class = if call.status >= 400 {
        "rounded-full bg-red-50 px-2 py-0.5 text-xs font-medium tabular-nums text-red-800 ring-1 ring-red-200"
    } else {
        "rounded-full bg-teal-50 px-2 py-0.5 text-xs font-medium tabular-nums text-teal-800 ring-1 ring-teal-200"
    };
    view! {
        <tr data-testid="api-call-row">
            <td class=format!("{TD} whitespace-nowrap")>{regional.time_text(&call.at)}</td>
            <td class=TD>{call.token_name}</td>
            <td class=format!("{TD} min-w-[14rem] break-all font-mono text-xs")>{format!("{} {}", call.method, call.path)}</td>
            <td class=TD><span class=status_class>{call.status}</span></td>
            <td class=format!("{TD} font-mono text-xs text-slate-500")>{call.request_id}</td>
        </tr>
    }
}

/// The token just made, with its secret: shown this once.
fn new_token_panel(made: NewApiToken, regional: &Regional, lang: Lang) -> impl IntoView {
    let NewApiToken { secret, token } = made;
    let scopes = scope_codes(&token.scopes);
    let expires = regional.time_text(&token.expires_at);
    view! {
        <section role="status" class="mb-6 max-w-2xl rounded-lg border border-amber-200 bg-amber-50 p-6" aria-labelledby="new-token-heading" data-testid="new-token">
            <h3 id="new-token-heading" class="text-lg font-semibold text-amber-950">{td!(lang, admin.token_created, name = token.name)}</h3>
            <p class="mt-1 text-sm font-medium text-amber-900">{td_string!(lang, admin.copy_token_now)}</p>
            <label for="new-token-secret" class="mt-4 block text-sm font-medium text-amber-950">{td_string!(lang, admin.secret)}</label>
            <input
                id="new-token-secret"
                readonly
                value=secret
                autocomplete="off"
                spellcheck="false"
                aria-describedby="new-token-hint"
                class=format!("mt-1 font-mono {INPUT}")
                data-testid="new-token-secret"
            />
            <p id="new-token-hint" class="mt-2 text-sm text-amber-900">
                {td!(lang, admin.new_token_hint, scopes = scopes, expires = expires)}
            </p>
        </section>
    }
}

/// The form that makes a token: a name, its scopes, its lifetime.
fn create_form(
    create: ServerAction<CreateApiToken>,
    scopes: Vec<ApiScope>,
    lang: Lang,
) -> impl IntoView {
    view! {
        <ActionForm action=create attr:class="mt-4 space-y-4" attr:data-testid="create-token-form">
            <div>
                <label for="token-name" class=LABEL>{td_string!(lang, admin.name)}</label>
                <input id="token-name" name="input[name]" required maxlength="100" autocomplete="off" aria-describedby="token-name-hint" class=format!("mt-1 {INPUT}") />
                <p id="token-name-hint" class="mt-1 text-xs text-slate-500">{td_string!(lang, admin.token_name_hint)}</p>
                {field_error(create.value(), "name")}
            </div>
            <fieldset>
                <legend class=LABEL>{td_string!(lang, admin.scopes)}</legend>
                <div class="mt-2 space-y-3">
                    {scopes.into_iter().map(|scope| view! {
                        <Checkbox
                            id=format!("scope-{}", scope_field(scope))
                            name=scope_input(scope)
                            checked=scope == ApiScope::Read
                            label=scope.as_str()
                            hint=scope.label_in(locale_of(lang))
                        />
                    }).collect_view()}
                </div>
                {field_error(create.value(), "scopes")}
            </fieldset>
            <div class="max-w-[10rem]">
                <label for="token-days" class=LABEL>{td_string!(lang, admin.expires_in_days)}</label>
                <input
                    id="token-days"
                    name="input[expires_in_days]"
                    type="number"
                    inputmode="numeric"
                    required
                    min="1"
                    max=API_TOKEN_MAX_DAYS.to_string()
                    value=DEFAULT_DAYS.to_string()
                    aria-describedby="token-days-hint"
                    class=format!("mt-1 {INPUT}")
                />
                <p id="token-days-hint" class="mt-1 text-xs text-slate-500">{td!(lang, admin.days_range, max = API_TOKEN_MAX_DAYS)}</p>
                {field_error(create.value(), "expires_in_days")}
            </div>
            <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, admin.create_token)}</button>
            {error_beyond_fields(create.value(), &["name", "scopes", "expires_in_days"])}
        </ActionForm>
    }
}

/// The scope's field of [`simdesk_types::ApiTokenInput`].
fn scope_field(scope: ApiScope) -> &'static str {
    match scope {
        ApiScope::Read => "read",
        ApiScope::OrdersWrite => "orders_write",
        ApiScope::CatalogWrite => "catalog_write",
    }
}

/// The scope's checkbox name in the form.
fn scope_input(scope: ApiScope) -> &'static str {
    match scope {
        ApiScope::Read => "input[read]",
        ApiScope::OrdersWrite => "input[orders_write]",
        ApiScope::CatalogWrite => "input[catalog_write]",
    }
}

fn tokens_table(
    tokens: Vec<ApiTokenView>,
    revoke: ServerAction<RevokeApiToken>,
    regional: &Regional,
    lang: Lang,
) -> impl IntoView {
    view! {
        <div class="relative overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
            <table class=TABLE data-testid="api-tokens-table">
                <thead class="bg-slate-50">
                    <tr>
                        <th class=TH scope="col">{td_string!(lang, admin.name)}</th>
                        <th class=TH scope="col">{td_string!(lang, admin.col_prefix)}</th>
                        <th class=TH scope="col">{td_string!(lang, admin.scopes)}</th>
                        <th class=TH scope="col">{td_string!(lang, admin.col_created)}</th>
                        <th class=TH scope="col">{td_string!(lang, admin.col_expires)}</th>
                        <th class=TH scope="col">{td_string!(lang, admin.col_last_used)}</th>
                        <th class=TH scope="col">{td_string!(lang, admin.col_status)}</th>
                        <th class=TH scope="col"><span class="sr-only">{td_string!(lang, admin.col_actions)}</span></th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {tokens.into_iter().map(|token| token_row(token, revoke, regional, lang)).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn token_row(
    token: ApiTokenView,
    revoke: ServerAction<RevokeApiToken>,
    regional: &Regional,
    lang: Lang,
) -> impl IntoView {
    let status = if token.revoked_at.is_some() {
        view! { <span class="rounded-full bg-red-50 px-2 py-0.5 text-xs font-medium text-red-800 ring-1 ring-red-200">{td_string!(lang, admin.status_revoked)}</span> }.into_any()
    } else if token.active {
        view! { <span class="rounded-full bg-teal-50 px-2 py-0.5 text-xs font-medium text-teal-800 ring-1 ring-teal-200">{td_string!(lang, admin.status_active)}</span> }.into_any()
    } else {
        view! { <span class="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-600 ring-1 ring-slate-300">{td_string!(lang, admin.status_expired)}</span> }.into_any()
    };
    let revoked_on = token.revoked_at.as_deref().map(|at| {
        let at = regional.time_text(at);
        view! { <div class="text-xs text-slate-500">{td!(lang, admin.revoked_since, at = at)}</div> }
    });
    let context = format!(" {}", token.name);
    // Revoking an expired or revoked token would change nothing a program notices.
    let action = token.active.then(|| {
        view! {
            <ConfirmStep
                label=td_string!(lang, admin.revoke)
                context=context.clone()
                warning=format!(
                    "{}{}{}",
                    td_string!(lang, admin.revoke_warning_before),
                    token.name,
                    td_string!(lang, admin.revoke_warning_after)
                )
            >
                <ActionForm action=revoke>
                    <input type="hidden" name="token_id" value=token.id.to_string() />
                    <button type="submit" class=BUTTON_DANGER>{td_string!(lang, admin.revoke_button)}<span class="sr-only">{context.clone()}</span></button>
                </ActionForm>
            </ConfirmStep>
        }
    });
    view! {
        <tr data-testid="api-token-row">
            <td class=format!("{TD} min-w-[10rem]")>
                <div class="font-medium text-slate-900">{token.name.clone()}</div>
            </td>
            <td class=format!("{TD} whitespace-nowrap font-mono text-xs") title=td_string!(lang, admin.prefix_title)>{format!("{}…", token.prefix)}</td>
            <td class=TD>
                <ul class="space-y-0.5 font-mono text-xs">
                    {token.scopes.iter().map(|scope| view! { <li title=scope.label_in(locale_of(lang))>{scope.as_str()}</li> }).collect_view()}
                </ul>
            </td>
            <td class=TD>
                <div class="break-words">{token.created_by.clone()}</div>
                <div class="whitespace-nowrap text-xs text-slate-500">{regional.time_text(&token.created_at)}</div>
            </td>
            <td class=format!("{TD} whitespace-nowrap")>{regional.time_text(&token.expires_at)}</td>
            <td class=format!("{TD} whitespace-nowrap")>{token.last_used_at.as_deref().map_or_else(|| td_string!(lang, admin.never).to_owned(), |at| regional.time_text(at))}</td>
            <td class=TD>{status}{revoked_on}</td>
            <td class=format!("{TD} min-w-[13rem]")>{action}</td>
        </tr>
    }
    .into_any()
}

fn scope_codes(scopes: &[ApiScope]) -> String {
    scopes
        .iter()
        .map(|scope| scope.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The webhooks of the tenant or account: what they are, the form that makes one, and each
/// with its events, a test event, removal and its latest deliveries.
#[component]
fn WebhooksSection() -> impl IntoView {
    let lang = use_lang();
    let create = server_action::<CreateWebhook>();
    let remove = server_action::<RemoveWebhook>();
    let test = server_action::<TestWebhook>();
    let hooks = Resource::new(
        move || {
            (
                create.version().get(),
                remove.version().get(),
                test.version().get(),
            )
        },
        |_| webhooks(),
    );
    let session = use_session();
    let loading =
        move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> };
    view! {
        <section id="webhooks" aria-labelledby="webhooks-heading">
            <h2 id="webhooks-heading" class="text-xl font-semibold text-slate-900">{td_string!(lang, admin.webhooks_heading)}</h2>
            <div class="mb-6 mt-1 max-w-3xl space-y-2 text-sm text-slate-600">
                <p>
                    {td_string!(lang, admin.webhooks_intro_post)}" "
                    <code class="rounded bg-slate-100 px-1 font-mono text-xs">"{\"type\": …, \"timestamp\": …, \"data\": {…}}"</code>
                    ". "{td_string!(lang, admin.webhooks_intro_signed)}" "
                    <a href="https://www.standardwebhooks.com/" rel="external noreferrer" class="font-medium text-teal-700 hover:underline">"Standard Webhooks"</a>
                    ": "{td_string!(lang, admin.webhooks_intro_headers)}" "
                    <code class="rounded bg-slate-100 px-1 font-mono text-xs">"webhook-id"</code>", "
                    <code class="rounded bg-slate-100 px-1 font-mono text-xs">"webhook-timestamp"</code>" "{td_string!(lang, admin.webhooks_intro_and)}" "
                    <code class="rounded bg-slate-100 px-1 font-mono text-xs">"webhook-signature"</code>
                    " "{td_string!(lang, admin.webhooks_intro_carry)}
                </p>
                <p>
                    {td_string!(lang, admin.webhooks_answer)}
                </p>
            </div>
            <Transition fallback=loading>
                {move || Suspend::new(async move {
                    match hooks.await {
                        Ok(WebhookOverview { list, new_webhook }) => {
                            let new_webhook = new_webhook
                                .filter(|made| list.webhooks.iter().any(|w| w.id == made.webhook.id));
                            view! {
                            {new_webhook.map(|made| new_webhook_panel(made, lang))}
                            <section aria-labelledby="create-webhook-heading" class=format!("mb-8 max-w-2xl {CARD}")>
                                <h3 id="create-webhook-heading" class="text-lg font-semibold">{td_string!(lang, admin.create_webhook_heading)}</h3>
                                <p class="mt-1 text-sm text-slate-600">{td_string!(lang, admin.create_webhook_hint)}</p>
                                {webhook_form(create, WebhookEvent::subscribable(list.for_tenant), lang)}
                            </section>
                            }
                            .into_any()
                        }
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
            <section aria-labelledby="webhook-list-heading" class="space-y-3">
                <div class="flex flex-wrap items-center justify-between gap-3">
                    <h3 id="webhook-list-heading" class="text-lg font-semibold">{td_string!(lang, admin.your_webhooks)}</h3>
                    // A plain form: the page is loaded again.
                    <form method="get" action="/api-tokens" class="flex items-center gap-3">
                        <button type="submit" class=BUTTON_SECONDARY>{td_string!(lang, admin.refresh_deliveries)}</button>
                    </form>
                </div>
                {action_feedback(test, td_string!(lang, admin.test_queued))}
                {action_feedback(remove, td_string!(lang, admin.webhook_removed))}
                <Transition fallback=loading>
                    {move || Suspend::new(async move {
                        let regional = session.regional().await;
                        match hooks.await {
                            Ok(overview) if overview.list.webhooks.is_empty() => view! {
                                <EmptyState message=td_string!(lang, admin.no_webhooks) />
                            }
                            .into_any(),
                            Ok(overview) => view! {
                                <div class="space-y-4">
                                    {overview
                                        .list
                                        .webhooks
                                        .into_iter()
                                        .map(|webhook| webhook_card(webhook, test, remove, &regional, lang))
                                        .collect_view()}
                                </div>
                            }
                            .into_any(),
                            Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </section>
    }
}

/// The webhook just made, with its signing secret: shown this once.
fn new_webhook_panel(made: NewWebhook, lang: Lang) -> impl IntoView {
    let NewWebhook { secret, webhook } = made;
    let events = webhook
        .events
        .iter()
        .map(|event| event.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <section role="status" class="mb-6 max-w-2xl rounded-lg border border-amber-200 bg-amber-50 p-6" aria-labelledby="new-webhook-heading" data-testid="new-webhook">
            <h3 id="new-webhook-heading" class="text-lg font-semibold text-amber-950">{td_string!(lang, admin.webhook_created)}</h3>
            <p class="mt-1 break-all font-mono text-sm text-amber-950">{webhook.url}</p>
            <p class="mt-1 text-sm font-medium text-amber-900">{td_string!(lang, admin.copy_signing_secret)}</p>
            <label for="new-webhook-secret" class="mt-4 block text-sm font-medium text-amber-950">{td_string!(lang, admin.signing_secret)}</label>
            <input
                id="new-webhook-secret"
                readonly
                value=secret
                autocomplete="off"
                spellcheck="false"
                aria-describedby="new-webhook-hint"
                class=format!("mt-1 font-mono {INPUT}")
                data-testid="new-webhook-secret"
            />
            <p id="new-webhook-hint" class="mt-2 text-sm text-amber-900">
                {td!(lang, admin.new_webhook_hint, events = events)}
            </p>
        </section>
    }
}

/// The form that makes a webhook: its address, what it is for, its events.
fn webhook_form(
    create: ServerAction<CreateWebhook>,
    events: Vec<WebhookEvent>,
    lang: Lang,
) -> impl IntoView {
    view! {
        <ActionForm action=create attr:class="mt-4 space-y-4" attr:data-testid="create-webhook-form">
            <div>
                <label for="webhook-url" class=LABEL>{td_string!(lang, admin.url)}</label>
                <input id="webhook-url" name="input[url]" type="url" required maxlength="2000" autocomplete="off" spellcheck="false" aria-describedby="webhook-url-hint" class=format!("mt-1 font-mono {INPUT}") />
                <p id="webhook-url-hint" class="mt-1 text-xs text-slate-500">{td_string!(lang, admin.webhook_url_hint)}</p>
                {field_error(create.value(), "url")}
            </div>
            <div>
                <label for="webhook-description" class=LABEL>{td_string!(lang, admin.description_optional)}</label>
                <input id="webhook-description" name="input[description]" maxlength="200" autocomplete="off" aria-describedby="webhook-description-hint" class=format!("mt-1 {INPUT}") />
                <p id="webhook-description-hint" class="mt-1 text-xs text-slate-500">{td_string!(lang, admin.webhook_description_hint)}</p>
                {field_error(create.value(), "description")}
            </div>
            <fieldset>
                <legend class=LABEL>{td_string!(lang, admin.events)}</legend>
                <div class="mt-2 space-y-3">
                    {events.into_iter().filter_map(|event| event_input(event).map(|(field, name)| view! {
                        <Checkbox
                            id=format!("webhook-event-{field}")
                            name=name
                            checked=event == WebhookEvent::OrderStatusChanged
                            label=event.as_str()
                            hint=event.label_in(locale_of(lang))
                        />
                    })).collect_view()}
                </div>
                {field_error(create.value(), "events")}
            </fieldset>
            <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, admin.create_webhook)}</button>
            {error_beyond_fields(create.value(), &["url", "description", "events"])}
        </ActionForm>
    }
}

/// The event's field of [`simdesk_types::WebhookInput`] and its checkbox name in the form;
/// none for the test event, which is not subscribed to.
fn event_input(event: WebhookEvent) -> Option<(&'static str, &'static str)> {
    match event {
        WebhookEvent::OrderStatusChanged => {
            Some(("order_status_changed", "input[order_status_changed]"))
        }
        WebhookEvent::OrderSimsReady => Some(("order_sims_ready", "input[order_sims_ready]")),
        WebhookEvent::OrderShipped => Some(("order_shipped", "input[order_shipped]")),
        WebhookEvent::AlarmRaised => Some(("alarm_raised", "input[alarm_raised]")),
        WebhookEvent::Test => None,
    }
}

/// One webhook: where it posts, its events, a test event, removal, and its latest deliveries.
fn webhook_card(
    webhook: WebhookView,
    test: ServerAction<TestWebhook>,
    remove: ServerAction<RemoveWebhook>,
    regional: &Regional,
    lang: Lang,
) -> impl IntoView {
    let heading = format!("webhook-{}-heading", webhook.id);
    let labelled_by = heading.clone();
    let context = format!(" {} {}", td_string!(lang, admin.to), webhook.url);
    let remove_context = format!(" {}", webhook.url);
    let created_by = webhook.created_by.clone();
    let created_at = regional.time_text(&webhook.created_at);
    let description = (!webhook.description.is_empty()).then(|| {
        view! { <p class="mt-1 text-sm text-slate-700">{webhook.description.clone()}</p> }
    });
    let deliveries = if webhook.deliveries.is_empty() {
        view! { <p class="mt-4 text-sm text-slate-500">{td_string!(lang, admin.no_deliveries)}</p> }
            .into_any()
    } else {
        deliveries_table(&webhook.url, webhook.deliveries, regional, lang).into_any()
    };
    view! {
        <article aria-labelledby=labelled_by class=CARD data-testid="webhook">
            <div class="flex flex-wrap items-start justify-between gap-4">
                <div class="min-w-[16rem] flex-1 basis-72">
                    <h4 id=heading class="break-all font-mono text-sm font-semibold text-slate-900">{webhook.url.clone()}</h4>
                    {description}
                    <p class="mt-1 text-xs text-slate-500">{td!(lang, admin.created_by_on, by = created_by, at = created_at)}</p>
                    <ul aria-label=td_string!(lang, admin.events) class="mt-2 flex flex-wrap gap-2" data-testid="webhook-events">
                        {webhook.events.iter().map(|event| view! {
                            <li class="rounded-full bg-slate-100 px-2 py-0.5 font-mono text-xs text-slate-700 ring-1 ring-slate-200" title=event.label_in(locale_of(lang))>{event.as_str()}</li>
                        }).collect_view()}
                    </ul>
                </div>
                <div class="flex max-w-sm flex-wrap items-start gap-2">
                    <ActionForm action=test>
                        <input type="hidden" name="webhook_id" value=webhook.id.to_string() />
                        <button type="submit" class=BUTTON_SECONDARY>{td_string!(lang, admin.send_test_event)}<span class="sr-only">{context}</span></button>
                    </ActionForm>
                    <ConfirmStep
                        label=td_string!(lang, admin.remove)
                        context=remove_context.clone()
                        warning=format!(
                            "{} {}{}",
                            td_string!(lang, admin.remove_warning_before),
                            webhook.url,
                            td_string!(lang, admin.remove_warning_after)
                        )
                    >
                        <ActionForm action=remove>
                            <input type="hidden" name="webhook_id" value=webhook.id.to_string() />
                            <button type="submit" class=BUTTON_DANGER>{td_string!(lang, admin.remove_button)}<span class="sr-only">{remove_context.clone()}</span></button>
                        </ActionForm>
                    </ConfirmStep>
                </div>
            </div>
            {deliveries}
        </article>
    }
    .into_any()
}

fn deliveries_table(
    url: &str,
    deliveries: Vec<WebhookDeliveryView>,
    regional: &Regional,
    lang: Lang,
) -> impl IntoView {
    let context = format!(" {} {url}", td_string!(lang, admin.to));
    view! {
        <div class="relative mt-4 overflow-x-auto rounded-md ring-1 ring-slate-200">
            <table class=TABLE data-testid="webhook-deliveries">
                <caption class="bg-slate-50 px-3 py-2 text-left text-sm font-medium text-slate-700">{td_string!(lang, admin.recent_deliveries)}<span class="sr-only">{context}</span></caption>
                <thead class="bg-slate-50">
                    <tr>
                        <th class=TH scope="col">{td_string!(lang, admin.col_event)}</th>
                        <th class=TH scope="col">{td_string!(lang, admin.col_status)}</th>
                        <th class=TH scope="col">{td_string!(lang, admin.col_attempts)}</th>
                        <th class=TH scope="col">{td_string!(lang, admin.col_http_status)}</th>
                        <th class=TH scope="col">{td_string!(lang, admin.col_error)}</th>
                        <th class=TH scope="col">{td_string!(lang, admin.col_time)}</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {deliveries.into_iter().map(|delivery| delivery_row(delivery, regional, lang)).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn delivery_row(delivery: WebhookDeliveryView, regional: &Regional, lang: Lang) -> impl IntoView {
    let status = match delivery.status.as_str() {
        "sent" => view! { <span class="rounded-full bg-teal-50 px-2 py-0.5 text-xs font-medium text-teal-800 ring-1 ring-teal-200">{td_string!(lang, admin.delivery_sent)}</span> }.into_any(),
        "failed" => view! { <span class="rounded-full bg-red-50 px-2 py-0.5 text-xs font-medium text-red-800 ring-1 ring-red-200">{td_string!(lang, admin.delivery_failed)}</span> }.into_any(),
        "pending" => view! { <span class="rounded-full bg-amber-50 px-2 py-0.5 text-xs font-medium text-amber-900 ring-1 ring-amber-200">{td_string!(lang, admin.delivery_pending)}</span> }.into_any(),
        other => view! { <span class="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700 ring-1 ring-slate-300">{other.to_owned()}</span> }.into_any(),
    };
    view! {
        <tr data-testid="webhook-delivery-row">
            <td class=TD>
                <div class="font-mono text-xs text-slate-900">{delivery.event}</div>
                <div class="font-mono text-xs text-slate-500" title=td_string!(lang, admin.message_id_title)>{delivery.message_id}</div>
            </td>
            <td class=TD>{status}</td>
            <td class=format!("{TD} tabular-nums")>{delivery.attempts}</td>
            <td class=format!("{TD} tabular-nums")>{delivery.last_http_status.map(|s| s.to_string()).unwrap_or_else(|| "–".to_owned())}</td>
            <td class=format!("{TD} min-w-[12rem] break-words")>{delivery.last_error}</td>
            <td class=format!("{TD} whitespace-nowrap")>{regional.time_text(&delivery.created_at)}</td>
        </tr>
    }
}
