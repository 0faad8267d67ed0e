//! 账号管理: an office's accounts of the people below it — a new password
//! for someone who forgot theirs, an account stopped (someone left) or let
//! in again — with the effects of `tiaojie user passwd|disable|enable`.
//!
//! An office manages the accounts of people whose unit and every role lie
//! strictly below one of its [`Capability::ManageAccounts`] units: the
//! judicial office its committees' mediators and heads, the bureau's
//! business section the townships' people. Never its own unit's people (a
//! colleague, a superior) nor anyone who also holds a role elsewhere:
//! setting a password is taking the account over, so it stays with whoever
//! is above all of that person's roles. Outside: not found.

use super::caller::Caller;
use super::password;
use crate::store::{self, Store, StoreError, accounts::HeldAccount};
use domain::api::AccountView;
use domain::{AccountId, Capability, Timestamp, UnitPath};

#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    /// The caller's roles manage no accounts.
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

/// Whether `path` lies strictly below one of `roots`.
fn strictly_below(roots: &[&UnitPath], path: &UnitPath) -> bool {
    roots.iter().any(|r| *r != path && r.contains(path))
}

/// Whether the caller's offices may manage this account.
fn manageable(roots: &[&UnitPath], account: &HeldAccount) -> bool {
    strictly_below(roots, &account.unit_path)
        && account
            .grants
            .iter()
            .all(|(_, at)| strictly_below(roots, at))
}

fn view(account: HeldAccount) -> AccountView {
    let mut roles: Vec<_> = account.grants.iter().map(|(role, _)| *role).collect();
    roles.dedup();
    AccountView {
        id: account.id,
        person_name: account.person_name,
        phone: account.phone,
        unit_name: account.unit_name,
        roles,
        disabled_at: account.disabled_at,
        last_seen_at: account.last_seen_at,
    }
}

fn roots(caller: &Caller) -> Result<Vec<&UnitPath>, AccountsError> {
    let roots = caller.roots_for(Capability::ManageAccounts);
    if roots.is_empty() {
        return Err(AccountsError::Forbidden);
    }
    Ok(roots)
}

/// The accounts the caller manages, by unit then name.
pub async fn list(store: &Store, caller: &Caller) -> Result<Vec<AccountView>, AccountsError> {
    let roots = roots(caller)?;
    Ok(store::accounts::under(store, &roots)
        .await?
        .into_iter()
        .filter(|a| manageable(&roots, a))
        .map(view)
        .collect())
}

/// One account the caller manages.
async fn managed(
    store: &Store,
    caller: &Caller,
    id: AccountId,
) -> Result<HeldAccount, AccountsError> {
    let roots = roots(caller)?;
    store::accounts::one_under(store, id, &roots)
        .await?
        .filter(|a| manageable(&roots, a) && a.id != caller.account_id)
        .ok_or(AccountsError::NotFound)
}

/// Gives an account a new password (8 to 128 characters), told to its
/// owner in person. Its phones stay logged in; one whose log-in expired
/// takes the new password.
pub async fn set_password(
    store: &Store,
    caller: &Caller,
    id: AccountId,
    new: String,
) -> Result<AccountView, AccountsError> {
    let account = managed(store, caller, id).await?;
    password::check_new(&new).map_err(|e| AccountsError::Invalid {
        field: "password",
        message: e.to_string(),
    })?;
    let hash = tokio::task::spawn_blocking(move || password::hash(&new))
        .await
        .map_err(|e| AccountsError::Internal(format!("password hash: {e}")))?
        .map_err(|e| AccountsError::Internal(e.to_string()))?;
    let now = Timestamp::from(jiff::Timestamp::now());
    store::people::set_password_hash(store, account.id, &hash, now).await?;
    tracing::info!(account = %account.id, by = %caller.person_id, "password set by an office");
    Ok(view(account))
}

/// Stops an account (`true`: no log-in; its phones are refused and wiped
/// at their next sync) or lets it in again (`false`). Stopping a stopped
/// account keeps its first date.
pub async fn set_disabled(
    store: &Store,
    caller: &Caller,
    id: AccountId,
    disabled: bool,
) -> Result<AccountView, AccountsError> {
    let mut account = managed(store, caller, id).await?;
    let now = Timestamp::from(jiff::Timestamp::now());
    let at = disabled.then_some(account.disabled_at.unwrap_or(now));
    store::people::set_disabled(store, account.id, at, now).await?;
    account.disabled_at = at;
    tracing::info!(account = %account.id, by = %caller.person_id, disabled, "account state set by an office");
    Ok(view(account))
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{PersonId, Role, UnitId};

    #[test]
    fn an_office_manages_only_the_people_strictly_below_it() {
        let city = UnitPath::root(UnitId::stable("city"));
        let town = city.child(UnitId::stable("town"));
        let village = town.child(UnitId::stable("village"));
        let other = city.child(UnitId::stable("other town"));
        let account = |unit: &UnitPath, grants: &[&UnitPath]| HeldAccount {
            id: AccountId::stable("a"),
            person_id: PersonId::stable("p"),
            person_name: "某".into(),
            phone: "13800000000".into(),
            unit_name: "x".into(),
            unit_path: unit.clone(),
            grants: grants
                .iter()
                .map(|g| (Role::Mediator, (*g).clone()))
                .collect(),
            disabled_at: None,
            last_seen_at: None,
        };
        let office = [&town];
        assert!(manageable(&office, &account(&village, &[&village])));
        // a colleague at the office's own unit
        assert!(!manageable(&office, &account(&town, &[&town])));
        // someone who also holds a role outside
        assert!(!manageable(
            &office,
            &account(&village, &[&village, &other])
        ));
        assert!(!manageable(&office, &account(&other, &[&other])));
        // the bureau manages the township's people, not its own
        let bureau = [&city];
        assert!(manageable(&bureau, &account(&town, &[&town])));
        assert!(!manageable(&bureau, &account(&city, &[&city])));
    }
}
