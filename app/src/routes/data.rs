//! 本机数据: what this phone keeps and how safe it is — unsent changes,
//! storage used, persistent storage, the export of unsent data (and its
//! import on this or another phone), the device profile, and a reset that
//! warns and offers the export before anything unsent is lost.

use crate::components::lang_switch::LangSwitch;
use crate::i18n::{Locale, t, use_i18n};
use crate::phone;
use crate::records::{Profile, StorageInfo};
use domain::rules::CommitteeKind;
use leptos::prelude::*;
use leptos::task::spawn_local;

fn megabytes(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1_048_576.0)
}

/// Downloads the export file; `Err` says why not.
async fn export() -> Result<(), String> {
    let (json, name) = phone::export_unsent().await?;
    #[cfg(feature = "hydrate")]
    crate::device::download(&name, &json, "application/json")?;
    #[cfg(not(feature = "hydrate"))]
    let _ = (json, name);
    Ok(())
}

#[component]
pub fn DataPage() -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let pending = RwSignal::new(None::<u32>);
    let storage = RwSignal::new(None::<StorageInfo>);
    let profile = RwSignal::new(None::<Profile>);
    let message = RwSignal::new(None::<(bool, String)>);
    let confirm_reset = RwSignal::new(false);

    let refresh = move || {
        spawn_local(async move {
            pending.try_set(phone::pending_count().await.ok());
            storage.try_set(phone::storage_info().await.ok());
            if profile.get_untracked().is_none() {
                profile.try_set(phone::profile().await.ok());
            }
        });
    };
    Effect::new(move |_| refresh());

    let say = move |ok: bool, zh: String, en_text: String| {
        message.try_set(Some((ok, if en() { en_text } else { zh })));
    };
    let on_export = move |_| {
        spawn_local(async move {
            match export().await {
                Ok(()) => say(
                    true,
                    "已导出。请把文件保存到安全的地方（如电脑或另一部手机）。".into(),
                    "Exported. Keep the file somewhere safe (a computer or another phone).".into(),
                ),
                Err(e) => say(false, e.clone(), e),
            }
        });
    };
    let on_import = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let Some(file) = crate::device::chosen_file(&ev) else {
                return;
            };
            spawn_local(async move {
                let result = match crate::device::read_text(&file).await {
                    Ok(text) => phone::import(text).await,
                    Err(e) => Err(e),
                };
                match result {
                    Ok(report) => {
                        let crate::records::ImportReport {
                            cases_added,
                            cases_updated,
                            cases_kept,
                            changes_added,
                            photos_added,
                            screenings_added,
                        } = report;
                        if report.added_nothing() {
                            say(
                                true,
                                format!(
                                    "导入完成：文件中的 {cases_kept} 件案件本机都已有，未新增任何内容。"
                                ),
                                format!(
                                    "Imported: all {cases_kept} cases were already here; nothing was added."
                                ),
                            );
                        } else {
                            say(
                                true,
                                format!(
                                    "导入完成：新增案件 {cases_added} 件，更新 {cases_updated} 件，排查记录 {screenings_added} 条，待同步记录 {changes_added} 条，照片 {photos_added} 张。"
                                ),
                                format!(
                                    "Imported: {cases_added} cases added, {cases_updated} updated, {screenings_added} screening records, {changes_added} changes to send, {photos_added} photos."
                                ),
                            );
                        }
                        refresh();
                    }
                    Err(e) => say(false, e.clone(), e),
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let on_persist = move |_| {
        spawn_local(async move {
            match phone::request_persistence().await {
                Ok(true) => say(
                    true,
                    "浏览器已同意长期保存本机数据。".into(),
                    "The browser will keep this data.".into(),
                ),
                Ok(false) => say(
                    false,
                    "浏览器暂未同意长期保存。请把调解通添加到主屏幕后再试。".into(),
                    "The browser did not agree yet; add the app to the home screen and try again."
                        .into(),
                ),
                Err(e) => say(false, e.clone(), e),
            }
            refresh();
        });
    };
    let reset = move |_| {
        spawn_local(async move {
            match phone::clear_all().await {
                Ok(()) => {
                    confirm_reset.try_set(false);
                    profile.try_set(None);
                    say(
                        true,
                        "本机数据已清除。".into(),
                        "This phone's data was deleted.".into(),
                    );
                    refresh();
                }
                Err(e) => say(false, e.clone(), e),
            }
        });
    };
    let save_profile = move |_| {
        if let Some(p) = profile.get_untracked() {
            spawn_local(async move {
                match phone::save_profile(p).await {
                    Ok(()) => say(true, "已保存。".into(), "Saved.".into()),
                    Err(e) => say(false, e.clone(), e),
                }
            });
        }
    };
    let profile_field = move |get: fn(&Profile) -> String, set: fn(&mut Profile, String)| {
        (
            move || profile.with(|p| p.as_ref().map(get).unwrap_or_default()),
            move |ev: leptos::ev::Event| {
                let v = event_target_value(&ev);
                profile.update(|p| {
                    if let Some(p) = p {
                        set(p, v);
                    }
                });
            },
        )
    };
    let (mediator, set_mediator) =
        profile_field(|p| p.mediator_name.clone(), |p, v| p.mediator_name = v);
    let (unit, set_unit) = profile_field(|p| p.unit_name.clone(), |p, v| p.unit_name = v);
    let (prefix, set_prefix) =
        profile_field(|p| p.number_prefix.clone(), |p, v| p.number_prefix = v);

    view! {
        <header class="app-bar">
            <a class="app-bar__back" href="/" aria-label="返回 / back">"‹"</a>
            <h1 class="app-bar__title">{t!(i18n, data_title)}</h1>
            <LangSwitch />
        </header>
        <main class="page">
            {move || message.get().map(|(ok, text)| view! {
                <p class="notice" class:notice--ok=ok class:notice--bad=!ok role="status" data-testid="data-message">{text}</p>
            })}
            <section class="card">
                <h2 class="card__label">{t!(i18n, unsent_heading)}</h2>
                <p><span>{t!(i18n, pending_sync)}</span> " "
                    <strong data-testid="data-pending">{move || pending.get().map_or("…".to_owned(), |n| n.to_string())}</strong></p>
                <p class="muted">{crate::lazy_text::say(i18n, "清除网站数据、换手机或手机损坏都会丢失未同步的记录。导出的文件包含全部未同步记录和照片，可在本机或另一部手机上导入。文件含当事人身份证号、电话和照片，请妥善保管，不要在群聊中转发。", "Clearing site data, a new or broken phone lose unsent records. The export holds every unsent record and photo and can be imported on this or another phone. It contains parties’ ID numbers, phones and photos: keep it safe and do not forward it in group chats.")}</p>
                <button type="button" class="button button--primary" data-testid="export" on:click=on_export>{t!(i18n, export_unsent)}</button>
                <label class="button button--quiet file-button">
                    {crate::lazy_text::say(i18n, "导入数据文件", "Import a data file")}
                    <input type="file" accept="application/json,.json" class="visually-hidden" data-testid="import" on:change=on_import />
                </label>
            </section>
            <section class="card">
                <h2 class="card__label">{crate::lazy_text::say(i18n, "存储空间", "Storage")}</h2>
                {move || storage.get().map(|s| view! {
                    <p data-testid="storage-used">
                        {if en() { "used " } else { "已用 " }} {megabytes(s.used_bytes)}
                        {if en() { " of " } else { " / 可用 " }} {megabytes(s.quota_bytes)}
                    </p>
                    <p data-testid="storage-persisted" data-persisted=s.persisted.to_string()>
                        {if s.persisted {
                            if en() { "Protected: the browser will not clear it on its own." } else { "已开启长期保存：浏览器不会自动清除。" }
                        } else if en() { "Not protected: the browser may clear it when space runs low." } else { "未开启长期保存：空间不足时浏览器可能清除。" }}
                    </p>
                    {(!s.persisted).then(|| view! {
                        <button type="button" class="button button--quiet" data-testid="persist" on:click=on_persist>{crate::lazy_text::say(i18n, "开启长期保存", "Ask to keep data")}</button>
                    })}
                })}
            </section>
            <section class="card">
                <h2 class="card__label">{crate::lazy_text::say(i18n, "本机调解员与调委会", "Mediator and committee of this phone")}</h2>
                <div class="field"><label for="profile-mediator">{t!(i18n, f_mediator)}</label>
                    <input id="profile-mediator" prop:value=mediator on:input=set_mediator /></div>
                <div class="field"><label for="profile-unit">{t!(i18n, f_committee_name)}</label>
                    <input id="profile-unit" prop:value=unit on:input=set_unit /></div>
                <div class="field"><label for="profile-committee">{t!(i18n, f_committee)}</label>
                    <select id="profile-committee" on:change=move |ev| {
                        let code = event_target_value(&ev);
                        if let Some(k) = CommitteeKind::ALL.into_iter().find(|k| k.code() == code) {
                            profile.update(|p| if let Some(p) = p { p.committee = k; });
                        }
                    }>
                        {CommitteeKind::ALL.map(|k| view! {
                            <option value=k.code() selected=move || profile.with(|p| p.as_ref().is_some_and(|p| p.committee == k))>
                                {move || if en() { k.name_en() } else { k.name_zh() }}
                            </option>
                        })}
                    </select></div>
                <div class="field"><label for="profile-prefix">{crate::lazy_text::say(i18n, "案号前缀（如“楚”）", "Case-number prefix (e.g. 楚)")}</label>
                    <input id="profile-prefix" prop:value=prefix on:input=set_prefix maxlength="4" /></div>
                <button type="button" class="button" on:click=save_profile>{t!(i18n, save)}</button>
            </section>
            <section class="card card--danger">
                <h2 class="card__label">{crate::lazy_text::say(i18n, "重置", "Reset")}</h2>
                <Show when=move || !confirm_reset.get()>
                    <button type="button" class="button button--danger" data-testid="reset" on:click=move |_| {
                        // count again: the warning must be about what is unsent now
                        pending.set(None);
                        refresh();
                        confirm_reset.set(true);
                    }>{crate::lazy_text::say(i18n, "清除本机数据", "Delete this phone’s data")}</button>
                </Show>
                <Show when=move || confirm_reset.get()>
                    <div role="alertdialog" aria-labelledby="reset-warning" data-testid="reset-confirm">
                        <p id="reset-warning" class="field__error">
                            {move || match pending.get() {
                                Some(n) if n > 0 => if en() {
                                    format!("{n} changes have not reached the server and will be lost. Export them first.")
                                } else {
                                    format!("还有 {n} 条记录未同步，清除后将永久丢失。请先导出未同步数据。")
                                },
                                Some(_) => if en() { "Delete everything on this phone?".to_owned() } else { "确定清除本机全部数据？".to_owned() },
                                None => if en() { "Counting unsent changes…".to_owned() } else { "正在清点未同步的记录…".to_owned() },
                            }}
                        </p>
                        <Show when=move || { pending.get().unwrap_or(0) > 0 }>
                            <button type="button" class="button button--primary" data-testid="reset-export" on:click=on_export>{t!(i18n, export_unsent)}</button>
                        </Show>
                        <button type="button" class="button button--danger" data-testid="reset-confirm-button" disabled=move || pending.get().is_none() on:click=reset>{crate::lazy_text::say(i18n, "仍然清除", "Delete anyway")}</button>
                        <button type="button" class="button button--quiet" on:click=move |_| confirm_reset.set(false)>{crate::lazy_text::say(i18n, "取消", "Cancel")}</button>
                    </div>
                </Show>
            </section>
        </main>
    }
}
