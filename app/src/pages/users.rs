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

#[component]
pub fn UsersPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let change = ServerAction::<ChangeRole>::new();
    let toggle = ServerAction::<SetUserActive>::new();
    let limit = ServerAction::<SetSpendingLimit>::new();
    let reset = ServerAction::<ResetSecondFactor>::new();
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
    let (filter, set_filter) = signal(String::new());
    let session = use_session();

    view! {
        <Title text="Users" />
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
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
                    <PageHeader title=directory.heading.clone() subtitle="Create users, change their role, or deactivate them. Every change is audited." />
                    <div class="mb-4 space-y-2">
                        {action_feedback(change.value(), "Role changed.")}
                        {action_feedback(toggle.value(), "User updated.")}
                        {action_feedback(limit.value(), "Spending limit saved.")}
                        {action_feedback(reset.value(), "Second factor reset: they sign in with their password and set up a new app.")}
                    </div>
                    <div class="grid gap-8 lg:grid-cols-3">
                        <section class="min-w-0 lg:col-span-2" aria-labelledby="users-heading">
                            <div class="mb-3 flex flex-wrap items-center justify-between gap-4">
                                <h2 id="users-heading" class="text-lg font-semibold">"People"</h2>
                                <label class="sr-only" for="user-filter">"Filter users"</label>
                                <input
                                    id="user-filter"
                                    type="search"
                                    placeholder="Filter by name or e-mail"
                                    class=format!("max-w-xs {INPUT}")
                                    data-testid="user-filter"
                                    on:input=move |ev| set_filter.set(event_target_value(&ev).to_lowercase())
                                />
                            </div>
                            {if directory.users.is_empty() {
                                view! { <EmptyState message="No users yet. Create the first one with the form." /> }.into_any()
                            } else {
                                view! {
                                    <div class="relative overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
                                        <table class=TABLE data-testid="users-table">
                                            <thead class="bg-slate-50">
                                                <tr>
                                                    <th class=TH scope="col">"Name"</th>
                                                    <th class=TH scope="col">"Role"</th>
                                                    <th class=TH scope="col">"Status"</th>
                                                    <th class=TH scope="col">"Last sign-in"</th>
                                                    <th class=TH scope="col"><span class="sr-only">"Actions"</span></th>
                                                </tr>
                                            </thead>
                                            <tbody class="divide-y divide-slate-100">
                                                {directory.users.into_iter().map(|user| {
                                                    let last_sign_in = user.last_sign_in_at.as_ref().map_or_else(|| "never".to_owned(), |at| regional.time(at));
                                                    view! {
                                                        <UserRowView is_self=user.id == acting_user_id user last_sign_in roles=roles.clone() change toggle reset filter />
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
                            <h2 id="create-heading" class="text-lg font-semibold">"Add a user"</h2>
                            <p class="mt-1 text-sm text-slate-600">"They receive an e-mail with a link to choose their password (valid 7 days). Or give them an initial password yourself; they change it at first sign-in."</p>
                            <ActionForm action=create attr:class="mt-4 space-y-4" attr:data-testid="create-user-form">
                                <div>
                                    <label for="new-email" class=LABEL>"E-mail address"</label>
                                    <input id="new-email" name="email" type="email" required class=format!("mt-1 {INPUT}") />
                                    {field_error(create.value(), "email")}
                                </div>
                                <div>
                                    <label for="new-name" class=LABEL>"Name"</label>
                                    <input id="new-name" name="display_name" required class=format!("mt-1 {INPUT}") />
                                    {field_error(create.value(), "display_name")}
                                </div>
                                <div>
                                    <label for="new-role" class=LABEL>"Role"</label>
                                    <select id="new-role" name="role" class=format!("mt-1 {INPUT}")>
                                        {roles.iter().map(|role| view! { <option value=role.as_str()>{role.label()}</option> }).collect_view()}
                                    </select>
                                    {field_error(create.value(), "role")}
                                </div>
                                <div>
                                    <label for="new-password" class=LABEL>"Initial password (optional)"</label>
                                    <input id="new-password" name="initial_password" type="password" minlength="12" autocomplete="new-password" aria-describedby="new-password-hint" class=format!("mt-1 {INPUT}") />
                                    <p id="new-password-hint" class="mt-1 text-xs text-slate-500">"Leave it empty to send the invitation link."</p>
                                    {field_error(create.value(), "password")}
                                </div>
                                <button type="submit" class=BUTTON_PRIMARY>"Create user"</button>
                                {move || create.value().get().map(|result| match result {
                                    Ok(user) => view! { <p role="status" class="text-sm text-teal-800">{format!("{} was created.", user.email)}</p> }.into_any(),
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
    view! {
        <section class=format!("mt-8 {CARD}") aria-labelledby="limits-heading" data-testid="spending-limits">
            <h2 id="limits-heading" class="text-lg font-semibold">"Spending limits"</h2>
            <p class="mt-1 text-sm text-slate-600">"A purchaser's order above their limit waits for an approver. Leave the amount empty for no limit."</p>
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
                                    <label for=label_for class=LABEL>{format!("Limit of {}", user.display_name)}</label>
                                    <input id=amount_id name="amount" inputmode="decimal" value=current placeholder="No limit" class=format!("mt-1 w-32 {INPUT}") />
                                </div>
                                <div>
                                    <label for=format!("currency-{}", user.id) class=LABEL>"Currency"</label>
                                    <input id=format!("currency-{}", user.id) name="currency" value=currency maxlength="3" class=format!("mt-1 w-20 {INPUT}") />
                                </div>
                                <button type="submit" class=BUTTON_SECONDARY aria-label=format!("Save limit of {}", user.display_name)>"Save limit"</button>
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
    filter: ReadSignal<String>,
) -> impl IntoView {
    let haystack = format!("{} {}", user.display_name, user.email).to_lowercase();
    let current_role = user.roles.first().copied();
    let role_labels = role_labels(&user.roles);
    let id = user.id;
    let active = user.active;
    let role_field_label = format!("Role of {}", user.email);
    let save_label = format!(" role of {}", user.email);
    let toggle_label = format!(" {}", user.email);
    let user_name = user.display_name.clone();
    let second_factor = user.second_factor;
    let reset_context = format!(" of {}", user.email);
    let reset_warning = format!("{} then signs in with the password alone, and sets up a new authenticator app if your provider requires one. Do this only when you are sure who asks: someone who lost their phone and their recovery codes.", user.display_name);
    view! {
        <tr data-testid="user-row" style:display=move || if haystack.contains(&filter.get()) { "" } else { "none" }>
            <td class=TD>
                <div class="font-medium text-slate-900">{user.display_name.clone()}</div>
                <div class="text-slate-500">{user.email.clone()}</div>
            </td>
            <td class=TD>
                {if is_self {
                    view! { <span>{role_labels.clone()}" (you)"</span> }.into_any()
                } else {
                    view! {
                <ActionForm action=change attr:class="flex items-center gap-2">
                    <input type="hidden" name="user_id" value=id.to_string() />
                    <label class="sr-only" for=format!("role-{id}")>{role_field_label}</label>
                    <select id=format!("role-{id}") name="role" class="rounded-md border-0 py-1 pl-2 pr-8 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-teal-700">
                        {roles.iter().map(|role| view! {
                            <option value=role.as_str() selected=current_role == Some(*role)>{role.label()}</option>
                        }).collect_view()}
                    </select>
                    <button type="submit" class=BUTTON_SECONDARY>"Save"<span class="sr-only">{save_label}</span></button>
                </ActionForm>
                    }.into_any()
                }}
            </td>
            <td class=TD>
                {if active {
                    view! { <span class="rounded-full bg-teal-50 px-2 py-0.5 text-xs font-medium text-teal-800 ring-1 ring-teal-200">"Active"</span> }.into_any()
                } else {
                    view! { <span class="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-600 ring-1 ring-slate-300">"Deactivated"</span> }.into_any()
                }}
                {second_factor.then(|| view! { <span class="ml-1 rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700 ring-1 ring-slate-300" title="Signs in with an authenticator app's code as well">"2-step"</span> })}
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
                                {if active { "Deactivate" } else { "Reactivate" }}
                                <span class="sr-only">{button_context}</span>
                            </button>
                        </ActionForm>
                    };
                    // Deactivating ends the user's sessions at once; reactivating needs no second thought.
                    let reset_step = second_factor.then(|| view! {
                        <div class="mt-2">
                            <ConfirmStep label="Reset second factor…" context=reset_context.clone() warning=reset_warning.clone()>
                                <ActionForm action=reset>
                                    <input type="hidden" name="user_id" value=id.to_string() />
                                    <button type="submit" class=BUTTON_DANGER>"Reset the second factor"<span class="sr-only">{reset_context.clone()}</span></button>
                                </ActionForm>
                            </ConfirmStep>
                        </div>
                    });
                    let toggle_step = if active {
                        view! {
                            <ConfirmStep label="Deactivate…" context=toggle_label warning=format!("{} can no longer sign in, and their open sessions end now. You can reactivate them later.", user_name)>
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
