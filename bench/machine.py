"""Facts about the machine and the checkout a run measured, for the report."""
from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional


def _cpuinfo() -> Dict[str, Any]:
    info: Dict[str, Any] = {}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return {"model": platform.processor() or "unknown"}
    models, flags, mhz = [], set(), []
    for line in text.splitlines():
        key, _, val = line.partition(":")
        key, val = key.strip(), val.strip()
        if key == "model name":
            models.append(val)
        elif key == "flags" and not flags:
            flags = set(val.split())
        elif key == "cpu MHz":
            mhz.append(val)
    info["model"] = models[0] if models else "unknown"
    info["logical_cpus"] = len(models) or os.cpu_count()
    info["simd"] = [f for f in ("sse4_2", "avx2", "bmi2", "avx512f", "avx512bw", "avx512vl", "avx512vbmi")
                    if f in flags]
    if mhz:
        info["mhz"] = mhz[0]
    return info


def _meminfo() -> Optional[str]:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _git(repo: Path) -> Dict[str, Any]:
    def run(*args: str) -> Optional[str]:
        try:
            r = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=10)
            return r.stdout.strip() if r.returncode == 0 else None
        except Exception:
            return None
    head = run("rev-parse", "HEAD")
    status = run("status", "--porcelain", "--untracked-files=no")
    return {"commit": head, "dirty": bool(status) if status is not None else None}


def loadavg() -> Optional[List[float]]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def machine_info(repo: Path) -> Dict[str, Any]:
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = None
    return {
        "python": sys.version.replace("\n", " "),
        "python_implementation": platform.python_implementation(),
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": _cpuinfo(),
        "cpus_usable": affinity,
        "memory": _meminfo(),
        "repo": _git(repo),
    }
