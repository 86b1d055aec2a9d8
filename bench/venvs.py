"""The Python of each group: the project's .venv for the main group, and venvs of their own
for libraries that cannot share it (pyrjson imports as `rjson`, the library under test).

A venv is created on first use and its requirements installed again only when they change
(a stamp file holds their hash), so `make bench` sets it up once and then reuses it.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Optional, Tuple

from libraries import MAIN_GROUP

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
INSTALL_TIMEOUT_S = 900


@dataclass(frozen=True)
class Venv:
    directory: Path
    requirements: Path          # may constrain versions with "-c requirements.txt"
    constraints: Path

    @property
    def python(self) -> Path:
        return self.directory / "bin" / "python"

    def _wanted(self) -> str:
        h = hashlib.sha256()
        for p in (self.requirements, self.constraints):
            h.update(p.read_bytes())
        h.update(sys.version.encode())
        return h.hexdigest()

    def ensure(self, log: Callable[[str], None]) -> Tuple[Optional[Path], Optional[str]]:
        """(its python, None) once the venv is ready; (None, why not) if it cannot be made."""
        stamp = self.directory / ".bench-requirements"
        wanted = self._wanted()
        if self.python.exists() and stamp.exists() and stamp.read_text() == wanted:
            return self.python, None
        log(f"setting up {self.directory.name} ({self.requirements.name}) ...")
        steps = [] if self.python.exists() else [[sys.executable, "-m", "venv", str(self.directory)]]
        steps.append([str(self.python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                      "-r", str(self.requirements)])
        for cmd in steps:
            try:
                r = subprocess.run(cmd, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S)
            except (OSError, subprocess.TimeoutExpired) as exc:
                return None, f"`{' '.join(cmd[-3:])}` failed: {exc}"
            if r.returncode != 0:
                tail = (r.stderr or r.stdout).strip().splitlines()[-3:]
                return None, f"`{' '.join(cmd[-3:])}` exited with {r.returncode}: {' / '.join(tail)}"
        stamp.write_text(wanted)
        return self.python, None


VENVS: Dict[str, Venv] = {
    "pyrjson": Venv(REPO / ".venv-pyrjson", BENCH / "requirements-pyrjson.txt", BENCH / "requirements.txt"),
}


def python_for(group: str, log: Callable[[str], None]) -> Tuple[Optional[Path], Optional[str]]:
    if group == MAIN_GROUP:
        return Path(sys.executable), None
    return VENVS[group].ensure(log)
