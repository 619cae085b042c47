//! Account onboarding for provider staff, and the account's own product catalog.

use crate::components::server_action;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use simdesk_types::{AccountDetail, OptionKind, OptionView};

use crate::api::accounts::{
    account_catalog, account_workspace, accounts_page, AddAccountAddress, AddAccountBuyerPart,
    AssignAccountProduct, CreateAccount, InviteAccountAdmin, RemoveAccountAddress,
    RemoveAccountBuyerPart, SetAccountEntitlements, SetDefaultAccountAddress, SetProductVisibility,
    UnassignAccountProduct, UpdateAccount,
};
use crate::components::{
    action_feedback, error_of, field_error, next_page_link, use_session, EmptyState, ErrorPanel,
    Field, OptionSelect, PageHeader, BUTTON_DANGER, BUTTON_PRIMARY, BUTTON_SECONDARY, CARD, INPUT,
    LABEL, TABLE, TD, TH,
};
use crate::error::AppError;
use crate::i18n::{td, td_string};
use crate::language::{locale_of, use_lang, Lang};

#[component]
pub fn AccountsPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let create = server_action::<CreateAccount>();
    let accounts = Resource::new(
        move || query.get(),
        |q| {
            accounts_page(
                q.get("search").unwrap_or_default(),
                q.get("status").unwrap_or_default(),
                q.get("sort").unwrap_or_default(),
                q.get("order").unwrap_or_default(),
                q.get("after"),
            )
        },
    );
    view! {
        <Title text=td_string!(lang, accounts.title_accounts) />
        <div class="mb-6 flex flex-wrap items-end justify-between gap-4">
            <PageHeader title=td_string!(lang, accounts.enterprise_accounts).to_owned() subtitle=td_string!(lang, accounts.accounts_subtitle) />
            <a href="/accounts.csv" class=BUTTON_SECONDARY download="accounts.csv">{td_string!(lang, accounts.export_csv)}</a>
        </div>
        <div class="grid gap-8 lg:grid-cols-3">
            <section class="min-w-0 lg:col-span-2">
                <form method="get" class="mb-4 flex flex-wrap items-end gap-3" role="search">
                    <div>
                        <label for="search" class=LABEL>{td_string!(lang, accounts.search)}</label>
                        <input id="search" name="search" type="search" placeholder=td_string!(lang, accounts.search_placeholder) value=move || query.read().get("search").unwrap_or_default() class=format!("mt-1 {INPUT}") />
                    </div>
                    <div>
                        <label for="sort" class=LABEL>{td_string!(lang, accounts.sort_by)}</label>
                        <select id="sort" name="sort" class=format!("mt-1 {INPUT}")>
                            <option value="name">{td_string!(lang, accounts.name)}</option>
                            <option value="customer_number" selected=move || query.read().get("sort").as_deref() == Some("customer_number")>{td_string!(lang, accounts.customer_number)}</option>
                        </select>
                    </div>
                    <button type="submit" class=BUTTON_SECONDARY>{td_string!(lang, accounts.apply)}</button>
                </form>
                <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match accounts.await {
                            Ok(page) if page.rows.is_empty() => view! { <EmptyState message=td_string!(lang, accounts.no_accounts) /> }.into_any(),
                            Ok(page) => view! {
                                <div class="relative overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
                                    <table class=TABLE data-testid="accounts-table">
                                        <thead class="bg-slate-50">
                                            <tr>
                                                <th class=TH scope="col">{td_string!(lang, accounts.account)}</th>
                                                <th class=TH scope="col">{td_string!(lang, accounts.customer_number)}</th>
                                                <th class=TH scope="col">{td_string!(lang, accounts.parent)}</th>
                                                <th class=TH scope="col">{td_string!(lang, accounts.status)}</th>
                                            </tr>
                                        </thead>
                                        <tbody class="divide-y divide-slate-100">
                                            {page.rows.into_iter().map(|a| view! {
                                                <tr data-testid="account-row">
                                                    <td class=TD><a class="font-medium text-teal-800 underline-offset-2 hover:underline" href=format!("/accounts/{}", a.id)>{a.name}</a></td>
                                                    <td class=format!("{TD} font-mono")>{a.customer_number}</td>
                                                    <td class=TD>{a.parent_name.unwrap_or_default()}</td>
                                                    <td class=TD>{if a.status == "suspended" { td_string!(lang, accounts.suspended) } else { td_string!(lang, accounts.active) }}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                {next_page_link("/accounts", &query.get_untracked(), page.next)}
                            }.into_any(),
                            Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
            <section class=CARD aria-labelledby="new-account">
                <h2 id="new-account" class="text-lg font-semibold">{td_string!(lang, accounts.new_account)}</h2>
                <ActionForm action=create attr:class="mt-4 space-y-4" attr:data-testid="account-form">
                    <AccountFields account=None result=Signal::derive(move || create.value().get()) />
                    <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, accounts.create_account)}</button>
                    {move || create.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorPanel error /> })}
                </ActionForm>
            </section>
        </div>
    }
}

