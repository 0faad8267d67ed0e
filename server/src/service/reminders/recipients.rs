//! Who is told of a unit's reminder: the people who answer for the unit
//! itself or, when it has none (a villager group without its own mediator),
//! for the nearest unit above it — a village's mediators file their groups'
//! weekly reports.

use crate::store::people::Answering;
use domain::{PersonId, UnitId};
use std::collections::HashMap;

/// A person a channel may reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub person_id: PersonId,
    pub name: String,
    pub phone: Option<String>,
}

/// The units' parents and the people answering at each unit.
pub struct Directory {
    parent: HashMap<UnitId, Option<UnitId>>,
    at_unit: HashMap<UnitId, Vec<Recipient>>,
}

/// How far up a reminder may climb (group → committee → township → city).
const MAX_CLIMB: usize = 4;

impl Directory {
    pub fn new(
        parents: impl IntoIterator<Item = (UnitId, Option<UnitId>)>,
        answering: Vec<Answering>,
    ) -> Directory {
        let mut at_unit: HashMap<UnitId, Vec<Recipient>> = HashMap::new();
        for a in answering {
            let list = at_unit.entry(a.unit_id).or_default();
            // one person may hold two answering roles at a unit
            if !list.iter().any(|r| r.person_id == a.person_id) {
                list.push(Recipient {
                    person_id: a.person_id,
                    name: a.name,
                    phone: a.phone,
                });
            }
        }
        Directory {
            parent: parents.into_iter().collect(),
            at_unit,
        }
    }

    /// The people who answer for `unit`: its own, else the nearest
    /// ancestor's (at most [`MAX_CLIMB`] levels up). Empty when nobody does.
    pub fn answering_for(&self, unit: UnitId) -> &[Recipient] {
        let mut at = Some(unit);
        for _ in 0..=MAX_CLIMB {
            let Some(u) = at else { break };
            if let Some(people) = self.at_unit.get(&u).filter(|p| !p.is_empty()) {
                return people;
            }
            at = self.parent.get(&u).copied().flatten();
        }
        &[]
    }

    /// Everyone at `unit` and every unit above it (the supervisors of a
    /// case's committee: its township's judicial office, the city).
    pub fn above(&self, unit: UnitId) -> Vec<Recipient> {
        let mut out: Vec<Recipient> = Vec::new();
        let mut at = Some(unit);
        for _ in 0..=MAX_CLIMB {
            let Some(u) = at else { break };
            for person in self.at_unit.get(&u).into_iter().flatten() {
                if !out.iter().any(|p| p.person_id == person.person_id) {
                    out.push(person.clone());
                }
            }
            at = self.parent.get(&u).copied().flatten();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(unit: &str, id: &str) -> Answering {
        Answering {
            unit_id: UnitId::stable(unit),
            person_id: PersonId::stable(id),
            name: id.to_uppercase(),
            phone: None,
        }
    }

    fn u(k: &str) -> UnitId {
        UnitId::stable(k)
    }

    #[test]
    fn a_group_without_its_own_people_is_answered_for_by_its_committee() {
        let parents = [
            (u("city"), None),
            (u("town"), Some(u("city"))),
            (u("village"), Some(u("town"))),
            (u("group1"), Some(u("village"))),
            (u("group2"), Some(u("village"))),
        ];
        let d = Directory::new(
            parents,
            vec![
                person("village", "m1"),
                person("village", "m2"),
                person("village", "m2"),
                person("group2", "leader"),
                person("city", "bureau"),
            ],
        );
        let ids = |unit: &str| {
            d.answering_for(u(unit))
                .iter()
                .map(|r| r.name.to_lowercase())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids("group1"), ["m1", "m2"]);
        assert_eq!(ids("group2"), ["leader"]);
        assert_eq!(ids("village"), ["m1", "m2"]);
        // a township without a judicial office on record: the city hears of it
        assert_eq!(ids("town"), ["bureau"]);
        assert!(ids("unknown").is_empty());
        let above = |unit: &str| {
            d.above(u(unit))
                .into_iter()
                .map(|r| r.name.to_lowercase())
                .collect::<Vec<_>>()
        };
        assert_eq!(above("group2"), ["leader", "m1", "m2", "bureau"]);
        assert_eq!(above("town"), ["bureau"]);
    }
}
