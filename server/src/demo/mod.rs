//! The demo organisation: Chuxiong City (楚雄市) as the 2023 article describes
//! it (docs/domain.md §1). Generated deterministically — the same codes, names
//! and ids on every run — and loaded idempotently.
//!
//! Real: the 15 township names, every count (123 villages, 31 communities,
//! 2,878 villager groups, 231 resident groups, 11 sector, 34 administrative-
//! department and 162 compound committees, 186 full-time mediators).
//! Invented but plausible: village, community and compound names, people's
//! names, phone numbers, unit codes below the township.
//!
//! The staffing rule (1 full-time mediator per village, 2 per community) gives
//! 185; the article reports 186. The demo gives the first village of 鹿城镇 a
//! second full-time mediator so both figures hold.
//!
//! `load` loads the organisation only (tests and `serve --demo` count on an
//! empty case list); `load_history` adds a year of its cases (history.rs),
//! as `seed-demo` and `serve --demo-history` do, and `load_claims` the
//! quarterly claims of its last quarters at every step (claims.rs), and
//! `load_fixed_pay` the fixed part's decisions and payments (fixed_pay.rs).

mod claims;
mod fixed_pay;
mod history;
mod load;
mod names;

pub use claims::{ClaimsReport, load_claims};
pub use fixed_pay::{FixedPayReport, load_fixed_pay};
pub use history::{
    CASES_PER_YEAR, HISTORY_DAYS, HistoryReport, history_cases, history_start, load_history,
};
pub use load::{SeedError, SeedReport, load};

use crate::store::org::NewUnit;
use crate::store::people::{NewGrant, NewPerson};
use domain::UnitPath;
use domain::{AccountId, PersonId, PersonKind, Phone, Role, UnitId, UnitKind};

/// Password of every demo account (printed by `seed-demo`; demo use only).
pub const DEMO_PASSWORD: &str = "tiaojie2023";

/// Township name, statistical code suffix, villages, communities.
const TOWNSHIPS: [(&str, &str, usize, usize); 15] = [
    ("鹿城镇", "100", 8, 14),
    ("东瓜镇", "101", 7, 6),
    ("吕合镇", "102", 10, 2),
    ("紫溪镇", "103", 6, 1),
    ("东华镇", "104", 10, 1),
    ("子午镇", "105", 10, 1),
    ("苍岭镇", "106", 9, 1),
    ("三街镇", "107", 9, 1),
    ("八角镇", "108", 10, 1),
    ("中山镇", "109", 8, 1),
    ("新村镇", "110", 8, 1),
    ("西舍路镇", "111", 9, 1),
    ("大过口乡", "200", 7, 0),
    ("大地基乡", "201", 6, 0),
    ("树苴乡", "202", 6, 0),
];

pub const CITY_CODE: &str = "532301";
pub const CITY_NAME: &str = "楚雄市";
const VILLAGER_GROUPS: usize = 2878;
const RESIDENT_GROUPS: usize = 231;
const COMPOUNDS: usize = 162;

/// A demo log-in, printed for newcomers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub id: AccountId,
    pub person_id: PersonId,
    pub phone: Phone,
    pub role: Role,
    /// The unit the role is held at (its name, for the printout).
    pub unit_name: String,
    pub person_name: String,
}

/// Everything the demo organisation consists of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOrg {
    pub units: Vec<NewUnit>,
    pub people: Vec<NewPerson>,
    pub grants: Vec<NewGrant>,
    pub accounts: Vec<DemoAccount>,
}

struct Builder {
    units: Vec<NewUnit>,
    people: Vec<NewPerson>,
    grants: Vec<NewGrant>,
    accounts: Vec<DemoAccount>,
    person_seq: usize,
}

impl Builder {
    fn unit(&mut self, parent: Option<usize>, kind: UnitKind, code: String, name: String) -> usize {
        let id = UnitId::stable(&code);
        let (parent_id, path) = match parent {
            None => (None, UnitPath::root(id)),
            Some(i) => {
                let p = &self.units[i];
                (Some(p.id), p.path.child(id))
            }
        };
        self.units.push(NewUnit {
            id,
            code,
            name,
            kind,
            parent_id,
            path,
        });
        self.units.len() - 1
    }

    fn person(&mut self, unit: usize, kind: PersonKind, role: Role, key: &str) -> PersonId {
        let seq = self.person_seq;
        self.person_seq += 1;
        let id = PersonId::stable(key);
        let (name, sex) = names::person_name(seq);
        let unit_id = self.units[unit].id;
        self.people.push(NewPerson {
            id,
            unit_id,
            name,
            kind,
            sex: Some(sex),
            phone: None,
        });
        self.grants.push(NewGrant {
            person_id: id,
            role,
            unit_id,
        });
        id
    }

    fn account(&mut self, person: PersonId, role: Role, unit: usize, phone: &str) {
        let phone = Phone::parse(phone).expect("demo phones are valid");
        let p = self
            .people
            .iter_mut()
            .find(|p| p.id == person)
            .expect("person exists");
        p.phone = Some(phone.clone());
        let person_name = p.name.clone();
        self.accounts.push(DemoAccount {
            id: AccountId::stable(phone.as_str()),
            person_id: person,
            phone,
            role,
            unit_name: self.units[unit].name.clone(),
            person_name,
        });
    }
}

