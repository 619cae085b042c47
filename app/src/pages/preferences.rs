//! `/account/preferences`: the signed-in user's time zone, and their locale: the language of
//! the pages and the format of dates, numbers and money, which every page then uses.

use crate::components::server_action;
use leptos::prelude::*;
use leptos_meta::Title;
use simdesk_types::Locale;

use crate::api::{regional_settings, SaveRegionalSettings};
use crate::components::{
    action_feedback, described_by, error_of, ErrorPanel, FieldMessage, PageHeader, BUTTON_PRIMARY,
    CARD, INPUT, LABEL,
};
use crate::i18n::td_string;
use crate::islands::BrowserTimeZone;
use crate::language::use_lang;

#[component]
pub fn PreferencesPage() -> impl IntoView {
    let save = server_action::<SaveRegionalSettings>();
    let settings = Resource::new(move || save.version().get(), |_| regional_settings());
    // The form posts and the page comes back, built in the language and zone just saved.
    let lang = use_lang();
    let zone_error = error_of(save.value(), "time_zone");
    let locale_error = error_of(save.value(), "locale");
    view! {
        <Title text=td_string!(lang, preferences.title) />
        <PageHeader title=td_string!(lang, preferences.title).to_owned() subtitle=td_string!(lang, preferences.subtitle) />
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(settings) => {
                        view! {
                        <ActionForm action=save attr:class=format!("max-w-xl space-y-4 {CARD}") attr:data-testid="regional-settings">
                            <div>
                                <label for="time-zone" class=LABEL>{td_string!(lang, preferences.time_zone)}</label>
                                <select
                                    id="time-zone"
                                    name="time_zone"
                                    class=format!("mt-1 {INPUT}")
                                    aria-describedby=move || described_by(Some("time-zone-hint"), "time-zone", zone_error.get().is_some())
                                    aria-invalid=move || zone_error.get().map(|_| "true")
                                >
                                    {settings.time_zones.iter().map(|zone| view! {
                                        <option value=zone.clone() selected=*zone == settings.time_zone>{zone.replace('_', " ")}</option>
                                    }).collect_view()}
                                </select>
                                <p id="time-zone-hint" class="mt-1 text-xs text-slate-500">{td_string!(lang, preferences.time_zone_hint)}</p>
                                // With JavaScript, the browser's own zone, when it differs from the saved one.
                                <BrowserTimeZone select_id="time-zone".to_owned() label=td_string!(lang, preferences.use_browser_zone).to_owned() />
                                <FieldMessage id="time-zone" error=zone_error />
                            </div>
                            <div>
                                <label for="locale" class=LABEL>{td_string!(lang, preferences.locale)}</label>
                                <select
                                    id="locale"
                                    name="locale"
                                    class=format!("mt-1 {INPUT}")
                                    aria-describedby=move || described_by(Some("locale-hint"), "locale", locale_error.get().is_some())
                                    aria-invalid=move || locale_error.get().map(|_| "true")
                                >
                                    {Locale::ALL.into_iter().map(|locale| view! {
                                        <option value=locale.code() selected=locale == settings.locale>{locale.label()}</option>
                                    }).collect_view()}
                                </select>
                                <p id="locale-hint" class="mt-1 text-xs text-slate-500">{td_string!(lang, preferences.locale_hint)}</p>
                                <FieldMessage id="locale" error=locale_error />
                            </div>
                            <button type="submit" class=BUTTON_PRIMARY>{td_string!(lang, preferences.save)}</button>
                            {action_feedback(save, td_string!(lang, preferences.saved))}
                        </ActionForm>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
