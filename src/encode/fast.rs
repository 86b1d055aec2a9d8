//! The fast walk, for what most calls encode: exact dicts with str keys, lists, tuples, str,
//! int, float, bool and None, written by a direct recursive walk over borrowed references.
//! Nothing it calls runs Python code, so nothing can change or free what it walks.
//!
//! Anything else (another type or a subclass, a key that is not a str, a value the scalar
//! writers refuse, nesting deeper than the stack allows ([`FIXED_DEPTH`], [`LEVEL_STACK`]), a cycle) makes it give up: its output
//! is dropped and the general walk (`encoder`) encodes the object from the start, with every
//! rule, error and note of the face. So the fast walk never raises, and what it writes is
//! exactly what the general walk writes (the same scalar writers and separators).
//!
//! The write position is a [`Cursor`] passed along and returned by value, kept in a register;
//! writers of the general walk's kind get the buffer settled at it (`through`).

use super::buffer::{put_short, Cursor};
use super::encoder::depth_limit;
use super::error::PyErrSet;
use super::escape::{put_quoted_escaped, put_quoted_plain, quoted_escaped_room, write_escaped, SHORT_PLAIN};
use super::integer::Decimal;
use super::keys::{KeyTexts, TEXT};
use super::member_texts::{MemberTexts, MEMBER_TEXT};
use super::native::{
    has_plain_enum_value, has_plain_instance_dict, is_fixed_zone, is_private, plain_enum_value,
    put_uuid, slot_fields, utc_offset, uuid_int_slot, uuid_int_value, Native, NativeTypes,
};
use super::time_text::{put_datetime_text, put_hms, put_ymd, TimeFormat, TIME_TEXT_MAX};
use crate::ffi::datetime::{date_fields, datetime_fields, time_fields};
use super::options::{opt, Options, Orjson};
use super::float::{is_plain_repr, put_exponent_repr, FloatWriter, MAX_LEN as FLOAT_LEN};
use super::sorted_orders::SortedOrders;
use super::scalars::{plain_int, walk_float, write_float, write_int, write_str};
use super::writer::{newline_indent, Output, Text};
use crate::ffi::type_of;
use crate::ffi::containers::{var_size, PyListObject, PyTupleObject};
use crate::ffi::dict::{split_table, unicode_entries, PyDictObject, SplitTable, ENTRIES};
use crate::ffi::instance::{attributes, Attributes, ATTRIBUTES};
use crate::ffi::member::slot;
use crate::ffi::unicode::{compact_ascii, str_data, StrData};
use pyo3_ffi::*;
use std::ptr::null_mut;

/// The fast walk gave up; what it wrote is to be dropped.
pub struct GaveUp;

/// The deepest nesting walked here where the thread's stack is small or unknown: it fits the
/// smallest stacks Python threads get (a few hundred bytes a level: 128 levels overflowed a
/// 64 KiB thread stack). Where more stack is left, the walk goes as deep as it allows
/// ([`LEVEL_STACK`]). Deeper documents are the general walk's, which does not recurse.
const FIXED_DEPTH: usize = 32;

/// Stack a level of nesting takes, with room to spare: a dict's level takes about 270 bytes
/// (the frames of `dict` and `value`), a list's 240.
const LEVEL_STACK: usize = 1024;

/// Stack left free below the deepest level, for what the walk calls there (the scalar
/// writers).
const LEAF_STACK: usize = 32 * 1024;

/// Whether the fast walk can encode under these options: the orjson face's non-str keys
/// need the general walk's frames.
pub fn applies(opts: &Options) -> bool {
    opts.orjson.is_none_or(|oj| !oj.has(opt::NON_STR_KEYS))
}

/// Writes `obj` to `out`, or gives up with no exception set (what was written is to be
/// dropped). `max_depth` is the standard library's nesting limit (see [`depth_limit`]),
/// within which the walk stays; `keys` the module's key texts.
///
/// # Safety
/// GIL held; `obj` and what `opts` borrows live; `keys` valid and not otherwise in use (no
/// Python code runs here: no other call can reach it meanwhile).
pub unsafe fn encode<W: Output>(out: &mut W, opts: &Options, obj: *mut PyObject, max_depth: usize, keys: *mut KeyTexts) -> Result<(), GaveUp> {
    let mut walk = Walk {
        // SAFETY: see the function's contract.
        keys: unsafe { &mut *keys },
        out,
        opts,
        level: 0,
        deepest: 0,
        limit: depth_limit(opts, max_depth).min(FIXED_DEPTH.max(crate::stack::remaining().saturating_sub(LEAF_STACK) / LEVEL_STACK)),
        // SAFETY: GIL held.
        dict_entries: unsafe { ENTRIES.passed() },
        // Dataclasses are the orjson face's: the standard library's walks split dicts by
        // `PyDict_Next` rather than make a class for the check on its first call.
        // SAFETY: GIL held; nothing borrowed yet that the check could disturb.
        split_tables: opts.orjson.is_some() && unsafe { ATTRIBUTES.passed() },
        compact_separator: match (&opts.item_separator, &opts.indent) {
            (Text::Ascii(sep), None) if sep.len() == 1 => Some(sep[0]),
            _ => None,
        },
        key_separator: match &opts.key_separator {
            Text::Ascii(sep) if sep.len() == 1 => Some(sep[0]),
            _ => None,
        },
        item_word: opts.indent.is_none().then(|| Word::of(&opts.item_separator)).flatten(),
        key_word: Word::of(&opts.key_separator),
        known: (null_mut(), Native::Unknown),
        plain_dataclass: null_mut(),
        slotted: Vec::new(),
        member_texts: MemberTexts::default(),
        plain_enum: null_mut(),
        uuid_int: None,
        zone: (null_mut(), None),
        sort_keys: match opts.orjson {
            Some(oj) => oj.has(opt::SORT_KEYS),
            None => opts.sort_keys,
        },
        pairs: Vec::new(),
        sorted_orders: SortedOrders::default(),
        floats: FloatWriter::default(),
    };
    let at = walk.out.buffer().cursor();
    // SAFETY: forwarded.
    let at = unsafe { walk.value(at, obj) }?;
    walk.out.buffer().settle(at);
    // The standard library's walk counts its containers against the recursion limit.
    // SAFETY: GIL held.
    if opts.orjson.is_none() && !unsafe { within_recursion_limit(walk.deepest) } {
        return Err(GaveUp);
    }
    Ok(())
}

