//! Hydrates the server-rendered page in the browser.

// The views' nested types are deep; the default limit of 128 is reached by the larger pages.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
