"""The types only the orjson face writes natively, through rjson.orjson against orjson.

    python bench/orjson_types.py natives [--rounds 7] [--only datetime]   (make bench-natives)
    python bench/orjson_types.py numpy [--rounds 7] [--only f64,i32]      (make bench-numpy)

`natives`: lists of 10,000 datetimes, dates, times, UUIDs, enum members and dataclass
records (issue 6: at least 2x faster than orjson), the records also fresh (new for every
call: CPython has not yet made their `__dict__`); writes bench/results/natives.md. `numpy`:
arrays and scalars with OPT_SERIALIZE_NUMPY; writes bench/results/numpy.md. numpy is
optional: without it `numpy` says so and exits (successfully).

Each case is checked first (both must write the same bytes), then timed by timing.py's
method: warm-up, then rounds of alternating blocks, the median per-call time kept.
"""

import argparse
import dataclasses
import datetime as dt
import enum
import platform
import sys
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import machine  # noqa: E402
import timing  # noqa: E402

try:
    import numpy as np
except ImportError:
    np = None

N = 10_000


@dataclasses.dataclass
class Record:
    id: int
    name: str
    score: float
    active: bool
    tags: list


@dataclasses.dataclass(slots=True)
class SlotsRecord:
    id: int
    name: str
    score: float


class Color(enum.Enum):
    RED = 1
    GREEN = "green"


FRESH_CALLS = 10  # per block, for cases whose inputs are made anew for every call


def records():
    return [Record(i, f"name{i}", i * 0.5, i % 2 == 0, ["a", "b"]) for i in range(N)]


def native_cases():
    """name -> (object, extra option name, maker of a fresh object or None), made once."""
    plus2 = dt.timezone(dt.timedelta(hours=2))
    return {
        f"{N} naive datetimes": ([dt.datetime(2020, 1, 1, 12, 30, 45, i) for i in range(N)], 0, None),
        f"{N} datetimes, UTC": ([dt.datetime(2020, 1, 1, 12, 30, 45, i, tzinfo=dt.timezone.utc) for i in range(N)], 0,
                                None),
        f"{N} datetimes, +02:00": ([dt.datetime(2020, 1, 1, 12, 30, 45, i, tzinfo=plus2) for i in range(N)], 0, None),
        f"{N} dates": ([dt.date(2000 + i % 20, 1 + i % 12, 1 + i % 28) for i in range(N)], 0, None),
        f"{N} times": ([dt.time(i % 24, i % 60, i % 60) for i in range(N)], 0, None),
        f"{N} UUIDs": ([uuid.UUID(int=i * 7919) for i in range(N)], 0, None),
        f"{N} enum members": ([Color.RED, Color.GREEN] * (N // 2), 0, None),
        f"{N} dataclass records": (records(), 0, None),
        f"{N} dataclass records, fresh": (records(), 0, records),
        f"{N} slots dataclass records": ([SlotsRecord(i, f"name{i}", i * 0.5) for i in range(N)], 0, None),
    }


def numpy_cases():
    """name -> (object, extra option name, None), made once."""
    rng = np.random.default_rng(6)
    normal = rng.standard_normal((1000, 100))
    return {
        "float64 1000x100": (normal, 0, None),
        "float64 1000x100, OPT_INDENT_2": (normal, "OPT_INDENT_2", None),
        "float32 1000x100": (normal.astype(np.float32), 0, None),
        "float16 100000": (rng.standard_normal(100_000).astype(np.float16), 0, None),
        "int32 100000": (rng.integers(-2**31, 2**31, 100_000, dtype=np.int32), 0, None),
        "int64 100000": (rng.integers(-2**63, 2**63 - 1, 100_000, dtype=np.int64), 0, None),
        "uint8 1000x100": (rng.integers(0, 256, (1000, 100), dtype=np.uint8), 0, None),
        "bool 100000": (rng.integers(0, 2, 100_000).astype(bool), 0, None),
        "datetime64[s] 10000": (rng.integers(0, 2**32, 10_000).astype("datetime64[s]"), 0, None),
        "10000 float64 scalars": ([np.float64(x) for x in normal[:100].flat], 0, None),
        "1000 arrays of 3 int64": ([np.arange(i, i + 3) for i in range(1000)], 0, None),
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("group", choices=["natives", "numpy"])
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--only", default="", help="comma-separated substrings of case names")
    p.add_argument("--out", type=Path, help="default: bench/results/GROUP.md")
    args = p.parse_args()
    out = args.out or BENCH / "results" / f"{args.group}.md"
    numpy = args.group == "numpy"
    if numpy and np is None:
        print("numpy is not installed: nothing to measure (pip install numpy)")
        return 0
    import orjson
    from rjson import orjson as rjson_orjson

    libs = {"rjson.orjson": rjson_orjson, "orjson": orjson}
    cfg = timing.TimingConfig(rounds=args.rounds)
    only = [s for s in args.only.split(",") if s]
    rows = []
    for name, (obj, extra, fresh) in (numpy_cases() if numpy else native_cases()).items():
        if only and not any(s in name for s in only):
            continue
        subjects = {}
        outputs = set()
        for lib, module in libs.items():
            option = (module.OPT_SERIALIZE_NUMPY if numpy else 0) | (getattr(module, extra) if extra else 0)
            outputs.add(module.dumps(obj, option=option))
            loop = timing.compile_loop(module.dumps, {"option": option})
            if fresh:
                subjects[lib] = timing.Subject(loop, lambda n: [fresh() for _ in range(n)], FRESH_CALLS)
            else:
                subjects[lib] = timing.Subject(loop, lambda n, obj=obj: [obj] * n)
        if len(outputs) != 1:
            raise SystemExit(f"{name}: rjson.orjson and orjson write different bytes")
        m = timing.measure(subjects, cfg)
        ratio = m["rjson.orjson"].median / m["orjson"].median
        rows.append((name, len(outputs.pop()), m["rjson.orjson"], m["orjson"], ratio))
        print(f"{name:32} rjson.orjson {timing.format_us(m['rjson.orjson'].median):>12}  "
              f"orjson {timing.format_us(m['orjson'].median):>12}  ratio {ratio:.2f}", file=sys.stderr)

    versions = f"numpy {np.__version__}, " if numpy else ""
    lines = [
        "# numpy through rjson.orjson and orjson (OPT_SERIALIZE_NUMPY)" if numpy else
        "# Natively written types through rjson.orjson and orjson",
        "",
        f"{versions}orjson {orjson.__version__}; CPython {platform.python_version()} on "
        f"{platform.platform()}; load average at the end {machine.loadavg()}.",
        f"Method (bench/timing.py): {cfg.describe()}. Time per call: median of the rounds, "
        "± half their range over the median.",
        "",
        "| case | output | rjson.orjson | orjson | rjson.orjson ÷ orjson |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, size, ours, theirs, ratio in rows:
        spread = lambda m: f"±{m.spread / 2:.0%}"  # noqa: E731
        lines.append(f"| {name} | {size:,} B | {timing.format_us(ours.median)} {spread(ours)} | "
                     f"{timing.format_us(theirs.median)} {spread(theirs)} | {ratio:.2f} |")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
