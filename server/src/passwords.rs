//! Which new passwords are accepted: at least [`MIN_PASSWORD_CHARS`] characters, not one of
//! the most common passwords (a list shipped with the build, `data/common-passwords.txt`),
//! not the user name, not one character repeated, not only digits unless long. Checked on
//! the server whenever a password is set (own change, reset by the office, new accounts,
//! CSV import); the browser only checks the length.

use std::collections::HashSet;
use std::sync::OnceLock;

use app::domain::MIN_PASSWORD_CHARS;
use app::error::AppError;

const COMMON: &str = include_str!("../data/common-passwords.txt");

/// Digits-only passwords shorter than this are refused (dates of birth, phone tails).
const MIN_DIGITS_ONLY: usize = 10;

fn common() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_lowercase)
            .collect()
    })
}

/// Whether `password` is too easy to guess; `Ok` if it may be set for `username`.
/// `field` names the form field in the error.
pub fn check_new(field: &str, password: &str, username: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(AppError::invalid(field, "password_short"));
    }
    let lower = password.to_lowercase();
    let mut chars = lower.chars();
    let first = chars.next();
    let one_char = chars.all(|c| Some(c) == first);
    let digits_only = lower.chars().all(|c| c.is_ascii_digit());
    // A common password with a year or "!" stuck on is still a common password.
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit() || "!.@#_-".contains(c));
    let weak = one_char
        || (digits_only && n < MIN_DIGITS_ONLY)
        || common().contains(&lower)
        || (stem.chars().count() >= 4 && common().contains(stem))
        || lower == username.trim().to_lowercase();
    if weak {
        return Err(AppError::invalid(field, "password_common"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_and_guessable_passwords_are_refused() {
        for pw in [
            "12345678",
            "password",
            "Password1",
            "PASSWORD123",
            "password2026",
            "woaini1314",
            "88888888",
            "aaaaaaaaaa",
            "19870512",
            "qwerty123!",
            "Zhangwei01",
            "Xiaoneng2027",
        ] {
            assert_eq!(
                check_new("password", pw, "zhangwei01"),
                Err(AppError::invalid("password", "password_common")),
                "{pw}"
            );
        }
        assert_eq!(
            check_new("password", "short", "x"),
            Err(AppError::invalid("password", "password_short"))
        );
    }

    #[test]
    fn ordinary_passwords_are_accepted() {
        for pw in [
            "河口村调研2026",
            "correct horse battery",
            "Tq7!mz-harbour",
            "13800138000123",
            "lan-shan-qiao",
        ] {
            assert_eq!(check_new("password", pw, "cadre07"), Ok(()), "{pw}");
        }
    }

    #[test]
    fn the_shipped_list_is_not_empty() {
        assert!(common().len() > 150);
        assert!(common().contains("123456"));
    }
}
