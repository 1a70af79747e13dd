//! The relink sandbox.
