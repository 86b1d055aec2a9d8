//! The `rjson` extension module: its definition (multi-phase initialisation), its method
//! table and its per-module state. No Python object lives in a Rust static, so each
//! (sub)interpreter that imports rjson gets its own state.

use crate::decode::cache::DecoderCache;
use crate::encode::keys::KeyTexts;
use crate::stdlib::LastOptions;
use crate::py::{raise, Owned};
use pyo3_ffi::*;
use std::ffi::CStr;
use std::os::raw::{c_int, c_void};
use std::ptr;

/// Keyword and attribute names the public functions use, interned once per module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(usize)]
pub enum Name {
    Skipkeys,
    EnsureAscii,
    CheckCircular,
    AllowNan,
    Cls,
    Indent,
    Separators,
    Default,
    SortKeys,
    ObjectHook,
    ParseFloat,
    ParseInt,
    ParseConstant,
    ObjectPairsHook,
    Obj,
    S,
    Fp,
    O,
    OneShot,
    Idx,
    String,
    ItemSeparator,
    KeySeparator,
    Encode,
    Iterencode,
    Decode,
    RawDecode,
    ScanOnce,
    Strict,
    Write,
    Read,
    ArrayHook,
    Option,
    Int,
    Value,
    DictAttr,
    DataclassFields,
    Slots,
    FieldType,
    Dataclasses,
    FieldMarker,
    Utcoffset,
    Normalize,
    ValueField,
    Numpy,
    ArrayStruct,
    Dtype,
    Str,
}

pub const NAME_COUNT: usize = 48;

const NAME_TEXT: [&CStr; NAME_COUNT] = [
    c"skipkeys",
    c"ensure_ascii",
    c"check_circular",
    c"allow_nan",
    c"cls",
    c"indent",
    c"separators",
    c"default",
    c"sort_keys",
    c"object_hook",
    c"parse_float",
    c"parse_int",
    c"parse_constant",
    c"object_pairs_hook",
    c"obj",
    c"s",
    c"fp",
    c"o",
    c"_one_shot",
    c"idx",
    c"string",
    c"item_separator",
    c"key_separator",
    c"encode",
    c"iterencode",
    c"decode",
    c"raw_decode",
    c"scan_once",
    c"strict",
    c"write",
    c"read",
    c"array_hook",
    c"option",
    c"int",
    c"value",
    c"__dict__",
    c"__dataclass_fields__",
    c"__slots__",
    c"_field_type",
    c"dataclasses",
    c"_FIELD",
    c"utcoffset",
    c"normalize",
    c"_value_",
    c"numpy",
    c"__array_struct__",
    c"dtype",
    c"str",
];

impl Name {
    pub fn text(self) -> &'static CStr {
        NAME_TEXT[self as usize]
    }
}

