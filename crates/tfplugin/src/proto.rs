//! Rust types and gRPC stubs generated from `/proto` by `build.rs`.

/// Terraform plugin protocol 6 (`tfplugin6`).
#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's own services (`plugin`): controller, stdio and broker.
#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod plugin {
    tonic::include_proto!("plugin");
}
