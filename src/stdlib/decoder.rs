//! The methods of `rjson.JSONDecoder`, and its `scan_once`. `__init__` is `json`'s, followed
//! by rjson's scanner, which captures the hooks then as `json`'s C scanner does. `decode` and
//! `raw_decode` run the engine when the instance's `scan_once` is rjson's scanner and its
//! `raw_decode` is not overridden; otherwise `json`'s own methods run.

use super::classes::is_method_of;
use super::delegate;
use crate::decode::{decode_document, decode_value_at, Config, Hooks, NoValue};
use crate::module::{state, Name, State};
use crate::py::{raise, tp_name, Owned};
use pyo3_ffi::*;
use std::ptr::null_mut;

/// `JSONDecoder.__init__(self, *, object_hook=None, ...)`.
pub unsafe extern "C" fn init(
    module: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: the interpreter passes a valid vectorcall argument array with the GIL held;
    // `module` is the rjson module the method is bound to.
    unsafe {
        let state = state(module);
        let Some(done) = Owned::new(delegate(state.std_decoder_init, args, nargs, kwnames)) else {
            return null_mut();
        };
        let decoder = *args;
        let Some(scanner) = make_scanner(state, module, decoder) else {
            return null_mut();
        };
        if PyObject_SetAttr(decoder, state.name(Name::ScanOnce), scanner.as_ptr()) != 0 {
            return null_mut();
        }
        done.into_raw()
    }
}

/// `JSONDecoder.decode(self, s, _w=WHITESPACE.match)`.
pub unsafe extern "C" fn decode(
    module: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: as for `init`.
    unsafe {
        let state = state(module);
        if nargs == 2 && kwnames.is_null() && PyUnicode_Check(*args.add(1)) != 0 {
            match engine_scanner(state, *args, true) {
                None => return null_mut(),
                Some(Some(scanner)) => {
                    let (hooks, strict) = scanner_settings(scanner.as_ptr());
                    return decode_document(state, *args.add(1), Config { hooks: &hooks, strict, orjson: false }, false);
                }
                Some(None) => {}
            }
        }
        delegate(state.std_decode, args, nargs, kwnames)
    }
}

/// `JSONDecoder.raw_decode(self, s, idx=0)`.
pub unsafe extern "C" fn raw_decode(
    module: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: as for `init`.
    unsafe {
        let state = state(module);
        let idx = match (nargs, kwnames.is_null()) {
            (2, true) => Some(0),
            (3, true) => plain_index(*args.add(2)),
            (2, false) if PyTuple_GET_SIZE(kwnames) == 1 && PyTuple_GET_ITEM(kwnames, 0) == state.name(Name::Idx) => {
                plain_index(*args.add(2))
            }
            _ => None,
        };
        if let Some(idx) = idx.filter(|_| PyUnicode_Check(*args.add(1)) != 0) {
            match engine_scanner(state, *args, false) {
                None => return null_mut(),
                Some(Some(scanner)) => {
                    let (hooks, strict) = scanner_settings(scanner.as_ptr());
                    let config = Config { hooks: &hooks, strict, orjson: false };
                    return decode_value_at(state, *args.add(1), idx, config, NoValue::DecodeError);
                }
                Some(None) => {}
            }
        }
        delegate(state.std_raw_decode, args, nargs, kwnames)
    }
}

/// An index the engine takes as is: an exact non-negative int (anything else goes through
/// `json`'s `raw_decode` and the scanner's own argument checks).
unsafe fn plain_index(idx: *mut PyObject) -> Option<usize> {
    // SAFETY: `idx` is live; GIL held.
    unsafe {
        if PyLong_CheckExact(idx) == 0 {
            return None;
        }
        let value = PyLong_AsSsize_t(idx);
        if value < 0 {
            PyErr_Clear();
            return None;
        }
        Some(value as usize)
    }
}

/// The decoder's `scan_once` when the engine may decode for it: rjson's scanner, and (for
/// `decode`, with `check_raw_decode`) `raw_decode` not overridden. `None` with an exception set.
unsafe fn engine_scanner(state: &State, decoder: *mut PyObject, check_raw_decode: bool) -> Option<Option<Owned>> {
    // SAFETY: attributes read are owned here.
    unsafe {
        if check_raw_decode {
            let raw = Owned::new(PyObject_GetAttr(decoder, state.name(Name::RawDecode)))?;
            if !is_method_of(raw.as_ptr(), &[state.raw_decode, state.std_raw_decode]) {
                return Some(None);
            }
        }
        let scanner = Owned::new(PyObject_GetAttr(decoder, state.name(Name::ScanOnce)))?;
        Some(is_scanner(scanner.as_ptr()).then_some(scanner))
    }
}

