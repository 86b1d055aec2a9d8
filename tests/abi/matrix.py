#!/usr/bin/env python3
"""The ABI matrix (`make abi`): the whole pytest suite under every CPython obtainable here.

For each interpreter below, release and debug builds, this

1. provisions it (tests/abi/provision.sh: Debian packages on the host, Debian chroots for
   3.13d, 3.14, 3.14d, 3.15 and 3.15d; the pyenv versions of the machine image for 3.9 to
   3.13), all cached under $RJSON_ABI_CACHE (default ~/.cache/rjson-abi);
2. copies the working tree (tracked and untracked, not ignored files) into its own snapshot
   directory, with ../shared beside it as the test suite expects;
3. creates a venv of that interpreter (once; reused while the interpreter and
   tests/requirements.txt are unchanged) and builds rjson the way a user does:
   `pip install .` (release profile, through setuptools-rust), with a CARGO_TARGET_DIR of its
   own so that later runs rebuild incrementally. Interpreters in a chroot do all of this
   inside the chroot (tests/abi/chroot-run.sh), with the snapshot, the venv and cargo mounted;
4. checks that the imported rjson is the file just built for this very interpreter, and runs
   the whole suite with pytest; the run passes only if pytest passes *and* the tests that the
   matrix relies on really ran and passed: test_build's `__built_for__` check everywhere,
   the debug refcount test on debug builds, the subinterpreter test on 3.12+.

It prints a table (interpreter, build, result, seconds...) and ends with `N passed, M failed`.
An interpreter that cannot be had counts as failed, never as skipped. Exit status 0 only if
every interpreter passed.

Usage: matrix.py [--jobs N] [--only 3.14d,3.9] [--no-provision]
Logs: $RJSON_ABI_CACHE/runs/<interpreter>/log.txt (the tail is printed on failure).
"""

import argparse
import concurrent.futures
import hashlib
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CACHE = Path(os.environ.get("RJSON_ABI_CACHE") or Path.home() / ".cache" / "rjson-abi")
CHROOTS = CACHE / "chroots"

# Test dependencies whose tests skip without them (orjson, the oracle of the orjson face, and
# the types that face serializes) and that lack wheels for some interpreters below: each is
# installed from a wheel if there is one, else left out with a note in the log.
OPTIONAL_REQUIREMENTS = {"orjson", "numpy", "pytz", "python-dateutil", "pendulum"}

# In a venv: the optional requirements that could not be installed, space separated.
LEFT_OUT = ".rjson-abi-left-out"

BUILD_TIMEOUT = 30 * 60
TEST_TIMEOUT = 40 * 60
# Address space per test run: a runaway test fails with MemoryError (or an abort) instead of
# growing until the kernel's OOM killer picks a process of the machine (it did: 24 GB).
TEST_MEMORY = 8 << 30


@dataclass
class Interp:
    name: str  # "3.14d"
    build: str  # "release" or "debug"
    source: str  # "pyenv", "host" (Debian's own packages) or a chroot name
    exe: str  # pyenv: the minor version; otherwise the path (inside the chroot, if any)

    @property
    def minor(self):
        return int(self.name.rstrip("d").split(".")[1])

    @property
    def debug(self):
        return self.build == "debug"


INTERPRETERS = [
    Interp("3.9", "release", "pyenv", "3.9"),
    Interp("3.10", "release", "pyenv", "3.10"),
    Interp("3.11", "release", "pyenv", "3.11"),
    Interp("3.12", "release", "pyenv", "3.12"),
    Interp("3.13", "release", "pyenv", "3.13"),
    Interp("3.14", "release", "forky", "/usr/bin/python3.14"),
    Interp("3.15", "release", "forky", "/usr/bin/python3.15"),
    Interp("3.11d", "debug", "host", "/usr/bin/python3.11d"),
    Interp("3.13d", "debug", "trixie", "/usr/bin/python3.13d"),
    Interp("3.14d", "debug", "forky", "/usr/bin/python3.14d"),
    Interp("3.15d", "debug", "forky", "/usr/bin/python3.15d"),
]

