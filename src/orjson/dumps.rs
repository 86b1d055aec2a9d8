//! `rjson.orjson.dumps(obj, /, default=None, option=None) -> bytes`: the shared encoder
//! configured as orjson: compact UTF-8, no escaping beyond JSON's, orjson's types and errors.

use crate::args::Call;
use crate::encode::{encode_to_bytes, opt, Options, Orjson, Text};
use crate::encode::native::NativeTypes;
use crate::module::{Name, State};
use crate::py::raise;
use pyo3_ffi::*;
use std::ptr::{null, null_mut};

pub unsafe extern "C" fn dumps(
    module: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: the interpreter passes a valid vectorcall argument array with the GIL held, and
    // `module` is this extension's module object.
    unsafe {
        let Some((_, call, [default_kw, option_kw], extra)) =
            Call::read_with_extra(module, args, nargs, kwnames, &[Name::Default, Name::Option])
        else {
            return null_mut();
        };
        if call.nargs == 0 {
            raise(PyExc_TypeError, "dumps() missing 1 required positional argument: 'obj'");
            return null_mut();
        }
        if extra.is_some() {
            raise(PyExc_TypeError, "dumps() got an unexpected keyword argument");
            return null_mut();
        }
        if call.nargs > 3 {
            raise(PyExc_TypeError, &format!("dumps() takes at most 3 positional arguments ({} given)", call.nargs));
            return null_mut();
        }
        let positional = |k: usize| if call.nargs > k { *call.args.add(k) } else { null_mut() };
        let (mut default, mut option) = (positional(1), positional(2));
        for (name, given, slot) in [("default", default_kw, &mut default), ("option", option_kw, &mut option)] {
            if !given.is_null() {
                if !slot.is_null() {
                    raise(PyExc_TypeError, &format!("dumps() got multiple values for argument: '{name}'"));
                    return null_mut();
                }
                *slot = given;
            }
        }
        let Some(bits) = read_option(option) else {
            return null_mut();
        };
        // SAFETY: the module's state, used under the GIL for this call only.
        let state = &mut *PyModule_GetState(module).cast::<State>();
        if super::load_native_types(state).is_none() {
            return null_mut();
        }
        if bits & opt::SERIALIZE_NUMPY != 0 {
            let names = native_types(state);
            if state.numpy.load(&names).is_none() {
                return null_mut();
            }
        }
        // As in orjson, `default=None` given explicitly is a default (one that fails when called).
        let options = settings(state, bits, default);
        encode_to_bytes(&options, *call.args, state.key_texts)
    }
}

/// `option`: None or an int made of orjson's bits.
unsafe fn read_option(option: *mut PyObject) -> Option<u32> {
    // SAFETY: `option` is NULL or live; GIL held.
    unsafe {
        if option.is_null() || option == Py_None() {
            return Some(0);
        }
        if PyLong_CheckExact(option) != 0 {
            let value = PyLong_AsLongLong(option);
            if (0..=i64::from(opt::ALL)).contains(&value) {
                return Some(value as u32);
            }
            PyErr_Clear();
        }
        raise(PyExc_TypeError, "Invalid opts");
        None
    }
}

/// The encoder configured as orjson with `bits`.
unsafe fn settings(state: &State, bits: u32, default: *mut PyObject) -> Options {
    let indent = bits & opt::INDENT_2 != 0;
    let mut types = native_types(state);
    if bits & opt::SERIALIZE_NUMPY == 0 {
        types.numpy = null();
    }
    Options {
        skipkeys: false,
        ensure_ascii: false,
        check_circular: false,
        allow_nan: true,
        sort_keys: false,
        indent: indent.then(|| Text::ascii("  ")),
        item_separator: Text::ascii(","),
        key_separator: Text::ascii(if indent { ": " } else { ":" }),
        default,
        python_encoder: false,
        orjson: Some(Orjson { bits, types }),
    }
}

/// The native types and names, borrowed from the module state.
fn native_types(state: &State) -> NativeTypes {
    NativeTypes {
        datetime: state.datetime_api,
        uuid: state.uuid_type,
        enum_meta: state.enum_meta,
        enum_value: state.enum_value,
        fragment: state.fragment_type,
        int_name: state.name(Name::Int),
        value_name: state.name(Name::Value),
        dict_name: state.name(Name::DictAttr),
        fields_name: state.name(Name::DataclassFields),
        slots_name: state.name(Name::Slots),
        field_type_name: state.name(Name::FieldType),
        dataclasses_name: state.name(Name::Dataclasses),
        field_marker_name: state.name(Name::FieldMarker),
        utcoffset_name: state.name(Name::Utcoffset),
        normalize_name: state.name(Name::Normalize),
        value_field_name: state.name(Name::ValueField),
        numpy: if state.numpy.loaded() { &state.numpy } else { null() },
        numpy_name: state.name(Name::Numpy),
        array_struct_name: state.name(Name::ArrayStruct),
        dtype_name: state.name(Name::Dtype),
        str_name: state.name(Name::Str),
    }
}