static mut SCAN_ONCE: PyMethodDef = PyMethodDef {
    ml_name: c"scan_once".as_ptr(),
    ml_meth: PyMethodDefPointer { PyCFunctionFastWithKeywords: scan_once },
    ml_flags: METH_FASTCALL | METH_KEYWORDS,
    ml_doc: c"scan_once(string, idx) -> (value, end): the JSON value at string[idx:].".as_ptr(),
};

/// Positions in a scanner's captured settings (the tuple it is bound to).
const MODULE: usize = 0;
const STRICT: usize = 1;
/// Then the hooks, in `Hooks`' field order (None where the standard behaviour applies).
const HOOKS: usize = 2;

/// A scanner for `decoder`: its settings read as `json`'s `c_make_scanner` reads them,
/// normalised so `None` stands for the standard behaviour.
unsafe fn make_scanner(state: &State, module: *mut PyObject, decoder: *mut PyObject) -> Option<Owned> {
    // SAFETY: GIL held; every attribute is owned until the tuple takes it.
    unsafe {
        let attr = |name: Name| Owned::new(PyObject_GetAttr(decoder, state.name(name)));
        let strict = attr(Name::Strict)?;
        let strict = match PyObject_IsTrue(strict.as_ptr()) {
            -1 => return None,
            flag => flag == 1,
        };
        let object_hook = attr(Name::ObjectHook)?;
        let object_pairs_hook = attr(Name::ObjectPairsHook)?;
        let array_hook = if cfg!(py_3_15) { attr(Name::ArrayHook)? } else { Owned::borrowed(Py_None()) };
        let parse_float = attr(Name::ParseFloat)?;
        let parse_int = attr(Name::ParseInt)?;
        let parse_constant = attr(Name::ParseConstant)?;
        let hooks = standard_as_null(
            state,
            Hooks {
                object_hook: object_hook.as_ptr(),
                object_pairs_hook: object_pairs_hook.as_ptr(),
                array_hook: array_hook.as_ptr(),
                parse_float: parse_float.as_ptr(),
                parse_int: parse_int.as_ptr(),
                parse_constant: parse_constant.as_ptr(),
            },
        );
        let or_none = |hook: *mut PyObject| if hook.is_null() { Py_None() } else { hook };
        let captured = Owned::new(Py_BuildValue(
            c"(OOOOOOOO)".as_ptr(),
            module,
            if strict { Py_True() } else { Py_False() },
            or_none(hooks.object_hook),
            or_none(hooks.object_pairs_hook),
            or_none(hooks.array_hook),
            or_none(hooks.parse_float),
            or_none(hooks.parse_int),
            or_none(hooks.parse_constant),
        ))?;
        Owned::new(PyCFunction_NewEx(&raw mut SCAN_ONCE, captured.as_ptr(), null_mut()))
    }
}

/// `hooks` with every hook that does what the engine does anyway replaced by NULL: `None`
/// hooks, `float` and `int` as number parsers, and `json.decoder._CONSTANTS.__getitem__`.
///
/// # Safety
/// GIL held; the hooks are NULL or live.
pub unsafe fn standard_as_null(state: &State, hooks: Hooks) -> Hooks {
    // SAFETY: pointer comparisons, and reading the `self` of a built-in method.
    unsafe {
        let none = |hook: *mut PyObject| if hook == Py_None() { null_mut() } else { hook };
        let not = |hook: *mut PyObject, builtin: *mut PyTypeObject| if hook.cast() == builtin { null_mut() } else { none(hook) };
        let parse_constant = none(hooks.parse_constant);
        let standard_constant = !parse_constant.is_null()
            && PyCFunction_Check(parse_constant) != 0
            && PyCFunction_GetSelf(parse_constant) == state.std_constants;
        Hooks {
            object_hook: none(hooks.object_hook),
            object_pairs_hook: none(hooks.object_pairs_hook),
            array_hook: none(hooks.array_hook),
            parse_float: not(hooks.parse_float, &raw mut PyFloat_Type),
            parse_int: not(hooks.parse_int, &raw mut PyLong_Type),
            parse_constant: if standard_constant { null_mut() } else { parse_constant },
        }
    }
}

fn scan_once_address() -> usize {
    let f: PyCFunctionFastWithKeywords = scan_once;
    f as usize
}

/// Whether `obj` is a scanner made by `make_scanner`.
unsafe fn is_scanner(obj: *mut PyObject) -> bool {
    // SAFETY: the function pointer is read only from a built-in function.
    unsafe {
        PyCFunction_Check(obj) != 0
            && PyCFunction_GetFunction(obj).map(|f| f as usize) == Some(scan_once_address())
    }
}

/// The hooks and `strict` a scanner captured (borrowed from it).
unsafe fn scanner_settings(scanner: *mut PyObject) -> (Hooks, bool) {
    // SAFETY: `scanner` passed `is_scanner`, so its self is the tuple `make_scanner` built.
    unsafe { captured_settings(PyCFunction_GetSelf(scanner)) }
}