/// Builds the demo organisation. Pure: same output on every call.
pub fn chuxiong() -> DemoOrg {
    let mut b = Builder {
        units: vec![],
        people: vec![],
        grants: vec![],
        accounts: vec![],
        person_seq: 0,
    };
    let city = b.unit(None, UnitKind::City, CITY_CODE.into(), CITY_NAME.into());
    b.unit(
        Some(city),
        UnitKind::Centre,
        format!("{CITY_CODE}Z01"),
        "楚雄市矛盾纠纷多元化解中心".into(),
    );
    let mut sectors = Vec::new();
    for (i, sector) in names::SECTORS.iter().enumerate() {
        sectors.push(b.unit(
            Some(city),
            UnitKind::Sector,
            format!("{CITY_CODE}S{:02}", i + 1),
            format!("楚雄市{sector}人民调解委员会"),
        ));
    }
    for (i, dept) in names::ADMIN_DEPTS.iter().enumerate() {
        b.unit(
            Some(city),
            UnitKind::AdminDept,
            format!("{CITY_CODE}B{:02}", i + 1),
            format!("楚雄市{dept}人民调解委员会"),
        );
    }

    let total_villages: usize = TOWNSHIPS.iter().map(|t| t.2).sum();
    let total_communities: usize = TOWNSHIPS.iter().map(|t| t.3).sum();
    let mut village_idx = 0;
    let mut community_idx = 0;
    let mut townships = Vec::new();
    let mut villages = Vec::new();
    let mut communities = Vec::new();

    for (name, suffix, n_villages, n_communities) in TOWNSHIPS {
        let t_code = format!("{CITY_CODE}{suffix}");
        let t = b.unit(Some(city), UnitKind::Township, t_code.clone(), name.into());
        townships.push(t);
        for c in 0..n_communities {
            let code = format!("{t_code}{:03}", c + 1);
            let u = b.unit(
                Some(t),
                UnitKind::Community,
                code,
                names::community_name(community_idx),
            );
            communities.push(u);
            community_idx += 1;
        }
        for v in 0..n_villages {
            let code = format!("{t_code}{:03}", 201 + v);
            let u = b.unit(
                Some(t),
                UnitKind::Village,
                code,
                names::village_name(village_idx),
            );
            villages.push(u);
            village_idx += 1;
        }
    }

    // Groups: spread evenly, the first committees take the remainder.
    for (i, &v) in villages.iter().enumerate() {
        let n = share(VILLAGER_GROUPS, total_villages, i);
        for g in 0..n {
            let code = format!("{}{:03}", b.units[v].code, g + 1);
            b.unit(
                Some(v),
                UnitKind::VillagerGroup,
                code,
                format!("第{}村民小组", g + 1),
            );
        }
    }
    for (i, &c) in communities.iter().enumerate() {
        let n = share(RESIDENT_GROUPS, total_communities, i);
        for g in 0..n {
            let code = format!("{}{:03}", b.units[c].code, g + 1);
            b.unit(
                Some(c),
                UnitKind::ResidentGroup,
                code,
                format!("第{}居民小组", g + 1),
            );
        }
        let compounds = share(COMPOUNDS, total_communities, i);
        let base = b.units[c].name.trim_end_matches("社区").to_owned();
        for k in 0..compounds {
            let code = format!("{}X{:02}", b.units[c].code, k + 1);
            b.unit(
                Some(c),
                UnitKind::Compound,
                code,
                format!("{base}{}号小区调解委员会", k + 1),
            );
        }
    }

    // Full-time mediators: 1 per village, 2 per community, +1 (see module doc).
    for (i, &v) in villages.iter().enumerate() {
        let per = if i == 0 { 2 } else { 1 };
        for k in 0..per {
            let key = format!("{}:mediator:{k}", b.units[v].code);
            b.person(v, PersonKind::MediatorFullTime, Role::Mediator, &key);
        }
    }
    for &c in &communities {
        for k in 0..2 {
            let key = format!("{}:mediator:{k}", b.units[c].code);
            b.person(c, PersonKind::MediatorFullTime, Role::Mediator, &key);
        }
    }

    // Demo log-ins: two mediators, one per office role (docs/domain.md §2),
    // then a sector committee's mediator.
    let lucheng = townships[0];
    let (v0, c0) = (villages[0], communities[0]);
    let m_village = PersonId::stable(&format!("{}:mediator:0", b.units[v0].code));
    let m_community = PersonId::stable(&format!("{}:mediator:0", b.units[c0].code));
    b.account(m_village, Role::Mediator, v0, "13800000001");
    b.account(m_community, Role::Mediator, c0, "13800000002");

    let office: [(Role, usize); 9] = [
        (Role::CommitteeHead, v0),
        (Role::JudicialStaff, lucheng),
        (Role::JudicialDirector, lucheng),
        (Role::TownshipLeader, lucheng),
        (Role::TownshipFinance, lucheng),
        (Role::BureauSection, city),
        (Role::BureauApprover, city),
        (Role::BureauPartyGroup, city),
        (Role::BureauFinance, city),
    ];
    for (i, (role, unit)) in office.into_iter().enumerate() {
        let key = format!("{}:{}", b.units[unit].code, role.code());
        let person = b.person(unit, PersonKind::OfficeStaff, role, &key);
        b.account(person, role, unit, &format!("139000000{:02}", i + 1));
    }
    // last, so the names above stay as they were: a part-time mediator of
    // the city's medical-dispute committee, who receives cases referred
    // across the tree (docs/screening.md)
    let medical = sectors[0];
    let key = format!("{}:mediator:0", b.units[medical].code);
    let m_medical = b.person(medical, PersonKind::MediatorPartTime, Role::Mediator, &key);
    b.account(m_medical, Role::Mediator, medical, "13800000003");

    DemoOrg {
        units: b.units,
        people: b.people,
        grants: b.grants,
        accounts: b.accounts,
    }
}

