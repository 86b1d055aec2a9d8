//! `rjson.dumps` and `rjson.dump`. Without `cls` (or with rjson's own `JSONEncoder`) and
//! without extra keywords, the keywords configure the engine directly; otherwise the call
//! makes `cls(**kw)` as `json.dumps` does, and the instance decides.

use super::classes::is_method_of;
use super::encoder::{engine_encodes, instance_options, HeldOptions};
use super::last_options::{LastOptions, Values};
use crate::args::Call;
use crate::encode::{encode_str_value, encode_to_chunks, encode_to_str, flag, Options, PyErrSet, RawOptions, Refused};
use crate::module::{Name, State};
use crate::py::{unpack_pair, Owned};
use pyo3_ffi::*;
use std::ffi::CStr;
use std::ptr::null_mut;

/// The keywords of `json.dumps` (the encoder's settings, in `Settings`' order, and `cls`),
/// then `obj` and, for `dump`, `fp`.
const DUMP_KEYWORDS: [Name; 11] = [
    Name::Skipkeys,
    Name::EnsureAscii,
    Name::CheckCircular,
    Name::AllowNan,
    Name::Indent,
    Name::Separators,
    Name::Default,
    Name::SortKeys,
    Name::Cls,
    Name::Obj,
    Name::Fp,
];
const DUMPS_KEYWORDS: [Name; 10] = {
    let mut names = [Name::Obj; 10];
    let mut k = 0;
    while k < 10 {
        names[k] = DUMP_KEYWORDS[k];
        k += 1;
    }
    names
};
/// The settings' keyword names as `json.dumps` passes them to `cls`, with their defaults.
const PASSED_ON: [(&CStr, Default); 8] = [
    (c"skipkeys", Default::False),
    (c"ensure_ascii", Default::True),
    (c"check_circular", Default::True),
    (c"allow_nan", Default::True),
    (c"indent", Default::None),
    (c"separators", Default::None),
    (c"default", Default::None),
    (c"sort_keys", Default::False),
];

#[derive(Clone, Copy)]
enum Default {
    False,
    True,
    None,
}

/// `dumps(obj, *, skipkeys=False, ..., sort_keys=False, **kw)`.
pub unsafe extern "C" fn dumps(
    module: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: the interpreter passes a valid vectorcall argument array with the GIL held, and
    // `module` is this extension's module object. Keyword values are borrowed for the call.
    unsafe {
        let Some((state, call, kw, extra)) = Call::read_with_extra(module, args, nargs, kwnames, &DUMPS_KEYWORDS) else {
            return null_mut();
        };
        let Some([obj]) = call.positional("dumps", ["obj"], [kw[9]]) else {
            return null_mut();
        };
        let settings = Settings::new(&kw, extra);
        let direct = settings.is_direct(state);
        if PyUnicode_Check(obj) != 0 && direct {
            // `JSONEncoder.encode` escapes a str before reading any other setting (only
            // `__init__`'s unpacking of `separators` comes first).
            if settings.separators().is_none() {
                return null_mut();
            }
            return match flag(settings.ensure_ascii, true) {
                Some(ensure_ascii) => encode_str_value(obj, ensure_ascii),
                None => null_mut(),
            };
        }
        if direct {
            let read = || settings.direct(true).map(|held| held.options);
            let encode = |options: &Options| encode_to_str(options, obj, state.key_texts);
            match LastOptions::with(state.last_options, &settings.values(), read, encode) {
                Some(Ok(result)) => return result,
                Some(Err(Refused::Raised)) => return null_mut(),
                Some(Err(Refused::NeedsPythonEncoder)) | None => {}
            }
        }
        match settings.encoding(state, true) {
            Some(Encoding::Direct(direct)) => encode_to_str(&direct.options, obj, state.key_texts),
            Some(Encoding::Instance(encoder)) => {
                let Some(encode) = Owned::new(PyObject_GetAttr(encoder.as_ptr(), state.name(Name::Encode))) else {
                    return null_mut();
                };
                // `json.JSONEncoder.encode` (a json subclass that only overrides `default`)
                // does what rjson's does: let rjson's run, with the engine.
                if is_method_of(encode.as_ptr(), &[state.encode, state.std_encode]) {
                    let args = [encoder.as_ptr(), obj];
                    return super::encoder::encode(module, args.as_ptr(), 2, null_mut());
                }
                PyObject_CallOneArg(encode.as_ptr(), obj)
            }
            None => null_mut(),
        }
    }
}

