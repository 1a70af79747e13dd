//! The sandbox's modules form layers whose imports run one way, and the crate doc is a map of
//! them.
//!
//! Every `crate::…` path in `sandbox/src/**/*.rs` (outside comments and string literals) is an
//! edge from the module whose file it is in to the deepest module the path names; a parent
//! module also depends on the children it declares. The graph must have no cycle, and no module
//! may import from a layer above its own. `super::` paths are refused (except `super::*` in
//! test modules), so that no dependency hides from this check.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, lowest first, and the top-level modules in each. The crate root (`lib.rs`) sits
/// above them all.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "leaves",
        &[
            "error",
            "ids",
            "config",
            "store",
            "clock",
            "form",
            "version",
            "auth",
            "list",
            "outbox",
            "idempotency",
            "redact",
        ],
    ),
    ("objects", &["objects"]),
    ("workflows", &["workflows"]),
    ("http", &["http"]),
    ("top", &["test_helpers", "demo"]),
];

/// The crate root's name in the graph.
const ROOT: &str = "crate";

/// Source files by path relative to `src/`, e.g. `objects/account.rs`.
type Sources = BTreeMap<String, String>;

/// Module → the modules it depends on.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// `lib.rs` → `crate`, `x.rs` → `x`, `x/mod.rs` → `x`, `x/y.rs` → `x::y`; `None` for `main.rs`,
/// which is the binary and uses the library through its public name.
fn module_of(file: &str) -> Option<String> {
    let path = file.strip_suffix(".rs")?;
    match path {
        "lib" => Some(ROOT.to_owned()),
        "main" => None,
        _ => Some(path.strip_suffix("/mod").unwrap_or(path).replace('/', "::")),
    }
}

fn parent_of(module: &str) -> &str {
    module.rsplit_once("::").map_or(ROOT, |(parent, _)| parent)
}

fn top_level(module: &str) -> &str {
    module.split("::").next().unwrap_or(module)
}

