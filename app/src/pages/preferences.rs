//! `/account/preferences`: the signed-in user's time zone, and their locale: the language of
//! the pages and the format of dates, numbers and money, which every page then uses.

use leptos::prelude::*;
use leptos_meta::Title;
use simdesk_types::Locale;

use crate::api::{regional_settings, SaveRegionalSettings};
use crate::components::{
    action_feedback, described_by, error_of, use_session, ErrorPanel, FieldMessage, PageHeader,
    BUTTON_PRIMARY, BUTTON_SECONDARY, CARD, INPUT, LABEL,
};
use crate::i18n::td_string;
use crate::language::{lang_of, use_lang};

#[component]
pub fn PreferencesPage() -> impl IntoView {
    let save = ServerAction::<SaveRegionalSettings>::new();
    let settings = Resource::new(move || save.version().get(), |_| regional_settings());
    let session = use_session();
    let lang = use_lang();
    // The layout loaded the user's settings once; after a change, every page formats anew.
    // A new language reloads the page: texts are looked up once, as the page is built.
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            if lang_of(saved.locale) == lang {
                session.reload();
            } else {
                reload_page();
            }
        }
    });
    // With JavaScript, the browser's own zone is offered when it differs from the saved one.
    let browser_zone = RwSignal::new(None::<String>);
    Effect::new(move |_| browser_zone.set(browser_time_zone()));
    let zone_select = NodeRef::<leptos::html::Select>::new();
    let zone_error = error_of(save.value(), "time_zone");
    let locale_error = error_of(save.value(), "locale");
    view! {
        <Title text=td_string!(lang, preferences.title) />
        <PageHeader title=td_string!(lang, preferences.title).to_owned() subtitle=td_string!(lang, preferences.subtitle) />
        <Suspense fallback=move || view! { <p class="text-slate-500">{td_string!(lang, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(settings) => {
                        let offered = {
                            let saved = settings.time_zone.clone();
                            let known = settings.time_zones.clone();
                            move || browser_zone.get().filter(|zone| *zone != saved && known.contains(zone))
                        };
                        view! {
                        <ActionForm action=save attr:class=format!("max-w-xl space-y-4 {CARD}") attr:data-testid="regional-settings">
                            <div>
                                <label for="time-zone" class=LABEL>{td_string!(lang, preferences.time_zone)}</label>
                                <select
                                    id="time-zone"
                                    name="time_zone"
                                    node_ref=zone_select
                                    class=format!("mt-1 {INPUT}")
                                    aria-describedby=move || described_by(Some("time-zone-hint"), "time-zone", zone_error.get().is_some())
                                    aria-invalid=move || zone_error.get().map(|_| "true")
                                >
                                    {settings.time_zones.iter().map(|zone| view! {
                                        <option value=zone.clone() selected=*zone == settings.time_zone>{zone.replace('_', " ")}</option>
                                    }).collect_view()}
                                </select>
                                <p id="time-zone-hint" class="mt-1 text-xs text-slate-500">{td_string!(lang, preferences.time_zone_hint)}</p>
                                {move || offered().map(|zone| {
                                    let label = format!("{} {}", td_string!(lang, preferences.use_browser_zone), zone.replace('_', " "));
                                    view! {
                                        <button
                                            type="button"
                                            class=format!("mt-2 {BUTTON_SECONDARY}")
                                            data-testid="use-browser-zone"
                                            on:click=move |_| {
                                                if let Some(select) = zone_select.get() {
                                                    select.set_value(&zone);
                                                }
                                            }
                                        >
                                            {label}
                                        </button>
                                    }
                                })}
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

/// Loads the page again, in the language just chosen.
fn reload_page() {
    #[cfg(feature = "hydrate")]
    {
        window().location().reload().ok();
    }
}

/// The IANA zone the browser runs in, as `Intl` reports it; none on the server.
fn browser_time_zone() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let options =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
                .resolved_options();
        js_sys::Reflect::get(&options, &"timeZone".into())
            .ok()
            .and_then(|zone| zone.as_string())
    }
    #[cfg(not(feature = "hydrate"))]
    None
}
