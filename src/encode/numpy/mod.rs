//! numpy arrays and scalars under `OPT_SERIALIZE_NUMPY`, written as orjson writes them: an
//! array as nested JSON arrays read straight from its memory (through `__array_struct__`),
//! a scalar from its object; float32 and float16 by their own shortest digits, datetime64 as
//! RFC 3339 strings (`datetime64`).
//!
//! numpy is optional and never imported by rjson: its types are taken from `sys.modules`
//! once the caller has imported it ([`NumpyTypes::load`]), and only exact `numpy.ndarray`
//! and the scalar types of [`SCALARS`] are written (subclasses, other scalars and arrays of
//! other dtypes go to `default`, as in orjson).

mod datetime64;

use super::float::{put_float_orjson, MAX_LEN as FLOAT_LEN};
use super::native::NativeTypes;
use super::time_text::TimeFormat;
use super::buffer::OutBuf;
use super::integer::Decimal;
use crate::ffi::numpy::{check_array_layout, scalar_value, ArrayStruct, Interface, C_CONTIGUOUS, NOTSWAPPED};
use crate::py::{str_to_string, Owned};
use datetime64::Unit;
use pyo3_ffi::*;
use std::ffi::CStr;
use std::marker::PhantomData;

/// What an array element or a numpy scalar holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Item {
    Bool,
    F16,
    F32,
    F64,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    Datetime64,
}

impl Item {
    /// The item of an array by its interface's type kind and item size (orjson's
    /// `ItemType::find`): machine integers of any C name (`intc`, `longlong`) included.
    fn of_array(kind: u8, size: usize) -> Option<Item> {
        Some(match (kind, size) {
            (b'b', 1) => Item::Bool,
            (b'M', 8) => Item::Datetime64,
            (b'f', 2) => Item::F16,
            (b'f', 4) => Item::F32,
            (b'f', 8) => Item::F64,
            (b'i', 1) => Item::I8,
            (b'i', 2) => Item::I16,
            (b'i', 4) => Item::I32,
            (b'i', 8) => Item::I64,
            (b'u', 1) => Item::U8,
            (b'u', 2) => Item::U16,
            (b'u', 4) => Item::U32,
            (b'u', 8) => Item::U64,
            _ => return None,
        })
    }
}

/// The numpy scalar types orjson writes, by their names in the numpy module (exact types:
/// `numpy.longlong`, a type of its own beside `numpy.int64`, is not one of them).
const SCALARS: [(&CStr, Item); 13] = [
    (c"float64", Item::F64),
    (c"float32", Item::F32),
    (c"half", Item::F16),
    (c"int64", Item::I64),
    (c"int32", Item::I32),
    (c"int16", Item::I16),
    (c"int8", Item::I8),
    (c"uint64", Item::U64),
    (c"uint32", Item::U32),
    (c"uint16", Item::U16),
    (c"uint8", Item::U8),
    (c"bool_", Item::Bool),
    (c"datetime64", Item::Datetime64),
];

/// numpy's types, owned by the module state (all NULL until numpy is found imported).
#[repr(C)]
pub struct NumpyTypes {
    pub ndarray: *mut PyObject,
    /// In the order of [`SCALARS`].
    pub scalars: [*mut PyObject; SCALARS.len()],
    /// NULL, or why numpy's objects cannot be read here (a str): raised for each of them.
    pub layout_error: *mut PyObject,
}

/// A numpy object that orjson writes.
#[derive(Clone, Copy)]
pub enum NumpyObject {
    Array,
    Scalar(Item),
}

/// Why a numpy object is not written.
pub enum Refusal {
    /// A Python exception is set.
    Raised,
    /// orjson hands the object to `default` when there is one, and raises this otherwise.
    ToDefault(&'static str),
    /// orjson's error (a `JSONEncodeError`).
    Error(String),
}

const NOT_CONTIGUOUS: &str = "numpy array is not C contiguous; use ndarray.tolist() in default";
const UNSUPPORTED: &str = "unsupported datatype in numpy array";

/// How the output is laid out: `indent` is the nesting level of the object with
/// `OPT_INDENT_2` (orjson's indentation, two spaces a level), `None` without.
#[derive(Clone, Copy)]
pub struct Layout {
    pub indent: Option<usize>,
    pub time: TimeFormat,
}

impl NumpyTypes {
    /// The state's strong references, for its clear and traverse slots.
    pub fn objects(&mut self) -> impl Iterator<Item = &mut *mut PyObject> {
        [&mut self.ndarray, &mut self.layout_error].into_iter().chain(self.scalars.iter_mut())
    }

