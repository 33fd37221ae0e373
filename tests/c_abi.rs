//! The C ABI from C and C++: the programs in `tests/c/` and `tests/cpp/` are compiled with
//! the system compilers (`cc`, `c++`; `-Wall -Wextra -Werror -pthread`) against the library
//! that this `cargo test` run just built, once linked to the staticlib (`libpatron.a` plus
//! `-lpthread -ldl -lm`) and once to the cdylib (`libpatron.so`, found through an rpath),
//! and run. Each exits non-zero when one of its checks fails; its output is shown then.
//!
//! Where the library comes from: `cargo test` builds the lib target with all its crate types
//! (`rlib`, `cdylib`, `staticlib`) into `target/<profile>/deps/` before running any test —
//! in the same rustc run as the rlib this test binary links — so the programs use
//! `deps/libpatron.{a,so}` next to this executable, copied into a directory of this run
//! (`target/tmp/c_abi/run-<pid>/`) so that other cargo processes sharing the target
//! directory cannot swap them mid-run. Should they be missing, or not from the same build as
//! `deps/libpatron.rlib`, the test first runs `cargo build --lib --all-features` for the same profile (cargo
//! releases its build lock before it runs tests, so this does not deadlock).
//!
//! Each program's linkage is checked with `readelf -d` (a dynamic build needs libpatron.so, a
//! static one does not); readelf is required when `CI` is set and skipped with a note
//! otherwise.
//!
//! With `PATRON_VALGRIND=1` every program runs under
//! `valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=1`, and the
//! test requires zero errors and zero definitely-lost bytes. The programs then see
//! `PATRON_TEST_UNDER_VALGRIND=1` and scale down their biggest loops (the 10,000-record
//! batch and the 200 reloads; see `tests/c/batch.c` and `tests/c/threads.c`), because under
//! valgrind each evaluation and each policy load is ~50 times slower. Install valgrind with
//! `apt-get install -y valgrind` (or `scripts/install-deps.sh`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

/// A program that has not finished after this long is reported as hung (a guard against
/// deadlocks, far above any normal run; not a performance assertion).
const HANG_GUARD: Duration = Duration::from_secs(20 * 60);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn under_valgrind() -> bool {
    std::env::var_os("PATRON_VALGRIND").is_some_and(|v| v == "1")
}

/// The library files the programs link against: private copies, so that another cargo
/// process writing to the shared target directory while the programs are linked cannot
/// change what they link (it once turned a dynamic link into a static one, mid-run).
struct Library {
    /// This run's directory (`CARGO_TARGET_TMPDIR/c_abi/run-<pid>`), holding `lib/` with
    /// `libpatron.a` and `libpatron.so`, and the programs.
    run_dir: PathBuf,
}

impl Library {
    fn dir(&self) -> PathBuf {
        self.run_dir.join("lib")
    }

    fn staticlib(&self) -> PathBuf {
        self.dir().join("libpatron.a")
    }

    fn cdylib(&self) -> PathBuf {
        self.dir().join("libpatron.so")
    }
}

fn modified(file: &Path) -> Option<SystemTime> {
    std::fs::metadata(file).and_then(|m| m.modified()).ok()
}

/// Whether `deps/libpatron.{a,so}` come from the same rustc run as `deps/libpatron.rlib`,
/// the library this test binary was linked with (rustc writes the three within a second or
/// two of each other).
fn built_with_this_test(deps: &Path) -> bool {
    let Some(rlib) = modified(&deps.join("libpatron.rlib")) else {
        return false;
    };
    let same_build =
        |file: &str| modified(&deps.join(file)).is_some_and(|t| t + Duration::from_secs(5) >= rlib);
    same_build("libpatron.a") && same_build("libpatron.so")
}

/// Runs `cargo build --lib --all-features` (the C ABI is the `ffi` feature; all features, as
/// the README's test command builds them) for the profile of `profile_dir` (`target/<profile>`).
fn cargo_build_lib(profile_dir: &Path) {
    let profile = profile_dir
        .file_name()
        .and_then(|n| n.to_str())
        .expect("a profile directory name");
    let mut cargo = Command::new(env!("CARGO"));
    cargo.args(["build", "--lib", "-p", "patron", "--all-features"]);
    match profile {
        "debug" => {}
        "release" => {
            cargo.arg("--release");
        }
        other => {
            cargo.args(["--profile", other]);
        }
    }
    eprintln!("libpatron.{{a,so}} missing or stale: running {cargo:?}");
    let status = cargo
        .current_dir(root())
        .status()
        .expect("cannot run cargo");
    assert!(status.success(), "{cargo:?} failed");
}

