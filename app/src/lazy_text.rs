//! Texts of the lazily loaded screens that only they show (the case page's
//! sync notices and lock card, the device list). leptos_i18n compiles every
//! key of `locales/*.json` into the first load (Home's wasm), which has a
//! size budget; a text written here lives in the chunk of the screen that
//! uses it. Same rule: Simplified Chinese first, English second, switched
//! with the app's language.

use crate::i18n::Locale;
use leptos_i18n::I18nContext;

/// The text in the current language (follows a language switch).
pub fn say(
    i18n: I18nContext<Locale>,
    zh: &'static str,
    en: &'static str,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    move || {
        if i18n.get_locale() == Locale::en {
            en
        } else {
            zh
        }
    }
}