    pub fn loaded(&self) -> bool {
        !self.ndarray.is_null()
    }

    /// Takes numpy's types from `sys.modules` if the caller has imported numpy (rjson never
    /// imports it: until then, nothing is numpy and the next call looks again), and checks
    /// the layout of its objects once. `None` with an exception set on failure.
    ///
    /// # Safety
    /// GIL held; `names`' interned names live.
    pub unsafe fn load(&mut self, names: &NativeTypes) -> Option<()> {
        if self.loaded() {
            return Some(());
        }
        // SAFETY: new references are owned by `Owned` or handed to the state, whose clear
        // slot releases them; `ndarray`, set last, marks the whole as loaded.
        unsafe {
            let Some(numpy) = Owned::new(PyImport_GetModule(names.numpy_name)) else {
                return PyErr_Occurred().is_null().then_some(());
            };
            let type_named = |name: &CStr| {
                let found = Owned::new(PyObject_GetAttrString(numpy.as_ptr(), name.as_ptr())).filter(|t| PyType_Check(t.as_ptr()) != 0);
                PyErr_Clear();
                found
            };
            // Anything missing (numpy half imported, or something else by that name) is
            // not numpy as rjson knows it: look again at the next call.
            let Some(ndarray) = type_named(c"ndarray") else { return Some(()) };
            let mut scalars = Vec::with_capacity(SCALARS.len());
            for (name, _) in SCALARS {
                let Some(ty) = type_named(name) else { return Some(()) };
                scalars.push(ty);
            }
            for (slot, ty) in self.scalars.iter_mut().zip(scalars) {
                *slot = ty.into_raw();
            }
            self.ndarray = ndarray.into_raw();
            if let Err(why) = self.check_layout(numpy.as_ptr(), names) {
                let message = format!("rjson cannot read numpy's objects ({why}); OPT_SERIALIZE_NUMPY is unusable with this numpy");
                self.layout_error = Owned::new(PyUnicode_FromStringAndSize(message.as_ptr().cast(), message.len() as Py_ssize_t))?.into_raw();
            }
        }
        Some(())
    }

    /// Checks the array interface mirror, then reads a probe value of each scalar type
    /// through its mirror; `Err` says what differs.
    unsafe fn check_layout(&self, numpy: *mut PyObject, names: &NativeTypes) -> Result<(), String> {
        // SAFETY: GIL held; the probes are owned; each is read only if of the type probed.
        unsafe {
            check_array_layout(numpy, names.array_struct_name)?;
            for (&ty, (name, item)) in self.scalars.iter().zip(SCALARS) {
                let (probe, expected) = match item {
                    Item::F64 | Item::F32 | Item::F16 => (PyObject_CallFunction(ty, c"d".as_ptr(), 1.5), "1.5".to_owned()),
                    Item::Bool => (PyObject_CallFunction(ty, c"O".as_ptr(), Py_True()), "true".to_owned()),
                    Item::Datetime64 => (PyObject_CallFunction(ty, c"Ls".as_ptr(), -2i64, c"s".as_ptr()), "\"1969-12-31T23:59:58\"".to_owned()),
                    Item::U8 | Item::U16 | Item::U32 | Item::U64 => {
                        let max = u64::MAX >> (64 - 8 * item_size(item));
                        (PyObject_CallFunction(ty, c"K".as_ptr(), max - 1), (max - 1).to_string())
                    }
                    _ => (PyObject_CallFunction(ty, c"L".as_ptr(), -2i64), "-2".to_owned()),
                };
                let name = name.to_string_lossy();
                let probe = Owned::new(probe).ok_or_else(|| {
                    PyErr_Clear();
                    format!("numpy.{name} could not be made")
                })?;
                let mut text = OutBuf::default();
                let layout = Layout { indent: None, time: TimeFormat { naive_utc: false, omit_microseconds: false, utc_z: false } };
                let written = Py_TYPE(probe.as_ptr()).cast() == ty && write_scalar(&mut text, probe.as_ptr(), item, names, layout).is_ok();
                PyErr_Clear();
                if !written || text.as_slice() != expected.as_bytes() {
                    return Err(format!("numpy.{name} does not have the layout rjson reads"));
                }
            }
        }
        Ok(())
    }

