//! The list-page pattern every business line reuses: a [`ListQuery`] (search text, division
//! and status filters, sort, page), a [`Page`] of results, and the search rules.
//!
//! The order of operations is the promise: a use case first limits the records to the
//! actor's jurisdiction, then searches and filters, then counts, then sorts and cuts the
//! page. So a total, a search hit or an export can never reveal a record outside the
//! jurisdiction.
//!
//! Search matches a name as a substring or by its pinyin initials (`zgs` finds 张干事, with
//! every reading of a polyphonic character), other text (usernames, codes) as a
//! case-insensitive substring, and a resident ID only as a whole, valid number: a partial ID
//! would let someone without the reveal permission probe the hidden digits one by one.
//!
//! Where the filtering runs: accounts (tens to hundreds per district) are limited to the
//! jurisdiction in SQL and searched, sorted and paged here in memory, because pinyin
//! initials are not in the database. Lines with thousands of records should store the
//! initials in a column and page in SQL with the same `ListQuery`.

use std::cmp::Ordering;

use domain::{DivisionCode, ResidentId};
use pinyin::ToPinyinMulti;

/// Rows on a page unless the caller asks otherwise.
pub const DEFAULT_PER_PAGE: usize = 50;
/// The most rows one page may hold.
pub const MAX_PER_PAGE: usize = 200;
/// The most rows one export may hold; a larger list must be narrowed by filters first.
pub const MAX_EXPORT_ROWS: usize = 10_000;
/// Longest search text considered; the rest is ignored.
pub const MAX_SEARCH_CHARS: usize = 50;

/// The refusal of an export longer than [`MAX_EXPORT_ROWS`]: the list must be narrowed.
pub(crate) fn export_too_large() -> crate::Error {
    crate::Error::invalid(crate::FieldError::new(
        "form",
        "list.export_too_large",
        MAX_EXPORT_ROWS.to_string(),
    ))
}

/// Every row of a list, for an export: `page_of(page, per_page)` from the first page at
/// the largest size until the last, refused past [`MAX_EXPORT_ROWS`] (the total is known
/// from the first page, so nothing more is read).
/// (A closure returning a future rather than an async closure: the handlers' futures must
/// stay `Send`, which async closures' higher-ranked borrows do not yet prove.)
pub(crate) async fn every_row<T, F, Fut>(mut page_of: F) -> Result<Vec<T>, crate::Error>
where
    F: FnMut(usize, usize) -> Fut,
    Fut: Future<Output = Result<Page<T>, crate::Error>>,
{
    let mut all = Vec::new();
    let mut n = 1;
    loop {
        let page = page_of(n, MAX_PER_PAGE).await?;
        if page.total > MAX_EXPORT_ROWS {
            return Err(export_too_large());
        }
        let done = page.items.is_empty() || page.page >= page.pages();
        all.extend(page.items);
        if done {
            return Ok(all);
        }
        n += 1;
    }
}

/// A closed set of values with stable data codes: a list's sort keys or statuses.
pub trait Code: Copy + Eq + Sized + 'static {
    const ALL: &'static [Self];

    fn as_str(self) -> &'static str;

    fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        Self::ALL.iter().copied().find(|v| v.as_str() == text)
    }
}

/// What a list page asks for. `S` is the line's sort key, `F` its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery<S, F> {
    /// Search text: a name, pinyin initials, a username or code, or a whole ID number.
    pub q: String,
    /// Only records in this division's subtree.
    pub division: Option<DivisionCode>,
    pub status: Option<F>,
    /// `None`: the line's default order.
    pub sort: Option<S>,
    pub descending: bool,
    /// 1-based; out-of-range pages are brought to the nearest existing one.
    pub page: usize,
    /// Capped at [`MAX_PER_PAGE`]; 0 means [`DEFAULT_PER_PAGE`].
    pub per_page: usize,
}