/// The code of a Rust file with comments and the contents of string and char literals blanked
/// out, so that a doc link or a message mentioning `crate::…` is not mistaken for an import.
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < chars.len() {
        let skipped = match (chars[i], chars.get(i + 1).copied()) {
            ('/', Some('/')) => Some((line_comment_end(&chars, i), "")),
            ('/', Some('*')) => Some((block_comment_end(&chars, i), "")),
            ('r', Some('"' | '#')) if !is_ident(i.checked_sub(1).and_then(|j| chars.get(j))) => {
                raw_string_end(&chars, i).map(|end| (end, "\"\""))
            }
            ('"', _) => Some((string_end(&chars, i), "\"\"")),
            ('\'', _) => char_literal_end(&chars, i).map(|end| (end, "' '")),
            _ => None,
        };
        match skipped {
            Some((end, placeholder)) => {
                out.push_str(placeholder);
                i = end;
            }
            None => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    out
}

/// Where the `//` comment starting at `at` ends (its newline stays code).
fn line_comment_end(chars: &[char], at: usize) -> usize {
    (at..chars.len())
        .find(|&i| chars[i] == '\n')
        .unwrap_or(chars.len())
}

/// Just past the `*/` closing the comment that starts at `at`.
fn block_comment_end(chars: &[char], at: usize) -> usize {
    (at + 2..chars.len())
        .find(|&i| chars[i] == '*' && chars.get(i + 1) == Some(&'/'))
        .map_or(chars.len(), |i| i + 2)
}

/// Just past the closing quote of the string literal opening at `at`.
fn string_end(chars: &[char], at: usize) -> usize {
    let mut i = at + 1;
    while i < chars.len() && chars[i] != '"' {
        i += if chars[i] == '\\' { 2 } else { 1 };
    }
    i + 1
}

/// Just past `r"…"` or `r#"…"#` starting at `at`; `None` if it is a raw identifier.
fn raw_string_end(chars: &[char], at: usize) -> Option<usize> {
    let hashes = chars[at + 1..].iter().take_while(|c| **c == '#').count();
    let open = at + 1 + hashes;
    if chars.get(open) != Some(&'"') {
        return None;
    }
    let closes = |i: usize| chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#'));
    Some(
        (open + 1..chars.len())
            .find(|&i| closes(i))
            .map_or(chars.len(), |i| i + 1 + hashes),
    )
}

/// Just past the char literal (`'x'`, `'\n'`, `'\u{1F600}'`) at `at`; `None` for a lifetime,
/// which is code.
fn char_literal_end(chars: &[char], at: usize) -> Option<usize> {
    if chars.get(at + 1) == Some(&'\\') {
        let close = (at + 2..chars.len()).find(|&i| chars[i] == '\'')?;
        Some(close + 1)
    } else if chars.get(at + 2) == Some(&'\'') {
        Some(at + 3)
    } else {
        None
    }
}

fn is_ident(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// Parses the path tree after `crate::` (`a::b`, `a::{b, c::d}`, `{a, b::*}`) into the paths
/// it names, each as its segments.
fn path_tree(text: &[char], at: &mut usize) -> Vec<Vec<String>> {
    let skip_space = |at: &mut usize| {
        while *at < text.len() && text[*at].is_whitespace() {
            *at += 1;
        }
    };
    let mut prefix = Vec::new();
    loop {
        skip_space(at);
        if text.get(*at) == Some(&'{') {
            *at += 1;
            let mut paths = Vec::new();
            loop {
                skip_space(at);
                match text.get(*at) {
                    None => return paths,
                    Some('}') => {
                        *at += 1;
                        return paths;
                    }
                    Some(',') => *at += 1,
                    Some(_) => {
                        for tail in path_tree(text, at) {
                            let mut path = prefix.clone();
                            path.extend(tail.into_iter().filter(|s| s != "self"));
                            paths.push(path);
                        }
                    }
                }
            }
        }
        let start = *at;
        while is_ident(text.get(*at)) {
            *at += 1;
        }
        if *at == start {
            // `*`, or the end of the path.
            if text.get(*at) == Some(&'*') {
                *at += 1;
            }
            return vec![prefix];
        }
        prefix.push(text[start..*at].iter().collect());
        let mut look = *at;
        while look < text.len() && text[look].is_whitespace() {
            look += 1;
        }
        if text.get(look) == Some(&':') && text.get(look + 1) == Some(&':') {
            *at = look + 2;
        } else {
            return vec![prefix];
        }
    }
}

/// Every `crate::…` path in `code`, and every `super::` path other than `super::*`.
fn crate_paths(code: &str) -> (Vec<Vec<String>>, Vec<String>) {
    let text: Vec<char> = code.chars().collect();
    let mut paths = Vec::new();
    let mut supers = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let starts_word = !is_ident(i.checked_sub(1).and_then(|j| text.get(j)));
        let rest = |word: &str| text[i..].iter().take(word.len()).copied().eq(word.chars());
        if starts_word && rest("crate::") {
            let mut at = i + "crate::".len();
            paths.extend(path_tree(&text, &mut at));
            i = at;
        } else if starts_word && rest("super::") {
            let mut at = i + "super::".len();
            let named = path_tree(&text, &mut at);
            if named.iter().any(|p| !p.is_empty()) {
                supers.push(text[i..at].iter().collect());
            }
            i = at;
        } else {
            i += 1;
        }
    }
    (paths, supers)
}

/// The dependency graph of `sources`, or the `super::` paths that would hide dependencies.
fn graph(sources: &Sources) -> Result<Graph, Vec<String>> {
    let modules: BTreeSet<String> = sources.keys().filter_map(|f| module_of(f)).collect();
    let mut graph: Graph = modules
        .iter()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    let mut hidden = Vec::new();
    for (file, source) in sources {
        let Some(module) = module_of(file) else {
            continue;
        };
        if module != ROOT {
            // A parent depends on the children it declares.
            let parent = parent_of(&module).to_owned();
            graph.entry(parent).or_default().insert(module.clone());
        }
        let (paths, supers) = crate_paths(&code_only(source));
        hidden.extend(supers.into_iter().map(|s| format!("{file}: {s}")));
        for path in paths {
            let target = (1..=path.len())
                .rev()
                .map(|n| path[..n].join("::"))
                .find(|candidate| modules.contains(candidate))
                .unwrap_or_else(|| ROOT.to_owned());
            if target != module {
                graph.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    if hidden.is_empty() {
        Ok(graph)
    } else {
        Err(hidden)
    }
}

/// A cycle in the graph, as the modules on it, if there is one.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &Graph,
        marks: &mut BTreeMap<String, Mark>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let from = stack.iter().position(|n| n == node).unwrap_or(0);
                let mut cycle = stack[from..].to_vec();
                cycle.push(node.to_owned());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(node.to_owned(), Mark::Open);
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, marks, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        marks.insert(node.to_owned(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut marks, &mut Vec::new()))
}

/// The layer of a module (its index in [`LAYERS`]); the crate root is above every layer.
fn layer_of(module: &str) -> Option<usize> {
    if module == ROOT {
        return Some(LAYERS.len());
    }
    let top = top_level(module);
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&top))
}

/// Every edge that goes up a layer, and every module no layer lists.
fn layer_violations(graph: &Graph) -> Vec<String> {
    let mut problems = Vec::new();
    for (from, targets) in graph {
        let Some(from_layer) = layer_of(from) else {
            problems.push(format!("{from} is in no layer: add it to LAYERS"));
            continue;
        };
        for to in targets {
            match layer_of(to) {
                Some(to_layer) if to_layer <= from_layer => {}
                Some(to_layer) => problems.push(format!(
                    "{from} ({}) imports {to} ({}), a higher layer",
                    layer_name(from_layer),
                    layer_name(to_layer)
                )),
                None => {}
            }
        }
    }
    problems
}

fn layer_name(layer: usize) -> &'static str {
    LAYERS.get(layer).map_or("crate root", |(name, _)| name)
}

