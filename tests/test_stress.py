"""Concurrency and re-entrancy: Python code that runs in the middle of a call (`default`,
decoder hooks, `fp.write` of `dump`, and other threads, which run whenever that code gives up
the GIL) changes what rjson is walking or reading. rjson must raise a clean exception or
return a valid result, never crash; where json's result is defined, the same result.

The thread stress runs in a child interpreter (a crash is a failed test with its signal,
not a dead test run) for RJSON_STRESS_SECONDS per case (default 2; `make stress` runs longer).
"""

import gc
import io
import json
import os
import random
import subprocess
import sys
import threading
import time

import pytest

import rjson
from conftest import assert_same, assert_same_outcome, outcome

SECONDS = float(os.environ.get("RJSON_STRESS_SECONDS", "2"))


class Thing:
    """Not serializable: every one reaches `default`."""

    def __init__(self, n=0):
        self.n = n


# ---------------------------------------------------------------------------
# Python code run by the call itself changes what the call is walking.

def shrinking_default(target):
    def default(o):
        target.clear()
        return o.n
    return default


def growing_default(target):
    def default(o):
        target.extend([o.n] * 3)
        if len(target) > 50:
            del target[:]
        return o.n
    return default


def dict_changing_default(target):
    def default(o):
        target.pop(next(iter(target)), None)
        target[f"new{o.n}"] = o.n
        return o.n
    return default


CASES = {
    "list cleared by default": lambda: (lambda l: (l, shrinking_default(l)))([Thing(1), 2, Thing(3), 4, [5]]),
    "list grown by default": lambda: (lambda l: (l, growing_default(l)))([Thing(1), 2, Thing(3)]),
    "inner list cleared": lambda: (lambda inner: ([inner, inner], shrinking_default(inner)))([1, Thing(2), 3]),
    "dict changed by default": lambda: (lambda d: (d, dict_changing_default(d)))({"a": Thing(1), "b": 2, "c": Thing(3)}),
    "nested dict changed": lambda: (lambda d: ({"x": d, "y": [d]}, dict_changing_default(d)))({"a": Thing(1), "b": 2}),
}


@pytest.mark.parametrize("kwargs", [{}, {"sort_keys": True}, {"indent": 1}, {"check_circular": False}])
@pytest.mark.parametrize("case", CASES)
def test_default_mutating_what_is_encoded(case, kwargs):
    """dumps: json's outcome (its C or Python encoder, whichever it would use)."""
    obj, default = CASES[case]()
    want = outcome(json.dumps, obj, default=default, **kwargs)
    obj, default = CASES[case]()
    got = outcome(rjson.dumps, obj, default=default, **kwargs)
    assert_same_outcome(got, want, case)


class MutatingWriter:
    """A file whose write() changes the object being dumped."""

    def __init__(self, mutate):
        self.parts, self.mutate = [], mutate

    def write(self, s):
        self.parts.append(s)
        self.mutate()


@pytest.mark.parametrize("kind", ["list", "dict"])
def test_dump_whose_write_mutates_the_object(kind):
    """`dump` hands chunks to fp.write mid-walk: what write() changes must not crash the
    walk. json raises RuntimeError for a dict changed mid-iteration; rjson, which writes far
    fewer chunks, also may finish, with valid JSON."""
    big = ["x" * 1000] * 200  # a chunk boundary comes every 64 Ki characters
    if kind == "list":
        obj = [big, big, big, big, [1, 2, 3]]
        def mutate():
            if obj:
                obj.pop()
            obj[:1] = []
    else:
        obj = {f"k{i}": big for i in range(6)}
        def mutate():
            for k in list(obj)[:2]:
                del obj[k]
            obj["z"] = [1]
    fp = MutatingWriter(mutate)
    try:
        rjson.dump(obj, fp)
    except RuntimeError as e:
        assert "changed size during iteration" in str(e)
        return
    json.loads("".join(fp.parts))


def test_hooks_that_reenter_rjson():
    """Hooks and default calling rjson again (its key cache, its recursion accounting)."""
    def object_hook(d):
        inner = rjson.loads('{"k%d": [1, {"deep": "x"}], "other": 2}' % len(d))
        return [d, inner, rjson.dumps(inner, sort_keys=True)]

    doc = json.dumps([{f"key{i}": i, "k0": [i]} for i in range(50)])
    assert_same(rjson.loads(doc, object_hook=object_hook), json.loads(doc, object_hook=object_hook))

    def default(o):
        return rjson.loads(rjson.dumps({"n": o.n, "again": [o.n] * 3}))

    obj = [Thing(i) for i in range(50)]
    assert rjson.dumps(obj, default=default) == json.dumps(obj, default=default)