    /// Whether `o` is an object orjson writes as numpy's.
    ///
    /// # Safety
    /// `o` live; the types loaded.
    pub unsafe fn kind(&self, o: *mut PyObject) -> Option<NumpyObject> {
        // SAFETY: comparing type pointers.
        let ty = unsafe { Py_TYPE(o) }.cast::<PyObject>();
        if ty == self.ndarray {
            return Some(NumpyObject::Array);
        }
        SCALARS.iter().zip(self.scalars).find(|(_, t)| *t == ty).map(|(&(_, item), _)| NumpyObject::Scalar(item))
    }

    /// Appends `o`, a numpy object of kind `object`, as JSON.
    ///
    /// # Safety
    /// GIL held; `o` live and of kind `object`; `names`' interned names live.
    pub unsafe fn write(&self, out: &mut OutBuf, o: *mut PyObject, object: NumpyObject, names: &NativeTypes, layout: Layout) -> Result<(), Refusal> {
        if !self.layout_error.is_null() {
            // SAFETY: a str owned by the state.
            return Err(Refusal::Error(unsafe { str_to_string(self.layout_error) }.unwrap_or_default()));
        }
        // SAFETY: forwarded; the layouts were checked by `load`.
        unsafe {
            match object {
                NumpyObject::Array => write_array(out, o, names, layout),
                NumpyObject::Scalar(item) => write_scalar(out, o, item, names, layout),
            }
        }
    }
}

fn item_size(item: Item) -> usize {
    match item {
        Item::Bool | Item::I8 | Item::U8 => 1,
        Item::F16 | Item::I16 | Item::U16 => 2,
        Item::F32 | Item::I32 | Item::U32 => 4,
        Item::F64 | Item::I64 | Item::U64 | Item::Datetime64 => 8,
    }
}

/// Items of one type, written from memory (any alignment).
trait Items {
    /// As stored (one item's bytes).
    type Value: Copy;
    /// The longest text of an item (for datetimes, with `OPT_NAIVE_UTC`).
    const MAX_LEN: usize;
    /// Appends the `len` items at `data`, separated by commas, each after a newline and its
    /// indentation if `indent` is given (the level of the items).
    ///
    /// # Safety
    /// `data` must hold `len` values.
    unsafe fn write(&self, out: &mut OutBuf, data: *const Self::Value, len: usize, indent: Option<usize>) -> Result<(), Refusal>;
}

/// A number (or bool) as orjson writes it.
trait Number: Copy {
    /// The longest text (room needed by `put`).
    const MAX_LEN: usize;
    /// Writes the text at `at`; returns its length.
    ///
    /// # Safety
    /// `at` must be valid for `MAX_LEN` bytes of writes.
    unsafe fn put(self, at: *mut u8) -> usize;
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl Number for $t {
            const MAX_LEN: usize = <$t as Decimal>::MAX_LEN;
            #[inline(always)]
            unsafe fn put(self, at: *mut u8) -> usize {
                // SAFETY: forwarded.
                unsafe { Decimal::put(self, at) }
            }
        }
    )*};
}

integers!(i8, i16, i32, i64, u8, u16, u32, u64);

/// `text`, padded to `N` bytes, written whole (one fixed-size copy); returns its length.
///
/// # Safety
/// `at` must be valid for `N` bytes of writes.
#[inline(always)]
unsafe fn put_text<const N: usize>(at: *mut u8, text: &[u8; N], len: usize) -> usize {
    // SAFETY: forwarded.
    unsafe { std::ptr::copy_nonoverlapping(text.as_ptr(), at, N) };
    len
}

impl Number for f64 {
    const MAX_LEN: usize = FLOAT_LEN;
    #[inline(always)]
    unsafe fn put(self, at: *mut u8) -> usize {
        // SAFETY: forwarded.
        unsafe { put_float_orjson(at, self) }
    }
}

