//! The browser's entry point: hydrates the islands of the server-rendered page.

// The views' nested types are deep; the default limit of 128 is reached by the larger pages.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Leptos' island script hydrates the islands right after this returns, in the same task;
    // the marker the tests wait for is set in the next one, once they are live.
    app::islands::mark_hydrated_after_islands();
}
