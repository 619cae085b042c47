//! Orders by e-mail: the list of messages received for the tenant's order mailbox, and one
//! message with the original beside what was read from it, its differences, and the draft it
//! became (or the account to choose for an unknown sender).

use crate::components::server_action;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use simdesk_types::{EmailOrderDetail, EmailOrderRow, InboundStatus, Regional};

use crate::api::email_orders::{
    email_order, email_order_of_po, email_orders, AssignEmailOrder, DismissEmailOrder,
};
use crate::components::{
    action_feedback, next_page_link, use_session, EmptyState, ErrorPanel, PageHeader,
    BUTTON_DANGER, BUTTON_PRIMARY, BUTTON_SECONDARY, CARD, INPUT, LABEL, TABLE, TD, TH,
};
use crate::i18n::{td, td_string};
use crate::islands::LiveRefresh;
use crate::language::{locale_of, use_lang, Lang};

fn status_badge(status: InboundStatus, lang: Lang) -> impl IntoView {
    let tone = match status {
        InboundStatus::Draft => "bg-teal-50 text-teal-800 ring-teal-300",
        InboundStatus::NeedsReview => "bg-amber-50 text-amber-800 ring-amber-300",
        InboundStatus::Unreadable => "bg-red-50 text-red-800 ring-red-300",
        InboundStatus::Dismissed => "bg-slate-50 text-slate-700 ring-slate-300",
    };
    view! {
        <span data-testid="email-order-status" class=format!("inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset {tone}")>
            {status.label_in(locale_of(lang))}
        </span>
    }
}

/// How often, in seconds, the list of e-mail orders looks for new ones in the browser.
const REFRESH_SECONDS: u64 = 5;

#[component]
pub fn EmailOrdersPage() -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let query = use_query_map();
    let data = Resource::new(
        move || query.get(),
        |q| email_orders(q.get("status").unwrap_or_default(), q.get("after")),
    );
    view! {
        <Title text=td_string!(lang, messages.email_orders_title) />
        <PageHeader title=td_string!(lang, messages.email_orders_title).to_owned() subtitle=td_string!(lang, messages.email_orders_subtitle) />
        <Transition fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let regional = session.regional().await;
                let page = match data.await {
                    Ok(page) => page,
                    Err(error) => return view! { <ErrorPanel error /> }.into_any(),
                };
                let q = query.get_untracked();
                let status = q.get("status").unwrap_or_default();
                view! {
                    <form method="get" class="mb-4 flex flex-wrap items-end gap-3" data-testid="email-order-filters">
                        <div>
                            <label for="filter-status" class=LABEL>{td_string!(lang, messages.status)}</label>
                            <select id="filter-status" name="status" class=format!("mt-1 {INPUT}")>
                                <option value="">{td_string!(lang, messages.all)}</option>
                                {InboundStatus::ALL.iter().map(|s| view! {
                                    <option value=s.as_str() selected=status == s.as_str()>{s.label_in(locale_of(lang))}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <button type="submit" class=BUTTON_SECONDARY>{td_string!(lang, messages.apply)}</button>
                    </form>
                    // In the browser the list looks again every few seconds, so an order mailed
                    // meanwhile appears without a reload.
                    <LiveRefresh target_id="email-orders-list".to_owned() seconds=REFRESH_SECONDS />
                    <div id="email-orders-list">
                    {if page.rows.is_empty() {
                        view! { <EmptyState message=td_string!(lang, messages.no_email_orders) /> }.into_any()
                    } else {
                        view! {
                            <div class="relative overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
                                <table class=TABLE data-testid="email-orders-table">
                                    <thead class="bg-slate-50">
                                        <tr>
                                            <th class=TH scope="col">{td_string!(lang, messages.received)}</th>
                                            <th class=TH scope="col">{td_string!(lang, messages.from)}</th>
                                            <th class=TH scope="col">{td_string!(lang, messages.subject)}</th>
                                            <th class=TH scope="col">{td_string!(lang, messages.account)}</th>
                                            <th class=TH scope="col">{td_string!(lang, messages.status)}</th>
                                            <th class=format!("{TH} text-right") scope="col">{td_string!(lang, messages.to_check)}</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {page.rows.into_iter().map(|row| row_view(row, &regional, lang)).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            {next_page_link("/email-orders", &q, page.next)}
                        }.into_any()
                    }}
                    </div>
                }.into_any()
            })}
        </Transition>
    }
}

