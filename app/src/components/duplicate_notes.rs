//! The cases that look like the same dispute (重复申报核查), as the server
//! found them: a note under a claim's line and on a case's page, for the
//! offices that review them. Each flag is a sentence the server wrote in
//! both languages; the screen shows the user's. A flag whose case the
//! office may open links to it.

use crate::i18n::{Locale, use_i18n};
use crate::online;
use crate::texts::one_language;
use domain::CaseId;
use domain::duplicate::CaseDuplicates;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The flagged cases of a case or a claim (`of`: `/api/v1/cases/{id}` or
/// `/api/v1/claims/{id}`), asked once when the logged-in role reviews;
/// empty until the answer, offline or for anyone else.
pub fn ask_duplicates(of: String) -> RwSignal<Vec<CaseDuplicates>> {
    let found = RwSignal::new(Vec::new());
    spawn_local(async move {
        if matches!(online::session().await, Ok(Some(s)) if s.role.may(domain::Capability::Review))
            && let Ok(all) = online::duplicates(of).await
        {
            found.try_set(all);
        }
    });
    found
}

/// The flags of `case_id` among `found` (nothing when it has none).
#[component]
pub fn DuplicateNotes(found: RwSignal<Vec<CaseDuplicates>>, case_id: CaseId) -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    move || {
        let flags = found.with(|all| {
            all.iter()
                .find(|d| d.case_id == case_id)
                .map(|d| d.flags.clone())
        })?;
        let rows = flags
            .into_iter()
            .map(|f| {
                let words = one_language(&f.words, en());
                view! {
                    <li data-testid="duplicate-flag" data-likeness=f.likeness.code()>
                        {match f.case_id {
                            Some(id) => view! { <a href=format!("/cases/{id}")>{words}</a> }.into_any(),
                            None => words.into_any(),
                        }}
                    </li>
                }
            })
            .collect_view();
        // each sentence begins 可能重复： (the server's words)
        Some(view! {
            <ul class="notice notice--warn" data-testid="duplicates">{rows}</ul>
        })
    }
}