impl<S, F> Default for ListQuery<S, F> {
    fn default() -> Self {
        Self {
            q: String::new(),
            division: None,
            status: None,
            sort: None,
            descending: false,
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

impl<S: Code, F: Code> ListQuery<S, F> {
    /// The page size actually used.
    pub fn page_size(&self) -> usize {
        match self.per_page {
            0 => DEFAULT_PER_PAGE,
            n => n.min(MAX_PER_PAGE),
        }
    }

    /// The search, if any text was given.
    pub fn search(&self) -> Option<Search> {
        Search::new(&self.q)
    }

    /// The query in words for the audit log: `q="张" division=… status=… sort=name desc`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.q.trim().is_empty() {
            parts.push(format!("q={:?}", self.q.trim()));
        }
        if let Some(d) = &self.division {
            parts.push(format!("division={d}"));
        }
        if let Some(s) = self.status {
            parts.push(format!("status={}", s.as_str()));
        }
        if let Some(s) = self.sort {
            parts.push(format!("sort={}", s.as_str()));
        }
        if self.descending {
            parts.push("desc".into());
        }
        parts.join(" ")
    }
}

/// One page of a list: the rows, how many matched in all, and where this page is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Matching records in the actor's jurisdiction, on every page.
    pub total: usize,
    /// 1-based.
    pub page: usize,
    pub per_page: usize,
}

impl<T> Page<T> {
    /// Cuts page `page` of `per_page` out of the complete, sorted list; a page past the end
    /// becomes the last page.
    pub fn cut(all: Vec<T>, page: usize, per_page: usize) -> Self {
        let per_page = per_page.clamp(1, MAX_PER_PAGE);
        let total = all.len();
        let pages = total.div_ceil(per_page).max(1);
        let page = page.clamp(1, pages);
        let items = all
            .into_iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .collect();
        Self {
            items,
            total,
            page,
            per_page,
        }
    }

    /// How many pages the list has (at least one, possibly empty).
    pub fn pages(&self) -> usize {
        self.total.div_ceil(self.per_page.max(1)).max(1)
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// Search text, normalised once and matched against many records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    /// Lower-cased, trimmed, at most [`MAX_SEARCH_CHARS`].
    text: String,
    /// The text as pinyin initials, if it is ASCII letters only.
    initials: Option<Vec<char>>,
    resident_id: Option<ResidentId>,
}

impl Search {
    pub fn new(q: &str) -> Option<Self> {
        let text: String = q
            .trim()
            .chars()
            .take(MAX_SEARCH_CHARS)
            .collect::<String>()
            .to_lowercase();
        if text.is_empty() {
            return None;
        }
        let initials = text
            .chars()
            .all(|c| c.is_ascii_lowercase())
            .then(|| text.chars().collect());
        let resident_id = ResidentId::parse(&text.to_uppercase()).ok();
        Some(Self {
            text,
            initials,
            resident_id,
        })
    }

    /// Other text (a username, a code): case-insensitive substring.
    pub fn matches_text(&self, text: &str) -> bool {
        text.to_lowercase().contains(&self.text)
    }

    /// A person's name: a substring of it, or a run of its pinyin initials.
    pub fn matches_name(&self, name: &str) -> bool {
        if self.matches_text(name) {
            return true;
        }
        let Some(wanted) = &self.initials else {
            return false;
        };
        let letters = initial_sets(name);
        letters.len() >= wanted.len()
            && (0..=letters.len() - wanted.len()).any(|start| {
                wanted
                    .iter()
                    .zip(&letters[start..])
                    .all(|(w, set)| set.contains(w))
            })
    }

    /// A resident ID: only the whole number matches.
    pub fn matches_resident_id(&self, id: &ResidentId) -> bool {
        self.resident_id.as_ref() == Some(id)
    }

    /// The normalised text (lower-cased, trimmed, capped), for a substring match in SQL.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text as pinyin initials, if it can be: to look for in a column filled by
    /// [`name_initials`], which matches exactly as [`Search::matches_name`] does.
    pub fn initials(&self) -> Option<String> {
        self.initials.as_ref().map(|c| c.iter().collect())
    }

