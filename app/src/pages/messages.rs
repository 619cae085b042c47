//! The message trace: every message of the tenant in or out, with filters, search and keyset
//! pages, and one message's page with its payload and "send again"; and the alarms.

use crate::components::server_action;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use simdesk_types::{AlarmStatus, MessageChannel, MessageDirection, MessageStatus, TraceRow};

use crate::api::messages::{alarms, message_detail, message_trace, SendMessageAgain, SettleAlarm};
use crate::components::{
    action_feedback, next_page_link, use_session, EmptyState, ErrorPanel, PageHeader,
    BUTTON_PRIMARY, BUTTON_SECONDARY, CARD, INPUT, LABEL, TABLE, TD, TH,
};
use crate::i18n::{td, td_string};
use crate::language::{locale_of, use_lang, Lang};

fn status_badge(status: MessageStatus, lang: Lang) -> impl IntoView {
    let tone = match status {
        MessageStatus::Pending => "bg-amber-50 text-amber-800 ring-amber-300",
        MessageStatus::Sent | MessageStatus::Received => "bg-teal-50 text-teal-800 ring-teal-300",
        MessageStatus::Failed | MessageStatus::Refused => "bg-red-50 text-red-800 ring-red-300",
    };
    view! {
        <span data-testid="message-status" class=format!("inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset {tone}")>
            {status.label_in(locale_of(lang))}
        </span>
    }
}

fn order_link(row: &TraceRow) -> impl IntoView {
    row.purchase_order_id.map(|id| {
        let reference = row.purchase_order_reference.clone().unwrap_or_default();
        view! { <a class="text-teal-800 underline-offset-2 hover:underline" href=format!("/orders/{id}")>{reference}</a> }
    })
}

