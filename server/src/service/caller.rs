//! Who is calling: the person behind a device session, and the subtrees
//! of the organisation their roles reach. Every service takes a
//! [`Caller`] and asks it whether a unit (by its path) is theirs.

use domain::{AccountId, DeviceId, DeviceSessionId, PersonId, Role, UnitId, UnitKind, UnitPath};

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
    /// Whether a unit (by its path) is inside one of the caller's subtrees.
    pub fn sees(&self, unit: &UnitPath) -> bool {
        self.scopes.iter().any(|s| s.path.contains(unit))
    }

    /// Whether the caller holds a supervising role (judicial office, township
    /// leader, bureau: [`Role::supervises`]) over this unit.
    pub fn supervises(&self, unit: &UnitPath) -> bool {
        self.holds_over(unit, Role::supervises)
    }

    /// Whether the caller holds a role that `is` over this unit.
    pub fn holds_over(&self, unit: &UnitPath, is: fn(Role) -> bool) -> bool {
        self.scopes
            .iter()
            .any(|s| s.path.contains(unit) && is(s.role))
    }

    /// Whether the caller holds any role at the unit itself.
    pub fn holds_at(&self, unit: UnitId) -> bool {
        self.scopes.iter().any(|s| s.unit_id == unit)
    }

    /// The roots of the subtrees where the caller holds a role that `is`.
    fn roots_held_as(&self, is: fn(Role) -> bool) -> Vec<&UnitPath> {
        let mut paths: Vec<&UnitPath> = self
            .scopes
            .iter()
            .filter(|s| is(s.role))
            .map(|s| &s.path)
            .collect();
        paths.sort_unstable();
        paths.dedup();
        paths
    }

    /// The roots of the subtrees the caller supervises.
    pub fn supervised_roots(&self) -> Vec<&UnitPath> {
        self.roots_held_as(Role::supervises)
    }

    /// The roots of the subtrees where the caller works in the field
    /// ([`Role::works_in_the_field`]): the screening records a pull sends
    /// (an office would otherwise take in a city's year of them).
    pub fn field_roots(&self) -> Vec<&UnitPath> {
        self.roots_held_as(Role::works_in_the_field)
    }

    /// The subtree roots, without those inside another (for scoped queries).
    pub fn roots(&self) -> Vec<&UnitPath> {
        let all = self.roots_held_as(|_| true);
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
        let roots: Vec<&UnitPath> = caller.roots();
        assert_eq!(roots.len(), 2);
        assert!(roots.contains(&&t1));
        assert!(caller.sees(&t1.child(UnitId::stable("v3"))));
        assert!(!caller.sees(&t2.child(UnitId::stable("v8"))));
        // a sibling whose id starts the same is not inside
        assert!(!caller.sees(&t10));
        assert!(!caller.supervises(&t1), "a mediator supervises nothing");
    }
}
