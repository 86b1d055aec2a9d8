//! The encoder: walks an object graph iteratively (an explicit stack of open containers, so
//! nesting depth never touches the C stack) and writes JSON text as `json.dumps` writes it.
//!
//! Every frame holds strong references to what it walks, and every item being encoded is
//! held too, so a `default` callback (or a finaliser) that mutates or frees containers
//! mid-walk cannot make the encoder read freed memory.

use super::escape::{write_escaped, Out};
use super::float::write_float_repr;
use super::options::Options;
use super::writer::Writer;
use crate::ffi::containers::{float_value, list_item, tuple_item, var_size};
use crate::ffi::unicode::str_data;
use crate::py::{class_name, raise, tp_name, type_name, unpack_pair, Owned};
use pyo3_ffi::*;
use std::ptr::null_mut;

/// A Python exception is set.
pub struct PyErrSet;

/// CPython 3.14+ indents a dict's first key when writing it, not when opening the dict.
const INDENT_WITH_FIRST_KEY: bool = cfg!(py_3_14);

/// Receives output chunks (`dump` writes them to its file, `iterencode` collects them).
pub type ChunkSink<'a> = &'a mut dyn FnMut(Owned) -> std::result::Result<(), PyErrSet>;

/// The size of the chunks handed to a [`ChunkSink`], in characters: large enough that
/// writing them costs little, small enough that the output is never held twice whole.
pub const CHUNK: usize = 1 << 16;

type Result<T> = std::result::Result<T, PyErrSet>;

/// An open container (or a pending `default` result) and where its walk stands.
enum Frame {
    /// A list or tuple read from its storage (the C encoder's `PySequence_Fast` walk). For a
    /// subclass instance `seq` is `list(instance)` and `owner` the instance.
    Sequence { seq: Owned, owner: Option<Owned>, next: usize },
    /// The pure-Python encoder's lazy walks: `for value in lst` over a list or tuple subclass,
    /// or (with `pairs`) `for key, value in dct.items()` over a dict subclass or sorted items.
    /// `index` counts the items taken so far; `key` is the current pair's (for notes).
    Iterator { container: Owned, iter: Owned, first: bool, pairs: bool, index: usize, key: Option<Owned> },
    /// An exact dict walked in place; `len` its size when the walk began, `taken` the items
    /// taken since.
    Dict { dict: Owned, pos: Py_ssize_t, len: Py_ssize_t, taken: Py_ssize_t, first: bool },
    /// The C encoder's `items()` list: sorted keys, dict subclasses, or a snapshot.
    Items { dict: Owned, items: Owned, next: usize, first: bool },
    /// An object handed to `default`: marked for cycle detection until its replacement is done.
    Default { obj: Owned },
}

impl Frame {
    /// The object a cycle through this frame would revisit.
    fn marker(&self) -> *mut PyObject {
        match self {
            Frame::Sequence { owner: Some(owner), .. } => owner.as_ptr(),
            Frame::Sequence { seq, .. } => seq.as_ptr(),
            Frame::Iterator { container, .. } => container.as_ptr(),
            Frame::Dict { dict, .. } | Frame::Items { dict, .. } => dict.as_ptr(),
            Frame::Default { obj } => obj.as_ptr(),
        }
    }
}

pub struct Encoder<'o> {
    opts: &'o Options,
    pub out: Writer,
    stack: Vec<Frame>,
    /// Open containers (the indentation level).
    level: usize,
    max_depth: usize,
}

impl<'o> Encoder<'o> {
    pub fn new(opts: &'o Options, max_depth: usize) -> Self {
        Encoder { opts, out: Writer::default(), stack: Vec::new(), level: 0, max_depth }
    }

    /// Encodes `root` into `self.out`; with a `sink`, hands the output over in chunks of
    /// about [`CHUNK`] characters as it grows (what is left stays in `self.out`).
    ///
    /// # Safety
    /// GIL held; `root` live.
    pub unsafe fn encode(&mut self, root: *mut PyObject, mut sink: Option<ChunkSink<'_>>) -> Result<()> {
        // SAFETY: `root` is live; every object reached is held by a frame or by `next`.
        unsafe {
            let mut next = Some(Owned::borrowed(root));
            loop {
                if let Some(sink) = sink.as_mut() {
                    if self.out.len() >= CHUNK {
                        sink(Owned::new(self.out.take()).ok_or(PyErrSet)?)?;
                    }
                }
                if let Some(obj) = next.take() {
                    // An error here arises inside the innermost frame's current item.
                    next = self.value(obj).inspect_err(|_| self.note_error(true))?;
                    if next.is_some() {
                        continue;
                    }
                }
                if self.stack.is_empty() {
                    return Ok(());
                }
                // Here, in the innermost frame itself (its keys, its iteration).
                next = self.advance().inspect_err(|_| self.note_error(false))?;
            }
        }
    }

