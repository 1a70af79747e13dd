//! The crate docs are the map a newcomer reads first: `src/lib.rs` names every module of the
//! pure half, and `src/browser/mod.rs`, `src/production/mod.rs` and `src/sandbox_ui/mod.rs` every
//! module of the browser half's shared layer and its two builds; none names a module that is gone.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;
use std::path::Path;

/// The modules in `dir` (files and folders with a `mod.rs`), by name.
fn modules_in(dir: &Path) -> BTreeSet<String> {
    let mut modules = BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("entry").path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let folder = path.is_dir() && path.join("mod.rs").is_file();
        let file = path.extension().is_some_and(|e| e == "rs") && !["lib", "mod"].contains(&name);
        if folder || file {
            modules.insert(name.to_owned());
        }
    }
    modules
}

/// The modules a crate doc's map names: the `[`name`]` or `` `name` `` that starts a bullet.
fn modules_in_map(file: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(file).expect("readable crate doc");
    text.lines()
        .filter_map(|line| line.strip_prefix("//! - "))
        .flat_map(|item| {
            // A bullet may name several modules: "[`modal`] and [`view`]: …".
            let names = item.split(':').next().unwrap_or_default();
            names
                .split('`')
                .skip(1)
                .step_by(2)
                .map(|name| name.rsplit("::").next().unwrap_or(name).to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn the_crate_docs_map_every_module() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for (doc, dir, ignore) in [
        (src.join("lib.rs"), src.clone(), "browser"),
        (src.join("browser/mod.rs"), src.join("browser"), ""),
        (src.join("production/mod.rs"), src.join("production"), ""),
        (src.join("sandbox_ui/mod.rs"), src.join("sandbox_ui"), ""),
    ] {
        let mut on_disk = modules_in(&dir);
        on_disk.remove(ignore);
        let mapped = modules_in_map(&doc);
        let unmapped: Vec<_> = on_disk.difference(&mapped).collect();
        let gone: Vec<_> = mapped.difference(&on_disk).collect();
        assert!(
            unmapped.is_empty() && gone.is_empty(),
            "{}: not in the map {unmapped:?}, in the map but not in the tree {gone:?}",
            doc.display()
        );
    }
}
