//! The organisation tree (人民调解组织体系): city → township → village/community
//! committee → villager/resident group, plus the city's sector, administrative-
//! department and compound committees and the multi-channel centre.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A unit as the phones keep it (the reference stream's `unit` payload):
/// enough to name it, place it in the tree and know which duties it owes.
/// (Fields a later server adds are ignored: a phone must not drop units
/// because its build is older.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitRecord {
    pub id: crate::UnitId,
    /// Administrative or internal code, e.g. `532301`.
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    #[serde(default)]
    pub parent_id: Option<crate::UnitId>,
}

/// What kind of unit an organisation node is. Stored by its `code()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 市 — the city, home of the city mediation committee (市人民调解委员会) and the justice bureau.
    City,
    /// 矛盾纠纷多元化解中心 — multi-channel dispute resolution centre.
    Centre,
    /// 行业性、专业性人民调解委员会 — sector/professional committee under the city committee.
    Sector,
    /// 行政主管部门人民调解委员会 — administrative-department committee.
    AdminDept,
    /// 乡(镇)人民调解委员会, with its judicial office (司法所).
    Township,
    /// 村人民调解委员会 — village committee.
    Village,
    /// 社区人民调解委员会 — urban community committee.
    Community,
    /// 小区调解委员会 — residential compound committee.
    Compound,
    /// 村民调解小组 — villager group.
    VillagerGroup,
    /// 居民调解小组 — resident group.
    ResidentGroup,
}

impl UnitKind {
    pub const ALL: [UnitKind; 10] = [
        UnitKind::City,
        UnitKind::Centre,
        UnitKind::Sector,
        UnitKind::AdminDept,
        UnitKind::Township,
        UnitKind::Village,
        UnitKind::Community,
        UnitKind::Compound,
        UnitKind::VillagerGroup,
        UnitKind::ResidentGroup,
    ];

    /// The code stored in the database and sent on the wire.
    pub fn code(self) -> &'static str {
        match self {
            UnitKind::City => "city",
            UnitKind::Centre => "centre",
            UnitKind::Sector => "sector",
            UnitKind::AdminDept => "admin_dept",
            UnitKind::Township => "township",
            UnitKind::Village => "village",
            UnitKind::Community => "community",
            UnitKind::Compound => "compound",
            UnitKind::VillagerGroup => "villager_group",
            UnitKind::ResidentGroup => "resident_group",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            UnitKind::City => "市人民调解委员会",
            UnitKind::Centre => "矛盾纠纷多元化解中心",
            UnitKind::Sector => "行业性专业性人民调解委员会",
            UnitKind::AdminDept => "行政主管部门人民调解委员会",
            UnitKind::Township => "乡(镇)人民调解委员会",
            UnitKind::Village => "村人民调解委员会",
            UnitKind::Community => "社区人民调解委员会",
            UnitKind::Compound => "小区调解委员会",
            UnitKind::VillagerGroup => "村民调解小组",
            UnitKind::ResidentGroup => "居民调解小组",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            UnitKind::City => "city mediation committee",
            UnitKind::Centre => "multi-channel dispute resolution centre",
            UnitKind::Sector => "sector committee",
            UnitKind::AdminDept => "administrative-department committee",
            UnitKind::Township => "township committee",
            UnitKind::Village => "village committee",
            UnitKind::Community => "community committee",
            UnitKind::Compound => "compound committee",
            UnitKind::VillagerGroup => "villager group",
            UnitKind::ResidentGroup => "resident group",
        }
    }

    /// Which kinds of unit may hold this one. The demo generator's tests
    /// check its tree with it; whatever creates units must call it.
    pub fn may_be_child_of(self, parent: Option<UnitKind>) -> bool {
        use UnitKind::*;
        matches!(
            (self, parent),
            (City, None)
                | (Centre | Sector | AdminDept | Township, Some(City))
                | (Village | Community, Some(Township))
                | (Compound, Some(Community | Township))
                | (VillagerGroup, Some(Village))
                | (ResidentGroup, Some(Community))
        )
    }

    /// Village and community committees have subsidised full-time mediators
    /// (1 per village, 2 per community in Chuxiong).
    pub fn has_full_time_mediators(self) -> bool {
        matches!(self, UnitKind::Village | UnitKind::Community)
    }
}

impl PartialEq<&str> for UnitKind {
    /// Compares with a code as stored and sent (`"village"`).
    fn eq(&self, code: &&str) -> bool {
        self.code() == *code
    }
}

impl fmt::Display for UnitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的组织类型 “{0}” / unknown unit kind")]
pub struct UnknownUnitKind(pub String);

impl FromStr for UnitKind {
    type Err = UnknownUnitKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UnitKind::ALL
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| UnknownUnitKind(s.to_owned()))
    }
}

/// Where a unit sits in the tree (组织路径): the ids from the root down to
/// the unit, `/city/township/village/`. A unit's subtree is every unit
/// whose path starts with its own, which is how every scoped question is
/// asked (`LIKE 'path%'` in the database).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitPath(String);

/// Not a unit path: `/` + UUIDs each followed by `/`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a unit path: {0:?}")]
pub struct UnitPathError(pub String);

impl UnitPath {
    /// The path of a root unit: `/id/`.
    pub fn root(id: crate::UnitId) -> UnitPath {
        UnitPath(format!("/{id}/"))
    }

    /// The path of a child of the unit at `self`.
    pub fn child(&self, id: crate::UnitId) -> UnitPath {
        UnitPath(format!("{}{id}/", self.0))
    }