/// The account's own data. Names are `input[…]`.
#[component]
fn AccountFields<T: Clone + Send + Sync + 'static>(
    account: Option<AccountDetail>,
    result: Signal<Option<Result<T, AppError>>>,
) -> impl IntoView {
    let lang = use_lang();
    let data = account.as_ref().map(|a| a.data.clone()).unwrap_or_default();
    let err = move |field: &'static str| error_of(result, field);
    let suspended = data.status == "suspended";
    view! {
        <Field id="account-name" name="input[name]" label=td_string!(lang, accounts.company_name) required=true value=data.name.clone() error=err("name") />
        <Field id="account-number" name="input[customer_number]" label=td_string!(lang, accounts.customer_number) required=true value=data.customer_number.clone() error=err("customer_number") />
        <Field id="account-vat" name="input[vat_id]" label=td_string!(lang, accounts.vat_id) value=data.vat_id.clone() error=err("vat_id") />
        <Field id="billing-name" name="input[billing_name]" label=td_string!(lang, accounts.billing_name) value=data.billing_name.clone() error=err("billing_name") />
        <Field id="billing-street" name="input[billing_street]" label=td_string!(lang, accounts.billing_street) value=data.billing_street.clone() error=err("billing_street") />
        <div class="grid grid-cols-3 gap-3">
            <Field id="billing-postal" name="input[billing_postal_code]" label=td_string!(lang, accounts.postal_code) value=data.billing_postal_code.clone() error=err("billing_postal_code") />
            <Field id="billing-city" name="input[billing_city]" label=td_string!(lang, accounts.city) value=data.billing_city.clone() error=err("billing_city") />
            <Field id="billing-country" name="input[billing_country]" label=td_string!(lang, accounts.country) hint="DE, AT, CH…" value=data.billing_country.clone() error=err("billing_country") />
        </div>
        <Field id="account-parent" name="input[parent_account_id]" label=td_string!(lang, accounts.parent_account_id) hint=td_string!(lang, accounts.parent_account_hint) value=data.parent_account_id.map(|id| id.to_string()).unwrap_or_default() error=err("parent_account_id") />
        <div>
            <label for="account-status" class=LABEL>{td_string!(lang, accounts.status)}</label>
            <select id="account-status" name="input[status]" class=format!("mt-1 {INPUT}")>
                <option value="active">{td_string!(lang, accounts.active)}</option>
                <option value="suspended" selected=suspended>{td_string!(lang, accounts.suspended)}</option>
            </select>
        </div>
    }
}

