//! Who is calling: the person behind a device session, and the subtrees
//! of the organisation their roles reach. Every service takes a
//! [`Caller`] and asks it whether it may do a thing ([`Capability`]) at a
//! unit (by its path): a role held at an ancestor of the unit that may.

use domain::{
    AccountId, Capability, DeviceId, DeviceSessionId, PersonId, Role, UnitId, UnitKind, UnitPath,
};

/// A role held at a unit; the unit's subtree is what it reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub role: Role,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub unit_kind: UnitKind,
    pub path: UnitPath,
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub session_id: DeviceSessionId,
    pub account_id: AccountId,
    pub person_id: PersonId,
    /// The device the session was opened on: its pushes' `client_id`.
    pub device_id: DeviceId,
    pub scopes: Vec<Scope>,
}

impl Caller {
    /// Whether the caller holds a role that may do `what` over this unit
    /// (the unit is inside the subtree where the role is held).
    pub fn may(&self, what: Capability, unit: &UnitPath) -> bool {
        self.scopes
            .iter()
            .any(|s| s.role.may(what) && s.path.contains(unit))
    }

    /// Whether the caller holds a role that may do `what` at the unit
    /// itself (answering for it, as for a referral waiting there).
    pub fn may_at(&self, what: Capability, unit: UnitId) -> bool {
        self.scopes
            .iter()
            .any(|s| s.role.may(what) && s.unit_id == unit)
    }

    /// Whether the caller holds `role` itself over the unit at `path` (the
    /// role a step of a claim names, not a capability several roles share).
    pub fn holds(&self, role: Role, path: &UnitPath) -> bool {
        self.scopes
            .iter()
            .any(|s| s.role == role && s.path.contains(path))
    }

    /// Whether the caller records (changes, refers) a case of the unit at
    /// `path` that `owner` owns: a role over the unit that records cases;
    /// or its owner, answering for a unit over it (the judicial office that
    /// accepted a village's referral mediates it).
    pub fn records(&self, path: &UnitPath, owner: Option<PersonId>) -> bool {
        self.may(Capability::RecordCases, path)
            || (owner == Some(self.person_id) && self.may(Capability::AnswerReferrals, path))
    }

    /// The roots of the subtrees where the caller may do `what`, without
    /// those inside another (for scoped queries).
    pub fn roots_for(&self, what: Capability) -> Vec<&UnitPath> {
        let mut all: Vec<&UnitPath> = self
            .scopes
            .iter()
            .filter(|s| s.role.may(what))
            .map(|s| &s.path)
            .collect();
        all.sort_unstable();
        all.dedup();
        all.iter()
            .copied()
            .filter(|p| !all.iter().any(|q| q != p && q.contains(p)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_drop_subtrees_inside_others() {
        let city = UnitPath::root(UnitId::stable("c"));
        let t1 = city.child(UnitId::stable("t1"));
        let t2 = city.child(UnitId::stable("t2"));
        let t10 = city.child(UnitId::stable("t10"));
        let scope = |path: &UnitPath| Scope {
            role: Role::Mediator,
            unit_id: path.unit_id().unwrap(),
            unit_name: String::new(),
            unit_kind: UnitKind::Village,
            path: path.clone(),
        };
        let caller = Caller {
            session_id: DeviceSessionId::new_v7(),
            account_id: AccountId::new_v7(),
            person_id: PersonId::new_v7(),
            device_id: DeviceId::new_v7(),
            scopes: vec![
                scope(&t1),
                scope(&t1.child(UnitId::stable("v1"))),
                scope(&t2.child(UnitId::stable("v9"))),
            ],
        };
        let roots: Vec<&UnitPath> = caller.roots_for(Capability::ReadCases);
        assert_eq!(roots.len(), 2);
        assert!(roots.contains(&&t1));
        assert!(caller.may(Capability::RecordCases, &t1.child(UnitId::stable("v3"))));
        assert!(!caller.may(Capability::ReadCases, &t2.child(UnitId::stable("v8"))));
        // a sibling whose id starts the same is not inside
        assert!(!caller.may(Capability::ReadAmounts, &t10));
        assert!(
            !caller.may(Capability::Review, &t1),
            "a mediator reviews nothing"
        );
        assert!(caller.roots_for(Capability::Review).is_empty());
    }
}
