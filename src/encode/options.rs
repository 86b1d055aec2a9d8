//! The settings of an encoding (`dumps`' keywords or a `JSONEncoder`'s attributes), read once
//! per call into an encoder configuration.

use super::native::NativeTypes;
use super::time_text::TimeFormat;
use super::writer::Text;
use crate::ffi::unicode::{str_data, StrData};
use crate::py::{raise, tp_name, Owned};
use pyo3_ffi::*;
use std::ptr::null_mut;

/// How one call encodes: the standard library's `JSONEncoder` settings.
pub struct Options {
    pub skipkeys: bool,
    pub ensure_ascii: bool,
    pub check_circular: bool,
    pub allow_nan: bool,
    pub sort_keys: bool,
    /// One level of indentation; `None` writes everything on one line.
    pub indent: Option<Text>,
    pub item_separator: Text,
    pub key_separator: Text,
    /// Called for objects of other types (borrowed from the call); NULL: raise `TypeError`.
    pub default: *mut PyObject,
    /// Behave as `json`'s pure-Python encoder where it differs from the C one: CPython uses it
    /// for `iterencode` and `dump`, and before 3.13 whenever `indent` is given. It iterates
    /// list subclasses, asks containers for their truth value, and names types by `__name__`
    /// in messages.
    pub python_encoder: bool,
    /// The orjson face's behaviour where it differs from the standard library's (`None`:
    /// the standard library's).
    pub orjson: Option<Orjson>,
}

/// The orjson face's settings: its `OPT_*` bits and the types it serializes natively.
#[derive(Clone, Copy)]
pub struct Orjson {
    pub bits: u32,
    pub types: NativeTypes,
}

impl Orjson {
    #[inline(always)]
    pub fn has(&self, opt: u32) -> bool {
        self.bits & opt != 0
    }

    /// How dates and times are written.
    pub fn time_format(&self) -> TimeFormat {
        TimeFormat { naive_utc: self.has(opt::NAIVE_UTC), omit_microseconds: self.has(opt::OMIT_MICROSECONDS), utc_z: self.has(opt::UTC_Z) }
    }
}

/// orjson's `OPT_*` bits, with orjson's values.
pub mod opt {
    pub const INDENT_2: u32 = 1;
    pub const NAIVE_UTC: u32 = 1 << 1;
    pub const NON_STR_KEYS: u32 = 1 << 2;
    pub const OMIT_MICROSECONDS: u32 = 1 << 3;
    pub const SERIALIZE_NUMPY: u32 = 1 << 4;
    pub const SORT_KEYS: u32 = 1 << 5;
    pub const STRICT_INTEGER: u32 = 1 << 6;
    pub const UTC_Z: u32 = 1 << 7;
    pub const PASSTHROUGH_SUBCLASS: u32 = 1 << 8;
    pub const PASSTHROUGH_DATETIME: u32 = 1 << 9;
    pub const APPEND_NEWLINE: u32 = 1 << 10;
    pub const PASSTHROUGH_DATACLASS: u32 = 1 << 11;
    /// Every bit orjson knows.
    pub const ALL: u32 = (1 << 12) - 1;
}

/// The settings of a `JSONEncoder` as Python objects (borrowed; NULL: the default), from
/// `dumps`' keywords or from an encoder's attributes.
pub struct RawOptions {
    pub skipkeys: *mut PyObject,
    pub ensure_ascii: *mut PyObject,
    pub check_circular: *mut PyObject,
    pub allow_nan: *mut PyObject,
    pub sort_keys: *mut PyObject,
    pub indent: *mut PyObject,
    /// NULL: `','` with an indent, `', '` without.
    pub item_separator: *mut PyObject,
    /// NULL: `': '`.
    pub key_separator: *mut PyObject,
    pub default: *mut PyObject,
}

/// Why settings give no [`Options`].
pub enum Refused {
    /// A Python exception is set.
    Raised,
    /// A separator is not a str where `json` encodes with its pure-Python encoder, which
    /// uses such values as they come (or fails only where it first uses them): only that
    /// encoder itself can reproduce what happens, so the caller runs it.
    NeedsPythonEncoder,
}

