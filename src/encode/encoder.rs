//! The encoder: walks an object graph iteratively (an explicit stack of open containers, so
//! nesting depth never touches the C stack) and writes JSON text as `json.dumps` writes it.
//!
//! Every frame holds strong references to what it walks, and every item being encoded is
//! held too, so a `default` callback (or a finaliser) that mutates or frees containers
//! mid-walk cannot make the encoder read freed memory.

use super::buffer::OutBuf;
use super::error::{no_memory, refuse, refuse_caused, unserializable, PyErrSet, Result, SURROGATES};
use super::float::write_float_orjson;
#[cfg(py_3_14)]
use super::float::write_float_repr;
use super::native::{is_private, write_native_text, Native};
use super::numpy::{Layout, NumpyObject, NumpyTypes, Refusal};
#[cfg(py_3_14)]
use super::scalars::{non_finite, write_int_repr};
use super::scalars::{write_float, write_int, write_int_64, write_str};
use super::options::{opt, Options, Orjson};
use super::writer::{newline_indent, Output};
use crate::ffi::containers::{float_value, list_item, tuple_item, var_size};
use crate::ffi::unicode::str_data;
use crate::py::{class_name, raise, tp_name, type_name, unpack_pair, Owned};
use pyo3_ffi::*;
use std::collections::HashSet;
use std::ptr::null_mut;

/// Whether the running `json` indents a dict's first key when writing it rather than when
/// opening the dict, so that a dict whose keys `skipkeys` all skips is `{}` (gh-131884, in
/// CPython 3.14.0b3 and 3.13.5). Read from the running interpreter: a module built for 3.13
/// runs on every 3.13.x.
fn indent_with_first_key() -> bool {
    #[cfg(all(py_3_13, not(py_3_15)))]
    {
        let fixed_in = if cfg!(py_3_14) { 0x030E_00B3 } else { 0x030D_0500 };
        // SAFETY: an immutable global of the interpreter, set before any module loads.
        unsafe { Py_Version >= fixed_in }
    }
    #[cfg(not(all(py_3_13, not(py_3_15))))]
    {
        cfg!(py_3_15)
    }
}

/// Receives output chunks (`dump` writes them to its file, `iterencode` collects them).
pub type ChunkSink<'a> = &'a mut dyn FnMut(Owned) -> std::result::Result<(), PyErrSet>;

/// The size of the chunks handed to a [`ChunkSink`], in characters: large enough that
/// writing them costs little, small enough that the output is never held twice whole.
pub const CHUNK: usize = 1 << 16;

/// An open container (or a pending `default` result) and where its walk stands.
enum Frame {
    /// A list or tuple read from its storage (the C encoder's `PySequence_Fast` walk). For a
    /// subclass instance `seq` is `list(instance)` and `owner` the instance.
    Sequence { seq: Owned, owner: Option<Owned>, next: usize },
    /// The pure-Python encoder's lazy walks: `for value in lst` over a list or tuple subclass,
    /// or (with `pairs`) `for key, value in dct.items()` over a dict subclass or sorted items.
    /// `index` counts the items taken so far; `key` is the current pair's (for notes).
    Iterator { container: Owned, iter: Owned, first: bool, pairs: bool, index: usize, key: Option<Owned> },
    /// An exact dict walked in place (for the orjson face, any dict; `skip_private`: a
    /// dataclass's `__dict__`, whose `_`-prefixed keys are left out); `len` its size when the
    /// walk began, `taken` the items taken since.
    Dict { dict: Owned, pos: Py_ssize_t, len: Py_ssize_t, taken: Py_ssize_t, first: bool, skip_private: bool },
    /// The orjson face's sorted items: keys as written (str), sorted by code point.
    Pairs { dict: Owned, pairs: Vec<(Owned, Owned)>, next: usize },
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
            Frame::Dict { dict, .. } | Frame::Items { dict, .. } | Frame::Pairs { dict, .. } => dict.as_ptr(),
            Frame::Default { obj } => obj.as_ptr(),
        }
    }
}