def test_hooks_that_collect_and_inspect_every_container():
    """A hook running the garbage collector and walking every tracked list and dict sees no
    half-built container (a list with empty slots would crash `len`/iteration/repr)."""
    def inspect(x):
        gc.collect()
        for o in gc.get_objects():
            if type(o) in (list, dict):
                for _ in o:
                    pass
        return x

    doc = json.dumps({"a": [[1.5, 2.5, {"b": [3.5] * 5}]] * 3, "c": {"d": 4.5}})
    for kw in ({"parse_float": inspect}, {"object_hook": inspect}, {"object_pairs_hook": inspect}):
        assert_same_outcome(outcome(rjson.loads, doc, **kw), outcome(json.loads, doc, **kw), kw)


def test_hook_mutating_the_input_buffer():
    """A hook may change a bytearray being parsed (in place; resizing it raises BufferError
    while rjson reads it): rjson then reads the changed bytes, or fails cleanly."""
    doc = bytearray(json.dumps([{"a": i, "s": "abc" * i} for i in range(20)]).encode())

    def scribble(d):
        doc[len(doc) // 2] = ord("x")
        return d

    def resize(d):
        doc.extend(b"   ")
        return d

    try:
        rjson.loads(doc, object_hook=scribble)
    except json.JSONDecodeError:
        pass
    with pytest.raises(BufferError):
        rjson.loads(doc, object_hook=resize)
    view = memoryview(doc)
    try:
        rjson.loads(view, object_hook=scribble)
    except json.JSONDecodeError:
        pass


# ---------------------------------------------------------------------------
# Threads: shared objects, encoded and decoded while another thread changes them.

def stress(seconds, seed):
    """Worker threads run dumps/dump/loads on shared objects while a mutator thread changes
    them; `default` and the hooks sleep(0), so the mutator runs in the middle of calls.
    Returns the number of calls, after checking each result and exception."""
    rng = random.Random(seed)
    shared_list = [Thing(i) if i % 3 == 0 else {"i": i, "s": "x" * i} for i in range(30)]
    shared_dict = {f"k{i}": [i, Thing(i), {"n": i}] for i in range(30)}
    shared = {"list": shared_list, "dict": shared_dict, "tuple": (shared_list, shared_dict)}
    doc = bytearray(json.dumps([{"a": i, "b": [i] * 5, "c": "t" * i} for i in range(40)]).encode())
    stop = time.monotonic() + seconds
    failures, calls = [], [0]
    # What a call may raise when its object changed under it.
    allowed = (RuntimeError, ValueError, json.JSONDecodeError, BufferError, KeyError, IndexError)

    def default(o):
        time.sleep(0)
        return [o.n, str(o.n)]

    def hook(d):
        time.sleep(0)
        return d

    def worker(k):
        wrng = random.Random(seed * 100 + k)
        while time.monotonic() < stop:
            op = wrng.randrange(5)
            try:
                if op == 0:
                    json.loads(rjson.dumps(shared, default=default, sort_keys=wrng.random() < 0.3))
                elif op == 1:
                    json.loads(rjson.dumps(shared_list, default=default, indent=wrng.choice([None, 2])))
                elif op == 2:
                    out = io.StringIO()
                    rjson.dump(shared_dict, out, default=default)
                    json.loads(out.getvalue())
                elif op == 3:
                    rjson.loads(doc, object_hook=hook)
                else:
                    rjson.loads(memoryview(doc), object_pairs_hook=lambda p: (time.sleep(0), p)[1])
            except allowed:
                pass
            except Exception as e:  # noqa: BLE001 - anything else is a finding
                failures.append(f"op {op}: {type(e).__name__}: {e}")
            calls[0] += 1

    def mutator():
        while time.monotonic() < stop:
            r = rng.randrange(8)
            try:
                if r == 0:
                    shared_list.append(Thing(rng.randrange(100)))
                elif r == 1 and shared_list:
                    shared_list.pop(rng.randrange(len(shared_list)))
                elif r == 2:
                    shared_dict[f"k{rng.randrange(60)}"] = rng.choice([1, "s", Thing(2), [3]])
                elif r == 3:
                    shared_dict.pop(f"k{rng.randrange(60)}", None)
                elif r == 4 and len(shared_list) > 60:
                    shared_list.clear()
                elif r == 5:
                    doc[rng.randrange(len(doc))] = rng.choice(b'[]{},:"0a ')
                elif r == 6:
                    doc.extend(b" ")  # BufferError while a loads reads it
                else:
                    shared_dict.clear() if len(shared_dict) > 80 else None
            except BufferError:
                pass
            time.sleep(0)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(3)] + [threading.Thread(target=mutator)]
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert not failures, failures[:10]
    return calls[0]


@pytest.mark.parametrize("seed", [1, 2])
def test_threads_mutating_shared_objects(seed):
    proc = subprocess.run([sys.executable, __file__, str(SECONDS), str(seed)], capture_output=True, text=True,
                          timeout=SECONDS * 10 + 60,
                          env=dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p)))
    assert proc.returncode == 0, (proc.returncode, proc.stdout[-2000:], proc.stderr[-3000:])
    assert int(proc.stdout.split()[-1]) > 0


if __name__ == "__main__":
    print("calls", stress(float(sys.argv[1]), int(sys.argv[2])))
