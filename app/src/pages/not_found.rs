use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found" />
        <main class="mx-auto max-w-md px-4 py-24 text-center">
            <p class="text-sm font-semibold text-teal-700">"404"</p>
            <h1 class="mt-2 text-2xl font-bold">"Page not found"</h1>
            <p class="mt-2 text-slate-600">"The page does not exist or is not available to you."</p>
            <a href="/" class="mt-6 inline-block font-medium text-teal-700 underline">
                "Go to the dashboard"
            </a>
        </main>
    }
}
