//! The shape the README promises, read from the sources: the services import each other without
//! a circle, only the store speaks SQL, and the engine does no IO.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read source dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The code of a file without its unit tests (a test may reach anywhere).
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("read source");
    match text.find("#[cfg(test)]") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// The services a service's code names: `services::x`, `super::x`, or either inside braces.
fn service_imports(text: &str, services: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':' || c == '{'))
        .collect();
    for word in words {
        for prefix in ["services::", "super::"] {
            let mut rest = word;
            while let Some(at) = rest.find(prefix) {
                rest = &rest[at + prefix.len()..];
                let rest = rest.trim_start_matches('{');
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if services.contains(&name) {
                    found.insert(name);
                }
            }
        }
    }
    // `use crate::services::{a, b::c}` lists several on one line.
    for block in text.split("services::{").skip(1) {
        let inner = block.split('}').next().unwrap_or_default();
        for part in inner.split(',') {
            let name = part.trim().split("::").next().unwrap_or_default().trim();
            if services.contains(name) {
                found.insert(name.to_owned());
            }
        }
    }
    found
}

/// A circle in the graph, if there is one, as the path that closes it.
fn circle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, edges, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|node| visit(node, edges, &mut Vec::new(), &mut done))
}

#[test]
fn the_services_import_each_other_without_a_circle() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/services");
    let files: Vec<PathBuf> = sources(&dir)
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n != "mod.rs") && p.parent() == Some(&dir))
        .collect();
    let services: BTreeSet<String> = files
        .iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    assert!(services.len() > 20, "found the services: {services:?}");
    let mut edges = BTreeMap::new();
    for file in &files {
        let name = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut imports = service_imports(&code(file), &services);
        imports.remove(&name);
        edges.insert(name, imports);
    }
    // The reader sees real imports: ingestion resolves through the resolution module.
    assert!(edges["ingest"].contains("resolution"), "{edges:?}");
    assert_eq!(
        circle(&edges),
        None,
        "services import each other in a circle"
    );
}

#[test]
fn the_circle_finder_finds_a_circle() {
    let edges: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
    .collect();
    let found = circle(&edges).expect("a circle");
    assert_eq!(found.first(), found.last());
    assert_eq!(found.len(), 4);
    let services = ["ingest", "review"].map(str::to_owned).into();
    assert_eq!(
        service_imports(
            "use crate::services::{Actor, review::queue};\nsuper::ingest::x()",
            &services
        ),
        services
    );
}

#[test]
fn only_the_store_speaks_sql_and_the_engine_does_no_io() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let store = root.join("src/store");
    for file in sources(&root.join("src")) {
        if file.starts_with(&store) {
            continue;
        }
        let text = code(&file);
        assert!(
            !text.contains("sqlx::"),
            "{} speaks SQL outside the store",
            file.display()
        );
    }
    let engine = root.join("../engine/src");
    for file in sources(&engine) {
        let text = code(&file);
        for io in [
            "tokio", "sqlx", "std::fs", "std::net", "reqwest", "std::env",
        ] {
            assert!(
                !text.contains(io),
                "{} uses {io}: the engine does no IO",
                file.display()
            );
        }
    }
}