/// Modules the crate doc's map leaves out, and modules it names that do not exist.
fn map_mismatches(sources: &Sources) -> Vec<String> {
    let modules: BTreeSet<String> = sources
        .keys()
        .filter_map(|f| module_of(f))
        .filter(|m| m != ROOT)
        .collect();
    let doc: String = sources
        .get("lib.rs")
        .map(|lib| {
            lib.lines()
                .filter_map(|l| l.trim_start().strip_prefix("//!"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default();
    let mut problems: Vec<String> = modules
        .iter()
        .filter(|m| !doc.contains(&format!("[`{m}`]")))
        .map(|m| format!("the crate doc's map does not list {m}"))
        .collect();
    let top_levels: BTreeSet<&str> = LAYERS.iter().flat_map(|(_, m)| m.iter().copied()).collect();
    for link in doc.split("[`").skip(1).filter_map(|l| l.split_once("`]")) {
        let name = link.0;
        let names_a_module = name.contains("::") || top_levels.contains(name);
        if names_a_module && !modules.contains(name) {
            problems.push(format!(
                "the crate doc's map lists {name}, which does not exist"
            ));
        }
    }
    problems
}

fn read_sources(dir: &Path, prefix: &str, out: &mut Sources) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read sandbox/src")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("utf-8 name");
        if path.is_dir() {
            read_sources(&path, &format!("{prefix}{name}/"), out);
        } else if name.ends_with(".rs") {
            let source = std::fs::read_to_string(&path).expect("read source");
            out.insert(format!("{prefix}{name}"), source);
        }
    }
}

fn sandbox_sources() -> Sources {
    let mut sources = Sources::new();
    read_sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        "",
        &mut sources,
    );
    sources
}

#[test]
fn the_sandbox_has_no_import_cycle() {
    let graph = graph(&sandbox_sources()).unwrap_or_else(|hidden| {
        panic!("use crate:: paths so the dependency is visible: {hidden:#?}")
    });
    assert!(graph.len() > 30, "found only {} modules", graph.len());
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle: {}", cycle.join(" -> "));
    }
}

#[test]
fn no_module_imports_from_a_higher_layer() {
    let graph = graph(&sandbox_sources()).unwrap_or_default();
    let problems = layer_violations(&graph);
    assert!(problems.is_empty(), "{problems:#?}");
    for (_, modules) in LAYERS {
        for module in *modules {
            assert!(
                graph.contains_key(*module),
                "LAYERS lists {module}, which does not exist"
            );
        }
    }
}

#[test]
fn the_crate_doc_is_a_map_of_the_modules() {
    let problems = map_mismatches(&sandbox_sources());
    assert!(problems.is_empty(), "{problems:#?}");
}

/// The checker on a tiny made-up crate: it must see grouped imports, ignore comments and
/// strings, and catch both a cycle and an edge up the layers.
mod checker {
    use super::*;

    fn crate_of(files: &[(&str, &str)]) -> Sources {
        files
            .iter()
            .map(|(f, s)| ((*f).to_owned(), (*s).to_owned()))
            .collect()
    }

