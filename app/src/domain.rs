//! The shared kernel: ids, roles, the signed-in person, places of work and small helpers that
//! every feature uses. Names follow `DOMAIN.md`; validation lives in `parse` constructors.

use serde::{Deserialize, Serialize};

use crate::error::AppError;

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
        #[serde(transparent)]
        pub struct $name(pub i32);
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

pub(crate) use id_type;

id_type!(/// A person on the township's staff.
    CadreId);
id_type!(/// One ten-day record sheet.
    SheetId);
id_type!(/// One day's two lines.
    EntryId);
id_type!(/// A village of an area (片).
    VillageId);
id_type!(/// A department of the township office.
    DepartmentId);
id_type!(/// An area (片), a cluster of villages.
    AreaId);

/// What a person may do in the system; one person may hold several roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Keeps a daily record (everybody on staff).
    Cadre,
    /// 分管领导: reads and reviews the sheets of the cadres they supervise.
    Supervisor,
    /// 片长: gives opinions on cadres working in their area.
    AreaChief,
    /// 书记、镇长.
    Principal,
    /// 镇党委.
    Committee,
    /// 党政办: accounts, organisation, archive.
    Office,
    /// 市效能办: read-only spot checks.
    Inspector,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Cadre,
        Role::Supervisor,
        Role::AreaChief,
        Role::Principal,
        Role::Committee,
        Role::Office,
        Role::Inspector,
    ];

    /// The stable code used in the database, CSV files and the API.
    pub fn code(self) -> &'static str {
        match self {
            Role::Cadre => "cadre",
            Role::Supervisor => "supervisor",
            Role::AreaChief => "area_chief",
            Role::Principal => "principal",
            Role::Committee => "committee",
            Role::Office => "office",
            Role::Inspector => "inspector",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code.trim())
    }

    /// Parses a list like `cadre,supervisor` (also `;` or `|` separated); unknown codes are errors.
    pub fn parse_list(s: &str) -> Result<Vec<Role>, String> {
        let mut roles = Vec::new();
        for part in s
            .split([',', ';', '|'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let role = Role::from_code(part).ok_or_else(|| part.to_string())?;
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
        roles.sort();
        Ok(roles)
    }

    pub fn join(roles: &[Role]) -> String {
        roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
    }
}

/// Where a day's work was done; evidence for spot checks and liaison work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Place {
    Office,
    Village,
    Enterprise,
    Away,
}

impl Place {
    pub const ALL: [Place; 4] = [
        Place::Office,
        Place::Village,
        Place::Enterprise,
        Place::Away,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Place::Office => "office",
            Place::Village => "village",
            Place::Enterprise => "enterprise",
            Place::Away => "away",
        }
    }

    pub fn from_code(code: &str) -> Option<Place> {
        Place::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// Checks one line of the record: not blank, at most `max` characters, one line.
pub fn validate_line(field: &str, text: &str, max: usize) -> Result<String, AppError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(AppError::invalid(field, "empty"));
    }
    if trimmed.chars().count() > max {
        return Err(AppError::invalid(field, "too_long"));
    }
    if trimmed.contains(['\n', '\r']) {
        return Err(AppError::invalid(field, "one_line"));
    }
    Ok(trimmed.to_string())
}

/// The signed-in person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Me {
    pub id: CadreId,
    pub username: String,
    pub name: String,
    pub department: String,
    pub roles: Vec<Role>,
}

impl Me {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Principals, the committee and the office see every sheet.
    pub fn sees_all_sheets(&self) -> bool {
        self.has(Role::Principal) || self.has(Role::Committee) || self.has(Role::Office)
    }
}

/// A person as every API reply names them: names are not unique, so always with the id.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct PersonRef {
    pub id: CadreId,
    pub name: String,
}

impl PersonRef {
    pub fn new(id: CadreId, name: impl Into<String>) -> Self {
        PersonRef {
            id,
            name: name.into(),
        }
    }
}

/// Which page of a list: 1-based `page` (default 1), `per_page` from 1 to
/// [`PageQuery::MAX_PER_PAGE`] (default [`PageQuery::DEFAULT_PER_PAGE`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageQuery {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl PageQuery {
    pub const DEFAULT_PER_PAGE: u32 = 20;
    pub const MAX_PER_PAGE: u32 = 100;

    pub fn new(page: Option<u32>, per_page: Option<u32>) -> PageQuery {
        PageQuery { page, per_page }
    }

    /// Cuts one page out of `items` (already in list order), refusing a page number of 0
    /// or a page size out of range.
    pub fn cut<T>(self, items: Vec<T>) -> Result<Page<T>, AppError> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(Self::DEFAULT_PER_PAGE);
        if page == 0 {
            return Err(AppError::invalid("page", "out_of_range"));
        }
        if !(1..=Self::MAX_PER_PAGE).contains(&per_page) {
            return Err(AppError::invalid("per_page", "out_of_range"));
        }
        let total = items.len() as u32;
        let skip = (u64::from(page) - 1) * u64::from(per_page);
        let items = items
            .into_iter()
            .skip(usize::try_from(skip).unwrap_or(usize::MAX))
            .take(per_page as usize)
            .collect();
        Ok(Page {
            items,
            page,
            per_page,
            total,
        })
    }
}

/// One page of a list: its items, which page it is and how many items there are in all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: u32,
}

/// A village one can pick as the place of work.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct VillageOption {
    pub id: VillageId,
    pub name: String,
    pub area: String,
}

/// Minimum password length for accounts.
pub const MIN_PASSWORD_CHARS: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_trimmed_bounded_and_single() {
        assert_eq!(validate_line("work", "  走访 ", 200).unwrap(), "走访");
        assert!(validate_line("work", "   ", 200).is_err());
        let long: String = "字".repeat(201);
        assert!(validate_line("work", &long, 200).is_err());
        let exact: String = "字".repeat(200);
        assert!(validate_line("work", &exact, 200).is_ok());
        assert!(validate_line("work", "a\nb", 200).is_err());
    }

    #[test]
    fn roles_parse_from_lists() {
        assert_eq!(
            Role::parse_list("supervisor, cadre").unwrap(),
            vec![Role::Cadre, Role::Supervisor]
        );
        assert_eq!(Role::parse_list("cadre;boss").unwrap_err(), "boss");
    }
}

#[cfg(test)]
mod page_tests {
    use super::*;

    #[test]
    fn a_page_is_cut_from_the_list_and_bad_bounds_are_refused() {
        let all: Vec<u32> = (1..=45).collect();
        let p = PageQuery::new(Some(3), None).cut(all.clone()).unwrap();
        assert_eq!(
            (p.items, p.page, p.per_page, p.total),
            ((41..=45).collect(), 3, 20, 45)
        );
        let p = PageQuery::default().cut(all.clone()).unwrap();
        assert_eq!(p.items.len(), 20);
        assert!(
            PageQuery::new(Some(9), Some(10))
                .cut(all.clone())
                .unwrap()
                .items
                .is_empty()
        );
        assert_eq!(
            PageQuery::new(Some(0), None).cut(all.clone()),
            Err(AppError::invalid("page", "out_of_range"))
        );
        assert_eq!(
            PageQuery::new(None, Some(101)).cut(all.clone()),
            Err(AppError::invalid("per_page", "out_of_range"))
        );
        assert!(
            PageQuery::new(Some(u32::MAX), Some(100))
                .cut(all)
                .unwrap()
                .items
                .is_empty()
        );
    }
}
