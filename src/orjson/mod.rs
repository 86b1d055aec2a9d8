//! The orjson face, `rjson.orjson`: orjson 3.13's API (`dumps` to bytes, `loads`, `Fragment`,
//! `JSONEncodeError`, `JSONDecodeError`, the `OPT_*` flags) over the same encoder and decoder
//! as the standard library's face, configured as orjson behaves.

mod dumps;
mod fragment;
mod loads;

use crate::encode::opt;
use crate::module::{add_submodule, function, functions, State};
use crate::py::Owned;
use pyo3_ffi::*;
use std::ffi::CStr;

static mut METHODS: [PyMethodDef; 2] = [
    function(
        c"dumps",
        dumps::dumps,
        c"dumps(obj, /, default=None, option=None)\n--\n\nSerialize Python objects to JSON (bytes), as orjson.dumps does.",
    ),
    function(c"loads", loads::loads, c"loads(obj, /)\n--\n\nDeserialize JSON to Python objects, as orjson.loads does."),
];

/// orjson's option names and bits.
const OPTIONS: [(&CStr, u32); 14] = [
    (c"OPT_APPEND_NEWLINE", opt::APPEND_NEWLINE),
    (c"OPT_INDENT_2", opt::INDENT_2),
    (c"OPT_NAIVE_UTC", opt::NAIVE_UTC),
    (c"OPT_NON_STR_KEYS", opt::NON_STR_KEYS),
    (c"OPT_OMIT_MICROSECONDS", opt::OMIT_MICROSECONDS),
    (c"OPT_PASSTHROUGH_DATACLASS", opt::PASSTHROUGH_DATACLASS),
    (c"OPT_PASSTHROUGH_DATETIME", opt::PASSTHROUGH_DATETIME),
    (c"OPT_PASSTHROUGH_SUBCLASS", opt::PASSTHROUGH_SUBCLASS),
    // Always on in orjson 3: kept for code that still passes them.
    (c"OPT_SERIALIZE_DATACLASS", 0),
    (c"OPT_SERIALIZE_NUMPY", opt::SERIALIZE_NUMPY),
    (c"OPT_SERIALIZE_UUID", 0),
    (c"OPT_SORT_KEYS", opt::SORT_KEYS),
    (c"OPT_STRICT_INTEGER", opt::STRICT_INTEGER),
    (c"OPT_UTC_Z", opt::UTC_Z),
];

/// Fills the face's part of the state and adds `rjson.orjson` (also in `sys.modules`).
///
/// # Safety
/// GIL held; called once by the module's exec slot, after the state's names are interned.
pub unsafe fn add_face(module: *mut PyObject, st: &mut State) -> Option<()> {
    // SAFETY: new references are owned by `Owned` or stored in the state, which the module's
    // clear slot releases.
    unsafe {
        let import = |name: &CStr| Owned::new(PyImport_ImportModule(name.as_ptr()));
        let attr = |module: &Owned, name: &CStr| PyObject_GetAttrString(module.as_ptr(), name.as_ptr());
        st.datetime_capsule = attr(&import(c"datetime")?, c"datetime_CAPI");
        st.uuid_type = attr(&import(c"uuid")?, c"UUID");
        st.enum_meta = attr(&import(c"enum")?, c"EnumMeta");
        if st.datetime_capsule.is_null() || st.uuid_type.is_null() || st.enum_meta.is_null() {
            return None;
        }
        st.datetime_api = PyCapsule_GetPointer(st.datetime_capsule, c"datetime.datetime_CAPI".as_ptr()).cast();
        if st.datetime_api.is_null() {
            return None;
        }
        st.fragment_type = fragment::new_type(module)?.into_raw();
        st.orjson_decode_error = PyErr_NewException(c"rjson.orjson.JSONDecodeError".as_ptr(), st.json_decode_error, std::ptr::null_mut());
        if st.orjson_decode_error.is_null() {
            return None;
        }

        let [dumps, loads] = functions(module, &raw mut METHODS)?;
        let mut members: Vec<(&CStr, Owned)> = vec![
            (c"dumps", dumps),
            (c"loads", loads),
            (c"Fragment", Owned::borrowed(st.fragment_type)),
            (c"JSONDecodeError", Owned::borrowed(st.orjson_decode_error)),
            // As in orjson, the encode error is TypeError itself.
            (c"JSONEncodeError", Owned::borrowed(PyExc_TypeError)),
            (c"__version__", Owned::new(PyUnicode_FromString(concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()))?),
        ];
        for (name, bits) in OPTIONS {
            members.push((name, Owned::new(PyLong_FromUnsignedLong(bits.into()))?));
        }
        let all = Owned::new(PyTuple_New(members.len() as Py_ssize_t))?;
        for (k, (name, _)) in members.iter().enumerate() {
            // PyTuple_SetItem steals the new str.
            if PyTuple_SetItem(all.as_ptr(), k as Py_ssize_t, PyUnicode_FromString(name.as_ptr())) != 0 {
                return None;
            }
        }
        members.push((c"__all__", all));
        let members: Vec<(&CStr, &Owned)> = members.iter().map(|(name, value)| (*name, value)).collect();
        add_submodule(module, c"orjson", &members)
    }
}