impl Number for f32 {
    const MAX_LEN: usize = FLOAT_LEN;
    #[inline(always)]
    unsafe fn put(self, at: *mut u8) -> usize {
        // SAFETY: forwarded.
        unsafe { put_float_orjson(at, self) }
    }
}

/// numpy's float16, as its bits.
#[derive(Clone, Copy)]
#[repr(transparent)]
struct Half(u16);

impl Number for Half {
    const MAX_LEN: usize = FLOAT_LEN;
    #[inline(always)]
    unsafe fn put(self, at: *mut u8) -> usize {
        // SAFETY: forwarded.
        unsafe { put_float_orjson(at, f16_to_f32(self.0)) }
    }
}

/// numpy's bool, a byte: anything but 0 is true (as orjson reads it).
#[derive(Clone, Copy)]
#[repr(transparent)]
struct Bool(u8);

impl Number for Bool {
    const MAX_LEN: usize = 5;
    #[inline(always)]
    unsafe fn put(self, at: *mut u8) -> usize {
        // Without a branch: random bools would mispredict it half the time.
        let true_ = usize::from(self.0 != 0);
        // SAFETY: forwarded.
        unsafe { put_text(at, [b"false", b"true "][true_], 5 - true_) }
    }
}

/// The float32 equal to an IEEE half-precision float (exact: every half is a float32).
fn f16_to_f32(bits: u16) -> f32 {
    let sign = u32::from(bits & 0x8000) << 16;
    let exponent = u32::from(bits >> 10) & 0x1f;
    let mantissa = u32::from(bits & 0x3ff);
    let magnitude = match exponent {
        // Zero or subnormal: mantissa * 2^-24, exact in a float32.
        0 => (mantissa as f32 * (1.0 / 16_777_216.0)).to_bits(),
        // Infinity or NaN.
        0x1f => 0x7f80_0000 | mantissa << 13,
        _ => (exponent + 127 - 15) << 23 | mantissa << 13,
    };
    f32::from_bits(sign | magnitude)
}

struct Numbers<T>(PhantomData<T>);

impl<T: Number> Items for Numbers<T> {
    type Value = T;
    const MAX_LEN: usize = T::MAX_LEN;

    /// Into spare capacity reserved for the whole row, through a cursor (the output's
    /// length is updated once, not per item).
    #[inline(always)]
    unsafe fn write(&self, out: &mut OutBuf, data: *const T, len: usize, indent: Option<usize>) -> Result<(), Refusal> {
        let spaces = indent.map_or(0, |level| 2 * level);
        // Room past what memory holds is refused as memory that ran out.
        let room = len.saturating_mul(T::MAX_LEN + 2 + spaces);
        // SAFETY: `room` is enough for every item with its separator, newline and
        // indentation; the items are read from `data` (any alignment), `i < len`; only the
        // bytes written are counted.
        unsafe {
            out.put(room, |start| {
                let mut at = start;
                for i in 0..len {
                    if i > 0 {
                        *at = b',';
                        at = at.add(1);
                    }
                    if indent.is_some() {
                        *at = b'\n';
                        std::ptr::write_bytes(at.add(1), b' ', spaces);
                        at = at.add(1 + spaces);
                    }
                    at = at.add(data.add(i).read_unaligned().put(at));
                }
                at.offset_from(start) as usize
            });
        }
        Ok(())
    }
}

/// datetime64 values of one unit (or the error of a unit orjson does not write, raised at
/// the first value, as orjson raises it).
struct Datetimes {
    unit: Result<Unit, String>,
    time: TimeFormat,
}

impl Items for Datetimes {
    type Value = i64;
    const MAX_LEN: usize = "\"YYYY-MM-DDTHH:MM:SS.ffffff+00:00\"".len();
    unsafe fn write(&self, out: &mut OutBuf, data: *const i64, len: usize, indent: Option<usize>) -> Result<(), Refusal> {
        let unit = self.unit.as_ref().map_err(|e| Refusal::Error(e.clone()))?;
        for i in 0..len {
            if i > 0 {
                out.push(b',');
            }
            newline(out, indent);
            // SAFETY: `i < len`.
            unit.write(out, unsafe { data.add(i).read_unaligned() }, self.time).map_err(Refusal::Error)?;
        }
        Ok(())
    }
}