fn options_of(options: &[OptionView], kind: OptionKind) -> Vec<OptionView> {
    options.iter().filter(|o| o.kind == kind).cloned().collect()
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or_default()
    };
    let update = server_action::<UpdateAccount>();
    let entitlements = server_action::<SetAccountEntitlements>();
    let add_address = server_action::<AddAccountAddress>();
    let default_address = server_action::<SetDefaultAccountAddress>();
    let remove_address = server_action::<RemoveAccountAddress>();
    let assign = server_action::<AssignAccountProduct>();
    let unassign = server_action::<UnassignAccountProduct>();
    let invite = server_action::<InviteAccountAdmin>();
    let add_buyer_part = server_action::<AddAccountBuyerPart>();
    let remove_buyer_part = server_action::<RemoveAccountBuyerPart>();
    let data = Resource::new(
        move || {
            (
                id(),
                update.version().get(),
                entitlements.version().get(),
                add_address.version().get()
                    + default_address.version().get()
                    + remove_address.version().get(),
                assign.version().get() + unassign.version().get() + invite.version().get(),
                add_buyer_part.version().get() + remove_buyer_part.version().get(),
            )
        },
        |(id, ..)| account_workspace(id),
    );
    let session = use_session();
    view! {
        <Title text=td_string!(lang, accounts.account) />
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let regional = session.regional().await;
                let page = match data.await {
                    Ok(page) => page,
                    Err(error) => return view! { <ErrorPanel error /> }.into_any(),
                };
                let account = page.account.clone();
                let id = account.id;
                let version = account.version;
                let ready = account.ready_to_order();
                let allowed = account.entitlements.clone();
                let defaults = account.defaults.clone();
                let assigned: Vec<i64> = account.products.iter().map(|p| p.product_id).collect();
                let title = account.data.name.clone();
                let subtitle = format!("{} {}", td_string!(lang, accounts.customer_number), account.data.customer_number);
                let checklist = account.checklist.clone();
                let addresses = account.addresses.clone();
                let products = account.products.clone();
                let admins = account.admins.clone();
                let buyer_parts = account.buyer_parts.clone();
                let products_empty = products.is_empty();
                let buyer_choices = products.clone();
                view! {
                    <PageHeader title=title subtitle=subtitle />
                    <p class="-mt-3 mb-6">
                        <a href=format!("/accounts/{id}/sso") class=BUTTON_SECONDARY>{td_string!(lang, accounts.sso_settings)}</a>
                        <a href=format!("/accounts/{id}/punchout") class=format!("ml-2 {BUTTON_SECONDARY}")>{td_string!(lang, accounts.punchout_settings)}</a>
                    </p>
                    <div class="mb-6 space-y-2">
                        {action_feedback(update, td_string!(lang, accounts.account_saved))}
                        {action_feedback(entitlements, td_string!(lang, accounts.entitlements_saved))}
                        {action_feedback(add_address, td_string!(lang, accounts.address_added))}
                        {action_feedback(default_address, td_string!(lang, accounts.default_address_changed))}
                        {action_feedback(remove_address, td_string!(lang, accounts.address_removed))}
                        {action_feedback(assign, td_string!(lang, accounts.product_assigned))}
                        {action_feedback(unassign, td_string!(lang, accounts.product_unassigned))}
                        {action_feedback(invite, td_string!(lang, accounts.account_admin_created))}
                        {action_feedback(add_buyer_part, td_string!(lang, accounts.buyer_part_added))}
                        {action_feedback(remove_buyer_part, td_string!(lang, accounts.buyer_part_removed))}
                    </div>
                    <section class=format!("mb-8 {CARD}") aria-labelledby="checklist" data-testid="checklist">
                        <h2 id="checklist" class="text-lg font-semibold">
                            {if ready { td_string!(lang, accounts.ready_to_order) } else { td_string!(lang, accounts.onboarding_checklist) }}
                        </h2>
                        <ul class="mt-3 space-y-1 text-sm">
                            {checklist.into_iter().map(|item| view! {
                                <li class="flex items-center gap-2" data-testid=format!("check-{}", item.key) data-done=item.done.to_string()>
                                    <span aria-hidden="true" class=if item.done { "text-teal-700" } else { "text-slate-400" }>{if item.done { "✓" } else { "○" }}</span>
                                    <span class=if item.done { "text-slate-700" } else { "font-medium text-slate-900" }>{checklist_label(item.key.as_str(), lang).map_or(item.label, str::to_owned)}</span>
                                    <span class="sr-only">{if item.done { td_string!(lang, accounts.check_done) } else { td_string!(lang, accounts.check_missing) }}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    </section>
                    <div class="grid gap-8 lg:grid-cols-2">
                        <section class=CARD aria-labelledby="account-data">
                            <h2 id="account-data" class="text-lg font-semibold">{td_string!(lang, accounts.customer_data)}</h2>
                            <ActionForm action=update attr:class="mt-4 space-y-4">
                                <input type="hidden" name="id" value=id.to_string() />
                                <input type="hidden" name="version" value=version.to_string() />
                                <AccountFields account=Some(account) result=Signal::derive(move || update.value().get()) />
                                <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, accounts.save_customer_data)}</button>
                            </ActionForm>
                        </section>
                        <section class=CARD aria-labelledby="account-defaults">
                            <h2 id="account-defaults" class="text-lg font-semibold">{td_string!(lang, accounts.defaults_and_entitlements)}</h2>
                            <ActionForm action=entitlements attr:class="mt-4 space-y-4" attr:data-testid="entitlements-form">
                                <input type="hidden" name="id" value=id.to_string() />
                                <input type="hidden" name="version" value=version.to_string() />
                                <OptionSelect id="default-billing" name="defaults[billing_status]" label=td_string!(lang, accounts.default_billing_status) options=options_of(&page.options, OptionKind::BillingStatus) selected=defaults.billing_status error=error_of(entitlements.value(), "default_billing_status") />
                                <OptionSelect id="default-plan" name="defaults[price_plan]" label=td_string!(lang, accounts.default_price_plan) options=options_of(&page.options, OptionKind::PricePlan) selected=defaults.price_plan error=error_of(entitlements.value(), "default_price_plan") />
                                <OptionSelect id="default-service" name="defaults[service_profile]" label=td_string!(lang, accounts.default_service_profile) options=options_of(&page.options, OptionKind::ServiceProfile) selected=defaults.service_profile error=error_of(entitlements.value(), "default_service_profile") />
                                <OptionSelect id="default-roaming" name="defaults[roaming_profile]" label=td_string!(lang, accounts.default_roaming_profile) options=options_of(&page.options, OptionKind::RoamingProfile) selected=defaults.roaming_profile error=error_of(entitlements.value(), "default_roaming_profile") />
                                <OptionSelect id="default-apn" name="defaults[apn_group]" label=td_string!(lang, accounts.default_apn_group) options=options_of(&page.options, OptionKind::ApnGroup) selected=defaults.apn_group error=error_of(entitlements.value(), "default_apn_group") />
                                <fieldset>
                                    <legend class=LABEL>{td_string!(lang, accounts.may_choose)}</legend>
                                    <div class="mt-2 grid gap-1 sm:grid-cols-2">
                                        {page.options.iter().filter(|o| o.active).enumerate().map(|(i, o)| {
                                            let checkbox_id = format!("allowed-{}", o.id);
                                            let label_for = checkbox_id.clone();
                                            view! {
                                                <label for=label_for class="flex items-center gap-2 text-sm text-slate-700">
                                                    <input id=checkbox_id type="checkbox" name=format!("allowed[{i}]") value=o.id.to_string() checked=allowed.contains(&o.id) class="h-4 w-4 rounded border-slate-300 text-teal-700 focus:ring-teal-700" />
                                                    {format!("{}: {}", o.kind.label_in(locale_of(lang)), o.name)}
                                                </label>
                                            }
                                        }).collect_view()}
                                    </div>
                                </fieldset>
                                <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, accounts.save_defaults)}</button>
                            </ActionForm>
                        </section>
                        <section class=CARD aria-labelledby="account-addresses">
                            <h2 id="account-addresses" class="text-lg font-semibold">{td_string!(lang, accounts.shipping_addresses)}</h2>
                            <ul class="mt-3 divide-y divide-slate-100 text-sm" data-testid="addresses">
                                {addresses.into_iter().map(|a| view! {
                                    <li class="flex flex-wrap items-center justify-between gap-2 py-2">
                                        <span>
                                            <span class="font-medium">{if a.label.is_empty() { a.recipient.clone() } else { a.label.clone() }}</span>
                                            {format!(": {}, {}, {} {}, {}", a.recipient, a.street, a.postal_code, a.city, a.country)}
                                            {a.is_default.then(|| view! { <span class="ml-2 rounded-full bg-teal-50 px-2 py-0.5 text-xs text-teal-800 ring-1 ring-teal-200">{td_string!(lang, accounts.default_badge)}</span> })}
                                        </span>
                                        <span class="flex gap-2">
                                            {(!a.is_default).then(|| view! {
                                                <ActionForm action=default_address>
                                                    <input type="hidden" name="id" value=id.to_string() />
                                                    <input type="hidden" name="address_id" value=a.id.to_string() />
                                                    <button type="submit" class=BUTTON_SECONDARY>{td_string!(lang, accounts.make_default)}</button>
                                                </ActionForm>
                                            })}
                                            <ActionForm action=remove_address>
                                                <input type="hidden" name="id" value=id.to_string() />
                                                <input type="hidden" name="address_id" value=a.id.to_string() />
                                                <button type="submit" class=BUTTON_DANGER>{td_string!(lang, accounts.remove)}</button>
                                            </ActionForm>
                                        </span>
                                    </li>
                                }).collect_view()}
                            </ul>
                            <ActionForm action=add_address attr:class="mt-4 space-y-3" attr:data-testid="address-form">
                                <input type="hidden" name="id" value=id.to_string() />
                                <Field id="address-label" name="address[label]" label=td_string!(lang, accounts.address_label) hint=td_string!(lang, accounts.address_label_hint) error=error_of(add_address.value(), "label") />
                                <Field id="address-recipient" name="address[recipient]" label=td_string!(lang, accounts.recipient) required=true error=error_of(add_address.value(), "recipient") />
                                <Field id="address-street" name="address[street]" label=td_string!(lang, accounts.street) required=true error=error_of(add_address.value(), "street") />
                                <div class="grid grid-cols-3 gap-3">
                                    <Field id="address-postal" name="address[postal_code]" label=td_string!(lang, accounts.postal_code) required=true error=error_of(add_address.value(), "postal_code") />
                                    <Field id="address-city" name="address[city]" label=td_string!(lang, accounts.city) required=true error=error_of(add_address.value(), "city") />
                                    <Field id="address-country" name="address[country]" label=td_string!(lang, accounts.country) required=true error=error_of(add_address.value(), "country") />
                                </div>
                                <label class="flex items-center gap-2 text-sm text-slate-700">
                                    <input type="checkbox" name="make_default" value="true" class="h-4 w-4 rounded border-slate-300 text-teal-700 focus:ring-teal-700" />
                                    {td_string!(lang, accounts.make_default_address)}
                                </label>
                                <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, accounts.add_address)}</button>
                            </ActionForm>
                        </section>
                        <section class=CARD aria-labelledby="account-products">
                            <h2 id="account-products" class="text-lg font-semibold">{td_string!(lang, accounts.products_and_prices)}</h2>
                            {if products_empty {
                                view! { <p class="mt-2 text-sm text-slate-500">{td_string!(lang, accounts.no_products_assigned)}</p> }.into_any()
                            } else {
                                view! {
                                    <div class="relative mt-3 overflow-x-auto">
                                        <table class=TABLE data-testid="assigned-products">
                                            <thead>
                                                <tr><th class=TH scope="col">{td_string!(lang, accounts.product)}</th><th class=TH scope="col">{td_string!(lang, accounts.list_price)}</th><th class=TH scope="col">{td_string!(lang, accounts.contract)}</th><th class=TH scope="col"><span class="sr-only">{td_string!(lang, accounts.actions)}</span></th></tr>
                                            </thead>
                                            <tbody class="divide-y divide-slate-100">
                                                {products.into_iter().map(|p| view! {
                                                    <tr>
                                                        <td class=TD>{format!("{} ({})", p.name, p.part_number)}{(!p.orderable_by_users).then_some(td_string!(lang, accounts.hidden_by_account))}</td>
                                                        <td class=format!("{TD} whitespace-nowrap")>{regional.money(&p.list_price)}</td>
                                                        <td class=format!("{TD} whitespace-nowrap font-medium")>{regional.money(&p.contract_price)}</td>
                                                        <td class=TD>
                                                            <ActionForm action=unassign>
                                                                <input type="hidden" name="id" value=id.to_string() />
                                                                <input type="hidden" name="product_id" value=p.product_id.to_string() />
                                                                <button type="submit" class=BUTTON_DANGER>{td_string!(lang, accounts.remove)}<span class="sr-only">{format!(" {}", p.part_number)}</span></button>
                                                            </ActionForm>
                                                        </td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }.into_any()
                            }}
                            <ActionForm action=assign attr:class="mt-4 space-y-3" attr:data-testid="assign-form">
                                <input type="hidden" name="id" value=id.to_string() />
                                <div>
                                    <label for="assign-product" class=LABEL>{td_string!(lang, accounts.product)}</label>
                                    <select id="assign-product" name="product_id" class=format!("mt-1 {INPUT}")>
                                        {page.products.iter().map(|p| {
                                            let label = format!("{} ({}), {} {}{}", p.name, p.part_number, td_string!(lang, accounts.list_price_lower), regional.money(&p.price), if assigned.contains(&p.id) { td_string!(lang, accounts.assigned_suffix) } else { "" });
                                            view! { <option value=p.id.to_string()>{label}</option> }
                                        }).collect_view()}
                                    </select>
                                </div>
                                <Field id="assign-price" name="contract_price" label=td_string!(lang, accounts.contract_price) hint=td_string!(lang, accounts.contract_price_hint) error=error_of(assign.value(), "contract_price") />
                                <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, accounts.assign_product)}</button>
                            </ActionForm>
                        </section>
                        <section class=CARD aria-labelledby="account-buyer-parts">
                            <h2 id="account-buyer-parts" class="text-lg font-semibold">{td_string!(lang, accounts.buyer_parts)}</h2>
                            <p class="mt-1 text-sm text-slate-600">{td_string!(lang, accounts.buyer_parts_intro)}</p>
                            <ul class="mt-3 divide-y divide-slate-100 text-sm" data-testid="buyer-parts">
                                {buyer_parts.into_iter().map(|b| view! {
                                    <li class="flex flex-wrap items-center justify-between gap-2 py-2">
                                        <span><span class="font-mono font-medium">{b.buyer_part.clone()}</span>{format!(" {} {}", td_string!(lang, accounts.means), b.product)}</span>
                                        <ActionForm action=remove_buyer_part>
                                            <input type="hidden" name="id" value=id.to_string() />
                                            <input type="hidden" name="buyer_part_id" value=b.id.to_string() />
                                            <button type="submit" class=BUTTON_DANGER>{td_string!(lang, accounts.remove)}<span class="sr-only">{format!(" {}", b.buyer_part)}</span></button>
                                        </ActionForm>
                                    </li>
                                }).collect_view()}
                            </ul>
                            <ActionForm action=add_buyer_part attr:class="mt-4 space-y-3" attr:data-testid="buyer-part-form">
                                <input type="hidden" name="id" value=id.to_string() />
                                <Field id="buyer-part" name="buyer_part" label=td_string!(lang, accounts.buyer_part) required=true hint=td_string!(lang, accounts.buyer_part_hint) error=error_of(add_buyer_part.value(), "buyer_part") />
                                <div>
                                    <label for="buyer-product" class=LABEL>{td_string!(lang, accounts.means_product)}</label>
                                    <select id="buyer-product" name="buyer_product_id" class=format!("mt-1 {INPUT}")>
                                        {buyer_choices.into_iter().map(|p| view! {
                                            <option value=p.product_id.to_string()>{format!("{} ({})", p.name, p.part_number)}</option>
                                        }).collect_view()}
                                    </select>
                                    {field_error(add_buyer_part.value(), "buyer_product_id")}
                                </div>
                                <button type="submit" class=BUTTON_PRIMARY disabled=products_empty>{td_string!(lang, accounts.add_part_number)}</button>
                            </ActionForm>
                        </section>
                        <section class=CARD aria-labelledby="account-admins">
                            <h2 id="account-admins" class="text-lg font-semibold">{td_string!(lang, accounts.account_admins)}</h2>
                            <ul class="mt-2 text-sm" data-testid="admins">
                                {admins.into_iter().map(|u| view! { <li>{format!("{} <{}>{}", u.display_name, u.email, if u.active { "" } else { td_string!(lang, accounts.deactivated_suffix) })}</li> }).collect_view()}
                            </ul>
                            <ActionForm action=invite attr:class="mt-4 space-y-3" attr:data-testid="invite-form">
                                <input type="hidden" name="id" value=id.to_string() />
                                <Field id="invite-email" name="email" label=td_string!(lang, accounts.email_address) kind="email" required=true error=error_of(invite.value(), "email") />
                                <Field id="invite-name" name="display_name" label=td_string!(lang, accounts.name) required=true error=error_of(invite.value(), "display_name") />
                                <Field id="invite-password" name="initial_password" label=td_string!(lang, accounts.initial_password_optional) kind="password" required=false hint=td_string!(lang, accounts.invite_password_hint) error=error_of(invite.value(), "password") />
                                <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, accounts.create_account_admin)}</button>
                            </ActionForm>
                        </section>
                    </div>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
