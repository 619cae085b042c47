use crate::components::server_action;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{mail_preferences, SaveMailPreferences};
use crate::components::{action_feedback, ErrorPanel, PageHeader, BUTTON_PRIMARY, CARD};
use crate::i18n::{td, td_string};
use crate::language::{locale_of, use_lang};

/// Which e-mails the signed-in user gets.
#[component]
pub fn MailPreferencesPage() -> impl IntoView {
    let save = server_action::<SaveMailPreferences>();
    let preferences = Resource::new(move || save.version().get(), |_| mail_preferences());
    let lang = use_lang();
    view! {
        <Title text=td_string!(lang, auth.mail_title) />
        <PageHeader title=td_string!(lang, auth.mail_title).to_owned() subtitle=td_string!(lang, auth.mail_subtitle) />
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match preferences.await {
                    Ok(p) if p.topics.is_empty() => view! {
                        <p class=format!("max-w-xl {CARD}")>{td_string!(lang, auth.mail_no_topics)}</p>
                    }.into_any(),
                    Ok(p) => view! {
                        <ActionForm action=save attr:class=format!("max-w-xl space-y-4 {CARD}") attr:data-testid="mail-preferences">
                            <fieldset>
                                <legend class="text-sm font-medium text-slate-700">
                                    {td!(lang, auth.mail_me_at, email = p.email.clone())}
                                </legend>
                                <div class="mt-3 space-y-2">
                                    {p.topics.iter().enumerate().map(|(i, choice)| {
                                        let id = format!("topic-{i}");
                                        let label_for = id.clone();
                                        view! {
                                            <label for=label_for class="flex items-start gap-2 text-sm text-slate-700">
                                                <input id=id type="checkbox" name=format!("topics[{i}]") value=choice.topic.as_str() checked=choice.enabled class="mt-0.5 h-4 w-4 rounded border-slate-300 text-teal-700 focus:ring-teal-700" />
                                                {choice.topic.label_in(locale_of(lang))}
                                            </label>
                                        }
                                    }).collect_view()}
                                </div>
                            </fieldset>
                            <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, auth.mail_save)}</button>
                            {action_feedback(save, td_string!(lang, auth.mail_saved))}
                        </ActionForm>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