# Slowest first, so that two jobs finish close together: debug interpreters run the suite
# several times slower, and chroots pay for their mounts.
ORDER = ["3.15d", "3.14d", "3.13d", "3.11d", "3.15", "3.14", "3.13", "3.12", "3.11", "3.10", "3.9"]


def required_tests(interp):
    """(junit classname, test name prefix) of tests that must have run and passed."""
    req = [("test_build", "test_built_for_running_python"),
           ("test_build", "test_extension_matches_interpreter")]
    if interp.debug:
        req.append(("test_debug_refcount", "test_total_refcount_stable"))
    if interp.minor >= 12:
        req.append(("test_subinterpreters", "test_isolated_subinterpreters_in_threads"))
    return req


@dataclass
class Result:
    interp: Interp
    status: str = "FAIL"
    version: str = "-"
    seconds: float = 0.0
    build_seconds: float = 0.0
    test_seconds: float = 0.0
    tests: str = "-"
    detail: str = ""
    log_tail: list = field(default_factory=list)


class Failed(Exception):
    def __init__(self, status, detail):
        super().__init__(detail)
        self.status = status
        self.detail = detail


# ---------------------------------------------------------------------------- helpers

def clean_env():
    """The environment for builds and tests: no inherited build settings (make exports
    PYO3_PYTHON and CARGO_TARGET_DIR for the main build), nothing from another venv."""
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith(("PYO3_", "RJSON_", "PYENV_", "CARGO_TARGET_", "MAKE", "PYTHON"))
                   or k in {"CARGO_TARGET_DIR", "VIRTUAL_ENV", "MFLAGS", "CARGO_MAKEFLAGS",
                            "CARGO_BUILD_TARGET_DIR"})}
    env["LANG"] = env["LC_ALL"] = "C.UTF-8"
    env["CARGO_HOME"] = str(cargo_home())
    env["RUSTUP_HOME"] = str(rustup_home())
    env["PIP_CACHE_DIR"] = str(CACHE / "pip")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_ROOT_USER_ACTION"] = "ignore"
    env["PIP_NO_INPUT"] = "1"
    env["CARGO_TERM_COLOR"] = "never"
    return env


def cargo_home():
    return Path(os.environ.get("CARGO_HOME") or Path.home() / ".cargo").resolve()


def rustup_home():
    return Path(os.environ.get("RUSTUP_HOME") or Path.home() / ".rustup").resolve()


def shared_dir():
    d = REPO.parent / "shared"
    return d.resolve() if d.is_dir() else None


def pyenv_root():
    root = os.environ.get("PYENV_ROOT")
    if not root and shutil.which("pyenv"):
        proc = subprocess.run(["pyenv", "root"], capture_output=True, text=True)
        root = proc.stdout.strip() if proc.returncode == 0 else None
    return Path(root or Path.home() / ".pyenv")


def find_pyenv(minor_text):
    """The newest pyenv CPython 3.N.P, as a path to its python3.N, or None."""
    versions = pyenv_root() / "versions"
    found = []
    if versions.is_dir():
        for d in versions.iterdir():
            m = re.fullmatch(re.escape(minor_text) + r"\.(\d+)", d.name)
            exe = d / "bin" / f"python{minor_text}"
            if m and exe.exists():
                found.append((int(m.group(1)), exe))
    return max(found)[1] if found else None


def chroot_missing_packages(name):
    stamp = CHROOTS / f"{name}.ready"
    if not stamp.exists():
        return None
    for line in stamp.read_text().splitlines():
        if line.startswith("missing:"):
            return line.split(":", 1)[1].split()
    return []


def requirement_name(line):
    """The package name of a requirements line ("orjson==3.13.0" -> "orjson"), lower case."""
    return re.split(r"[\s<>=!~\[;#]", line.strip(), maxsplit=1)[0].lower()


def requirements():
    """The lines of tests/requirements.txt: (required, optional)."""
    required, optional = [], []
    for line in (REPO / "tests" / "requirements.txt").read_text().splitlines():
        name = requirement_name(line)
        if name:
            (optional if name in OPTIONAL_REQUIREMENTS else required).append(line.strip())
    return required, optional


