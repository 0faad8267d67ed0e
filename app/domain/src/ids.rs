//! Identifier newtypes. New records get UUID v7 ids (time-ordered, generated
//! on the phone while offline); the demo organisation uses UUID v5 ids derived
//! from stable names, so seeding is deterministic.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// Namespace for Tiaojie's deterministic (v5) ids.
const TIAOJIE_NAMESPACE: Uuid = Uuid::from_u128(0x6f1c_2b6e_8a4d_4d51_9a3e_7c1e_5b2f_0d10);

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id (UUID v7).
            pub fn new_v7() -> Self {
                Self(Uuid::now_v7())
            }

            /// The same id for the same key, on every run (UUID v5).
            pub fn stable(key: &str) -> Self {
                Self(Uuid::new_v5(&TIAOJIE_NAMESPACE, format!("{}:{key}", $prefix).as_bytes()))
            }

            pub fn parse(s: &str) -> Result<Self, uuid::Error> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
    };
}

id_type!(
    /// An organisation unit (城市、乡镇、调委会、调解小组…).
    UnitId,
    "unit"
);
id_type!(
    /// A person: mediator, informant or office staff.
    PersonId,
    "person"
);
id_type!(
    /// A log-in account of a person.
    AccountId,
    "account"
);
id_type!(
    /// A dispute case (纠纷案件), created on the phone.
    CaseId,
    "case"
);
id_type!(
    /// A mediation session (调解记录) of a case.
    SessionId,
    "session"
);
id_type!(
    /// A screening record (排查记录), or the record of an analysis meeting
    /// or a training; created on the phone.
    ScreeningId,
    "screening"
);
id_type!(
    /// An installed app (one per log-in): its sync identity, `client_id`
    /// of the pushes.
    DeviceId,
    "device"
);
id_type!(
    /// A device session (登录会话): one log-in of one device, behind a
    /// bearer token; revoked by log-out or by an office.
    DeviceSessionId,
    "device-session"
);
id_type!(
    /// One change made on a device (`mutation_id`), unique for ever.
    MutationId,
    "mutation"
);
id_type!(
    /// An item of a person's inbox (收件箱).
    InboxItemId,
    "inbox"
);
id_type!(
    /// A payment of approved claims (拨付 to a township, 核发 to a mediator).
    PaymentId,
    "payment"
);
id_type!(
    /// A quarterly subsidy claim batch (以案定补 兑现审批); a case in one is locked.
    ClaimId,
    "claim"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_ids_repeat_and_differ_by_key_and_kind() {
        assert_eq!(UnitId::stable("532301"), UnitId::stable("532301"));
        assert_ne!(UnitId::stable("532301"), UnitId::stable("532302"));
        assert_ne!(UnitId::stable("x").0, PersonId::stable("x").0);
        assert_eq!(UnitId::stable("532301").0.get_version_num(), 5);
    }

    #[test]
    fn new_ids_are_v7_and_round_trip_through_text() {
        let id = PersonId::new_v7();
        assert_eq!(id.0.get_version_num(), 7);
        assert_eq!(PersonId::parse(&id.to_string()).unwrap(), id);
        assert!(PersonId::parse("not-a-uuid").is_err());
    }
}
