//! Roles and what they may do. A permission is a (business line, action) pair; a role is a
//! named set of permissions. Jurisdiction (which divisions an account sees) is separate and
//! lives with the account; here only the rule of which division level a role's jurisdiction
//! must have.

use std::fmt;
use std::str::FromStr;

use crate::DivisionLevel;

/// A staff role. The data code (`as_str`) is what the database and the CLI use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// 系统管理员: accounts, divisions, calendar, settings.
    Admin,
    /// 区救助科: social assistance and its payroll.
    AssistanceStaff,
    /// 区优抚科: veterans and military families.
    VeteransStaff,
    /// 社会组织管理局: social organisations.
    OrganizationsStaff,
    /// 公租房审核: public rental housing.
    HousingStaff,
    /// 婚姻登记处: marriage registration.
    MarriageStaff,
    /// 殡葬管理: funeral management.
    FuneralStaff,
    /// 区划地名/基层政权: places and community affairs.
    PlacesStaff,
    /// 街道/镇民政办: takes applications in one street or town.
    StreetOfficer,
    /// 社区/村: helps residents of one community or village.
    CommunityWorker,
    /// 局领导: reads everything, changes nothing.
    Leader,
    /// 审计/纪检: reads everything and the audit log.
    Auditor,
}

/// Where in the division tree a role's jurisdiction is rooted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JurisdictionScope {
    /// The whole district: the account's jurisdiction is the county.
    District,
    /// One street or town.
    StreetOrTown,
    /// One community or village.
    CommunityOrVillage,
}

impl JurisdictionScope {
    pub fn admits(self, level: DivisionLevel) -> bool {
        match self {
            Self::District => level == DivisionLevel::County,
            Self::StreetOrTown => matches!(level, DivisionLevel::Street | DivisionLevel::Town),
            Self::CommunityOrVillage => {
                matches!(level, DivisionLevel::Community | DivisionLevel::Village)
            }
        }
    }
}

impl Role {
    pub const ALL: [Role; 12] = [
        Role::Admin,
        Role::AssistanceStaff,
        Role::VeteransStaff,
        Role::OrganizationsStaff,
        Role::HousingStaff,
        Role::MarriageStaff,
        Role::FuneralStaff,
        Role::PlacesStaff,
        Role::StreetOfficer,
        Role::CommunityWorker,
        Role::Leader,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::AssistanceStaff => "assistance_staff",
            Role::VeteransStaff => "veterans_staff",
            Role::OrganizationsStaff => "organizations_staff",
            Role::HousingStaff => "housing_staff",
            Role::MarriageStaff => "marriage_staff",
            Role::FuneralStaff => "funeral_staff",
            Role::PlacesStaff => "places_staff",
            Role::StreetOfficer => "street_officer",
            Role::CommunityWorker => "community_worker",
            Role::Leader => "leader",
            Role::Auditor => "auditor",
        }
    }

    pub fn scope(self) -> JurisdictionScope {
        match self {
            Role::StreetOfficer => JurisdictionScope::StreetOrTown,
            Role::CommunityWorker => JurisdictionScope::CommunityOrVillage,
            _ => JurisdictionScope::District,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not one of the role codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {found:?}")]
pub struct UnknownRole {
    pub found: String,
}

impl UnknownRole {
    pub fn code(&self) -> &'static str {
        "role.unknown"
    }
}

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| UnknownRole {
                found: s.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        let mut codes: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
        codes.dedup();
        assert_eq!(codes.len(), Role::ALL.len());
        assert_eq!(
            "boss".parse::<Role>(),
            Err(UnknownRole {
                found: "boss".into()
            })
        );
    }

    #[test]
    fn scopes_admit_only_their_level() {
        assert!(Role::StreetOfficer.scope().admits(DivisionLevel::Town));
        assert!(!Role::StreetOfficer.scope().admits(DivisionLevel::Village));
        assert!(Role::CommunityWorker.scope().admits(DivisionLevel::Village));
        assert!(Role::Leader.scope().admits(DivisionLevel::County));
        assert!(!Role::Admin.scope().admits(DivisionLevel::Street));
    }
}