def source_files():
    """Relative paths of the working tree's files: tracked and untracked, not ignored."""
    proc = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others",
                           "--exclude-standard"], capture_output=True)
    if proc.returncode == 0:
        names = [n for n in proc.stdout.decode().split("\0") if n]
        # Not an untracked venv or cargo target dir that .gitignore does not cover.
        tops = {n.split("/", 1)[0] for n in names if "/" in n}
        junk = {t for t in tops if (REPO / t / "pyvenv.cfg").exists() or (REPO / t / "CACHEDIR.TAG").exists()}
        return sorted({n for n in names if n.split("/", 1)[0] not in junk and (REPO / n).is_file()})
    skip = {".git", "target", ".venv", "build", "__pycache__", ".hypothesis", ".pytest_cache"}
    out = []
    for dirpath, dirnames, filenames in os.walk(REPO):
        dirnames[:] = [d for d in dirnames if d not in skip and not d.endswith(".egg-info")]
        out += [os.path.relpath(os.path.join(dirpath, f), REPO) for f in filenames]
    return sorted(out)


def sync_tree(files, dst):
    """Makes `dst` an exact copy of those files of REPO, copying only what changed. Compared
    by content: a copied file gets a fresh mtime, an unchanged one keeps its own, so cargo's
    fingerprints see exactly the changes (a copy keeping the source's older mtime, from a
    tree checked out earlier, would go unnoticed by build.rs's rerun-if-changed)."""
    dst.mkdir(parents=True, exist_ok=True)
    wanted = set(files)
    for rel in files:
        s, d = REPO / rel, dst / rel
        data = s.read_bytes()
        try:
            if d.read_bytes() == data:
                continue
        except FileNotFoundError:
            pass
        d.parent.mkdir(parents=True, exist_ok=True)
        d.write_bytes(data)
        shutil.copymode(s, d)
    for dirpath, dirnames, filenames in os.walk(dst, topdown=False):
        for f in filenames:
            p = Path(dirpath) / f
            if str(p.relative_to(dst)) not in wanted:
                p.unlink()
        for dname in dirnames:
            p = Path(dirpath) / dname
            if p.is_symlink():
                p.unlink()
            elif not any(p.iterdir()):
                p.rmdir()


# Child process groups still running, killed if the matrix itself is interrupted.
_LIVE = set()
_LIVE_LOCK = threading.Lock()


def _kill_children_and_exit(signum, frame):
    with _LIVE_LOCK:
        for proc in list(_LIVE):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    print(f"abi: interrupted (signal {signum})", file=sys.stderr, flush=True)
    os._exit(128 + signum)


class Runner:
    """Runs commands for one interpreter, on the host or inside its chroot, into its log."""

    def __init__(self, interp, run_dir):
        self.interp = interp
        self.run_dir = run_dir
        self.log_path = run_dir / "log.txt"
        self.log = open(self.log_path, "w", encoding="utf-8", errors="replace")
        self.chroot = None if interp.source in ("pyenv", "host") else CHROOTS / interp.source

    def close(self):
        self.log.close()

    def note(self, text):
        self.log.write(text + "\n")
        self.log.flush()

    def run(self, cmd, cwd, env, timeout, check=True, capture=False, memory=None):
        cmd = [str(c) for c in cmd]
        if self.chroot is not None:
            binds = [self.run_dir, cargo_home(), rustup_home(), CACHE / "pip"]
            if shared_dir():
                binds.append(shared_dir())
            prefix = ["bash", str(HERE / "chroot-run.sh"), str(self.chroot)]
            for b in binds:
                prefix += ["--bind", str(b)]
            cmd = prefix + ["--", "/usr/bin/env", "--chdir", str(cwd)] + cmd
            cwd = None
        self.note(f"\n$ {' '.join(cmd)}")
        start = time.monotonic()
        limit = None if memory is None else (lambda: resource.setrlimit(resource.RLIMIT_AS, (memory, memory)))
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE if capture else self.log,
                                stderr=self.log, start_new_session=True, preexec_fn=limit)
        with _LIVE_LOCK:
            _LIVE.add(proc)
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise Failed("TIMEOUT", f"{' '.join(cmd[-3:])} still running after {timeout} s")
        finally:
            with _LIVE_LOCK:
                _LIVE.discard(proc)
        self.note(f"[exit {proc.returncode} after {time.monotonic() - start:.1f} s]")
        if capture:
            text = out.decode(errors="replace")
            self.note(text)
        if check and proc.returncode != 0:
            raise Failed("FAIL", f"`{' '.join(cmd[-4:])}` exited {proc.returncode}")
        return (proc.returncode, text) if capture else proc.returncode