/// Per-module state (`PyModule_GetState`): strong references, released by `m_clear`/`m_free`.
#[repr(C)]
pub struct State {
    /// `json.JSONDecodeError` itself, so `except json.JSONDecodeError` catches rjson's errors.
    pub json_decode_error: *mut PyObject,
    /// `json.decoder`'s NaN, PosInf and NegInf: `json.loads("NaN")` returns these very objects.
    pub nan: *mut PyObject,
    pub inf: *mut PyObject,
    pub neg_inf: *mut PyObject,
    /// What rjson's classes inherit and fall back on: `json.JSONEncoder.encode`,
    /// `.iterencode` and `.default`, `json.JSONDecoder.__init__`, `.decode` and `.raw_decode`.
    pub std_encode: *mut PyObject,
    pub std_iterencode: *mut PyObject,
    pub std_default: *mut PyObject,
    pub std_decoder_init: *mut PyObject,
    pub std_decode: *mut PyObject,
    pub std_raw_decode: *mut PyObject,
    /// `json.decoder._CONSTANTS`, whose `__getitem__` is `JSONDecoder`'s default `parse_constant`.
    pub std_constants: *mut PyObject,
    /// `rjson.JSONEncoder` and `rjson.JSONDecoder`.
    pub encoder_class: *mut PyObject,
    pub decoder_class: *mut PyObject,
    /// The functions behind their methods, to tell them from overrides.
    pub encode: *mut PyObject,
    pub iterencode: *mut PyObject,
    pub decode: *mut PyObject,
    pub raw_decode: *mut PyObject,
    /// The orjson face: its `JSONDecodeError` and `Fragment` types, and the types it
    /// serializes natively (`datetime`'s C API capsule, `uuid.UUID`, `enum.EnumMeta`), and
    /// `enum.Enum`'s own `value` attribute (`enum_value`).
    pub orjson_decode_error: *mut PyObject,
    pub fragment_type: *mut PyObject,
    pub datetime_capsule: *mut PyObject,
    pub uuid_type: *mut PyObject,
    pub enum_meta: *mut PyObject,
    pub enum_value: *mut PyObject,
    /// numpy's types, once the caller has imported numpy (`OPT_SERIALIZE_NUMPY`).
    pub numpy: crate::encode::numpy::NumpyTypes,
    /// Interned names, indexed by [`Name`].
    pub names: [*mut PyObject; NAME_COUNT],
    /// Object keys and buffers reused across `loads` calls (a `Box` owned by the module;
    /// emptied by `m_clear`, freed by `m_free`).
    pub decoder: *mut DecoderCache,
    /// Object keys as `dumps` writes them (a `Box` owned by the module; emptied by `m_clear`,
    /// freed by `m_free`).
    pub key_texts: *mut KeyTexts,
    /// The options of the last `dumps` call its keywords configured (a `Box` owned by the
    /// module; emptied by `m_clear`, freed by `m_free`).
    pub last_options: *mut LastOptions,
    /// The `PyDateTime_CAPI` inside `datetime_capsule`.
    pub datetime_api: *const crate::ffi::datetime::PyDateTime_CAPI,
}

impl State {
    pub fn name(&self, name: Name) -> *mut PyObject {
        self.names[name as usize]
    }

    fn objects(&mut self) -> impl Iterator<Item = &mut *mut PyObject> {
        [
            &mut self.json_decode_error,
            &mut self.nan,
            &mut self.inf,
            &mut self.neg_inf,
            &mut self.std_encode,
            &mut self.std_iterencode,
            &mut self.std_default,
            &mut self.std_decoder_init,
            &mut self.std_decode,
            &mut self.std_raw_decode,
            &mut self.std_constants,
            &mut self.encoder_class,
            &mut self.decoder_class,
            &mut self.encode,
            &mut self.iterencode,
            &mut self.decode,
            &mut self.raw_decode,
            &mut self.orjson_decode_error,
            &mut self.fragment_type,
            &mut self.datetime_capsule,
            &mut self.uuid_type,
            &mut self.enum_meta,
            &mut self.enum_value,
        ]
        .into_iter()
            .chain(self.names.iter_mut())
            .chain(self.numpy.objects())
    }
}

/// The state of the module `module` (the `self` of every module-level function).
///
/// # Safety
/// `module` must be an rjson module object whose exec slot ran.
#[inline(always)]
pub unsafe fn state<'a>(module: *mut PyObject) -> &'a State {
    // SAFETY: m_size reserves a State for every rjson module; exec filled it.
    unsafe { &*PyModule_GetState(module).cast::<State>() }
}

/// A `METH_FASTCALL | METH_KEYWORDS` function definition.
pub const fn function(name: &'static CStr, meth: PyCFunctionFastWithKeywords, doc: &'static CStr) -> PyMethodDef {
    PyMethodDef {
        ml_name: name.as_ptr(),
        ml_meth: PyMethodDefPointer { PyCFunctionFastWithKeywords: meth },
        ml_flags: METH_FASTCALL | METH_KEYWORDS,
        ml_doc: doc.as_ptr(),
    }
}

