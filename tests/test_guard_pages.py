"""Inputs that end right before an unmapped page: any read past the end crashes the process.

`rjson.loads` reads a memoryview in place, so a memoryview over an mmap whose next page is
`PROT_NONE` puts the last byte of the document right at the edge. The SSE2 string scans work
16 bytes at a time; every length around 16, 32 and 64, and every way a string, number,
escape or literal can be cut at the end, must be handled inside the buffer, with json's own
result or error. (Under `make memcheck` valgrind watches the same cases byte by byte.)
"""

import ctypes
import json
import mmap

import pytest

import rjson
from conftest import check_loads

PAGE = mmap.PAGESIZE
PAGES = 2  # readable pages before the guard page: room for the longest document below
PROT_NONE = 0  # <sys/mman.h>; the mmap module offers PROT_READ and PROT_WRITE only

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]


class GuardedBuffer:
    """PAGES readable pages followed by one that is mapped PROT_NONE."""

    def __init__(self):
        self.map = mmap.mmap(-1, (PAGES + 1) * PAGE)
        self._anchor = ctypes.c_char.from_buffer(self.map)
        guard = ctypes.addressof(self._anchor) + PAGES * PAGE
        if _libc.mprotect(guard, PAGE, PROT_NONE) != 0:
            pytest.skip(f"mprotect failed: errno {ctypes.get_errno()}")
        self.end = PAGES * PAGE

    def place(self, data):
        """A memoryview of `data` copied so that its last byte is the last readable one."""
        assert len(data) <= self.end
        start = self.end - len(data)
        self.map[start:self.end] = data
        return memoryview(self.map)[start:self.end]


@pytest.fixture(scope="module")
def guarded():
    return GuardedBuffer()


def check_at_edge(guarded, data):
    view = guarded.place(data)
    try:
        check_loads(view, bytes(data))
    finally:
        view.release()


def test_the_guard_page_is_really_unmapped():
    """A child process reading one byte past the edge dies of SIGSEGV: the guard works."""
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(__import__('pathlib').Path(__file__).parent)!r})
        from test_guard_pages import GuardedBuffer
        g = GuardedBuffer()
        g.place(b"x")
        g.map[g.end]  # the first byte of the guard page
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert proc.returncode == -11, proc


LENGTHS = sorted({n for k in (16, 32, 64) for n in range(k - 4, k + 5)} | set(range(0, 9)))

# Documents of about n bytes, by what is at the end of the buffer.
SHAPES = {
    "string": lambda n: b'"' + b"a" * n + b'"',
    "string unterminated": lambda n: b'"' + b"a" * n,
    "string non-ASCII": lambda n: b'"' + "\u00e9".encode() * (n // 2) + b"\xe2\x82\xac" + b'"',
    "string cut in a UTF-8 sequence": lambda n: b'"' + b"a" * n + b"\xe2\x82",
    "string with escape at the end": lambda n: b'"' + b"a" * n + b"\\n" + b'"',
    "string cut after backslash": lambda n: b'"' + b"a" * n + b"\\",
    "string cut in \\u": lambda n: b'"' + b"a" * n + b"\\u12",
    "string cut after \\uXXXX": lambda n: b'"' + b"a" * n + b"\\u1234",
    "string cut after high surrogate": lambda n: b'"' + b"a" * n + b"\\ud83d\\u",
    "string with control character": lambda n: b'"' + b"a" * n + b"\x01",
    "key unterminated": lambda n: b'{"' + b"k" * n,
    "integer": lambda n: b"1" * (n + 1),
    "negative integer": lambda n: b"-" + b"9" * (n + 1),
    "float cut at point": lambda n: b"1" * (n + 1) + b".",
    "float cut at exponent": lambda n: b"1." + b"5" * n + b"e",
    "float cut at exponent sign": lambda n: b"1." + b"5" * n + b"e-",
    "float": lambda n: b"1." + b"5" * n + b"e+7",
    "whitespace": lambda n: b"1" + b" " * n,
    "array cut": lambda n: b"[" + b"1," * (n // 2),
    "array": lambda n: b"[" + b"1," * (n // 2) + b"1]",
    "literal cut": lambda n: b"[" + b" " * n + b"tru",
    "-Infinity cut": lambda n: b"[" + b" " * n + b"-Infinit",
    "NaN": lambda n: b" " * n + b"NaN",
}


@pytest.mark.parametrize("shape", SHAPES)
def test_every_length_at_the_edge(guarded, shape):
    for n in LENGTHS:
        check_at_edge(guarded, SHAPES[shape](n))


DOCUMENT = (
    '{"a": [1, -2.5e-3, "x\\u00e9\\ud83d\\ude00\\n", true, false, null, NaN, -Infinity],'
    ' "b\u00e9\u20ac\U0001f600": {"": [], "c": {}}, "long": "' + "0123456789abcdef" * 5 + '"}'
).encode()


def test_every_prefix_at_the_edge(guarded):
    """Every cut of a document with every kind of token ends right before the guard page."""
    for end in range(len(DOCUMENT) + 1):
        check_at_edge(guarded, DOCUMENT[:end])


def test_every_suffix_at_the_edge(guarded):
    """Every tail of it too (the scan starts anywhere relative to 16-byte blocks)."""
    for start in range(len(DOCUMENT) + 1):
        check_at_edge(guarded, DOCUMENT[start:])