    /// Checks a stored path.
    pub fn parse(s: &str) -> Result<UnitPath, UnitPathError> {
        let bad = || UnitPathError(s.chars().take(80).collect());
        let inner = s
            .strip_prefix('/')
            .and_then(|r| r.strip_suffix('/'))
            .ok_or_else(bad)?;
        if inner.is_empty() || inner.split('/').any(|id| crate::UnitId::parse(id).is_err()) {
            return Err(bad());
        }
        Ok(UnitPath(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the unit at `other` is this unit or inside its subtree.
    pub fn contains(&self, other: &UnitPath) -> bool {
        other.0.starts_with(&self.0)
    }

    /// The units on the path, from the root down to the unit itself.
    pub fn unit_ids(&self) -> impl DoubleEndedIterator<Item = crate::UnitId> + '_ {
        self.0
            .split('/')
            .filter(|s| !s.is_empty())
            .filter_map(|s| crate::UnitId::parse(s).ok())
    }

    /// The unit the path ends at.
    pub fn unit_id(&self) -> Option<crate::UnitId> {
        self.unit_ids().next_back()
    }

    /// Levels below the root (a root is 0).
    pub fn depth(&self) -> usize {
        self.unit_ids().count().saturating_sub(1)
    }

    /// The subtrees of `paths`, without those inside another: what a
    /// scoped query needs to ask for.
    pub fn outermost(paths: impl IntoIterator<Item = UnitPath>) -> Vec<UnitPath> {
        let mut all: Vec<UnitPath> = paths.into_iter().collect();
        all.sort_unstable();
        all.dedup();
        let keep: Vec<UnitPath> = all
            .iter()
            .filter(|p| !all.iter().any(|q| q != *p && q.contains(p)))
            .cloned()
            .collect();
        keep
    }
}

impl fmt::Display for UnitPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The full name of the mediation committee a case of `unit` belongs to,
/// as its seal reads (the print's 印 line): `大潭村人民调解委员会`. A
/// villager or resident group is no committee: its parent's. A name that
/// already says it is a committee (a sector's, a compound's) is kept.
pub fn committee_name(unit: &UnitRecord, units: &[UnitRecord]) -> String {
    let committee = match unit.kind {
        UnitKind::VillagerGroup | UnitKind::ResidentGroup => unit
            .parent_id
            .and_then(|p| units.iter().find(|u| u.id == p))
            .unwrap_or(unit),
        _ => unit,
    };
    let name = committee.name.trim();
    if name.ends_with("调解委员会") || committee.kind == UnitKind::Centre {
        name.to_owned()
    } else {
        format!("{name}人民调解委员会")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn a_committee_is_named_as_its_seal_reads() {
        let mut units = crate::testing::unit_tree();
        let village = units
            .iter()
            .position(|u| u.kind == UnitKind::Village)
            .unwrap();
        units[village].name = "大潭村".into();
        assert_eq!(
            committee_name(&units[village], &units),
            "大潭村人民调解委员会"
        );
        let group = units
            .iter()
            .find(|u| u.kind == UnitKind::VillagerGroup)
            .unwrap();
        assert_eq!(
            committee_name(group, &units),
            "大潭村人民调解委员会",
            "a group's is its village's"
        );
        let community = units
            .iter()
            .find(|u| u.kind == UnitKind::Community)
            .unwrap();
        assert_eq!(
            committee_name(community, &units),
            "东兴社区人民调解委员会",
            "already a committee's name"
        );
        let township = units.iter().find(|u| u.kind == UnitKind::Township).unwrap();
        assert_eq!(committee_name(township, &units), "鹿城镇人民调解委员会");
    }

    #[test]
    fn codes_round_trip_and_match_serde() {
        for kind in UnitKind::ALL {
            assert_eq!(kind.code().parse::<UnitKind>().unwrap(), kind);
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind.code())
            );
        }
        assert!("town".parse::<UnitKind>().is_err());
    }

    #[test]
    fn paths_hold_their_subtrees_and_nothing_beside_them() {
        let (c, t1, t10) = (
            crate::UnitId::stable("c"),
            crate::UnitId::stable("t1"),
            crate::UnitId::stable("t10"),
        );
        let city = UnitPath::root(c);
        let township = city.child(t1);
        let village = township.child(crate::UnitId::stable("v"));
        assert!(city.contains(&village) && township.contains(&village));
        assert!(township.contains(&township));
        assert!(!village.contains(&township));
        assert!(!city.child(t10).contains(&village));
        assert_eq!(village.depth(), 2);
        assert_eq!(village.unit_ids().next(), Some(c));
        assert_eq!(UnitPath::parse(village.as_str()), Ok(village.clone()));
        for bad in ["", "/", "//", "x/", "/not-a-uuid/", &village.as_str()[1..]] {
            assert!(UnitPath::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            UnitPath::outermost([village.clone(), city.clone(), township.clone()]),
            [city]
        );
    }

    #[test]
    fn tree_shape_is_enforced() {
        use UnitKind::*;
        assert!(City.may_be_child_of(None));
        assert!(Village.may_be_child_of(Some(Township)));
        assert!(VillagerGroup.may_be_child_of(Some(Village)));
        assert!(!VillagerGroup.may_be_child_of(Some(Community)));
        assert!(!Township.may_be_child_of(None));
        assert!(!City.may_be_child_of(Some(City)));
    }
}