# ---------------------------------------------------------------------------- one interpreter

CHECK_IMPORT = r"""
import importlib.machinery, json, os, sys, sysconfig
import rjson
print(json.dumps({
    "file": os.path.realpath(rjson.__file__),
    "built_for": list(rjson.__built_for__),
    "version": sys.version.split()[0],
    "debug": hasattr(sys, "gettotalrefcount"),
    "ext_suffix": sysconfig.get_config_var("EXT_SUFFIX"),
    "prefix": os.path.realpath(sys.prefix),
}))
"""


def locate(interp):
    """The interpreter's executable (host path, or path inside its chroot)."""
    if interp.source == "pyenv":
        exe = find_pyenv(interp.exe)
        if exe is None:
            raise Failed("MISSING", f"no pyenv CPython {interp.exe}.x under {pyenv_root() / 'versions'}")
        return exe
    if interp.source == "host":
        if not Path(interp.exe).exists():
            raise Failed("MISSING", f"{interp.exe} is not installed (provision.sh installs it)")
        return Path(interp.exe)
    root = CHROOTS / interp.source
    missing = chroot_missing_packages(interp.source)
    if missing is None or not (root / "usr/bin/env").exists():
        raise Failed("MISSING", f"the {interp.source} chroot was not provisioned ({root})")
    if not (root / interp.exe.lstrip("/")).exists():
        why = f" (not in Debian {interp.source}: {' '.join(missing)})" if missing else ""
        raise Failed("MISSING", f"{interp.exe} is not in the {interp.source} chroot{why}")
    return Path(interp.exe)


