//! Case numbers during a push (案号, docs/offline.md "Case numbers"): a
//! number is unique per committee and year. A phone numbers its cases
//! offline; a number another case of the committee's year already holds is
//! replaced by the next free one, and the answer tells the phone
//! (`renumbered`). The numbers a push touches are read once and written
//! together at its end, like its cases.

use crate::store::numbers::{self, Number};
use crate::store::{Conn, StoreError};
use domain::{CaseId, UnitId};
use std::collections::{BTreeMap, HashMap, HashSet};

/// What a push knows of case numbers and will write.
#[derive(Debug, Default)]
pub struct Numbers {
    /// The number each case of the push holds now (stored, or given in
    /// this push).
    current: HashMap<CaseId, Number>,
    /// Cases that had a number stored before the push.
    stored: HashSet<CaseId>,
    /// Of those, the ones whose stored number is to go.
    dropped: HashSet<CaseId>,
    /// Numbers given in this push, by case.
    given: HashMap<CaseId, Number>,
    /// The numbers of a committee's year, read when first needed.
    years: HashMap<(UnitId, i16), BTreeMap<u32, CaseId>>,
}

impl Numbers {
    /// Reads the numbers of the push's cases.
    pub async fn load(c: &mut Conn, ids: &[CaseId]) -> Result<Numbers, StoreError> {
        let current: HashMap<CaseId, Number> =
            numbers::of_cases(c, ids).await?.into_iter().collect();
        Ok(Numbers {
            stored: current.keys().copied().collect(),
            current,
            ..Numbers::default()
        })
    }

    /// The number `case` gets in `unit_id`'s `year`: the one it `wants`
    /// when that is its own already or free; else the one it holds in that
    /// year; else the next after the highest given.
    pub async fn give(
        &mut self,
        c: &mut Conn,
        case: CaseId,
        unit_id: UnitId,
        year: i16,
        wants: Option<u32>,
    ) -> Result<u32, StoreError> {
        let own = self.current.get(&case).copied();
        if let (Some(own), Some(wants)) = (own, wants)
            && own
                == (Number {
                    unit_id,
                    year,
                    seq: wants,
                })
        {
            return Ok(wants);
        }
        if let std::collections::hash_map::Entry::Vacant(e) = self.years.entry((unit_id, year)) {
            e.insert(
                numbers::taken(c, unit_id, year)
                    .await?
                    .into_iter()
                    .collect(),
            );
        }
        let current = &self.current;
        let holds = |seq: u32, holder: &CaseId| {
            // a holder this push moved elsewhere no longer holds it
            *holder != case
                && current
                    .get(holder)
                    .is_none_or(|n| *n == Number { unit_id, year, seq })
        };
        let year_numbers = &self.years[&(unit_id, year)];
        let seq = match (wants, own) {
            (Some(w), _) if w >= 1 && !year_numbers.get(&w).is_some_and(|h| holds(w, h)) => w,
            // a phone that has not learnt its case's new number yet
            (_, Some(own)) if (own.unit_id, own.year) == (unit_id, year) => own.seq,
            _ => year_numbers.keys().next_back().map_or(1, |n| n + 1),
        };
        let number = Number { unit_id, year, seq };
        if own == Some(number) {
            return Ok(seq);
        }
        if let Some(own) = own
            && let Some(holders) = self.years.get_mut(&(own.unit_id, own.year))
            && holders.get(&own.seq) == Some(&case)
        {
            holders.remove(&own.seq);
        }
        if self.stored.contains(&case) {
            self.dropped.insert(case);
        }
        self.years
            .get_mut(&(unit_id, year))
            .expect("read above")
            .insert(seq, case);
        self.current.insert(case, number);
        self.given.insert(case, number);
        Ok(seq)
    }

    /// Writes what the push changed.
    pub async fn write(self, c: &mut Conn) -> Result<(), StoreError> {
        if self.given.is_empty() {
            return Ok(());
        }
        let dropped: Vec<CaseId> = self.dropped.into_iter().collect();
        let given: Vec<(CaseId, Number)> = self.given.into_iter().collect();
        numbers::replace(c, &dropped, &given).await
    }
}
