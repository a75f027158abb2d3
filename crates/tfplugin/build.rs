//! Compiles the project's protobuf definitions (`/proto`) into Rust with `protox`, a pure-Rust
//! protobuf compiler, so building needs no system `protoc`.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proto_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../proto");
    println!("cargo:rerun-if-changed={}", proto_dir.display());

    let files = [
        "tfplugin6.proto",
        "grpc_controller.proto",
        "grpc_stdio.proto",
        "grpc_broker.proto",
    ];
    for file in files {
        println!("cargo:rerun-if-changed={}", proto_dir.join(file).display());
    }
    let descriptors = protox::compile(files, [&proto_dir])?;

    // Clients are generated too: the crate's tests talk to the server like Terraform does.
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .compile_fds(descriptors)?;
    Ok(())
}
