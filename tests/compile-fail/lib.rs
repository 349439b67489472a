//! Nothing here: the crate exists for its test, `compile_fail.rs`, whose cases (`cases/*.rs`)
//! use tokio as blocklab's lessons do.
