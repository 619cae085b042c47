use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::ChangePassword;
use crate::components::{field_error, ErrorPanel, PageHeader, BUTTON_PRIMARY, CARD, INPUT, LABEL};

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
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
        <Title text="Change password" />
        <PageHeader title="Change your password".to_owned() subtitle="Use at least 12 characters; a passphrase of a few words is easy to remember and hard to guess." />
        <section class=format!("max-w-md {CARD}")>
            <ActionForm action=change attr:class="space-y-4">
                <div>
                    <label for="current-password" class=LABEL>"Current password"</label>
                    <input id="current-password" name="current_password" type="password" required autocomplete="current-password" class=format!("mt-1 {INPUT}") />
                    {field_error(change.value(), "current_password")}
                </div>
                <div>
                    <label for="new-password" class=LABEL>"New password"</label>
                    <input id="new-password" name="new_password" type="password" required minlength="12" autocomplete="new-password" class=format!("mt-1 {INPUT}") />
                    {field_error(change.value(), "password")}
                    {field_error(change.value(), "new_password")}
                </div>
                <div>
                    <label for="confirm-password" class=LABEL>"New password again"</label>
                    <input id="confirm-password" name="confirm_password" type="password" required minlength="12" autocomplete="new-password" class=format!("mt-1 {INPUT}") />
                    {field_error(change.value(), "confirm_password")}
                </div>
                <button type="submit" class=BUTTON_PRIMARY>"Change password"</button>
                {move || general_error().map(|error| view! { <ErrorPanel error /> })}
            </ActionForm>
        </section>
    }
}