/// Whether `levels` nested calls fit in what is left of the interpreter's recursion limit,
/// as the standard library's encoder, which recurses once a container, finds it. Asked once
/// the walk is done, not level by level on the way down: no Python code runs during the walk
/// to see the count, and a call out of the descent cost every later chain of a deep document
/// a mispredicted return a level (20 lists 254 deep dumped 1.7x slower). Past the limit the
/// walk's output is dropped and the general walk raises `RecursionError` where `json` does.
///
/// # Safety
/// GIL held.
unsafe fn within_recursion_limit(levels: usize) -> bool {
    let leave = |n: usize| {
        for _ in 0..n {
            // SAFETY: balances one of the Py_EnterRecursiveCall below; GIL held.
            unsafe { Py_LeaveRecursiveCall() };
        }
    };
    for entered in 0..levels {
        // SAFETY: GIL held; balanced by `leave`.
        if unsafe { Py_EnterRecursiveCall(c"".as_ptr()) } != 0 {
            // SAFETY: the RecursionError just raised; the general walk raises its own.
            unsafe { PyErr_Clear() };
            leave(entered);
            return false;
        }
    }
    leave(levels);
    true
}

/// A separator of 2 to 8 ASCII bytes (the standard library's `", "` and `": "`: written
/// as text by the writer they were a tenth of a small dumps), stored as one word.
#[derive(Clone, Copy)]
struct Word {
    bytes: [u8; 8],
    len: u8,
}

impl Word {
    fn of(text: &Text) -> Option<Word> {
        let Text::Ascii(text) = text else { return None };
        let mut bytes = [0u8; 8];
        bytes.get_mut(..text.len())?.copy_from_slice(text);
        (text.len() > 1).then_some(Word { bytes, len: text.len() as u8 })
    }
}

/// Where the output ends after a part was walked, or the walk gave up.
type Walked = Result<Cursor, GaveUp>;

struct Walk<'a, W: Output> {
    out: &'a mut W,
    keys: &'a mut KeyTexts,
    opts: &'a Options,
    /// Open non-empty containers, as the general walk counts its frames.
    level: usize,
    /// The deepest `level` reached, checked against the recursion limit once the walk is done
    /// (see [`within_recursion_limit`]).
    deepest: usize,
    limit: usize,
    /// Whether dicts' entries can be read in place (`crate::ffi::dict`).
    dict_entries: bool,
    /// Whether split tables and instances' attributes are read in place (`crate::ffi::instance`;
    /// the orjson face only).
    split_tables: bool,
    /// The item separator when it is one ASCII byte and nothing follows it (no indent).
    compact_separator: Option<u8>,
    /// The key separator when it is one ASCII byte.
    key_separator: Option<u8>,
    /// The item separator when it is 2 to 8 ASCII bytes and nothing follows it. Kept apart
    /// from `compact_separator` (not one enum for both): the enum's extra test cost the
    /// compact separators' loops 1.6% of twitter.json's instructions.
    item_word: Option<Word>,
    /// The key separator when it is 2 to 8 ASCII bytes.
    key_word: Option<Word>,
    /// The last class whose instances `native` wrote, and how (never one of JSON's exact
    /// types, which `value` writes first).
    known: (*mut PyTypeObject, Native),
    /// The last dataclass found to be written here: read through a plain instance dict, or
    /// from its slots (classes cannot change while the walk runs: no Python code runs).
    plain_dataclass: *mut PyTypeObject,
    /// The slots dataclasses met, and the fields read from their slots.
    slotted: Vec<SlottedClass>,
    /// The member texts of the split keys objects met (`split_members`).
    member_texts: MemberTexts,
    /// Where `uuid.UUID`'s `int` is read from with no Python code run (`None` inside if it
    /// cannot be), once asked.
    uuid_int: Option<Option<Py_ssize_t>>,
    /// The last enum found to have a plain `value` (see `plain_dataclass`).
    plain_enum: *mut PyTypeObject,
    /// The last fixed `datetime.timezone` met and its UTC offset.
    zone: (*mut PyObject, Option<i32>),
    /// Members are written in the code point order of their keys (as `sorted(d.items())`
    /// orders str keys, and orjson's `OPT_SORT_KEYS`).
    sort_keys: bool,
    /// The members of the dicts being written in order, innermost last.
    pairs: Vec<(*mut PyObject, *mut PyObject)>,
    sorted_orders: SortedOrders,
    floats: FloatWriter,
}

/// A slots dataclass and its fields as `slot_fields` finds them: names (borrowed from the
/// class's `__dataclass_fields__`) and slot offsets.
struct SlottedClass {
    class: *mut PyTypeObject,
    fields: Vec<(*mut PyObject, Py_ssize_t)>,
}

/// Whether `o` is an instance of a subclass of int, float, str, bytes, list, tuple or dict.
///
/// # Safety
/// GIL held; `o` live.
unsafe fn builtin_subclass(o: *mut PyObject) -> bool {
    const SUBCLASS_FLAGS: std::ffi::c_ulong = Py_TPFLAGS_LONG_SUBCLASS
        | Py_TPFLAGS_LIST_SUBCLASS
        | Py_TPFLAGS_TUPLE_SUBCLASS
        | Py_TPFLAGS_BYTES_SUBCLASS
        | Py_TPFLAGS_UNICODE_SUBCLASS
        | Py_TPFLAGS_DICT_SUBCLASS;
    // SAFETY: `o` is live.
    unsafe { PyType_GetFlags(Py_TYPE(o)) & SUBCLASS_FLAGS != 0 || PyFloat_Check(o) != 0 }
}

