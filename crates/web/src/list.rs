//! The web half of the list-page pattern (`service::list`): reading a [`ListQuery`] from URL
//! parameters, links that keep the query (pager, sortable column headers, exports), the
//! options of filter selects, and the inline messages of the forms next to a list.
//!
//! Everything is plain links and GET forms, so a list works without JavaScript; `app.js`
//! only submits a filter form when one of its selects changes. The words of the pager live
//! in `accounts.ftl` (`accounts-pager-*`) until a second line reuses it.

use serde::Deserialize;
use service::list::{Code, DEFAULT_PER_PAGE, ListQuery, Page};

use crate::Tr;

/// A list's URL parameters, as text: a bad value is ignored rather than refused, since a
/// hand-edited link should still show a list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub division: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub desc: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub per_page: String,
}

impl ListParams {
    pub fn query<S: Code, F: Code>(&self) -> ListQuery<S, F> {
        ListQuery {
            q: self.q.trim().to_owned(),
            division: self.division.trim().parse().ok(),
            status: F::parse(&self.status),
            sort: S::parse(&self.sort),
            descending: matches!(self.desc.trim(), "1" | "true" | "yes"),
            page: self.page.trim().parse().unwrap_or(1),
            per_page: self.per_page.trim().parse().unwrap_or(DEFAULT_PER_PAGE),
        }
    }
}

/// `text` percent-encoded for a URL query value: the one encoder of the crate (list links,
/// audit links, the sign-in page's `next`). `/` stays as it is, which RFC 3986 allows in a
/// query, so that `?next=/divisions/…` stays readable; `&`, `=`, `?`, `#` and `%` do not.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The query string (without `?`) of `query`, with `page` if given and not the first.
pub fn query_string<S: Code, F: Code>(query: &ListQuery<S, F>, page: Option<usize>) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !query.q.is_empty() {
        parts.push(format!("q={}", encode(&query.q)));
    }
    if let Some(d) = &query.division {
        parts.push(format!("division={d}"));
    }
    if let Some(s) = query.status {
        parts.push(format!("status={}", s.as_str()));
    }
    if let Some(s) = query.sort {
        parts.push(format!("sort={}", s.as_str()));
    }
    if query.descending {
        parts.push("desc=1".into());
    }
    if query.page_size() != DEFAULT_PER_PAGE {
        parts.push(format!("per_page={}", query.page_size()));
    }
    if let Some(p) = page.filter(|p| *p > 1) {
        parts.push(format!("page={p}"));
    }
    parts.join("&")
}

/// `base` with the query string, if any.
pub fn href(base: &str, query: &str) -> String {
    if query.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{query}")
    }
}

/// A sortable column header: a link that sorts by the column, or reverses the order when it
/// already sorts by it. Sorting returns to the first page.
#[derive(Debug, Clone)]
pub struct SortHeader {
    pub label: String,
    pub href: String,
    /// For `aria-sort`: `ascending`, `descending` or `none`.
    pub aria_sort: &'static str,
    /// ▲, ▼ or nothing.
    pub arrow: &'static str,
}

pub fn sort_headers<S: Code, F: Code>(
    base: &str,
    query: &ListQuery<S, F>,
    default: S,
    columns: Vec<(S, String)>,
) -> Vec<SortHeader> {
    let current = query.sort.unwrap_or(default);
    columns
        .into_iter()
        .map(|(key, label)| {
            let active = key == current;
            let mut next = query.clone();
            next.sort = Some(key);
            next.descending = active && !query.descending;
            let (aria_sort, arrow) = match (active, query.descending) {
                (false, _) => ("none", ""),
                (true, false) => ("ascending", "▲"),
                (true, true) => ("descending", "▼"),
            };
            SortHeader {
                label,
                href: href(base, &query_string(&next, None)),
                aria_sort,
                arrow,
            }
        })
        .collect()
}

/// One numbered link of a pager.
#[derive(Debug, Clone)]
pub struct PageLink {
    pub number: usize,
    pub href: String,
    pub current: bool,
    /// Pages are left out before this one (show an ellipsis).
    pub gap_before: bool,
}

