//! SIM purchase orders: the list (the provider's inbox, or the account's own orders), the
//! order form, the order page with its timeline and steps, and the provider's SIM stock.

use crate::components::server_action;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use simdesk_types::{
    timeline_reason_in, DeliveryStatus, PoAction, PoDetail, PoFormData, PoReference, PoStatus,
    ProcurementMessage, Regional, ShippingAddressView,
};

use crate::api::orders::{
    orders_page, po_detail, po_form, stock_levels, take_stock_import_outcome, PoStep, ProvisionPo,
    RetryProcurementMessage, SavePo, ShipPo,
};
use crate::components::{
    action_feedback, error_of, field_error, import_outcome_view, next_page_link,
    sim_setting_fields, use_session, ConfirmStep, EmptyState, ErrorPanel, Field, PageHeader,
    BUTTON_DANGER, BUTTON_PRIMARY, BUTTON_SECONDARY, CARD, INPUT, LABEL, TABLE, TD, TH,
};
use crate::error::AppError;
use crate::i18n::{td, td_string};
use crate::islands::UploadButton;
use crate::language::{locale_of, use_lang, Lang};

/// A coloured badge for a status.
#[component]
pub fn StatusBadge(status: PoStatus) -> impl IntoView {
    let lang = use_lang();
    let tone = match status {
        PoStatus::Draft => "bg-slate-100 text-slate-700 ring-slate-300",
        PoStatus::AwaitingApproval | PoStatus::AwaitingBuyerPo => {
            "bg-amber-50 text-amber-800 ring-amber-300"
        }
        PoStatus::Submitted => "bg-sky-50 text-sky-800 ring-sky-300",
        PoStatus::Accepted | PoStatus::Provisioning => {
            "bg-indigo-50 text-indigo-800 ring-indigo-300"
        }
        PoStatus::Ready | PoStatus::Shipped => "bg-teal-50 text-teal-800 ring-teal-300",
        PoStatus::Closed => "bg-emerald-50 text-emerald-800 ring-emerald-300",
        PoStatus::Rejected | PoStatus::Cancelled => "bg-red-50 text-red-800 ring-red-300",
    };
    view! {
        <span class=format!("inline-flex whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 {tone}") data-testid="po-status" data-status=status.as_str()>
            {status.label_in(locale_of(lang))}
        </span>
    }
}

fn po_title(number: Option<i64>, id: i64) -> String {
    PoReference::of(number, id).to_string()
}

