"""rjson in isolated subinterpreters, several at once from several threads (3.12+).

rjson declares ``Py_mod_multiple_interpreters`` = per-interpreter GIL supported and keeps all
its state in the module (exception class, NaN/Infinity objects, interned keyword names, key
cache). Each subinterpreter here is created isolated (its own GIL and allocator; extensions
without multi-phase init and that declaration are refused), imports rjson for itself and checks
its results against that interpreter's own ``json``. Every thread runs its own interpreter, so
the interpreters really run in parallel, while the main interpreter uses rjson too.

APIs: ``concurrent.interpreters`` (3.14+), ``_interpreters`` (3.13), ``_xxsubinterpreters``
(3.12).
"""

import json
import json.decoder
import sys
import threading
import time

import pytest

import rjson

pytestmark = pytest.mark.skipif(sys.version_info < (3, 12), reason="per-interpreter GIL needs 3.12+")

N_THREADS = 4
INTERPRETERS_PER_THREAD = 2
ROUNDS = 30
CHECKS_PER_ROUND = 15  # counted by WORKER
JOIN_TIMEOUT = 600


class _Backend:
    """create() -> handle, run(handle, code) raises on an uncaught exception, destroy(handle)."""

    def __init__(self):
        if sys.version_info >= (3, 14):
            from concurrent import interpreters

            self.name = "concurrent.interpreters"
            self._mod = interpreters
        elif sys.version_info >= (3, 13):
            import _interpreters

            self.name = "_interpreters"
            self._mod = _interpreters
        else:
            import _xxsubinterpreters

            self.name = "_xxsubinterpreters"
            self._mod = _xxsubinterpreters

    def create(self):
        if sys.version_info >= (3, 14):
            return self._mod.create()  # isolated: own GIL, multi-phase extensions only
        if sys.version_info >= (3, 13):
            return self._mod.create("isolated")
        return self._mod.create(isolated=True)

    def interp_id(self, handle):
        return handle.id if sys.version_info >= (3, 14) else handle

    def run(self, handle, code):
        if sys.version_info >= (3, 14):
            handle.exec(code)  # raises concurrent.interpreters.ExecutionFailed
        elif sys.version_info >= (3, 13):
            err = self._mod.exec(handle, code)
            if err is not None:
                raise AssertionError(f"subinterpreter raised:\n{err.errdisplay}")
        else:
            self._mod.run_string(handle, code)  # raises RunFailedError

    def destroy(self, handle):
        if sys.version_info >= (3, 14):
            handle.close()
        else:
            self._mod.destroy(handle)

    def config(self, handle):
        """The interpreter's config (3.13+), or None."""
        if sys.version_info < (3, 13):
            return None
        import _interpreters

        return _interpreters.get_config(self.interp_id(handle))


# Runs inside each subinterpreter. WORKER, ROUNDS, PATHS and OUT are prepended by worker_code.
WORKER = r'''
import sys
sys.path[:] = PATHS
import json, json.decoder, math
import rjson

assert rjson.__built_for__ == tuple(sys.version_info[:2]), rjson.__built_for__
# Module state is this interpreter's own: its json's exception class and NaN objects.
assert rjson.JSONDecodeError is json.JSONDecodeError
nan = rjson.loads("[NaN, Infinity, -Infinity]")
assert nan[0] is json.decoder.NaN and nan[1] is json.decoder.PosInf and nan[2] is json.decoder.NegInf

class Thing:
    def __init__(self, v):
        self.v = v

class Boom(Exception):
    pass

def default(o):
    if isinstance(o, Thing):
        return {"thing": o.v}
    raise Boom("no %r" % (o,))

checks = 0
for r in range(ROUNDS):
    # Keys unique to this worker and round go through rjson's per-module key cache.
    doc = {"w%d_r%d_k%d" % (WORKER, r, i): [i, i / 3, "\u00e9\U0001f600" * (i % 3), None, True, {}]
           for i in range(40)}
    doc["nested"] = [[{"a": [1.5e300, -0.0, 10 ** 30]}]]
    for kw in ({}, {"indent": 2, "sort_keys": True}, {"ensure_ascii": False, "separators": (",", ":")}):
        s = rjson.dumps(doc, **kw)
        assert s == json.dumps(doc, **kw), kw
        assert rjson.loads(s) == json.loads(s)
        assert rjson.loads(s.encode()) == json.loads(s)
        checks += 3
    assert rjson.dumps([Thing(r)], default=default) == json.dumps([Thing(r)], default=default)
    for bad in ("[1, 2", '{"a" 1}', '["\\x"]', "[1,]"):
        try:
            rjson.loads(bad)
        except json.JSONDecodeError as e:
            want = None
            try:
                json.loads(bad)
            except json.JSONDecodeError as w:
                want = w
            assert (e.msg, e.pos) == (want.msg, want.pos), (bad, e, want)
        else:
            raise AssertionError("no error for %r" % bad)
        checks += 1
    try:
        rjson.dumps({"a": [1, object()]}, default=default)
    except Boom:
        checks += 1
    else:
        raise AssertionError("default's exception was lost")
    try:
        rjson.dumps([math.nan], allow_nan=False)
    except ValueError:
        checks += 1
    else:
        raise AssertionError("allow_nan=False accepted NaN")

with open(OUT, "w") as f:
    f.write(rjson.dumps({"worker": WORKER, "checks": checks}))
'''


