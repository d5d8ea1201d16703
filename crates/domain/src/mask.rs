//! Masking of personal numbers for lists, detail pages and exports. A full number is shown
//! only to a role that may reveal it, with a logged reason; everywhere else these forms are.
//!
//! Masking works on characters, never on bytes, so no input (however short, long or
//! non-ASCII) can make it panic; and at least a third of every number is hidden.

/// A phone number with its middle hidden: `13800138000` → `138****8000` (mobile and long
/// landline numbers keep the first 3 and last 4 characters), `87654321` → `87****21` (7–10
/// characters keep 2 and 2), `12345` → `***45` (5–6 keep the last 2), anything of 4
/// characters or fewer is all stars. Surrounding whitespace is ignored.
pub fn phone(number: &str) -> String {
    let chars: Vec<char> = number.trim().chars().collect();
    let n = chars.len();
    let (head, tail) = match n {
        11.. => (3, 4),
        7..=10 => (2, 2),
        5..=6 => (0, 2),
        _ => (0, 0),
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < head || i >= n - tail { *c } else { '*' })
        .collect()
}

/// A person's name for a posted notice (公示): the first and last characters kept, the ones
/// between hidden (`张小明` → `张*明`, `李四` → `李*`, `欧阳小明` → `欧**明`). A one-character
/// name stays as it is; surrounding space is dropped.
pub fn person_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 | 1 => chars.iter().collect(),
        2 => format!("{}*", chars[0]),
        n => std::iter::once(chars[0])
            .chain(std::iter::repeat_n('*', n - 2))
            .chain(std::iter::once(chars[n - 1]))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn mobile_numbers_keep_the_first_three_and_last_four() {
        assert_eq!(phone("13800138000"), "138****8000");
        assert_eq!(phone(" 13800138000 "), "138****8000");
        assert_eq!(phone("0755-12345678"), "075******5678");
    }

    #[test]
    fn short_numbers_are_masked_safely() {
        assert_eq!(phone(""), "");
        assert_eq!(phone("1"), "*");
        assert_eq!(phone("1234"), "****");
        assert_eq!(phone("12345"), "***45");
        assert_eq!(phone("87654321"), "87****21");
        assert_eq!(phone("一二三四五六七八"), "一二****七八");
    }

    #[test]
    fn names_keep_only_their_ends() {
        assert_eq!(person_name("张小明"), "张*明");
        assert_eq!(person_name("李四"), "李*");
        assert_eq!(person_name(" 欧阳小明 "), "欧**明");
        assert_eq!(person_name("王"), "王");
        assert_eq!(person_name(""), "");
    }

    proptest! {
        #[test]
        fn never_panics_on_any_text(s in "\\PC{0,40}") {
            prop_assert_eq!(phone(&s).chars().count(), s.trim().chars().count());
        }

        #[test]
        fn hides_at_least_a_third_of_a_number(s in "[0-9-]{1,24}") {
            let masked = phone(&s);
            let hidden = masked.chars().filter(|c| *c == '*').count();
            prop_assert!(hidden * 3 >= s.chars().count(), "{} -> {}", s, masked);
            for (m, o) in masked.chars().zip(s.chars()) {
                prop_assert!(m == '*' || m == o);
            }
        }
    }
}
