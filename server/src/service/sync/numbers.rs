//! Case numbers during a push (案号, docs/offline.md "Case numbers"): a
//! number is unique per committee and year. A phone numbers its cases
//! offline; a number another case of the committee's year already holds is
//! replaced by the next free one, and the answer tells the phone
//! (`renumbered`). A push reads what it needs up front — the numbers its
//! cases hold and who holds the numbers they want, one query each per
//! committee-year — asks for a year's highest number only when a number
//! clashes, and writes the numbers it gave with its cases at the end.

use crate::store::numbers::{self, Number};
use crate::store::{Conn, StoreError};
use domain::{CaseId, UnitId};
use std::collections::{HashMap, HashSet};

/// A committee's year as far as the push has read it.
#[derive(Debug, Default)]
struct Year {
    /// Who holds each number looked up or given (`None`: free).
    holders: HashMap<u32, Option<CaseId>>,
    /// The highest number given, once read.
    highest: Option<u32>,
}

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
    years: HashMap<(UnitId, i16), Year>,
}

impl Numbers {
    /// Reads the numbers the push's stored cases (`ids`) hold, and who
    /// holds the numbers its cases want (`wanted`, as their payloads say,
    /// before any check).
    pub async fn load(
        c: &mut Conn,
        ids: &[CaseId],
        wanted: &[Number],
    ) -> Result<Numbers, StoreError> {
        let current: HashMap<CaseId, Number> = if ids.is_empty() {
            HashMap::new()
        } else {
            numbers::of_cases(c, ids).await?.into_iter().collect()
        };
        let mut by_year: HashMap<(UnitId, i16), Vec<u32>> = HashMap::new();
        for n in wanted {
            by_year.entry((n.unit_id, n.year)).or_default().push(n.seq);
        }
        let mut years = HashMap::new();
        for ((unit_id, year), mut seqs) in by_year {
            seqs.sort_unstable();
            seqs.dedup();
            let (lo, hi) = (seqs[0], seqs[seqs.len() - 1]);
            let held: HashMap<u32, CaseId> = numbers::holders(c, unit_id, year, lo, hi)
                .await?
                .into_iter()
                .collect();
            let holders = seqs.iter().map(|s| (*s, held.get(s).copied())).collect();
            years.insert(
                (unit_id, year),
                Year {
                    holders,
                    highest: None,
                },
            );
        }
        Ok(Numbers {
            stored: current.keys().copied().collect(),
            current,
            years,
            ..Numbers::default()
        })
    }

    /// Who holds `seq` of a committee's year (read when not known yet).
    async fn holder(
        &mut self,
        c: &mut Conn,
        unit_id: UnitId,
        year: i16,
        seq: u32,
    ) -> Result<Option<CaseId>, StoreError> {
        let known = self.years.entry((unit_id, year)).or_default();
        if let Some(h) = known.holders.get(&seq) {
            return Ok(*h);
        }
        let h = numbers::holders(c, unit_id, year, seq, seq)
            .await?
            .first()
            .map(|(_, id)| *id);
        known.holders.insert(seq, h);
        Ok(h)
    }

    /// The highest number given in a committee's year, this push's too.
    async fn highest(
        &mut self,
        c: &mut Conn,
        unit_id: UnitId,
        year: i16,
    ) -> Result<u32, StoreError> {
        let known = self.years.entry((unit_id, year)).or_default();
        if let Some(top) = known.highest {
            return Ok(top);
        }
        let stored = numbers::highest(c, unit_id, year).await?;
        let given = known
            .holders
            .iter()
            .filter(|(_, h)| h.is_some())
            .map(|(s, _)| *s);
        let top = given.fold(stored, u32::max);
        known.highest = Some(top);
        Ok(top)
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
        let free = match wants {
            Some(w) if w >= 1 => {
                let holder = self.holder(c, unit_id, year, w).await?;
                // a holder this push moved elsewhere no longer holds it
                let moved = |h: &CaseId| {
                    self.current.get(h).is_some_and(|n| {
                        *n != Number {
                            unit_id,
                            year,
                            seq: w,
                        }
                    })
                };
                holder.is_none_or(|h| h == case || moved(&h))
            }
            _ => false,
        };
        let seq = match (wants, own) {
            (Some(w), _) if free => w,
            // a phone that has not learnt its case's new number yet
            (_, Some(own)) if (own.unit_id, own.year) == (unit_id, year) => own.seq,
            _ => self.highest(c, unit_id, year).await? + 1,
        };
        let number = Number { unit_id, year, seq };
        if own == Some(number) {
            return Ok(seq);
        }
        if let Some(own) = own
            && let Some(y) = self.years.get_mut(&(own.unit_id, own.year))
            && y.holders.get(&own.seq) == Some(&Some(case))
        {
            y.holders.insert(own.seq, None);
        }
        if self.stored.contains(&case) {
            self.dropped.insert(case);
        }
        let y = self.years.entry((unit_id, year)).or_default();
        y.holders.insert(seq, Some(case));
        if let Some(top) = &mut y.highest {
            *top = (*top).max(seq);
        }
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

/// The number a pushed case's payload asks for, read from its JSON before
/// any check (a payload that does not say is simply not looked up).
pub fn wanted(payload: &serde_json::Value) -> Option<Number> {
    let unit_id = payload.get("unit_id")?.as_str()?.parse().ok()?;
    let year = payload
        .get("received_on")?
        .as_str()?
        .get(..4)?
        .parse()
        .ok()?;
    let seq = u32::try_from(payload.get("seq")?.as_u64()?).ok()?;
    Some(Number { unit_id, year, seq })
}
