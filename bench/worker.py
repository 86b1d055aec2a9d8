"""A group measured in another venv's Python: both ends of the pipe.

run.py calls run_in(python, job): it starts `python worker.py` with the job as JSON on stdin;
the worker executes it (group.execute) and writes each event as one JSON line on stdout,
while its progress lines go to the shared stderr.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator

import group

WORKER = Path(__file__).resolve()


class WorkerFailed(Exception):
    pass


def run_in(python: Path, job: group.Job) -> Iterator[Dict[str, Any]]:
    """The job's events, as the worker in `python` sends them."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}   # only that venv's packages
    proc = subprocess.Popen([str(python), str(WORKER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, env=env, cwd=WORKER.parent)
    try:
        proc.stdin.write(job.to_json())
        proc.stdin.close()
        for line in proc.stdout:
            yield json.loads(line)
    finally:
        code = proc.wait()
    if code != 0:
        raise WorkerFailed(f"{python} {WORKER.name} exited with status {code}")


def main() -> int:
    job = group.Job.from_json(sys.stdin.read())
    try:
        for event in group.execute(job):
            print(json.dumps(event), flush=True)
    except KeyboardInterrupt:   # ^C reaches the whole process group: run.py reports it
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
