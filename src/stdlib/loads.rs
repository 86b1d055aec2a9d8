//! `rjson.loads` and `rjson.load`. Without `cls` and extra keywords the hooks configure the
//! engine directly; otherwise the call makes `cls(**kw)` (rjson's `JSONDecoder` by default)
//! and calls its `decode` on the text, as `json.loads` does.

use super::decoder::standard_as_null;
use crate::args::Call;
use crate::decode::{decode_document, document_text, Config, Hooks};
use crate::module::{Name, State};
use crate::py::Owned;
use pyo3_ffi::*;
use std::ffi::CStr;
use std::ptr::null_mut;

/// The hook keywords, in the order `json.loads` adds them to `cls`'s keywords.
#[cfg(not(py_3_15))]
const HOOKS: [(Name, &CStr); 5] = [
    (Name::ObjectHook, c"object_hook"),
    (Name::ObjectPairsHook, c"object_pairs_hook"),
    (Name::ParseFloat, c"parse_float"),
    (Name::ParseInt, c"parse_int"),
    (Name::ParseConstant, c"parse_constant"),
];
#[cfg(py_3_15)]
const HOOKS: [(Name, &CStr); 6] = [
    (Name::ObjectHook, c"object_hook"),
    (Name::ObjectPairsHook, c"object_pairs_hook"),
    (Name::ArrayHook, c"array_hook"),
    (Name::ParseFloat, c"parse_float"),
    (Name::ParseInt, c"parse_int"),
    (Name::ParseConstant, c"parse_constant"),
];
const HOOK_COUNT: usize = HOOKS.len();

/// `cls`, the hooks, then the document argument (`s` or `fp`).
const fn keywords(document: Name) -> [Name; HOOK_COUNT + 2] {
    let mut names = [Name::Cls; HOOK_COUNT + 2];
    let mut k = 0;
    while k < HOOK_COUNT {
        names[k + 1] = HOOKS[k].0;
        k += 1;
    }
    names[HOOK_COUNT + 1] = document;
    names
}
const LOADS_KEYWORDS: [Name; HOOK_COUNT + 2] = keywords(Name::S);
const LOAD_KEYWORDS: [Name; HOOK_COUNT + 2] = keywords(Name::Fp);

/// `loads(s, *, cls=None, object_hook=None, parse_float=None, parse_int=None,
/// parse_constant=None, object_pairs_hook=None, **kw)`.
pub unsafe extern "C" fn loads(
    module: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: the interpreter passes a valid vectorcall argument array with the GIL held, and
    // `module` is this extension's module object.
    unsafe {
        let Some((state, call, kw, extra)) = Call::read_with_extra(module, args, nargs, kwnames, &LOADS_KEYWORDS) else {
            return null_mut();
        };
        let Some([doc]) = call.positional("loads", ["s"], [kw[HOOK_COUNT + 1]]) else {
            return null_mut();
        };
        loads_with(state, doc, &kw, extra)
    }
}

/// `load(fp, *, cls=None, ..., **kw)`: `loads(fp.read(), ...)`.
pub unsafe extern "C" fn load(
    module: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: as for `loads`; the text read is owned here.
    unsafe {
        let Some((state, call, kw, extra)) = Call::read_with_extra(module, args, nargs, kwnames, &LOAD_KEYWORDS) else {
            return null_mut();
        };
        let Some([fp]) = call.positional("load", ["fp"], [kw[HOOK_COUNT + 1]]) else {
            return null_mut();
        };
        let Some(doc) = Owned::new(PyObject_CallMethodNoArgs(fp, state.name(Name::Read))) else {
            return null_mut();
        };
        loads_with(state, doc.as_ptr(), &kw, extra)
    }
}

/// `loads` of `doc` with `kw` = `[cls, hooks.., _]` (borrowed, NULL where not given) and the
/// extra keywords.
unsafe fn loads_with(state: &State, doc: *mut PyObject, kw: &[*mut PyObject], extra: Option<Owned>) -> *mut PyObject {
    // SAFETY: GIL held; the arguments are live for the call.
    unsafe {
        let given = |obj: *mut PyObject| !obj.is_null() && obj != Py_None();
        let cls = kw[0];
        let hooks: [*mut PyObject; HOOK_COUNT] = std::array::from_fn(|k| kw[k + 1]);
        if !given(cls) && extra.is_none() {
            if !hooks.iter().any(|&hook| given(hook)) {
                return decode_document(state, doc, Config::DEFAULT, true);
            }
            let Some(hooks) = keyword_hooks(state, hooks) else {
                return null_mut();
            };
            return decode_document(state, doc, Config { hooks: &hooks, strict: true, orjson: false }, true);
        }
        // `cls(**kw).decode(text)`, the hooks given added to `kw`.
        let Some(text) = document_text(state, doc) else {
            return null_mut();
        };
        let kwargs = match extra {
            Some(extra) => extra,
            None => match Owned::new(PyDict_New()) {
                Some(dict) => dict,
                None => return null_mut(),
            },
        };
        for ((_, name), hook) in HOOKS.iter().zip(hooks) {
            if given(hook) && PyDict_SetItemString(kwargs.as_ptr(), name.as_ptr(), hook) != 0 {
                return null_mut();
            }
        }
        let cls = if given(cls) { cls } else { state.decoder_class };
        let Some(no_args) = Owned::new(PyTuple_New(0)) else {
            return null_mut();
        };
        let Some(decoder) = Owned::new(PyObject_Call(cls, no_args.as_ptr(), kwargs.as_ptr())) else {
            return null_mut();
        };
        PyObject_CallMethodOneArg(decoder.as_ptr(), state.name(Name::Decode), text.as_ptr())
    }
}

/// The hooks as `JSONDecoder.__init__` would set them from these keywords (`parse_float or
/// float`, ...), with the standard ones left out; `None` with an exception set.
unsafe fn keyword_hooks(state: &State, hooks: [*mut PyObject; HOOK_COUNT]) -> Option<Hooks> {
    // SAFETY: GIL held; the hooks are NULL or live; `or_default` may run `__bool__`.
    unsafe {
        let or_default = |hook: *mut PyObject| -> Option<*mut PyObject> {
            if hook.is_null() {
                return Some(null_mut());
            }
            match PyObject_IsTrue(hook) {
                -1 => None,
                0 => Some(null_mut()),
                _ => Some(hook),
            }
        };
        let [.., parse_float, parse_int, parse_constant] = hooks;
        let hooks = Hooks {
            object_hook: hooks[0],
            object_pairs_hook: hooks[1],
            array_hook: if cfg!(py_3_15) { hooks[2] } else { null_mut() },
            parse_float: or_default(parse_float)?,
            parse_int: or_default(parse_int)?,
            parse_constant: or_default(parse_constant)?,
        };
        Some(standard_as_null(state, hooks))
    }
}
