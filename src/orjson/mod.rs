//! The orjson face, `rjson.orjson`: orjson 3.13's API (`dumps` to bytes, `loads`, `Fragment`,
//! `JSONEncodeError`, `JSONDecodeError`, the `OPT_*` flags) over the same encoder and decoder
//! as the standard library's face, configured as orjson behaves.

mod dumps;
mod fragment;
mod loads;

use crate::encode::opt;
use crate::module::{add_submodule, function, functions, Name, State};
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

/// The types `dumps` serializes natively, imported at its first call (not when rjson is
/// imported: `datetime` and `uuid` cost milliseconds that the standard library's face
/// never needs).
///
/// # Safety
/// GIL held; `st` the state of a module whose exec slot ran.
unsafe fn load_native_types(st: &mut State) -> Option<()> {
    if !st.uuid_type.is_null() {
        return Some(());
    }
    // SAFETY: new references are owned by `Owned` or stored in the state, which the module's
    // clear slot releases; `uuid_type`, set last, marks the whole as loaded.
    unsafe {
        let import = |name: &CStr| Owned::new(PyImport_ImportModule(name.as_ptr()));
        let attr = |module: &Owned, name: &CStr| Owned::new(PyObject_GetAttrString(module.as_ptr(), name.as_ptr()));
        let enum_module = import(c"enum")?;
        let enum_meta = attr(&enum_module, c"EnumMeta")?;
        // What `member.value` finds on a class that does not redefine it (a property that
        // returns `member._value_`).
        let enum_class = attr(&enum_module, c"Enum")?;
        let enum_dict = (*enum_class.as_ptr().cast::<PyTypeObject>()).tp_dict;
        let found = if enum_dict.is_null() { std::ptr::null_mut() } else { PyDict_GetItemWithError(enum_dict, st.name(Name::Value)) };
        if found.is_null() && !PyErr_Occurred().is_null() {
            return None;
        }
        // None if `enum.Enum` has no `value` of its own: then no enum's value is read directly.
        let enum_value = Owned::borrowed(if found.is_null() { Py_None() } else { found });
        let uuid_type = attr(&import(c"uuid")?, c"UUID")?;
        // Where `datetime` is the pure-Python one (CPython 3.12's C `_datetime` cannot load in
        // an isolated subinterpreter), it has no C API and no C structs: its objects are then
        // not native to the orjson face.
        let capsule = attr(&import(c"datetime")?, c"datetime_CAPI");
        if let Some(capsule) = capsule {
            let api = PyCapsule_GetPointer(capsule.as_ptr(), c"datetime.datetime_CAPI".as_ptr());
            if api.is_null() {
                return None;
            }
            st.datetime_api = api.cast();
            Py_XDECREF(std::mem::replace(&mut st.datetime_capsule, capsule.into_raw()));
        } else {
            PyErr_Clear();
        }
        Py_XDECREF(std::mem::replace(&mut st.enum_meta, enum_meta.into_raw()));
        Py_XDECREF(std::mem::replace(&mut st.enum_value, enum_value.into_raw()));
        st.uuid_type = uuid_type.into_raw();
    }
    Some(())
}

/// Fills the face's part of the state and adds `rjson.orjson` (also in `sys.modules`).
///
/// # Safety
/// GIL held; called once by the module's exec slot, after the state's names are interned.
/// The native types are loaded later, by [`load_native_types`].
pub unsafe fn add_face(module: *mut PyObject, st: &mut State) -> Option<()> {
    // SAFETY: new references are owned by `Owned` or stored in the state, which the module's
    // clear slot releases.
    unsafe {
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
            let name = Owned::new(PyUnicode_FromString(name.as_ptr()))?;
            // PyTuple_SetItem steals the str (and releases it on failure).
            if PyTuple_SetItem(all.as_ptr(), k as Py_ssize_t, name.into_raw()) != 0 {
                return None;
            }
        }
        members.push((c"__all__", all));
        let members: Vec<(&CStr, &Owned)> = members.iter().map(|(name, value)| (*name, value)).collect();
        add_submodule(module, c"orjson", &members)
    }
}
