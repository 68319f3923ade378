//! Money: yuan exact to the fen, serialised as a string so no client ever sees a float.

use std::fmt;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// An amount of yuan, exact to the fen (two decimal places). Serialised as a string
/// (`"1234.50"`) so no client ever sees a float.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Money(Decimal);

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.plain())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        let text = String::deserialize(d)?;
        let v: Decimal = text.parse().map_err(serde::de::Error::custom)?;
        if v.scale() > 2 {
            return Err(serde::de::Error::custom("more than two decimal places"));
        }
        Ok(Money(v))
    }
}

#[cfg(feature = "ssr")]
impl schemars::JsonSchema for Money {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Money".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^-?[0-9]+\\.[0-9]{2}$",
            "description": "Yuan, exact to the fen, as a decimal string (`1234.50`)"
        })
    }
}

/// The largest amount accepted as a base (ten million yuan).
const MAX_YUAN: i64 = 10_000_000;

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    pub fn from_fen(fen: i64) -> Money {
        Money(Decimal::new(fen, 2))
    }

    /// The amount in fen (exact: amounts never have more than two places).
    pub fn fen(self) -> i64 {
        (self.0 * Decimal::ONE_HUNDRED)
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            .to_i64()
            .unwrap_or(0)
    }

    /// Parses an amount typed or imported by the office: digits with at most two decimal
    /// places, optionally with thousands separators — in their places only (`1,000.00`;
    /// `1,00` is refused, not read as 100). Never negative.
    pub fn parse(field: &str, text: &str) -> Result<Money, AppError> {
        let raw = text
            .trim()
            .trim_start_matches(['¥', '￥'])
            .replace('，', ",");
        let (int_part, frac_part) = raw.split_once('.').unwrap_or((raw.as_str(), ""));
        if int_part.contains(',') {
            let groups: Vec<&str> = int_part.trim_start_matches('-').split(',').collect();
            let grouped = groups.iter().enumerate().all(|(i, g)| {
                let len_ok = if i == 0 {
                    (1..=3).contains(&g.len())
                } else {
                    g.len() == 3
                };
                len_ok && g.chars().all(|c| c.is_ascii_digit())
            });
            if !grouped {
                return Err(AppError::invalid(field, "not_a_number"));
            }
        }
        if frac_part.contains(',') {
            return Err(AppError::invalid(field, "not_a_number"));
        }
        let t: String = raw.chars().filter(|c| *c != ',').collect();
        if t.is_empty() {
            return Err(AppError::invalid(field, "required"));
        }
        if t.starts_with('-') {
            return Err(AppError::invalid(field, "negative_amount"));
        }
        if !t.chars().all(|c| c.is_ascii_digit() || c == '.') || t.starts_with('.') {
            return Err(AppError::invalid(field, "not_a_number"));
        }
        let d: Decimal = t
            .parse()
            .map_err(|_| AppError::invalid(field, "not_a_number"))?;
        if d.scale() > 2 {
            return Err(AppError::invalid(field, "amount_precision"));
        }
        if d > Decimal::from(MAX_YUAN) {
            return Err(AppError::invalid(field, "out_of_range"));
        }
        Ok(Money(d.round_dp(2)))
    }

    /// `pct` per cent of the amount, rounded half away from zero to the fen.
    pub fn percent(self, pct: u32) -> Money {
        Money(
            (self.0 * Decimal::from(pct) / Decimal::ONE_HUNDRED)
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
        )
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// Plain form for exports: `1234.50`, `-80.00`.
    pub fn plain(self) -> String {
        let mut d = self.0;
        d.rescale(2);
        d.to_string()
    }

    /// With thousands separators for reading: `1,234.50`.
    pub fn grouped(self) -> String {
        let plain = self.plain();
        let (sign, rest) = match plain.strip_prefix('-') {
            Some(r) => ("-", r),
            None => ("", plain.as_str()),
        };
        let (int, frac) = rest.split_once('.').unwrap_or((rest, "00"));
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{sign}{grouped}.{frac}")
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0 + o.0)
    }
}

impl std::ops::AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        *self = *self + rhs;
    }
}

impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0 - o.0)
    }
}

impl std::ops::Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.plain())
    }
}
