//! Checked values entered by people: resident ID numbers (GB 11643-1999) and
//! mainland mobile phone numbers. Errors are specific and bilingual.

use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Weights of the first 17 characters (GB 11643-1999).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character by S mod 11.
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("身份证号应为18位，现为{0}位 / resident ID must have 18 characters, got {0}")]
    Length(usize),
    #[error("身份证号前17位只能是数字 / the first 17 characters must be digits")]
    NotDigits,
    #[error("身份证号最后一位应为数字或X / the last character must be a digit or X")]
    BadCheckChar,
    #[error("身份证号中的出生日期无效 / the birth date inside the ID is not a valid date")]
    BirthDate,
    #[error("身份证号校验位不正确，应为{expected} / check digit is wrong, expected {expected}")]
    CheckDigit { expected: char },
}

/// Sex as encoded in a resident ID (odd sequence = male).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

/// An 18-character resident ID number whose check digit is valid.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResidentId(String);

impl ResidentId {
    /// Parses and checks an ID. Spaces are ignored and a lowercase `x` accepted.
    pub fn parse(input: &str) -> Result<ResidentId, IdError> {
        let s: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let n = s.chars().count();
        if n != 18 {
            return Err(IdError::Length(n));
        }
        let bytes = s.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit) {
            return Err(IdError::NotDigits);
        }
        let last = bytes[17];
        if !(last.is_ascii_digit() || last == b'X') {
            return Err(IdError::BadCheckChar);
        }
        let year: i16 = s[6..10].parse().map_err(|_| IdError::BirthDate)?;
        let month: i8 = s[10..12].parse().map_err(|_| IdError::BirthDate)?;
        let day: i8 = s[12..14].parse().map_err(|_| IdError::BirthDate)?;
        if year < 1800 || Date::new(year, month, day).is_err() {
            return Err(IdError::BirthDate);
        }
        let expected = check_char(&bytes[..17]);
        if last != expected {
            return Err(IdError::CheckDigit {
                expected: expected as char,
            });
        }
        Ok(ResidentId(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 6-digit administrative area code of registration.
    pub fn area_code(&self) -> &str {
        &self.0[..6]
    }

    pub fn birth_date(&self) -> Date {
        let s = &self.0;
        let n = |r: std::ops::Range<usize>| s[r].parse().unwrap_or(0);
        // checked when the number was read; no `expect` on jiff's error
        // here: its Debug text (every jiff error's name) would join the
        // phone's first load
        Date::new(n(6..10), n(10..12) as i8, n(12..14) as i8).unwrap_or(Date::MIN)
    }

    pub fn sex(&self) -> Sex {
        let seq_last = self.0.as_bytes()[16] - b'0';
        if seq_last % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Masked for lists and logs: 532301********0012.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

/// The check character for 17 ASCII digits.
pub fn check_char(first17: &[u8]) -> u8 {
    debug_assert_eq!(first17.len(), 17);
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK_CHARS[(sum % 11) as usize]
}

impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ResidentId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ResidentId::parse(s)
    }
}

impl Serialize for ResidentId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ResidentId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        ResidentId::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("手机号应为11位数字 / a mobile number has 11 digits")]
    Format,
    #[error("手机号应以13–19开头 / a mainland mobile number starts with 13–19")]
    Prefix,
}