pub struct Encoder<'o, W: Output> {
    opts: &'o Options,
    pub out: W,
    stack: Vec<Frame>,
    /// Open containers (the indentation level).
    level: usize,
    max_depth: usize,
    /// Frames on the stack that count as a nesting level (see `is_level`).
    levels: usize,
    /// `Frame::Default`s on the stack.
    defaults: usize,
    /// Enums replaced by their values since something was last written: a chain of enums
    /// whose values are enums ends within orjson's depth (a cycle of them would loop forever
    /// here; orjson crashes on it).
    enum_hops: usize,
    /// See [`indent_with_first_key`].
    indent_with_first_key: bool,
    /// With `check_circular`, the markers of the frames after the first [`SCANNED`]: a cycle
    /// check scans those and looks deeper ones up here (a scan of every frame made a document
    /// 60,000 levels deep, which 3.14's `json` takes, cost seconds).
    deep_markers: HashSet<*mut PyObject>,
    /// The public fields of the last dataclass with `__slots__` written, found once per
    /// call for a run of its instances (see `slotted_fields`).
    slotted: Option<SlottedFields>,
}

/// Frames whose markers a cycle check compares one by one.
const SCANNED: usize = 32;

/// How deep the orjson face nests containers, and `default` calls within `default` results.
const ORJSON_MAX_DEPTH: usize = 254;

/// How deep a face nests containers: orjson's fixed limit, or for the standard library's
/// `max_depth` (from the recursion limit).
pub fn depth_limit(opts: &Options, max_depth: usize) -> usize {
    if opts.orjson.is_some() { ORJSON_MAX_DEPTH } else { max_depth }
}

