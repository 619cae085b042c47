use crate::components::server_action;
use leptos::prelude::*;
use leptos_meta::Title;
use simdesk_types::{role_labels, Role, UserRow};

use crate::api::orders::SetSpendingLimit;
use crate::api::security::ResetSecondFactor;
use crate::api::{user_directory, ChangeRole, CreateUser, SetUserActive};
use crate::components::{
    action_feedback, field_error, use_session, ConfirmStep, EmptyState, ErrorPanel, PageHeader,
    BUTTON_DANGER, BUTTON_PRIMARY, BUTTON_SECONDARY, CARD, INPUT, LABEL, TABLE, TD, TH,
};
use crate::i18n::{td, td_string};
use crate::islands::RowFilter;
use crate::language::{locale_of, use_lang};

#[component]
pub fn UsersPage() -> impl IntoView {
    let lang = use_lang();
    let create = server_action::<CreateUser>();
    let change = server_action::<ChangeRole>();
    let toggle = server_action::<SetUserActive>();
    let limit = server_action::<SetSpendingLimit>();
    let reset = server_action::<ResetSecondFactor>();
    let directory = Resource::new(
        move || {
            (
                create.version().get(),
                change.version().get(),
                toggle.version().get(),
                limit.version().get(),
                reset.version().get(),
            )
        },
        |_| user_directory(),
    );
    let session = use_session();

    view! {
        <Title text=td_string!(lang, accounts.users) />
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let regional = session.regional().await;
                let directory = match directory.await {
                    Ok(directory) => directory,
                    Err(error) => return view! { <ErrorPanel error /> }.into_any(),
                };
                let roles = directory.assignable_roles.clone();
                let acting_user_id = directory.acting_user_id;
                let limits = roles.contains(&Role::Purchaser).then(|| {
                    directory.users.iter().filter(|u| u.active && u.roles.contains(&Role::Purchaser)).cloned().collect::<Vec<_>>()
                });
                view! {
                    <PageHeader title=directory.heading.clone() subtitle=td_string!(lang, accounts.users_subtitle) />
                    <div class="mb-4 space-y-2">
                        {action_feedback(change, td_string!(lang, accounts.role_changed))}
                        {action_feedback(toggle, td_string!(lang, accounts.user_updated))}
                        {action_feedback(limit, td_string!(lang, accounts.limit_saved))}
                        {action_feedback(reset, td_string!(lang, accounts.second_factor_reset))}
                    </div>
                    <div class="grid gap-8 lg:grid-cols-3">
                        <section class="min-w-0 lg:col-span-2" aria-labelledby="users-heading">
                            <div class="mb-3 flex flex-wrap items-center justify-between gap-4">
                                <h2 id="users-heading" class="text-lg font-semibold">{td_string!(lang, accounts.people)}</h2>
                                <label class="sr-only" for="user-filter">{td_string!(lang, accounts.filter_users)}</label>
                                <RowFilter
                                    input_id="user-filter".to_owned()
                                    placeholder=td_string!(lang, accounts.filter_placeholder).to_owned()
                                    rows="[data-testid=user-row]".to_owned()
                                    test_id="user-filter".to_owned()
                                />
                            </div>
                            {if directory.users.is_empty() {
                                view! { <EmptyState message=td_string!(lang, accounts.no_users) /> }.into_any()
                            } else {
                                view! {
                                    <div class="relative overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
                                        <table class=TABLE data-testid="users-table">
                                            <thead class="bg-slate-50">
                                                <tr>
                                                    <th class=TH scope="col">{td_string!(lang, accounts.name)}</th>
                                                    <th class=TH scope="col">{td_string!(lang, accounts.role)}</th>
                                                    <th class=TH scope="col">{td_string!(lang, accounts.status)}</th>
                                                    <th class=TH scope="col">{td_string!(lang, accounts.last_sign_in)}</th>
                                                    <th class=TH scope="col"><span class="sr-only">{td_string!(lang, accounts.actions)}</span></th>
                                                </tr>
                                            </thead>
                                            <tbody class="divide-y divide-slate-100">
                                                {directory.users.into_iter().map(|user| {
                                                    let last_sign_in = user.last_sign_in_at.as_ref().map_or_else(|| td_string!(lang, accounts.never).to_owned(), |at| regional.time(at));
                                                    view! {
                                                        <UserRowView is_self=user.id == acting_user_id user last_sign_in roles=roles.clone() change toggle reset />
                                                    }
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }.into_any()
                            }}
                            {limits.map(|purchasers| view! { <SpendingLimits purchasers limit /> })}
                        </section>
                        <section aria-labelledby="create-heading" class=CARD>
                            <h2 id="create-heading" class="text-lg font-semibold">{td_string!(lang, accounts.add_user)}</h2>
                            <p class="mt-1 text-sm text-slate-600">{td_string!(lang, accounts.add_user_intro)}</p>
                            <ActionForm action=create attr:class="mt-4 space-y-4" attr:data-testid="create-user-form">
                                <div>
                                    <label for="new-email" class=LABEL>{td_string!(lang, accounts.email_address)}</label>
                                    <input id="new-email" name="email" type="email" required class=format!("mt-1 {INPUT}") />
                                    {field_error(create.value(), "email")}
                                </div>
                                <div>
                                    <label for="new-name" class=LABEL>{td_string!(lang, accounts.name)}</label>
                                    <input id="new-name" name="display_name" required class=format!("mt-1 {INPUT}") />
                                    {field_error(create.value(), "display_name")}
                                </div>
                                <div>
                                    <label for="new-role" class=LABEL>{td_string!(lang, accounts.role)}</label>
                                    <select id="new-role" name="role" class=format!("mt-1 {INPUT}")>
                                        {roles.iter().map(|role| view! { <option value=role.as_str()>{role.label_in(locale_of(lang))}</option> }).collect_view()}
                                    </select>
                                    {field_error(create.value(), "role")}
                                </div>
                                <div>
                                    <label for="new-password" class=LABEL>{td_string!(lang, accounts.initial_password_optional)}</label>
                                    <input id="new-password" name="initial_password" type="password" minlength="12" autocomplete="new-password" aria-describedby="new-password-hint" class=format!("mt-1 {INPUT}") />
                                    <p id="new-password-hint" class="mt-1 text-xs text-slate-500">{td_string!(lang, accounts.invite_link_hint)}</p>
                                    {field_error(create.value(), "password")}
                                </div>
                                <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, accounts.create_user)}</button>
                                {move || create.value().get().map(|result| match result {
                                    Ok(user) => view! { <p role="status" class="text-sm text-teal-800">{td!(lang, accounts.user_created, email = user.email)}</p> }.into_any(),
                                    Err(error) if error.field("email").is_none() && error.field("display_name").is_none() && error.field("password").is_none() && error.field("role").is_none() => view! { <ErrorPanel error /> }.into_any(),
                                    Err(_) => ().into_any(),
                                })}
                            </ActionForm>
                        </section>
                    </div>
                }.into_any()
            })}
        </Suspense>
    }
}

