use crate::components::server_action;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::ChangePassword;
use crate::components::{field_error, ErrorPanel, PageHeader, BUTTON_PRIMARY, CARD, INPUT, LABEL};
use crate::i18n::td_string;
use crate::language::use_lang;

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let change = server_action::<ChangePassword>();
    let lang = use_lang();
    let general_error = move || {
        change.value().get().and_then(|r| r.err()).filter(|e| {
            [
                "current_password",
                "password",
                "new_password",
                "confirm_password",
            ]
            .iter()
            .all(|f| e.field(f).is_none())
        })
    };
    view! {
        <Title text=td_string!(lang, auth.change_password_title) />
        <PageHeader title=td_string!(lang, auth.change_password_heading).to_owned() subtitle=td_string!(lang, auth.password_rule) />
        <section class=format!("max-w-md {CARD}")>
            <ActionForm action=change attr:class="space-y-4">
                <div>
                    <label for="current-password" class=LABEL>{td_string!(lang, auth.current_password)}</label>
                    <input id="current-password" name="current_password" type="password" required autocomplete="current-password" class=format!("mt-1 {INPUT}") />
                    {field_error(change.value(), "current_password")}
                </div>
                <div>
                    <label for="new-password" class=LABEL>{td_string!(lang, auth.new_password)}</label>
                    <input id="new-password" name="new_password" type="password" required minlength="12" autocomplete="new-password" class=format!("mt-1 {INPUT}") />
                    {field_error(change.value(), "password")}
                    {field_error(change.value(), "new_password")}
                </div>
                <div>
                    <label for="confirm-password" class=LABEL>{td_string!(lang, auth.new_password_again)}</label>
                    <input id="confirm-password" name="confirm_password" type="password" required minlength="12" autocomplete="new-password" class=format!("mt-1 {INPUT}") />
                    {field_error(change.value(), "confirm_password")}
                </div>
                <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, auth.change_password_button)}</button>
                {move || general_error().map(|error| view! { <ErrorPanel error /> })}
            </ActionForm>
        </section>
    }
}
