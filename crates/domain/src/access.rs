//! Roles and what they may do. A permission is a (business line, action) pair; a role is a
//! named set of permissions ([`Role::allows`]). Jurisdiction (which divisions an account
//! sees) is separate and lives with the account; here only the rule of which division level
//! a role's jurisdiction must have. `service` checks both on every use case.

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

/// The areas of work a permission is about. One per business-line module, plus the
/// administration of the system itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Line {
    /// 社会救助: 低保, 特困, relief, medical aid.
    Assistance,
    /// 资金发放: payroll runs, the ledger, bank files.
    Payroll,
    /// 双拥优抚安置.
    Veterans,
    /// 敬老院.
    ElderlyHomes,
    /// 走访慰问.
    Campaigns,
    /// 社会组织.
    Organizations,
    /// 公租房.
    Housing,
    /// 婚姻登记.
    Marriage,
    /// 殡葬.
    Funeral,
    /// 基层政权与区划地名, including the division tree.
    Places,
    /// 统计与总结.
    Reports,
    /// 账号与角色.
    Accounts,
    /// 操作日志.
    Audit,
    /// 系统设置: the working calendar, settings.
    System,
}

impl Line {
    pub const ALL: [Line; 14] = [
        Line::Assistance,
        Line::Payroll,
        Line::Veterans,
        Line::ElderlyHomes,
        Line::Campaigns,
        Line::Organizations,
        Line::Housing,
        Line::Marriage,
        Line::Funeral,
        Line::Places,
        Line::Reports,
        Line::Accounts,
        Line::Audit,
        Line::System,
    ];

    /// The module name, the same word in every layer.
    pub fn as_str(self) -> &'static str {
        match self {
            Line::Assistance => "assistance",
            Line::Payroll => "payroll",
            Line::Veterans => "veterans",
            Line::ElderlyHomes => "elderly_homes",
            Line::Campaigns => "campaigns",
            Line::Organizations => "organizations",
            Line::Housing => "housing",
            Line::Marriage => "marriage",
            Line::Funeral => "funeral",
            Line::Places => "places",
            Line::Reports => "reports",
            Line::Accounts => "accounts",
            Line::Audit => "audit",
            Line::System => "system",
        }
    }

    /// Lines that hold records of people in hardship (the ones section staff run).
    fn is_business(self) -> bool {
        !matches!(self, Line::Accounts | Line::Audit | Line::System)
    }
}