impl<'o, W: Output> Encoder<'o, W> {
    pub fn new(opts: &'o Options, max_depth: usize) -> Self {
        let max_depth = depth_limit(opts, max_depth);
        Encoder {
            opts,
            out: W::default(),
            stack: Vec::new(),
            level: 0,
            max_depth,
            levels: 0,
            defaults: 0,
            enum_hops: 0,
            // orjson indents when it opens a dict, on every version.
            indent_with_first_key: opts.orjson.is_none() && indent_with_first_key(),
            deep_markers: HashSet::new(),
            slotted: None,
        }
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
                // Memory ran out: stop before running any more Python code.
                if self.out.failed() {
                    return Err(no_memory());
                }
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
                    self.enum_hops = 0;
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
            match Kind::of(o, self.opts.orjson.as_ref()) {
                Kind::None => self.out.ascii(b"null"),
                Kind::True => self.out.ascii(b"true"),
                Kind::False => self.out.ascii(b"false"),
                Kind::Str => write_str(&mut self.out, o, self.opts.ensure_ascii)?,
                Kind::Int => write_int(&mut self.out, o, self.opts)?,
                Kind::Float => write_float(&mut self.out, o, self.opts)?,
                Kind::Sequence => self.open_sequence(obj)?,
                Kind::Dict => self.open_dict(obj)?,
                Kind::Other => match self.opts.orjson {
                    Some(oj) => return self.native(obj, &oj),
                    None => return self.call_default(obj).map(Some),
                },
            }
        }
        Ok(None)
    }

    /// Raises `ValueError` if `obj` is already being encoded further up (a cycle).
    unsafe fn check_circular(&self, obj: *mut PyObject) -> Result<()> {
        let seen = || self.stack.iter().take(SCANNED).any(|f| f.marker() == obj) || self.deep_markers.contains(&obj);
        if self.opts.check_circular && seen() {
            // SAFETY: GIL held.
            unsafe { raise(PyExc_ValueError, "Circular reference detected") };
            return Err(PyErrSet);
        }
        Ok(())
    }

    /// Pushes a frame, counting it against rjson's own cap and, for the stdlib face, against
    /// the interpreter's recursion limit as the standard library's recursive encoder counts
    /// its calls. orjson counts only its own levels (counted there too, a chain of `default`
    /// results failed before orjson's limit on a 3.13 debug build, whose C code may nest 500
    /// calls deep).
    unsafe fn push(&mut self, frame: Frame) -> Result<()> {
        const PLACE: &std::ffi::CStr = c" while encoding a JSON object";
        let is_level = self.is_level(&frame);
        let is_default = matches!(frame, Frame::Default { .. });
        // The standard library counts `default` calls as levels too (from 3.14 its C code is
        // bounded by stack space only, so an endless chain of `default` results stops here).
        if is_level || (is_default && self.opts.orjson.is_none()) {
            self.check_level()?;
        }
        if is_level {
            self.levels += 1;
        }
        if is_default {
            if self.opts.orjson.is_some() && self.defaults > ORJSON_MAX_DEPTH {
                return Err(refuse("default serializer exceeds recursion limit"));
            }
            self.defaults += 1;
        }
        // SAFETY: GIL held; balanced by `pop` (or by `Drop` on error).
        if self.opts.orjson.is_none() && unsafe { Py_EnterRecursiveCall(PLACE.as_ptr()) } != 0 {
            return Err(PyErrSet);
        }
        // Each marker is on the stack once (`check_circular` came first), so in the set once.
        if self.opts.check_circular && self.stack.len() >= SCANNED {
            self.deep_markers.insert(frame.marker());
        }
        self.stack.try_reserve(1).map_err(|_| no_memory())?;
        self.stack.push(frame);
        Ok(())
    }

    /// Raises if one more nesting level would be too deep.
    fn check_level(&self) -> Result<()> {
        let depth = if self.opts.orjson.is_some() { self.levels } else { self.levels + self.defaults };
        if depth < self.max_depth {
            return Ok(());
        }
        if self.opts.orjson.is_some() {
            return Err(refuse("Recursion limit reached"));
        }
        // SAFETY: GIL held.
        unsafe { raise(PyExc_RecursionError, "maximum recursion depth exceeded while encoding a JSON object") };
        Err(PyErrSet)
    }

    /// Whether `frame` is a nesting level: containers are, `default` calls are not, and for
    /// the orjson face neither are tuples (orjson does not count them).
    fn is_level(&self, frame: &Frame) -> bool {
        match frame {
            Frame::Default { .. } => false,
            // SAFETY: the frame holds its sequence.
            Frame::Sequence { seq, .. } if self.opts.orjson.is_some() => unsafe { PyTuple_Check(seq.as_ptr()) == 0 },
            _ => true,
        }
    }

    /// An empty container written without a frame is still a level to orjson.
    fn check_empty_level(&self, tuple: bool) -> Result<()> {
        if self.opts.orjson.is_some() && !tuple {
            return self.check_level();
        }
        Ok(())
    }

    fn pop(&mut self) {
        if let Some(frame) = self.stack.pop() {
            if self.opts.check_circular && self.stack.len() >= SCANNED {
                self.deep_markers.remove(&frame.marker());
            }
            if self.is_level(&frame) {
                self.levels -= 1;
            }
            if let Frame::Default { .. } = frame {
                self.defaults -= 1;
            }
        }
        if self.opts.orjson.is_none() {
            // SAFETY: balances the Py_EnterRecursiveCall of `push`; GIL held.
            unsafe { Py_LeaveRecursiveCall() };
        }
    }

    unsafe fn open_sequence(&mut self, seq: Owned) -> Result<()> {
        let o = seq.as_ptr();
        // SAFETY: `o` is a live list or tuple (or subclass instance); what the frame walks
        // is owned by it.
        unsafe {
            // orjson reads list subclasses' storage too.
            if PyList_CheckExact(o) != 0 || PyTuple_CheckExact(o) != 0 || self.opts.orjson.is_some() {
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
                self.check_empty_level(PyTuple_Check(seq.as_ptr()) != 0)?;
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
                self.check_empty_level(false)?;
                self.out.ascii(b"{}");
                return Ok(());
            }
            self.check_circular(o)?;
            let frame = if let Some(oj) = self.opts.orjson {
                // orjson writes every key before any value with OPT_NON_STR_KEYS (so a bad key
                // fails first), and sorts them all first with OPT_SORT_KEYS.
                if oj.has(opt::SORT_KEYS) || oj.has(opt::NON_STR_KEYS) {
                    Frame::Pairs { pairs: key_pairs(o, &oj, oj.has(opt::SORT_KEYS))?, dict, next: 0 }
                } else {
                    Frame::Dict { len: PyDict_Size(o), dict, pos: 0, taken: 0, first: true, skip_private: false }
                }
            } else if self.opts.python_encoder && (self.opts.sort_keys || !exact) {
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
                Frame::Dict { dict, pos: 0, len, taken: 0, first: true, skip_private: false }
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
            let orjson = self.opts.orjson.is_some();
            if self.opts.default.is_null() {
                if orjson {
                    return Err(unserializable(o));
                }
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
                if orjson {
                    // orjson's own error, caused by `default`'s.
                    return Err(refuse_caused(&format!("Type is not JSON serializable: {}", tp_name(o))));
                }
            }
            replacement.ok_or(PyErrSet)
        }
    }

    /// Writes an opening bracket and the indentation of the first item (for a dict, with its
    /// first key where `json` does so: see [`indent_with_first_key`]).
    #[inline(always)]
    fn open(&mut self, bracket: u8) {
        self.out.ascii(&[bracket]);
        self.level += 1;
        if !(self.indent_with_first_key && bracket == b'{') {
            self.newline_indent();
        }
    }

    #[inline(always)]
    fn close(&mut self, bracket: u8) {
        self.level -= 1;
        let nothing_written = self.indent_with_first_key
            && matches!(self.stack.last(), Some(Frame::Dict { first: true, .. } | Frame::Items { first: true, .. } | Frame::Iterator { first: true, pairs: true, .. }));
        if !nothing_written {
            self.newline_indent();
        }
        self.out.ascii(&[bracket]);
        self.pop();
    }

    #[inline(always)]
    fn newline_indent(&mut self) {
        newline_indent(&mut self.out, &self.opts.indent, self.level);
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
                Frame::Pairs { .. } => self.advance_pairs(top),
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
                let Frame::Dict { dict, pos, len, taken, first, skip_private } = &mut self.stack[top] else { unreachable!() };
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
                if *skip_private {
                    // A dataclass's `__dict__`: orjson wants str keys there whatever the options.
                    if Py_TYPE(key) != &raw mut PyUnicode_Type {
                        return Err(refuse("Dict key must be str"));
                    }
                    if is_private(key) {
                        continue;
                    }
                }
                let (key, value) = (Owned::borrowed(key), Owned::borrowed(value));
                if self.key(key.as_ptr(), was_first)? {
                    self.mark_not_first(top);
                    return Ok(Some(value));
                }
            }
        }
    }

    unsafe fn advance_pairs(&mut self, top: usize) -> Result<Option<Owned>> {
        let Frame::Pairs { pairs, next, .. } = &mut self.stack[top] else { unreachable!() };
        let Some((key, value)) = pairs.get(*next) else {
            self.close(b'}');
            return Ok(None);
        };
        let (key, value, first) = (Owned::borrowed(key.as_ptr()), Owned::borrowed(value.as_ptr()), *next == 0);
        *next += 1;
        // SAFETY: the frame holds the key, a str (see `key_pairs`).
        unsafe { self.key(key.as_ptr(), first)? };
        Ok(Some(value))
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
            if let Some(oj) = self.opts.orjson {
                let text = orjson_key(key, &oj)?;
                if !first {
                    self.item_separator();
                }
                match text {
                    KeyText::Str(s) => write_str(&mut self.out, s.as_ptr(), self.opts.ensure_ascii)?,
                    KeyText::Raw(text) => {
                        self.out.ascii(b"\"");
                        self.out.ascii(text.as_slice());
                        self.out.ascii(b"\"");
                    }
                }
                self.out.text(&self.opts.key_separator);
                return Ok(true);
            }
            let kind = Kind::of(key, None);
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
            } else if self.indent_with_first_key {
                self.newline_indent();
            }
            if kind == Kind::Str {
                write_str(&mut self.out, key, self.opts.ensure_ascii)?;
            } else {
                self.out.ascii(b"\"");
                match kind {
                    Kind::Float => write_float(&mut self.out, key, self.opts)?,
                    Kind::True => self.out.ascii(b"true"),
                    Kind::False => self.out.ascii(b"false"),
                    Kind::None => self.out.ascii(b"null"),
                    _ => write_int(&mut self.out, key, self.opts)?,
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
    /// For the orjson face (`orjson`), subclasses of str, int, list and dict only (none with
    /// `OPT_PASSTHROUGH_SUBCLASS`).
    #[inline(always)]
    unsafe fn of(o: *mut PyObject, orjson: Option<&Orjson>) -> Kind {
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
            } else if ty == &raw mut PyLong_Type {
                Kind::Int
            } else if let Some(oj) = orjson {
                if oj.has(opt::PASSTHROUGH_SUBCLASS) {
                    Kind::Other
                } else if PyUnicode_Check(o) != 0 {
                    Kind::Str
                } else if PyLong_Check(o) != 0 {
                    Kind::Int
                } else if PyList_Check(o) != 0 {
                    Kind::Sequence
                } else if PyDict_Check(o) != 0 {
                    Kind::Dict
                } else {
                    Kind::Other
                }
            } else if PyLong_Check(o) != 0 {
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

impl<W: Output> Encoder<'_, W> {
    /// CPython 3.14+ notes where an exception arose, innermost first: "when serializing list
    /// item 0", "... dict item 'a'", "... Point object" (the result of `default` for it).
    /// `inside_top`: whether it arose inside the innermost frame's current item.
    #[cfg(py_3_14)]
    fn note_error(&self, inside_top: bool) {
        if self.opts.orjson.is_some() {
            return;
        }
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
                Frame::Iterator { key, .. } => (c"item %R", key.as_ref().map(|k| Owned::borrowed(k.as_ptr()))),
                Frame::Items { items, next, .. } => (c"item %R", Some(Owned::borrowed(tuple_item(list_item(items.as_ptr(), next - 1), 0)))),
                Frame::Dict { dict, pos, .. } => (c"item %R", Some(dict_key_before(dict.as_ptr(), *pos)?)),
                Frame::Default { .. } => (c"object", None),
                Frame::Pairs { .. } => return None,
            };
            let item = match item {
                Some(item) if what == c"item %zd" => Some(Owned::new(PyObject_Str(item.as_ptr()))?),
                // The pure-Python encoder names a dict item by its key as written (`'null'`
                // for None), the C one by the key itself.
                Some(key) if self.opts.python_encoder => Some(Owned::new(PyObject_Repr(coerced_key(key.as_ptr())?.as_ptr()))?),
                Some(key) => Some(Owned::new(PyObject_Repr(key.as_ptr()))?),
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
        let mut text = OutBuf::default();
        match Kind::of(key, None) {
            Kind::Str => return Some(Owned::borrowed(key)),
            Kind::None => text.extend_from_slice(b"null"),
            Kind::True => text.extend_from_slice(b"true"),
            Kind::False => text.extend_from_slice(b"false"),
            Kind::Int => write_int_repr(&mut text, key).ok()?,
            Kind::Float => match float_value(key) {
                v if v.is_finite() => write_float_repr(&mut text, v),
                v => text.extend_from_slice(non_finite(v)),
            },
            _ => return Some(Owned::borrowed(key)),
        }
        if text.failed() {
            no_memory();
            return None;
        }
        let text = text.as_slice();
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

impl<W: Output> Drop for Encoder<'_, W> {
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

/// The orjson face's native types.
impl<W: Output> Encoder<'_, W> {
    /// Writes a native type (or opens a dataclass's frame), or returns what encodes next (an
    /// enum's value, `default`'s result).
    unsafe fn native(&mut self, obj: Owned, oj: &Orjson) -> Result<Option<Owned>> {
        let o = obj.as_ptr();
        let types = &oj.types;
        // SAFETY: `o` is live; each branch reads it as the type `kind` found.
        unsafe {
            // orjson looks for numpy's types last; none of them is another native type, so
            // they are looked for first here (the dataclass check costs a failed lookup).
            if let Some(numpy) = types.numpy.as_ref() {
                if let Some(object) = numpy.kind(o) {
                    return self.numpy(obj, object, numpy, oj);
                }
            }
            match types.kind(o, !oj.has(opt::PASSTHROUGH_DATETIME), !oj.has(opt::PASSTHROUGH_DATACLASS)) {
                Native::Enum => {
                    self.enum_hops += 1;
                    if self.enum_hops > ORJSON_MAX_DEPTH {
                        return Err(refuse("Recursion limit reached"));
                    }
                    return Ok(Some(Owned::new(PyObject_GetAttr(o, types.value_name)).ok_or(PyErrSet)?));
                }
                Native::Dataclass => self.open_dataclass(obj, types)?,
                Native::Fragment => self.write_fragment(o)?,
                Native::Unknown => return self.call_default(obj).map(Some),
                native => {
                    self.out.ascii(b"\"");
                    self.out.with_ascii(|buf| write_native_text(buf, o, native, oj))?;
                    self.out.ascii(b"\"");
                }
            }
        }
        Ok(None)
    }

    /// A numpy array or scalar, or what `default` makes of an array orjson hands to it.
    unsafe fn numpy(&mut self, obj: Owned, object: NumpyObject, numpy: &NumpyTypes, oj: &Orjson) -> Result<Option<Owned>> {
        let layout = Layout { indent: self.opts.indent.is_some().then_some(self.level), time: oj.time_format() };
        // SAFETY: `obj` is live and of kind `object`; the names are held by the module state.
        match self.out.with_ascii(|buf| unsafe { numpy.write(buf, obj.as_ptr(), object, &oj.types, layout) }) {
            Ok(()) => Ok(None),
            Err(Refusal::Raised) => Err(PyErrSet),
            // SAFETY: as above.
            Err(Refusal::ToDefault(_)) if !self.opts.default.is_null() => unsafe { self.call_default(obj).map(Some) },
            Err(Refusal::ToDefault(message)) => Err(refuse(message)),
            Err(Refusal::Error(message)) => Err(refuse(&message)),
        }
    }

    /// A `Fragment`'s contents, as they are: bytes raw, a str as UTF-8.
    unsafe fn write_fragment(&mut self, o: *mut PyObject) -> Result<()> {
        // SAFETY: `o` is a live Fragment, which holds its contents.
        unsafe {
            let contents = fragment_contents(o);
            if PyBytes_CheckExact(contents) != 0 {
                self.out.ascii(crate::ffi::bytes::as_slice(contents));
                return Ok(());
            }
            if PyUnicode_CheckExact(contents) == 0 {
                return Err(refuse("orjson.Fragment's content is not of type bytes or str"));
            }
            match str_data(contents) {
                Some(StrData::Ascii(bytes)) => self.out.ascii(bytes),
                Some(StrData::Latin1(units)) => self.out.latin1(units),
                Some(StrData::Ucs2(units)) => self.out.ucs2(units),
                Some(StrData::Ucs4(units)) => self.out.ucs4(units),
                None => return Err(PyErrSet),
            }
            if self.out.take_surrogate() {
                return Err(refuse(SURROGATES));
            }
        }
        Ok(())
    }

    /// A dataclass as orjson writes it: the instance `__dict__` (in its order, `_`-prefixed
    /// keys left out) unless the class has `__slots__`, then its fields in declaration order
    /// (`_`-prefixed names, `ClassVar`s and `InitVar`s left out).
    unsafe fn open_dataclass(&mut self, obj: Owned, types: &NativeTypes) -> Result<()> {
        let o = obj.as_ptr();
        // SAFETY: `o` is live; new references are owned; `tp_dict` of a class is its dict.
        unsafe {
            let type_dict = (*Py_TYPE(o)).tp_dict;
            let slotted = !type_dict.is_null() && PyDict_Contains(type_dict, types.slots_name) == 1;
            let instance_dict = if slotted { None } else { Owned::new(PyObject_GetAttr(o, types.dict_name)) };
            let (dict, skip_private) = match instance_dict {
                Some(dict) if PyDict_Check(dict.as_ptr()) != 0 => (dict, true),
                _ => {
                    PyErr_Clear();
                    (self.slotted_fields(o, types)?, false)
                }
            };
            if PyDict_Size(dict.as_ptr()) == 0 {
                self.check_empty_level(false)?;
                self.out.ascii(b"{}");
                return Ok(());
            }
            let len = PyDict_Size(dict.as_ptr());
            self.push(Frame::Dict { dict, pos: 0, len, taken: 0, first: true, skip_private })?;
        }
        self.open(b'{');
        Ok(())
    }
}

use super::native::{FragmentObject, NativeTypes};
use crate::ffi::unicode::StrData;

/// The contents of a `Fragment`.
///
/// # Safety
/// `o` must be a live Fragment.
unsafe fn fragment_contents(o: *mut PyObject) -> *mut PyObject {
    // SAFETY: Fragment instances have the FragmentObject layout.
    unsafe { (*o.cast::<FragmentObject>()).contents }
}

/// A dataclass and the names of its public fields (`_field_type is _FIELD`, no `_` first).
struct SlottedFields {
    /// Held, so that no other class takes its address during the call.
    class: Owned,
    /// The class's `__dataclass_fields__` when the names were read, and its size then.
    fields: Owned,
    len: Py_ssize_t,
    names: Vec<Owned>,
}

impl<W: Output> Encoder<'_, W> {
    /// `{name: getattr(o, name)}` for the public fields of the dataclass `o`. The names are
    /// read from `__dataclass_fields__` once for a run of instances of one class, while the
    /// class keeps the same fields dict of the same size.
    unsafe fn slotted_fields(&mut self, o: *mut PyObject, types: &NativeTypes) -> Result<Owned> {
        // SAFETY: GIL held; `o` live; new references are owned.
        unsafe {
            let fields = Owned::new(PyObject_GetAttr(o, types.fields_name)).ok_or(PyErrSet)?;
            if PyDict_Check(fields.as_ptr()) == 0 {
                return Err(unserializable(o));
            }
            let class = Py_TYPE(o).cast::<PyObject>();
            let known = self.slotted.as_ref().is_some_and(|s| {
                s.class.as_ptr() == class && s.fields.as_ptr() == fields.as_ptr() && s.len == PyDict_Size(fields.as_ptr())
            });
            if !known {
                self.slotted = None;
                let names = public_field_names(fields.as_ptr(), types)?;
                let len = PyDict_Size(fields.as_ptr());
                self.slotted = Some(SlottedFields { class: Owned::borrowed(class), fields, len, names });
            }
            let names = &self.slotted.as_ref().expect("just set").names;
            let out = Owned::new(PyDict_New()).ok_or(PyErrSet)?;
            for name in names {
                let value = Owned::new(PyObject_GetAttr(o, name.as_ptr())).ok_or(PyErrSet)?;
                if PyDict_SetItem(out.as_ptr(), name.as_ptr(), value.as_ptr()) != 0 {
                    return Err(PyErrSet);
                }
            }
            Ok(out)
        }
    }
}

/// The names in a dataclass's `__dataclass_fields__` of its public fields.
unsafe fn public_field_names(fields: *mut PyObject, types: &NativeTypes) -> Result<Vec<Owned>> {
    // SAFETY: GIL held; `fields` a live dict; new references are owned.
    unsafe {
        let module = Owned::new(PyImport_Import(types.dataclasses_name)).ok_or(PyErrSet)?;
        let field_marker = Owned::new(PyObject_GetAttr(module.as_ptr(), types.field_marker_name)).ok_or(PyErrSet)?;
        let mut names = Vec::new();
        let (mut pos, mut name, mut field) = (0, null_mut(), null_mut());
        while PyDict_Next(fields, &mut pos, &mut name, &mut field) != 0 {
            let (name, field) = (Owned::borrowed(name), Owned::borrowed(field));
            let kind = Owned::new(PyObject_GetAttr(field.as_ptr(), types.field_type_name)).ok_or(PyErrSet)?;
            if kind.as_ptr() == field_marker.as_ptr() && !is_private(name.as_ptr()) {
                names.try_reserve(1).map_err(|_| no_memory())?;
                names.push(name);
            }
        }
        Ok(names)
    }
}

/// A dict key as the orjson face writes it.
enum KeyText {
    /// A str, written escaped (the key itself, or an enum key's value).
    Str(Owned),
    /// The text `OPT_NON_STR_KEYS` gives other keys (nothing to escape).
    Raw(OutBuf),
}

/// The text of a dict key for the orjson face: an enum key is its value's (a chain of enums
/// ends within orjson's depth, as in values).
unsafe fn orjson_key(key: *mut PyObject, oj: &Orjson) -> Result<KeyText> {
    let mut key = Owned::borrowed(key);
    for _ in 0..=ORJSON_MAX_DEPTH {
        // SAFETY: `key` is live.
        match unsafe { orjson_key_text(key.as_ptr(), oj)? } {
            Ok(text) => return Ok(text),
            Err(value) => key = value,
        }
    }
    Err(refuse("Recursion limit reached"))
}

/// [`orjson_key`] for one key; an enum's value (`Err`) to be taken instead.
unsafe fn orjson_key_text(key: *mut PyObject, oj: &Orjson) -> Result<std::result::Result<KeyText, Owned>> {
    // SAFETY: `key` is live; each branch reads it as the type it checked.
    unsafe {
        if Py_TYPE(key) == &raw mut PyUnicode_Type {
            return Ok(Ok(KeyText::Str(Owned::borrowed(key))));
        }
        if !oj.has(opt::NON_STR_KEYS) {
            return Err(refuse("Dict key must be str"));
        }
        let mut text = OutBuf::default();
        if PyUnicode_Check(key) != 0 {
            return Ok(Ok(KeyText::Str(Owned::borrowed(key))));
        } else if key == Py_None() {
            text.extend_from_slice(b"null");
        } else if key == Py_True() {
            text.extend_from_slice(b"true");
        } else if key == Py_False() {
            text.extend_from_slice(b"false");
        } else if PyLong_Check(key) != 0 {
            write_int_64(&mut text, key, false, "Dict integer key must be within 64-bit range")?;
        } else if PyFloat_Check(key) != 0 {
            write_float_orjson(&mut text, float_value(key));
        } else {
            match oj.types.kind(key, true, false) {
                Native::Enum => {
                    return Ok(Err(Owned::new(PyObject_GetAttr(key, oj.types.value_name)).ok_or(PyErrSet)?));
                }
                native @ (Native::DateTime | Native::Date | Native::Time | Native::Uuid) => {
                    write_native_text(&mut text, key, native, oj)?;
                }
                _ => return Err(refuse("Dict key must a type serializable with OPT_NON_STR_KEYS")),
            }
        }
        if text.failed() {
            return Err(no_memory());
        }
        Ok(Ok(KeyText::Raw(text)))
    }
}

/// A dict's items with their keys as the str they are written as, sorted by code point (as
/// orjson sorts them) if `sort`.
unsafe fn key_pairs(dict: *mut PyObject, oj: &Orjson, sort: bool) -> Result<Vec<(Owned, Owned)>> {
    // SAFETY: GIL held; `dict` is live; keys and values are taken as strong references
    // before any Python code runs.
    unsafe {
        let mut pairs = Vec::new();
        pairs.try_reserve_exact(PyDict_Size(dict) as usize).map_err(|_| no_memory())?;
        let (mut pos, mut key, mut value) = (0, null_mut(), null_mut());
        while PyDict_Next(dict, &mut pos, &mut key, &mut value) != 0 {
            let (key, value) = (Owned::borrowed(key), Owned::borrowed(value));
            let key = match orjson_key(key.as_ptr(), oj)? {
                // Every key is made valid UTF-8 before any value is written.
                KeyText::Str(s) if str_data(s.as_ptr()).is_some_and(|d| d.has_surrogate()) => return Err(refuse(SURROGATES)),
                KeyText::Str(s) => s,
                KeyText::Raw(text) => {
                    let text = std::str::from_utf8(text.as_slice()).map_err(|_| PyErrSet)?;
                    Owned::new(PyUnicode_FromStringAndSize(text.as_ptr().cast(), text.len() as Py_ssize_t)).ok_or(PyErrSet)?
                }
            };
            pairs.push((key, value));
        }
        if sort {
            pairs.sort_by(|a, b| PyUnicode_Compare(a.0.as_ptr(), b.0.as_ptr()).cmp(&0));
        }
        Ok(pairs)
    }
}

