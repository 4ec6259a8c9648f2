//! Waymark's workflow VM (skeleton; being built).
pub mod ir {
    include!(concat!(env!("OUT_DIR"), "/waymark.ir.v1.rs"));
}
