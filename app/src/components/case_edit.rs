//! A small change to the case on a case page's card (a checkbox, a count):
//! made on the case as stored now, saved with its outbox entry, shown at
//! once; what is wrong with it is said in `problem`, and nothing is stored.

use crate::{clock, phone};
use domain::case::Case;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Applies `edit` to the stored case, stamps it, saves it and shows it;
/// `problem` gets the refusal's words (or is cleared).
pub fn change_case(
    case: RwSignal<Option<Case>>,
    problem: RwSignal<Option<String>>,
    edit: Box<dyn FnOnce(&mut Case) + Send + Sync>,
) {
    let Some(id) = case.with_untracked(|c| c.as_ref().map(|c| c.id.to_string())) else {
        return;
    };
    spawn_local(async move {
        let result = phone::edit_case(id, move |current| {
            let mut next = current.clone();
            edit(&mut next);
            next.updated_at = Some(clock::now());
            Ok(next)
        })
        .await;
        let said = match result {
            Ok(Ok(next)) => {
                // the page may have closed meanwhile: the case is saved all the same
                case.try_set(Some(next));
                None
            }
            Ok(Err(problems)) => Some(
                problems
                    .into_iter()
                    .map(|p| crate::texts::problem(&p.problem, false))
                    .collect::<Vec<_>>()
                    .join("；"),
            ),
            Err(e) => Some(e),
        };
        problem.try_set(said);
    });
}