static mut METHODS: [PyMethodDef; 6] = [
    function(
        c"dumps",
        crate::stdlib::dumps,
        c"dumps(obj, *, skipkeys=False, ensure_ascii=True, check_circular=True, allow_nan=True, \
cls=None, indent=None, separators=None, default=None, sort_keys=False, **kw)\n--\n\n\
Serialize obj to a JSON formatted str, exactly as json.dumps does.",
    ),
    function(
        c"dump",
        crate::stdlib::dump,
        c"dump(obj, fp, *, skipkeys=False, ensure_ascii=True, check_circular=True, allow_nan=True, \
cls=None, indent=None, separators=None, default=None, sort_keys=False, **kw)\n--\n\n\
Serialize obj as a JSON formatted stream to fp (a .write()-supporting file-like object), \
as json.dump does (in fewer, larger chunks).",
    ),
    function(
        c"loads",
        crate::stdlib::loads,
        c"loads(s, *, cls=None, object_hook=None, parse_float=None, parse_int=None, \
parse_constant=None, object_pairs_hook=None, **kw)\n--\n\n\
Deserialize s (a str, bytes, bytearray or C-contiguous memoryview holding a JSON document) \
to a Python object, exactly as json.loads does (array_hook too, from Python 3.15).",
    ),
    function(
        c"load",
        crate::stdlib::load,
        c"load(fp, *, cls=None, object_hook=None, parse_float=None, parse_int=None, \
parse_constant=None, object_pairs_hook=None, **kw)\n--\n\n\
Deserialize fp.read() to a Python object, exactly as json.load does.",
    ),
    function(
        c"_purge",
        purge,
        c"_purge()\n--\n\n\
Let go of what rjson keeps between calls (object keys, as loads makes them and as dumps \
writes them, loads' object shapes, dumps' last options), as re.purge() does for re's cache. Tests call it to count references exactly.",
    ),
    PyMethodDef::zeroed(),
];

const SLOT_COUNT: usize = 2 + cfg!(py_3_12) as usize;

static mut SLOTS: [PyModuleDef_Slot; SLOT_COUNT] = [
    PyModuleDef_Slot { slot: Py_mod_exec, value: module_exec as *mut c_void },
    // All state is per module and nothing is shared between interpreters.
    #[cfg(py_3_12)]
    PyModuleDef_Slot { slot: Py_mod_multiple_interpreters, value: Py_MOD_PER_INTERPRETER_GIL_SUPPORTED },
    PyModuleDef_Slot { slot: 0, value: ptr::null_mut() },
];

static mut MODULE_DEF: PyModuleDef = PyModuleDef {
    m_base: PyModuleDef_HEAD_INIT,
    m_name: c"rjson".as_ptr(),
    m_doc: c"Fast JSON for Python, an exact drop-in for the standard library's json module.".as_ptr(),
    m_size: std::mem::size_of::<State>() as Py_ssize_t,
    m_methods: (&raw mut METHODS).cast(),
    m_slots: (&raw mut SLOTS).cast(),
    m_traverse: Some(module_traverse),
    m_clear: Some(module_clear),
    m_free: Some(module_free),
};

/// Entry point called by the import system.
#[allow(non_snake_case)]
#[no_mangle]
pub unsafe extern "C" fn PyInit_rjson() -> *mut PyObject {
    // SAFETY: MODULE_DEF is a valid, 'static module definition; the GIL is held by the import.
    unsafe { PyModuleDef_Init(&raw mut MODULE_DEF) }
}

unsafe extern "C" fn module_exec(module: *mut PyObject) -> c_int {
    // SAFETY: called once per module object with the GIL held; the state was zeroed by CPython.
    match unsafe { init_state(module) } {
        Some(()) => 0,
        None => -1,
    }
}