/// Where the list is and how to move: "rows 51–100 of 120", previous, numbers, next.
#[derive(Debug, Clone)]
pub struct Pager {
    pub summary: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// Empty when there is only one page.
    pub links: Vec<PageLink>,
}

impl Pager {
    pub fn new<S: Code, F: Code, T>(
        t: &Tr<'_>,
        base: &str,
        query: &ListQuery<S, F>,
        page: &Page<T>,
    ) -> Self {
        let pages = page.pages();
        let link = |n: usize| href(base, &query_string(query, Some(n)));
        let first_row = if page.total == 0 {
            0
        } else {
            (page.page - 1) * page.per_page + 1
        };
        let last_row = (first_row + page.items.len())
            .saturating_sub(1)
            .max(first_row);
        let summary = t.with(
            "accounts-pager-summary",
            &[
                ("first", &first_row.to_string()),
                ("last", &last_row.to_string()),
                ("total", &page.total.to_string()),
                ("page", &page.page.to_string()),
                ("pages", &pages.to_string()),
            ],
        );
        let mut links = Vec::new();
        if pages > 1 {
            let mut previous = 0;
            for n in 1..=pages {
                let near = n.abs_diff(page.page) <= 2;
                if n == 1 || n == pages || near {
                    links.push(PageLink {
                        number: n,
                        href: link(n),
                        current: n == page.page,
                        gap_before: previous != 0 && n > previous + 1,
                    });
                    previous = n;
                }
            }
        }
        Self {
            summary,
            prev: (page.page > 1).then(|| link(page.page - 1)),
            next: (page.page < pages).then(|| link(page.page + 1)),
            links,
        }
    }
}

/// One option of a select.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub fn new(value: impl Into<String>, label: impl Into<String>, current: &str) -> Self {
        let value = value.into();
        Self {
            selected: value == current,
            value,
            label: label.into(),
        }
    }
}

/// A refused form's messages: the ones about a field shown next to it, the rest above the
/// form.
#[derive(Debug, Clone, Default)]
pub struct FieldErrors {
    by_field: Vec<(&'static str, String)>,
    pub general: Vec<String>,
}

impl FieldErrors {
    /// Sorts `errors` into those about `fields` of the form and the rest.
    pub fn new(t: &Tr<'_>, errors: &[service::FieldError], fields: &[&str]) -> Self {
        let mut out = Self::default();
        for e in errors {
            if fields.contains(&e.field) {
                out.by_field
                    .push((e.field, t.error_code(e.code, &e.detail)));
            } else {
                out.general.push(t.field_error(e));
            }
        }
        out
    }

    /// One message about `field`, next to it.
    pub fn add(&mut self, field: &'static str, message: String) {
        self.by_field.push((field, message));
    }

    /// The messages about `field`, joined.
    pub fn get(&self, field: &str) -> Option<String> {
        let list: Vec<&str> = self
            .by_field
            .iter()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
            .collect();
        (!list.is_empty()).then(|| list.join(";"))
    }

    pub fn is_empty(&self) -> bool {
        self.by_field.is_empty() && self.general.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use service::users::{AccountSort, AccountStatus};

    #[test]
    fn query_strings_keep_everything_but_the_default_page() {
        let params = ListParams {
            q: "张 干".into(),
            division: "990101001000".into(),
            status: "active".into(),
            sort: "name".into(),
            desc: "1".into(),
            page: "3".into(),
            per_page: "20".into(),
        };
        let q = params.query::<AccountSort, AccountStatus>();
        assert_eq!(
            query_string(&q, Some(2)),
            "q=%E5%BC%A0%20%E5%B9%B2&division=990101001000&status=active&sort=name&desc=1&per_page=20&page=2"
        );
        let bad = ListParams {
            status: "nonsense".into(),
            page: "x".into(),
            ..ListParams::default()
        };
        let q = bad.query::<AccountSort, AccountStatus>();
        assert_eq!((q.status, q.page), (None, 1));
        assert_eq!(query_string(&q, Some(1)), "");
    }
}
