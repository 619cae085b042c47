use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::td_string;
use crate::language::use_lang;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let lang = use_lang();
    view! {
        <Title text=td_string!(lang, common.not_found_title) />
        <main class="mx-auto max-w-md px-4 py-24 text-center">
            <p class="text-sm font-semibold text-teal-700">"404"</p>
            <h1 class="mt-2 text-2xl font-bold">{td_string!(lang, common.not_found_title)}</h1>
            <p class="mt-2 text-slate-600">{td_string!(lang, common.not_found_body)}</p>
            <a href="/" class="mt-6 inline-block font-medium text-teal-700 underline">
                {td_string!(lang, common.not_found_home)}
            </a>
        </main>
    }
}