/// Fills the module state and the module's attributes; `None` with a Python error set.
unsafe fn init_state(module: *mut PyObject) -> Option<()> {
    // SAFETY: the state is a zeroed State owned by `module`; each stored pointer is a strong
    // reference that `module_clear` releases, including after a partial failure here.
    unsafe {
        let st = &mut *PyModule_GetState(module).cast::<State>();
        st.decoder = Box::into_raw(Box::new(DecoderCache::new()));
        st.key_texts = Box::into_raw(Box::default());
        st.last_options = Box::into_raw(Box::default());
        for (slot, text) in st.names.iter_mut().zip(NAME_TEXT) {
            *slot = PyUnicode_InternFromString(text.as_ptr());
            if slot.is_null() {
                return None;
            }
        }
        let decoder = Owned::new(PyImport_ImportModule(c"json.decoder".as_ptr()))?;
        let attr = |name: &CStr| PyObject_GetAttrString(decoder.as_ptr(), name.as_ptr());
        st.json_decode_error = attr(c"JSONDecodeError");
        st.nan = attr(c"NaN");
        st.inf = attr(c"PosInf");
        st.neg_inf = attr(c"NegInf");
        if st.json_decode_error.is_null() || st.nan.is_null() || st.inf.is_null() || st.neg_inf.is_null() {
            return None;
        }
        add_attribute(module, c"JSONDecodeError", Owned::borrowed(st.json_decode_error))?;
        crate::stdlib::add_classes(module, st)?;
        crate::orjson::add_face(module, st)?;
        let built_for = Owned::new(Py_BuildValue(c"(ii)".as_ptr(), 3 as c_int, built_for_minor() as c_int))?;
        add_attribute(module, c"__built_for__", built_for)?;
        let version = env!("CARGO_PKG_VERSION");
        let version = Owned::new(PyUnicode_FromStringAndSize(version.as_ptr().cast(), version.len() as Py_ssize_t))?;
        add_attribute(module, c"__version__", version)?;
        add_attribute(module, c"_avx512", Owned::new(PyBool_FromLong(crate::cpu::has_avx512().into()))?)?;
    }
    Some(())
}

/// The CPython minor version this module was compiled for (build.rs reads it from the headers).
fn built_for_minor() -> u32 {
    let version = env!("RJSON_BUILT_FOR");
    version.split('.').nth(1).and_then(|m| m.parse().ok()).unwrap_or(0)
}

/// The module-bound functions of `defs`.
pub unsafe fn functions<const N: usize>(module: *mut PyObject, defs: *mut [PyMethodDef; N]) -> Option<[Owned; N]> {
    // SAFETY: the definitions are 'static; each function holds a reference to the module.
    unsafe {
        let name = Owned::new(PyModule_GetNameObject(module))?;
        let made: Vec<Owned> = (0..N)
            .map(|k| Owned::new(PyCFunction_NewEx((*defs).as_mut_ptr().add(k), module, name.as_ptr())))
            .collect::<Option<_>>()?;
        made.try_into().ok()
    }
}

/// `rjson.<name>` as a module of its own in `sys.modules` (`import rjson.decoder` works), as
/// `json.encoder` and `json.decoder` are.
pub unsafe fn add_submodule(module: *mut PyObject, name: &CStr, members: &[(&CStr, &Owned)]) -> Option<()> {
    // SAFETY: GIL held; new references are owned by `Owned` or handed to the module.
    unsafe {
        let full = format!("rjson.{}\0", name.to_str().ok()?);
        let sub = Owned::new(PyModule_New(full.as_ptr().cast()))?;
        for (member, value) in members {
            add_attribute(sub.as_ptr(), member, Owned::borrowed(value.as_ptr()))?;
        }
        let modules = PyImport_GetModuleDict();
        if PyDict_SetItemString(modules, full.as_ptr().cast(), sub.as_ptr()) != 0 {
            return None;
        }
        add_attribute(module, name, sub)
    }
}