    /// Writes a scalar, or opens a container (pushing its frame), or calls `default` and
    /// returns its result, to be encoded next.
    unsafe fn value(&mut self, obj: Owned) -> Result<Option<Owned>> {
        let o = obj.as_ptr();
        // SAFETY: `o` is live (held by `obj`); each branch reads it as the type it checked.
        unsafe {
            match Kind::of(o) {
                Kind::None => self.out.ascii(b"null"),
                Kind::True => self.out.ascii(b"true"),
                Kind::False => self.out.ascii(b"false"),
                Kind::Str => self.write_str(o)?,
                Kind::Int => self.out.with_ascii(|buf| write_int(buf, o))?,
                Kind::Float => self.write_float(o)?,
                Kind::Sequence => self.open_sequence(obj)?,
                Kind::Dict => self.open_dict(obj)?,
                Kind::Other => return self.call_default(obj).map(Some),
            }
        }
        Ok(None)
    }

    unsafe fn write_str(&mut self, o: *mut PyObject) -> Result<()> {
        // SAFETY: `o` is a live str.
        let data = unsafe { str_data(o) }.ok_or(PyErrSet)?;
        write_escaped(&mut self.out, data, self.opts.ensure_ascii);
        Ok(())
    }

    unsafe fn write_float(&mut self, o: *mut PyObject) -> Result<()> {
        // SAFETY: `o` is a live float.
        let value = unsafe { float_value(o) };
        if value.is_finite() {
            self.out.with_ascii(|buf| write_float_repr(buf, value));
            return Ok(());
        }
        if !self.opts.allow_nan {
            // SAFETY: `o` is live; GIL held.
            return Err(unsafe { out_of_range_float(o, self.opts.python_encoder) });
        }
        let text: &[u8] = if value.is_nan() {
            b"NaN"
        } else if value > 0.0 {
            b"Infinity"
        } else {
            b"-Infinity"
        };
        self.out.ascii(text);
        Ok(())
    }

    /// Raises `ValueError` if `obj` is already being encoded further up (a cycle).
    unsafe fn check_circular(&self, obj: *mut PyObject) -> Result<()> {
        if self.opts.check_circular && self.stack.iter().any(|f| f.marker() == obj) {
            // SAFETY: GIL held.
            unsafe { raise(PyExc_ValueError, "Circular reference detected") };
            return Err(PyErrSet);
        }
        Ok(())
    }

    /// Pushes a frame, counting it against the interpreter's recursion limit as the standard
    /// library's recursive encoder counts its calls (and against rjson's own cap).
    unsafe fn push(&mut self, frame: Frame) -> Result<()> {
        const PLACE: &std::ffi::CStr = c" while encoding a JSON object";
        if self.stack.len() >= self.max_depth {
            // SAFETY: GIL held.
            unsafe { raise(PyExc_RecursionError, "maximum recursion depth exceeded while encoding a JSON object") };
            return Err(PyErrSet);
        }
        // SAFETY: GIL held; balanced by `pop` (or by `Drop` on error).
        if unsafe { Py_EnterRecursiveCall(PLACE.as_ptr()) } != 0 {
            return Err(PyErrSet);
        }
        self.stack.push(frame);
        Ok(())
    }

    fn pop(&mut self) {
        self.stack.pop();
        // SAFETY: balances the Py_EnterRecursiveCall of `push`; GIL held.
        unsafe { Py_LeaveRecursiveCall() };
    }

