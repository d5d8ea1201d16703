//! Which categories one person may hold together (issue 7 item 1: "one person can hold
//! several entitlements where the rules allow"). The exclusions are data (a list of pairs
//! with the reason, seeded by `service` and changed by the section); this is the check.
//!
//! The seeded pairs follow from the definitions in rules.md §4.1 and the 2011 notice on the
//! rural veterans' elderly allowance (民发〔2011〕110号: it goes to rural veterans aged 60+
//! "未享受国家定期抚恤补助", who get no other periodic pension or subsidy): a 带病回乡 veteran
//! is one whose illness did not reach a disability grade, so he is not also a 残疾军人; and
//! the elderly allowance excludes the periodic pensions and subsidies (残疾, 在乡复员,
//! 带病回乡, 参战, 参试). 参战 and 残疾 may be held together (a war-disabled combat veteran
//! gets both), as may any pair not listed.

/// One forbidden pair, in either order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    pub a: String,
    pub b: String,
    pub reason: String,
}

impl Exclusion {
    /// The other category of the pair, if `code` is one of them.
    fn other(&self, code: &str) -> Option<&str> {
        if self.a == code {
            Some(&self.b)
        } else if self.b == code {
            Some(&self.a)
        } else {
            None
        }
    }
}

/// The first exclusion that forbids holding `new` beside the categories in `held`, with the
/// held category it clashes with.
pub fn clash<'a>(
    new: &str,
    held: &[&'a str],
    exclusions: &'a [Exclusion],
) -> Option<(&'a str, &'a Exclusion)> {
    exclusions.iter().find_map(|x| {
        let other = x.other(new)?;
        held.iter().find(|h| **h == other).map(|h| (*h, x))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x(a: &str, b: &str) -> Exclusion {
        Exclusion {
            a: a.into(),
            b: b.into(),
            reason: "r".into(),
        }
    }

    #[test]
    fn a_pair_forbids_either_order_and_nothing_else() {
        let list = [x("11", "42"), x("51", "81")];
        assert_eq!(clash("42", &["11"], &list).map(|c| c.0), Some("11"));
        assert_eq!(clash("11", &["21", "42"], &list).map(|c| c.0), Some("42"));
        assert_eq!(clash("81", &["51"], &list).map(|c| c.0), Some("51"));
        assert!(clash("51", &["11"], &list).is_none());
        assert!(clash("42", &[], &list).is_none());
        assert!(clash("42", &["42"], &[]).is_none());
    }
}
