//! The browser layer both builds share (wasm32 only): how Rust meets the DOM and JS values.
//!
//! - [`dom`]: the element builders and owned listeners every rendering goes through.
//! - [`js_value`]: reading and building plain JS objects; the [`crate::decode::Reader`] for
//!   them.
//! - [`results`]: relink's errors become Stripe-shaped JS objects here and nowhere else.

pub(crate) mod dom;
pub(crate) mod js_value;
pub(crate) mod results;

/// A free-list allocator a few hundred bytes long, in place of std's dlmalloc (about 8 KB of
/// code, 3.5 KB of every page's gzipped download). The component's allocations are few and
/// small, and freed blocks coalesce, so memory stays flat across flows (the benchmark checks).
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());