unsafe fn captured_settings(captured: *mut PyObject) -> (Hooks, bool) {
    // SAFETY: `captured` is a scanner's settings tuple (see `make_scanner`).
    unsafe {
        let hook = |k: usize| {
            let obj = PyTuple_GET_ITEM(captured, (HOOKS + k) as Py_ssize_t);
            if obj == Py_None() { null_mut() } else { obj }
        };
        let hooks = Hooks {
            object_hook: hook(0),
            object_pairs_hook: hook(1),
            array_hook: hook(2),
            parse_float: hook(3),
            parse_int: hook(4),
            parse_constant: hook(5),
        };
        (hooks, PyTuple_GET_ITEM(captured, STRICT as Py_ssize_t) == Py_True())
    }
}

/// `scan_once(string, idx)`: the value at `string[idx]` and the index after it; raises
/// `StopIteration(idx)` when there is none, as `json`'s scanner does.
unsafe extern "C" fn scan_once(
    captured: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: `captured` is the tuple `make_scanner` bound; the interpreter passes a valid
    // vectorcall argument array with the GIL held.
    unsafe {
        let module = PyTuple_GET_ITEM(captured, MODULE as Py_ssize_t);
        let state = state(module);
        let (string, idx) = if nargs == 2 && kwnames.is_null() {
            let (string, idx) = (*args, *args.add(1));
            if PyUnicode_Check(string) == 0 {
                let name = tp_name(string);
                raise(PyExc_TypeError, &format!("first argument must be a string, not {name}"));
                return null_mut();
            }
            let Some(idx) = index_argument(idx) else {
                return null_mut();
            };
            (string, idx)
        } else {
            match scan_once_arguments(args, nargs, kwnames) {
                Some(parsed) => parsed,
                None => return null_mut(),
            }
        };
        let (hooks, strict) = captured_settings(captured);
        decode_value_at(state, string, idx, Config { hooks: &hooks, strict, orjson: false }, NoValue::StopIteration)
    }
}

/// Any other call of `scan_once`, parsed by CPython's own argument parser as `json`'s scanner
/// parses it (`"On:scan_once"`), for its exact messages.
unsafe fn scan_once_arguments(args: *const *mut PyObject, nargs: Py_ssize_t, kwnames: *mut PyObject) -> Option<(*mut PyObject, usize)> {
    // SAFETY: GIL held; the tuple and dict are owned here; the parsed string is borrowed
    // from the tuple or dict, which the caller's arguments keep alive.
    unsafe {
        let positional = Owned::new(PyTuple_New(nargs))?;
        for k in 0..nargs {
            PyTuple_SET_ITEM(positional.as_ptr(), k, Owned::borrowed(*args.add(k as usize)).into_raw());
        }
        let keywords = Owned::new(PyDict_New())?;
        let named = if kwnames.is_null() { 0 } else { PyTuple_GET_SIZE(kwnames) };
        for k in 0..named {
            if PyDict_SetItem(keywords.as_ptr(), PyTuple_GET_ITEM(kwnames, k), *args.add((nargs + k) as usize)) != 0 {
                return None;
            }
        }
        let names = [c"string".as_ptr(), c"idx".as_ptr(), std::ptr::null()];
        let (mut string, mut idx): (*mut PyObject, Py_ssize_t) = (null_mut(), 0);
        let format = c"On:scan_once".as_ptr();
        if PyArg_ParseTupleAndKeywords(positional.as_ptr(), keywords.as_ptr(), format, names.as_ptr() as _, &mut string, &mut idx) == 0 {
            return None;
        }
        if PyUnicode_Check(string) == 0 {
            let name = tp_name(string);
            raise(PyExc_TypeError, &format!("first argument must be a string, not {name}"));
            return None;
        }
        if idx < 0 {
            raise(PyExc_ValueError, "idx cannot be negative");
            return None;
        }
        Some((string, idx as usize))
    }
}

/// `idx` converted as the `n` argument format converts it; negative refused as `json`'s
/// scanner refuses it.
unsafe fn index_argument(idx: *mut PyObject) -> Option<usize> {
    // SAFETY: `idx` is live; GIL held.
    unsafe {
        if !cfg!(py_3_10) && PyFloat_Check(idx) != 0 {
            raise(PyExc_TypeError, "integer argument expected, got float");
            return None;
        }
        let index = Owned::new(PyNumber_Index(idx))?;
        let value = PyLong_AsSsize_t(index.as_ptr());
        if value == -1 && !PyErr_Occurred().is_null() {
            return None;
        }
        if value < 0 {
            raise(PyExc_ValueError, "idx cannot be negative");
            return None;
        }
        Some(value as usize)
    }
}
