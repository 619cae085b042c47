//! The tenant's catalog: product list, product form, entitlement options, settings.

use crate::components::server_action;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use simdesk_types::{FormFactor, OptionKind, OptionView, ProductStatus, ProductView, SimType};

use crate::api::catalog::{
    catalog_options, catalog_product, catalog_products, take_import_outcome, tenant_settings,
    CreateOption, CreateProduct, SetOptionActive, SetProductStatus, UpdateProduct,
    UpdateTenantSettings,
};
use crate::components::{
    action_feedback, error_of, import_outcome_view, next_page_link, use_session, Checkbox,
    EmptyState, ErrorPanel, Field, Notice, OptionSelect, PageHeader, Session, BUTTON_PRIMARY,
    BUTTON_SECONDARY, CARD, INPUT, LABEL, TABLE, TD, TH,
};
use crate::error::AppError;
use crate::i18n::td_string;
use crate::language::{locale_of, use_lang, Lang};

/// Whether the signed-in user may change the catalog (tenant admins) or only read it (agents),
/// from the user the layout loaded.
async fn can_edit(session: Session) -> bool {
    session.can(simdesk_types::Permission::ManageCatalog).await
}

#[component]
pub fn CatalogPage() -> impl IntoView {
    let query = use_query_map();
    let products = Resource::new(
        move || query.get(),
        |q| {
            catalog_products(
                q.get("search").unwrap_or_default(),
                q.get("status").unwrap_or_default(),
                q.get("sort").unwrap_or_default(),
                q.get("order").unwrap_or_default(),
                q.get("after"),
            )
        },
    );
    let session = use_session();
    let lang = use_lang();
    let selected = move |key: &'static str, value: &'static str| {
        query.read().get(key).as_deref() == Some(value)
    };
    view! {
        <Title text=td_string!(lang, catalog.catalog_title) />
        <div class="mb-6 flex flex-wrap items-end justify-between gap-4">
            <PageHeader title=td_string!(lang, catalog.products_title).to_owned() subtitle=td_string!(lang, catalog.products_subtitle) />
            <div class="flex flex-wrap gap-2">
                <a href="/catalog/options" class=BUTTON_SECONDARY>{td_string!(lang, catalog.options_title)}</a>
                <a href="/catalog/products.csv" class=BUTTON_SECONDARY download="products.csv">{td_string!(lang, catalog.export_csv)}</a>
                <Suspense>
                    {move || Suspend::new(async move {
                        can_edit(session).await.then(|| view! {
                            <a href="/catalog/import" class=BUTTON_SECONDARY>{td_string!(lang, catalog.import_csv)}</a>
                            <a href="/catalog/new" class=BUTTON_PRIMARY>{td_string!(lang, catalog.new_product)}</a>
                        })
                    })}
                </Suspense>
            </div>
        </div>
        <form method="get" class="mb-4 flex flex-wrap items-end gap-3" role="search">
            <div>
                <label for="search" class=LABEL>{td_string!(lang, catalog.search)}</label>
                <input id="search" name="search" type="search" placeholder=td_string!(lang, catalog.search_placeholder) value=move || query.read().get("search").unwrap_or_default() class=format!("mt-1 {INPUT}") />
            </div>
            <div>
                <label for="status" class=LABEL>{td_string!(lang, catalog.status)}</label>
                <select id="status" name="status" class=format!("mt-1 {INPUT}")>
                    <option value="">{td_string!(lang, catalog.any)}</option>
                    <option value="active" selected=move || selected("status", "active")>{td_string!(lang, catalog.status_active)}</option>
                    <option value="retired" selected=move || selected("status", "retired")>{td_string!(lang, catalog.status_retired)}</option>
                </select>
            </div>
            <div>
                <label for="sort" class=LABEL>{td_string!(lang, catalog.sort_by)}</label>
                <select id="sort" name="sort" class=format!("mt-1 {INPUT}")>
                    <option value="name">{td_string!(lang, catalog.name)}</option>
                    <option value="part_number" selected=move || selected("sort", "part_number")>{td_string!(lang, catalog.part_number)}</option>
                    <option value="price" selected=move || selected("sort", "price")>{td_string!(lang, catalog.price)}</option>
                </select>
            </div>
            <div>
                <label for="order" class=LABEL>{td_string!(lang, catalog.sort_order)}</label>
                <select id="order" name="order" class=format!("mt-1 {INPUT}")>
                    <option value="asc">{td_string!(lang, catalog.ascending)}</option>
                    <option value="desc" selected=move || selected("order", "desc")>{td_string!(lang, catalog.descending)}</option>
                </select>
            </div>
            <button type="submit" class=BUTTON_SECONDARY>{td_string!(lang, catalog.apply)}</button>
        </form>
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let regional = session.regional().await;
                match products.await {
                    Ok(page) if page.rows.is_empty() => view! { <EmptyState message=td_string!(lang, catalog.no_products) /> }.into_any(),
                    Ok(page) => view! {
                        <div class="relative overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
                            <table class=TABLE data-testid="products-table">
                                <thead class="bg-slate-50">
                                    <tr>
                                        <th class=TH scope="col">{td_string!(lang, catalog.product)}</th>
                                        <th class=TH scope="col">{td_string!(lang, catalog.part_number)}</th>
                                        <th class=TH scope="col">{td_string!(lang, catalog.col_type)}</th>
                                        <th class=TH scope="col">{td_string!(lang, catalog.list_price)}</th>
                                        <th class=TH scope="col">{td_string!(lang, catalog.status)}</th>
                                    </tr>
                                </thead>
                                <tbody class="divide-y divide-slate-100">
                                    {page.rows.into_iter().map(|p| view! {
                                        <tr data-testid="product-row">
                                            <td class=TD><a class="font-medium text-teal-800 underline-offset-2 hover:underline" href=format!("/catalog/products/{}", p.id)>{p.name}</a></td>
                                            <td class=format!("{TD} font-mono")>{p.part_number}</td>
                                            <td class=TD>{format!("{} · {}", p.sim_type.label_in(locale_of(lang)), p.form_factor.as_str())}</td>
                                            <td class=format!("{TD} whitespace-nowrap")>{regional.money(&p.price)}</td>
                                            <td class=TD>{p.status.label_in(locale_of(lang))}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        {next_page_link("/catalog", &query.get_untracked(), page.next)}
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn options_of(options: &[OptionView], kind: OptionKind) -> Vec<OptionView> {
    options.iter().filter(|o| o.kind == kind).cloned().collect()
}

/// The fields of a product, filled from `product` when editing. Names are `input[…]`.
#[component]
fn ProductFields<T>(
    lang: Lang,
    product: Option<ProductView>,
    options: Vec<OptionView>,
    result: Signal<Option<Result<T, AppError>>>,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
{
    let p = product.clone();
    let value = move |f: fn(&ProductView) -> String| p.as_ref().map(f).unwrap_or_default();
    let err = move |field: &'static str| error_of(result, field);
    let sim_type = product.as_ref().map(|p| p.sim_type);
    let form_factor = product.as_ref().map(|p| p.form_factor);
    let defaults = product
        .as_ref()
        .map(|p| p.defaults.clone())
        .unwrap_or_default();
    view! {
        <div class="grid gap-4 sm:grid-cols-2">
            <Field id="part_number" name="input[part_number]" label=td_string!(lang, catalog.part_number) required=true value=value(|p| p.part_number.clone()) error=err("part_number") />
            <Field id="name" name="input[name]" label=td_string!(lang, catalog.name) required=true value=value(|p| p.name.clone()) error=err("name") />
            <div>
                <label for="sim_type" class=LABEL>{td_string!(lang, catalog.sim_type)}</label>
                <select id="sim_type" name="input[sim_type]" class=format!("mt-1 {INPUT}")>
                    {SimType::ALL.iter().map(|t| view! { <option value=t.as_str() selected=sim_type == Some(*t)>{t.label_in(locale_of(lang))}</option> }).collect_view()}
                </select>
            </div>
            <div>
                <label for="form_factor" class=LABEL>{td_string!(lang, catalog.form_factor)}</label>
                <select id="form_factor" name="input[form_factor]" class=format!("mt-1 {INPUT}")>
                    {FormFactor::ALL.iter().map(|f| view! { <option value=f.as_str() selected=form_factor == Some(*f)>{f.label_in(locale_of(lang))}</option> }).collect_view()}
                </select>
            </div>
            <Field id="unit_price" name="input[unit_price]" label=td_string!(lang, catalog.unit_price) required=true hint=td_string!(lang, catalog.unit_price_hint) value=value(|p| crate::components::amount_text(&p.price)) error=err("unit_price") />
            <Field id="currency" name="input[currency]" label=td_string!(lang, catalog.currency) required=true hint=td_string!(lang, catalog.currency_hint) value=product.as_ref().map(|p| p.price.currency.clone()).unwrap_or_else(|| "EUR".into()) error=err("currency") />
            <Field id="unspsc" name="input[unspsc]" label=td_string!(lang, catalog.unspsc_code) required=true hint=td_string!(lang, catalog.unspsc_hint) value=value(|p| p.unspsc.clone()) error=err("unspsc") />
            <Field id="unit_of_measure" name="input[unit_of_measure]" label=td_string!(lang, catalog.unit_of_measure) value=product.as_ref().map(|p| p.unit_of_measure.clone()).unwrap_or_else(|| "EA".into()) error=err("unit_of_measure") />
            <Field id="min_order_quantity" name="input[min_order_quantity]" label=td_string!(lang, catalog.min_order_quantity) kind="number" value=product.as_ref().map(|p| p.min_order_quantity.to_string()).unwrap_or_else(|| "1".into()) error=err("min_order_quantity") />
            <Field id="max_order_quantity" name="input[max_order_quantity]" label=td_string!(lang, catalog.max_order_quantity) kind="number" value=product.as_ref().map(|p| p.max_order_quantity.to_string()).unwrap_or_else(|| "100000".into()) error=err("max_order_quantity") />
            <Field id="order_increment" name="input[order_increment]" label=td_string!(lang, catalog.order_increment) kind="number" value=product.as_ref().map(|p| p.order_increment.to_string()).unwrap_or_else(|| "1".into()) error=err("order_increment") />
            <Field id="branding" name="input[branding]" label=td_string!(lang, catalog.branding) value=value(|p| p.branding.clone()) error=err("branding") />
            <Field id="features" name="input[features]" label=td_string!(lang, catalog.hw_sw_features) value=value(|p| p.features.clone()) error=err("features") />
            <Field id="description" name="input[description]" label=td_string!(lang, catalog.description) value=value(|p| p.description.clone()) error=err("description") />
        </div>
        <h3 class="mt-6 text-sm font-semibold text-slate-900">{td_string!(lang, catalog.predefined_settings)}</h3>
        <div class="mt-2 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            <OptionSelect id="initial_billing_status" name="input[initial_billing_status]" label=td_string!(lang, catalog.initial_billing_status) options=options_of(&options, OptionKind::BillingStatus) selected=defaults.billing_status error=err("default_billing_status") />
            <OptionSelect id="default_price_plan" name="input[default_price_plan]" label=td_string!(lang, catalog.price_plan) options=options_of(&options, OptionKind::PricePlan) selected=defaults.price_plan error=err("default_price_plan") />
            <OptionSelect id="default_service_profile" name="input[default_service_profile]" label=td_string!(lang, catalog.service_profile) options=options_of(&options, OptionKind::ServiceProfile) selected=defaults.service_profile error=err("default_service_profile") />
            <OptionSelect id="default_roaming_profile" name="input[default_roaming_profile]" label=td_string!(lang, catalog.roaming_profile) options=options_of(&options, OptionKind::RoamingProfile) selected=defaults.roaming_profile error=err("default_roaming_profile") />
            <OptionSelect id="default_apn_group" name="input[default_apn_group]" label=td_string!(lang, catalog.apn_group) options=options_of(&options, OptionKind::ApnGroup) selected=defaults.apn_group error=err("default_apn_group") />
        </div>
    }
}

/// A failed save, summarised above the buttons; the fields show their own messages too.
fn general_error<T: Clone + Send + Sync + 'static>(
    result: Signal<Option<Result<T, AppError>>>,
) -> impl IntoView {
    move || {
        result
            .get()
            .and_then(|r| r.err())
            .map(|error| view! { <ErrorPanel error /> })
    }
}

#[component]
pub fn ProductNewPage() -> impl IntoView {
    let create = server_action::<CreateProduct>();
    let options = Resource::new(|| (), |_| catalog_options());
    let result = Signal::derive(move || create.value().get());
    let lang = use_lang();
    view! {
        <Title text=td_string!(lang, catalog.new_product) />
        <PageHeader title=td_string!(lang, catalog.new_product_title).to_owned() />
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match options.await {
                    Ok(options) => view! {
                        <ActionForm action=create attr:class=format!("{CARD} space-y-4") attr:data-testid="product-form">
                            <ProductFields lang product=None options result />
                            {general_error(result)}
                            <div class="flex gap-3">
                                <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, catalog.create_product)}</button>
                                <a href="/catalog" class=BUTTON_SECONDARY>{td_string!(lang, catalog.cancel)}</a>
                            </div>
                        </ActionForm>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn ProductEditPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let update = server_action::<UpdateProduct>();
    let status = server_action::<SetProductStatus>();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or_default()
    };
    let data = Resource::new(
        move || (id(), update.version().get(), status.version().get()),
        |(id, _, _)| async move {
            Ok::<_, AppError>((catalog_product(id).await?, catalog_options().await?))
        },
    );
    let result = Signal::derive(move || update.value().get());
    let session = use_session();
    let lang = use_lang();
    view! {
        <Title text=td_string!(lang, catalog.product_title) />
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let editable = can_edit(session).await;
                let regional = session.regional().await;
                match data.await {
                    Ok((product, options)) => {
                        let retired = product.status == ProductStatus::Retired;
                        let id = product.id;
                        let version = product.version;
                        view! {
                            <PageHeader title=product.name.clone() subtitle=format!("{} · {} · {}", product.part_number, regional.money(&product.price), product.status.label_in(locale_of(lang))) />
                            <div class="mb-4 space-y-2">
                                {query.read().get("saved").map(|_| view! { <Notice message=td_string!(lang, catalog.product_created).to_owned() /> })}
                                {action_feedback(update, td_string!(lang, catalog.product_saved))}
                                {action_feedback(status, td_string!(lang, catalog.status_changed))}
                            </div>
                            {if editable {
                                view! {
                                    <ActionForm action=update attr:class=format!("{CARD} space-y-4") attr:data-testid="product-form">
                                        <input type="hidden" name="id" value=id.to_string() />
                                        <input type="hidden" name="version" value=version.to_string() />
                                        <ProductFields lang product=Some(product.clone()) options result />
                                        <div class="flex flex-wrap gap-3">
                                            <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, catalog.save_product)}</button>
                                            <a href="/catalog" class=BUTTON_SECONDARY>{td_string!(lang, catalog.back_to_catalog)}</a>
                                        </div>
                                    </ActionForm>
                                    <ActionForm action=status attr:class="mt-4">
                                        <input type="hidden" name="id" value=id.to_string() />
                                        <input type="hidden" name="version" value=version.to_string() />
                                        <input type="hidden" name="status" value=if retired { "active" } else { "retired" } />
                                        <button type="submit" class=BUTTON_SECONDARY>
                                            {if retired { td_string!(lang, catalog.make_active_again) } else { td_string!(lang, catalog.retire_product) }}
                                        </button>
                                        <p class="mt-1 text-xs text-slate-500">{td_string!(lang, catalog.retired_hint)}</p>
                                    </ActionForm>
                                }.into_any()
                            } else {
                                view! { <ProductSummary lang product /> }.into_any()
                            }}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProductSummary(lang: Lang, product: ProductView) -> impl IntoView {
    let locale = locale_of(lang);
    let rows = [
        (
            td_string!(lang, catalog.sim_type),
            product.sim_type.label_in(locale).to_owned(),
        ),
        (
            td_string!(lang, catalog.form_factor),
            product.form_factor.label_in(locale).to_owned(),
        ),
        (td_string!(lang, catalog.features), product.features.clone()),
        (td_string!(lang, catalog.branding), product.branding.clone()),
        ("UNSPSC", product.unspsc.clone()),
        (
            td_string!(lang, catalog.order_quantity),
            format!(
                "{} {} {}, {} {}",
                product.min_order_quantity,
                td_string!(lang, catalog.quantity_to),
                product.max_order_quantity,
                td_string!(lang, catalog.quantity_in_steps_of),
                product.order_increment
            ),
        ),
        (
            td_string!(lang, catalog.description),
            product.description.clone(),
        ),
    ];
    view! {
        <dl class=format!("{CARD} grid gap-3 sm:grid-cols-2")>
            {rows.into_iter().map(|(term, value)| view! {
                <div>
                    <dt class="text-xs font-medium uppercase text-slate-500">{term}</dt>
                    <dd class="text-sm text-slate-800">{value}</dd>
                </div>
            }).collect_view()}
        </dl>
    }
}

#[component]
pub fn OptionsPage() -> impl IntoView {
    let create = server_action::<CreateOption>();
    let toggle = server_action::<SetOptionActive>();
    let options = Resource::new(
        move || (create.version().get(), toggle.version().get()),
        |_| catalog_options(),
    );
    let session = use_session();
    let lang = use_lang();
    view! {
        <Title text=td_string!(lang, catalog.options_title) />
        <PageHeader title=td_string!(lang, catalog.options_title).to_owned() subtitle=td_string!(lang, catalog.options_subtitle) />
        <div class="mb-4 space-y-2">
            {action_feedback(toggle, td_string!(lang, catalog.option_updated))}
        </div>
        <div class="grid gap-8 lg:grid-cols-3">
            <section class="min-w-0 space-y-6 lg:col-span-2">
                <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        let editable = can_edit(session).await;
                        match options.await {
                            Ok(options) => OptionKind::ALL.iter().map(|kind| {
                                let of_kind = options_of(&options, *kind);
                                view! {
                                    <div>
                                        <h2 class="mb-2 text-lg font-semibold">{kind.label_in(locale_of(lang))}</h2>
                                        {if of_kind.is_empty() {
                                            view! { <EmptyState message=td_string!(lang, catalog.none_yet) /> }.into_any()
                                        } else {
                                            view! {
                                                <ul class="divide-y divide-slate-100 rounded-lg bg-white shadow-sm ring-1 ring-slate-200" data-testid=format!("options-{}", kind.as_str())>
                                                    {of_kind.into_iter().map(|o| view! {
                                                        <li class="flex items-center justify-between gap-4 px-4 py-2 text-sm">
                                                            <span>
                                                                <span class="font-medium">{o.name.clone()}</span>
                                                                <span class="ml-2 font-mono text-slate-500">{o.code.clone()}</span>
                                                                {(!o.active).then(|| view! { <span class="ml-2 text-xs text-slate-500">{td_string!(lang, catalog.retired_marker)}</span> })}
                                                            </span>
                                                            {editable.then(|| view! {
                                                                <ActionForm action=toggle>
                                                                    <input type="hidden" name="id" value=o.id.to_string() />
                                                                    <input type="hidden" name="active" value=(!o.active).to_string() />
                                                                    <button type="submit" class=BUTTON_SECONDARY>{if o.active { td_string!(lang, catalog.retire) } else { td_string!(lang, catalog.restore) }}</button>
                                                                </ActionForm>
                                                            })}
                                                        </li>
                                                    }).collect_view()}
                                                </ul>
                                            }.into_any()
                                        }}
                                    </div>
                                }
                            }).collect_view().into_any(),
                            Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
            <section class=CARD aria-labelledby="new-option">
                <h2 id="new-option" class="text-lg font-semibold">{td_string!(lang, catalog.add_an_option)}</h2>
                <ActionForm action=create attr:class="mt-4 space-y-4" attr:data-testid="option-form">
                    <div>
                        <label for="option-kind" class=LABEL>{td_string!(lang, catalog.kind)}</label>
                        <select id="option-kind" name="kind" class=format!("mt-1 {INPUT}")>
                            {OptionKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.label_in(locale_of(lang))}</option> }).collect_view()}
                        </select>
                    </div>
                    <Field id="option-code" name="code" label=td_string!(lang, catalog.code) required=true hint=td_string!(lang, catalog.code_hint) error=error_of(create.value(), "code") />
                    <Field id="option-name" name="name" label=td_string!(lang, catalog.name) required=true error=error_of(create.value(), "name") />
                    <Field id="option-description" name="description" label=td_string!(lang, catalog.description) error=error_of(create.value(), "description") />
                    <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, catalog.add_option)}</button>
                    {move || create.value().get().map(|r| match r {
                        Ok(o) => view! { <Notice message=format!("{} {} {}", o.kind.label_in(locale_of(lang)), o.code, td_string!(lang, catalog.option_added)) /> }.into_any(),
                        Err(AppError::Invalid(_)) => ().into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    })}
                </ActionForm>
            </section>
        </div>
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let save = server_action::<UpdateTenantSettings>();
    let settings = Resource::new(move || save.version().get(), |_| tenant_settings());
    let lang = use_lang();
    view! {
        <Title text=td_string!(lang, catalog.settings_title) />
        <PageHeader title=td_string!(lang, catalog.settings_heading).to_owned() subtitle=td_string!(lang, catalog.settings_subtitle) />
        <p class="mb-4 text-sm">
            <a href="/settings/mailbox" class="font-medium text-teal-800 underline">{td_string!(lang, catalog.order_mailbox)}</a>
            <span class="text-slate-600">{td_string!(lang, catalog.order_mailbox_hint)}</span>
        </p>
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(s) => view! {
                        <ActionForm action=save attr:class=format!("max-w-xl space-y-4 {CARD}")>
                            <Field id="settings-name" name="settings[name]" label=td_string!(lang, catalog.name) required=true value=s.name.clone() error=error_of(save.value(), "name") />
                            <Field id="settings-color" name="settings[brand_color]" label=td_string!(lang, catalog.brand_colour) hint=td_string!(lang, catalog.brand_colour_hint) value=s.brand_color.clone() error=error_of(save.value(), "brand_color") />
                            <Field id="settings-logo" name="settings[logo_url]" label=td_string!(lang, catalog.logo_address) hint=td_string!(lang, catalog.logo_address_hint) value=s.logo_url.clone() error=error_of(save.value(), "logo_url") />
                            <Field id="settings-email" name="settings[support_email]" label=td_string!(lang, catalog.support_email) kind="email" value=s.support_email.clone() error=error_of(save.value(), "support_email") />
                            <Checkbox id="settings-overrides" name="settings[allow_default_overrides]" checked=s.allow_default_overrides label=td_string!(lang, catalog.allow_overrides) hint=td_string!(lang, catalog.allow_overrides_hint) />
                            <Checkbox id="settings-auto-accept" name="settings[punchout_auto_accept]" checked=s.punchout_auto_accept label=td_string!(lang, catalog.auto_accept) hint=td_string!(lang, catalog.auto_accept_hint) />
                            <fieldset class="space-y-4 border-t border-slate-200 pt-4">
                                <legend class="text-sm font-semibold text-slate-900">{td_string!(lang, catalog.messages_and_alarms)}</legend>
                                <Field id="settings-stale" name="settings[alarm_stale_minutes]" label=td_string!(lang, catalog.alarm_stale) kind="number" required=true value=s.alarm_stale_minutes.clone() hint=td_string!(lang, catalog.alarm_stale_hint) error=error_of(save.value(), "alarm_stale_minutes") />
                                <Field id="settings-burst" name="settings[alarm_refusal_burst]" label=td_string!(lang, catalog.alarm_burst) kind="number" required=true value=s.alarm_refusal_burst.clone() hint=td_string!(lang, catalog.alarm_burst_hint) error=error_of(save.value(), "alarm_refusal_burst") />
                                <Field id="settings-retention" name="settings[message_retention_days]" label=td_string!(lang, catalog.retention) kind="number" required=true value=s.message_retention_days.clone() hint=td_string!(lang, catalog.retention_hint) error=error_of(save.value(), "message_retention_days") />
                                <Field id="settings-page-hosts" name="settings[order_page_hosts]" label=td_string!(lang, catalog.page_hosts) value=s.order_page_hosts.clone() hint=td_string!(lang, catalog.page_hosts_hint) error=error_of(save.value(), "order_page_hosts") />
                            </fieldset>
                            <fieldset class="space-y-4 border-t border-slate-200 pt-4">
                                <legend class="text-sm font-semibold text-slate-900">{td_string!(lang, catalog.sim_stock)}</legend>
                                <Field id="settings-low-stock" name="settings[low_stock_threshold]" label=td_string!(lang, catalog.low_stock) kind="number" required=true value=s.low_stock_threshold.clone() hint=td_string!(lang, catalog.low_stock_hint) error=error_of(save.value(), "low_stock_threshold") />
                            </fieldset>
                            <fieldset class="space-y-4 border-t border-slate-200 pt-4">
                                <legend class="text-sm font-semibold text-slate-900">{td_string!(lang, catalog.sign_in)}</legend>
                                <Checkbox id="settings-second-factor" name="settings[require_second_factor]" checked=s.require_second_factor label=td_string!(lang, catalog.require_second_factor) hint=td_string!(lang, catalog.require_second_factor_hint) />
                            </fieldset>
                            <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, catalog.save_settings)}</button>
                            {action_feedback(save, td_string!(lang, catalog.settings_saved))}
                        </ActionForm>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let outcome = Resource::new(|| (), |_| take_import_outcome());
    let lang = use_lang();
    view! {
        <Title text=td_string!(lang, catalog.import_title) />
        <PageHeader title=td_string!(lang, catalog.import_heading).to_owned() subtitle=td_string!(lang, catalog.import_subtitle) />
        <Suspense>
            {move || Suspend::new(async move {
                match outcome.await {
                    Ok(outcome) => import_outcome_view(outcome, move |r| {
                        format!(
                            "{} {} {} {} {}",
                            td_string!(lang, catalog.imported),
                            r.created,
                            td_string!(lang, catalog.imported_created),
                            r.updated,
                            td_string!(lang, catalog.imported_updated)
                        )
                    }).into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
        <form method="post" action="/catalog/products/import" enctype="multipart/form-data" class=format!("max-w-xl space-y-4 {CARD}")>
            <div>
                <label for="import-file" class=LABEL>{td_string!(lang, catalog.csv_file)}</label>
                <input id="import-file" name="file" type="file" accept=".csv,text/csv" required class="mt-1 block w-full text-sm" />
                <p class="mt-1 text-xs text-slate-500">
                    {td_string!(lang, catalog.import_columns_hint)}
                </p>
            </div>
            <div class="flex gap-3">
                <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, catalog.import)}</button>
                <a href="/catalog/products.csv" class=BUTTON_SECONDARY download="products.csv">{td_string!(lang, catalog.download_catalog)}</a>
            </div>
        </form>
    }
}