    unsafe fn open_sequence(&mut self, seq: Owned) -> Result<()> {
        let o = seq.as_ptr();
        // SAFETY: `o` is a live list or tuple (or subclass instance); what the frame walks
        // is owned by it.
        unsafe {
            if PyList_CheckExact(o) != 0 || PyTuple_CheckExact(o) != 0 {
                return self.open_stored(seq, None);
            }
            if self.opts.python_encoder {
                // `if not lst: yield '[]'`, then `for value in lst`.
                if !truth(o)? {
                    self.out.ascii(b"[]");
                    return Ok(());
                }
                self.check_circular(o)?;
                let iter = Owned::new(PyObject_GetIter(o)).ok_or(PyErrSet)?;
                self.push(Frame::Iterator { container: seq, iter, first: true, pairs: false, index: 0, key: None })?;
                self.open(b'[');
                return Ok(());
            }
            // The C encoder's PySequence_Fast: `list(instance)` for subclasses.
            let list = Owned::new(PySequence_List(o)).ok_or(PyErrSet)?;
            self.open_stored(list, Some(seq))
        }
    }

    /// Opens a list or tuple walked from its storage; `owner` is the subclass instance it
    /// was made from.
    unsafe fn open_stored(&mut self, seq: Owned, owner: Option<Owned>) -> Result<()> {
        // SAFETY: `seq` is a live list or tuple.
        unsafe {
            if var_size(seq.as_ptr()) == 0 {
                self.out.ascii(b"[]");
                return Ok(());
            }
            self.check_circular(owner.as_ref().unwrap_or(&seq).as_ptr())?;
            self.push(Frame::Sequence { seq, owner, next: 0 })?;
        }
        self.open(b'[');
        Ok(())
    }

    unsafe fn open_dict(&mut self, dict: Owned) -> Result<()> {
        let o = dict.as_ptr();
        // SAFETY: `o` is a live dict (or subclass instance); what the frame walks is owned by it.
        unsafe {
            let exact = PyDict_CheckExact(o) != 0;
            let empty = if self.opts.python_encoder && !exact { !truth(o)? } else { PyDict_Size(o) == 0 };
            if empty {
                self.out.ascii(b"{}");
                return Ok(());
            }
            self.check_circular(o)?;
            let frame = if self.opts.python_encoder && (self.opts.sort_keys || !exact) {
                // `sorted(dct.items())` or `dct.items()`, unpacked lazily as pairs.
                let items = Owned::new(PyObject_CallMethod(o, c"items".as_ptr(), std::ptr::null())).ok_or(PyErrSet)?;
                let iterable = if self.opts.sort_keys {
                    let list = Owned::new(PySequence_List(items.as_ptr())).ok_or(PyErrSet)?;
                    if PyList_Sort(list.as_ptr()) != 0 {
                        return Err(PyErrSet);
                    }
                    list
                } else {
                    items
                };
                let iter = Owned::new(PyObject_GetIter(iterable.as_ptr())).ok_or(PyErrSet)?;
                Frame::Iterator { container: dict, iter, first: true, pairs: true, index: 0, key: None }
            } else if self.opts.sort_keys || !exact || self.snapshot_items() {
                let items = Owned::new(if exact { PyDict_Items(o) } else { PyMapping_Items(o) }).ok_or(PyErrSet)?;
                if self.opts.sort_keys && PyList_Sort(items.as_ptr()) != 0 {
                    return Err(PyErrSet);
                }
                Frame::Items { dict, items, next: 0, first: true }
            } else {
                let len = PyDict_Size(o);
                Frame::Dict { dict, pos: 0, len, taken: 0, first: true }
            };
            self.push(frame)?;
        }
        self.open(b'{');
        Ok(())
    }

    /// CPython's C encoder before 3.12 walks a snapshot of every dict's items, which shows
    /// when `default` changes a dict's values mid-walk; without `default` nothing can. (The
    /// pure-Python encoder walks the live dict, as `Frame::Dict` does.)
    fn snapshot_items(&self) -> bool {
        !cfg!(py_3_12) && !self.opts.python_encoder && !self.opts.default.is_null()
    }

    unsafe fn call_default(&mut self, obj: Owned) -> Result<Owned> {
        let o = obj.as_ptr();
        // SAFETY: `o` is live; the default callable is borrowed from the call's arguments.
        unsafe {
            if self.opts.default.is_null() {
                // `JSONEncoder.default`'s message.
                let name = class_name(o).ok_or(PyErrSet)?;
                raise(PyExc_TypeError, &format!("Object of type {name} is not JSON serializable"));
                return Err(PyErrSet);
            }
            self.check_circular(o)?;
            self.push(Frame::Default { obj })?;
            let replacement = Owned::new(PyObject_CallOneArg(self.opts.default, o));
            if replacement.is_none() {
                // The call's own failure is the enclosing item's, not the object's.
                self.pop();
            }
            replacement.ok_or(PyErrSet)
        }
    }