/// `dump(obj, fp, *, skipkeys=False, ..., sort_keys=False, **kw)`: writes the text to
/// `fp.write` in chunks as it is produced.
pub unsafe extern "C" fn dump(
    module: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: as for `dumps`.
    unsafe {
        let Some((state, call, kw, extra)) = Call::read_with_extra(module, args, nargs, kwnames, &DUMP_KEYWORDS) else {
            return null_mut();
        };
        let Some([obj, fp]) = call.positional("dump", ["obj", "fp"], [kw[9], kw[10]]) else {
            return null_mut();
        };
        let settings = Settings::new(&kw, extra);
        let written = match settings.encoding(state, false) {
            Some(Encoding::Direct(direct)) => write_chunks(state, &direct.options, obj, fp),
            Some(Encoding::Instance(encoder)) => match engine_encodes(state, encoder.as_ptr()) {
                Some(true) => match instance_options(state, encoder.as_ptr(), false) {
                    Ok(read) => write_chunks(state, &read.options, obj, fp),
                    Err(Refused::NeedsPythonEncoder) => write_iterencode(state, encoder.as_ptr(), obj, fp),
                    Err(Refused::Raised) => None,
                },
                Some(false) => write_iterencode(state, encoder.as_ptr(), obj, fp),
                None => None,
            },
            None => None,
        };
        match written {
            Some(()) => Owned::borrowed(Py_None()).into_raw(),
            None => null_mut(),
        }
    }
}

/// The encoder's settings of one call (borrowed keyword values, NULL where not given) and
/// the extra keywords for `cls`.
struct Settings {
    skipkeys: *mut PyObject,
    ensure_ascii: *mut PyObject,
    check_circular: *mut PyObject,
    allow_nan: *mut PyObject,
    indent: *mut PyObject,
    separators: *mut PyObject,
    default: *mut PyObject,
    sort_keys: *mut PyObject,
    cls: *mut PyObject,
    extra: Option<Owned>,
}

/// How a call encodes.
enum Encoding {
    /// The keywords configure the engine (as `JSONEncoder(**kw)` would).
    Direct(HeldOptions),
    /// `cls(**kw)` made the encoder.
    Instance(Owned),
}

impl Settings {
    fn new(kw: &[*mut PyObject], extra: Option<Owned>) -> Settings {
        Settings {
            skipkeys: kw[0],
            ensure_ascii: kw[1],
            check_circular: kw[2],
            allow_nan: kw[3],
            indent: kw[4],
            separators: kw[5],
            default: kw[6],
            sort_keys: kw[7],
            cls: kw[8],
            extra,
        }
    }

    /// The settings' values, as [`LastOptions`] compares them.
    fn values(&self) -> Values {
        [
            self.skipkeys,
            self.ensure_ascii,
            self.check_circular,
            self.allow_nan,
            self.indent,
            self.separators,
            self.default,
            self.sort_keys,
        ]
    }

    /// Whether rjson's own `JSONEncoder` encodes, configured by these keywords alone.
    unsafe fn is_direct(&self, state: &State) -> bool {
        // SAFETY: pointer comparisons.
        let own_class = self.cls.is_null() || self.cls == unsafe { Py_None() } || self.cls == state.encoder_class;
        own_class && self.extra.is_none()
    }

    /// The encoding of this call, for one-shot (`dumps`) or chunked (`dump`) output.
    unsafe fn encoding(self, state: &State, one_shot: bool) -> Option<Encoding> {
        // SAFETY: the keyword values are live for the call; GIL held.
        unsafe {
            if self.is_direct(state) {
                match self.direct(one_shot) {
                    Ok(direct) => return Some(Encoding::Direct(direct)),
                    Err(Refused::Raised) => return None,
                    Err(Refused::NeedsPythonEncoder) => {}
                }
            }
            self.instance(state).map(Encoding::Instance)
        }
    }

