/*
 * Layout probe: compiled by build.rs against the target interpreter's headers and run on the
 * build machine. It prints the size and field offsets of every CPython struct that the Rust
 * code reads directly, plus the constants and bit masks it relies on, one fact per line:
 *
 *     size   STRUCT        BYTES
 *     offset STRUCT FIELD  BYTES
 *     value  NAME          NUMBER
 *
 * build.rs turns these lines into compile-time assertions against the `#[repr(C)]` mirrors in
 * src/ffi/, so a mirror that disagrees with the headers fails the build by name.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <datetime.h>
#if PY_VERSION_HEX < 0x030B0000
#include <longintrepr.h> /* in Python.h from 3.11 */
#endif
#if PY_VERSION_HEX < 0x030C0000
#include <structmember.h> /* T_OBJECT_EX, READONLY; in descrobject.h from 3.12 */
#endif
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define SIZE(T) printf("size %s %zu\n", #T, sizeof(T))
#define OFFSET(T, F) printf("offset %s %s %zu\n", #T, #F, offsetof(T, F))
#define VALUE(NAME, V) printf("value %s %llu\n", NAME, (unsigned long long)(V))

/* Bit mask of one bitfield of PyASCIIObject.state, found by setting it to all ones. */
static unsigned int state_mask(int which) {
    PyASCIIObject probe;
    unsigned int word = 0;
    memset(&probe, 0, sizeof probe);
    switch (which) {
    case 0: probe.state.kind = 7; break;
    case 1: probe.state.compact = 1; break;
    case 2: probe.state.ascii = 1; break;
    }
    memcpy(&word, &probe.state, sizeof word);
    return word;
}

/* PyASCIIObject.state of a new compact str of `kind`, as PyUnicode_New sets it: the str face
 * of dumps makes its result in place with it (src/encode/buffer.rs). */
static unsigned int new_state(int kind, int ascii) {
    PyASCIIObject probe;
    unsigned int word = 0;
    memset(&probe, 0, sizeof probe);
    probe.state.kind = kind;
    probe.state.compact = 1;
    probe.state.ascii = ascii;
#if PY_VERSION_HEX < 0x030C0000
    probe.state.ready = 1;
#endif
    memcpy(&word, &probe.state, sizeof word);
    return word;
}

int main(void) {
    printf("version %d %d\n", PY_MAJOR_VERSION, PY_MINOR_VERSION);
#ifdef Py_DEBUG
    VALUE("Py_DEBUG", 1);
#else
    VALUE("Py_DEBUG", 0);
#endif

    /* Object headers: debug builds with Py_TRACE_REFS grow PyObject, 3.12+ makes ob_refcnt a
     * union (immortal objects), 3.14 splits it; pyo3-ffi's inline refcounting and Py_TYPE()
     * read these through its own mirror, checked here too. */
    SIZE(PyObject);
    OFFSET(PyObject, ob_refcnt);
    OFFSET(PyObject, ob_type);
    SIZE(PyVarObject);
    OFFSET(PyVarObject, ob_size);

    /* Type objects (pyo3-ffi's mirror): tp_name for messages, tp_repr of int, and tp_flags
     * for the PyLong_Check-style fast subclass checks with these bits. */
    OFFSET(PyTypeObject, tp_name);
    OFFSET(PyTypeObject, tp_repr);
    OFFSET(PyTypeObject, tp_flags);
    OFFSET(PyTypeObject, tp_dict); /* a dataclass's own __slots__ */
    VALUE("Py_TPFLAGS_LONG_SUBCLASS", Py_TPFLAGS_LONG_SUBCLASS);
    VALUE("Py_TPFLAGS_LIST_SUBCLASS", Py_TPFLAGS_LIST_SUBCLASS);
    VALUE("Py_TPFLAGS_TUPLE_SUBCLASS", Py_TPFLAGS_TUPLE_SUBCLASS);
    VALUE("Py_TPFLAGS_BYTES_SUBCLASS", Py_TPFLAGS_BYTES_SUBCLASS);
    VALUE("Py_TPFLAGS_UNICODE_SUBCLASS", Py_TPFLAGS_UNICODE_SUBCLASS);
    VALUE("Py_TPFLAGS_DICT_SUBCLASS", Py_TPFLAGS_DICT_SUBCLASS);

    SIZE(PyBytesObject);
    OFFSET(PyBytesObject, ob_shash); /* set to -1 (not hashed) where dumps makes a bytes in place */
    OFFSET(PyBytesObject, ob_sval);

    SIZE(PyByteArrayObject);
    OFFSET(PyByteArrayObject, ob_alloc);
    OFFSET(PyByteArrayObject, ob_bytes);
    OFFSET(PyByteArrayObject, ob_start);
    OFFSET(PyByteArrayObject, ob_exports);
#if PY_VERSION_HEX >= 0x030F0000
    OFFSET(PyByteArrayObject, ob_bytes_object); /* 3.15: the bytes object behind ob_bytes */
#endif

    SIZE(Py_buffer);
    OFFSET(Py_buffer, buf);
    OFFSET(Py_buffer, obj);
    OFFSET(Py_buffer, len);
    OFFSET(Py_buffer, itemsize);
    OFFSET(Py_buffer, readonly);
    OFFSET(Py_buffer, ndim);
    OFFSET(Py_buffer, format);
    OFFSET(Py_buffer, shape);
    OFFSET(Py_buffer, strides);
    OFFSET(Py_buffer, suboffsets);
    OFFSET(Py_buffer, internal);

    OFFSET(PyMemoryViewObject, mbuf);
    OFFSET(PyMemoryViewObject, flags);
    OFFSET(PyMemoryViewObject, exports);
    OFFSET(PyMemoryViewObject, view);
    VALUE("_Py_MEMORYVIEW_RELEASED", _Py_MEMORYVIEW_RELEASED);
    VALUE("_Py_MEMORYVIEW_C", _Py_MEMORYVIEW_C);

    SIZE(PyASCIIObject);
    OFFSET(PyASCIIObject, length);
    OFFSET(PyASCIIObject, hash);
    OFFSET(PyASCIIObject, state);
#if PY_VERSION_HEX < 0x030C0000
    OFFSET(PyASCIIObject, wstr); /* removed in 3.12 */
#endif
    SIZE(PyCompactUnicodeObject);
    OFFSET(PyCompactUnicodeObject, utf8_length);
    OFFSET(PyCompactUnicodeObject, utf8);
#if PY_VERSION_HEX < 0x030C0000
    OFFSET(PyCompactUnicodeObject, wstr_length); /* removed in 3.12 */
    SIZE(wchar_t); /* a compact str of this width shares its data as wstr */
#endif
    OFFSET(PyUnicodeObject, data);
    VALUE("state.kind", state_mask(0));
    VALUE("state.compact", state_mask(1));
    VALUE("state.ascii", state_mask(2));
    VALUE("state.new_ascii", new_state(PyUnicode_1BYTE_KIND, 1));
    VALUE("state.new_latin1", new_state(PyUnicode_1BYTE_KIND, 0));
    VALUE("state.new_ucs2", new_state(PyUnicode_2BYTE_KIND, 0));
    VALUE("state.new_ucs4", new_state(PyUnicode_4BYTE_KIND, 0));

    /* Ints of up to two digits are read from their digits (src/ffi/long.rs). */
    SIZE(PyLongObject);
#if PY_VERSION_HEX >= 0x030C0000
    printf("offset PyLongObject lv_tag %zu\n", offsetof(PyLongObject, long_value.lv_tag));
    printf("offset PyLongObject ob_digit %zu\n", offsetof(PyLongObject, long_value.ob_digit));
    VALUE("_PyLong_NON_SIZE_BITS", _PyLong_NON_SIZE_BITS);
    VALUE("_PyLong_SIGN_MASK", _PyLong_SIGN_MASK);
#else
    OFFSET(PyLongObject, ob_digit);
#endif
    VALUE("PyLong_SHIFT", PyLong_SHIFT);

    SIZE(PyFloatObject);
    OFFSET(PyFloatObject, ob_fval);
    SIZE(PyListObject);
    OFFSET(PyListObject, ob_item);
    OFFSET(PyListObject, allocated);
    SIZE(PyTupleObject);
#if PY_VERSION_HEX >= 0x030E0000
    OFFSET(PyTupleObject, ob_hash); /* 3.14: cached hash */
#endif
    OFFSET(PyTupleObject, ob_item);
    /* The decoder writes the values of dicts it copies (3.11+ tables, src/ffi/dict.rs). */
    SIZE(PyDictObject);
    OFFSET(PyDictObject, ma_used);
    OFFSET(PyDictObject, ma_keys);
    OFFSET(PyDictObject, ma_values);
#if PY_VERSION_HEX >= 0x030B0000
    /* Instances' attributes beside their class's shared keys (src/ffi/instance.rs). */
    OFFSET(PyHeapTypeObject, ht_cached_keys);
    VALUE("Py_TPFLAGS_MANAGED_DICT", Py_TPFLAGS_MANAGED_DICT);
#endif
#if PY_VERSION_HEX >= 0x030D0000
    VALUE("Py_TPFLAGS_INLINE_VALUES", Py_TPFLAGS_INLINE_VALUES);
#endif

    /* Slots dataclasses' fields read where their member descriptors say (src/ffi/member.rs). */
    OFFSET(PyDescrObject, d_type);
    OFFSET(PyMemberDescrObject, d_member);
    printf("offset PyMemberDef type_code %zu\n", offsetof(PyMemberDef, type));
    OFFSET(PyMemberDef, offset);
    OFFSET(PyMemberDef, flags);
#if PY_VERSION_HEX >= 0x030C0000
    VALUE("Py_T_OBJECT_EX", Py_T_OBJECT_EX);
    VALUE("Py_READONLY", Py_READONLY);
#else
    VALUE("Py_T_OBJECT_EX", T_OBJECT_EX);
    VALUE("Py_READONLY", READONLY);
#endif

    /* datetime's objects and C API capsule (the orjson face reads their fields). */
    OFFSET(PyDateTime_CAPI, DateType);
    OFFSET(PyDateTime_CAPI, DateTimeType);
    OFFSET(PyDateTime_CAPI, TimeType);
    OFFSET(PyDateTime_CAPI, DeltaType);
    OFFSET(PyDateTime_CAPI, TZInfoType);
    OFFSET(PyDateTime_CAPI, TimeZone_UTC);
    SIZE(PyDateTime_Date);
    OFFSET(PyDateTime_Date, hastzinfo);
    OFFSET(PyDateTime_Date, data);
    SIZE(PyDateTime_DateTime);
    OFFSET(PyDateTime_DateTime, hastzinfo);
    OFFSET(PyDateTime_DateTime, data);
    OFFSET(PyDateTime_DateTime, fold);
    OFFSET(PyDateTime_DateTime, tzinfo);
    SIZE(PyDateTime_Time);
    OFFSET(PyDateTime_Time, hastzinfo);
    OFFSET(PyDateTime_Time, data);
    OFFSET(PyDateTime_Time, fold);
    OFFSET(PyDateTime_Time, tzinfo);
    SIZE(PyDateTime_Delta);
    OFFSET(PyDateTime_Delta, days);
    OFFSET(PyDateTime_Delta, seconds);
    OFFSET(PyDateTime_Delta, microseconds);
    return 0;
}