    /// Writes an opening bracket and the indentation of the first item (for a dict on 3.14+,
    /// with its first key: a dict whose keys `skipkeys` all skips is `{}` there).
    #[inline(always)]
    fn open(&mut self, bracket: u8) {
        self.out.ascii(&[bracket]);
        self.level += 1;
        if !(INDENT_WITH_FIRST_KEY && bracket == b'{') {
            self.newline_indent();
        }
    }

    #[inline(always)]
    fn close(&mut self, bracket: u8) {
        self.level -= 1;
        let nothing_written = INDENT_WITH_FIRST_KEY
            && matches!(self.stack.last(), Some(Frame::Dict { first: true, .. } | Frame::Items { first: true, .. } | Frame::Iterator { first: true, pairs: true, .. }));
        if !nothing_written {
            self.newline_indent();
        }
        self.out.ascii(&[bracket]);
        self.pop();
    }

    #[inline(always)]
    fn newline_indent(&mut self) {
        if let Some(indent) = &self.opts.indent {
            self.out.ascii(b"\n");
            for _ in 0..self.level {
                self.out.text(indent);
            }
        }
    }

    #[inline(always)]
    fn item_separator(&mut self) {
        self.out.text(&self.opts.item_separator);
        self.newline_indent();
    }

    /// Moves the innermost frame to its next item, writing the separator (and key) before it;
    /// closes the frame when it has no more items.
    unsafe fn advance(&mut self) -> Result<Option<Owned>> {
        let top = self.stack.len() - 1;
        // SAFETY: forwarded: GIL held, frames own what they walk.
        unsafe {
            match &self.stack[top] {
                Frame::Default { .. } => {
                    self.pop();
                    Ok(None)
                }
                Frame::Sequence { .. } => self.advance_sequence(top),
                Frame::Iterator { .. } => self.advance_iterator(top),
                Frame::Dict { .. } => self.advance_dict(top),
                Frame::Items { .. } => self.advance_items(top),
            }
        }
    }

    unsafe fn advance_sequence(&mut self, top: usize) -> Result<Option<Owned>> {
        let Frame::Sequence { seq, next, .. } = &mut self.stack[top] else { unreachable!() };
        let (o, i) = (seq.as_ptr(), *next);
        // SAFETY: the frame owns the list or tuple; the item is taken as a strong reference
        // before any Python code can run. A list may have shrunk (from `default`), so its
        // size is read again for every item.
        unsafe {
            if i >= var_size(o) {
                self.close(b']');
                return Ok(None);
            }
            *next += 1;
            let item = Owned::borrowed(if PyList_Check(o) != 0 { list_item(o, i) } else { tuple_item(o, i) });
            if i > 0 {
                self.item_separator();
            }
            Ok(Some(item))
        }
    }

    unsafe fn advance_iterator(&mut self, top: usize) -> Result<Option<Owned>> {
        // SAFETY: the frame owns the iterator; PyIter_Next returns a new reference or NULL.
        unsafe {
            loop {
                let Frame::Iterator { iter, first, pairs, index, .. } = &mut self.stack[top] else { unreachable!() };
                let (was_first, pairs) = (*first, *pairs);
                *index += 1;
                let Some(item) = Owned::new(PyIter_Next(iter.as_ptr())) else {
                    if !PyErr_Occurred().is_null() {
                        return Err(PyErrSet);
                    }
                    self.close(if pairs { b'}' } else { b']' });
                    return Ok(None);
                };
                if !pairs {
                    if !was_first {
                        self.item_separator();
                    }
                    self.mark_not_first(top);
                    return Ok(Some(item));
                }
                let (key, value) = unpack_pair(item.as_ptr()).ok_or(PyErrSet)?;
                let written = self.key(key.as_ptr(), was_first)?;
                if let Frame::Iterator { key: current, .. } = &mut self.stack[top] {
                    *current = Some(key);
                }
                if written {
                    self.mark_not_first(top);
                    return Ok(Some(value));
                }
            }
        }
    }

