use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::dashboard;
use crate::chart::BarChart;
use crate::components::{use_session, ErrorPanel, Notice, PageHeader, CARD, TABLE, TD, TH};
use crate::i18n::td_string;
use crate::language::use_lang;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let board = Resource::new(|| (), |_| dashboard());
    let query = use_query_map();
    let session = use_session();
    let lang = use_lang();
    view! {
        <Title text=td_string!(lang, dashboard.title) />
        {move || query.read().get("password_changed").map(|_| view! {
            <div class="mb-6"><Notice message=td_string!(lang, dashboard.password_changed).to_owned() /></div>
        })}
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let regional = session.regional().await;
                match board.await {
                    Ok(board) => view! {
                        <PageHeader title=board.greeting subtitle=board.scope_name />
                        <ul class="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" data-testid="dashboard-cards">
                            {board.cards.into_iter().map(|card| {
                                let body = view! {
                                    <p class="text-sm font-medium text-slate-500">{card.label}</p>
                                    <p class="mt-2 text-3xl font-semibold tracking-tight">{card.value}</p>
                                };
                                view! {
                                    <li class=CARD>
                                        {match card.href {
                                            Some(href) => view! { <a href=href class="block rounded focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-700">{body}</a> }.into_any(),
                                            None => body.into_any(),
                                        }}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        {(!board.charts.is_empty()).then(|| view! {
                            <div class="mt-8 grid gap-6 lg:grid-cols-2" data-testid="dashboard-charts">
                                {board.charts.into_iter().map(|chart| view! { <BarChart chart regional=regional.clone() /> }).collect_view()}
                            </div>
                        })}
                        {(!board.recent_activity.is_empty()).then(|| view! {
                            <section class="mt-10">
                                <h2 class="mb-3 text-lg font-semibold">{td_string!(lang, dashboard.recent_activity)}</h2>
                                <div class="relative overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
                                    <table class=TABLE>
                                        <thead class="bg-slate-50">
                                            <tr><th class=TH>{td_string!(lang, dashboard.when)}</th><th class=TH>{td_string!(lang, dashboard.who)}</th><th class=TH>{td_string!(lang, dashboard.what)}</th></tr>
                                        </thead>
                                        <tbody class="divide-y divide-slate-100">
                                            {board.recent_activity.into_iter().map(|row| view! {
                                                <tr>
                                                    <td class=TD>{regional.time(&row.at)}</td>
                                                    <td class=TD>{row.actor.unwrap_or_else(|| td_string!(lang, common.system).into())}</td>
                                                    <td class=TD>{row.action}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            </section>
                        })}
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