#[component]
pub fn OrdersPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(
        move || query.get(),
        |q| {
            orders_page(
                q.get("status").unwrap_or_default(),
                q.get("account").unwrap_or_default(),
                q.get("older_than").unwrap_or_default(),
                q.get("after"),
            )
        },
    );
    let session = use_session();
    let lang = use_lang();
    view! {
        <Title text=td_string!(lang, orders.title_list) />
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let regional = session.regional().await;
                let page = match data.await {
                    Ok(page) => page,
                    Err(error) => return view! { <ErrorPanel error /> }.into_any(),
                };
                let q = query.get_untracked();
                let current_status = q.get("status").unwrap_or_default();
                let current_account = q.get("account").unwrap_or_default();
                let older_than = q.get("older_than").unwrap_or_default();
                let total: u64 = page.list.counts.iter().map(|c| c.count).sum();
                let keep = {
                    let current_account = current_account.clone();
                    let older_than = older_than.clone();
                    move |status: &str| {
                        let mut parts = Vec::new();
                        if !status.is_empty() { parts.push(format!("status={status}")); }
                        if !current_account.is_empty() { parts.push(format!("account={current_account}")); }
                        if !older_than.is_empty() { parts.push(format!("older_than={older_than}")); }
                        if parts.is_empty() { "/orders".to_owned() } else { format!("/orders?{}", parts.join("&")) }
                    }
                };
                // A chart's legend may open a group of statuses ("shipped,closed"): each of its
                // tabs is marked as one of the current set.
                let shown: Vec<&str> = current_status.split(',').filter(|s| !s.is_empty()).collect();
                let grouped = shown.len() > 1;
                let tab = |href: String, label: String, active: bool| view! {
                    <a href=href aria-current=if !active { None } else if grouped { Some("true") } else { Some("page") }
                        class=if active { "rounded-md bg-teal-700 px-3 py-1.5 text-sm font-semibold text-white" } else { "rounded-md bg-white px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50" }>
                        {label}
                    </a>
                };
                let subtitle = if page.provider {
                    td_string!(lang, orders.subtitle_provider)
                } else {
                    td_string!(lang, orders.subtitle_account)
                };
                let accounts = page.accounts.clone();
                let provider = page.provider;
                view! {
                    <div class="mb-6 flex flex-wrap items-end justify-between gap-4">
                        <PageHeader title=td_string!(lang, orders.title_list).to_owned() subtitle=subtitle />
                        {page.can_raise.then(|| view! { <a href="/orders/new" class=BUTTON_PRIMARY>{td_string!(lang, orders.new_po)}</a> })}
                    </div>
                    <nav aria-label=td_string!(lang, orders.status) class="mb-4 flex flex-wrap gap-2" data-testid="status-tabs">
                        {tab(keep(""), format!("{} ({total})", td_string!(lang, orders.tab_all)), current_status.is_empty())}
                        {page.list.counts.iter().map(|c| tab(keep(c.status.as_str()), format!("{} ({})", c.status.label_in(locale_of(lang)), c.count), shown.contains(&c.status.as_str()))).collect_view()}
                    </nav>
                    <form method="get" class="mb-4 flex flex-wrap items-end gap-3" role="search">
                        <input type="hidden" name="status" value=current_status.clone() />
                        {provider.then(|| view! {
                            <div>
                                <label for="filter-account" class=LABEL>{td_string!(lang, orders.account)}</label>
                                <select id="filter-account" name="account" class=format!("mt-1 {INPUT}")>
                                    <option value="">{td_string!(lang, orders.all_accounts)}</option>
                                    {accounts.iter().map(|a| view! {
                                        <option value=a.id.to_string() selected=current_account == a.id.to_string()>{format!("{} ({})", a.name, a.customer_number)}</option>
                                    }).collect_view()}
                                </select>
                            </div>
                        })}
                        <div>
                            <label for="filter-age" class=LABEL>{td_string!(lang, orders.age)}</label>
                            <select id="filter-age" name="older_than" class=format!("mt-1 {INPUT}")>
                                <option value="">{td_string!(lang, orders.any_age)}</option>
                                {[(1, td_string!(lang, orders.older_day)), (3, td_string!(lang, orders.older_3_days)), (7, td_string!(lang, orders.older_week)), (30, td_string!(lang, orders.older_month))].into_iter().map(|(days, label)| view! {
                                    <option value=days.to_string() selected=older_than == days.to_string()>{label}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <button type="submit" class=BUTTON_SECONDARY>{td_string!(lang, orders.apply)}</button>
                    </form>
                    {if page.list.rows.is_empty() {
                        view! { <EmptyState message=td_string!(lang, orders.no_match) /> }.into_any()
                    } else {
                        view! {
                            <div class="relative overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
                                <table class=TABLE data-testid="orders-table">
                                    <thead class="bg-slate-50">
                                        <tr>
                                            <th class=TH scope="col">{td_string!(lang, orders.col_order)}</th>
                                            {provider.then(|| view! { <th class=TH scope="col">{td_string!(lang, orders.account)}</th> })}
                                            <th class=TH scope="col">{td_string!(lang, orders.status)}</th>
                                            <th class=format!("{TH} text-right") scope="col">{td_string!(lang, orders.sims)}</th>
                                            <th class=format!("{TH} text-right") scope="col">{td_string!(lang, orders.total)}</th>
                                            <th class=TH scope="col">{td_string!(lang, orders.raised_by_col)}</th>
                                            <th class=TH scope="col">{td_string!(lang, orders.created)}</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {page.list.rows.into_iter().map(|po| view! {
                                            <tr data-testid="order-row">
                                                <td class=TD><a class="font-medium text-teal-800 underline-offset-2 hover:underline" href=format!("/orders/{}", po.id)>{po_title(po.po_number, po.id)}</a></td>
                                                {provider.then(|| view! { <td class=TD>{po.account_name.clone()}</td> })}
                                                <td class=TD><StatusBadge status=po.status /></td>
                                                <td class=format!("{TD} text-right tabular-nums")>{po.quantity}</td>
                                                <td class=format!("{TD} text-right tabular-nums")>{regional.money(&po.total)}</td>
                                                <td class=TD>{po.created_by}</td>
                                                <td class=format!("{TD} whitespace-nowrap")>{regional.time_text(&po.created_at)}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            {next_page_link("/orders", &q, page.list.next)}
                        }.into_any()
                    }}
                }.into_any()
            })}
        </Suspense>
    }
}

/// A new PO. Agents first choose the account they order for.
#[component]
pub fn PoNewPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(
        move || {
            query
                .get()
                .get("account")
                .and_then(|a| a.parse::<i64>().ok())
        },
        |account| async move {
            let page = orders_page(String::new(), String::new(), String::new(), None).await?;
            if page.provider && account.is_none() {
                return Ok((page, None));
            }
            let form = po_form(account, None).await?;
            Ok::<_, crate::error::AppError>((page, Some(form)))
        },
    );
    let session = use_session();
    let lang = use_lang();
    view! {
        <Title text=td_string!(lang, orders.new_po) />
        <PageHeader title=td_string!(lang, orders.new_po).to_owned() subtitle=td_string!(lang, orders.new_po_subtitle) />
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let regional = session.regional().await;
                match data.await {
                    Ok((page, None)) => view! {
                        <form method="get" class=format!("max-w-xl space-y-4 {CARD}") data-testid="account-choice">
                            <div>
                                <label for="po-account" class=LABEL>{td_string!(lang, orders.account_to_order_for)}</label>
                                <select id="po-account" name="account" required class=format!("mt-1 {INPUT}")>
                                    {page.accounts.into_iter().filter(|a| a.status == "active").map(|a| view! {
                                        <option value=a.id.to_string()>{format!("{} ({})", a.name, a.customer_number)}</option>
                                    }).collect_view()}
                                </select>
                            </div>
                            <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, orders.continue_button)}</button>
                        </form>
                    }.into_any(),
                    Ok((page, Some(form))) => view! { <PoForm form provider=page.provider regional /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn PoEditPage() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || {
            params
                .read()
                .get("id")
                .and_then(|id| id.parse::<i64>().ok())
        },
        |id| async move { po_form(None, Some(id.unwrap_or_default())).await },
    );
    let session = use_session();
    let lang = use_lang();
    view! {
        <Title text=td_string!(lang, orders.edit_po) />
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let regional = session.regional().await;
                match data.await {
                    Ok(form) => {
                        let provider = form.draft.as_ref().is_some_and(|d| d.provider_view);
                        let title = form.draft.as_ref().map(|d| po_title(d.po_number, d.id)).unwrap_or_default();
                        view! {
                            <PageHeader title=format!("{} {title}", td_string!(lang, orders.edit_title_prefix)) subtitle=td_string!(lang, orders.edit_subtitle) />
                            <PoForm form provider regional />
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn address_line(a: &ShippingAddressView) -> String {
    let label = if a.label.is_empty() {
        &a.recipient
    } else {
        &a.label
    };
    format!(
        "{label}: {}, {}, {} {}, {}",
        a.recipient, a.street, a.postal_code, a.city, a.country
    )
}

/// The PO form: quantities per product, address, date, comment and, where allowed, overrides.
#[component]
fn PoForm(form: PoFormData, provider: bool, regional: Regional) -> impl IntoView {
    let lang = use_lang();
    let save = server_action::<SavePo>();
    let draft = form.draft.clone();
    let quantities: Vec<(i64, String)> = draft
        .as_ref()
        .map(|d| {
            d.lines
                .iter()
                .map(|l| (l.product_id, l.quantity.to_string()))
                .collect()
        })
        .unwrap_or_default();
    let quantity_of = move |product_id: i64| {
        quantities
            .iter()
            .find(|(id, _)| *id == product_id)
            .map(|(_, q)| q.clone())
            .unwrap_or_default()
    };
    let chosen_address = match &draft {
        Some(d) => d.shipping_address_id,
        None => form.addresses.first().map(|a| a.id),
    };
    let new_address = draft
        .as_ref()
        .filter(|d| d.shipping_address_id.is_none())
        .map(|d| d.address.clone())
        .unwrap_or_default();
    let date = draft
        .as_ref()
        .and_then(|d| d.requested_ship_date.clone())
        .unwrap_or_default();
    let comment = draft
        .as_ref()
        .map(|d| d.comment.clone())
        .unwrap_or_default();
    let overrides = draft
        .as_ref()
        .map(|d| d.overrides.clone())
        .unwrap_or_default();
    let no_products = form.products.is_empty();
    let account_name = form.account_name.clone();
    let cancel_href = draft
        .as_ref()
        .map(|d| format!("/orders/{}", d.id))
        .unwrap_or_else(|| "/orders".to_owned());
    view! {
        <ActionForm action=save attr:class="space-y-6" attr:data-testid="po-form">
            {draft.as_ref().map(|d| view! {
                <input type="hidden" name="id" value=d.id.to_string() />
                <input type="hidden" name="version" value=d.version.to_string() />
            })}
            {provider.then(|| view! { <input type="hidden" name="input[account_id]" value=form.account_id.to_string() /> })}
            <section class=CARD aria-labelledby="po-products">
                <h2 id="po-products" class="text-lg font-semibold">{td!(lang, orders.products_for, account = account_name)}</h2>
                {no_products.then(|| view! { <p class="mt-2 text-sm text-slate-600">{td_string!(lang, orders.no_products)}</p> })}
                <div class="mt-4 overflow-x-auto">
                    <table class=TABLE>
                        <thead>
                            <tr>
                                <th class=TH scope="col">{td_string!(lang, orders.product)}</th>
                                <th class=format!("{TH} text-right") scope="col">{td_string!(lang, orders.contract_price)}</th>
                                <th class=TH scope="col">{td_string!(lang, orders.quantity)}</th>
                            </tr>
                        </thead>
                        <tbody class="divide-y divide-slate-100">
                            {form.products.iter().enumerate().map(|(i, p)| {
                                let input_id = format!("qty-{}", p.product_id);
                                let label_for = input_id.clone();
                                let (min, max, step) = (p.min_order_quantity, p.max_order_quantity, p.order_increment);
                                view! {
                                    <tr data-testid="po-product" data-part-number=p.part_number.clone()>
                                        <td class=TD>
                                            <label for=label_for class="font-medium text-slate-900">{p.name.clone()}</label>
                                            <div class="text-xs text-slate-500">{format!("{} · {} · {}", p.part_number, p.form_factor.label_in(locale_of(lang)), p.features)}</div>
                                            <input type="hidden" name=format!("input[lines][{i}][product_id]") value=p.product_id.to_string() />
                                        </td>
                                        <td class=format!("{TD} text-right tabular-nums")>{regional.money(&p.price)}</td>
                                        <td class=TD>
                                            <input id=input_id name=format!("input[lines][{i}][quantity]") type="number" inputmode="numeric" min="0" value=quantity_of(p.product_id) class=format!("w-28 {INPUT}") />
                                            <p class="mt-1 text-xs text-slate-500">{td!(lang, orders.quantity_hint, min = min, max = max, step = step)}</p>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                {field_error(save.value(), "lines")}
            </section>
            <section class=CARD aria-labelledby="po-shipping">
                <h2 id="po-shipping" class="text-lg font-semibold">{td_string!(lang, orders.shipping)}</h2>
                <fieldset class="mt-4">
                    <legend class=LABEL>{td_string!(lang, orders.ship_to)}</legend>
                    <div class="mt-2 space-y-2">
                        {form.addresses.iter().map(|a| {
                            let radio_id = format!("address-{}", a.id);
                            let label_for = radio_id.clone();
                            view! {
                                <label for=label_for class="flex items-start gap-2 text-sm text-slate-700">
                                    <input id=radio_id type="radio" name="input[shipping_address_id]" value=a.id.to_string() checked=chosen_address == Some(a.id) class="mt-0.5 h-4 w-4 border-slate-300 text-teal-700 focus:ring-teal-700" />
                                    {address_line(a)}
                                </label>
                            }
                        }).collect_view()}
                        <label for="address-new" class="flex items-start gap-2 text-sm text-slate-700">
                            <input id="address-new" type="radio" name="input[shipping_address_id]" value="" checked=chosen_address.is_none() class="mt-0.5 h-4 w-4 border-slate-300 text-teal-700 focus:ring-teal-700" />
                            {td_string!(lang, orders.another_address)}
                        </label>
                    </div>
                    {field_error(save.value(), "shipping_address_id")}
                </fieldset>
                <div class="mt-3 grid gap-3 sm:grid-cols-2">
                    <Field id="new-recipient" name="input[new_address][recipient]" label=td_string!(lang, orders.recipient) value=new_address.recipient.clone() error=error_of(save.value(), "new_address.recipient") />
                    <Field id="new-street" name="input[new_address][street]" label=td_string!(lang, orders.street) value=new_address.street.clone() error=error_of(save.value(), "new_address.street") />
                    <Field id="new-postal" name="input[new_address][postal_code]" label=td_string!(lang, orders.postal_code) value=new_address.postal_code.clone() error=error_of(save.value(), "new_address.postal_code") />
                    <Field id="new-city" name="input[new_address][city]" label=td_string!(lang, orders.city) value=new_address.city.clone() error=error_of(save.value(), "new_address.city") />
                    <Field id="new-country" name="input[new_address][country]" label=td_string!(lang, orders.country) hint=td_string!(lang, orders.country_hint) value=new_address.country.clone() error=error_of(save.value(), "new_address.country") />
                    <label class="flex items-center gap-2 self-end text-sm text-slate-700">
                        <input type="checkbox" name="input[save_new_address]" value="true" class="h-4 w-4 rounded border-slate-300 text-teal-700 focus:ring-teal-700" />
                        {td_string!(lang, orders.keep_address)}
                    </label>
                </div>
                <div class="mt-4 grid gap-3 sm:grid-cols-2">
                    <Field id="po-date" name="input[requested_ship_date]" label=td_string!(lang, orders.requested_ship_date) kind="date" hint=td_string!(lang, orders.optional) value=date error=error_of(save.value(), "requested_ship_date") />
                </div>
                <div class="mt-4">
                    <label for="po-comment" class=LABEL>{td_string!(lang, orders.comment)}</label>
                    <textarea id="po-comment" name="input[comment]" rows="3" maxlength="2000" class=format!("mt-1 {INPUT}")>{comment}</textarea>
                    {field_error(save.value(), "comment")}
                </div>
            </section>
            <section class=CARD aria-labelledby="po-entitlements">
                <h2 id="po-entitlements" class="text-lg font-semibold">{td_string!(lang, orders.sim_settings)}</h2>
                <p class="mt-1 text-sm text-slate-600">
                    {if form.sim_settings.overrides_allowed { td_string!(lang, orders.settings_overridable) } else { td_string!(lang, orders.settings_fixed) }}
                </p>
                {sim_setting_fields(
                    &form.sim_settings,
                    &overrides,
                    false,
                    |kind| format!("input[overrides][{}]", kind.as_str()),
                    move |field| field_error(save.value(), field).into_any(),
                )}
                {field_error(save.value(), "overrides")}
            </section>
            {move || save.value().get().and_then(|r| r.err()).map(|error| match error {
                // Field messages stand beside their fields; say so once, above the button.
                AppError::Invalid(ref errors) if errors.iter().all(|e| e.field != "account_id") => view! {
                    <p role="alert" class="text-sm font-medium text-red-700">{td_string!(lang, orders.nothing_saved)}</p>
                }.into_any(),
                error => view! { <ErrorPanel error /> }.into_any(),
            })}
            <div class="flex gap-3">
                <button type="submit" class=BUTTON_PRIMARY disabled=no_products>{td_string!(lang, orders.save_draft)}</button>
                <a href=cancel_href class=BUTTON_SECONDARY>{td_string!(lang, orders.back)}</a>
            </div>
        </ActionForm>
    }
}

/// What a step behind a confirmation does, said before it is done.
fn step_warning(action: PoAction, lang: Lang) -> &'static str {
    match action {
        PoAction::Reject => td_string!(lang, orders.warning_reject),
        PoAction::Decline => td_string!(lang, orders.warning_decline),
        PoAction::Cancel => td_string!(lang, orders.warning_cancel),
        _ => td_string!(lang, orders.warning_final),
    }
}

/// The button that takes a step with a reason: only rejecting, declining and cancelling have one.
fn reason_button(action: PoAction, lang: Lang) -> &'static str {
    match action {
        PoAction::Reject => td_string!(lang, orders.reject_po),
        PoAction::Decline => td_string!(lang, orders.decline_po),
        _ => td_string!(lang, orders.cancel_po),
    }
}

#[component]
pub fn PoPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or_default()
    };
    let step = server_action::<PoStep>();
    let provision = server_action::<ProvisionPo>();
    let ship = server_action::<ShipPo>();
    let retry = server_action::<RetryProcurementMessage>();
    let data = Resource::new(
        move || {
            (
                id(),
                step.version().get()
                    + provision.version().get()
                    + ship.version().get()
                    + retry.version().get(),
            )
        },
        |(id, _)| po_detail(id),
    );
    let session = use_session();
    let lang = use_lang();
    view! {
        <Title text=td_string!(lang, orders.title_po) />
        <div class="mb-4 space-y-2">
            {action_feedback(step, td_string!(lang, orders.feedback_done))}
            {action_feedback(provision, td_string!(lang, orders.feedback_assigned))}
            {action_feedback(ship, td_string!(lang, orders.feedback_shipped))}
            {action_feedback(retry, td_string!(lang, orders.feedback_resend))}
        </div>
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let regional = session.regional().await;
                match data.await {
                    Ok(po) => view! { <PoView po step provision ship retry regional /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PoView(
    po: PoDetail,
    step: ServerAction<PoStep>,
    provision: ServerAction<ProvisionPo>,
    ship: ServerAction<ShipPo>,
    retry: ServerAction<RetryProcurementMessage>,
    regional: Regional,
) -> impl IntoView {
    let lang = use_lang();
    let locale = locale_of(lang);
    let id = po.id;
    let version = po.version;
    let title = po_title(po.po_number, po.id);
    // Once numbered, the request reference it carried before still identifies it.
    let request = po
        .po_number
        .map(|_| format!("{} · ", PoReference::Request(po.id)))
        .unwrap_or_default();
    let raised_by = po.created_by.clone();
    let raised_on = regional.date_text(&po.created_at);
    let subtitle = view! {
        {format!("{request}{} · ", po.account_name)}
        {td!(lang, orders.raised_by, name = raised_by, date = raised_on)}
        {match po.source.as_str() {
            "agent" => td_string!(lang, orders.source_agent),
            "email" => td_string!(lang, orders.source_email),
            "api" => td_string!(lang, orders.source_api),
            _ => "",
        }}
    };
    let hidden = move || {
        view! {
            <input type="hidden" name="id" value=id.to_string() />
            <input type="hidden" name="version" value=version.to_string() />
        }
    };
    let simple = |action: PoAction| {
        let class = if matches!(
            action,
            PoAction::Submit | PoAction::Approve | PoAction::Accept | PoAction::ConfirmReceipt
        ) {
            BUTTON_PRIMARY
        } else {
            BUTTON_SECONDARY
        };
        view! {
            <ActionForm action=step>
                {hidden()}
                <input type="hidden" name="step" value=action.as_str() />
                <button type="submit" class=class>{action.label_in(locale)}</button>
            </ActionForm>
        }
    };
    let actions = po.actions.clone();
    let has = |a: PoAction| actions.contains(&a);
    let simple_actions: Vec<PoAction> = actions
        .iter()
        .copied()
        .filter(|a| {
            matches!(
                a,
                PoAction::Submit
                    | PoAction::Approve
                    | PoAction::Accept
                    | PoAction::Reopen
                    | PoAction::ConfirmReceipt
            )
        })
        .collect();
    let reason_actions: Vec<PoAction> = actions
        .iter()
        .copied()
        .filter(|a| a.needs_reason() || *a == PoAction::Cancel)
        .collect();
    let sims_csv = format!("/orders/{id}/sims.csv");
    let requested_date = po
        .requested_ship_date
        .clone()
        .unwrap_or_else(|| td_string!(lang, orders.none).to_owned());
    let today = chrono::Utc::now().date_naive().to_string();
    view! {
        <div class="mb-6 flex flex-wrap items-start justify-between gap-4">
            <div>
                <div class="flex items-center gap-3">
                    <h1 class="text-2xl font-bold tracking-tight text-slate-900" data-testid="po-title">{title}</h1>
                    <StatusBadge status=po.status />
                </div>
                <p class="mt-1 text-sm text-slate-600">{subtitle}</p>
                {po.external_reference.clone().map(|r| view! { <p class="text-sm text-slate-600">{td!(lang, orders.your_reference, reference = r)}</p> })}
            </div>
            <div class="flex flex-wrap gap-2" data-testid="po-actions">
                {has(PoAction::Edit).then(|| view! { <a href=format!("/orders/{id}/edit") class=BUTTON_SECONDARY>{td_string!(lang, orders.edit_draft)}</a> })}
                {simple_actions.into_iter().map(simple).collect_view()}
            </div>
        </div>
        {(po.source == "email").then(|| view! { <crate::pages::EmailOrigin po_id=id /> })}
        {(!po.rejection_reason.is_empty() && po.status == PoStatus::Rejected).then(|| view! {
            <div role="alert" class="mb-6 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800" data-testid="rejection">
                <span class="font-semibold">{td_string!(lang, orders.rejected_prefix)}</span>{po.rejection_reason.clone()}
            </div>
        })}
        <div class="grid gap-6 lg:grid-cols-3">
            <div class="min-w-0 space-y-6 lg:col-span-2">
                {view! { <section class=CARD aria-labelledby="po-lines">
                    <h2 id="po-lines" class="text-lg font-semibold">{td_string!(lang, orders.lines)}</h2>
                    <div class="mt-3 overflow-x-auto">
                        <table class=TABLE data-testid="po-lines">
                            <thead>
                                <tr>
                                    <th class=TH scope="col">"#"</th>
                                    <th class=TH scope="col">{td_string!(lang, orders.product)}</th>
                                    <th class=format!("{TH} text-right") scope="col">{td_string!(lang, orders.quantity)}</th>
                                    <th class=format!("{TH} text-right") scope="col">{td_string!(lang, orders.unit_price)}</th>
                                    <th class=format!("{TH} text-right") scope="col">{td_string!(lang, orders.line_total)}</th>
                                    <th class=format!("{TH} text-right") scope="col">{td_string!(lang, orders.sims_assigned)}</th>
                                </tr>
                            </thead>
                            <tbody class="divide-y divide-slate-100">
                                {po.lines.iter().map(|l| view! {
                                    <tr>
                                        <td class=TD>{l.line_number}</td>
                                        <td class=TD>{l.product_name.clone()}<div class="text-xs text-slate-500">{l.part_number.clone()}</div></td>
                                        <td class=format!("{TD} text-right tabular-nums")>{l.quantity}</td>
                                        <td class=format!("{TD} text-right tabular-nums")>{regional.money(&l.unit_price)}</td>
                                        <td class=format!("{TD} text-right tabular-nums")>{regional.money(&l.line_total)}</td>
                                        <td class=format!("{TD} text-right tabular-nums")>{format!("{} / {}", l.provisioned_quantity, l.quantity)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                            <tfoot>
                                <tr>
                                    <td class=TD colspan="4"><span class="font-semibold">{td_string!(lang, orders.total)}</span></td>
                                    <td class=format!("{TD} text-right font-semibold tabular-nums") data-testid="po-total">{regional.money(&po.total)}</td>
                                    <td></td>
                                </tr>
                            </tfoot>
                        </table>
                    </div>
                </section> }.into_any()}
                {po.plausibility.clone().map(|checks| view! {
                    <section class=CARD aria-labelledby="po-checks" data-testid="plausibility">
                        <h2 id="po-checks" class="text-lg font-semibold">{td_string!(lang, orders.plausibility)}</h2>
                        <p class="text-xs text-slate-500">{td_string!(lang, orders.plausibility_when)}</p>
                        <ul class="mt-3 space-y-2 text-sm">
                            {checks.into_iter().map(|c| view! {
                                <li class="flex gap-2" data-passed=c.passed.to_string()>
                                    <span aria-hidden="true" class=if c.passed { "text-teal-700" } else { "text-amber-600" }>{if c.passed { "✓" } else { "!" }}</span>
                                    <span><span class="font-medium">{c.check_in(locale_of(lang)).to_owned()}</span><span class="sr-only">{if c.passed { td_string!(lang, orders.check_passed) } else { td_string!(lang, orders.check_attention) }}</span>": "{c.detail_in(locale_of(lang)).to_owned()}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    </section>
                }.into_any())}
                {(po.sim_count > 0).then(|| view! {
                    <section class=CARD aria-labelledby="po-sims">
                        <div class="flex flex-wrap items-center justify-between gap-2">
                            <h2 id="po-sims" class="text-lg font-semibold">{format!("{} ({})", td_string!(lang, orders.sims), po.sim_count)}</h2>
                            <a href=sims_csv.clone() class=BUTTON_SECONDARY download="sims.csv">{td_string!(lang, orders.download_csv)}</a>
                        </div>
                        <div class="mt-3 overflow-x-auto">
                            <table class=TABLE data-testid="po-sims">
                                <thead>
                                    <tr>
                                        <th class=TH scope="col">"ICCID"</th>
                                        <th class=TH scope="col">"IMSI"</th>
                                        <th class=TH scope="col">"MSISDN"</th>
                                        <th class=TH scope="col">{td_string!(lang, orders.billing_status)}</th>
                                        <th class=TH scope="col">{td_string!(lang, orders.price_plan)}</th>
                                    </tr>
                                </thead>
                                <tbody class="divide-y divide-slate-100 font-mono text-xs">
                                    {po.sims.iter().map(|s| view! {
                                        <tr data-testid="sim-row">
                                            <td class=TD>{s.iccid.clone()}</td>
                                            <td class=TD>{s.imsi.clone()}</td>
                                            <td class=TD>{s.msisdn.clone().map(|m| format!("+{m}")).unwrap_or_default()}</td>
                                            <td class=TD>{s.billing_status.clone().unwrap_or_default()}</td>
                                            <td class=TD>{s.price_plan.clone().unwrap_or_default()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        {(po.sim_count > po.sims.len() as u64).then(|| view! { <p class="mt-2 text-xs text-slate-500">{td!(lang, orders.sims_first_shown, shown = po.sims.len())}</p> })}
                    </section>
                }.into_any())}
                {has(PoAction::Provision).then(|| view! {
                    <section class=CARD aria-labelledby="po-provision" data-testid="provision">
                        <h2 id="po-provision" class="text-lg font-semibold">{td_string!(lang, orders.provision_sims)}</h2>
                        <div class="mt-3 flex flex-wrap items-start gap-6">
                            <ActionForm action=provision>
                                {hidden()}
                                <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, orders.take_from_stock)}</button>
                            </ActionForm>
                            <ActionForm action=provision attr:class="min-w-64 flex-1 space-y-2">
                                {hidden()}
                                <label for="identifiers" class=LABEL>{td_string!(lang, orders.assign_exactly)}</label>
                                <textarea id="identifiers" name="identifiers" rows="4" required class=format!("font-mono {INPUT}")></textarea>
                                {field_error(provision.value(), "identifiers")}
                                <button type="submit" class=BUTTON_SECONDARY>{td_string!(lang, orders.assign_these)}</button>
                            </ActionForm>
                        </div>
                    </section>
                }.into_any())}
                {has(PoAction::Ship).then(|| view! {
                    <section class=CARD aria-labelledby="po-ship">
                        <h2 id="po-ship" class="text-lg font-semibold">{td_string!(lang, orders.ship)}</h2>
                        <ActionForm action=ship attr:class="mt-3 grid gap-3 sm:grid-cols-3" attr:data-testid="ship-form">
                            {hidden()}
                            <Field id="ship-carrier" name="shipment[carrier]" label=td_string!(lang, orders.carrier) required=true error=error_of(ship.value(), "carrier") />
                            <Field id="ship-tracking" name="shipment[tracking_number]" label=td_string!(lang, orders.tracking_number) required=true error=error_of(ship.value(), "tracking_number") />
                            <Field id="ship-date" name="shipment[shipped_on]" label=td_string!(lang, orders.shipped_on) kind="date" required=true value=today.clone() error=error_of(ship.value(), "shipped_on") />
                            <div class="sm:col-span-3"><button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, orders.mark_shipped)}</button></div>
                        </ActionForm>
                    </section>
                }.into_any())}
                {reason_actions.into_iter().map(|action| {
                    let required = action.needs_reason();
                    let field_id = format!("reason-{}", action.as_str());
                    let label_for = field_id.clone();
                    let label = if required { td_string!(lang, orders.reason_required) } else { td_string!(lang, orders.reason_optional) };
                    // A refused reason (blanks, say) shows its message with the form open. Every step
                    // of the page shares one action, so only a reason's error opens, and only where
                    // a reason is required.
                    let needs_reason = action.needs_reason();
                    let failed = Signal::derive(move || {
                        needs_reason
                            && step.value().with(|v| matches!(v, Some(Err(error)) if error.field("reason").is_some()))
                    });
                    view! {
                        <section class=CARD aria-label=action.label_in(locale)>
                            <ConfirmStep label=format!("{}…", action.label_in(locale)) warning=step_warning(action, lang).to_owned() open=failed>
                                <ActionForm action=step attr:class="space-y-2" attr:data-testid=format!("{}-form", action.as_str())>
                                    {hidden()}
                                    <input type="hidden" name="step" value=action.as_str() />
                                    <label for=label_for class=LABEL>{label}</label>
                                    <textarea id=field_id name="reason" rows="2" required=required maxlength="2000" class=INPUT></textarea>
                                    {field_error(step.value(), "reason")}
                                    <button type="submit" class=BUTTON_DANGER>{reason_button(action, lang)}</button>
                                </ActionForm>
                            </ConfirmStep>
                        </section>
                    }.into_any()
                }).collect_view()}
            </div>
            {view! { <aside class="space-y-6">
                <section class=CARD aria-labelledby="po-shipping">
                    <h2 id="po-shipping" class="text-lg font-semibold">{td_string!(lang, orders.shipping)}</h2>
                    <address class="mt-2 text-sm not-italic text-slate-700">
                        {po.address.recipient.clone()}<br />{po.address.street.clone()}<br />{format!("{} {}", po.address.postal_code, po.address.city)}<br />{po.address.country.clone()}
                    </address>
                    <p class="mt-2 text-sm text-slate-600">{td!(lang, orders.requested_date, date = requested_date)}</p>
                    {po.shipment.clone().map(|s| view! {
                        <dl class="mt-3 text-sm" data-testid="shipment">
                            <dt class="font-medium">{td_string!(lang, orders.carrier)}</dt><dd>{s.carrier}</dd>
                            <dt class="mt-1 font-medium">{td_string!(lang, orders.tracking_number)}</dt><dd class="font-mono">{s.tracking_number}</dd>
                            <dt class="mt-1 font-medium">{td_string!(lang, orders.shipped_on)}</dt><dd>{s.shipped_on}</dd>
                        </dl>
                    })}
                    {(!po.comment.is_empty()).then(|| view! { <p class="mt-3 text-sm text-slate-700"><span class="font-medium">{td_string!(lang, orders.comment_prefix)}</span>{po.comment.clone()}</p> })}
                </section>
                <section class=CARD aria-labelledby="po-settings">
                    <h2 id="po-settings" class="text-lg font-semibold">{td_string!(lang, orders.sim_settings)}</h2>
                    <dl class="mt-2 space-y-1 text-sm">
                        {po.entitlements.iter().map(|e| view! {
                            <div class="flex justify-between gap-2">
                                <dt class="text-slate-600">{e.kind.label_in(locale)}</dt>
                                <dd class="text-right">{e.name.clone().unwrap_or_else(|| td_string!(lang, orders.none).to_owned())}{e.overridden.then(|| view! { <span class="ml-1 rounded bg-amber-50 px-1 text-xs text-amber-800 ring-1 ring-amber-200">{td_string!(lang, orders.for_this_order)}</span> })}</dd>
                            </div>
                        }).collect_view()}
                    </dl>
                </section>
                {(!po.procurement_messages.is_empty()).then(|| procurement_messages(id, &po.procurement_messages, retry, &regional, lang))}
                <section class=CARD aria-labelledby="po-timeline">
                    <h2 id="po-timeline" class="text-lg font-semibold">{td_string!(lang, orders.timeline)}</h2>
                    <ol class="mt-3 space-y-3 border-l border-slate-200 pl-4 text-sm" data-testid="timeline">
                        {po.timeline.iter().map(|e| view! {
                            <li data-action=e.action.as_str()>
                                <div class="font-medium text-slate-900">{e.action.past_tense_in(locale)}<span class="font-normal text-slate-500">{format!(" → {}", e.to_status.label_in(locale))}</span></div>
                                <div class="text-xs text-slate-500">{format!("{} · {}", e.actor, regional.time_text(&e.at))}</div>
                                {(!e.reason.is_empty()).then(|| view! { <div class="mt-1 text-slate-700">{timeline_reason_in(&e.reason, locale)}</div> })}
                            </li>
                        }).collect_view()}
                    </ol>
                </section>
            </aside> }.into_any()}
        </div>
    }
}

/// What was sent to the procurement system that ordered the PO, with a retry for what it
/// did not take.
fn procurement_messages(
    po_id: i64,
    messages: &[ProcurementMessage],
    retry: ServerAction<RetryProcurementMessage>,
    regional: &Regional,
    lang: Lang,
) -> impl IntoView {
    let rows = messages
        .iter()
        .map(|m| {
            let tone = match m.status {
                DeliveryStatus::Sent => "text-emerald-700",
                DeliveryStatus::Pending => "text-amber-700",
                DeliveryStatus::Failed => "text-red-700",
            };
            let when = regional.time_text(&m.status_at);
            let attempts = m.attempts;
            let next = m.attempts + 1;
            let detail = match m.status {
                DeliveryStatus::Sent => td!(lang, orders.delivery_sent, when = when).into_any(),
                DeliveryStatus::Pending if m.attempts == 0 => {
                    td_string!(lang, orders.delivery_soon).into_any()
                }
                DeliveryStatus::Pending => {
                    td!(lang, orders.delivery_due, attempt = next, when = when).into_any()
                }
                DeliveryStatus::Failed if m.attempts == 1 => {
                    td!(lang, orders.delivery_failed_one, attempts = attempts).into_any()
                }
                DeliveryStatus::Failed => {
                    td!(lang, orders.delivery_failed, attempts = attempts).into_any()
                }
            };
            let failed = m.status == DeliveryStatus::Failed;
            let message_id = m.id;
            view! {
                <li data-testid="procurement-message">
                    <div class="font-medium text-slate-900">{m.description.clone()}</div>
                    <div class="text-xs">
                        <span class=format!("font-medium {tone}")>{m.status.label_in(locale_of(lang))}</span>
                        <span class="text-slate-500">" "{detail}</span>
                    </div>
                    {(!m.last_error.is_empty()).then(|| view! {
                        <div class="mt-1 break-words text-xs text-slate-600">{m.last_error.clone()}</div>
                    })}
                    {failed.then(|| view! {
                        <ActionForm action=retry attr:class="mt-2">
                            <input type="hidden" name="id" value=po_id.to_string() />
                            <input type="hidden" name="message" value=message_id.to_string() />
                            <button type="submit" class=BUTTON_SECONDARY>{td_string!(lang, orders.send_again)}</button>
                        </ActionForm>
                    })}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class=CARD aria-labelledby="po-procurement">
            <h2 id="po-procurement" class="text-lg font-semibold">{td_string!(lang, orders.procurement_system)}</h2>
            <p class="mt-1 text-sm text-slate-600">{td_string!(lang, orders.procurement_intro)}</p>
            <ul class="mt-3 space-y-3 text-sm">{rows}</ul>
        </section>
    }
}

/// The provider's SIM stock: levels per product and the CSV upload.
#[component]
pub fn StockPage() -> impl IntoView {
    let levels = Resource::new(|| (), |_| stock_levels());
    let outcome = Resource::new(|| (), |_| take_stock_import_outcome());
    let lang = use_lang();
    view! {
        <Title text=td_string!(lang, orders.stock_title) />
        <PageHeader title=td_string!(lang, orders.stock_title).to_owned() subtitle=td_string!(lang, orders.stock_subtitle) />
        <Suspense>
            {move || Suspend::new(async move {
                match outcome.await {
                    Ok(outcome) => import_outcome_view(outcome, move |r| format!("{} {}.", td_string!(lang, orders.sims_loaded), r.created)).into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
        <div class="grid gap-8 lg:grid-cols-2">
            <section class=CARD aria-labelledby="stock-levels">
                <h2 id="stock-levels" class="text-lg font-semibold">{td_string!(lang, orders.stock_per_product)}</h2>
                <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match levels.await {
                            Ok(levels) => view! {
                                <table class=format!("mt-3 {TABLE}") data-testid="stock-levels">
                                    <thead>
                                        <tr>
                                            <th class=TH scope="col">{td_string!(lang, orders.product)}</th>
                                            <th class=format!("{TH} text-right") scope="col">{td_string!(lang, orders.free)}</th>
                                            <th class=format!("{TH} text-right") scope="col">{td_string!(lang, orders.assigned)}</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {levels.into_iter().map(|l| view! {
                                            <tr data-testid="stock-row" data-part-number=l.part_number.clone()>
                                                <td class=TD>{l.product_name}<div class="text-xs text-slate-500">{l.part_number.clone()}</div></td>
                                                <td class=format!("{TD} text-right tabular-nums") data-testid="stock-free">{l.free}</td>
                                                <td class=format!("{TD} text-right tabular-nums")>{l.assigned}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any(),
                            Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
            <section class=CARD aria-labelledby="stock-upload">
                <h2 id="stock-upload" class="text-lg font-semibold">{td_string!(lang, orders.load_sims)}</h2>
                <form method="post" action="/stock/import" enctype="multipart/form-data" class="mt-3 space-y-4" data-testid="stock-form">
                    <div>
                        <label for="stock-file" class=LABEL>{td_string!(lang, orders.csv_file)}</label>
                        <input id="stock-file" name="file" type="file" accept=".csv,text/csv" required class="mt-1 block w-full text-sm" />
                        <p class="mt-1 text-xs text-slate-500">
                            {td_string!(lang, orders.stock_csv_hint)}
                        </p>
                    </div>
                    <UploadButton
                        label=td_string!(lang, orders.load_sims).to_owned()
                        uploading=td_string!(lang, orders.uploading).to_owned()
                        uploaded=td_string!(lang, orders.uploaded).to_owned()
                    />
                </form>
            </section>
        </div>
    }
}
