use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::audit_page;
use crate::components::{
    use_session, EmptyState, ErrorPanel, PageHeader, BUTTON_SECONDARY, TABLE, TD, TH,
};
use crate::i18n::td_string;
use crate::language::use_lang;

#[component]
pub fn AuditPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|b| b.parse::<i64>().ok())
    };
    let page = Resource::new(before, audit_page);
    let session = use_session();
    view! {
        <Title text=td_string!(lang, admin.audit_title) />
        <PageHeader title=td_string!(lang, admin.audit_title).to_owned() subtitle=td_string!(lang, admin.audit_subtitle) />
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let regional = session.regional().await;
                match page.await {
                    Ok(page) if page.rows.is_empty() => view! { <EmptyState message=td_string!(lang, admin.audit_empty) /> }.into_any(),
                    Ok(page) => view! {
                        <div class="relative overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
                            <table class=TABLE data-testid="audit-table">
                                <thead class="bg-slate-50">
                                    <tr>
                                        <th class=TH scope="col">{td_string!(lang, admin.audit_when)}</th>
                                        <th class=TH scope="col">{td_string!(lang, admin.audit_who)}</th>
                                        <th class=TH scope="col">{td_string!(lang, admin.audit_action)}</th>
                                        <th class=TH scope="col">{td_string!(lang, admin.audit_object)}</th>
                                        <th class=TH scope="col">{td_string!(lang, admin.audit_details)}</th>
                                    </tr>
                                </thead>
                                <tbody class="divide-y divide-slate-100">
                                    {page.rows.into_iter().map(|row| view! {
                                        <tr>
                                            <td class=format!("{TD} whitespace-nowrap")>{regional.time(&row.at)}</td>
                                            <td class=TD>{row.actor.unwrap_or_else(|| td_string!(lang, common.system).into())}</td>
                                            <td class=format!("{TD} font-medium")>{row.action}</td>
                                            <td class=TD>{row.target}</td>
                                            <td class=format!("{TD} font-mono text-xs break-all")>
                                                {row.details}
                                                {(!row.request_id.is_empty()).then(|| view! {
                                                    <span class="mt-1 block text-slate-500">{td_string!(lang, admin.audit_request)}" "{row.request_id}</span>
                                                })}
                                            </td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        {page.next_before.map(|id| view! {
                            <div class="mt-4">
                                <a href=format!("/audit?before={id}") class=BUTTON_SECONDARY>{td_string!(lang, admin.audit_older)}</a>
                            </div>
                        })}
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
