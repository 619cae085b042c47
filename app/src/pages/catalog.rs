//! The tenant's catalog: product list, product form, entitlement options, settings.

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
    let selected = move |key: &'static str, value: &'static str| {
        query.read().get(key).as_deref() == Some(value)
    };
    view! {
        <Title text="Catalog" />
        <div class="mb-6 flex flex-wrap items-end justify-between gap-4">
            <PageHeader title="SIM sales products".to_owned() subtitle="What your enterprise accounts can be offered, at list price." />
            <div class="flex flex-wrap gap-2">
                <a href="/catalog/options" class=BUTTON_SECONDARY>"Entitlement options"</a>
                <a href="/catalog/products.csv" class=BUTTON_SECONDARY download="products.csv">"Export CSV"</a>
                <Suspense>
                    {move || Suspend::new(async move {
                        can_edit(session).await.then(|| view! {
                            <a href="/catalog/import" class=BUTTON_SECONDARY>"Import CSV"</a>
                            <a href="/catalog/new" class=BUTTON_PRIMARY>"New product"</a>
                        })
                    })}
                </Suspense>
            </div>
        </div>
        <form method="get" class="mb-4 flex flex-wrap items-end gap-3" role="search">
            <div>
                <label for="search" class=LABEL>"Search"</label>
                <input id="search" name="search" type="search" placeholder="Name or part number" value=move || query.read().get("search").unwrap_or_default() class=format!("mt-1 {INPUT}") />
            </div>
            <div>
                <label for="status" class=LABEL>"Status"</label>
                <select id="status" name="status" class=format!("mt-1 {INPUT}")>
                    <option value="">"Any"</option>
                    <option value="active" selected=move || selected("status", "active")>"Active"</option>
                    <option value="retired" selected=move || selected("status", "retired")>"Retired"</option>
                </select>
            </div>
            <div>
                <label for="sort" class=LABEL>"Sort by"</label>
                <select id="sort" name="sort" class=format!("mt-1 {INPUT}")>
                    <option value="name">"Name"</option>
                    <option value="part_number" selected=move || selected("sort", "part_number")>"Part number"</option>
                    <option value="price" selected=move || selected("sort", "price")>"Price"</option>
                </select>
            </div>
            <div>
                <label for="order" class=LABEL>"Order"</label>
                <select id="order" name="order" class=format!("mt-1 {INPUT}")>
                    <option value="asc">"Ascending"</option>
                    <option value="desc" selected=move || selected("order", "desc")>"Descending"</option>
                </select>
            </div>
            <button type="submit" class=BUTTON_SECONDARY>"Apply"</button>
        </form>
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let regional = session.regional().await;
                match products.await {
                    Ok(page) if page.rows.is_empty() => view! { <EmptyState message="No products match. Create one, or change the filter." /> }.into_any(),
                    Ok(page) => view! {
                        <div class="relative overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
                            <table class=TABLE data-testid="products-table">
                                <thead class="bg-slate-50">
                                    <tr>
                                        <th class=TH scope="col">"Product"</th>
                                        <th class=TH scope="col">"Part number"</th>
                                        <th class=TH scope="col">"Type"</th>
                                        <th class=TH scope="col">"List price"</th>
                                        <th class=TH scope="col">"Status"</th>
                                    </tr>
                                </thead>
                                <tbody class="divide-y divide-slate-100">
                                    {page.rows.into_iter().map(|p| view! {
                                        <tr data-testid="product-row">
                                            <td class=TD><a class="font-medium text-teal-800 underline-offset-2 hover:underline" href=format!("/catalog/products/{}", p.id)>{p.name}</a></td>
                                            <td class=format!("{TD} font-mono")>{p.part_number}</td>
                                            <td class=TD>{format!("{} · {}", p.sim_type.label(), p.form_factor.as_str())}</td>
                                            <td class=format!("{TD} whitespace-nowrap")>{regional.money(&p.price)}</td>
                                            <td class=TD>{p.status.label()}</td>
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
            <Field id="part_number" name="input[part_number]" label="Part number" required=true value=value(|p| p.part_number.clone()) error=err("part_number") />
            <Field id="name" name="input[name]" label="Name" required=true value=value(|p| p.name.clone()) error=err("name") />
            <div>
                <label for="sim_type" class=LABEL>"SIM type"</label>
                <select id="sim_type" name="input[sim_type]" class=format!("mt-1 {INPUT}")>
                    {SimType::ALL.iter().map(|t| view! { <option value=t.as_str() selected=sim_type == Some(*t)>{t.label()}</option> }).collect_view()}
                </select>
            </div>
            <div>
                <label for="form_factor" class=LABEL>"Form factor"</label>
                <select id="form_factor" name="input[form_factor]" class=format!("mt-1 {INPUT}")>
                    {FormFactor::ALL.iter().map(|f| view! { <option value=f.as_str() selected=form_factor == Some(*f)>{f.label()}</option> }).collect_view()}
                </select>
            </div>
            <Field id="unit_price" name="input[unit_price]" label="Unit price" required=true hint="For example 4.90" value=value(|p| crate::components::amount_text(&p.price)) error=err("unit_price") />
            <Field id="currency" name="input[currency]" label="Currency" required=true hint="ISO 4217, for example EUR" value=product.as_ref().map(|p| p.price.currency.clone()).unwrap_or_else(|| "EUR".into()) error=err("currency") />
            <Field id="unspsc" name="input[unspsc]" label="UNSPSC code" required=true hint="8 digits, for example 43191501" value=value(|p| p.unspsc.clone()) error=err("unspsc") />
            <Field id="unit_of_measure" name="input[unit_of_measure]" label="Unit of measure" value=product.as_ref().map(|p| p.unit_of_measure.clone()).unwrap_or_else(|| "EA".into()) error=err("unit_of_measure") />
            <Field id="min_order_quantity" name="input[min_order_quantity]" label="Minimum order quantity" kind="number" value=product.as_ref().map(|p| p.min_order_quantity.to_string()).unwrap_or_else(|| "1".into()) error=err("min_order_quantity") />
            <Field id="max_order_quantity" name="input[max_order_quantity]" label="Maximum order quantity" kind="number" value=product.as_ref().map(|p| p.max_order_quantity.to_string()).unwrap_or_else(|| "100000".into()) error=err("max_order_quantity") />
            <Field id="order_increment" name="input[order_increment]" label="Order increment" kind="number" value=product.as_ref().map(|p| p.order_increment.to_string()).unwrap_or_else(|| "1".into()) error=err("order_increment") />
            <Field id="branding" name="input[branding]" label="Branding" value=value(|p| p.branding.clone()) error=err("branding") />
            <Field id="features" name="input[features]" label="Hardware and software features" value=value(|p| p.features.clone()) error=err("features") />
            <Field id="description" name="input[description]" label="Description" value=value(|p| p.description.clone()) error=err("description") />
        </div>
        <h3 class="mt-6 text-sm font-semibold text-slate-900">"Predefined settings"</h3>
        <div class="mt-2 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            <OptionSelect id="initial_billing_status" name="input[initial_billing_status]" label="Initial billing status" options=options_of(&options, OptionKind::BillingStatus) selected=defaults.billing_status error=err("default_billing_status") />
            <OptionSelect id="default_price_plan" name="input[default_price_plan]" label="Price plan" options=options_of(&options, OptionKind::PricePlan) selected=defaults.price_plan error=err("default_price_plan") />
            <OptionSelect id="default_service_profile" name="input[default_service_profile]" label="Service profile" options=options_of(&options, OptionKind::ServiceProfile) selected=defaults.service_profile error=err("default_service_profile") />
            <OptionSelect id="default_roaming_profile" name="input[default_roaming_profile]" label="Roaming profile" options=options_of(&options, OptionKind::RoamingProfile) selected=defaults.roaming_profile error=err("default_roaming_profile") />
            <OptionSelect id="default_apn_group" name="input[default_apn_group]" label="APN group" options=options_of(&options, OptionKind::ApnGroup) selected=defaults.apn_group error=err("default_apn_group") />
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
    let create = ServerAction::<CreateProduct>::new();
    let options = Resource::new(|| (), |_| catalog_options());
    let result = Signal::derive(move || create.value().get());
    view! {
        <Title text="New product" />
        <PageHeader title="New SIM sales product".to_owned() />
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match options.await {
                    Ok(options) => view! {
                        <ActionForm action=create attr:class=format!("{CARD} space-y-4") attr:data-testid="product-form">
                            <ProductFields product=None options result />
                            {general_error(result)}
                            <div class="flex gap-3">
                                <button type="submit" class=BUTTON_PRIMARY>"Create product"</button>
                                <a href="/catalog" class=BUTTON_SECONDARY>"Cancel"</a>
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
    let update = ServerAction::<UpdateProduct>::new();
    let status = ServerAction::<SetProductStatus>::new();
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
    view! {
        <Title text="Product" />
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let editable = can_edit(session).await;
                let regional = session.regional().await;
                match data.await {
                    Ok((product, options)) => {
                        let retired = product.status == ProductStatus::Retired;
                        let id = product.id;
                        let version = product.version;
                        view! {
                            <PageHeader title=product.name.clone() subtitle=format!("{} · {} · {}", product.part_number, regional.money(&product.price), product.status.label()) />
                            <div class="mb-4 space-y-2">
                                {query.read().get("saved").map(|_| view! { <Notice message="Product created.".to_owned() /> })}
                                {action_feedback(update.value(), "Product saved.")}
                                {action_feedback(status.value(), "Status changed.")}
                            </div>
                            {if editable {
                                view! {
                                    <ActionForm action=update attr:class=format!("{CARD} space-y-4") attr:data-testid="product-form">
                                        <input type="hidden" name="id" value=id.to_string() />
                                        <input type="hidden" name="version" value=version.to_string() />
                                        <ProductFields product=Some(product.clone()) options result />
                                        <div class="flex flex-wrap gap-3">
                                            <button type="submit" class=BUTTON_PRIMARY>"Save product"</button>
                                            <a href="/catalog" class=BUTTON_SECONDARY>"Back to the catalog"</a>
                                        </div>
                                    </ActionForm>
                                    <ActionForm action=status attr:class="mt-4">
                                        <input type="hidden" name="id" value=id.to_string() />
                                        <input type="hidden" name="version" value=version.to_string() />
                                        <input type="hidden" name="status" value=if retired { "active" } else { "retired" } />
                                        <button type="submit" class=BUTTON_SECONDARY>
                                            {if retired { "Make active again" } else { "Retire product" }}
                                        </button>
                                        <p class="mt-1 text-xs text-slate-500">"Retired products stay on existing orders but cannot be ordered or assigned."</p>
                                    </ActionForm>
                                }.into_any()
                            } else {
                                view! { <ProductSummary product /> }.into_any()
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
fn ProductSummary(product: ProductView) -> impl IntoView {
    let rows = [
        ("SIM type", product.sim_type.label().to_owned()),
        ("Form factor", product.form_factor.label().to_owned()),
        ("Features", product.features.clone()),
        ("Branding", product.branding.clone()),
        ("UNSPSC", product.unspsc.clone()),
        (
            "Order quantity",
            format!(
                "{} to {}, in steps of {}",
                product.min_order_quantity, product.max_order_quantity, product.order_increment
            ),
        ),
        ("Description", product.description.clone()),
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
    let create = ServerAction::<CreateOption>::new();
    let toggle = ServerAction::<SetOptionActive>::new();
    let options = Resource::new(
        move || (create.version().get(), toggle.version().get()),
        |_| catalog_options(),
    );
    let session = use_session();
    view! {
        <Title text="Entitlement options" />
        <PageHeader title="Entitlement options".to_owned() subtitle="Price plans, service and roaming profiles, APN groups and SIM billing statuses that accounts and products refer to." />
        <div class="mb-4 space-y-2">
            {action_feedback(toggle.value(), "Option updated.")}
        </div>
        <div class="grid gap-8 lg:grid-cols-3">
            <section class="min-w-0 space-y-6 lg:col-span-2">
                <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        let editable = can_edit(session).await;
                        match options.await {
                            Ok(options) => OptionKind::ALL.iter().map(|kind| {
                                let of_kind = options_of(&options, *kind);
                                view! {
                                    <div>
                                        <h2 class="mb-2 text-lg font-semibold">{kind.label()}</h2>
                                        {if of_kind.is_empty() {
                                            view! { <EmptyState message="None yet." /> }.into_any()
                                        } else {
                                            view! {
                                                <ul class="divide-y divide-slate-100 rounded-lg bg-white shadow-sm ring-1 ring-slate-200" data-testid=format!("options-{}", kind.as_str())>
                                                    {of_kind.into_iter().map(|o| view! {
                                                        <li class="flex items-center justify-between gap-4 px-4 py-2 text-sm">
                                                            <span>
                                                                <span class="font-medium">{o.name.clone()}</span>
                                                                <span class="ml-2 font-mono text-slate-500">{o.code.clone()}</span>
                                                                {(!o.active).then(|| view! { <span class="ml-2 text-xs text-slate-500">"(retired)"</span> })}
                                                            </span>
                                                            {editable.then(|| view! {
                                                                <ActionForm action=toggle>
                                                                    <input type="hidden" name="id" value=o.id.to_string() />
                                                                    <input type="hidden" name="active" value=(!o.active).to_string() />
                                                                    <button type="submit" class=BUTTON_SECONDARY>{if o.active { "Retire" } else { "Restore" }}</button>
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
                <h2 id="new-option" class="text-lg font-semibold">"Add an option"</h2>
                <ActionForm action=create attr:class="mt-4 space-y-4" attr:data-testid="option-form">
                    <div>
                        <label for="option-kind" class=LABEL>"Kind"</label>
                        <select id="option-kind" name="kind" class=format!("mt-1 {INPUT}")>
                            {OptionKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <Field id="option-code" name="code" label="Code" required=true hint="Letters, digits, dots, dashes" error=error_of(create.value(), "code") />
                    <Field id="option-name" name="name" label="Name" required=true error=error_of(create.value(), "name") />
                    <Field id="option-description" name="description" label="Description" error=error_of(create.value(), "description") />
                    <button type="submit" class=BUTTON_PRIMARY>"Add option"</button>
                    {move || create.value().get().map(|r| match r {
                        Ok(o) => view! { <Notice message=format!("{} {} added.", o.kind.label(), o.code) /> }.into_any(),
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
    let save = ServerAction::<UpdateTenantSettings>::new();
    let settings = Resource::new(move || save.version().get(), |_| tenant_settings());
    view! {
        <Title text="Settings" />
        <PageHeader title="Service-provider settings".to_owned() subtitle="Branding and the rules your enterprise accounts order under." />
        <p class="mb-4 text-sm">
            <a href="/settings/mailbox" class="font-medium text-teal-800 underline">"Order mailbox"</a>
            <span class="text-slate-600">": the IMAP mailbox that orders by e-mail arrive in."</span>
        </p>
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(s) => view! {
                        <ActionForm action=save attr:class=format!("max-w-xl space-y-4 {CARD}")>
                            <Field id="settings-name" name="settings[name]" label="Name" required=true value=s.name.clone() error=error_of(save.value(), "name") />
                            <Field id="settings-color" name="settings[brand_color]" label="Brand colour" hint="For example #0f766e" value=s.brand_color.clone() error=error_of(save.value(), "brand_color") />
                            <Field id="settings-logo" name="settings[logo_url]" label="Logo address" hint="An https:// address" value=s.logo_url.clone() error=error_of(save.value(), "logo_url") />
                            <Field id="settings-email" name="settings[support_email]" label="Support e-mail" kind="email" value=s.support_email.clone() error=error_of(save.value(), "support_email") />
                            <Checkbox id="settings-overrides" name="settings[allow_default_overrides]" checked=s.allow_default_overrides label="Purchase orders may override an account's default entitlements" hint="Only to options the account is entitled to." />
                            <Checkbox id="settings-auto-accept" name="settings[punchout_auto_accept]" checked=s.punchout_auto_accept label="Accept PunchOut orders that match the contract exactly" hint="An OrderRequest whose plausibility checks all pass is accepted without an agent's review." />
                            <fieldset class="space-y-4 border-t border-slate-200 pt-4">
                                <legend class="text-sm font-semibold text-slate-900">"Messages and alarms"</legend>
                                <Field id="settings-stale" name="settings[alarm_stale_minutes]" label="Alarm when a message waits longer than (minutes)" kind="number" required=true value=s.alarm_stale_minutes.clone() hint="E-mails and cXML documents to send, order e-mails from unknown senders; 1 to 1440" error=error_of(save.value(), "alarm_stale_minutes") />
                                <Field id="settings-burst" name="settings[alarm_refusal_burst]" label="Alarm at this many refused cXML documents in 10 minutes" kind="number" required=true value=s.alarm_refusal_burst.clone() hint="1 to 1000" error=error_of(save.value(), "alarm_refusal_burst") />
                                <Field id="settings-retention" name="settings[message_retention_days]" label="Keep the contents of messages for (days)" kind="number" required=true value=s.message_retention_days.clone() hint="Afterwards the trace keeps who, when and what, without the contents; 7 to 3650" error=error_of(save.value(), "message_retention_days") />
                                <Field id="settings-page-hosts" name="settings[order_page_hosts]" label="Order pages may be fetched from" value=s.order_page_hosts.clone() hint="Hosts such as shop.example.com, separated by commas. When an order e-mail links to a page on one of them, the page is read into the draft; other links are left alone, and internal addresses are never fetched." error=error_of(save.value(), "order_page_hosts") />
                            </fieldset>
                            <fieldset class="space-y-4 border-t border-slate-200 pt-4">
                                <legend class="text-sm font-semibold text-slate-900">"SIM stock"</legend>
                                <Field id="settings-low-stock" name="settings[low_stock_threshold]" label="Low stock below (free SIMs per product)" kind="number" required=true value=s.low_stock_threshold.clone() hint="The dashboard marks products with fewer free SIMs; 0 marks none" error=error_of(save.value(), "low_stock_threshold") />
                            </fieldset>
                            <fieldset class="space-y-4 border-t border-slate-200 pt-4">
                                <legend class="text-sm font-semibold text-slate-900">"Sign-in"</legend>
                                <Checkbox id="settings-second-factor" name="settings[require_second_factor]" checked=s.require_second_factor label="Require a second factor of your staff and account admins" hint="Who signs in with a password must then enter a code from an authenticator app; who has none set up is asked to at the next click. Single sign-on and procurement systems are left to the company's own checks." />
                            </fieldset>
                            <button type="submit" class=BUTTON_PRIMARY>"Save settings"</button>
                            {action_feedback(save.value(), "Settings saved.")}
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
    view! {
        <Title text="Import products" />
        <PageHeader title="Import products from CSV".to_owned() subtitle="Creates new products and updates existing ones by part number. Nothing is written unless every line is valid." />
        <Suspense>
            {move || Suspend::new(async move {
                match outcome.await {
                    Ok(outcome) => import_outcome_view(outcome, |r| format!("Imported: {} created, {} updated.", r.created, r.updated)).into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
        <form method="post" action="/catalog/products/import" enctype="multipart/form-data" class=format!("max-w-xl space-y-4 {CARD}")>
            <div>
                <label for="import-file" class=LABEL>"CSV file"</label>
                <input id="import-file" name="file" type="file" accept=".csv,text/csv" required class="mt-1 block w-full text-sm" />
                <p class="mt-1 text-xs text-slate-500">
                    "Columns as in the export: part_number, name, sim_type, form_factor, unit_price, currency and unspsc are required; options by their code."
                </p>
            </div>
            <div class="flex gap-3">
                <button type="submit" class=BUTTON_PRIMARY>"Import"</button>
                <a href="/catalog/products.csv" class=BUTTON_SECONDARY download="products.csv">"Download the current catalog"</a>
            </div>
        </form>
    }
}
