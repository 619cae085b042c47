//! The parts of pages that run in the browser (Leptos islands). Everything else on a page is the
//! server's HTML and works the same without JavaScript; these add conveniences to it. They take
//! what they show as props, already in the reader's language, and act on the page around them
//! by element id, so the browser's code stays small (docs/performance.md §5).

use leptos::prelude::*;

use crate::components::{BUTTON_PRIMARY, BUTTON_SECONDARY, INPUT};

/// Hydrates the page's islands, and then sets `data-hydrated` on `<html>`: Leptos' island script
/// hydrates them right after this returns, in the same task, so the marker (which the browser
/// tests wait for) is set in the next one.
#[cfg(feature = "hydrate")]
pub fn mark_hydrated_after_islands() {
    leptos::mount::hydrate_islands();
    set_timeout(
        || {
            if let Some(root) = document().document_element() {
                root.set_attribute("data-hydrated", "true").ok();
            }
        },
        std::time::Duration::ZERO,
    );
}

/// Shows or hides what is typed into the password field `input_id`.
#[island]
pub fn PasswordToggle(input_id: String, show: String, hide: String) -> impl IntoView {
    let (shown, set_shown) = signal(false);
    let controls = input_id.clone();
    let toggle = move |_| {
        let now = !shown.get_untracked();
        set_shown.set(now);
        if let Some(input) = document().get_element_by_id(&input_id) {
            input
                .set_attribute("type", if now { "text" } else { "password" })
                .ok();
        }
    };
    view! {
        <button
            type="button"
            class="text-xs font-medium text-teal-700 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-700"
            aria-controls=controls
            aria-pressed=move || shown.get().to_string()
            data-testid="toggle-password"
            on:click=toggle
        >
            {move || if shown.get() { hide.clone() } else { show.clone() }}
        </button>
    }
}

/// Offers the browser's own time zone for the select `select_id` when it lists it and another
/// one is chosen. `label` is followed by the zone's name.
#[island]
pub fn BrowserTimeZone(select_id: String, label: String) -> impl IntoView {
    let offered = RwSignal::new(None::<String>);
    let select = StoredValue::new(select_id);
    Effect::new(move |_| offered.set(select.with_value(|id| browser_zone_to_offer(id))));
    move || {
        offered.get().map(|zone| {
            let text = format!("{label} {}", zone.replace('_', " "));
            view! {
                <button
                    type="button"
                    class=format!("mt-2 {BUTTON_SECONDARY}")
                    data-testid="use-browser-zone"
                    on:click=move |_| select.with_value(|id| choose_option(id, &zone))
                >
                    {text}
                </button>
            }
        })
    }
}

/// The zone the browser runs in (as `Intl` reports it), if the select lists it and another one
/// is chosen; none on the server.
fn browser_zone_to_offer(select_id: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let options =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
                .resolved_options();
        let zone = js_sys::Reflect::get(&options, &"timeZone".into())
            .ok()?
            .as_string()?;
        // A zone's name is letters, digits and `_/+-`; anything else is not looked for.
        if !zone
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_/+-".contains(&b))
        {
            return None;
        }
        let select = document()
            .get_element_by_id(select_id)?
            .dyn_into::<web_sys::HtmlSelectElement>()
            .ok()?;
        let listed = document()
            .query_selector(&format!("#{select_id} option[value=\"{zone}\"]"))
            .ok()
            .flatten()
            .is_some();
        (listed && select.value() != zone).then_some(zone)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = select_id;
        None
    }
}