fn row_view(row: EmailOrderRow, regional: &Regional, lang: Lang) -> impl IntoView {
    view! {
        <tr data-testid="email-order-row">
            <td class=format!("{TD} whitespace-nowrap")>
                <a class="font-medium text-teal-800 underline-offset-2 hover:underline" href=format!("/email-orders/{}", row.id)>{regional.time_text(&row.received_at)}</a>
            </td>
            <td class=format!("{TD} break-all")>{row.sender.clone()}</td>
            <td class=TD>{if row.subject.is_empty() { td_string!(lang, messages.no_subject).to_owned() } else { row.subject.clone() }}</td>
            <td class=TD>{row.account_name.clone().unwrap_or_default()}</td>
            <td class=TD>{status_badge(row.status, lang)}</td>
            <td class=format!("{TD} text-right tabular-nums")>{row.findings}</td>
        </tr>
    }
}

#[component]
pub fn EmailOrderPage() -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or_default()
    };
    let assign = server_action::<AssignEmailOrder>();
    let dismiss = server_action::<DismissEmailOrder>();
    let data = Resource::new(
        move || (id(), dismiss.version().get()),
        |(id, _)| email_order(id),
    );
    view! {
        <Title text=td_string!(lang, messages.email_order_title) />
        <p class="mb-4 text-sm"><a href="/email-orders" class="text-teal-800 hover:underline">{td_string!(lang, messages.all_email_orders)}</a></p>
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let regional = session.regional().await;
                match data.await {
                    Ok(detail) => {
                        let title = if detail.row.subject.is_empty() { td_string!(lang, messages.no_subject).to_owned() } else { detail.row.subject.clone() };
                        let subtitle = format!(
                            "{} {} · {} {}",
                            td_string!(lang, messages.from),
                            detail.row.sender,
                            td_string!(lang, messages.received_lower),
                            regional.time_text(&detail.row.received_at)
                        );
                        view! {
                            <PageHeader title=title subtitle=subtitle />
                            <div class="grid gap-6 lg:grid-cols-2">
                                <Original detail=detail.clone() />
                                <div class="space-y-6">
                                    <Outcome detail=detail.clone() assign dismiss />
                                    <Findings detail=detail />
                                </div>
                            </div>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The message as the buyer sent it.
#[component]
fn Original(detail: EmailOrderDetail) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class=CARD aria-labelledby="original-heading" data-testid="email-original">
            <h2 id="original-heading" class="text-lg font-semibold">{td_string!(lang, messages.the_email)}</h2>
            <dl class="mt-3 grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
                <dt class="text-slate-500">{td_string!(lang, messages.from)}</dt>
                <dd class="break-all">{if detail.sender_name.is_empty() { detail.row.sender.clone() } else { format!("{} <{}>", detail.sender_name, detail.row.sender) }}</dd>
                {(!detail.answer_to.is_empty() && detail.answer_to != detail.row.sender).then(|| view! {
                    <dt class="text-slate-500">{td_string!(lang, messages.answers_go_to)}</dt><dd class="break-all">{detail.answer_to.clone()}</dd>
                })}
                <dt class="text-slate-500">"Message-ID"</dt><dd class="break-all font-mono text-xs">{detail.message_id.clone()}</dd>
                {detail.reference.clone().map(|r| view! { <dt class="text-slate-500">{td_string!(lang, messages.buyers_reference)}</dt><dd data-testid="email-reference">{r}</dd> })}
            </dl>
            {(!detail.problem.is_empty()).then(|| view! {
                <p role="alert" class="mt-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">{detail.problem.clone()}</p>
            })}
            <pre class="mt-4 max-h-[32rem] overflow-auto whitespace-pre-wrap break-words rounded bg-slate-50 p-3 text-sm" tabindex="0" data-testid="email-text">{detail.text.clone()}</pre>
            {detail.safe_html.clone().map(|html| view! {
                <details class="mt-3 text-sm">
                    <summary class="cursor-pointer font-medium text-teal-800">{td_string!(lang, messages.show_html)}</summary>
                    // Sanitised when received; shown sandboxed (no scripts, forms or same origin)
                    // and without loading anything, so the sender learns nothing of the reading.
                    <iframe
                        title=td_string!(lang, messages.html_frame_title)
                        sandbox=""
                        referrerpolicy="no-referrer"
                        srcdoc=format!("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">{html}")
                        class="mt-2 h-96 w-full rounded border border-slate-200 bg-white"
                        data-testid="email-html"
                    ></iframe>
                </details>
            })}
            {(!detail.attachments.is_empty()).then(|| view! {
                <h3 class="mt-4 font-semibold">{td_string!(lang, messages.attachments)}</h3>
                <ul class="mt-2 space-y-1 text-sm" data-testid="email-attachments">
                    {detail.attachments.iter().map(|a| view! {
                        <li>
                            <span class="font-medium">{if a.name.is_empty() { td_string!(lang, messages.unnamed).to_owned() } else { a.name.clone() }}</span>
                            <span class="text-slate-500">{format!(" · {} · {} KB", a.content_type, a.size.div_ceil(1024))}</span>
                            {a.problem.clone().map(|p| view! { <span class="block text-red-700">{p}</span> })}
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
    .into_any()
}

/// What became of the message: the draft, or the choice of the account.
#[component]
fn Outcome(
    detail: EmailOrderDetail,
    assign: ServerAction<AssignEmailOrder>,
    dismiss: ServerAction<DismissEmailOrder>,
) -> impl IntoView {
    let lang = use_lang();
    let id = detail.row.id;
    let lines = detail.lines.clone();
    view! {
        <section class=CARD aria-labelledby="outcome-heading" data-testid="email-outcome">
            <div class="flex items-center justify-between gap-3">
                <h2 id="outcome-heading" class="text-lg font-semibold">{td_string!(lang, messages.the_order)}</h2>
                {status_badge(detail.row.status, lang)}
            </div>
            {detail.row.purchase_order_id.map(|po| view! {
                <p class="mt-3 text-sm">
                    {format!("{} {}: ", td_string!(lang, messages.draft_for), detail.row.account_name.clone().unwrap_or_default())}
                    <a class="font-semibold text-teal-800 underline-offset-2 hover:underline" href=format!("/orders/{po}") data-testid="email-draft-link">{td_string!(lang, messages.check_and_submit)}</a>
                </p>
            })}
            {(!lines.is_empty()).then(|| view! {
                <table class=format!("mt-4 {TABLE}") data-testid="email-lines">
                    <thead class="bg-slate-50">
                        <tr>
                            <th class=TH scope="col">{td_string!(lang, messages.line_in_email)}</th>
                            <th class=format!("{TH} text-right") scope="col">{td_string!(lang, messages.qty)}</th>
                            <th class=TH scope="col">{td_string!(lang, messages.product)}</th>
                        </tr>
                    </thead>
                    <tbody class="divide-y divide-slate-100">
                        {lines.into_iter().map(|l| view! {
                            <tr data-testid="email-line">
                                <td class=format!("{TD} break-words")>{l.text}</td>
                                <td class=format!("{TD} text-right tabular-nums")>{l.quantity}</td>
                                <td class=TD>{match l.product {
                                    Some(p) => format!("{p} ({}%)", l.confidence),
                                    None => "—".to_owned(),
                                }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            {(detail.row.status == InboundStatus::NeedsReview).then(|| {
                let suggested = detail.suggested_account_id;
                view! {
                    <ActionForm action=assign attr:class="mt-4 space-y-3" attr:data-testid="assign-form">
                        <input type="hidden" name="id" value=id.to_string() />
                        <div>
                            <label for="assign-account" class=LABEL>{td_string!(lang, messages.account)}</label>
                            <select id="assign-account" name="account_id" class=format!("mt-1 {INPUT}") required>
                                <option value="">{td_string!(lang, messages.choose_account)}</option>
                                {detail.accounts.iter().map(|(account_id, name)| view! {
                                    <option value=account_id.to_string() selected=suggested == Some(*account_id)>{name.clone()}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, messages.make_draft)}</button>
                    </ActionForm>
                    {action_feedback(assign, td_string!(lang, messages.draft_made))}
                }
            })}
            {matches!(detail.row.status, InboundStatus::NeedsReview | InboundStatus::Unreadable).then(|| view! {
                <ActionForm action=dismiss attr:class="mt-3">
                    <input type="hidden" name="id" value=id.to_string() />
                    <button type="submit" class=BUTTON_DANGER>{td_string!(lang, messages.dismiss)}</button>
                </ActionForm>
                {action_feedback(dismiss, td_string!(lang, messages.dismissed))}
            })}
        </section>
    }
    .into_any()
}

/// Every difference between the e-mail and the draft.
#[component]
fn Findings(detail: EmailOrderDetail) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class=CARD aria-labelledby="findings-heading">
            <h2 id="findings-heading" class="text-lg font-semibold">{td_string!(lang, messages.to_check)}</h2>
            {if detail.findings.is_empty() {
                view! { <p class="mt-2 text-sm text-slate-600">{td_string!(lang, messages.nothing_to_check)}</p> }.into_any()
            } else {
                view! {
                    <ul class="mt-3 space-y-2 text-sm" data-testid="email-findings">
                        {detail.findings.into_iter().map(|f| view! {
                            <li class="rounded-md bg-amber-50 px-3 py-2 text-amber-900 ring-1 ring-inset ring-amber-200" data-testid="email-finding">
                                <span class="font-semibold">{format!("{}: ", f.kind.label_in(locale_of(lang)))}</span>{f.message_in(locale_of(lang)).to_owned()}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
    .into_any()
}

/// On a PO made of an e-mail: what to check, and the way to the original.
#[component]
pub fn EmailOrigin(po_id: i64) -> impl IntoView {
    let lang = use_lang();
    let data = Resource::new(move || po_id, email_order_of_po);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(Some(detail)) = data.await else { return ().into_any() };
                let sender = detail.row.sender.clone();
                let subject = detail.row.subject.clone();
                view! {
                    <section class=format!("mb-6 {CARD}") aria-labelledby="origin-heading" data-testid="email-origin">
                        <h2 id="origin-heading" class="text-lg font-semibold">{td_string!(lang, messages.from_an_email)}</h2>
                        <p class="mt-1 text-sm text-slate-600">
                            {td!(lang, messages.wrote, sender = sender, subject = subject)}
                            " "
                            <a class="font-medium text-teal-800 underline-offset-2 hover:underline" href=format!("/email-orders/{}", detail.row.id)>{td_string!(lang, messages.see_beside)}</a>
                        </p>
                        {(!detail.findings.is_empty()).then(|| view! {
                            <ul class="mt-3 space-y-1 text-sm text-amber-900" data-testid="origin-findings">
                                {detail.findings.into_iter().map(|f| view! { <li>{format!("{}: {}", f.kind.label_in(locale_of(lang)), f.message_in(locale_of(lang)))}</li> }).collect_view()}
                            </ul>
                        })}
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}
