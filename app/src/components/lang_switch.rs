//! The 中文 / English switch. The choice is kept in a cookie, so the server
//! renders the next page in the same language.

use crate::i18n::{Locale, t, use_i18n};
use leptos::prelude::*;

#[component]
pub fn LangSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let toggle = move |_| {
        let next = match i18n.get_locale() {
            Locale::zh_CN => Locale::en,
            Locale::en => Locale::zh_CN,
        };
        i18n.set_locale(next);
        #[cfg(feature = "hydrate")]
        crate::locale_pref::remember(next);
    };
    view! {
        <button type="button" class="lang-switch" on:click=toggle data-testid="lang-switch">
            {t!(i18n, switch_language)}
        </button>
    }
}
