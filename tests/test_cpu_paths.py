"""Both of the encoder's CPU paths: AVX-512 where the CPU has it, x86_64's baseline otherwise.

rjson picks its string code at run time; `RJSON_NO_AVX512=1` makes it take the baseline path
on a machine that has AVX-512. The rest of the suite runs whatever this machine has; here a
child process runs the same checks with the variable set (and one without it), so both paths
are held to json's and orjson's output on every machine that has AVX-512.
"""

import os
import subprocess
import sys

import pytest

from conftest import CORPUS_FILES

CHILD = r"""
import json, sys
import rjson
from rjson import orjson as ro
try:
    import orjson  # a test dependency, not on every interpreter the matrix runs
except ImportError:
    orjson = None

def check(doc):
    for ensure_ascii in (True, False):
        want = json.dumps(doc, ensure_ascii=ensure_ascii)
        got = rjson.dumps(doc, ensure_ascii=ensure_ascii)
        assert got == want, (doc, ensure_ascii, got[:200], want[:200])
    if orjson is not None:
        assert ro.dumps(doc) == orjson.dumps(doc), doc
    # Keys go through the key texts and the general writer.
    mapping = {s: 0 for s in doc} if isinstance(doc, list) and all(isinstance(s, str) for s in doc) else None
    if mapping:
        assert rjson.dumps(mapping) == json.dumps(mapping)
        if orjson is not None:
            assert ro.dumps(mapping) == orjson.dumps(mapping)

stops = ['"', "\\", "\x00", "\x1f", "\x7f", "\x80", "\xe9", "\u20ac", "\U0001f600"]
checked = 0
for n in range(0, 70):
    base = "".join(chr(0x20 + (k * 7) % 95) for k in range(n)).replace('"', "a").replace("\\", "b")
    strings = [base]
    for stop in stops:
        for at in range(n):
            strings.append(base[:at] + stop + base[at + 1:])
    check(strings)
    checked += len(strings)
# Wide strs with a run of ASCII (which AVX-512 copies a vector at a time after 8 plain units)
# and a stop anywhere in it: Latin-1 vectors are 64 units, UCS-2 ones 32.
for n in range(0, 150):
    base = "".join(chr(0x20 + (k * 7) % 95) for k in range(n)).replace('"', "a").replace("\\", "b")
    for wide in ("\xe9", "\u20ac"):
        strings = [wide + base]
        for stop in stops:
            for at in range(n):
                strings.append(wide + base[:at] + stop + base[at + 1:])
        check(strings)
        checked += len(strings)
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        check(json.load(f))
    checked += 1
print(rjson._avx512, checked)
"""


@pytest.mark.parametrize("no_avx512", [True, False], ids=["baseline", "detected"])
def test_string_writers_match_the_oracles(no_avx512):
    env = dict(os.environ)
    env.pop("RJSON_NO_AVX512", None)
    if no_avx512:
        env["RJSON_NO_AVX512"] = "1"
    files = [str(p) for p in CORPUS_FILES if p.stat().st_size < 3_000_000]
    proc = subprocess.run([sys.executable, "-c", CHILD, *files], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    avx512, checked = proc.stdout.split()
    assert int(checked) > 70 * 9 * 30
    if no_avx512:
        assert avx512 == "False"
    else:
        import rjson
        assert avx512 == str(rjson._avx512)
