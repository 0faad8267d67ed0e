//! The phone's account: log in (online, once), the session it keeps, and
//! log out (which wipes the phone). On the server each answers
//! [`NOT_HERE`].

#![cfg_attr(not(feature = "hydrate"), allow(unused_variables))]

use super::actions::ActionError;
#[cfg(not(feature = "hydrate"))]
use crate::phone::NOT_HERE;
use crate::records::Session;

#[cfg(feature = "hydrate")]
fn local(e: impl std::fmt::Display) -> ActionError {
    ActionError::from(e.to_string())
}

/// Logs in (online), binds this phone to the account's first unit and
/// keeps the session; returns it.
///
/// A phone that still holds a session (expired, or the user came back to
/// this screen) logs in again as the same device: the server carries on
/// its push numbering, and nothing here is wiped. Only the same person may
/// do that; another must log out first (which wipes the phone).
pub async fn login(phone: String, password: String) -> Result<Session, ActionError> {
    #[cfg(feature = "hydrate")]
    {
        use crate::records::Profile;
        use domain::rules::CommitteeKind;
        let store = crate::idb::LocalStore::shared().await.map_err(local)?;
        let held = store.session().await.map_err(local)?;
        if let Some(held) = &held
            && held.phone != phone.trim()
        {
            return Err(ActionError {
                message: format!(
                    "本机存有 {} 的记录，只能用该账号（{}）重新登录，换人使用请先退出登录 / this phone holds {}'s records: log in with that account ({}), or log out first",
                    held.name, held.phone, held.name, held.phone
                ),
                field: Some("phone".into()),
            });
        }
        let device_id = held
            .as_ref()
            .map_or_else(domain::DeviceId::new_v7, |s| s.device_id);
        let req = domain::api::LoginRequest {
            phone: phone.trim().to_owned(),
            password,
            device_id,
            device_name: web_sys::window()
                .and_then(|w| w.navigator().user_agent().ok())
                .unwrap_or_default(),
        };
        let answer = super::client::login(&req).await.map_err(|e| ActionError {
            message: e.text(),
            field: match &e {
                super::client::ApiError::Refused { field, .. } => field.clone(),
                _ => None,
            },
        })?;
        let identity = &answer.identity;
        if let Some(held) = held {
            if held.person_id != identity.person_id {
                // the number now belongs to someone else: this phone's
                // records are not theirs
                let _ = super::client::logout(&answer.token).await;
                return Err(local(
                    "此账号与本机记录的调解员不是同一人，请先退出登录 / this account is not the person whose records are on this phone: log out first",
                ));
            }
            store.renew_session(&answer.token).await.map_err(local)?;
            return store
                .session()
                .await
                .map_err(local)?
                .ok_or_else(|| local("未登录 / not logged in"));
        }
        let scope = answer
            .identity
            .scopes
            .first()
            .ok_or_else(|| local("此账号没有任何职务 / the account holds no role"))?;
        let old = store.profile().await.map_err(local)?;
        let profile = Profile {
            unit_id: scope.unit_id,
            unit_name: scope.unit_name.clone(),
            committee: CommitteeKind::of_unit(scope.unit_kind).unwrap_or(old.committee),
            number_prefix: old.number_prefix.clone(),
            mediator_id: identity.person_id,
            mediator_name: identity.name.clone(),
        };
        let session = Session {
            token: answer.token.clone(),
            device_id,
            person_id: identity.person_id,
            name: identity.name.clone(),
            phone: identity.phone.clone(),
            unit_id: scope.unit_id,
            unit_name: scope.unit_name.clone(),
            role: scope.role,
            cursor: 0,
            reference_cursor: 0,
            next_seq: 1,
            last_sync: None,
            expired: false,
        };
        store
            .begin_session(&session, &profile)
            .await
            .map_err(local)?;
        Ok(session)
    }
    #[cfg(not(feature = "hydrate"))]
    Err(ActionError::from(NOT_HERE.to_owned()))
}

/// The stored session, if this phone is logged in.
pub async fn session() -> Result<Option<Session>, ActionError> {
    #[cfg(feature = "hydrate")]
    {
        let store = crate::idb::LocalStore::shared().await.map_err(local)?;
        store.session().await.map_err(local)
    }
    #[cfg(not(feature = "hydrate"))]
    Err(ActionError::from(NOT_HERE.to_owned()))
}

/// Ends the session on the server (best effort) and wipes this phone's
/// data. The caller has warned about unsent changes first.
pub async fn logout() -> Result<(), ActionError> {
    #[cfg(feature = "hydrate")]
    {
        end_session().await
    }
    #[cfg(not(feature = "hydrate"))]
    Err(ActionError::from(NOT_HERE.to_owned()))
}

// The network side of sync is reached only through lazy functions (this
// one, the engine's `run_sync` and `register_push`) and the lazily loaded
// log-in screen: built with `--split`, it is a wasm chunk fetched the first
// time the app syncs (the worker precaches it), so the first screen does
// not carry it (docs/perf.md, "The bundle a phone downloads"). The
// browser-side tests build without the `entry` feature: there the same
// functions are plain, so the test wasm has no chunk imports.
#[cfg_attr(feature = "entry", leptos::lazy)]
#[cfg(feature = "hydrate")]
async fn end_session() -> Result<(), ActionError> {
    let store = crate::idb::LocalStore::shared().await.map_err(local)?;
    let session = store.session().await.ok().flatten();
    // the phone's data goes first: a sync still in flight then meets a
    // store without a session, and takes the server's 401 for what it is
    // (this log-out), not for a revocation
    store.clear_all().await.map_err(local)?;
    if let Some(session) = session {
        let _ = super::client::logout(&session.token).await;
    }
    Ok(())
}

/// Whether the logged-in user's role may do `what` (docs/security.md
/// "Roles"), to offer only that: true until the phone knows (before
/// log-in, and on the server's page, where nothing is known of the user).
pub fn use_may(what: domain::Capability) -> impl Fn() -> bool + Copy + Send + Sync + 'static {
    use leptos::prelude::{Get, LocalResource};
    let known = LocalResource::new(session);
    move || match known.get() {
        Some(Ok(Some(s))) => s.role.may(what),
        _ => true,
    }
}