    /// The whole, valid ID number the text is, if it is one.
    pub fn resident_id(&self) -> Option<&ResidentId> {
        self.resident_id.as_ref()
    }
}

/// Most reading combinations [`name_initials`] spells out; past it, further characters
/// keep only their first reading (names are short, so this is never reached in practice).
const MAX_INITIAL_COMBINATIONS: usize = 64;

/// A name's pinyin initials for storing in a column and matching in SQL: every combination
/// of its characters' readings, sorted and space-separated (`曾小三` → `cxs zxs`). A run of initials
/// matches the name by [`Search::matches_name`] exactly when it is a substring of this text
/// (search text is letters only, so it never spans a space).
pub fn name_initials(name: &str) -> String {
    let mut combos: Vec<String> = vec![String::new()];
    for set in initial_sets(name) {
        let set: &[char] = if combos.len() * set.len() > MAX_INITIAL_COMBINATIONS {
            &set[..1]
        } else {
            &set
        };
        combos = combos
            .iter()
            .flat_map(|c| set.iter().map(move |l| format!("{c}{l}")))
            .collect();
    }
    combos.sort();
    combos.dedup();
    combos.join(" ")
}

/// For each character of `name` that has a pinyin reading or is an ASCII letter or digit,
/// the set of first letters it may start with; other characters (spaces, punctuation) are
/// skipped so that "东城街道 张干事" reads as one run.
fn initial_sets(name: &str) -> Vec<Vec<char>> {
    name.chars()
        .filter_map(|c| match c.to_pinyin_multi() {
            Some(multi) => {
                let mut set: Vec<char> = multi
                    .into_iter()
                    .filter_map(|p| p.first_letter().chars().next())
                    .collect();
                set.dedup();
                Some(set)
            }
            None if c.is_ascii_alphanumeric() => Some(vec![c.to_ascii_lowercase()]),
            None => None,
        })
        .collect()
}

/// A sort key for names in the order Chinese staff expect: by pinyin (the most common
/// reading), then by the characters themselves. Non-Chinese characters keep their place.
pub fn name_order_key(name: &str) -> String {
    use pinyin::ToPinyin;
    name.chars()
        .map(|c| match c.to_pinyin() {
            Some(p) => format!("{} ", p.plain()),
            None => c.to_lowercase().collect(),
        })
        .collect()
}

/// Reverses an ordering when the query asks for descending order.
pub fn directed(order: Ordering, descending: bool) -> Ordering {
    if descending { order.reverse() } else { order }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_by_substring_and_pinyin_initials() {
        let s = |q: &str| Search::new(q).unwrap();
        let name = "东城街道民政办 张干事";
        assert!(s("张干").matches_name(name));
        assert!(s("zgs").matches_name(name));
        assert!(s("ZGS").matches_name(name));
        assert!(s("dcjd").matches_name(name));
        assert!(s("bzgs").matches_name(name), "spaces are skipped");
        assert!(!s("zgx").matches_name(name));
        assert!(!s("zgsx").matches_name(name));
        // Polyphonic: 曾 reads zēng and céng.
        assert!(s("zxs").matches_name("曾小三"));
        assert!(s("cxs").matches_name("曾小三"));
        assert!(Search::new("   ").is_none());
    }

    #[test]
    fn stored_initials_match_as_the_matcher_does() {
        for name in ["曾小三", "东城街道民政办 张干事", "李四", "长乐"] {
            let stored = name_initials(name);
            for q in ["zxs", "cxs", "zgs", "dcjd", "ls", "cl", "zl", "xs", "zgx"] {
                let search = Search::new(q).unwrap();
                let in_sql = stored.contains(search.initials().unwrap().as_str());
                let by_initials = search.matches_name(name) && !search.matches_text(name);
                assert_eq!(in_sql, by_initials, "{name} {q} {stored}");
            }
        }
        assert_eq!(name_initials("曾小三"), "cxs zxs");
    }

    #[test]
    fn resident_ids_match_only_whole() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert!(
            Search::new("11010519491231002x")
                .unwrap()
                .matches_resident_id(&id)
        );
        assert!(!Search::new("1101051949").unwrap().matches_resident_id(&id));
    }

    #[test]
    fn pages_are_cut_and_clamped() {
        let p = Page::cut((1..=120).collect::<Vec<_>>(), 3, 50);
        assert_eq!((p.items.len(), p.total, p.page, p.pages()), (20, 120, 3, 3));
        assert_eq!(p.items[0], 101);
        let p = Page::cut((1..=120).collect::<Vec<_>>(), 9, 50);
        assert_eq!(p.page, 3);
        let p = Page::cut(Vec::<i32>::new(), 0, 1000);
        assert_eq!((p.page, p.per_page, p.pages()), (1, MAX_PER_PAGE, 1));
    }

    #[test]
    fn names_sort_by_pinyin() {
        let mut names = vec!["赵", "陈", "王", "李"];
        names.sort_by_key(|n| name_order_key(n));
        assert_eq!(names, ["陈", "李", "王", "赵"]);
    }
}