impl Options {
    /// Reads the settings as `JSONEncoder.iterencode` reads them, for a one-shot encoding
    /// (`encode`, `dumps`) or a chunked one (`iterencode`, `dump`, which the standard library
    /// always runs through its pure-Python encoder).
    ///
    /// # Safety
    /// GIL held; every non-NULL pointer is a live object.
    pub unsafe fn from_raw(raw: &RawOptions, one_shot: bool) -> Result<Options, Refused> {
        // SAFETY: forwarded from the caller.
        unsafe {
            let indent = read_indent(raw.indent).ok_or(Refused::Raised)?;
            let python_encoder = !one_shot || (indent.is_some() && !cfg!(py_3_13));
            let not_str = |sep: *mut PyObject| !sep.is_null() && PyUnicode_Check(sep) == 0;
            if python_encoder && (not_str(raw.key_separator) || not_str(raw.item_separator)) {
                return Err(Refused::NeedsPythonEncoder);
            }
            // Checked as `c_make_encoder` checks its arguments 5 and 6, key separator first.
            let key_separator = read_separator(raw.key_separator, 5, ": ").ok_or(Refused::Raised)?;
            let item_separator =
                read_separator(raw.item_separator, 6, if indent.is_some() { "," } else { ", " }).ok_or(Refused::Raised)?;
            let flag = |obj, default| flag(obj, default).ok_or(Refused::Raised);
            Ok(Options {
                skipkeys: flag(raw.skipkeys, false)?,
                ensure_ascii: flag(raw.ensure_ascii, true)?,
                check_circular: flag(raw.check_circular, true)?,
                allow_nan: flag(raw.allow_nan, true)?,
                sort_keys: flag(raw.sort_keys, false)?,
                indent,
                item_separator,
                key_separator,
                default: if given(raw.default) { raw.default } else { null_mut() },
                python_encoder,
                orjson: None,
            })
        }
    }
}

/// Whether a keyword was given with a value other than `None`.
unsafe fn given(obj: *mut PyObject) -> bool {
    // SAFETY: comparing pointers with the None singleton.
    !obj.is_null() && obj != unsafe { Py_None() }
}

/// A flag keyword, by truth value as the standard library uses it.
pub unsafe fn flag(obj: *mut PyObject, default: bool) -> Option<bool> {
    if obj.is_null() {
        return Some(default);
    }
    // SAFETY: `obj` is live; PyObject_IsTrue may run `__bool__` and fail.
    match unsafe { PyObject_IsTrue(obj) } {
        -1 => None,
        v => Some(v == 1),
    }
}

/// `indent`: a str is used as is, anything else repeats a space (`' ' * indent`, with
/// Python's own errors for other types).
unsafe fn read_indent(obj: *mut PyObject) -> Option<Option<Text>> {
    // SAFETY: `obj` is NULL or live; the GIL is held; new references are owned by `Owned`.
    unsafe {
        if !given(obj) {
            return Some(None);
        }
        if PyUnicode_Check(obj) != 0 {
            return Some(Some(raw_text(obj)?));
        }
        let space = Owned::new(PyUnicode_FromStringAndSize(c" ".as_ptr(), 1))?;
        let spaces = Owned::new(PyNumber_Multiply(space.as_ptr(), obj))?;
        if PyUnicode_Check(spaces.as_ptr()) == 0 {
            let name = if spaces.as_ptr() == Py_None() { "None".to_owned() } else { tp_name(spaces.as_ptr()) };
            raise(PyExc_TypeError, &format!("make_encoder() argument 4 must be str or None, not {name}"));
            return None;
        }
        Some(Some(raw_text(spaces.as_ptr())?))
    }
}

/// A separator (NULL: `default`); `c_make_encoder` refuses anything but a str, naming the
/// argument by its position.
unsafe fn read_separator(obj: *mut PyObject, position: usize, default: &'static str) -> Option<Text> {
    // SAFETY: `obj` is NULL or live; the GIL is held.
    unsafe {
        if obj.is_null() {
            return Some(Text::ascii(default));
        }
        if PyUnicode_Check(obj) == 0 {
            let name = if obj == Py_None() { "None".to_owned() } else { tp_name(obj) };
            raise(PyExc_TypeError, &format!("make_encoder() argument {position} must be str, not {name}"));
            return None;
        }
        raw_text(obj)
    }
}

/// A `str` as raw output text (written unescaped, as the standard library writes it).
unsafe fn raw_text(obj: *mut PyObject) -> Option<Text> {
    // SAFETY: `obj` is a live str.
    let data = unsafe { str_data(obj) }?;
    Some(match data {
        StrData::Ascii(text) => Text::ascii_copy(text),
        StrData::Latin1(units) => Text::Wide(units.iter().map(|&u| u.into()).collect()),
        StrData::Ucs2(units) => Text::Wide(units.iter().map(|&u| u.into()).collect()),
        StrData::Ucs4(units) => Text::Wide(units.to_vec()),
    })
}