/// A mainland China mobile number, 11 digits starting 13–19. A leading
/// `+86`/`86`, spaces and dashes are accepted and removed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Phone, PhoneError> {
        let digits: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let digits = digits.strip_prefix("+86").unwrap_or(&digits);
        let digits = if digits.len() == 13 {
            digits.strip_prefix("86").unwrap_or(digits)
        } else {
            digits
        };
        if digits.len() != 11 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PhoneError::Format);
        }
        let b = digits.as_bytes();
        if b[0] != b'1' || !(b'3'..=b'9').contains(&b[1]) {
            return Err(PhoneError::Prefix);
        }
        Ok(Phone(digits.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Phone {
    type Err = PhoneError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Phone::parse(s)
    }
}

impl Serialize for Phone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Phone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Phone::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reference_examples_pass() {
        // docs/domain.md §12
        let a = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(a.sex(), Sex::Female);
        assert_eq!(a.birth_date(), jiff::civil::date(1949, 12, 31));
        assert_eq!(a.area_code(), "110105");
        let b = ResidentId::parse("440524188001010014").unwrap();
        assert_eq!(b.sex(), Sex::Male);
        assert_eq!(b.masked(), "440524********0014");
    }

    #[test]
    fn lowercase_x_and_spaces_are_accepted() {
        assert_eq!(
            ResidentId::parse(" 110105 19491231 002x ")
                .unwrap()
                .as_str(),
            "11010519491231002X"
        );
    }

    #[test]
    fn each_kind_of_bad_id_gets_its_own_error() {
        assert_eq!(
            ResidentId::parse("1101051949123100"),
            Err(IdError::Length(16))
        );
        assert_eq!(
            ResidentId::parse("1101051949123100AX"),
            Err(IdError::NotDigits)
        );
        assert_eq!(
            ResidentId::parse("11010519491231002Y"),
            Err(IdError::BadCheckChar)
        );
        assert_eq!(
            ResidentId::parse("110105194902300021"),
            Err(IdError::BirthDate)
        );
        assert_eq!(
            ResidentId::parse("110105194912310021"),
            Err(IdError::CheckDigit { expected: 'X' })
        );
    }

    #[test]
    fn errors_are_bilingual() {
        let msg = IdError::CheckDigit { expected: '7' }.to_string();
        assert!(
            msg.contains("校验位") && msg.contains("check digit"),
            "{msg}"
        );
    }

    #[test]
    fn phones() {
        assert_eq!(
            Phone::parse("138 0000 0001").unwrap().as_str(),
            "13800000001"
        );
        assert_eq!(
            Phone::parse("+86 138-0000-0001").unwrap().as_str(),
            "13800000001"
        );
        assert_eq!(
            Phone::parse("8613800000001").unwrap().as_str(),
            "13800000001"
        );
        assert_eq!(Phone::parse("1380000000"), Err(PhoneError::Format));
        assert_eq!(Phone::parse("12800000001"), Err(PhoneError::Prefix));
        // a landline (area code + number) is refused for its prefix
        assert_eq!(Phone::parse("0871-1234567"), Err(PhoneError::Prefix));
        assert_eq!(Phone::parse("1380000000a"), Err(PhoneError::Format));
    }

    fn digits17() -> impl Strategy<Value = String> {
        // area code, a valid birth date, sequence
        (
            100000u32..999999,
            1900i16..2025,
            1i8..=12,
            1i8..=28,
            0u32..1000,
        )
            .prop_map(|(area, y, m, d, seq)| format!("{area:06}{y:04}{m:02}{d:02}{seq:03}"))
    }

    proptest! {
        #[test]
        fn the_computed_check_char_always_passes(first in digits17()) {
            let check = check_char(first.as_bytes()) as char;
            let id = format!("{first}{check}");
            let parsed = ResidentId::parse(&id).unwrap();
            prop_assert_eq!(parsed.as_str(), id.as_str());
        }

        #[test]
        fn any_other_check_char_fails(first in digits17(), wrong in prop::sample::select(b"0123456789X".to_vec())) {
            let right = check_char(first.as_bytes());
            prop_assume!(wrong != right);
            let id = format!("{first}{}", wrong as char);
            prop_assert_eq!(ResidentId::parse(&id), Err(IdError::CheckDigit { expected: right as char }));
        }

        #[test]
        fn a_single_changed_digit_is_caught(first in digits17(), pos in 0usize..17, delta in 1u8..10) {
            let check = check_char(first.as_bytes());
            let mut bytes = first.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            bytes.push(check);
            let id = String::from_utf8(bytes).unwrap();
            // Either the date became invalid or the check digit catches it: never accepted.
            prop_assert!(ResidentId::parse(&id).is_err());
        }
    }
}