/// The account admin's spending limits: above them a purchaser's orders wait for an approver.
#[component]
fn SpendingLimits(
    purchasers: Vec<UserRow>,
    limit: ServerAction<SetSpendingLimit>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class=format!("mt-8 {CARD}") aria-labelledby="limits-heading" data-testid="spending-limits">
            <h2 id="limits-heading" class="text-lg font-semibold">{td_string!(lang, accounts.spending_limits)}</h2>
            <p class="mt-1 text-sm text-slate-600">{td_string!(lang, accounts.spending_limits_intro)}</p>
            <ul class="mt-4 divide-y divide-slate-100">
                {purchasers.into_iter().map(|user| {
                    let amount_id = format!("limit-{}", user.id);
                    let label_for = amount_id.clone();
                    let current = user.spending_limit.as_ref().map(crate::components::amount_text).unwrap_or_default();
                    let currency = user.spending_limit.as_ref().map(|p| p.currency.clone()).unwrap_or_else(|| "EUR".into());
                    view! {
                        <li class="py-3">
                            <ActionForm action=limit attr:class="flex flex-wrap items-end gap-3">
                                <input type="hidden" name="user_id" value=user.id.to_string() />
                                <div>
                                    <label for=label_for class=LABEL>{format!("{} {}", td_string!(lang, accounts.limit_of), user.display_name)}</label>
                                    <input id=amount_id name="amount" inputmode="decimal" value=current placeholder=td_string!(lang, accounts.no_limit) class=format!("mt-1 w-32 {INPUT}") />
                                </div>
                                <div>
                                    <label for=format!("currency-{}", user.id) class=LABEL>{td_string!(lang, accounts.currency)}</label>
                                    <input id=format!("currency-{}", user.id) name="currency" value=currency maxlength="3" class=format!("mt-1 w-20 {INPUT}") />
                                </div>
                                <button type="submit" class=BUTTON_SECONDARY aria-label=format!("{} {}", td_string!(lang, accounts.save_limit_of), user.display_name)>{td_string!(lang, accounts.save_limit)}</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {field_error(limit.value(), "spending_limit")}
            {field_error(limit.value(), "spending_limit_currency")}
        </section>
    }
}

#[component]
fn UserRowView(
    user: UserRow,
    /// The signed-in admin's own row: shown, but not editable (the service refuses it anyway).
    is_self: bool,
    /// When the user last signed in, as the admin reads times.
    last_sign_in: String,
    roles: Vec<Role>,
    change: ServerAction<ChangeRole>,
    toggle: ServerAction<SetUserActive>,
    reset: ServerAction<ResetSecondFactor>,
) -> impl IntoView {
    // What the staff filter looks in: not the role menu, whose options every row lists.
    let filter_text = format!("{} {}", user.display_name, user.email);
    let current_role = user.roles.first().copied();
    let lang = use_lang();
    let role_labels = role_labels(&user.roles, locale_of(lang));
    let id = user.id;
    let active = user.active;
    let role_field_label = format!("{} {}", td_string!(lang, accounts.role_of), user.email);
    let save_label = format!(
        " {} {}",
        td_string!(lang, accounts.role_of_lower),
        user.email
    );
    let toggle_label = format!(" {}", user.email);
    let user_name = user.display_name.clone();
    let second_factor = user.second_factor;
    let reset_context = format!(" {} {}", td_string!(lang, accounts.of_user), user.email);
    let reset_warning = format!(
        "{} {}",
        user.display_name,
        td_string!(lang, accounts.reset_warning)
    );
    view! {
        <tr data-testid="user-row" data-filter=filter_text>
            <td class=TD>
                <div class="font-medium text-slate-900">{user.display_name.clone()}</div>
                <div class="text-slate-500">{user.email.clone()}</div>
            </td>
            <td class=TD>
                {if is_self {
                    view! { <span>{role_labels.clone()}{td_string!(lang, accounts.you_suffix)}</span> }.into_any()
                } else {
                    view! {
                <ActionForm action=change attr:class="flex items-center gap-2">
                    <input type="hidden" name="user_id" value=id.to_string() />
                    <label class="sr-only" for=format!("role-{id}")>{role_field_label}</label>
                    <select id=format!("role-{id}") name="role" class="rounded-md border-0 py-1 pl-2 pr-8 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-teal-700">
                        {roles.iter().map(|role| view! {
                            <option value=role.as_str() selected=current_role == Some(*role)>{role.label_in(locale_of(lang))}</option>
                        }).collect_view()}
                    </select>
                    <button type="submit" class=BUTTON_SECONDARY>{td_string!(lang, accounts.save)}<span class="sr-only">{save_label}</span></button>
                </ActionForm>
                    }.into_any()
                }}
            </td>
            <td class=TD>
                {if active {
                    view! { <span class="rounded-full bg-teal-50 px-2 py-0.5 text-xs font-medium text-teal-800 ring-1 ring-teal-200">{td_string!(lang, accounts.active)}</span> }.into_any()
                } else {
                    view! { <span class="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-600 ring-1 ring-slate-300">{td_string!(lang, accounts.deactivated)}</span> }.into_any()
                }}
                {second_factor.then(|| view! { <span class="ml-1 rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700 ring-1 ring-slate-300" title=td_string!(lang, accounts.two_step_title)>{td_string!(lang, accounts.two_step)}</span> })}
            </td>
            <td class=format!("{TD} whitespace-nowrap")>{last_sign_in}</td>
            <td class=TD>
                {(!is_self).then(|| {
                    let button_context = toggle_label.clone();
                    let form = view! {
                        <ActionForm action=toggle>
                            <input type="hidden" name="user_id" value=id.to_string() />
                            <input type="hidden" name="active" value=(!active).to_string() />
                            <button type="submit" class=if active { BUTTON_DANGER } else { BUTTON_SECONDARY }>
                                {if active { td_string!(lang, accounts.deactivate) } else { td_string!(lang, accounts.reactivate) }}
                                <span class="sr-only">{button_context}</span>
                            </button>
                        </ActionForm>
                    };
                    // Deactivating ends the user's sessions at once; reactivating needs no second thought.
                    let reset_step = second_factor.then(|| view! {
                        <div class="mt-2">
                            <ConfirmStep label=td_string!(lang, accounts.reset_second_factor_step) context=reset_context.clone() warning=reset_warning.clone()>
                                <ActionForm action=reset>
                                    <input type="hidden" name="user_id" value=id.to_string() />
                                    <button type="submit" class=BUTTON_DANGER>{td_string!(lang, accounts.reset_second_factor)}<span class="sr-only">{reset_context.clone()}</span></button>
                                </ActionForm>
                            </ConfirmStep>
                        </div>
                    });
                    let toggle_step = if active {
                        view! {
                            <ConfirmStep label=td_string!(lang, accounts.deactivate_step) context=toggle_label warning=format!("{} {}", user_name, td_string!(lang, accounts.deactivate_warning))>
                                {form}
                            </ConfirmStep>
                        }.into_any()
                    } else {
                        form.into_any()
                    };
                    // Erased, so the row's type stays within the compiler's depth limit.
                    view! { {toggle_step} {reset_step} }.into_any()
                })}
            </td>
        </tr>
    }
}
