//! `rjson.JSONEncoder` and `rjson.JSONDecoder`: classes made at import (per module, so per
//! interpreter) by calling `type()`, deriving from `json.JSONEncoder` / `json.JSONDecoder`.
//! Their methods are rjson functions bound to the module (which holds the state) and wrapped
//! as instance methods, so they receive the instance as their first argument.

use super::{decoder, encoder};
use crate::module::{add_attribute, add_submodule, function, functions, State};
use crate::py::Owned;
use pyo3_ffi::*;
use std::ffi::CStr;

extern "C" {
    // classobject.h; pyo3-ffi does not declare them.
    static mut PyMethod_Type: PyTypeObject;
    fn PyMethod_Function(method: *mut PyObject) -> *mut PyObject;
    fn PyInstanceMethod_New(func: *mut PyObject) -> *mut PyObject;
}

/// Whether `attr` (an attribute read from an instance) is a bound method of one of `funcs`:
/// tells rjson's and `json`'s own methods from a subclass's override.
///
/// # Safety
/// GIL held; `attr` live.
pub unsafe fn is_method_of(attr: *mut PyObject, funcs: &[*mut PyObject]) -> bool {
    // SAFETY: a bound method's function is read only after its type is checked.
    unsafe { Py_TYPE(attr) == &raw mut PyMethod_Type && funcs.contains(&PyMethod_Function(attr)) }
}

static mut ENCODER_METHODS: [PyMethodDef; 2] = [
    function(c"encode", encoder::encode, c"Return a JSON string representation of a Python data structure."),
    function(c"iterencode", encoder::iterencode, c"Encode the given object and yield each string representation as available."),
];

static mut DECODER_METHODS: [PyMethodDef; 3] = [
    function(c"__init__", decoder::init, c"Set up the decoder as json.JSONDecoder does."),
    function(c"decode", decoder::decode, c"Return the Python representation of s (a str instance containing a JSON document)."),
    function(c"raw_decode", decoder::raw_decode, c"Decode a JSON document from s (a str beginning with a JSON document) and return a 2-tuple of the Python representation and the index in s where the document ended."),
];

/// Makes both classes, records what they and `json`'s classes consist of in the state, and
/// adds them (and `rjson.encoder` / `rjson.decoder`) to the module.
///
/// # Safety
/// GIL held; called once by the module's exec slot with its zero-initialised state.
pub unsafe fn add_classes(module: *mut PyObject, st: &mut State) -> Option<()> {
    // SAFETY: every new reference is owned by an `Owned` or stored in the state, which the
    // module's clear slot releases.
    unsafe {
        let json = Owned::new(PyImport_ImportModule(c"json".as_ptr()))?;
        let std_encoder = Owned::new(PyObject_GetAttrString(json.as_ptr(), c"JSONEncoder".as_ptr()))?;
        let std_decoder = Owned::new(PyObject_GetAttrString(json.as_ptr(), c"JSONDecoder".as_ptr()))?;
        let get = |obj: &Owned, name: &CStr| PyObject_GetAttrString(obj.as_ptr(), name.as_ptr());
        st.std_encode = get(&std_encoder, c"encode");
        st.std_iterencode = get(&std_encoder, c"iterencode");
        st.std_default = get(&std_encoder, c"default");
        st.std_decoder_init = get(&std_decoder, c"__init__");
        st.std_decode = get(&std_decoder, c"decode");
        st.std_raw_decode = get(&std_decoder, c"raw_decode");
        let json_decoder = Owned::new(PyImport_ImportModule(c"json.decoder".as_ptr()))?;
        st.std_constants = get(&json_decoder, c"_CONSTANTS");
        let fetched = [st.std_encode, st.std_iterencode, st.std_default, st.std_decoder_init, st.std_decode, st.std_raw_decode, st.std_constants];
        if fetched.iter().any(|p| p.is_null()) {
            return None;
        }

        let [encode, iterencode] = functions(module, &raw mut ENCODER_METHODS)?;
        let [init, decode, raw_decode] = functions(module, &raw mut DECODER_METHODS)?;
        let encoder_class = new_class(
            c"JSONEncoder",
            &std_encoder,
            c"json.JSONEncoder, encoding with rjson.",
            &[(c"encode", &encode), (c"iterencode", &iterencode)],
        )?;
        let decoder_class = new_class(
            c"JSONDecoder",
            &std_decoder,
            c"json.JSONDecoder, decoding with rjson.",
            &[(c"__init__", &init), (c"decode", &decode), (c"raw_decode", &raw_decode)],
        )?;
        st.encode = encode.into_raw();
        st.iterencode = iterencode.into_raw();
        st.decode = decode.into_raw();
        st.raw_decode = raw_decode.into_raw();
        st.encoder_class = Owned::borrowed(encoder_class.as_ptr()).into_raw();
        st.decoder_class = Owned::borrowed(decoder_class.as_ptr()).into_raw();

        add_attribute(module, c"JSONEncoder", Owned::borrowed(encoder_class.as_ptr()))?;
        add_attribute(module, c"JSONDecoder", Owned::borrowed(decoder_class.as_ptr()))?;
        let error = Owned::borrowed(st.json_decode_error);
        add_submodule(module, c"encoder", &[(c"JSONEncoder", &encoder_class)])?;
        add_submodule(module, c"decoder", &[(c"JSONDecoder", &decoder_class), (c"JSONDecodeError", &error)])?;
    }
    Some(())
}

/// `type(name, (base,), namespace)` with `functions` as instance methods.
unsafe fn new_class(name: &CStr, base: &Owned, doc: &CStr, functions: &[(&CStr, &Owned)]) -> Option<Owned> {
    // SAFETY: GIL held; the namespace and its values are owned here until `type()` copies them.
    unsafe {
        let namespace = Owned::new(PyDict_New())?;
        let set = |key: &CStr, value: Owned| (PyDict_SetItemString(namespace.as_ptr(), key.as_ptr(), value.as_ptr()) == 0).then_some(());
        set(c"__module__", Owned::new(PyUnicode_FromString(c"rjson".as_ptr()))?)?;
        set(c"__doc__", Owned::new(PyUnicode_FromString(doc.as_ptr()))?)?;
        for (method_name, func) in functions {
            set(method_name, Owned::new(PyInstanceMethod_New(func.as_ptr()))?)?;
        }
        let type_object = (&raw mut PyType_Type).cast::<PyObject>();
        Owned::new(PyObject_CallFunction(type_object, c"s(O)O".as_ptr(), name.as_ptr(), base.as_ptr(), namespace.as_ptr()))
    }
}
