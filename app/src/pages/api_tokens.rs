//! `/api-tokens`: the REST API's tokens of a tenant (its admins) or of an account (its admins):
//! making one, its secret shown once, and revoking it.

use leptos::prelude::*;
use leptos_meta::Title;
use simdesk_types::{ApiScope, ApiTokenView, NewApiToken, API_TOKEN_MAX_DAYS};

use crate::api::api_tokens::{api_tokens, ApiTokenOverview, CreateApiToken, RevokeApiToken};
use crate::components::{
    action_feedback, error_beyond_fields, field_error, format_time, Checkbox, ConfirmStep,
    EmptyState, ErrorPanel, PageHeader, BUTTON_DANGER, BUTTON_PRIMARY, CARD, INPUT, LABEL, TABLE,
    TD, TH,
};

/// The days a new token lives unless the admin chooses otherwise.
const DEFAULT_DAYS: u32 = 90;

#[component]
pub fn ApiTokensPage() -> impl IntoView {
    let create = ServerAction::<CreateApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let page = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| api_tokens(),
    );
    // With JavaScript the page is not loaded again after a token is made: the form is emptied
    // here, so a second click does not make a second token.
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if matches!(create.value().get(), Some(Ok(_))) {
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
        }
    });
    view! {
        <Title text="API tokens" />
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => tokens_page(page, create, revoke, form).into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn tokens_page(
    page: ApiTokenOverview,
    create: ServerAction<CreateApiToken>,
    revoke: ServerAction<RevokeApiToken>,
    form: NodeRef<leptos::html::Form>,
) -> impl IntoView {
    let ApiTokenOverview { list, new_token } = page;
    let subtitle = if list.for_tenant {
        format!("Tokens of the service provider {}: programs call the REST API with them for the whole tenant.", list.owner)
    } else {
        format!(
            "Tokens of the account {}: programs call the REST API with them for the account.",
            list.owner
        )
    };
    let scopes = ApiScope::allowed(list.for_tenant);
    let table = if list.tokens.is_empty() {
        view! { <EmptyState message="No tokens yet. Create the first one with the form above." /> }
            .into_any()
    } else {
        tokens_table(list.tokens, revoke).into_any()
    };
    view! {
        <PageHeader title=format!("API tokens of {}", list.owner) subtitle=subtitle />
        <p class="-mt-3 mb-6 max-w-3xl text-sm text-slate-600">
            "A program sends its token in the header "
            <code class="rounded bg-slate-100 px-1 font-mono text-xs">"Authorization: Bearer …"</code>
            " to the addresses under "
            <code class="rounded bg-slate-100 px-1 font-mono text-xs">"/api/v1"</code>
            ". The token acts as the admin who made it, with that admin's role at each call, narrowed to its scopes. "
            <a href="/api/v1/docs" rel="external" class="font-medium text-teal-700 hover:underline">"Read the API reference"</a>
            "."
        </p>
        {new_token.map(new_token_panel)}
        <section aria-labelledby="create-token-heading" class=format!("mb-8 max-w-2xl {CARD}")>
            <h2 id="create-token-heading" class="text-lg font-semibold">"Create a token"</h2>
            <p class="mt-1 text-sm text-slate-600">"Its secret is shown once, right after you create it."</p>
            {create_form(create, scopes, form)}
        </section>
        <section aria-labelledby="tokens-heading" class="space-y-3">
            <h2 id="tokens-heading" class="text-lg font-semibold">"Tokens"</h2>
            {action_feedback(revoke.value(), "Token revoked: calls with it are refused from now on.")}
            {table}
        </section>
    }
}

/// The token just made, with its secret: shown this once.
fn new_token_panel(made: NewApiToken) -> impl IntoView {
    let NewApiToken { secret, token } = made;
    let scopes = scope_codes(&token.scopes);
    view! {
        <section role="status" class="mb-6 max-w-2xl rounded-lg border border-amber-200 bg-amber-50 p-6" aria-labelledby="new-token-heading" data-testid="new-token">
            <h2 id="new-token-heading" class="text-lg font-semibold text-amber-950">{format!("Token “{}” created", token.name)}</h2>
            <p class="mt-1 text-sm font-medium text-amber-900">"Copy it now: it is not shown again."</p>
            <label for="new-token-secret" class="mt-4 block text-sm font-medium text-amber-950">"Secret"</label>
            <input
                id="new-token-secret"
                readonly
                value=secret
                autocomplete="off"
                spellcheck="false"
                aria-describedby="new-token-hint"
                class=format!("mt-1 font-mono {INPUT}")
                data-testid="new-token-secret"
                on:focus=|ev| { event_target::<leptos::web_sys::HtmlInputElement>(&ev).select(); }
            />
            <p id="new-token-hint" class="mt-2 text-sm text-amber-900">
                {format!("Scopes: {scopes}. Expires {}. Keep it in your program's secret store; anyone who has it can act as you within these scopes.", when(&token.expires_at))}
            </p>
        </section>
    }
}

/// The form that makes a token: a name, its scopes, its lifetime.
fn create_form(
    create: ServerAction<CreateApiToken>,
    scopes: Vec<ApiScope>,
    form: NodeRef<leptos::html::Form>,
) -> impl IntoView {
    view! {
        <ActionForm action=create node_ref=form attr:class="mt-4 space-y-4" attr:data-testid="create-token-form">
            <div>
                <label for="token-name" class=LABEL>"Name"</label>
                <input id="token-name" name="input[name]" required maxlength="100" autocomplete="off" aria-describedby="token-name-hint" class=format!("mt-1 {INPUT}") />
                <p id="token-name-hint" class="mt-1 text-xs text-slate-500">"What it is for, such as “ERP order sync”."</p>
                {field_error(create.value(), "name")}
            </div>
            <fieldset>
                <legend class=LABEL>"Scopes"</legend>
                <div class="mt-2 space-y-3">
                    {scopes.into_iter().map(|scope| view! {
                        <Checkbox
                            id=format!("scope-{}", scope_field(scope))
                            name=scope_input(scope)
                            checked=scope == ApiScope::Read
                            label=scope.as_str()
                            hint=scope.label()
                        />
                    }).collect_view()}
                </div>
                {field_error(create.value(), "scopes")}
            </fieldset>
            <div class="max-w-[10rem]">
                <label for="token-days" class=LABEL>"Expires in days"</label>
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
                <p id="token-days-hint" class="mt-1 text-xs text-slate-500">{format!("From 1 to {API_TOKEN_MAX_DAYS}.")}</p>
                {field_error(create.value(), "expires_in_days")}
            </div>
            <button type="submit" class=BUTTON_PRIMARY>"Create token"</button>
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

fn tokens_table(tokens: Vec<ApiTokenView>, revoke: ServerAction<RevokeApiToken>) -> impl IntoView {
    view! {
        <div class="relative overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
            <table class=TABLE data-testid="api-tokens-table">
                <thead class="bg-slate-50">
                    <tr>
                        <th class=TH scope="col">"Name"</th>
                        <th class=TH scope="col">"Prefix"</th>
                        <th class=TH scope="col">"Scopes"</th>
                        <th class=TH scope="col">"Created"</th>
                        <th class=TH scope="col">"Expires"</th>
                        <th class=TH scope="col">"Last used"</th>
                        <th class=TH scope="col">"Status"</th>
                        <th class=TH scope="col"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {tokens.into_iter().map(|token| token_row(token, revoke)).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn token_row(token: ApiTokenView, revoke: ServerAction<RevokeApiToken>) -> impl IntoView {
    let status = if token.revoked_at.is_some() {
        view! { <span class="rounded-full bg-red-50 px-2 py-0.5 text-xs font-medium text-red-800 ring-1 ring-red-200">"Revoked"</span> }.into_any()
    } else if token.active {
        view! { <span class="rounded-full bg-teal-50 px-2 py-0.5 text-xs font-medium text-teal-800 ring-1 ring-teal-200">"Active"</span> }.into_any()
    } else {
        view! { <span class="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-600 ring-1 ring-slate-300">"Expired"</span> }.into_any()
    };
    let revoked_on = token.revoked_at.as_deref().map(
        |at| view! { <div class="text-xs text-slate-500">{format!("since {}", when(at))}</div> },
    );
    let context = format!(" {}", token.name);
    // Revoking an expired or revoked token would change nothing a program notices.
    let action = token.active.then(|| {
        view! {
            <ConfirmStep
                label="Revoke…"
                context=context.clone()
                warning=format!("Programs using “{}” are refused from the next call on. This cannot be undone.", token.name)
            >
                <ActionForm action=revoke>
                    <input type="hidden" name="token_id" value=token.id.to_string() />
                    <button type="submit" class=BUTTON_DANGER>"Revoke the token"<span class="sr-only">{context.clone()}</span></button>
                </ActionForm>
            </ConfirmStep>
        }
    });
    view! {
        <tr data-testid="api-token-row">
            <td class=format!("{TD} min-w-[10rem]")>
                <div class="font-medium text-slate-900">{token.name.clone()}</div>
            </td>
            <td class=format!("{TD} whitespace-nowrap font-mono text-xs") title="The secret's first characters">{format!("{}…", token.prefix)}</td>
            <td class=TD>
                <ul class="space-y-0.5 font-mono text-xs">
                    {token.scopes.iter().map(|scope| view! { <li title=scope.label()>{scope.as_str()}</li> }).collect_view()}
                </ul>
            </td>
            <td class=TD>
                <div class="break-words">{token.created_by.clone()}</div>
                <div class="whitespace-nowrap text-xs text-slate-500">{when(&token.created_at)}</div>
            </td>
            <td class=format!("{TD} whitespace-nowrap")>{when(&token.expires_at)}</td>
            <td class=format!("{TD} whitespace-nowrap")>{token.last_used_at.as_deref().map(when).unwrap_or_else(|| "never".to_owned())}</td>
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

/// An RFC 3339 time as the other pages show times.
fn when(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|at| format_time(&at.with_timezone(&chrono::Utc)))
        .unwrap_or_else(|_| at.to_owned())
}
