//! Relief and medical-assistance grants (临时救助, 受灾救助, 冬春救助, 医疗救助) and the
//! yearly budgets they draw on: the grant kinds and the one rule about money, that a grant
//! may not take a budget's drawn total above its amount unless someone overrides it.
//!
//! A budget is kept per (year, kind) because that is how the bureau's budget lines are
//! arranged: the 2013 summary names "60万元 医疗救助金" and "救灾救济款", one line per scheme
//! and year (seed figures A4, A5). Where the money came from (区财政, 上级补助, 社会捐赠 …)
//! is recorded on each grant as its funding source, for reports by source.

use std::fmt;
use std::str::FromStr;

use crate::Fen;

/// The kind of a grant; the data code (`as_str`) is what is stored and sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GrantKind {
    /// 临时救助: sudden hardship (fire, accident, serious illness), rules.md §3.
    Temporary,
    /// 受灾人员救助: disaster victims.
    Disaster,
    /// 冬春救助: disaster victims over the winter and the following spring.
    Winter,
    /// 医疗救助: the share of medical costs the bureau's fund pays.
    Medical,
}

impl GrantKind {
    pub const ALL: [GrantKind; 4] = [
        GrantKind::Temporary,
        GrantKind::Disaster,
        GrantKind::Winter,
        GrantKind::Medical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GrantKind::Temporary => "temporary",
            GrantKind::Disaster => "disaster",
            GrantKind::Winter => "winter",
            GrantKind::Medical => "medical",
        }
    }
}

impl fmt::Display for GrantKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not a grant kind's data code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown grant kind {text:?}")]
pub struct UnknownGrantKind {
    pub text: String,
}

impl UnknownGrantKind {
    pub fn code(&self) -> &'static str {
        "grants.kind"
    }
}

impl FromStr for GrantKind {
    type Err = UnknownGrantKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        GrantKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| UnknownGrantKind { text: s.to_owned() })
    }
}

/// A budget and what has been drawn on it (cancelled grants excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetUse {
    pub budget: Fen,
    pub drawn: Fen,
}

impl BudgetUse {
    /// What is left; negative once overrides have taken the total above the budget.
    pub fn remaining(self) -> Fen {
        Fen::from_fen(self.budget.as_fen().saturating_sub(self.drawn.as_fen()))
    }

    /// Drawn as a share of the budget in tenths of a percent, rounded down (`None` for a
    /// budget of zero, where a share means nothing).
    pub fn permille_used(self) -> Option<i64> {
        let budget = i128::from(self.budget.as_fen());
        if budget <= 0 {
            return None;
        }
        let share = i128::from(self.drawn.as_fen()) * 1000 / budget;
        i64::try_from(share).ok()
    }

    /// Whether drawing `requested` more stays within the budget; the refusal carries
    /// every figure the person recording the grant needs to decide on an override.
    pub fn check(self, requested: Fen) -> Result<(), Overdraw> {
        let after = self.drawn.checked_add(requested);
        match after {
            Some(after) if after.as_fen() <= self.budget.as_fen() => Ok(()),
            _ => Err(Overdraw {
                budget: self.budget,
                drawn: self.drawn,
                remaining: self.remaining(),
                requested,
            }),
        }
    }
}

/// A grant would take the drawn total above the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overdraw {
    pub budget: Fen,
    pub drawn: Fen,
    pub remaining: Fen,
    pub requested: Fen,
}

impl Overdraw {
    pub fn code(&self) -> &'static str {
        "grants.over_budget"
    }

    /// The four figures in yuan, `;`-separated in the order budget, drawn, remaining,
    /// requested: the detail of the refusal, which the adapters put into words.
    pub fn detail(&self) -> String {
        format!(
            "{};{};{};{}",
            self.budget.yuan(),
            self.drawn.yuan(),
            self.remaining.yuan(),
            self.requested.yuan()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fen(n: i64) -> Fen {
        Fen::from_fen(n)
    }

    #[test]
    fn kinds_round_trip_their_codes() {
        for k in GrantKind::ALL {
            assert_eq!(k.as_str().parse::<GrantKind>(), Ok(k));
        }
        assert_eq!(
            "relief".parse::<GrantKind>().map_err(|e| e.code()),
            Err("grants.kind")
        );
    }

    #[test]
    fn a_grant_up_to_the_last_fen_fits_and_one_more_does_not() {
        let used = BudgetUse {
            budget: fen(60_000_000),
            drawn: fen(59_000_000),
        };
        assert_eq!(used.check(fen(1_000_000)), Ok(()));
        let refused = used.check(fen(1_000_001)).unwrap_err();
        assert_eq!(refused.remaining, fen(1_000_000));
        assert_eq!(refused.detail(), "600000.00;590000.00;10000.00;10000.01");
    }

    #[test]
    fn overflow_is_an_overdraw_not_a_panic() {
        let used = BudgetUse {
            budget: fen(i64::MAX),
            drawn: fen(i64::MAX),
        };
        assert!(used.check(fen(1)).is_err());
        let negative = BudgetUse {
            budget: fen(i64::MIN),
            drawn: fen(i64::MAX),
        };
        assert_eq!(negative.remaining(), fen(i64::MIN));
        assert_eq!(negative.permille_used(), None);
    }

    #[test]
    fn the_share_used_rounds_down_in_tenths_of_a_percent() {
        let used = BudgetUse {
            budget: fen(3),
            drawn: fen(2),
        };
        assert_eq!(used.permille_used(), Some(666));
        let over = BudgetUse {
            budget: fen(100),
            drawn: fen(150),
        };
        assert_eq!(over.permille_used(), Some(1500));
        assert_eq!(over.remaining(), fen(-50));
    }
}