#[component]
pub fn MessagesPage() -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let query = use_query_map();
    let data = Resource::new(
        move || query.get(),
        |q| {
            message_trace(
                q.get("channel").unwrap_or_default(),
                q.get("direction").unwrap_or_default(),
                q.get("problems").unwrap_or_default(),
                q.get("q").unwrap_or_default(),
                q.get("after"),
            )
        },
    );
    view! {
        <Title text=td_string!(lang, messages.messages_title) />
        <PageHeader title=td_string!(lang, messages.messages_title).to_owned() subtitle=td_string!(lang, messages.messages_subtitle) />
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let regional = session.regional().await;
                let page = match data.await {
                    Ok(page) => page,
                    Err(error) => return view! { <ErrorPanel error /> }.into_any(),
                };
                let q = query.get_untracked();
                let channel = q.get("channel").unwrap_or_default();
                let direction = q.get("direction").unwrap_or_default();
                let problems = q.get("problems").is_some_and(|p| !p.is_empty());
                let search = q.get("q").unwrap_or_default();
                view! {
                    <form method="get" class="mb-4 flex flex-wrap items-end gap-3" role="search" data-testid="message-filters">
                        <div>
                            <label for="filter-channel" class=LABEL>{td_string!(lang, messages.channel)}</label>
                            <select id="filter-channel" name="channel" class=format!("mt-1 {INPUT}")>
                                <option value="">{td_string!(lang, messages.all_channels)}</option>
                                {MessageChannel::ALL.iter().map(|c| view! {
                                    <option value=c.as_str() selected=channel == c.as_str()>{c.label_in(locale_of(lang))}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <div>
                            <label for="filter-direction" class=LABEL>{td_string!(lang, messages.direction)}</label>
                            <select id="filter-direction" name="direction" class=format!("mt-1 {INPUT}")>
                                <option value="">{td_string!(lang, messages.in_and_out)}</option>
                                {MessageDirection::ALL.iter().map(|d| view! {
                                    <option value=d.as_str() selected=direction == d.as_str()>{d.label_in(locale_of(lang))}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <div class="min-w-64 grow">
                            <label for="filter-search" class=LABEL>{td_string!(lang, messages.search)}</label>
                            <input id="filter-search" name="q" type="search" value=search class=format!("mt-1 {INPUT}") placeholder=td_string!(lang, messages.search_placeholder) />
                        </div>
                        <label for="filter-problems" class="flex items-center gap-2 pb-2 text-sm text-slate-700">
                            <input id="filter-problems" type="checkbox" name="problems" value="1" checked=problems class="h-4 w-4 rounded border-slate-300 text-teal-700 focus:ring-teal-700" />
                            {td_string!(lang, messages.problems_only)}
                        </label>
                        <button type="submit" class=BUTTON_SECONDARY>{td_string!(lang, messages.apply)}</button>
                    </form>
                    {if page.rows.is_empty() {
                        view! { <EmptyState message=td_string!(lang, messages.no_messages) /> }.into_any()
                    } else {
                        view! {
                            <div class="relative overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
                                <table class=TABLE data-testid="messages-table">
                                    <thead class="bg-slate-50">
                                        <tr>
                                            <th class=TH scope="col">{td_string!(lang, messages.time)}</th>
                                            <th class=TH scope="col">{td_string!(lang, messages.channel)}</th>
                                            <th class=TH scope="col">{td_string!(lang, messages.what)}</th>
                                            <th class=TH scope="col">{td_string!(lang, messages.counterpart)}</th>
                                            <th class=TH scope="col">{td_string!(lang, messages.order)}</th>
                                            <th class=TH scope="col">{td_string!(lang, messages.status)}</th>
                                            <th class=format!("{TH} text-right") scope="col">{td_string!(lang, messages.attempts)}</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {page.rows.into_iter().map(|row| view! {
                                            <tr data-testid="message-row">
                                                <td class=format!("{TD} whitespace-nowrap")>
                                                    <a class="font-medium text-teal-800 underline-offset-2 hover:underline" href=format!("/messages/{}", row.key)>{regional.time_text(&row.at)}</a>
                                                </td>
                                                <td class=TD>{format!("{} {}", row.channel.label_in(locale_of(lang)), row.direction.label_in(locale_of(lang)).to_lowercase())}</td>
                                                <td class=TD>{row.document_type.clone()}</td>
                                                <td class=format!("{TD} break-all")>{row.counterpart.clone()}</td>
                                                <td class=TD>{order_link(&row)}</td>
                                                <td class=TD>
                                                    {status_badge(row.status, lang)}
                                                    {(!row.last_error.is_empty()).then(|| view! { <p class="mt-1 text-xs text-red-700">{row.last_error.clone()}</p> })}
                                                </td>
                                                <td class=format!("{TD} text-right tabular-nums")>{row.attempts}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            {next_page_link("/messages", &q, page.next)}
                        }.into_any()
                    }}
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
pub fn MessagePage() -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let params = use_params_map();
    let key = move || params.read().get("key").unwrap_or_default();
    let again = server_action::<SendMessageAgain>();
    let data = Resource::new(
        move || (key(), again.version().get()),
        |(key, _)| message_detail(key),
    );
    view! {
        <Title text=td_string!(lang, messages.message_title) />
        <p class="mb-4 text-sm"><a href="/messages" class="text-teal-800 hover:underline">{td_string!(lang, messages.all_messages)}</a></p>
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let regional = session.regional().await;
                match data.await {
                    Ok(detail) => {
                        let row = detail.row.clone();
                        let title = format!("{} {}: {}", row.channel.label_in(locale_of(lang)), row.direction.label_in(locale_of(lang)).to_lowercase(), row.document_type);
                        view! {
                            <PageHeader title=title subtitle=regional.time_text(&row.at) />
                            <section class=format!("mb-4 {CARD}") aria-labelledby="message-facts">
                                <h2 id="message-facts" class="sr-only">{td_string!(lang, messages.about_message)}</h2>
                                <dl class="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[auto_1fr]" data-testid="message-facts">
                                    <dt class="text-slate-500">{td_string!(lang, messages.status)}</dt><dd>{status_badge(row.status, lang)}</dd>
                                    <dt class="text-slate-500">{td_string!(lang, messages.counterpart)}</dt><dd class="break-all">{row.counterpart.clone()}</dd>
                                    {(!detail.subject.is_empty()).then(|| view! { <dt class="text-slate-500">{td_string!(lang, messages.subject)}</dt><dd>{detail.subject.clone()}</dd> })}
                                    <dt class="text-slate-500">{td_string!(lang, messages.reference)}</dt><dd class="break-all font-mono text-xs">{row.reference.clone()}</dd>
                                    <dt class="text-slate-500">{td_string!(lang, messages.attempts)}</dt><dd>{row.attempts}</dd>
                                    {(!row.last_error.is_empty()).then(|| view! { <dt class="text-slate-500">{td_string!(lang, messages.last_error)}</dt><dd class="text-red-700">{row.last_error.clone()}</dd> })}
                                    {row.purchase_order_id.is_some().then(|| view! { <dt class="text-slate-500">{td_string!(lang, messages.order)}</dt><dd>{order_link(&row)}</dd> })}
                                </dl>
                                {row.can_resend.then(|| view! {
                                    <ActionForm action=again attr:class="mt-4">
                                        <input type="hidden" name="key" value=row.key.clone() />
                                        <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, messages.send_again)}</button>
                                    </ActionForm>
                                })}
                                {action_feedback(again, td_string!(lang, messages.sent_again))}
                            </section>
                            <section class=CARD aria-labelledby="message-payload">
                                <h2 id="message-payload" class="text-lg font-semibold">{td_string!(lang, messages.content)}</h2>
                                <pre class="mt-3 max-h-[32rem] overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-3 text-xs" data-testid="message-payload" tabindex="0">{detail.payload.clone()}</pre>
                                {(!detail.response.is_empty()).then(|| view! {
                                    <h3 class="mt-4 font-semibold">{td_string!(lang, messages.our_answer)}</h3>
                                    <pre class="mt-2 max-h-64 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-3 text-xs" tabindex="0">{detail.response.clone()}</pre>
                                })}
                            </section>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn alarm_badge(status: AlarmStatus, lang: Lang) -> impl IntoView {
    let tone = match status {
        AlarmStatus::Open => "bg-red-50 text-red-800 ring-red-300",
        AlarmStatus::Acknowledged => "bg-amber-50 text-amber-800 ring-amber-300",
        AlarmStatus::Resolved => "bg-slate-100 text-slate-700 ring-slate-300",
    };
    view! {
        <span data-testid="alarm-status" class=format!("inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset {tone}")>
            {status.label_in(locale_of(lang))}
        </span>
    }
}

#[component]
pub fn AlarmsPage() -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let settle = server_action::<SettleAlarm>();
    let data = Resource::new(move || settle.version().get(), |_| alarms());
    view! {
        <Title text=td_string!(lang, messages.alarms_title) />
        <PageHeader title=td_string!(lang, messages.alarms_title).to_owned() subtitle=td_string!(lang, messages.alarms_subtitle) />
        {action_feedback(settle, td_string!(lang, messages.saved))}
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let regional = session.regional().await;
                match data.await {
                    Ok(list) if list.alarms.is_empty() => view! { <EmptyState message=td_string!(lang, messages.no_alarms) /> }.into_any(),
                    Ok(list) => view! {
                        <p class="mb-3 text-sm text-slate-600" data-testid="alarms-open">{td!(lang, messages.alarms_open, open = list.open)}</p>
                        <ul class="space-y-3" data-testid="alarms">
                            {list.alarms.into_iter().map(|alarm| {
                                let id = alarm.id.to_string();
                                let id_resolve = id.clone();
                                let raised = regional.time_text(&alarm.raised_at);
                                let last = regional.time_text(&alarm.last_seen_at);
                                view! {
                                    <li class=CARD data-testid="alarm">
                                        <div class="flex flex-wrap items-start justify-between gap-3">
                                            <div>
                                                <h2 class="font-semibold">{alarm.kind.label_in(locale_of(lang))}</h2>
                                                <p class="mt-1 text-sm text-slate-700">{alarm.summary.clone()}</p>
                                                <p class="mt-1 text-xs text-slate-500">
                                                    {td!(lang, messages.alarm_seen, raised = raised, times = alarm.occurrences, last = last)}
                                                </p>
                                                {alarm.acknowledged.clone().map(|(who, at)| view! { <p class="text-xs text-slate-500">{td!(lang, messages.acknowledged_by, who = who, at = regional.time_text(&at))}</p> })}
                                                {alarm.resolved.clone().map(|(who, at)| view! { <p class="text-xs text-slate-500">{td!(lang, messages.resolved_by, who = who, at = regional.time_text(&at))}</p> })}
                                                {alarm.message_key.clone().map(|key| view! {
                                                    <a class="mt-1 inline-block text-sm text-teal-800 hover:underline" href=format!("/messages/{key}")>{td_string!(lang, messages.open_message)}</a>
                                                })}
                                            </div>
                                            <div class="flex items-center gap-2">
                                                {alarm_badge(alarm.status, lang)}
                                                {(alarm.status == AlarmStatus::Open).then(|| view! {
                                                    <ActionForm action=settle>
                                                        <input type="hidden" name="id" value=id />
                                                        <button type="submit" class=BUTTON_SECONDARY>{td_string!(lang, messages.acknowledge)}</button>
                                                    </ActionForm>
                                                })}
                                                {(alarm.status != AlarmStatus::Resolved).then(|| view! {
                                                    <ActionForm action=settle>
                                                        <input type="hidden" name="id" value=id_resolve />
                                                        <input type="hidden" name="resolve" value="1" />
                                                        <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, messages.resolve)}</button>
                                                    </ActionForm>
                                                })}
                                            </div>
                                        </div>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
