//! Drafts that survive a reload: a form's state is written to IndexedDB a
//! moment after each change, and read back when the form opens again.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How long typing must pause before the draft is written.
const PAUSE: Duration = Duration::from_millis(250);

/// The autosave state of one form.
#[derive(Clone, Copy)]
pub struct Autosave {
    /// The draft was read back from an earlier visit.
    pub restored: RwSignal<bool>,
    /// The stored draft has been read (or there was none): the form may be used.
    pub loaded: RwSignal<bool>,
    /// When the last change reached IndexedDB (HH:MM:SS).
    pub saved_at: RwSignal<Option<String>>,
    /// Why the last draft write failed, if it did.
    pub failed: RwSignal<Option<String>>,
    key: StoredValue<String>,
    /// Counts changes; a pending write goes ahead only if it is still the
    /// latest. Kept outside the reactive owner, so a write pending when the
    /// form closes still happens (the last keystrokes are not lost).
    generation: StoredValue<Arc<AtomicU64>>,
}

impl Autosave {
    /// Forgets the draft (after the form was saved, or on 清空).
    pub fn discard(&self) {
        // cancels a write still waiting for the typing pause
        // (the form may be closing: nothing here may assume it still exists)
        self.generation
            .try_with_value(|g| g.fetch_add(1, Ordering::SeqCst));
        let Some(key) = self.key.try_get_value() else {
            return;
        };
        self.restored.try_set(false);
        self.saved_at.try_set(None);
        spawn_local(async move {
            let _ = crate::phone::discard_draft(key).await;
        });
    }
}

/// Keeps `state` as the draft `key`. `init` fills a new form (no draft),
/// e.g. with today's date and the mediator's name.
pub fn use_autosave<T, F, Fut>(key: String, state: RwSignal<T>, init: F) -> Autosave
where
    T: Serialize + DeserializeOwned + Clone + PartialEq + Send + Sync + 'static,
    F: FnOnce() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Option<T>> + 'static,
{
    let autosave = Autosave {
        restored: RwSignal::new(false),
        loaded: RwSignal::new(false),
        saved_at: RwSignal::new(None),
        failed: RwSignal::new(None),
        key: StoredValue::new(key.clone()),
        generation: StoredValue::new(Arc::new(AtomicU64::new(0))),
    };
    // the state as loaded: an untouched form leaves no draft behind
    let baseline = StoredValue::new(None::<T>);
    let init = StoredValue::new(Some(init));

    Effect::new(move |_| {
        let key = key.clone();
        spawn_local(async move {
            let stored = crate::phone::draft(key)
                .await
                .ok()
                .flatten()
                .and_then(|json| serde_json::from_str::<T>(&json).ok());
            // the form may have closed while the store answered
            match stored {
                Some(draft) => {
                    state.try_set(draft);
                    autosave.restored.try_set(true);
                }
                None => {
                    if let Some(init) = init.try_update_value(Option::take).flatten()
                        && let Some(fresh) = init().await
                    {
                        state.try_set(fresh);
                    }
                }
            }
            baseline.try_set_value(state.try_get_untracked());
            autosave.loaded.try_set(true);
        });
    });

    Effect::new(move |_| {
        let current = state.get();
        if !autosave.loaded.get() || baseline.with_value(|b| b.as_ref() == Some(&current)) {
            return;
        }
        let generation = autosave.generation.get_value();
        let mine = generation.fetch_add(1, Ordering::SeqCst) + 1;
        let key = autosave.key.get_value();
        set_timeout(
            move || {
                if generation.load(Ordering::SeqCst) != mine {
                    return; // a newer change will save, or the draft was discarded
                }
                let Ok(json) = serde_json::to_string(&current) else {
                    return;
                };
                spawn_local(async move {
                    match crate::phone::save_draft(key, json).await {
                        Ok(()) => {
                            autosave
                                .saved_at
                                .try_set(Some(crate::clock::now().china_time()));
                            autosave.failed.try_set(None);
                        }
                        // e.g. the phone's storage is full: say so, the form is still on screen
                        Err(e) => {
                            autosave.failed.try_set(Some(e));
                        }
                    }
                });
            },
            PAUSE,
        );
    });

    autosave
}