impl Datetimes {
    /// The unit of `o`'s dtype (an array's or a scalar's), from `o.dtype.str` (`'<M8[s]'`).
    unsafe fn of(o: *mut PyObject, names: &NativeTypes, time: TimeFormat) -> Result<Datetimes, Refusal> {
        // SAFETY: GIL held; new references owned.
        unsafe {
            let dtype = Owned::new(PyObject_GetAttr(o, names.dtype_name)).ok_or(Refusal::Raised)?;
            let text = Owned::new(PyObject_GetAttr(dtype.as_ptr(), names.str_name)).ok_or(Refusal::Raised)?;
            let text = str_to_string(text.as_ptr()).ok_or(Refusal::Error(UNSUPPORTED.to_owned()))?;
            Ok(Datetimes { unit: Unit::parse(&text), time })
        }
    }
}

/// Runs `$body` with `$items` bound to the [`Items`] of `$item`.
macro_rules! with_items {
    ($item:expr, $datetimes:expr, |$items:ident| $body:expr) => {
        match $item {
            Item::Bool => { let $items = &Numbers::<Bool>(PhantomData); $body }
            Item::F16 => { let $items = &Numbers::<Half>(PhantomData); $body }
            Item::F32 => { let $items = &Numbers::<f32>(PhantomData); $body }
            Item::F64 => { let $items = &Numbers::<f64>(PhantomData); $body }
            Item::I8 => { let $items = &Numbers::<i8>(PhantomData); $body }
            Item::I16 => { let $items = &Numbers::<i16>(PhantomData); $body }
            Item::I32 => { let $items = &Numbers::<i32>(PhantomData); $body }
            Item::I64 => { let $items = &Numbers::<i64>(PhantomData); $body }
            Item::U8 => { let $items = &Numbers::<u8>(PhantomData); $body }
            Item::U16 => { let $items = &Numbers::<u16>(PhantomData); $body }
            Item::U32 => { let $items = &Numbers::<u32>(PhantomData); $body }
            Item::U64 => { let $items = &Numbers::<u64>(PhantomData); $body }
            Item::Datetime64 => { let $items = &$datetimes?; $body }
        }
    };
}

/// A scalar, from its object.
unsafe fn write_scalar(out: &mut OutBuf, o: *mut PyObject, item: Item, names: &NativeTypes, layout: Layout) -> Result<(), Refusal> {
    // SAFETY: `o` is a scalar of `item`'s type, whose value has the `ScalarObject` layout.
    unsafe { with_items!(item, Datetimes::of(o, names, layout.time), |items| write_value(out, items, o)) }
}

unsafe fn write_value<I: Items>(out: &mut OutBuf, items: &I, o: *mut PyObject) -> Result<(), Refusal> {
    // SAFETY: forwarded: the value is one item.
    unsafe { items.write(out, scalar_value::<I::Value>(o), 1, None) }
}

/// An array, as orjson checks it: readable, C-contiguous, native byte order, at least one
/// dimension, items of a type it writes (in that order).
unsafe fn write_array(out: &mut OutBuf, o: *mut PyObject, names: &NativeTypes, layout: Layout) -> Result<(), Refusal> {
    // SAFETY: `o` is an ndarray; its interface, held, describes its memory: C-contiguous
    // items of `item`'s type (kind and size checked) at `data`, `shape` of them.
    unsafe {
        let iface = match ArrayStruct::of(o, names.array_struct_name) {
            None => return Err(Refusal::Raised),
            Some(Interface::Malformed) => return Err(Refusal::Error("numpy array is malformed".to_owned())),
            Some(Interface::Read(iface)) => iface,
        };
        if iface.flags() & C_CONTIGUOUS == 0 {
            return Err(Refusal::ToDefault(NOT_CONTIGUOUS));
        }
        if iface.flags() & NOTSWAPPED == 0 {
            return Err(Refusal::Error("numpy array is not native-endianness".to_owned()));
        }
        if iface.shape().is_empty() {
            return Err(Refusal::ToDefault(UNSUPPORTED));
        }
        let item = Item::of_array(iface.typekind(), iface.itemsize()).ok_or(Refusal::ToDefault(UNSUPPORTED))?;
        let shape: Vec<usize> = iface.shape().iter().map(|&n| n.max(0) as usize).collect();
        with_items!(item, Datetimes::of(o, names, layout.time), |items| write_whole(out, items, &shape, iface.data().cast(), layout.indent))
    }
}

