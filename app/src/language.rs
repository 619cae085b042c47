//! The language of the interface. A signed-in user reads simdesk in the language they chose
//! (stored with their time zone, see `/account/preferences`); a visitor in the first of their
//! browser's languages that simdesk speaks, else English.
//!
//! Pages take the language once with [`use_lang`] and look texts up with
//! `td_string!(lang, namespace.key)`: a change of language reloads the page, so no text needs
//! to follow it reactively.

use simdesk_types::Locale;

pub use crate::i18n::Locale as Lang;

/// The language of the page being built, as [`provide_page_lang`] decided it.
#[derive(Clone, Copy)]
struct PageLang(Lang);

/// Decides the page's language for the request being rendered ([`request_locale`]) and
/// provides it to the pages. The app keeps no language state of its own beyond this: a change
/// of language loads the page again. (leptos_i18n's context provider is not used: its
/// isomorphic effect could outlive a short request's rendering and panic on the server.)
pub fn provide_page_lang() -> Lang {
    #[cfg(feature = "ssr")]
    let lang = lang_of(request_locale());
    #[cfg(not(feature = "ssr"))]
    let lang = Lang::default();
    leptos::prelude::provide_context(PageLang(lang));
    lang
}

/// The language of the page being built. English where the app's context is out of reach
/// (never on a page under `App`), rather than a page that fails.
pub fn use_lang() -> Lang {
    leptos::prelude::use_context::<PageLang>().map_or_else(Lang::default, |page| page.0)
}

/// The BCP 47 code of an interface language, as `<html lang>` carries it.
pub fn code_of(lang: Lang) -> &'static str {
    locale_of(lang).code()
}

/// The interface language for a user's stored locale.
pub fn lang_of(locale: Locale) -> Lang {
    match locale {
        Locale::English => Lang::en,
        Locale::German => Lang::de,
    }
}

/// The stored locale for an interface language: labels of the shared types and formats.
pub fn locale_of(lang: Lang) -> Locale {
    match lang {
        Lang::en => Locale::English,
        Lang::de => Locale::German,
    }
}

#[cfg(feature = "ssr")]
fn requested_language() -> Option<String> {
    use leptos::prelude::use_context;
    let parts = use_context::<http::request::Parts>()?;
    if let Some(actor) = parts.extensions.get::<simdesk_domain::Actor>() {
        return Some(actor.language.code().to_owned());
    }
    parts
        .headers
        .get(http::header::ACCEPT_LANGUAGE)?
        .to_str()
        .ok()
        .map(str::to_owned)
}

/// On the server, the language of whoever made the request being served (a page or a server
/// function): the signed-in user's, or else the first of the browser's `Accept-Language` that
/// simdesk speaks; English outside a request.
#[cfg(feature = "ssr")]
pub fn request_locale() -> Locale {
    use leptos_i18n::Locale as _;
    let Some(header) = requested_language() else {
        return Locale::English;
    };
    // In the browser's order of preference; the weights only ever repeat that order.
    let accepted: Vec<&str> = header
        .split(',')
        .map(|tag| tag.split(';').next().unwrap_or_default().trim())
        .filter(|tag| !tag.is_empty())
        .collect();
    locale_of(Lang::find_locale(&accepted))
}
