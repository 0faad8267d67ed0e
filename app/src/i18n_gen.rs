//! The translations (locales/zh-CN.json, locales/en.json), compiled in by
//! leptos_i18n. Its `load_locales!` macro is deprecated in 0.6 in favour of a
//! build script, whose build dependencies (ICU data export with networking)
//! would add minutes to every cold build here; the macro generates the same
//! module, so it stays until that changes.
#![allow(deprecated)]

leptos_i18n::load_locales!();