/// Adds `value` to `module` as `name`.
///
/// # Safety
/// GIL held; `module` a live module.
pub unsafe fn add_attribute(module: *mut PyObject, name: &CStr, value: Owned) -> Option<()> {
    // SAFETY: PyModule_AddObjectRef takes its own reference; ours is released by `value`.
    #[cfg(py_3_10)]
    let added = unsafe { PyModule_AddObjectRef(module, name.as_ptr(), value.as_ptr()) } == 0;
    // SAFETY: PyModule_AddObject steals the reference on success only; on failure `value`
    // still owns it and releases it.
    #[cfg(not(py_3_10))]
    let added = unsafe { PyModule_AddObject(module, name.as_ptr(), value.as_ptr()) } == 0 && {
        std::mem::forget(value);
        true
    };
    added.then_some(())
}

unsafe extern "C" fn module_traverse(module: *mut PyObject, visit: visitproc, arg: *mut c_void) -> c_int {
    // SAFETY: the GC calls this with a live module; the state may be NULL before exec ran.
    unsafe {
        let st = PyModule_GetState(module).cast::<State>();
        if st.is_null() {
            return 0;
        }
        for obj in (*st).objects() {
            if !obj.is_null() {
                let rc = visit(*obj, arg);
                if rc != 0 {
                    return rc;
                }
            }
        }
    }
    0
}

unsafe extern "C" fn purge(
    module: *mut PyObject,
    _args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: called by the interpreter with the GIL held, `module` being this module, whose
    // state's Boxes live as long as it does. No rjson call can be using the caches meanwhile:
    // dumps uses its key texts only in the fast walk, which runs no Python code, its last
    // options are left alone while in use, and loads takes one key or shape from its cache
    // at a time (a hook may run between two, not during one).
    unsafe {
        if nargs != 0 || (!kwnames.is_null() && PyTuple_GET_SIZE(kwnames) != 0) {
            raise(PyExc_TypeError, "_purge() takes no arguments");
            return ptr::null_mut();
        }
        // Not the decoder's buffers: a parse a hook called this from is using them.
        let st = PyModule_GetState(module).cast::<State>();
        if let Some(cache) = (*st).decoder.as_mut() {
            cache.release_kept();
        }
        release_dumps_caches(st);
        let none = Py_None();
        Py_INCREF(none);
        none
    }
}

unsafe extern "C" fn module_clear(module: *mut PyObject) -> c_int {
    // SAFETY: releases each strong reference once and nulls it, so a second clear is a no-op.
    unsafe {
        let st = PyModule_GetState(module).cast::<State>();
        if st.is_null() {
            return 0;
        }
        for obj in (*st).objects() {
            let old = std::mem::replace(obj, ptr::null_mut());
            if !old.is_null() {
                Py_DECREF(old);
            }
        }
        if let Some(cache) = (*st).decoder.as_mut() {
            cache.clear();
        }
        release_dumps_caches(st);
    }
    0
}

/// Releases what `dumps` keeps between calls: the key texts and the last options.
///
/// # Safety
/// GIL held; `st` is a module's live state.
unsafe fn release_dumps_caches(st: *mut State) {
    // SAFETY: the Boxes are the module's, live until its free; see `purge` for why no call
    // can be using them.
    unsafe {
        if let Some(keys) = (*st).key_texts.as_mut() {
            keys.clear();
        }
        if let Some(last) = (*st).last_options.as_mut() {
            last.clear();
        }
    }
}

unsafe extern "C" fn module_free(module: *mut c_void) {
    // SAFETY: called once when the module object is deallocated; the cache Box was made by
    // `init_state` and is freed here only.
    unsafe {
        module_clear(module.cast());
        let st = PyModule_GetState(module.cast()).cast::<State>();
        if !st.is_null() && !(*st).decoder.is_null() {
            drop(Box::from_raw(std::mem::replace(&mut (*st).decoder, ptr::null_mut())));
        }
        if !st.is_null() && !(*st).key_texts.is_null() {
            drop(Box::from_raw(std::mem::replace(&mut (*st).key_texts, ptr::null_mut())));
        }
        if !st.is_null() && !(*st).last_options.is_null() {
            drop(Box::from_raw(std::mem::replace(&mut (*st).last_options, ptr::null_mut())));
        }
    }
}