/// As [`write_nested`], with room for the whole text reserved first (up to a bound): one
/// allocation rather than the copies of growing into it.
///
/// # Safety
/// As for [`write_nested`].
unsafe fn write_whole<I: Items>(out: &mut OutBuf, items: &I, shape: &[usize], data: *const I::Value, indent: Option<usize>) -> Result<(), Refusal> {
    const MOST: usize = 1 << 26;
    let per_item = I::MAX_LEN + 1 + indent.map_or(0, |level| 1 + 2 * (level + shape.len()));
    out.reserve(shape.iter().try_fold(per_item, |n, &d| n.checked_mul(d)).map_or(MOST, |n| n.min(MOST)));
    // SAFETY: forwarded.
    unsafe { write_nested(out, items, shape, data, indent) }
}

/// Writes the items of `shape` in C order from `data` as nested JSON arrays; `indent` as in
/// [`Layout`].
///
/// # Safety
/// `data` must hold the product of `shape` items (`shape` has at least one dimension).
unsafe fn write_nested<I: Items>(out: &mut OutBuf, items: &I, shape: &[usize], data: *const I::Value, indent: Option<usize>) -> Result<(), Refusal> {
    let (&len, inner) = shape.split_first().expect("an array has a dimension");
    if len == 0 {
        out.extend_from_slice(b"[]");
        return Ok(());
    }
    let inner_indent = indent.map(|level| level + 1);
    out.push(b'[');
    // SAFETY: the rows of the inner dimensions follow each other in C order, inside `data`.
    unsafe {
        if inner.is_empty() {
            items.write(out, data, len, inner_indent)?;
        } else {
            let step: usize = inner.iter().product();
            for i in 0..len {
                if i > 0 {
                    out.push(b',');
                }
                newline(out, inner_indent);
                write_nested(out, items, inner, data.add(i * step), inner_indent)?;
            }
        }
    }
    newline(out, indent);
    out.push(b']');
    Ok(())
}

/// A newline and two spaces a level, with `OPT_INDENT_2`.
#[inline(always)]
fn newline(out: &mut OutBuf, indent: Option<usize>) {
    if let Some(level) = indent {
        out.push(b'\n');
        out.extend_repeated(b' ', 2 * level);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_convert_exactly() {
        assert_eq!(f16_to_f32(0x3e00), 1.5);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x03ff), 1023.0 * 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x0400), 2f32.powi(-14));
        assert_eq!(f16_to_f32(0x8000).to_bits(), (-0.0f32).to_bits());
        assert_eq!(f16_to_f32(0xfc00), f32::NEG_INFINITY);
        assert!(f16_to_f32(0x7e00).is_nan());
    }

    fn nested(shape: &[usize], data: &[i64], indent: Option<usize>) -> String {
        let mut out = OutBuf::default();
        // SAFETY: `data` holds the product of `shape` items.
        let done = unsafe { write_nested(&mut out, &Numbers::<i64>(PhantomData), shape, data.as_ptr(), indent) };
        assert!(done.is_ok());
        String::from_utf8(out.as_slice().to_vec()).unwrap()
    }

    #[test]
    fn shapes() {
        assert_eq!(nested(&[0], &[], None), "[]");
        assert_eq!(nested(&[2, 0, 3], &[], None), "[[],[]]");
        assert_eq!(nested(&[2, 3], &[1, 2, 3, 4, 5, 6], None), "[[1,2,3],[4,5,6]]");
        assert_eq!(nested(&[1, 2], &[1, -2], Some(1)), "[\n    [\n      1,\n      -2\n    ]\n  ]");
        assert_eq!(nested(&[3], &[i64::MIN, 0, i64::MAX], None), "[-9223372036854775808,0,9223372036854775807]");
    }
}