pub fn ShopPage() -> impl IntoView {
    let lang = use_lang();
    let visibility = server_action::<SetProductVisibility>();
    let catalog = Resource::new(move || visibility.version().get(), |_| account_catalog());
    let session = use_session();
    view! {
        <Title text=td_string!(lang, accounts.products) />
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let regional = session.regional().await;
                match catalog.await {
                    Ok(catalog) => {
                        let can_restrict = catalog.can_restrict;
                        view! {
                            <PageHeader title=td_string!(lang, accounts.products).to_owned() subtitle=format!("{}{}{}", td_string!(lang, accounts.shop_subtitle_before), catalog.account_name, td_string!(lang, accounts.shop_subtitle_after)) />
                            <section class=format!("mb-6 {CARD}") aria-labelledby="defaults">
                                <h2 id="defaults" class="text-sm font-semibold text-slate-900">{td_string!(lang, accounts.shop_defaults)}</h2>
                                <dl class="mt-2 grid gap-2 text-sm sm:grid-cols-3 lg:grid-cols-5" data-testid="account-defaults">
                                    {catalog.defaults.iter().map(|d| view! {
                                        <div>
                                            <dt class="text-xs text-slate-500">{d.kind.label_in(locale_of(lang))}</dt>
                                            <dd class="font-medium">{d.name.clone().unwrap_or_else(|| td_string!(lang, accounts.not_set).into())}</dd>
                                        </div>
                                    }).collect_view()}
                                </dl>
                                <p class="mt-2 text-xs text-slate-500">
                                    {if catalog.overrides_allowed { td_string!(lang, accounts.overrides_allowed) } else { td_string!(lang, accounts.overrides_not_allowed) }}
                                </p>
                            </section>
                            {action_feedback(visibility, td_string!(lang, accounts.visibility_changed))}
                            {if catalog.entries.is_empty() {
                                view! { <EmptyState message=td_string!(lang, accounts.no_shop_products) /> }.into_any()
                            } else {
                                view! {
                                    <ul class="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" data-testid="shop-products">
                                        {catalog.entries.into_iter().map(|e| view! {
                                            <li class=CARD data-testid="shop-product">
                                                <p class="text-xs font-medium uppercase text-slate-500">{format!("{} · {}", e.sim_type.label_in(locale_of(lang)), e.form_factor.as_str())}</p>
                                                <h2 class="mt-1 text-base font-semibold">{e.name.clone()}</h2>
                                                <p class="font-mono text-xs text-slate-500">{e.part_number.clone()}</p>
                                                <p class="mt-2 text-sm text-slate-600">{e.features.clone()}</p>
                                                <p class="mt-3 text-xl font-semibold" data-testid="shop-price">{regional.money(&e.price)}</p>
                                                <p class="text-xs text-slate-500">{td!(lang, accounts.order_quantities, unit = e.unit_of_measure, min = e.min_order_quantity, max = e.max_order_quantity, step = e.order_increment)}</p>
                                                {can_restrict.then(|| view! {
                                                    <ActionForm action=visibility attr:class="mt-3">
                                                        <input type="hidden" name="product_id" value=e.product_id.to_string() />
                                                        <input type="hidden" name="orderable" value=(!e.orderable_by_users).to_string() />
                                                        <button type="submit" class=BUTTON_SECONDARY>
                                                            {if e.orderable_by_users { td_string!(lang, accounts.hide_from_users) } else { td_string!(lang, accounts.offer_to_users) }}
                                                        </button>
                                                    </ActionForm>
                                                })}
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// An onboarding step's label in the reader's language, by its key; the service layer's own
/// label for a step this page does not know.
fn checklist_label(key: &str, lang: Lang) -> Option<&'static str> {
    Some(match key {
        "billing_address" => td_string!(lang, accounts.checklist_billing_address),
        "shipping_address" => td_string!(lang, accounts.checklist_shipping_address),
        "defaults" => td_string!(lang, accounts.checklist_defaults),
        "products" => td_string!(lang, accounts.checklist_products),
        "admin" => td_string!(lang, accounts.checklist_admin),
        _ => return None,
    })
}
