//! Money in yuan, exact to the fen. Never a float: `rust_decimal` in memory,
//! integer fen (分) in the database, a decimal string ("30.00") on the wire.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("金额格式不正确 / not a decimal amount")]
    Format,
    #[error("金额不能为负数 / amount must not be negative")]
    Negative,
    #[error("金额最多保留两位小数（分） / at most two decimal places (fen)")]
    TooPrecise,
    #[error("金额超出范围 / amount out of range")]
    Overflow,
}

/// A non-negative amount of yuan with at most two decimal places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Whole yuan, e.g. the 30/100/200/1000 tiers.
    pub fn yuan(yuan: u32) -> Money {
        Money(Decimal::from(yuan).round_dp(2))
    }

    /// From integer fen, the database representation.
    pub fn from_fen(fen: i64) -> Result<Money, MoneyError> {
        if fen < 0 {
            return Err(MoneyError::Negative);
        }
        Ok(Money(Decimal::new(fen, 2)))
    }

    /// To integer fen. Exact: a `Money` never holds fractions of a fen.
    pub fn to_fen(self) -> i64 {
        let fen = self.0 * Decimal::ONE_HUNDRED;
        i64::try_from(fen).expect("a Money is whole fen within i64 by construction")
    }

    /// Checks an exact decimal: no rounding is done here, too many places is an error.
    pub fn from_decimal(d: Decimal) -> Result<Money, MoneyError> {
        if d.is_sign_negative() && !d.is_zero() {
            return Err(MoneyError::Negative);
        }
        if d.normalize().scale() > 2 {
            return Err(MoneyError::TooPrecise);
        }
        let fen = d
            .checked_mul(Decimal::ONE_HUNDRED)
            .ok_or(MoneyError::Overflow)?;
        if i64::try_from(fen).is_err() {
            return Err(MoneyError::Overflow);
        }
        // exact: at most two places were checked above; `abs` turns -0 into 0
        Ok(Money(d.abs().round_dp_with_strategy(
            2,
            RoundingStrategy::MidpointNearestEven,
        )))
    }

    pub fn as_decimal(self) -> Decimal {
        self.0
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0
            .checked_add(other.0)
            .and_then(|d| Money::from_decimal(d).ok())
    }

    /// `self - other`, or `None` when that would be negative.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        if other > self {
            return None;
        }
        self.0
            .checked_sub(other.0)
            .and_then(|d| Money::from_decimal(d).ok())
    }

    pub fn checked_mul(self, n: u32) -> Option<Money> {
        self.0
            .checked_mul(Decimal::from(n))
            .and_then(|d| Money::from_decimal(d).ok())
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let d = Decimal::from_str_exact(s.trim()).map_err(|_| MoneyError::Format)?;
        Money::from_decimal(d)
    }
}

impl fmt::Display for Money {
    /// Always two places: "30.00".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = self.0;
        d.rescale(2);
        write!(f, "{d}")
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn displays_and_serialises_with_two_places() {
        assert_eq!(Money::yuan(30).to_string(), "30.00");
        assert_eq!(
            serde_json::to_string(&Money::yuan(1000)).unwrap(),
            "\"1000.00\""
        );
        let m: Money = serde_json::from_str("\"12.5\"").unwrap();
        assert_eq!(m.to_fen(), 1250);
    }

    #[test]
    fn rejects_bad_amounts_with_a_reason() {
        assert_eq!("abc".parse::<Money>(), Err(MoneyError::Format));
        assert_eq!("-1".parse::<Money>(), Err(MoneyError::Negative));
        assert_eq!("0.001".parse::<Money>(), Err(MoneyError::TooPrecise));
        assert_eq!("1e3".parse::<Money>(), Err(MoneyError::Format));
        assert_eq!(Money::from_fen(-5), Err(MoneyError::Negative));
        assert_eq!(
            "79228162514264337593543950335".parse::<Money>(),
            Err(MoneyError::Overflow)
        );
        assert_eq!(
            "92233720368547758.08".parse::<Money>(),
            Err(MoneyError::Overflow)
        );
        assert_eq!("-0".parse::<Money>().unwrap().to_string(), "0.00");
    }

    #[test]
    fn monthly_budget_is_exact() {
        // 186 mediators × 1,000 yuan × 12 months = 2,232,000 yuan (docs/domain.md §3)
        let year = Money::yuan(1000).checked_mul(186 * 12).unwrap();
        assert_eq!(year.to_string(), "2232000.00");
    }

    proptest! {
        #[test]
        fn fen_round_trips(fen in 0i64..=i64::MAX / 1000) {
            let m = Money::from_fen(fen).unwrap();
            prop_assert_eq!(m.to_fen(), fen);
            prop_assert_eq!(m.to_string().parse::<Money>().unwrap(), m);
        }

        #[test]
        fn addition_matches_integer_fen(a in 0i64..1_000_000_000, b in 0i64..1_000_000_000) {
            let sum = Money::from_fen(a).unwrap().checked_add(Money::from_fen(b).unwrap()).unwrap();
            prop_assert_eq!(sum.to_fen(), a + b);
        }
    }
}