/// What a permission allows within a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// See lists and details (personal data masked).
    Read,
    /// Create and change records, take applications, record steps.
    Write,
    /// Decide: approve, refuse, confirm a payroll run.
    Approve,
    /// Download lists and reports (personal data masked).
    Export,
    /// See a full ID or phone number; each use is logged with a reason.
    Reveal,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Write => "write",
            Action::Approve => "approve",
            Action::Export => "export",
            Action::Reveal => "reveal",
        }
    }
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

    /// The business line a district section runs, if this role is a section's.
    pub fn section(self) -> Option<&'static [Line]> {
        match self {
            Role::AssistanceStaff => Some(&[Line::Assistance, Line::Payroll]),
            Role::VeteransStaff => Some(&[Line::Veterans, Line::Campaigns, Line::Payroll]),
            Role::OrganizationsStaff => Some(&[Line::Organizations]),
            Role::HousingStaff => Some(&[Line::Housing]),
            Role::MarriageStaff => Some(&[Line::Marriage]),
            Role::FuneralStaff => Some(&[Line::Funeral]),
            Role::PlacesStaff => Some(&[Line::Places, Line::ElderlyHomes]),
            _ => None,
        }
    }

    /// Whether this role holds the permission (`line`, `action`). Jurisdiction is checked
    /// separately, on the record.
    ///
    /// The table, in words: a district section does everything in its own lines and reads
    /// the rest of the business; street officers and community workers take and record
    /// cases in the lines that start at street level (assistance, veterans, housing,
    /// elderly homes, campaigns) without deciding them; leaders read and export everything
    /// but the audit log and change nothing; auditors read and export everything including
    /// the audit log, and may reveal numbers (logged) to check records; administrators run
    /// accounts, the division tree and the system settings but see no case records, and may
    /// reveal (logged) only the phone numbers of staff accounts.
    pub fn allows(self, line: Line, action: Action) -> bool {
        use Action::*;
        if let Some(own) = self.section() {
            return if own.contains(&line) {
                true
            } else {
                line.is_business() && matches!(action, Read | Export)
                    || line == Line::Accounts && action == Read
            };
        }
        match self {
            // Revealing a staff member's phone number is part of running accounts (calling
            // someone whose password was reset); no other line's numbers are theirs to see.
            Role::Admin => {
                (matches!(line, Line::Accounts | Line::System | Line::Places)
                    && action != Reveal
                    && action != Approve)
                    || (line == Line::Accounts && action == Reveal)
            }
            Role::StreetOfficer | Role::CommunityWorker => {
                let front_line = matches!(
                    line,
                    Line::Assistance
                        | Line::Veterans
                        | Line::Housing
                        | Line::ElderlyHomes
                        | Line::Campaigns
                );
                (front_line && matches!(action, Read | Write | Export | Reveal))
                    || (matches!(line, Line::Places | Line::Reports)
                        && matches!(action, Read | Export))
            }
            Role::Leader => line != Line::Audit && matches!(action, Read | Export),
            Role::Auditor => matches!(action, Read | Export | Reveal),
            _ => false,
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
    fn leaders_change_nothing_and_auditors_alone_read_the_audit_log() {
        for line in Line::ALL {
            for action in [Action::Write, Action::Approve] {
                assert!(!Role::Leader.allows(line, action), "{line:?} {action:?}");
                assert!(!Role::Auditor.allows(line, action), "{line:?} {action:?}");
            }
            assert!(Role::Auditor.allows(line, Action::Read));
        }
        let audit_readers: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.allows(Line::Audit, Action::Read))
            .collect();
        assert_eq!(audit_readers, [Role::Auditor]);
    }

    #[test]
    fn sections_run_their_own_line_and_read_the_others() {
        assert!(Role::AssistanceStaff.allows(Line::Assistance, Action::Approve));
        assert!(Role::AssistanceStaff.allows(Line::Payroll, Action::Approve));
        assert!(!Role::AssistanceStaff.allows(Line::Veterans, Action::Write));
        assert!(Role::AssistanceStaff.allows(Line::Veterans, Action::Read));
        assert!(!Role::AssistanceStaff.allows(Line::Veterans, Action::Reveal));
        assert!(!Role::MarriageStaff.allows(Line::Accounts, Action::Write));
        assert!(!Role::MarriageStaff.allows(Line::Audit, Action::Read));
    }

    #[test]
    fn front_line_workers_record_but_never_decide() {
        for role in [Role::StreetOfficer, Role::CommunityWorker] {
            assert!(role.allows(Line::Assistance, Action::Write));
            assert!(role.allows(Line::Places, Action::Read));
            assert!(!role.allows(Line::Places, Action::Write));
            for line in Line::ALL {
                assert!(!role.allows(line, Action::Approve), "{role:?} {line:?}");
            }
            assert!(!role.allows(Line::Accounts, Action::Read));
        }
    }

    #[test]
    fn administrators_run_the_system_but_see_no_cases() {
        assert!(Role::Admin.allows(Line::Accounts, Action::Write));
        assert!(Role::Admin.allows(Line::Places, Action::Write));
        assert!(Role::Admin.allows(Line::System, Action::Write));
        assert!(!Role::Admin.allows(Line::Assistance, Action::Read));
        assert!(!Role::Admin.allows(Line::Audit, Action::Read));
    }

    #[test]
    fn administrators_reveal_staff_numbers_and_nothing_else() {
        assert!(Role::Admin.allows(Line::Accounts, Action::Reveal));
        let revealed: Vec<Line> = Line::ALL
            .into_iter()
            .filter(|l| Role::Admin.allows(*l, Action::Reveal))
            .collect();
        assert_eq!(revealed, [Line::Accounts]);
        // Who may see a staff member's full phone number: the administrator and the auditor.
        let staff_revealers: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.allows(Line::Accounts, Action::Reveal))
            .collect();
        assert_eq!(staff_revealers, [Role::Admin, Role::Auditor]);
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
