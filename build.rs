//! Build script: checks the `#[repr(C)]` mirrors of CPython structs against the target
//! interpreter's own headers, and tells the crate which CPython version it is built for.
//!
//! It compiles `include/layout_probe.c` with the `cc` crate's compiler against the headers of
//! the interpreter named by `PYO3_PYTHON` (setuptools-rust sets it), runs it, and writes
//! `$OUT_DIR/layout_checks.rs`: one compile-time assertion per size, offset and constant, which
//! `src/ffi/layout.rs` includes. A mismatch fails the build naming struct, field and both values.
//!
//! `RJSON_LAYOUT_PERTURB=STRUCT.FIELD` adds one to that expected value, so tests can show that
//! a wrong mirror really fails the build.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Oldest and newest CPython minor versions the crate has cfgs for.
const MINOR_VERSIONS: std::ops::RangeInclusive<u32> = 9..=15;

fn main() {
    println!("cargo::rerun-if-changed=include/layout_probe.c");
    println!("cargo::rerun-if-env-changed=PYO3_PYTHON");
    println!("cargo::rerun-if-env-changed=RJSON_LAYOUT_PERTURB");
    for minor in MINOR_VERSIONS {
        println!("cargo::rustc-check-cfg=cfg(py_3_{minor})");
    }
    println!("cargo::rustc-check-cfg=cfg(py_debug)");

    let python = env::var("PYO3_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let includes = python_include_dirs(&python);
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let facts = run_probe(&includes, &out_dir);

    let (major, minor) = facts.version;
    if major != 3 || !MINOR_VERSIONS.contains(&minor) {
        panic!("rjson supports CPython 3.9 to 3.15; {python} has headers for {major}.{minor}");
    }
    for m in *MINOR_VERSIONS.start()..=minor {
        // `py_3_N` means "built for CPython 3.N or newer".
        println!("cargo::rustc-cfg=py_3_{m}");
    }
    if facts.lines.iter().any(|l| l.kind == "value" && l.name == "Py_DEBUG" && l.value == 1) {
        println!("cargo::rustc-cfg=py_debug");
    }
    println!("cargo::rustc-env=RJSON_BUILT_FOR={major}.{minor}");

    let perturb = env::var("RJSON_LAYOUT_PERTURB").ok();
    let checks = render_checks(&facts.lines, perturb.as_deref());
    fs::write(out_dir.join("layout_checks.rs"), checks).expect("write layout_checks.rs");
}

/// The header directories of the target interpreter (`include` and, on Debian, `platinclude`).
fn python_include_dirs(python: &str) -> Vec<PathBuf> {
    let script = "import sysconfig as s; p = s.get_paths(); print(p['include']); print(p['platinclude'])";
    let out = Command::new(python)
        .args(["-c", script])
        .output()
        .unwrap_or_else(|e| panic!("cannot run the target interpreter {python:?}: {e}"));
    if !out.status.success() {
        panic!("{python} failed to report its include dirs: {}", String::from_utf8_lossy(&out.stderr));
    }
    let mut dirs: Vec<PathBuf> = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let dir = PathBuf::from(line.trim());
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    if !dirs.iter().any(|d| d.join("Python.h").exists()) {
        panic!("no Python.h under {dirs:?} (install the -dev package of {python})");
    }
    dirs
}

struct Line {
    kind: String,
    name: String,
    field: String,
    value: u64,
}

struct Facts {
    version: (u32, u32),
    lines: Vec<Line>,
}

fn run_probe(includes: &[PathBuf], out_dir: &Path) -> Facts {
    let exe = out_dir.join("layout_probe");
    let compiler = cc::Build::new().cargo_metadata(false).get_compiler();
    let mut cmd = compiler.to_command();
    for dir in includes {
        cmd.arg("-I").arg(dir);
    }
    cmd.arg("include/layout_probe.c").arg("-o").arg(&exe);
    let status = cmd.status().expect("run the C compiler on include/layout_probe.c");
    if !status.success() {
        panic!("compiling include/layout_probe.c against {includes:?} failed");
    }
    let out = Command::new(&exe).output().expect("run the layout probe");
    if !out.status.success() {
        panic!("the layout probe failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let text = String::from_utf8(out.stdout).expect("probe output is ASCII");
    let mut version = None;
    let mut lines = Vec::new();
    for raw in text.lines() {
        let parts: Vec<&str> = raw.split_whitespace().collect();
        match parts.as_slice() {
            ["version", major, minor] => version = Some((major.parse().unwrap(), minor.parse().unwrap())),
            ["size", name, v] | ["value", name, v] => lines.push(Line {
                kind: parts[0].to_owned(),
                name: (*name).to_owned(),
                field: String::new(),
                value: v.parse().unwrap(),
            }),
            ["offset", name, field, v] => lines.push(Line {
                kind: "offset".to_owned(),
                name: (*name).to_owned(),
                field: (*field).to_owned(),
                value: v.parse().unwrap(),
            }),
            _ => panic!("unexpected probe line {raw:?}"),
        }
    }
    Facts { version: version.expect("probe prints the version"), lines }
}

/// Rust source with one `const` assertion per probed fact, for `src/ffi/layout.rs`.
fn render_checks(lines: &[Line], perturb: Option<&str>) -> String {
    let mut src = String::from("// Generated by build.rs from include/layout_probe.c. Do not edit.\n");
    let mut markers = String::from("#[allow(non_camel_case_types, dead_code)]\npub mod field {\n");
    let mut perturbed = false;
    for line in lines {
        let label = if line.field.is_empty() { line.name.clone() } else { format!("{}.{}", line.name, line.field) };
        let mut expected = line.value;
        if perturb == Some(label.as_str()) {
            expected += 1;
            perturbed = true;
        }
        let marker = format!("{}__{}", line.kind, label.replace('.', "__"));
        let _ = writeln!(markers, "    pub enum {marker} {{}}");
        let rust_value = match line.kind.as_str() {
            "size" => format!("::core::mem::size_of::<{}>()", line.name),
            "offset" => format!("::core::mem::offset_of!({}, {})", line.name, line.field),
            _ => format!("{} as usize", label.replace('.', "_").to_uppercase()),
        };
        let _ = writeln!(src, "const _: () = Layout::<field::{marker}, {{ {rust_value} }}, {expected}>::CHECK;");
    }
    markers.push_str("}\n");
    if let Some(name) = perturb {
        if !perturbed {
            panic!("RJSON_LAYOUT_PERTURB={name} names no probed fact");
        }
    }
    src + &markers
}