    const HEALTHY: &[(&str, &str)] = &[
        (
            "lib.rs",
            "pub mod error; pub mod store; pub mod objects; pub mod http;",
        ),
        ("error.rs", ""),
        ("store.rs", "use crate::error::ApiError;"),
        ("objects/mod.rs", "pub mod account; pub mod session;"),
        (
            "objects/account.rs",
            "use crate::{error::ApiError, store::{Document, Tx}};\n\
             // A comment about crate::http is not an import.\n\
             const URL: &str = \"crate::http::state\";",
        ),
        (
            "objects/session.rs",
            "use crate::objects::account::{self, Account};",
        ),
        ("http/mod.rs", "pub mod state;"),
        (
            "http/state.rs",
            "fn f() -> crate::objects::session::Session { todo!() }",
        ),
    ];

    fn with(extra: &[(&str, &str)]) -> Graph {
        let mut sources = crate_of(HEALTHY);
        for (file, source) in extra {
            sources
                .entry((*file).to_owned())
                .or_default()
                .push_str(source);
        }
        graph(&sources).expect("no super:: paths")
    }

    #[test]
    fn sees_grouped_and_inline_paths_and_ignores_comments_and_strings() {
        let graph = with(&[]);
        let deps = |m: &str| graph[m].iter().cloned().collect::<Vec<_>>();
        assert_eq!(deps("objects::account"), ["error", "store"]);
        assert_eq!(deps("objects::session"), ["objects::account"]);
        assert_eq!(deps("http::state"), ["objects::session"]);
        assert_eq!(deps("objects"), ["objects::account", "objects::session"]);
        assert_eq!(find_cycle(&graph), None);
        assert_eq!(layer_violations(&graph), Vec::<String>::new());
    }

    #[test]
    fn blanks_comments_and_literals_but_keeps_lifetimes() {
        let code = code_only(
            "fn f<'a>(x: &'a str) -> char { /* crate::a */ let _ = r#\"crate::b\"#; \
             let _ = \"crate::\\\"c\"; '\\'' } // crate::d\nuse crate::e;",
        );
        assert_eq!(crate_paths(&code).0, [["e"]]);
        assert!(code.contains("<'a>(x: &'a str)"), "{code}");
    }

    #[test]
    fn catches_a_back_edge_to_a_higher_layer() {
        // A leaf reaching up into the HTTP layer: no cycle, but the wrong direction.
        let graph = with(&[("ids.rs", "use crate::http::state::AppState;")]);
        assert_eq!(find_cycle(&graph), None);
        assert_eq!(
            layer_violations(&graph),
            ["ids (leaves) imports http::state (http), a higher layer"]
        );
    }

    #[test]
    fn catches_a_cycle_within_a_layer() {
        let graph = with(&[(
            "objects/account.rs",
            "\nfn f(s: &crate::objects::session::Session) {}",
        )]);
        assert_eq!(layer_violations(&graph), Vec::<String>::new());
        let cycle = find_cycle(&graph).expect("a cycle");
        assert!(cycle.contains(&"objects::account".to_owned()), "{cycle:?}");
        assert!(cycle.contains(&"objects::session".to_owned()), "{cycle:?}");
    }

    #[test]
    fn a_child_using_its_parents_items_or_the_root_is_a_cycle() {
        let graph = with(&[("http/state.rs", "\nuse crate::http::router;")]);
        assert!(find_cycle(&graph).is_some());
        let graph = with(&[("objects/account.rs", "\nuse crate::AppState;")]);
        assert!(find_cycle(&graph).is_some());
    }

    #[test]
    fn super_paths_are_refused_except_globs_in_tests() {
        let mut sources = crate_of(HEALTHY);
        sources.insert("list.rs".into(), "mod tests { use super::*; }".into());
        assert!(graph(&sources).is_ok());
        sources.insert("ids.rs".into(), "use super::store::Tx;".into());
        assert_eq!(graph(&sources).unwrap_err(), ["ids.rs: super::store::Tx"]);
    }

    #[test]
    fn unlisted_modules_are_reported() {
        let graph = with(&[("utils.rs", "")]);
        assert_eq!(
            layer_violations(&graph),
            ["utils is in no layer: add it to LAYERS"]
        );
    }
}