    unsafe fn advance_dict(&mut self, top: usize) -> Result<Option<Owned>> {
        // SAFETY: the frame owns the dict; key and value are taken as strong references before
        // any Python code runs, and a size change since the walk began stops it.
        unsafe {
            loop {
                let Frame::Dict { dict, pos, len, taken, first } = &mut self.stack[top] else { unreachable!() };
                let d = dict.as_ptr();
                // Only `default`, or `dump`'s fp.write in the pure-Python encoder, can change
                // the dict mid-walk (PyDict_Next itself stays in bounds whatever happens, and
                // key and value are held below). The pure-Python encoder's `dct.items()`
                // iterator also refuses an item past the size it began with.
                let python = self.opts.python_encoder;
                if (python || !self.opts.default.is_null()) && PyDict_Size(d) != *len {
                    raise(PyExc_RuntimeError, "dictionary changed size during iteration");
                    return Err(PyErrSet);
                }
                let (mut key, mut value) = (null_mut(), null_mut());
                if PyDict_Next(d, pos, &mut key, &mut value) == 0 {
                    self.close(b'}');
                    return Ok(None);
                }
                if python && *taken == *len {
                    raise(PyExc_RuntimeError, "dictionary keys changed during iteration");
                    return Err(PyErrSet);
                }
                *taken += 1;
                let was_first = *first;
                let (key, value) = (Owned::borrowed(key), Owned::borrowed(value));
                if self.key(key.as_ptr(), was_first)? {
                    self.mark_not_first(top);
                    return Ok(Some(value));
                }
            }
        }
    }

    fn mark_not_first(&mut self, top: usize) {
        if let Frame::Dict { first, .. } | Frame::Items { first, .. } | Frame::Iterator { first, .. } = &mut self.stack[top] {
            *first = false;
        }
    }

    unsafe fn advance_items(&mut self, top: usize) -> Result<Option<Owned>> {
        // SAFETY: the frame owns the items list; each item is taken as a strong reference.
        unsafe {
            loop {
                let Frame::Items { items, next, first, .. } = &mut self.stack[top] else { unreachable!() };
                let list = items.as_ptr();
                if *next >= var_size(list) {
                    self.close(b'}');
                    return Ok(None);
                }
                let item = Owned::borrowed(list_item(list, *next));
                *next += 1;
                let was_first = *first;
                let pair = item.as_ptr();
                if PyTuple_Check(pair) == 0 || var_size(pair) != 2 {
                    raise(PyExc_ValueError, "items must return 2-tuples");
                    return Err(PyErrSet);
                }
                let (key, value) = (tuple_item(pair, 0), Owned::borrowed(tuple_item(pair, 1)));
                if self.key(key, was_first)? {
                    self.mark_not_first(top);
                    return Ok(Some(value));
                }
            }
        }
    }

    /// Writes `key` coerced to a string as the standard library coerces it, preceded by the
    /// item separator unless it is the first, and followed by the key separator. Returns
    /// `false` for a key that `skipkeys` skips.
    unsafe fn key(&mut self, key: *mut PyObject, first: bool) -> Result<bool> {
        // SAFETY: `key` is live (held by the dict, the items list or the caller).
        unsafe {
            let kind = Kind::of(key);
            if matches!(kind, Kind::Sequence | Kind::Dict | Kind::Other) {
                if self.opts.skipkeys {
                    return Ok(false);
                }
                let name = if self.opts.python_encoder { type_name(key) } else { tp_name(key) };
                raise(PyExc_TypeError, &format!("keys must be str, int, float, bool or None, not {name}"));
                return Err(PyErrSet);
            }
            if !first {
                self.item_separator();
            } else if INDENT_WITH_FIRST_KEY {
                self.newline_indent();
            }
            if kind == Kind::Str {
                self.write_str(key)?;
            } else {
                self.out.ascii(b"\"");
                match kind {
                    Kind::Float => self.write_float(key)?,
                    Kind::True => self.out.ascii(b"true"),
                    Kind::False => self.out.ascii(b"false"),
                    Kind::None => self.out.ascii(b"null"),
                    _ => self.out.with_ascii(|buf| write_int(buf, key))?,
                }
                self.out.ascii(b"\"");
            }
            self.out.text(&self.opts.key_separator);
            Ok(true)
        }
    }
}

/// What an object is to the encoder, in the standard library's order of checks (the
/// constants, then str, int, float, list/tuple, dict, subclasses included). Exact built-in
/// types are recognised by their type pointer first.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    None,
    True,
    False,
    Str,
    Int,
    Float,
    Sequence,
    Dict,
    Other,
}

