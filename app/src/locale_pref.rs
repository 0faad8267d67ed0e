//! The user's language choice (中文 / English), kept in a cookie so the
//! server renders the next page in the same language and the cached app
//! shell starts in it offline.
//!
//! Chinese first: English only when the user picked it, whatever language
//! the browser announces. leptos_i18n's own cookie support would do the
//! same but brings the `time` and `cookie` crates into the first download
//! (≈ 40 KB of wasm); this is the few lines it needs.

use crate::i18n::Locale;

/// The cookie's name (leptos_i18n's, so a choice made before stays).
pub const COOKIE: &str = "i18n_pref_locale";

/// Kept for 400 days, the longest browsers allow.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const MAX_AGE_S: u32 = 400 * 24 * 60 * 60;

/// The locale a `Cookie:` header (or `document.cookie`) chose, if any.
pub fn from_cookies(cookies: &str) -> Option<Locale> {
    cookies
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .and_then(|(_, value)| match value.trim() {
            "en" => Some(Locale::en),
            "zh-CN" => Some(Locale::zh_CN),
            _ => None,
        })
}

/// The locale a page is rendered in: the saved choice, else Chinese.
pub fn chosen(cookies: Option<&str>) -> Locale {
    cookies.and_then(from_cookies).unwrap_or(Locale::zh_CN)
}

fn tag(locale: Locale) -> &'static str {
    match locale {
        Locale::zh_CN => "zh-CN",
        Locale::en => "en",
    }
}

/// For the server's render: answers leptos_i18n's "which languages does the
/// client accept" with the saved choice alone, read from the request's
/// cookies, so `Accept-Language` never overrides Chinese.
pub fn language_source() -> leptos_i18n::context::UseLocalesOptions {
    let options = leptos_i18n::context::UseLocalesOptions::default();
    #[cfg(feature = "ssr")]
    let options = options.ssr_lang_header_getter(|| {
        let parts = leptos::prelude::use_context::<http::request::Parts>();
        let cookies = parts
            .as_ref()
            .and_then(|p| p.headers.get(http::header::COOKIE))
            .and_then(|v| v.to_str().ok());
        Some(tag(chosen(cookies)).to_owned())
    });
    options
}

#[cfg(feature = "hydrate")]
fn document() -> Option<web_sys::Document> {
    web_sys::window().and_then(|w| w.document())
}

#[cfg(feature = "hydrate")]
fn document_cookies() -> Option<String> {
    let doc = document()?;
    js_sys::Reflect::get(&doc, &"cookie".into())
        .ok()
        .and_then(|v| v.as_string())
}

/// Saves the choice (the language switch calls it).
#[cfg(feature = "hydrate")]
pub fn remember(locale: Locale) {
    if let Some(doc) = document() {
        let cookie = format!(
            "{COOKIE}={}; path=/; max-age={MAX_AGE_S}; samesite=lax",
            tag(locale)
        );
        let _ = js_sys::Reflect::set(&doc, &"cookie".into(), &cookie.into());
    }
}

/// Before the cached shell is rendered (no server in the loop): marks
/// `<html lang>` with the saved choice, which leptos_i18n reads at start.
#[cfg(feature = "hydrate")]
pub fn apply_to_shell() {
    let locale = chosen(document_cookies().as_deref());
    if let Some(html) = document().and_then(|d| d.document_element()) {
        let _ = html.set_attribute("lang", tag(locale));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_saved_choice_is_found_among_other_cookies() {
        assert_eq!(
            from_cookies("a=1; i18n_pref_locale=en; b=2"),
            Some(Locale::en)
        );
        assert_eq!(from_cookies("i18n_pref_locale=zh-CN"), Some(Locale::zh_CN));
        assert_eq!(from_cookies("x_i18n_pref_locale=en"), None);
        assert_eq!(from_cookies("i18n_pref_locale=fr"), None);
        assert_eq!(from_cookies(""), None);
    }

    #[test]
    fn chinese_unless_english_was_chosen() {
        assert_eq!(chosen(None), Locale::zh_CN);
        assert_eq!(chosen(Some("session=abc")), Locale::zh_CN);
        assert_eq!(chosen(Some("i18n_pref_locale=en")), Locale::en);
        assert_eq!(tag(chosen(Some("i18n_pref_locale=en"))), "en");
    }
}