def run_one(interp, files):
    res = Result(interp)
    start = time.monotonic()
    run_dir = CACHE / "runs" / interp.name
    run_dir.mkdir(parents=True, exist_ok=True)
    runner = Runner(interp, run_dir)
    try:
        exe = locate(interp)
        # The project, and ../shared beside it (conftest.py finds the corpus there).
        work = run_dir / "work"
        src = work / "rjson"
        sync_tree(files, src)
        link = work / "shared"
        if link.is_symlink() or link.exists():
            link.unlink()
        if shared_dir():
            link.symlink_to(shared_dir())
        tmp = run_dir / "tmp"
        tmp.mkdir(exist_ok=True)
        env = clean_env()
        venv = run_dir / "venv"
        py = venv / "bin" / "python"
        env["PATH"] = os.pathsep.join([str(venv / "bin"), str(cargo_home() / "bin"), "/usr/local/sbin",
                                       "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"])
        env["TMPDIR"] = str(tmp)

        # The venv: made once per interpreter, and again when it or the requirements change.
        _, version = runner.run([exe, "-c", "import sys; print(sys.version)"], cwd=run_dir, env=env,
                                timeout=120, capture=True)
        required, optional = requirements()
        (run_dir / "requirements.txt").write_text("\n".join(required) + "\n")
        stamp_text = hashlib.sha256((str(exe) + version + repr((required, optional))).encode()).hexdigest()
        stamp = venv / ".rjson-abi-deps"
        if not (stamp.exists() and stamp.read_text() == stamp_text and py.exists()
                and (venv / LEFT_OUT).exists()):
            if venv.exists():
                shutil.rmtree(venv)
            runner.run([exe, "-m", "venv", venv], cwd=run_dir, env=env, timeout=600)
            runner.run([py, "-m", "pip", "install", "-q", "--upgrade", "pip"], cwd=run_dir, env=env, timeout=900)
            runner.run([py, "-m", "pip", "install", "-q", "-r", run_dir / "requirements.txt"],
                       cwd=run_dir, env=env, timeout=900)
            left_out = []
            for req in optional:
                if runner.run([py, "-m", "pip", "install", "-q", "--only-binary", ":all:", req],
                              cwd=run_dir, env=env, timeout=900, check=False) != 0:
                    runner.note(f"note: no wheel of {req} for this interpreter: its tests skip")
                    left_out.append(requirement_name(req))
            (venv / LEFT_OUT).write_text(" ".join(left_out))
            stamp.write_text(stamp_text)
        # Tests skip for these even under CI, where a missing dependency is otherwise an error
        # (orjson 3.13, the oracle, has no wheel for 3.9).
        env["RJSON_TESTS_WITHOUT"] = (venv / LEFT_OUT).read_text()

        # The build, as a user makes it: `pip install .` (setuptools-rust runs cargo, release).
        env["CARGO_TARGET_DIR"] = str(run_dir / "target")
        env["PYO3_PYTHON"] = str(py)
        t0 = time.monotonic()
        try:
            runner.run([py, "-m", "pip", "install", "--no-build-isolation", "--no-deps", "--force-reinstall",
                        "."], cwd=src, env=env, timeout=BUILD_TIMEOUT)
        except Failed as e:
            raise Failed("BUILD-FAIL" if e.status == "FAIL" else e.status, e.detail) from None
        finally:
            res.build_seconds = time.monotonic() - t0
        del env["PYO3_PYTHON"], env["CARGO_TARGET_DIR"]

        # The module imported is the one built here, for this interpreter.
        _, out = runner.run([py, "-c", CHECK_IMPORT], cwd=tmp, env=env, timeout=120, capture=True)
        import json
        info = json.loads(out.strip().splitlines()[-1])
        res.version = info["version"]
        problems = []
        if not info["file"].startswith(info["prefix"] + os.sep):
            problems.append(f"rjson imported from {info['file']}, not from the venv {info['prefix']}")
        if not info["file"].endswith(info["ext_suffix"]):
            problems.append(f"{info['file']} does not end with this interpreter's {info['ext_suffix']}")
        if info["built_for"] != [3, interp.minor]:
            problems.append(f"rjson.__built_for__ is {info['built_for']}, not [3, {interp.minor}]")
        if info["debug"] != interp.debug:
            problems.append(f"expected a {interp.build} interpreter, got debug={info['debug']}")
        if problems:
            raise Failed("FAIL", "; ".join(problems))

        # The whole suite.
        junit = run_dir / "junit.xml"
        if junit.exists():
            junit.unlink()
        t0 = time.monotonic()
        try:
            rc = runner.run([py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfEs",
                             f"--junitxml={junit}", "."], cwd=src / "tests", env=env,
                            timeout=TEST_TIMEOUT, check=False, memory=TEST_MEMORY)
        finally:
            res.test_seconds = time.monotonic() - t0
        counts, outcomes = read_junit(junit)
        res.tests = "{passed} passed, {skipped} skipped, {failed} failed".format(**counts)
        if rc != 0:
            raise Failed("FAIL", f"pytest exited {rc} ({res.tests})")
        not_run = [f"{c}::{t}" for c, t in required_tests(interp)
                   if not any(cls == c and name.startswith(t) and o == "passed"
                              for (cls, name), o in outcomes.items())]
        if not_run:
            raise Failed("FAIL", "required tests did not run or pass: " + ", ".join(not_run))
        res.status = "PASS"
    except Failed as e:
        res.status, res.detail = e.status, e.detail
        runner.note(f"\n{e.status}: {e.detail}")
    except Exception as e:  # noqa: BLE001 - report it as this interpreter's failure
        res.status, res.detail = "ERROR", f"{type(e).__name__}: {e}"
        runner.note(f"\nERROR: {res.detail}")
    finally:
        runner.close()
        res.seconds = time.monotonic() - start
    if res.status != "PASS":
        lines = runner.log_path.read_text(errors="replace").splitlines()
        res.log_tail = lines[-60:]
    return res