/// Removes the directories of earlier runs whose process is gone.
fn remove_stale_runs(base: &Path) {
    let me = std::process::id().to_string();
    for entry in std::fs::read_dir(base).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(pid) = name.strip_prefix("run-") {
            if pid != me && !Path::new("/proc").join(pid).exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// Finds the library this `cargo test` built for this profile (building it when missing)
/// and copies it into this run's directory.
fn library() -> &'static Library {
    static LIBRARY: OnceLock<Library> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test executable's path");
        let deps = exe.parent().expect("target/<profile>/deps").to_path_buf();
        if !built_with_this_test(&deps) {
            cargo_build_lib(deps.parent().expect("target/<profile>"));
        }
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("c_abi");
        remove_stale_runs(&base);
        let library = Library {
            run_dir: base.join(format!("run-{}", std::process::id())),
        };
        std::fs::create_dir_all(library.dir()).unwrap();
        for (from, to) in [
            (deps.join("libpatron.a"), library.staticlib()),
            (deps.join("libpatron.so"), library.cdylib()),
        ] {
            std::fs::copy(&from, &to).unwrap_or_else(|e| {
                panic!("cannot copy {} to {}: {e}", from.display(), to.display())
            });
        }
        library
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Linkage {
    Static,
    Dynamic,
}

#[derive(Clone, Copy, Debug)]
enum Language {
    C,
    Cpp,
}

fn compiler(language: Language) -> String {
    let (variable, default) = match language {
        Language::C => ("CC", "cc"),
        Language::Cpp => ("CXX", "c++"),
    };
    std::env::var(variable).unwrap_or_else(|_| default.to_string())
}

/// Compiles `source` (relative to the repository) for `linkage`; returns the executable.
fn build(source: &str, language: Language, linkage: Linkage) -> PathBuf {
    let library = library();
    let stem = Path::new(source).file_stem().unwrap().to_str().unwrap();
    let out_dir = library.run_dir.join(format!("{linkage:?}").to_lowercase());
    std::fs::create_dir_all(&out_dir).unwrap();
    let exe = out_dir.join(stem);
    let mut cmd = Command::new(compiler(language));
    match language {
        Language::C => cmd.arg("-std=c11"),
        Language::Cpp => cmd.arg("-std=c++17"),
    };
    cmd.args(["-Wall", "-Wextra", "-Werror", "-pthread", "-g"])
        .arg("-I")
        .arg(root().join("include"))
        .arg("-I")
        .arg(root().join("tests/c"))
        .arg("-I")
        .arg(root().join("bindings/cpp"))
        .arg(root().join(source))
        .arg("-o")
        .arg(&exe);
    match linkage {
        Linkage::Static => {
            cmd.arg(library.staticlib())
                .args(["-lpthread", "-ldl", "-lm"]);
        }
        Linkage::Dynamic => {
            // `-L dir -lpatron` picks the shared library when both are in `dir`.
            cmd.arg("-L")
                .arg(library.dir())
                .arg("-lpatron")
                .arg(format!("-Wl,-rpath,{}", library.dir().display()));
        }
    }
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e} (is a C/C++ compiler installed?)"));
    assert!(
        output.status.success(),
        "compiling {source} failed: {cmd:?}\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    check_linkage(&exe, linkage);
    exe
}

/// Whether this run is CI (`CI` set, as `.ci/run` documents: `CI=true bash .ci/run`).
fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Confirms with `readelf` that a dynamic build needs libpatron.so and a static one does not.
/// In CI readelf is required (`scripts/install-deps.sh` installs binutils); elsewhere a
/// missing readelf skips the check with a note.
fn check_linkage(exe: &Path, linkage: Linkage) {
    let output = match Command::new("readelf").arg("-d").arg(exe).output() {
        Ok(output) => output,
        Err(e) if in_ci() => panic!(
            "readelf is required in CI to check how {} is linked, and it cannot run: {e} \
             (install binutils: `bash scripts/install-deps.sh`)",
            exe.display()
        ),
        Err(e) => {
            eprintln!(
                "note: readelf cannot run ({e}): the linkage of {} is not checked \
                 (install binutils; in CI this fails)",
                exe.display()
            );
            return;
        }
    };
    assert!(
        output.status.success(),
        "readelf -d {} failed: {}",
        exe.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let dynamic = String::from_utf8_lossy(&output.stdout);
    let needs_patron = dynamic
        .lines()
        .any(|l| l.contains("(NEEDED)") && l.contains("libpatron.so"));
    assert_eq!(
        needs_patron,
        linkage == Linkage::Dynamic,
        "{} is not linked as {linkage:?}:\n{dynamic}",
        exe.display()
    );
}

/// Runs `exe` (under valgrind when asked) and fails the test with its output when it fails.
fn run(exe: &Path) {
    let fixtures = root().join("tests/fixtures/policies");
    let valgrind_log = exe.with_extension("valgrind.log");
    let mut cmd = if under_valgrind() {
        require_valgrind();
        let mut cmd = Command::new("valgrind");
        cmd.args([
            "--leak-check=full",
            "--errors-for-leak-kinds=definite",
            "--error-exitcode=1",
            "--fair-sched=yes",
        ])
        .arg(format!("--log-file={}", valgrind_log.display()))
        .arg(exe)
        .env("PATRON_TEST_UNDER_VALGRIND", "1");
        cmd
    } else {
        Command::new(exe)
    };
    // cargo test puts target/<profile> and its deps on LD_LIBRARY_PATH, which the loader
    // searches before a program's RUNPATH: a libpatron.so left there by an earlier build
    // would be loaded instead of this run's copy. The programs find theirs by RUNPATH alone.
    cmd.arg(&fixtures)
        .env_remove("LD_LIBRARY_PATH")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > HANG_GUARD {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} did not finish within {HANG_GUARD:?}: hung?");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = out_reader.join().unwrap();
    let stderr = err_reader.join().unwrap();
    let report =
        format!("{cmd:?} exited with {status}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}");
    assert!(status.success(), "{report}");
    if under_valgrind() {
        let log = std::fs::read_to_string(&valgrind_log).unwrap_or_default();
        let clean_errors = log.contains("ERROR SUMMARY: 0 errors");
        let no_definite_leak = !log.contains("definitely lost:")
            || log.contains("definitely lost: 0 bytes in 0 blocks");
        assert!(
            clean_errors && no_definite_leak,
            "valgrind found errors or definite leaks in {}:\n{log}\n{report}",
            exe.display()
        );
    }
    print!("{stdout}");
}

fn require_valgrind() {
    let found = Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "PATRON_VALGRIND=1 but valgrind is not installed: install it with \
         `apt-get install -y valgrind` (or `bash scripts/install-deps.sh`)"
    );
}

fn c(source: &str, linkage: Linkage) {
    run(&build(source, Language::C, linkage));
}

fn cpp(source: &str, linkage: Linkage) {
    run(&build(source, Language::Cpp, linkage));
}

macro_rules! programs {
    ($($name:ident => $lang:ident($source:literal);)*) => {
        mod statically_linked {
            use super::*;
            $(#[test] fn $name() { $lang($source, Linkage::Static) })*
        }
        mod dynamically_linked {
            use super::*;
            $(#[test] fn $name() { $lang($source, Linkage::Dynamic) })*
        }
    };
}

programs! {
    happy_path => c("tests/c/happy_path.c");
    errors => c("tests/c/errors.c");
    limits => c("tests/c/limits.c");
    panic => c("tests/c/panic.c");
    reload => c("tests/c/reload.c");
    threads => c("tests/c/threads.c");
    batch => c("tests/c/batch.c");
    readme_example => c("tests/c/readme_example.c");
    authoring => c("tests/c/authoring.c");
    policy_check => c("tests/c/policy_check.c");
    cpp_wrapper => cpp("tests/cpp/wrapper.cpp");
}

/// `docs/c-abi.md` shows `tests/c/readme_example.c` verbatim, so the example there compiles
/// and runs as written.
#[test]
fn the_documented_example_is_the_tested_one() {
    let doc = std::fs::read_to_string(root().join("docs/c-abi.md")).expect("docs/c-abi.md");
    let example = std::fs::read_to_string(root().join("tests/c/readme_example.c")).unwrap();
    assert!(
        doc.contains(&format!("```c\n{example}```")),
        "docs/c-abi.md must contain tests/c/readme_example.c verbatim in a ```c block"
    );
}