fn choose_option(select_id: &str, value: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(select) = document()
            .get_element_by_id(select_id)
            .and_then(|element| element.dyn_into::<web_sys::HtmlSelectElement>().ok())
        {
            select.set_value(value);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (select_id, value);
}

/// A search field that hides the rows (`rows`, a CSS selector) that do not contain what is
/// typed: in their `data-filter` attribute where they have one, else in their text. Without
/// JavaScript the list is shown whole.
#[island]
pub fn RowFilter(
    input_id: String,
    placeholder: String,
    rows: String,
    test_id: String,
) -> impl IntoView {
    view! {
        <input
            id=input_id
            type="search"
            placeholder=placeholder
            class=format!("max-w-xs {INPUT}")
            data-testid=test_id
            on:input=move |ev| show_rows_containing(&rows, &event_target_value(&ev))
        />
    }
}

fn show_rows_containing(rows: &str, text: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let wanted = text.trim().to_lowercase();
        let Ok(found) = document().query_selector_all(rows) else {
            return;
        };
        for index in 0..found.length() {
            let Some(row) = found
                .item(index)
                .and_then(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
            else {
                continue;
            };
            let matches = row
                .get_attribute("data-filter")
                .or_else(|| row.text_content())
                .is_some_and(|content| content.to_lowercase().contains(&wanted));
            row.style()
                .set_property("display", if matches { "" } else { "none" })
                .ok();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (rows, text);
}

/// The submit button of an upload form, which sends the file with a progress bar and then
/// opens the page the server answers with. `uploading` is followed by the share sent so far.
/// Without JavaScript the browser posts the form itself.
#[island]
pub fn UploadButton(label: String, uploading: String, uploaded: String) -> impl IntoView {
    let progress = RwSignal::new(None::<u32>);
    view! {
        {move || progress.get().map(|percent| view! {
            <div role="status" aria-live="polite" data-testid="upload-progress">
                <progress class="h-2 w-full overflow-hidden rounded accent-teal-700" max="100" value=percent.to_string()></progress>
                <p class="mt-1 text-xs text-slate-600">
                    {if percent < 100 { format!("{uploading} {percent} %") } else { uploaded.clone() }}
                </p>
            </div>
        })}
        <button type="submit" class=BUTTON_PRIMARY disabled=move || progress.get().is_some()
            on:click=move |ev| upload_with_progress(ev, progress)>{label}</button>
    }
}

/// Sends the button's form with a progress bar, then shows the page the server answers with.
/// It takes over the button's click, before any submit event.
fn upload_with_progress(ev: leptos::ev::MouseEvent, progress: RwSignal<Option<u32>>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlButtonElement>().ok())
            .and_then(|button| button.form())
        else {
            return;
        };
        ev.prevent_default();
        if !form.report_validity() {
            return;
        }
        // Without a working XMLHttpRequest the browser posts the form as it would without
        // JavaScript (`submit()` fires no submit event).
        let (Ok(data), Ok(request)) = (
            web_sys::FormData::new_with_form(&form),
            web_sys::XmlHttpRequest::new(),
        ) else {
            let _ = form.submit();
            return;
        };
        if request.open("POST", &form.action()).is_err()
            || request
                .set_request_header("X-Requested-With", "XMLHttpRequest")
                .is_err()
        {
            let _ = form.submit();
            return;
        }
        progress.set(Some(0));
        if let Ok(upload) = request.upload() {
            let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(
                move |e: web_sys::ProgressEvent| {
                    if e.length_computable() && e.total() > 0.0 {
                        progress.set(Some(((e.loaded() / e.total()) * 100.0).min(100.0) as u32));
                    }
                },
            );
            upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
            on_progress.forget();
        }
        let done_request = request.clone();
        let fallback = window()
            .location()
            .pathname()
            .unwrap_or_else(|_| "/".to_owned());
        let on_done = Closure::<dyn FnMut()>::new(move || {
            // The server answers with the page to show (it keeps the outcome for it); a
            // failed request shows this page again.
            let target = done_request
                .response_text()
                .ok()
                .flatten()
                .filter(|t| done_request.status() == Ok(200) && t.starts_with('/'))
                .unwrap_or_else(|| fallback.clone());
            let _ = window().location().assign(&target);
        });
        request.set_onloadend(Some(on_done.as_ref().unchecked_ref()));
        on_done.forget();
        if request.send_with_opt_form_data(Some(&data)).is_err() {
            progress.set(None);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, progress);
}

/// Loads the page again every `seconds` in the background and puts the new content of the
/// element `target_id` in place of the old, so a list shows what arrived meanwhile. It waits
/// while the user is working inside that element (focus in it).
#[island]
pub fn LiveRefresh(target_id: String, seconds: u64) -> impl IntoView {
    Effect::new(move |_| {
        let target_id = target_id.clone();
        if let Ok(handle) = set_interval_with_handle(
            move || refresh_from_server(target_id.clone()),
            std::time::Duration::from_secs(seconds.max(1)),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
}

fn refresh_from_server(target_id: String) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        let Ok(href) = window().location().href() else {
            return;
        };
        let Ok(response) = gloo_net::http::Request::get(&href)
            .header("Accept", "text/html")
            .send()
            .await
        else {
            return;
        };
        if !response.ok() {
            return;
        }
        let Ok(page) = response.text().await else {
            return;
        };
        let Some(current) = document().get_element_by_id(&target_id) else {
            return;
        };
        let busy = document()
            .active_element()
            .is_some_and(|focused| current.contains(Some(&focused)));
        if busy {
            return;
        }
        let Ok(parser) = web_sys::DomParser::new() else {
            return;
        };
        let fresh = parser
            .parse_from_string(&page, web_sys::SupportedType::TextHtml)
            .ok()
            .and_then(|fresh| fresh.get_element_by_id(&target_id));
        if let Some(fresh) = fresh {
            if fresh.inner_html() != current.inner_html() {
                current.set_inner_html(&fresh.inner_html());
            }
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = target_id;
}