    /// `JSONEncoder.__init__`'s reading of the keywords: `separators` unpacked into the two
    /// separators, the item separator `','` when indenting without them.
    unsafe fn direct(&self, one_shot: bool) -> Result<HeldOptions, Refused> {
        // SAFETY: as above; the unpacked separators live until the options have copied them.
        unsafe {
            let separators = self.separators().ok_or(Refused::Raised)?;
            let (item_separator, key_separator) = match &separators {
                Some((item, key)) => (item.as_ptr(), key.as_ptr()),
                None => (null_mut(), null_mut()),
            };
            let raw = RawOptions {
                skipkeys: self.skipkeys,
                ensure_ascii: self.ensure_ascii,
                check_circular: self.check_circular,
                allow_nan: self.allow_nan,
                sort_keys: self.sort_keys,
                indent: self.indent,
                item_separator,
                key_separator,
                default: self.default,
            };
            let options = Options::from_raw(&raw, one_shot)?;
            Ok(HeldOptions::new(options, Vec::new()))
        }
    }

    /// `item_separator, key_separator = separators` when given; `None` with an exception set.
    unsafe fn separators(&self) -> Option<Option<(Owned, Owned)>> {
        // SAFETY: the keyword value is live for the call; GIL held.
        unsafe {
            if self.separators.is_null() || self.separators == Py_None() {
                return Some(None);
            }
            unpack_pair(self.separators).map(Some)
        }
    }

    /// `cls(skipkeys=skipkeys, ..., sort_keys=sort_keys, **kw)` (`cls` defaulting to rjson's
    /// `JSONEncoder`).
    unsafe fn instance(self, state: &State) -> Option<Owned> {
        // SAFETY: as above; the keyword dict is owned here.
        unsafe {
            let kwargs = Owned::new(PyDict_New())?;
            for ((name, default), value) in PASSED_ON.iter().zip(self.values()) {
                let value = if !value.is_null() {
                    value
                } else {
                    match default {
                        Default::False => Py_False(),
                        Default::True => Py_True(),
                        Default::None => Py_None(),
                    }
                };
                if PyDict_SetItemString(kwargs.as_ptr(), name.as_ptr(), value) != 0 {
                    return None;
                }
            }
            if let Some(extra) = &self.extra {
                if PyDict_Update(kwargs.as_ptr(), extra.as_ptr()) != 0 {
                    return None;
                }
            }
            let cls = if self.cls.is_null() || self.cls == Py_None() { state.encoder_class } else { self.cls };
            let no_args = Owned::new(PyTuple_New(0))?;
            Owned::new(PyObject_Call(cls, no_args.as_ptr(), kwargs.as_ptr()))
        }
    }
}

/// Encodes `obj` with the engine, writing each chunk to `fp.write` (looked up when the first
/// chunk is ready, as `json.dump` looks it up after encoding its first piece).
unsafe fn write_chunks(state: &State, options: &Options, obj: *mut PyObject, fp: *mut PyObject) -> Option<()> {
    let mut write: Option<Owned> = None;
    let mut sink = |chunk: Owned| {
        // SAFETY: GIL held; `fp` is live for the call; results are owned and released.
        unsafe {
            if write.is_none() {
                write = Some(Owned::new(PyObject_GetAttr(fp, state.name(Name::Write))).ok_or(PyErrSet)?);
            }
            let write = write.as_ref().ok_or(PyErrSet)?;
            Owned::new(PyObject_CallOneArg(write.as_ptr(), chunk.as_ptr())).map(drop).ok_or(PyErrSet)
        }
    };
    // SAFETY: forwarded.
    unsafe { encode_to_chunks(options, obj, &mut sink) }
}

/// `for chunk in encoder.iterencode(obj): fp.write(chunk)`, for an encoder that overrides
/// `iterencode` or needs `json`'s own.
unsafe fn write_iterencode(state: &State, encoder: *mut PyObject, obj: *mut PyObject, fp: *mut PyObject) -> Option<()> {
    // SAFETY: GIL held; every new reference is owned by an `Owned`.
    unsafe {
        let iterable = Owned::new(PyObject_CallMethodOneArg(encoder, state.name(Name::Iterencode), obj))?;
        let iter = Owned::new(PyObject_GetIter(iterable.as_ptr()))?;
        while let Some(chunk) = Owned::new(PyIter_Next(iter.as_ptr())) {
            Owned::new(PyObject_CallMethodOneArg(fp, state.name(Name::Write), chunk.as_ptr()))?;
        }
        PyErr_Occurred().is_null().then_some(())
    }
}
