//! PunchOut pages: the shopping page shown inside the procurement system's frame (the
//! account's contract catalog branded for the provider, quantities, the way back with the
//! cart), and the tenant admin's credentials page of an account.

use crate::components::server_action;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::punchout::{
    punchout_cart, punchout_settings, DeletePunchoutCredential, SavePunchoutCredential,
};
use crate::components::{
    action_feedback, brand_accent, sim_setting_fields, Checkbox, ConfirmStep, EmptyState,
    ErrorPanel, PageHeader, BUTTON_DANGER, BUTTON_PRIMARY, BUTTON_SECONDARY, CARD, INPUT, LABEL,
    TABLE, TD, TH,
};
use crate::i18n::{td, td_string};
use crate::language::{locale_of, use_lang, Lang};
use simdesk_types::{
    CartEncoding, DeploymentMode, PunchoutCart, PunchoutCredentialView, PunchoutOperation,
};

#[component]
pub fn PunchoutPage() -> impl IntoView {
    let cart = Resource::new(|| (), |_| punchout_cart());
    let error = move || {
        use_query_map()
            .with(|q| q.get("error"))
            .filter(|e| !e.is_empty())
    };
    let lang = use_lang();
    view! {
        <Title text=td_string!(lang, catalog.catalog_title) />
        <Suspense fallback=move || view! { <p class="p-6 text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match cart.await {
                    Ok(cart) => view! { <PunchoutShop cart error=error() /> }.into_any(),
                    Err(error) => view! {
                        <main class="mx-auto max-w-3xl p-6"><ErrorPanel error /></main>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PunchoutShop(cart: PunchoutCart, error: Option<String>) -> impl IntoView {
    let lang = use_lang();
    let read_only = cart.operation == PunchoutOperation::Inspect;
    let brand = brand_accent(cart.brand_color.clone());
    let quantity_of = {
        let quantities = cart.quantities.clone();
        move |product_id: i64| {
            quantities
                .iter()
                .find(|(id, _)| *id == product_id)
                .map(|(_, q)| q.to_string())
                .unwrap_or_default()
        }
    };
    let entries = cart.entries.clone();
    view! {
        <header class="px-6 py-4 text-white" style=format!("background-color: {brand}")>
            <p class="text-sm opacity-90">{cart.tenant_name.clone()}</p>
            <h1 class="text-lg font-semibold">{td!(lang, catalog.punchout_heading, account = cart.account_name.clone())}</h1>
        </header>
        <main class="mx-auto max-w-5xl p-6" id="main">
            {error.map(|message| view! {
                <div role="alert" class="mb-4 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
                    {message}
                </div>
            })}
            {if cart.closed {
                view! {
                    <p role="status" class=CARD>
                        {td_string!(lang, catalog.cart_closed)}
                    </p>
                }.into_any()
            } else {
                view! {
                    <form method="post" action="/punchout/transfer" class=CARD>
                        <p class="mb-4 text-sm text-slate-600">
                            {match cart.operation {
                                PunchoutOperation::Inspect => td_string!(lang, catalog.operation_inspect),
                                PunchoutOperation::Edit => td_string!(lang, catalog.operation_edit),
                                PunchoutOperation::Create => td_string!(lang, catalog.operation_create),
                            }}
                        </p>
                        <table class=TABLE data-testid="punchout-catalog">
                            <thead>
                                <tr>
                                    <th scope="col" class=TH>{td_string!(lang, catalog.product)}</th>
                                    <th scope="col" class=TH>{td_string!(lang, catalog.price)}</th>
                                    <th scope="col" class=TH>{td_string!(lang, catalog.quantity)}</th>
                                </tr>
                            </thead>
                            <tbody class="divide-y divide-slate-100">
                                {entries.into_iter().map(|e| {
                                    let field = format!("quantity_{}", e.product_id);
                                    let unit = e.unit_of_measure.clone();
                                    view! {
                                        <tr>
                                            <td class=TD>
                                                <p class="font-medium text-slate-900">{e.name.clone()}</p>
                                                <p class="font-mono text-xs text-slate-500">{e.part_number.clone()}</p>
                                                <p class="text-xs text-slate-500">{e.features.clone()}</p>
                                            </td>
                                            <td class=TD>
                                                <p>{e.price.display.clone()}</p>
                                                <p class="text-xs text-slate-500">{td!(lang, catalog.quantity_rule, unit = unit, min = e.min_order_quantity, max = e.max_order_quantity, step = e.order_increment)}</p>
                                            </td>
                                            <td class=TD>
                                                <input
                                                    type="number"
                                                    inputmode="numeric"
                                                    min="0"
                                                    step=e.order_increment.max(1).to_string()
                                                    max=e.max_order_quantity.to_string()
                                                    name=field.clone()
                                                    id=field
                                                    class=INPUT
                                                    aria-label=format!("{} {}", td_string!(lang, catalog.quantity_of), e.name)
                                                    value=quantity_of(e.product_id)
                                                    readonly=read_only
                                                />
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        <section class="mt-6 border-t border-slate-100 pt-4" aria-labelledby="punchout-sim-settings">
                            <h2 id="punchout-sim-settings" class="text-base font-semibold">{td_string!(lang, catalog.sim_settings)}</h2>
                            <p class="mt-1 text-sm text-slate-600">
                                {if cart.sim_settings.overrides_allowed && !read_only {
                                    td_string!(lang, catalog.sim_settings_overridable)
                                } else {
                                    td_string!(lang, catalog.sim_settings_fixed)
                                }}
                            </p>
                            {sim_setting_fields(
                                &cart.sim_settings,
                                &cart.overrides,
                                read_only,
                                |kind| format!("override_{}", kind.as_str()),
                                |_| ().into_any(),
                            )}
                        </section>
                        <div class="mt-6 flex flex-wrap gap-3">
                            <button type="submit" class=BUTTON_PRIMARY>
                                {if read_only { td_string!(lang, catalog.return_to_procurement) } else { td_string!(lang, catalog.transfer_cart) }}
                            </button>
                            <button type="submit" formaction="/punchout/cancel" formnovalidate=true class=BUTTON_SECONDARY>
                                {td_string!(lang, catalog.cancel_and_return)}
                            </button>
                        </div>
                    </form>
                }.into_any()
            }}
        </main>
    }
}

/// A credential's form: empty for a new one, filled for a change.
fn credential_form(
    lang: Lang,
    save: ServerAction<SavePunchoutCredential>,
    account_id: i64,
    credential: Option<PunchoutCredentialView>,
) -> impl IntoView {
    let prefix = credential
        .as_ref()
        .map(|c| format!("credential-{}", c.id))
        .unwrap_or_else(|| "credential-new".to_owned());
    let id_of = move |field: &str| format!("{prefix}-{field}");
    let mode = credential
        .as_ref()
        .map(|c| c.deployment_mode)
        .unwrap_or(DeploymentMode::Production);
    let encoding = credential
        .as_ref()
        .map(|c| c.cart_encoding)
        .unwrap_or(CartEncoding::UrlEncoded);
    let enabled = credential.as_ref().is_none_or(|c| c.enabled);
    let is_new = credential.is_none();
    let value = |pick: fn(&PunchoutCredentialView) -> String| {
        credential.as_ref().map(pick).unwrap_or_default()
    };
    let domain = credential
        .as_ref()
        .map(|c| c.domain.clone())
        .unwrap_or_else(|| "NetworkID".to_owned());
    let identity = value(|c| c.identity.clone());
    let frame_ancestors = value(|c| c.frame_ancestors.join("\n"));
    let order_response_url = value(|c| c.order_response_url.clone());
    let hidden = credential.as_ref().map(|c| {
        view! {
            <input type="hidden" name="id" value=c.id.to_string() />
            <input type="hidden" name="version" value=c.version.to_string() />
        }
    });
    let label =
        |text: &'static str, for_id: String| view! { <label for=for_id class=LABEL>{text}</label> };
    view! {
        <ActionForm action=save attr:class="grid gap-4 sm:grid-cols-2">
            {hidden}
            <input type="hidden" name="input[account_id]" value=account_id.to_string() />
            <div>
                {label(td_string!(lang, catalog.credential_domain), id_of("domain"))}
                <input id=id_of("domain") name="input[domain]" required=true value=domain class=format!("mt-1 {INPUT}") />
                <p class="mt-1 text-xs text-slate-500">{td_string!(lang, catalog.credential_domain_hint)}</p>
            </div>
            <div>
                {label(td_string!(lang, catalog.buyer_identity), id_of("identity"))}
                <input id=id_of("identity") name="input[identity]" required=true value=identity class=format!("mt-1 {INPUT}") />
            </div>
            <div>
                {label(td_string!(lang, catalog.environment), id_of("mode"))}
                <select id=id_of("mode") name="input[deployment_mode]" class=format!("mt-1 {INPUT}")>
                    {DeploymentMode::ALL.iter().map(|m| view! {
                        <option value=m.as_str() selected=*m == mode>{m.label_in(locale_of(lang))}</option>
                    }).collect_view()}
                </select>
            </div>
            <div>
                {label(td_string!(lang, catalog.shared_secret), id_of("secret"))}
                <input id=id_of("secret") name="input[shared_secret]" type="password" autocomplete="off" class=format!("mt-1 {INPUT}") />
                <p class="mt-1 text-xs text-slate-500">
                    {if is_new { td_string!(lang, catalog.shared_secret_new_hint) } else { td_string!(lang, catalog.shared_secret_kept_hint) }}
                </p>
            </div>
            <div>
                {label(td_string!(lang, catalog.cart_returned_as), id_of("encoding"))}
                <select id=id_of("encoding") name="input[cart_encoding]" class=format!("mt-1 {INPUT}")>
                    {CartEncoding::ALL.iter().map(|e| view! {
                        <option value=e.as_str() selected=*e == encoding>{e.label_in(locale_of(lang))}</option>
                    }).collect_view()}
                </select>
            </div>
            <div>
                {label(td_string!(lang, catalog.order_confirmations_to), id_of("response-url"))}
                <input id=id_of("response-url") name="input[order_response_url]" type="url" value=order_response_url class=format!("mt-1 {INPUT}") />
                <p class="mt-1 text-xs text-slate-500">{td_string!(lang, catalog.order_confirmations_hint)}</p>
            </div>
            <div class="sm:col-span-2">
                {label(td_string!(lang, catalog.frame_origins), id_of("frames"))}
                <textarea id=id_of("frames") name="input[frame_ancestors]" rows="2" class=format!("mt-1 font-mono {INPUT}")>{frame_ancestors}</textarea>
                <p class="mt-1 text-xs text-slate-500">{td_string!(lang, catalog.frame_origins_hint)}</p>
            </div>
            <div class="sm:col-span-2">
                <Checkbox id=id_of("enabled") name="input[enabled]" checked=enabled label=td_string!(lang, catalog.enabled) />
            </div>
            <div class="sm:col-span-2">
                <button type="submit" class=BUTTON_PRIMARY>{if is_new { td_string!(lang, catalog.add_credential) } else { td_string!(lang, catalog.save_credential) }}</button>
            </div>
        </ActionForm>
    }
}

/// `/accounts/:id/punchout`: the procurement systems that shop and order for an account.
#[component]
pub fn PunchoutSettingsPage() -> impl IntoView {
    let params = use_params_map();
    let account_id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or_default()
    };
    let save = server_action::<SavePunchoutCredential>();
    let delete = server_action::<DeletePunchoutCredential>();
    let settings = Resource::new(
        move || (account_id(), save.version().get(), delete.version().get()),
        |(account_id, _, _)| punchout_settings(account_id),
    );
    let lang = use_lang();
    view! {
        <Title text="PunchOut" />
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(s) => {
                        let account_id = s.account_id;
                        view! {
                            <PageHeader title="PunchOut".to_owned() subtitle=format!("{}: {}", s.account_name, td_string!(lang, catalog.punchout_subtitle)) />
                            <p class="-mt-3 mb-6"><a href=format!("/accounts/{account_id}") class=BUTTON_SECONDARY>{td_string!(lang, catalog.back_to_account)}</a></p>
                            <div class="mb-6 space-y-2">
                                {action_feedback(save, td_string!(lang, catalog.credential_saved))}
                                {action_feedback(delete, td_string!(lang, catalog.credential_removed))}
                                {s.generated_secret.clone().map(|(identity, secret)| view! {
                                    <div role="status" class="rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
                                        {td!(lang, catalog.generated_secret, identity = identity.clone())}
                                        <code class="break-all font-mono" data-testid="punchout-generated-secret">{secret}</code>
                                    </div>
                                })}
                            </div>
                            <section class=format!("mb-6 {CARD}") aria-labelledby="cxml-address">
                                <h2 id="cxml-address" class="text-sm font-semibold text-slate-900">{td_string!(lang, catalog.addresses_heading)}</h2>
                                <p class="mt-2 text-sm text-slate-600">{td_string!(lang, catalog.cxml_endpoint_hint)}</p>
                                <p class="mt-2 break-all rounded bg-slate-100 px-2 py-1 font-mono text-xs" data-testid="cxml-endpoint">{s.endpoint_url.clone()}</p>
                                <p class="mt-4 text-sm text-slate-600">{td_string!(lang, catalog.oci_endpoint_hint)}</p>
                                <p class="mt-2 break-all rounded bg-slate-100 px-2 py-1 font-mono text-xs" data-testid="oci-endpoint">{s.oci_url.clone()}</p>
                            </section>
                            <section class=format!("mb-6 {CARD}") aria-labelledby="credentials">
                                <h2 id="credentials" class="mb-4 text-sm font-semibold text-slate-900">{td_string!(lang, catalog.credentials)}</h2>
                                {if s.credentials.is_empty() {
                                    view! { <EmptyState message=td_string!(lang, catalog.no_credentials) /> }.into_any()
                                } else {
                                    view! {
                                        <ul class="divide-y divide-slate-100" data-testid="punchout-credentials">
                                            {s.credentials.into_iter().map(|c| {
                                                let summary = format!("{} {} · {} · {}", c.domain, c.identity, c.deployment_mode.label_in(locale_of(lang)), if c.enabled { td_string!(lang, catalog.credential_enabled) } else { td_string!(lang, catalog.credential_disabled) });
                                                let id = c.id;
                                                let name = c.identity.clone();
                                                view! {
                                                    <li class="py-3">
                                                        <details>
                                                            <summary class="cursor-pointer text-sm font-medium text-slate-900">{summary}</summary>
                                                            <div class="mt-4 space-y-4">
                                                                {credential_form(lang, save, account_id, Some(c))}
                                                                <ConfirmStep label=td_string!(lang, catalog.remove_credential_step) context=format!(" {name}") warning=td_string!(lang, catalog.remove_credential_warning).to_owned()>
                                                                    <ActionForm action=delete>
                                                                        <input type="hidden" name="id" value=id.to_string() />
                                                                        <button type="submit" class=BUTTON_DANGER aria-label=format!("{} {name}", td_string!(lang, catalog.remove_credential))>{td_string!(lang, catalog.remove_credential)}</button>
                                                                    </ActionForm>
                                                                </ConfirmStep>
                                                            </div>
                                                        </details>
                                                    </li>
                                                }
                                            }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                            </section>
                            <section class=CARD aria-labelledby="new-credential">
                                <h2 id="new-credential" class="mb-4 text-sm font-semibold text-slate-900">{td_string!(lang, catalog.add_a_credential)}</h2>
                                {credential_form(lang, save, account_id, None)}
                            </section>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
