//! The `page_bodies` fault: a page answers 200 with a body given verbatim, so that clients can
//! be tested against answers that are not pages of the API (`{}`, `[]`, an error object, a
//! page without `backups`, a `total_count` beyond any limit, a page too large to keep, ...).

use std::path::Path;
use std::sync::Arc;

/// Which pages a [`PageBody`] replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageOffsets {
    /// The page at this offset.
    At(u64),
    /// Every page.
    Every,
}

/// A raw 200 body served instead of the page(s) at `offsets`, every time they are requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageBody {
    pub offsets: PageOffsets,
    /// Shared, so one large body can be served many times without copies.
    pub body: Arc<str>,
}

impl PageBody {
    pub fn new(offsets: PageOffsets, body: impl Into<Arc<str>>) -> PageBody {
        PageBody {
            offsets,
            body: body.into(),
        }
    }

    /// The first of `bodies` that replaces the page at `offset`.
    pub(crate) fn for_offset(bodies: &[PageBody], offset: u64) -> Option<&PageBody> {
        bodies.iter().find(|page| match page.offsets {
            PageOffsets::At(at) => at == offset,
            PageOffsets::Every => true,
        })
    }
}

/// Parses the CLI form `OFFSET=FILE` (`*=FILE` for every page) and reads FILE (UTF-8).
pub fn parse_page_body(s: &str) -> Result<PageBody, String> {
    let (offset, file) = s
        .split_once('=')
        .ok_or_else(|| format!("page-body {s:?}: expected OFFSET=FILE or *=FILE"))?;
    let offsets = match offset.trim() {
        "*" => PageOffsets::Every,
        offset => PageOffsets::At(offset.parse::<u64>().map_err(|_| {
            format!("page-body {s:?}: OFFSET {offset:?} is not a non-negative number or *")
        })?),
    };
    let body = std::fs::read_to_string(Path::new(file))
        .map_err(|e| format!("page-body {s:?}: cannot read {file:?}: {e}"))?;
    Ok(PageBody::new(offsets, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_offsets_and_reads_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("body.json");
        std::fs::write(&file, "{}").expect("write");
        let path = file.display();
        assert_eq!(
            parse_page_body(&format!("100={path}")),
            Ok(PageBody::new(PageOffsets::At(100), "{}"))
        );
        assert_eq!(
            parse_page_body(&format!("*={path}")),
            Ok(PageBody::new(PageOffsets::Every, "{}"))
        );
        assert!(parse_page_body(&format!("-1={path}")).is_err());
        assert!(parse_page_body("100").is_err());
        assert!(parse_page_body("100=/nonexistent/body.json").is_err());
    }

    #[test]
    fn the_first_matching_body_wins() {
        let bodies = [
            PageBody::new(PageOffsets::At(100), "a"),
            PageBody::new(PageOffsets::Every, "b"),
        ];
        let body = |offset| PageBody::for_offset(&bodies, offset).map(|p| &*p.body);
        assert_eq!(body(100), Some("a"));
        assert_eq!(body(0), Some("b"));
        assert_eq!(PageBody::for_offset(&bodies[..1], 0), None);
    }
}