/// Writes `"bytes"` at `at` if `bytes` (ASCII) fits [`SHORT_PLAIN`] and has nothing to
/// escape (DEL neither, with `stop_at_del`); where the output then ends.
///
/// # Safety
/// Room for SHORT_PLAIN + 2 bytes at `at`.
#[inline(always)]
unsafe fn quoted_short_plain(at: Cursor, bytes: &[u8], stop_at_del: bool) -> Option<Cursor> {
    if bytes.len() > SHORT_PLAIN {
        return None;
    }
    // SAFETY: forwarded; what is written is inside the room, and `len` of it counted.
    unsafe { put_quoted_plain::<false>(at.ptr(), bytes, stop_at_del).map(|len| at.advance(len)) }
}

/// A scalar writer's failure: the general walk will raise it again, in its context.
fn give_up(_: PyErrSet) -> GaveUp {
    // SAFETY: the writer set an exception; the GIL is held.
    unsafe { PyErr_Clear() };
    GaveUp
}

impl<W: Output> Walk<'_, W> {
    /// `at` with room for `n > 0` bytes after it (moved if the buffer grew); gives up when
    /// memory ran out (the general walk then raises `MemoryError`).
    #[inline(always)]
    fn room(&mut self, at: Cursor, n: usize) -> Walked {
        self.out.buffer().room(at, n).ok_or(GaveUp)
    }

    /// Runs `write` on the output settled at `at`; where the output ends after it.
    #[inline(always)]
    fn through(&mut self, at: Cursor, write: impl FnOnce(&mut W) -> Result<(), GaveUp>) -> Walked {
        self.out.buffer().settle(at);
        write(self.out)?;
        Ok(self.out.buffer().cursor())
    }

    /// Writes `bytes` (at most 32) at `at`.
    #[inline(always)]
    fn bytes(&mut self, at: Cursor, bytes: &[u8]) -> Walked {
        debug_assert!(bytes.len() <= 32);
        let at = self.room(at, 32)?;
        // SAFETY: room for 32 bytes, of which `bytes.len()` are written.
        unsafe {
            put_short(at.ptr(), bytes);
            Ok(at.advance(bytes.len()))
        }
    }

    /// Writes `word`'s text at `at`: all 8 bytes stored, its length stepped over.
    #[inline(always)]
    fn word(&mut self, at: Cursor, word: Word) -> Walked {
        let at = self.room(at, 8)?;
        // SAFETY: room for the 8 bytes stored, of which the first `len` are the text.
        unsafe {
            at.ptr().cast::<[u8; 8]>().write_unaligned(word.bytes);
            Ok(at.advance(word.len.into()))
        }
    }

    #[inline(always)]
    fn byte(&mut self, at: Cursor, byte: u8) -> Walked {
        let at = self.room(at, 1)?;
        // SAFETY: room for the byte.
        unsafe {
            *at.ptr() = byte;
            Ok(at.advance(1))
        }
    }

    /// # Safety
    /// GIL held; `o` live while the walk runs (no Python code runs during it).
    unsafe fn value(&mut self, at: Cursor, o: *mut PyObject) -> Walked {
        let opts = self.opts;
        // SAFETY: `o` is live; each branch reads it as the exact type it checked.
        unsafe {
            let ty = Py_TYPE(o);
            if ty == &raw mut PyUnicode_Type {
                self.lone_string(at, o)
            } else if ty == &raw mut PyDict_Type {
                self.dict(at, o, false)
            } else if ty == &raw mut PyList_Type {
                self.sequence(at, (*o.cast::<PyListObject>()).ob_item, var_size(o))
            } else if ty == &raw mut PyFloat_Type {
                self.float(at, o)
            } else if ty == &raw mut PyLong_Type {
                self.int(at, o)
            } else if o == Py_None() {
                self.bytes(at, b"null")
            } else if o == Py_True() {
                self.bytes(at, b"true")
            } else if o == Py_False() {
                self.bytes(at, b"false")
            } else if ty == &raw mut PyTuple_Type {
                self.sequence(at, (*o.cast::<PyTupleObject>()).ob_item.as_ptr(), var_size(o))
            } else if let Some(oj) = &opts.orjson {
                self.native(at, o, oj)
            } else {
                Err(GaveUp)
            }
        }
    }

    /// An exact str not written by `item` (see `float`).
    ///
    /// # Safety
    /// GIL held; `o` a live exact str.
    #[inline(never)]
    unsafe fn lone_string(&mut self, at: Cursor, o: *mut PyObject) -> Walked {
        // SAFETY: forwarded.
        unsafe { self.string(at, o) }
    }

    /// An exact float. Out of `value`, as is `int`, so that `value`'s own cases need no frame.
    ///
    /// # Safety
    /// GIL held; `o` a live exact float.
    #[inline(never)]
    unsafe fn float(&mut self, at: Cursor, o: *mut PyObject) -> Walked {
        let opts = self.opts;
        // SAFETY: forwarded.
        unsafe {
            match walk_float(o, opts) {
                Some(value) => {
                    let at = self.room(at, FLOAT_LEN)?;
                    let len = if opts.orjson.is_none() && !is_plain_repr(value) {
                        put_exponent_repr(at.ptr(), value)
                    } else {
                        self.floats.put(at.ptr(), value)
                    };
                    Ok(at.advance(len))
                }
                None => self.through(at, |out| write_float(out, o, opts).map_err(give_up)),
            }
        }
    }

    /// An exact int (see `float`).
    ///
    /// # Safety
    /// GIL held; `o` a live exact int.
    #[inline(never)]
    unsafe fn int(&mut self, at: Cursor, o: *mut PyObject) -> Walked {
        let opts = self.opts;
        // SAFETY: forwarded.
        unsafe {
            match plain_int(o, opts) {
                Some(value) => {
                    let at = self.room(at, i64::MAX_LEN)?;
                    Ok(at.advance(value.put(at.ptr())))
                }
                None => self.through(at, |out| write_int(out, o, opts).map_err(give_up)),
            }
        }
    }

    /// A container's item: strs (most) written here, numbers by their writers, the rest by
    /// `value`.
    ///
    /// # Safety
    /// As for `value`.
    #[inline(always)]
    unsafe fn item(&mut self, at: Cursor, o: *mut PyObject) -> Walked {
        // SAFETY: forwarded.
        unsafe {
            let ty = Py_TYPE(o);
            if ty == &raw mut PyUnicode_Type {
                self.string(at, o)
            } else if ty == &raw mut PyLong_Type {
                self.int(at, o)
            } else if ty == &raw mut PyFloat_Type {
                self.float(at, o)
            } else {
                self.value(at, o)
            }
        }
    }

    /// An exact str: short ASCII with nothing to escape (most) at the cursor, the rest by the
    /// scalar writer.
    ///
    /// # Safety
    /// GIL held; `o` a live exact str.
    #[inline(always)]
    unsafe fn string(&mut self, at: Cursor, o: *mut PyObject) -> Walked {
        let ensure_ascii = self.opts.ensure_ascii;
        let at = self.room(at, SHORT_PLAIN + 2)?;
        // SAFETY: `o` is a live str; room for SHORT_PLAIN + 2 bytes at `at`, and for what
        // `put_quoted_escaped` needs where it is reserved.
        unsafe {
            if let Some(bytes) = compact_ascii(o) {
                if let Some(end) = quoted_short_plain(at, bytes, ensure_ascii) {
                    return Ok(end);
                }
                if let Some(room) = quoted_escaped_room(bytes.len()) {
                    let at = self.room(at, room)?;
                    return Ok(at.advance(put_quoted_escaped::<false>(at.ptr(), bytes, ensure_ascii)));
                }
                return self.through(at, |out| {
                    write_escaped(out, StrData::Ascii(bytes), ensure_ascii);
                    Ok(())
                });
            }
            self.through(at, |out| write_str(out, o, ensure_ascii).map_err(give_up))
        }
    }

    /// The orjson face's dates and times and dataclasses, where writing them runs no Python
    /// code (naive or fixed-offset datetimes; dataclasses read through a plain instance
    /// dict); the rest is the general walk's.
    ///
    /// # Safety
    /// GIL held; `o` live.
    #[inline(never)]
    unsafe fn native(&mut self, at: Cursor, o: *mut PyObject, oj: &Orjson) -> Walked {
        // SAFETY: forwarded.
        unsafe {
            let ty = Py_TYPE(o);
            if ty != self.known.0 {
                self.known = (ty, self.native_kind(o, oj)?);
            }
            self.write_native(at, o, self.known.1, oj)
        }
    }

    /// How `native` writes the instances of `o`'s class, found by orjson's checks and ours
    /// (what the fast walk can write with no Python code run); gives up on the others.
    ///
    /// # Safety
    /// GIL held; `o` live.
    unsafe fn native_kind(&mut self, o: *mut PyObject, oj: &Orjson) -> Result<Native, GaveUp> {
        let types = &oj.types;
        // numpy's types are looked for before the others (see the general walk).
        if !types.numpy.is_null() {
            return Err(GaveUp);
        }
        // SAFETY: `o` and its class are live.
        unsafe {
            let ty = Py_TYPE(o);
            if ty == self.plain_dataclass {
                return Ok(Native::Dataclass);
            }
            let native = types.kind(o, !oj.has(opt::PASSTHROUGH_DATETIME), !oj.has(opt::PASSTHROUGH_DATACLASS));
            let writable = match native {
                Native::DateTime | Native::Date | Native::Time => true,
                Native::Uuid => self.uuid_int.get_or_insert_with(|| uuid_int_slot(types)).is_some(),
                Native::Enum if ty == self.plain_enum => true,
                Native::Enum => {
                    let plain = has_plain_enum_value(ty, types);
                    if plain {
                        self.plain_enum = ty;
                    }
                    plain
                }
                // A subclass of JSON's types is one of them to orjson (a dict that is a
                // dataclass is a dict). orjson does not sort a dataclass's fields: under
                // OPT_SORT_KEYS an instance dict is the general walk's (the fast walk would
                // sort it), slots are read in order here.
                Native::Dataclass => {
                    let plain = !builtin_subclass(o)
                        && ((!self.sort_keys && has_plain_instance_dict(ty, types)) || self.slots_read(ty, types));
                    if plain {
                        self.plain_dataclass = ty;
                    }
                    plain
                }
                Native::Fragment | Native::Unknown => false,
            };
            if writable {
                Ok(native)
            } else {
                Err(GaveUp)
            }
        }
    }

    /// Writes `o`, of a class `native_kind` found to be `native`.
    ///
    /// # Safety
    /// GIL held; `o` live, of a class `native_kind` accepted under these options.
    #[inline(never)]
    unsafe fn write_native(&mut self, at: Cursor, o: *mut PyObject, native: Native, oj: &Orjson) -> Walked {
        // SAFETY: `o` is live; each branch reads it as the type `native` says.
        unsafe {
            match native {
                Native::DateTime => self.datetime(at, o, oj.time_format(), &oj.types),
                Native::Date => self.date(at, o),
                Native::Time => self.time(at, o, oj.has(opt::OMIT_MICROSECONDS)),
                Native::Uuid => self.uuid(at, o),
                Native::Enum => {
                    let types = &oj.types;
                    let value = plain_enum_value(o, types).ok_or(GaveUp)?;
                    // An enum whose value is an enum (which could lead back to it) is the
                    // general walk's: here it would recurse without a level counted.
                    if type_of(Py_TYPE(value.as_ptr()).cast()).cast() == types.enum_meta {
                        return Err(GaveUp);
                    }
                    self.value(at, value.as_ptr())
                }
                Native::Dataclass => self.dataclass(at, o),
                Native::Fragment | Native::Unknown => Err(GaveUp),
            }
        }
    }

    /// # Safety
    /// GIL held; `o` a live exact datetime; `types.datetime` not NULL.
    #[inline(always)]
    unsafe fn datetime(&mut self, at: Cursor, o: *mut PyObject, format: TimeFormat, types: &NativeTypes) -> Walked {
        // SAFETY: forwarded.
        unsafe {
            let (date, time, tz) = datetime_fields(o);
            let offset = if tz.is_null() { None } else { self.zone_offset(tz, o, types)? };
            // Inlined by force: called, it took the fields through memory (~25 instructions).
            self.quoted(at, TIME_TEXT_MAX, #[inline(always)] |at| put_datetime_text(at, date, time, offset, format))
        }
    }

    /// # Safety
    /// `o` a live exact date.
    #[inline(always)]
    unsafe fn date(&mut self, at: Cursor, o: *mut PyObject) -> Walked {
        // SAFETY: forwarded.
        unsafe { self.quoted(at, TIME_TEXT_MAX, |at| put_ymd(at, date_fields(o))) }
    }

    /// # Safety
    /// `o` a live exact time.
    #[inline(always)]
    unsafe fn time(&mut self, at: Cursor, o: *mut PyObject, omit_microseconds: bool) -> Walked {
        // SAFETY: forwarded.
        unsafe {
            match time_fields(o) {
                (time, tz) if tz.is_null() => self.quoted(at, TIME_TEXT_MAX, |at| put_hms(at, time, omit_microseconds)),
                // orjson's error, raised by the general walk.
                _ => Err(GaveUp),
            }
        }
    }

    /// # Safety
    /// GIL held; `o` a live exact UUID, whose `int` `native_kind` found in a slot.
    #[inline(always)]
    unsafe fn uuid(&mut self, at: Cursor, o: *mut PyObject) -> Walked {
        let offset = self.uuid_int.flatten().ok_or(GaveUp)?;
        // SAFETY: `o` is a UUID, whose class's `int` descriptor gave `offset`. Anything but
        // an int in range (or an empty slot) is the general walk's to raise about.
        unsafe {
            let value = uuid_int_value(slot(o, offset)).ok_or(GaveUp)?;
            self.quoted(at, 36, |at| put_uuid(at, value))
        }
    }

    /// The UTC offset of a datetime whose tzinfo `tz` is a fixed `datetime.timezone` (found
    /// once per zone in a row); other zones run Python code, so they are the general walk's.
    ///
    /// # Safety
    /// GIL held; `o` a live exact datetime, `tz` its tzinfo; `types.datetime` not NULL.
    #[inline(always)]
    unsafe fn zone_offset(&mut self, tz: *mut PyObject, o: *mut PyObject, types: &NativeTypes) -> Result<Option<i32>, GaveUp> {
        if tz == self.zone.0 {
            return Ok(self.zone.1);
        }
        // SAFETY: forwarded; a fixed zone's `utcoffset` is C code. The zone stays alive (its
        // datetime holds it) and unchanged (it is immutable) while the walk runs, so its
        // address keys its offset.
        unsafe {
            if !is_fixed_zone(tz, types) {
                return Err(GaveUp);
            }
            let offset = utc_offset(o, types).map_err(|_| {
                PyErr_Clear();
                GaveUp
            })?;
            self.zone = (tz, offset);
            Ok(offset)
        }
    }

    /// Writes a text of at most `most` bytes with nothing to escape, by `put`, in quotes.
    #[inline(always)]
    fn quoted(&mut self, at: Cursor, most: usize, put: impl FnOnce(*mut u8) -> usize) -> Walked {
        let at = self.room(at, most + 2)?;
        // SAFETY: room for the quotes and the text between them.
        unsafe {
            *at.ptr() = b'"';
            let len = 1 + put(at.ptr().add(1));
            *at.ptr().add(len) = b'"';
            Ok(at.advance(len + 1))
        }
    }

    /// A slots dataclass's fields (see `slotted_dataclass`), or a dataclass's instance
    /// attributes, `_`-prefixed keys left out (as the general walk writes its `__dict__`: `{}`
    /// if it is empty, brackets around nothing if all its keys are private), read where the
    /// instance keeps them: its `__dict__` is not made for this.
    ///
    /// # Safety
    /// GIL held; `o` a live instance of a dataclass [`has_plain_instance_dict`] or
    /// `slots_read` accepts.
    unsafe fn dataclass(&mut self, at: Cursor, o: *mut PyObject) -> Walked {
        // SAFETY: `o` is live; an instance of the slotted class found.
        unsafe {
            let ty = Py_TYPE(o);
            if let Some(class) = self.slotted.iter().position(|c| c.class == ty) {
                return self.slotted_dataclass(at, o, class);
            }
        }
        if !self.split_tables {
            return Err(GaveUp);
        }
        // SAFETY: forwarded; the layout check passed; what `attributes` borrows is the
        // instance's and stays put (no Python code runs).
        unsafe {
            match attributes(o).ok_or(GaveUp)? {
                Attributes::Split(table) => self.object(at, table.len(), |walk, at| walk.split_members(at, table, true)),
                Attributes::Dict(d) if Py_TYPE(d) == &raw mut PyDict_Type => self.dict(at, d, true),
                Attributes::Dict(_) => Err(GaveUp),
                Attributes::Empty => self.empty(at, b"{}"),
            }
        }
    }

    /// Whether the slots dataclass `ty`'s fields are read from its slots (see `slot_fields`),
    /// which are found once per walk.
    ///
    /// # Safety
    /// GIL held; `ty` a live, ready dataclass.
    unsafe fn slots_read(&mut self, ty: *mut PyTypeObject, types: &NativeTypes) -> bool {
        if self.slotted.iter().any(|c| c.class == ty) {
            return true;
        }
        // SAFETY: forwarded.
        let Some(fields) = (unsafe { slot_fields(ty, types) }) else { return false };
        self.slotted.try_reserve(1).is_ok_and(|()| {
            self.slotted.push(SlottedClass { class: ty, fields });
            true
        })
    }

    /// The fields of an instance of `self.slotted[class]`, read from its slots; a deleted one
    /// is the general walk's (which raises the AttributeError of reading it).
    ///
    /// # Safety
    /// GIL held; `o` a live instance of that class.
    unsafe fn slotted_dataclass(&mut self, at: Cursor, o: *mut PyObject, class: usize) -> Walked {
        let len = self.slotted[class].fields.len();
        self.object(at, len, |walk, mut at| {
            let mut first = true;
            for i in 0..len {
                let (name, offset) = walk.slotted[class].fields[i];
                // SAFETY: `o` is an instance of the class whose member gave `offset`; the slot
                // holds a live object or NULL, the name is held by the class's fields dict.
                unsafe {
                    let value = slot(o, offset);
                    if value.is_null() {
                        return Err(GaveUp);
                    }
                    at = walk.member(at, name, value, &mut first)?;
                }
            }
            Ok(at)
        })
    }

    /// Enters a non-empty container: one level more, within the limits the general walk has;
    /// balanced by `leave` once this succeeded.
    #[inline(always)]
    fn enter(&mut self) -> Result<(), GaveUp> {
        if self.level >= self.limit {
            return Err(GaveUp);
        }
        self.level += 1;
        self.deepest = self.deepest.max(self.level);
        Ok(())
    }

    /// An empty container: a level to orjson, which refuses it past its limit (the general
    /// walk then raises), not to the standard library (the face that counts recursion).
    #[inline(always)]
    fn empty(&mut self, at: Cursor, brackets: &[u8]) -> Walked {
        if self.opts.orjson.is_some() && self.level >= self.limit {
            return Err(GaveUp);
        }
        self.bytes(at, brackets)
    }

    /// The opening bracket of a container just entered, and the indentation after it.
    #[inline(always)]
    fn open(&mut self, at: Cursor, bracket: u8) -> Walked {
        let at = self.byte(at, bracket);
        self.indent(at)
    }

    /// Leaves a container entered by `enter` (on every path, so the level balances);
    /// `Ok` writes its closing bracket.
    #[inline(always)]
    fn leave(&mut self, walked: Walked, bracket: u8) -> Walked {
        self.level -= 1;
        let at = self.indent(walked)?;
        self.byte(at, bracket)
    }

    /// A newline and the current level's indentation, if there is an indent.
    #[inline(always)]
    fn indent(&mut self, at: Walked) -> Walked {
        let at = at?;
        if self.opts.indent.is_none() {
            return Ok(at);
        }
        let (opts, level) = (self.opts, self.level);
        self.through(at, |out| {
            newline_indent(out, &opts.indent, level);
            Ok(())
        })
    }

    #[inline(always)]
    fn separator(&mut self, at: Cursor) -> Walked {
        match self.compact_separator {
            Some(byte) => self.byte(at, byte),
            None if let Some(word) = self.item_word => self.word(at, word),
            None => {
                let (opts, level) = (self.opts, self.level);
                self.through(at, |out| {
                    out.text(&opts.item_separator);
                    newline_indent(out, &opts.indent, level);
                    Ok(())
                })
            }
        }
    }

    /// # Safety
    /// GIL held; `items` points at `len` live items.
    unsafe fn sequence(&mut self, at: Cursor, items: *const *mut PyObject, len: usize) -> Walked {
        if len == 0 {
            return self.empty(at, b"[]");
        }
        // SAFETY: forwarded; `i < len`.
        unsafe {
            self.enter()?;
            let walked = self.open(at, b'[').and_then(|mut at| {
                at = self.item(at, *items)?;
                // A list of dates or records: the rest are most likely of the first's class
                // (a record's class is no longer `known` once a date in it was written).
                let first = Py_TYPE(*items);
                if len > 1 && (first == self.known.0 || first == self.plain_dataclass) {
                    let kind = if first == self.known.0 { self.known.1 } else { Native::Dataclass };
                    return self.native_run(at, items, len, kind);
                }
                for i in 1..len {
                    at = self.separator(at)?;
                    at = self.item(at, *items.add(i))?;
                }
                Ok(at)
            });
            self.leave(walked, b']')
        }
    }

    /// The items after the first of a sequence whose first `native` wrote as `kind`: those of
    /// the same class written without asking again what they are.
    ///
    /// # Safety
    /// As for `sequence`; `native_kind` found `kind` for the first item's class.
    #[inline(never)]
    unsafe fn native_run(&mut self, at: Cursor, items: *const *mut PyObject, len: usize, kind: Native) -> Walked {
        let opts = self.opts;
        let oj = opts.orjson.as_ref().ok_or(GaveUp)?;
        // The kind is asked once for the run, not for each item: each loop writes one kind.
        // SAFETY: forwarded; each writer gets items of the first's class, of its kind.
        unsafe {
            match kind {
                #[cfg(target_arch = "x86_64")]
                Native::DateTime if crate::cpu::has_ssse3() => self.datetime_run_ssse3(at, items, len, oj),
                Native::DateTime => {
                    let format = oj.time_format();
                    self.run_of(at, items, len, |walk, at, o| walk.datetime(at, o, format, &oj.types))
                }
                Native::Date => self.run_of(at, items, len, |walk, at, o| walk.date(at, o)),
                Native::Time => {
                    let omit = oj.has(opt::OMIT_MICROSECONDS);
                    self.run_of(at, items, len, |walk, at, o| walk.time(at, o, omit))
                }
                Native::Uuid => self.run_of(at, items, len, |walk, at, o| walk.uuid(at, o)),
                _ => self.run_of(at, items, len, |walk, at, o| walk.write_native(at, o, kind, oj)),
            }
        }
    }

    /// `native_run`'s datetimes compiled for SSSE3, so that the texts' vector form is inlined
    /// (the closure is written here again, not shared: only one defined here gets the feature).
    ///
    /// # Safety
    /// As for `native_run`, whose first item is a datetime, on a CPU with SSSE3.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "ssse3")]
    unsafe fn datetime_run_ssse3(&mut self, at: Cursor, items: *const *mut PyObject, len: usize, oj: &Orjson) -> Walked {
        let format = oj.time_format();
        // SAFETY: forwarded.
        unsafe { self.run_of(at, items, len, |walk, at, o| walk.datetime(at, o, format, &oj.types)) }
    }

    /// The items after the first of a sequence: those of the first's class by `write`, the
    /// others as any item.
    ///
    /// # Safety
    /// As for `sequence`; `write` takes any live instance of the first item's class.
    #[inline(always)]
    unsafe fn run_of(
        &mut self,
        mut at: Cursor,
        items: *const *mut PyObject,
        len: usize,
        mut write: impl FnMut(&mut Self, Cursor, *mut PyObject) -> Walked,
    ) -> Walked {
        // SAFETY: forwarded; `i < len`.
        unsafe {
            let class = Py_TYPE(*items);
            for i in 1..len {
                at = self.separator(at)?;
                let o = *items.add(i);
                at = if Py_TYPE(o) == class { write(self, at, o)? } else { self.item(at, o)? };
            }
        }
        Ok(at)
    }

    /// An exact dict; with `skip_private` (a dataclass's instance dict), its members whose
    /// key starts with `_` left out.
    ///
    /// # Safety
    /// GIL held; `d` a live exact dict.
    unsafe fn dict(&mut self, at: Cursor, d: *mut PyObject, skip_private: bool) -> Walked {
        // SAFETY: forwarded; `d` is an exact dict (its entries are read only where
        // `unicode_entries` finds the layout it knows).
        unsafe {
            let len = (*d.cast::<PyDictObject>()).ma_used as usize;
            self.object(at, len, |walk, at| walk.members(at, d, skip_private))
        }
    }

    /// An object of `len` members, written by `members`: `{}` if there are none.
    #[inline(always)]
    fn object(&mut self, at: Cursor, len: usize, members: impl FnOnce(&mut Self, Cursor) -> Walked) -> Walked {
        if len == 0 {
            return self.empty(at, b"{}");
        }
        self.enter()?;
        let walked = self.open(at, b'{').and_then(|at| members(self, at));
        self.leave(walked, b'}')
    }

    /// The members of the exact dict `d`; with `skip_private` (a dataclass's instance dict),
    /// not those whose key starts with `_`.
    unsafe fn members(&mut self, mut at: Cursor, d: *mut PyObject, skip_private: bool) -> Walked {
        if self.sort_keys {
            debug_assert!(!skip_private, "sorted dataclasses are the general walk's");
            // SAFETY: forwarded.
            return unsafe { self.sorted_members(at, d) };
        }
        let mut first = true;
        // SAFETY: GIL held; `d` is a live exact dict; its entries (keys all exact str, as the
        // table's kind says) stay put, since no Python code runs.
        unsafe {
            if let Some(entries) = if self.dict_entries { unicode_entries(d) } else { None } {
                for entry in entries.iter().filter(|e| !e.me_value.is_null()) {
                    if !(skip_private && is_private(entry.me_key)) {
                        at = self.member(at, entry.me_key, entry.me_value, &mut first)?;
                    }
                }
                return Ok(at);
            }
            if let Some(table) = if self.split_tables { split_table(d) } else { None } {
                return self.split_members(at, table, skip_private);
            }
            let (mut pos, mut key, mut value) = (0, null_mut(), null_mut());
            while PyDict_Next(d, &mut pos, &mut key, &mut value) != 0 {
                if Py_TYPE(key) != &raw mut PyUnicode_Type {
                    return Err(GaveUp);
                }
                if !(skip_private && is_private(key)) {
                    at = self.member(at, key, value, &mut first)?;
                }
            }
        }
        Ok(at)
    }

    /// The members of a split table in their order; with `skip_private` (a dataclass's
    /// attributes), not those whose key starts with `_`. Where the separators are single
    /// bytes, each key is written from its keys object's member texts.
    ///
    /// # Safety
    /// GIL held; the table's objects live (no Python code runs).
    unsafe fn split_members(&mut self, mut at: Cursor, table: SplitTable, skip_private: bool) -> Walked {
        let mut first = true;
        let texts = match (self.compact_separator, self.key_separator) {
            // SAFETY: forwarded.
            (Some(item_separator), Some(key_separator)) => unsafe { self.member_texts.for_table(&table, key_separator) }
                .map_err(|()| GaveUp)?
                .map(|texts| (texts, item_separator)),
            _ => None,
        };
        let Some((texts, item_separator)) = texts else {
            for i in 0..table.len() {
                // SAFETY: forwarded; `i < len`; a split table's keys are exact strs.
                unsafe {
                    let (key, value) = table.member(i).ok_or(GaveUp)?;
                    if !(skip_private && is_private(key)) {
                        at = self.member(at, key, value, &mut first)?;
                    }
                }
            }
            return Ok(at);
        };
        for i in 0..table.len() {
            // SAFETY: forwarded; `i < len`; the index found is below the key count, which the
            // texts were made for; they stay put while values are walked (`for_table`).
            unsafe {
                let (index, value) = table.indexed_member(i).ok_or(GaveUp)?;
                let text = &*texts.add(index);
                if skip_private && text.private {
                    continue;
                }
                if text.len == 0 {
                    at = self.member(at, table.key(index), value, &mut first)?;
                    continue;
                }
                // The separator, stepped over (and written over) before the first member.
                at = self.room(at, 1 + MEMBER_TEXT)?;
                *at.ptr() = item_separator;
                at = at.advance(usize::from(!std::mem::take(&mut first)));
                at.ptr().cast::<[u8; MEMBER_TEXT]>().write_unaligned(text.bytes);
                at = self.item(at.advance(usize::from(text.len)), value)?;
            }
        }
        Ok(at)
    }

    /// A key, from the key texts if they have it; short ASCII keys with nothing to escape
    /// are written here (and offered to the key texts), others by the scalar writer.
    ///
    /// # Safety
    /// GIL held; `key` a live exact str.
    #[inline(always)]
    unsafe fn key(&mut self, at: Cursor, key: *mut PyObject) -> Walked {
        // Room first, so that a kept text is copied straight from its slot to the output.
        let at = self.room(at, SHORT_PLAIN + 2)?;
        if let Some((text, len)) = self.keys.find(key) {
            // SAFETY: room for the whole slot text (TEXT <= SHORT_PLAIN + 2), of which `len`
            // bytes are the key's.
            unsafe {
                at.ptr().cast::<[u8; TEXT]>().write_unaligned(*text);
                return Ok(at.advance(len));
            }
        }
        // SAFETY: `key` is a live exact str; room for SHORT_PLAIN + 2 bytes at `at`. DEL is
        // stopped at whatever `ensure_ascii` says, so that the text is right for either.
        unsafe {
            if let Some(bytes) = compact_ascii(key) {
                if let Some(end) = quoted_short_plain(at, bytes, true) {
                    self.keys.offer(key, std::slice::from_raw_parts(at.ptr(), end.ptr().offset_from(at.ptr()) as usize));
                    return Ok(end);
                }
            }
        }
        let ensure_ascii = self.opts.ensure_ascii;
        // SAFETY: forwarded.
        self.through(at, |out| unsafe { write_str(out, key, ensure_ascii) }.map_err(give_up))
    }

    /// The members of the exact dict `d` in the code point order of their keys.
    ///
    /// # Safety
    /// As for `members`.
    #[inline(never)]
    unsafe fn sorted_members(&mut self, at: Cursor, d: *mut PyObject) -> Walked {
        let base = self.pairs.len();
        // SAFETY: GIL held; `d` is a live exact dict whose keys and values stay put (no Python
        // code runs), so their addresses identify the keys while the walk runs; every key is
        // an exact, ready str before any is compared.
        unsafe {
            let len = (*d.cast::<PyDictObject>()).ma_used as usize;
            // Room for the members and their sorted copy.
            self.pairs.try_reserve(2 * len).map_err(|_| GaveUp)?;
            if let Some(entries) = if self.dict_entries { unicode_entries(d) } else { None } {
                let members = entries.iter().filter(|e| !e.me_value.is_null());
                self.pairs.extend(members.map(|entry| (entry.me_key, entry.me_value)));
            } else {
                let (mut pos, mut key, mut value) = (0, null_mut(), null_mut());
                while PyDict_Next(d, &mut pos, &mut key, &mut value) != 0 {
                    if Py_TYPE(key) != &raw mut PyUnicode_Type {
                        self.pairs.truncate(base);
                        return Err(GaveUp);
                    }
                    self.pairs.push((key, value));
                }
            }
            if self.pairs[base..].iter().any(|&(key, _)| str_data(key).is_none()) {
                PyErr_Clear();
                self.pairs.truncate(base);
                return Err(GaveUp);
            }
            let members = &self.pairs[base..];
            let by_key = |a: *mut PyObject, b: *mut PyObject| {
                let read = |key| str_data(key).unwrap_or(StrData::Ascii(&[]));
                read(a).cmp_chars(&read(b))
            };
            let order = self.sorted_orders.order(members, |&(key, _)| key as usize, |order| {
                order.sort_unstable_by(|&a, &b| by_key(members[a as usize].0, members[b as usize].0))
            });
            let sorted = match order {
                // A sorted copy above them, so that dicts nested in their values (which push
                // their own and may let kept orders go) leave it in place.
                Some(order) => {
                    let sorted = self.pairs.len();
                    for &i in order {
                        self.pairs.push(self.pairs[base + i as usize]);
                    }
                    sorted
                }
                None => {
                    self.pairs[base..].sort_unstable_by(|a, b| by_key(a.0, b.0));
                    base
                }
            };
            let mut first = true;
            let walked = (sorted..self.pairs.len()).try_fold(at, |at, k| {
                let (key, value) = self.pairs[k];
                self.member(at, key, value, &mut first)
            });
            self.pairs.truncate(base);
            walked
        }
    }

    /// # Safety
    /// GIL held; `key` a live exact str, `value` live.
    #[inline(always)]
    unsafe fn member(&mut self, mut at: Cursor, key: *mut PyObject, value: *mut PyObject, first: &mut bool) -> Walked {
        if !std::mem::take(first) {
            at = self.separator(at)?;
        }
        // SAFETY: forwarded.
        unsafe {
            at = self.key(at, key)?;
            at = match self.key_separator {
                Some(byte) => self.byte(at, byte)?,
                None if let Some(word) = self.key_word => self.word(at, word)?,
                None => {
                    let opts = self.opts;
                    self.through(at, |out| {
                        out.text(&opts.key_separator);
                        Ok(())
                    })?
                }
            };
            self.item(at, value)
        }
    }
}
