//! The top-level modules of src/ form layers: no module may reach, through
//! `crate::` paths (test code included), a module that reaches back to it.
//! A cycle means two modules can no longer be understood or moved apart.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Code without `//` comments (doc comments name modules in prose) and
/// without the contents of string literals.
fn code_only(source: &str) -> String {
    let mut code = String::with_capacity(source.len());
    // A quote as a char literal opens no string.
    let source = source.replace(r#"'\"'"#, "'_'").replace(r#"'"'"#, "'_'");
    for line in source.lines() {
        let mut in_str = false;
        let mut escaped = false;
        let mut prev = ' ';
        for c in line.chars() {
            if in_str {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_str = false;
                    code.push('"');
                }
            } else if c == '/' && prev == '/' {
                code.pop();
                break;
            } else {
                if c == '"' {
                    in_str = true;
                }
                code.push(c);
            }
            prev = c;
        }
        code.push('\n');
    }
    code
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The top-level modules a file names: `crate::a::...`, and each first
/// segment of a `crate::{a, b::c, d::{e}}` group.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(is_ident) {
            continue; // `mycrate::`, not `crate::`
        }
        let rest = rest.trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level items of the group: segments at depth 0.
            let mut depth = 0;
            let mut start_of_item = true;
            let mut ident = String::new();
            for c in group.chars() {
                if is_ident(c) {
                    if depth == 0 && start_of_item {
                        ident.push(c);
                    }
                    continue;
                }
                if !ident.is_empty() {
                    names.insert(std::mem::take(&mut ident));
                    start_of_item = false;
                }
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start_of_item = true,
                    _ => {}
                }
            }
            if !ident.is_empty() {
                names.insert(ident);
            }
        } else {
            let ident: String = rest.chars().take_while(|&c| is_ident(c)).collect();
            if !ident.is_empty() {
                names.insert(ident);
            }
        }
    }
    names
}

/// Top-level module -> the other top-level modules its files name.
fn module_graph(src: &Path) -> Graph {
    let mut graph = Graph::new();
    for entry in fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let module = if path.is_dir() {
            path.file_name().unwrap().to_string_lossy().into_owned()
        } else if path.extension().is_some_and(|e| e == "rs") {
            path.file_stem().unwrap().to_string_lossy().into_owned()
        } else {
            continue;
        };
        if module == "lib" || module == "main" {
            continue; // the crate root declares every module
        }
        let mut files = Vec::new();
        if path.is_dir() {
            rust_files(&path, &mut files);
        } else {
            files.push(path);
        }
        let deps = graph.entry(module.clone()).or_default();
        for file in files {
            let source = fs::read_to_string(&file).unwrap();
            deps.extend(crate_paths(&code_only(&source)));
        }
        deps.remove(&module);
    }
    // Names that are not top-level modules (`crate::SomeType`) are not edges.
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for deps in graph.values_mut() {
        deps.retain(|d| modules.contains(d));
    }
    graph
}

/// A cycle through the graph, as `a -> b -> a`, if there is one.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn top_level_modules_have_no_import_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = module_graph(&src);
    let listing: Vec<String> = graph
        .iter()
        .map(|(m, deps)| format!("{m} -> {}", Vec::from_iter(deps.iter().cloned()).join(", ")))
        .collect();
    // Shown with `-- --nocapture`: the layers as they are.
    println!("{}", listing.join("\n"));
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "import cycle: {}\nmodule graph:\n{}",
            cycle.join(" -> "),
            listing.join("\n")
        );
    }
}

#[test]
fn paths_are_read_from_code_and_groups() {
    let code = code_only(
        "use crate::a::b;\n\
         use crate::{c, d::{e, f}, g::h};\n\
         // crate::comment\n\
         let s = \"crate::string\"; x(crate::i::j);\n\
         use mycrate::k;\n",
    );
    let found: Vec<String> = crate_paths(&code).into_iter().collect();
    assert_eq!(found, ["a", "c", "d", "g", "i"]);
}

#[test]
fn a_cycle_is_found_and_named() {
    let edges = |list: &[(&str, &[&str])]| -> Graph {
        list.iter()
            .map(|(m, deps)| (m.to_string(), deps.iter().map(|d| d.to_string()).collect()))
            .collect()
    };
    let layered = edges(&[("a", &["b", "c"]), ("b", &["c"]), ("c", &[])]);
    assert_eq!(find_cycle(&layered), None);
    let cyclic = edges(&[("a", &["b"]), ("b", &["c"]), ("c", &["a"])]);
    assert_eq!(
        find_cycle(&cyclic).unwrap().join(" -> "),
        "a -> b -> c -> a"
    );
}