impl Kind {
    #[inline(always)]
    unsafe fn of(o: *mut PyObject) -> Kind {
        // SAFETY: `o` is live; the type objects compared with are static.
        unsafe {
            let ty = Py_TYPE(o);
            if ty == &raw mut PyUnicode_Type {
                Kind::Str
            } else if ty == &raw mut PyDict_Type {
                Kind::Dict
            } else if ty == &raw mut PyList_Type || ty == &raw mut PyTuple_Type {
                Kind::Sequence
            } else if ty == &raw mut PyFloat_Type {
                Kind::Float
            } else if o == Py_None() {
                Kind::None
            } else if o == Py_True() {
                Kind::True
            } else if o == Py_False() {
                Kind::False
            } else if ty == &raw mut PyLong_Type || PyLong_Check(o) != 0 {
                Kind::Int
            } else if PyUnicode_Check(o) != 0 {
                Kind::Str
            } else if PyFloat_Check(o) != 0 {
                Kind::Float
            } else if PyList_Check(o) != 0 || PyTuple_Check(o) != 0 {
                Kind::Sequence
            } else if PyDict_Check(o) != 0 {
                Kind::Dict
            } else {
                Kind::Other
            }
        }
    }
}

impl Encoder<'_> {
    /// CPython 3.14+ notes where an exception arose, innermost first: "when serializing list
    /// item 0", "... dict item 'a'", "... Point object" (the result of `default` for it).
    /// `inside_top`: whether it arose inside the innermost frame's current item.
    #[cfg(py_3_14)]
    fn note_error(&self, inside_top: bool) {
        // SAFETY: GIL held with an exception set; the frames hold what they name.
        unsafe {
            let Some(exc) = Owned::new(PyErr_GetRaisedException()) else {
                return;
            };
            let skip = usize::from(!inside_top);
            for frame in self.stack.iter().rev().skip(skip) {
                if let Some(note) = self.note(frame) {
                    let added = PyObject_CallMethod(exc.as_ptr(), c"add_note".as_ptr(), c"O".as_ptr(), note.as_ptr());
                    if added.is_null() {
                        PyErr_Clear();
                    } else {
                        Py_DECREF(added);
                    }
                }
            }
            PyErr_SetRaisedException(exc.into_raw());
        }
    }

    #[cfg(not(py_3_14))]
    fn note_error(&self, _inside_top: bool) {}

    /// The note of an error inside `frame`'s current item, worded as the encoder `json` runs
    /// words it (the C one names types with `%T`, the pure-Python one by `__name__`).
    #[cfg(py_3_14)]
    unsafe fn note(&self, frame: &Frame) -> Option<Owned> {
        // SAFETY: GIL held; the frame's objects are live; new references are owned.
        unsafe {
            let container = frame.marker();
            let (what, item): (&std::ffi::CStr, Option<Owned>) = match frame {
                Frame::Sequence { next, .. } => (c"item %zd", Some(Owned::new(PyLong_FromSize_t(next - 1))?)),
                Frame::Iterator { pairs: false, index, .. } => (c"item %zd", Some(Owned::new(PyLong_FromSize_t(index - 1))?)),
                // Dict items are named by their key as written (`'null'` for None).
                Frame::Iterator { key, .. } => (c"item %R", key.as_ref().map(|k| coerced_key(k.as_ptr())).transpose()?),
                Frame::Items { items, next, .. } => (c"item %R", Some(coerced_key(tuple_item(list_item(items.as_ptr(), next - 1), 0))?)),
                Frame::Dict { dict, pos, .. } => (c"item %R", Some(coerced_key(dict_key_before(dict.as_ptr(), *pos)?.as_ptr())?)),
                Frame::Default { .. } => (c"object", None),
            };
            let item = match item {
                Some(item) if what == c"item %zd" => Some(Owned::new(PyObject_Str(item.as_ptr()))?),
                Some(item) => Some(Owned::new(PyObject_Repr(item.as_ptr()))?),
                None if what == c"object" => None,
                None => return None,
            };
            let name = if self.opts.python_encoder {
                Owned::new(PyObject_GetAttrString(Py_TYPE(container).cast(), c"__name__".as_ptr()))?
            } else {
                Owned::new(PyType_GetFullyQualifiedName(Py_TYPE(container)))?
            };
            let note = match item {
                Some(item) => PyUnicode_FromFormat(c"when serializing %S item %S".as_ptr(), name.as_ptr(), item.as_ptr()),
                None => PyUnicode_FromFormat(c"when serializing %S object".as_ptr(), name.as_ptr()),
            };
            Owned::new(note)
        }
    }
}

