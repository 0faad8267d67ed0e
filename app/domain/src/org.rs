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

#[cfg(test)]
mod tests {
    use super::*;

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
