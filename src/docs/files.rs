//! Comparing the rendered pages with the files under `docs/`, and writing them.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use super::pages::{Page, pages};

/// The directory every page lives in, relative to the repository root.
const DOCS_DIR: &str = "docs";

/// How one file under `docs/` differs from what the generator renders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// The page is not there.
    Missing(String),
    /// The page is there with other contents.
    Differs(String),
    /// A Markdown file the generator does not produce (a renamed or removed page).
    NotGenerated(String),
}

impl Drift {
    /// The page's path relative to the repository root, e.g. `docs/index.md`.
    pub fn path(&self) -> &str {
        match self {
            Drift::Missing(path) | Drift::Differs(path) | Drift::NotGenerated(path) => path,
        }
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Drift::Missing(path) => write!(f, "{path}: missing"),
            Drift::Differs(path) => write!(f, "{path}: differs from the generated page"),
            Drift::NotGenerated(path) => write!(f, "{path}: not generated (stale page)"),
        }
    }
}

/// Every difference between the rendered pages and the files under `root/docs`.
pub fn drift(root: &Path) -> io::Result<Vec<Drift>> {
    let rendered = pages();
    let mut found = Vec::new();
    for page in &rendered {
        match std::fs::read_to_string(root.join(page.path)) {
            Ok(current) if current == page.contents => {}
            Ok(_) => found.push(Drift::Differs(page.path.to_owned())),
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                found.push(Drift::Missing(page.path.to_owned()));
            }
            Err(err) => return Err(err),
        }
    }
    for path in markdown_files(root)? {
        if !rendered.iter().any(|page| page.path == path) {
            found.push(Drift::NotGenerated(path));
        }
    }
    Ok(found)
}

/// Writes every page under `root` and deletes Markdown files under `root/docs` that no page
/// produces. Returns what changed, as [`drift`] saw it before.
pub fn write(root: &Path) -> io::Result<Vec<Drift>> {
    let changes = drift(root)?;
    for Page { path, contents } in pages() {
        let target = root.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&target, contents)?;
    }
    for change in &changes {
        if let Drift::NotGenerated(path) = change {
            std::fs::remove_file(root.join(path))?;
        }
    }
    Ok(changes)
}

/// The Markdown files under `root/docs`, as `/`-separated paths relative to `root`, sorted.
fn markdown_files(root: &Path) -> io::Result<Vec<String>> {
    let mut found = Vec::new();
    let mut pending: Vec<PathBuf> = vec![root.join(DOCS_DIR)];
    while let Some(dir) = pending.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == io::ErrorKind::NotFound => continue,
            Err(err) => return Err(err),
        };
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "md")
                && let Ok(relative) = path.strip_prefix(root)
            {
                let parts: Vec<String> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                found.push(parts.join("/"));
            }
        }
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_tree_misses_every_page_and_writing_fixes_it() {
        let root = tempfile::tempdir().expect("temporary directory");
        let before = drift(root.path()).expect("drift");
        assert_eq!(
            before,
            pages()
                .iter()
                .map(|p| Drift::Missing(p.path.to_owned()))
                .collect::<Vec<_>>()
        );
        write(root.path()).expect("write");
        assert_eq!(drift(root.path()).expect("drift"), Vec::new());
    }

    #[test]
    fn edited_and_stray_pages_are_reported_then_repaired() {
        let root = tempfile::tempdir().expect("temporary directory");
        write(root.path()).expect("write");
        let edited = pages()[0].path;
        std::fs::write(root.path().join(edited), "hand edit\n").expect("edit");
        let stray = root.path().join("docs/data-sources/old_name.md");
        std::fs::write(&stray, "old\n").expect("stray page");

        assert_eq!(
            drift(root.path()).expect("drift"),
            vec![
                Drift::Differs(edited.to_owned()),
                Drift::NotGenerated("docs/data-sources/old_name.md".to_owned()),
            ]
        );
        write(root.path()).expect("write");
        assert!(!stray.exists());
        assert_eq!(drift(root.path()).expect("drift"), Vec::new());
    }
}
