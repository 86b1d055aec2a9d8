//! How much C stack the running thread has left: the fast walk recurses, and sizes how deep
//! it goes by this instead of a fixed bound small enough for the smallest thread stacks.
//!
//! The thread's stack bounds come from `pthread_getattr_np` (glibc and musl), asked once per
//! thread; elsewhere nothing is known and the walk keeps its fixed bound.

use std::cell::Cell;

thread_local! {
    /// The lowest address of this thread's stack, 0 until asked, 1 if unknown.
    static STACK_LOW: Cell<usize> = const { Cell::new(0) };
}

/// Bytes of stack below the caller's frame, down to the end of the thread's stack (the
/// guard page not counted); 0 if unknown.
#[inline(never)]
pub fn remaining() -> usize {
    let marker = 0u8;
    let sp = std::hint::black_box(&marker) as *const u8 as usize;
    let low = STACK_LOW.with(|low| {
        if low.get() == 0 {
            low.set(stack_low().unwrap_or(1));
        }
        low.get()
    });
    if low == 1 { 0 } else { sp.saturating_sub(low) }
}

#[cfg(target_os = "linux")]
fn stack_low() -> Option<usize> {
    use std::ffi::{c_int, c_void};
    /// `pthread_attr_t`, opaque: 56 bytes on x86_64 glibc, 64 on aarch64; more is harmless.
    #[repr(C, align(16))]
    struct Attr([u8; 128]);
    extern "C" {
        fn pthread_self() -> usize;
        fn pthread_getattr_np(thread: usize, attr: *mut Attr) -> c_int;
        fn pthread_attr_getstack(attr: *const Attr, addr: *mut *mut c_void, size: *mut usize) -> c_int;
        fn pthread_attr_destroy(attr: *mut Attr) -> c_int;
    }
    let mut attr = Attr([0; 128]);
    let (mut addr, mut size) = (std::ptr::null_mut(), 0);
    // SAFETY: `attr` has room for a pthread_attr_t, initialised by pthread_getattr_np before
    // it is read and destroyed once after; `addr` and `size` are written by getstack.
    unsafe {
        if pthread_getattr_np(pthread_self(), &mut attr) != 0 {
            return None;
        }
        let got = pthread_attr_getstack(&attr, &mut addr, &mut size);
        pthread_attr_destroy(&mut attr);
        (got == 0 && !addr.is_null()).then_some(addr as usize)
    }
}

#[cfg(not(target_os = "linux"))]
fn stack_low() -> Option<usize> {
    None
}
