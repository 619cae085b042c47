use crate::components::server_action;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{tenants, CreateTenant};
use crate::components::{
    action_feedback, field_error, EmptyState, ErrorPanel, PageHeader, BUTTON_PRIMARY, CARD, INPUT,
    LABEL, TABLE, TD, TH,
};
use crate::i18n::td_string;
use crate::language::use_lang;

#[component]
pub fn TenantsPage() -> impl IntoView {
    let lang = use_lang();
    let create = server_action::<CreateTenant>();
    let list = Resource::new(move || create.version().get(), |_| tenants());
    view! {
        <Title text=td_string!(lang, accounts.service_providers) />
        <PageHeader title=td_string!(lang, accounts.service_providers).to_owned() subtitle=td_string!(lang, accounts.tenants_subtitle) />
        <div class="grid gap-8 lg:grid-cols-3">
            <section class="min-w-0 lg:col-span-2">
                <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match list.await {
                            Ok(rows) if rows.is_empty() => view! { <EmptyState message=td_string!(lang, accounts.no_tenants) /> }.into_any(),
                            Ok(rows) => view! {
                                <div class="relative overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
                                    <table class=TABLE data-testid="tenants-table">
                                        <thead class="bg-slate-50">
                                            <tr>
                                                <th class=TH scope="col">{td_string!(lang, accounts.name)}</th>
                                                <th class=TH scope="col">{td_string!(lang, accounts.short_name)}</th>
                                                <th class=TH scope="col">{td_string!(lang, accounts.title_accounts)}</th>
                                                <th class=TH scope="col">{td_string!(lang, accounts.users)}</th>
                                            </tr>
                                        </thead>
                                        <tbody class="divide-y divide-slate-100">
                                            {rows.into_iter().map(|t| view! {
                                                <tr>
                                                    <td class=format!("{TD} font-medium")>{t.name}</td>
                                                    <td class=TD>{t.slug}</td>
                                                    <td class=TD>{t.accounts}</td>
                                                    <td class=TD>{t.users}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }.into_any(),
                            Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
            <section class=CARD aria-labelledby="new-tenant">
                <h2 id="new-tenant" class="text-lg font-semibold">{td_string!(lang, accounts.add_tenant)}</h2>
                <ActionForm action=create attr:class="mt-4 space-y-4">
                    <div>
                        <label for="tenant-name" class=LABEL>{td_string!(lang, accounts.name)}</label>
                        <input id="tenant-name" name="name" required class=format!("mt-1 {INPUT}") />
                        {field_error(create.value(), "name")}
                    </div>
                    <div>
                        <label for="tenant-slug" class=LABEL>{td_string!(lang, accounts.short_name)}</label>
                        <input id="tenant-slug" name="slug" required pattern="[a-z0-9\\-]{2,64}" class=format!("mt-1 {INPUT}") />
                        {field_error(create.value(), "slug")}
                    </div>
                    <div>
                        <label for="admin-email" class=LABEL>{td_string!(lang, accounts.first_admin_email)}</label>
                        <input id="admin-email" name="admin_email" type="email" required class=format!("mt-1 {INPUT}") />
                        {field_error(create.value(), "admin_email")}
                    </div>
                    <div>
                        <label for="admin-name" class=LABEL>{td_string!(lang, accounts.first_admin_name)}</label>
                        <input id="admin-name" name="admin_name" required class=format!("mt-1 {INPUT}") />
                        {field_error(create.value(), "admin_name")}
                    </div>
                    <div>
                        <label for="admin-password" class=LABEL>{td_string!(lang, accounts.initial_password)}</label>
                        <input id="admin-password" name="admin_password" type="password" minlength="12" required autocomplete="new-password" class=format!("mt-1 {INPUT}") />
                        {field_error(create.value(), "password")}
                    </div>
                    <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, accounts.create_tenant)}</button>
                    {action_feedback(create, td_string!(lang, accounts.tenant_created))}
                </ActionForm>
            </section>
        </div>
    }
}