/// A dict key as the encoder writes it, as a str (`'1.5'`, `'null'`...).
#[cfg(py_3_14)]
unsafe fn coerced_key(key: *mut PyObject) -> Option<Owned> {
    // SAFETY: GIL held; `key` is live; new references are owned.
    unsafe {
        let mut text = Vec::new();
        match Kind::of(key) {
            Kind::Str => return Some(Owned::borrowed(key)),
            Kind::None => text.extend_from_slice(b"null"),
            Kind::True => text.extend_from_slice(b"true"),
            Kind::False => text.extend_from_slice(b"false"),
            Kind::Int => write_int(&mut text, key).ok()?,
            Kind::Float => {
                let value = float_value(key);
                match value {
                    v if v.is_finite() => write_float_repr(&mut text, v),
                    v if v.is_nan() => text.extend_from_slice(b"NaN"),
                    v if v > 0.0 => text.extend_from_slice(b"Infinity"),
                    _ => text.extend_from_slice(b"-Infinity"),
                }
            }
            _ => return Some(Owned::borrowed(key)),
        }
        Owned::new(PyUnicode_FromStringAndSize(text.as_ptr().cast(), text.len() as Py_ssize_t))
    }
}

/// The key `PyDict_Next` returned just before reaching `pos` (found by walking again).
#[cfg(py_3_14)]
unsafe fn dict_key_before(dict: *mut PyObject, pos: Py_ssize_t) -> Option<Owned> {
    // SAFETY: GIL held; `dict` is live; the key is taken as a strong reference.
    unsafe {
        let (mut walk, mut key, mut value) = (0, null_mut(), null_mut());
        while PyDict_Next(dict, &mut walk, &mut key, &mut value) != 0 {
            if walk == pos {
                return Some(Owned::borrowed(key));
            }
        }
        None
    }
}

impl Drop for Encoder<'_> {
    fn drop(&mut self) {
        while !self.stack.is_empty() {
            self.pop();
        }
    }
}

/// The truth value of `o` (`if not lst` in the pure-Python encoder).
unsafe fn truth(o: *mut PyObject) -> Result<bool> {
    // SAFETY: `o` is live; `__bool__`/`__len__` may run and fail.
    match unsafe { PyObject_IsTrue(o) } {
        -1 => Err(PyErrSet),
        v => Ok(v == 1),
    }
}

/// `int.__repr__(o)`: machine-sized values directly, others through CPython (which applies
/// its digit limit).
unsafe fn write_int(out: &mut Vec<u8>, o: *mut PyObject) -> Result<()> {
    // SAFETY: `o` is a live int (or subclass instance); the repr is owned and released here.
    unsafe {
        let mut overflow = 0;
        let value = PyLong_AsLongLongAndOverflow(o, &mut overflow);
        if overflow == 0 {
            if value == -1 && !PyErr_Occurred().is_null() {
                return Err(PyErrSet);
            }
            out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
            return Ok(());
        }
        let repr = (*std::ptr::addr_of!(PyLong_Type)).tp_repr.ok_or(PyErrSet)?;
        let text = Owned::new(repr(o)).ok_or(PyErrSet)?;
        match str_data(text.as_ptr()) {
            Some(crate::ffi::unicode::StrData::Ascii(digits)) => {
                out.extend_from_slice(digits);
                Ok(())
            }
            _ => Err(PyErrSet),
        }
    }
}

/// The standard library's `ValueError` for NaN or infinity with `allow_nan=False`.
unsafe fn out_of_range_float(o: *mut PyObject, python_encoder: bool) -> PyErrSet {
    const MSG: &str = "Out of range float values are not JSON compliant";
    // SAFETY: GIL held; the repr is owned and released here.
    unsafe {
        if !python_encoder && !cfg!(py_3_12) {
            raise(PyExc_ValueError, MSG);
            return PyErrSet;
        }
        let Some(repr) = Owned::new(PyObject_Repr(o)) else {
            return PyErrSet;
        };
        let text = crate::py::str_to_string(repr.as_ptr()).unwrap_or_default();
        raise(PyExc_ValueError, &format!("{MSG}: {text}"));
    }
    PyErrSet
}
