//! People in the network and the roles they hold (docs/domain.md §2).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a person is to the mediation network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonKind {
    /// 专职人民调解员 — full-time, subsidised.
    MediatorFullTime,
    /// 兼职人民调解员 — part-time.
    MediatorPartTime,
    /// 信息员 — informant who reports disputes.
    Informant,
    /// 工作人员 — staff of a judicial office, township, bureau or finance office.
    OfficeStaff,
}

impl PersonKind {
    pub const ALL: [PersonKind; 4] = [
        PersonKind::MediatorFullTime,
        PersonKind::MediatorPartTime,
        PersonKind::Informant,
        PersonKind::OfficeStaff,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PersonKind::MediatorFullTime => "mediator_full_time",
            PersonKind::MediatorPartTime => "mediator_part_time",
            PersonKind::Informant => "informant",
            PersonKind::OfficeStaff => "office_staff",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            PersonKind::MediatorFullTime => "专职人民调解员",
            PersonKind::MediatorPartTime => "兼职人民调解员",
            PersonKind::Informant => "信息员",
            PersonKind::OfficeStaff => "工作人员",
        }
    }
}

/// A role held at a unit; the unit is the role's scope (its subtree).
/// Written as its [`Role::code`] (serde by hand below: the derived enum
/// reader costs the phone's first load ~1.5 KB of wasm).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", serde(rename_all = "snake_case"))]
pub enum Role {
    /// 调解员 — records disputes, sessions, agreements, screenings.
    Mediator,
    /// 调委会主任 — submits the quarter's closed cases for subsidy.
    CommitteeHead,
    /// 司法所在编人员 — 初审 first review of case claims.
    JudicialStaff,
    /// 司法所长 — 复审 second review.
    JudicialDirector,
    /// 乡(镇)分管领导 — 复核 check; forms the township approval table.
    TownshipLeader,
    /// 市司法局主管业务科室 — 复核汇总 checks and totals all townships.
    BureauSection,
    /// 市司法局 (资金支出审批) — approves the spend.
    BureauApprover,
    /// 市司法局党组 — decides special (tier E) cases collectively.
    BureauPartyGroup,
    /// 市司法局财务 — pays each township finance office.
    BureauFinance,
    /// 乡(镇)财政所 — pays each mediator.
    TownshipFinance,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Mediator,
        Role::CommitteeHead,
        Role::JudicialStaff,
        Role::JudicialDirector,
        Role::TownshipLeader,
        Role::BureauSection,
        Role::BureauApprover,
        Role::BureauPartyGroup,
        Role::BureauFinance,
        Role::TownshipFinance,
    ];

    /// The office roles of docs/domain.md §2 (everything but the field mediator).
    pub const OFFICE: [Role; 9] = [
        Role::CommitteeHead,
        Role::JudicialStaff,
        Role::JudicialDirector,
        Role::TownshipLeader,
        Role::BureauSection,
        Role::BureauApprover,
        Role::BureauPartyGroup,
        Role::BureauFinance,
        Role::TownshipFinance,
    ];

    /// Whether the role supervises the units below where it is held: it may
    /// lock their cases for review and revoke their mediators' devices (the
    /// judicial office, the township leader, the bureau's reviewers).
    pub fn supervises(self) -> bool {
        self.may(crate::Capability::Review)
    }

    /// Whether the role records cases and screenings in the field on a
    /// phone (a mediator, a committee's head): such a phone keeps its
    /// units' screening records for the reminders; offices read the
    /// compliance view from the server instead.
    pub fn works_in_the_field(self) -> bool {
        self.may(crate::Capability::RecordCases)
    }

    /// Where the role can be held: field work at any unit; a committee's head
    /// at a committee; judicial-office and township roles at a township;
    /// bureau roles at the city.
    pub fn may_be_held_at(self, unit: crate::UnitKind) -> bool {
        use crate::UnitKind as U;
        match self {
            Role::Mediator => true,
            Role::CommitteeHead => !matches!(unit, U::Centre | U::VillagerGroup | U::ResidentGroup),
            Role::JudicialStaff
            | Role::JudicialDirector
            | Role::TownshipLeader
            | Role::TownshipFinance => unit == U::Township,
            Role::BureauSection
            | Role::BureauApprover
            | Role::BureauPartyGroup
            | Role::BureauFinance => unit == U::City,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Role::Mediator => "mediator",
            Role::CommitteeHead => "committee_head",
            Role::JudicialStaff => "judicial_staff",
            Role::JudicialDirector => "judicial_director",
            Role::TownshipLeader => "township_leader",
            Role::BureauSection => "bureau_section",
            Role::BureauApprover => "bureau_approver",
            Role::BureauPartyGroup => "bureau_party_group",
            Role::BureauFinance => "bureau_finance",
            Role::TownshipFinance => "township_finance",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Role::Mediator => "调解员",
            Role::CommitteeHead => "调委会主任",
            Role::JudicialStaff => "司法所在编人员",
            Role::JudicialDirector => "司法所长",
            Role::TownshipLeader => "乡(镇)分管领导",
            Role::BureauSection => "市司法局主管业务科室",
            Role::BureauApprover => "市司法局审批",
            Role::BureauPartyGroup => "市司法局党组",
            Role::BureauFinance => "市司法局财务",
            Role::TownshipFinance => "乡(镇)财政所",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Role::Mediator => "mediator",
            Role::CommitteeHead => "committee head",
            Role::JudicialStaff => "judicial office staff",
            Role::JudicialDirector => "judicial office director",
            Role::TownshipLeader => "township leader",
            Role::BureauSection => "bureau business section",
            Role::BureauApprover => "bureau approver",
            Role::BureauPartyGroup => "bureau party group",
            Role::BureauFinance => "bureau finance",
            Role::TownshipFinance => "township finance office",
        }
    }
}

