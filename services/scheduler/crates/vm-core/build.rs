//! Generates the IR types from libs/ir/proto (the source of truth shared with Python) with protox, a pure-Rust
//! protobuf compiler, so building needs no `protoc` binary.
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../../libs/ir/proto");
    let program = root.join("waymark/ir/v1/program.proto");
    println!("cargo:rerun-if-changed={}", program.display());
    let descriptors = protox::compile([&program], [&root])?;
    prost_build::Config::new().compile_fds(descriptors)?;
    Ok(())
}