def read_junit(path):
    counts = {"passed": 0, "skipped": 0, "failed": 0}
    outcomes = {}
    if not path.exists():
        return counts, outcomes
    for case in ET.parse(path).getroot().iter("testcase"):
        # classname is "tests.test_build" (dotted path of the module from the rootdir), maybe
        # followed by ".TestClass": keep the test module's name.
        parts = case.get("classname", "").split(".")
        cls = next((p for p in parts if p.startswith("test_")), parts[-1])
        tags = {child.tag for child in case}
        if "failure" in tags or "error" in tags:
            outcome = "failed"
        elif "skipped" in tags:
            outcome = "skipped"
        else:
            outcome = "passed"
        counts[outcome] += 1
        outcomes[(cls, case.get("name", ""))] = outcome
    return counts, outcomes


# ---------------------------------------------------------------------------- main

def print_table(results):
    head = ("interpreter", "build", "python", "source", "result", "tests", "build s", "tests s", "seconds")
    rows = [(r.interp.name, r.interp.build, r.version, r.interp.source, r.status, r.tests,
             f"{r.build_seconds:.0f}", f"{r.test_seconds:.0f}", f"{r.seconds:.0f}") for r in results]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    line = "  ".join("{:<%d}" % w for w in widths)
    print(line.format(*head))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line.format(*row))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("RJSON_ABI_JOBS", "2")),
                    help="interpreters built and tested at once (default 2, or $RJSON_ABI_JOBS)")
    ap.add_argument("--only", default=os.environ.get("RJSON_ABI_ONLY", ""),
                    help="comma-separated interpreter names (default: all), e.g. 3.14d,3.9")
    ap.add_argument("--no-provision", action="store_true", help="do not run provision.sh first")
    args = ap.parse_args()

    selected = INTERPRETERS
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in names if n not in {i.name for i in INTERPRETERS}]
        if unknown:
            ap.error(f"unknown interpreter(s) {unknown}; known: {[i.name for i in INTERPRETERS]}")
        selected = [i for i in INTERPRETERS if i.name in names]

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _kill_children_and_exit)
    t_start = time.monotonic()
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / "pip").mkdir(exist_ok=True)
    print(f"abi: cache {CACHE}", flush=True)
    if not args.no_provision:
        t0 = time.monotonic()
        proc = subprocess.run(["bash", str(HERE / "provision.sh")], env={**os.environ, "RJSON_ABI_CACHE": str(CACHE)})
        status = "done" if proc.returncode == 0 else f"FAILED (exit {proc.returncode}); missing interpreters will fail"
        print(f"abi: provisioning {status} in {time.monotonic() - t0:.1f} s", flush=True)

    files = source_files()
    todo = sorted(selected, key=lambda i: ORDER.index(i.name))
    results = {}
    lock = threading.Lock()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(run_one, i, files): i for i in todo}
        for fut in concurrent.futures.as_completed(futures):
            r = fut.result()
            with lock:
                results[r.interp.name] = r
                print(f"abi: [{len(results)}/{len(todo)}] {r.interp.name:<6} {r.status:<10} {r.seconds:5.0f} s"
                      f"  {r.tests if r.tests != '-' else ''}{'  ' + r.detail if r.detail else ''}", flush=True)

    ordered = [results[i.name] for i in selected]
    failed = [r for r in ordered if r.status != "PASS"]
    for r in failed:
        print(f"\n---- {r.interp.name} ({r.interp.build}): {r.status}: {r.detail}")
        print(f"---- last lines of {CACHE / 'runs' / r.interp.name / 'log.txt'}:")
        print("\n".join(r.log_tail))
    print(f"\nABI matrix ({time.monotonic() - t_start:.0f} s in all, {args.jobs} at a time):\n")
    print_table(ordered)
    print(f"\n{len(ordered) - len(failed)} passed, {len(failed)} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