def worker_code(worker, out):
    head = f"WORKER = {worker!r}\nROUNDS = {ROUNDS!r}\nPATHS = {list(sys.path)!r}\nOUT = {str(out)!r}\n"
    return head + WORKER


def test_isolated_subinterpreters_in_threads(tmp_path):
    backend = _Backend()
    errors = []
    outputs = []
    start = threading.Barrier(N_THREADS + 1)

    def thread_main(t):
        try:
            start.wait()
            for k in range(INTERPRETERS_PER_THREAD):
                worker = t * INTERPRETERS_PER_THREAD + k
                out = tmp_path / f"worker{worker}.json"
                handle = backend.create()
                try:
                    cfg = backend.config(handle)
                    if cfg is not None:
                        assert cfg.gil == "own" and cfg.check_multi_interp_extensions, cfg
                    backend.run(handle, worker_code(worker, out))
                finally:
                    backend.destroy(handle)
                outputs.append((worker, out))
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            errors.append((t, e))

    threads = [threading.Thread(target=thread_main, args=(t,), name=f"subinterp-{t}") for t in range(N_THREADS)]
    for th in threads:
        th.start()
    start.wait()
    main_rounds = 0
    try:
        # rjson in the main interpreter meanwhile.
        while any(th.is_alive() for th in threads):
            main_rounds += _main_interpreter_round()
    finally:
        for th in threads:
            th.join(JOIN_TIMEOUT)
    assert not [th.name for th in threads if th.is_alive()], "a subinterpreter thread hangs"
    assert not errors, "\n\n".join(f"thread {t}: {type(e).__name__}: {e}" for t, e in errors)
    assert sorted(w for w, _ in outputs) == list(range(N_THREADS * INTERPRETERS_PER_THREAD))
    for worker, out in outputs:
        got = json.loads(out.read_text())
        assert got == {"worker": worker, "checks": ROUNDS * CHECKS_PER_ROUND}, (worker, got)
    assert main_rounds > 0


_MAIN_DOC = {"main_%d" % i: [i, "x" * i, {"f": i / 7}] for i in range(50)}


def _main_interpreter_round():
    s = rjson.dumps(_MAIN_DOC)
    assert rjson.loads(s) == _MAIN_DOC
    assert rjson.JSONDecodeError is json.JSONDecodeError
    time.sleep(0.001)
    return 1


def test_create_use_destroy_repeatedly(tmp_path):
    """Module state is freed with each interpreter (m_clear/m_free) and the main one's stays."""
    backend = _Backend()
    for i in range(12):
        handle = backend.create()
        try:
            backend.run(handle, f"import sys\nsys.path[:] = {list(sys.path)!r}\n"
                                "import json, rjson\n"
                                "assert rjson.loads(rjson.dumps({'k%d' % 1: [1.5, 'x']})) == {'k1': [1.5, 'x']}\n"
                                "try:\n    rjson.loads('[')\nexcept json.JSONDecodeError:\n    pass\n"
                                "else:\n    raise AssertionError('no error')\n")
        finally:
            backend.destroy(handle)
    assert rjson.loads('{"a": [NaN]}')["a"][0] is json.decoder.NaN
    assert rjson.dumps({"after": [1, 2]}) == '{"after": [1, 2]}'
    with pytest.raises(json.JSONDecodeError) as info:
        rjson.loads("[1,")
    assert info.value.pos == 3