/// The i-th of `n` parts of `total`, as even as possible, larger parts first.
fn share(total: usize, n: usize, i: usize) -> usize {
    total / n + usize::from(i < total % n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    #[test]
    fn counts_match_the_article() {
        let org = chuxiong();
        let mut by_kind: HashMap<UnitKind, usize> = HashMap::new();
        for u in &org.units {
            *by_kind.entry(u.kind).or_default() += 1;
        }
        assert_eq!(by_kind[&UnitKind::City], 1);
        assert_eq!(by_kind[&UnitKind::Centre], 1);
        assert_eq!(by_kind[&UnitKind::Sector], 11);
        assert_eq!(by_kind[&UnitKind::AdminDept], 34);
        assert_eq!(by_kind[&UnitKind::Township], 15);
        assert_eq!(by_kind[&UnitKind::Village], 123);
        assert_eq!(by_kind[&UnitKind::Community], 31);
        assert_eq!(by_kind[&UnitKind::VillagerGroup], 2878);
        assert_eq!(by_kind[&UnitKind::ResidentGroup], 231);
        assert_eq!(by_kind[&UnitKind::Compound], 162);
        let full_time = org
            .people
            .iter()
            .filter(|p| p.kind == PersonKind::MediatorFullTime)
            .count();
        assert_eq!(full_time, 186);
    }

    #[test]
    fn the_tree_is_well_formed_and_unique() {
        let org = chuxiong();
        let by_id: HashMap<UnitId, &NewUnit> = org.units.iter().map(|u| (u.id, u)).collect();
        assert_eq!(by_id.len(), org.units.len(), "ids are unique");
        let codes: HashSet<&str> = org.units.iter().map(|u| u.code.as_str()).collect();
        assert_eq!(codes.len(), org.units.len(), "codes are unique");
        for u in &org.units {
            let parent = u.parent_id.map(|p| by_id[&p]);
            assert!(
                u.kind.may_be_child_of(parent.map(|p| p.kind)),
                "{} under {:?}",
                u.name,
                parent.map(|p| &p.name)
            );
            if let Some(p) = parent {
                assert!(p.path.contains(&u.path) && u.path.depth() == p.path.depth() + 1);
            }
        }
        // names of committees are unique within their township
        let mut seen = HashSet::new();
        for u in org
            .units
            .iter()
            .filter(|u| matches!(u.kind, UnitKind::Village | UnitKind::Community))
        {
            assert!(
                seen.insert((u.parent_id, u.name.clone())),
                "duplicate {}",
                u.name
            );
        }
    }

    #[test]
    fn the_township_names_are_the_real_ones() {
        let org = chuxiong();
        let names: Vec<&str> = org
            .units
            .iter()
            .filter(|u| u.kind == UnitKind::Township)
            .map(|u| u.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "鹿城镇",
                "东瓜镇",
                "吕合镇",
                "紫溪镇",
                "东华镇",
                "子午镇",
                "苍岭镇",
                "三街镇",
                "八角镇",
                "中山镇",
                "新村镇",
                "西舍路镇",
                "大过口乡",
                "大地基乡",
                "树苴乡"
            ]
        );
    }

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(chuxiong(), chuxiong());
    }

    #[test]
    fn there_is_a_log_in_for_every_office_role_and_a_mediator() {
        let org = chuxiong();
        let roles: HashSet<Role> = org.accounts.iter().map(|a| a.role).collect();
        for role in Role::ALL {
            assert!(roles.contains(&role), "no demo account for {role}");
        }
        let phones: HashSet<&str> = org.accounts.iter().map(|a| a.phone.as_str()).collect();
        assert_eq!(phones.len(), org.accounts.len());
    }

    #[test]
    fn shares_add_up() {
        assert_eq!((0..123).map(|i| share(2878, 123, i)).sum::<usize>(), 2878);
        assert_eq!((0..31).map(|i| share(231, 31, i)).sum::<usize>(), 231);
    }
}