impl PartialEq<&str> for Role {
    /// Compares with a code as stored and sent (`"village"`).
    fn eq(&self, code: &&str) -> bool {
        self.code() == *code
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的角色 “{0}” / unknown role")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

impl Serialize for Role {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        code.parse().map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的人员类别 “{0}” / unknown person kind")]
pub struct UnknownPersonKind(pub String);

impl FromStr for PersonKind {
    type Err = UnknownPersonKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PersonKind::ALL
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| UnknownPersonKind(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_codes_round_trip_and_match_serde() {
        for role in Role::ALL {
            assert_eq!(role.code().parse::<Role>().unwrap(), role);
            assert_eq!(
                serde_json::to_string(&role).unwrap(),
                format!("\"{}\"", role.code())
            );
        }
        for kind in PersonKind::ALL {
            assert_eq!(kind.code().parse::<PersonKind>().unwrap(), kind);
        }
        assert!("admin".parse::<Role>().is_err());
        for role in Role::ALL {
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(serde_json::from_str::<Role>(&json).unwrap(), role);
        }
        assert!(serde_json::from_str::<Role>("\"admin\"").is_err());
        assert!(serde_json::from_str::<Role>("3").is_err());
    }

    #[test]
    fn roles_are_held_where_they_belong() {
        use crate::UnitKind as U;
        assert!(Role::Mediator.may_be_held_at(U::VillagerGroup));
        assert!(Role::JudicialStaff.may_be_held_at(U::Township));
        assert!(!Role::JudicialStaff.may_be_held_at(U::Village));
        assert!(!Role::BureauFinance.may_be_held_at(U::VillagerGroup));
        assert!(Role::BureauFinance.may_be_held_at(U::City));
        assert!(!Role::CommitteeHead.may_be_held_at(U::ResidentGroup));
    }

    #[test]
    fn office_roles_are_all_roles_but_mediator() {
        let mut office: Vec<Role> = Role::OFFICE.to_vec();
        office.push(Role::Mediator);
        office.sort();
        let mut all = Role::ALL.to_vec();
        all.sort();
        assert_eq!(office, all);
    }
}
