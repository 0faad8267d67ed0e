//! Passwords at rest: argon2id PHC strings with a random salt.

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("密码至少需要8个字符 / a password needs at least 8 characters")]
    TooShort,
    #[error("密码过长（最多128个字符） / password too long (at most 128 characters)")]
    TooLong,
    #[error("密码哈希失败 / hashing failed: {0}")]
    Hash(String),
}

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 128;

/// Checks the length rules a new password must meet.
pub fn check_new(password: &str) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if n < MIN_LEN {
        Err(PasswordError::TooShort)
    } else if n > MAX_LEN {
        Err(PasswordError::TooLong)
    } else {
        Ok(())
    }
}

/// Hashes with argon2id (the crate's default parameters: 19 MiB, 2 passes).
pub fn hash(password: &str) -> Result<String, PasswordError> {
    check_new(password)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Whether `password` matches a stored hash. A malformed hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = hash("correct horse").unwrap();
        let b = hash("correct horse").unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "salted");
        assert!(verify("correct horse", &a));
        assert!(!verify("wrong horse", &a));
        assert!(!verify("correct horse", "not a hash"));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(matches!(hash("1234567"), Err(PasswordError::TooShort)));
        assert!(matches!(
            check_new(&"x".repeat(129)),
            Err(PasswordError::TooLong)
        ));
    }
}
