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

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::tfplugin6 as pb;

    /// The fields protocol 6.11 (Terraform 1.16) added decode from their field numbers. The
    /// bytes are written by hand from the wire format (tag = field number << 3 | wire type),
    /// not produced by the encoder under test.
    #[test]
    fn protocol_6_11_fields_decode() {
        // Schema.Block: deprecated = true (6), computed = true (8).
        let block = pb::schema::Block::decode(&[0x30, 0x01, 0x40, 0x01][..]).expect("a block");
        assert!(block.deprecated);
        assert!(block.computed);

        // ClientCapabilities: deferral_allowed (1), store_planned_private (3),
        // computed_blocks_allowed (4).
        let capabilities =
            pb::ClientCapabilities::decode(&[0x08, 0x01, 0x18, 0x01, 0x20, 0x01][..])
                .expect("capabilities");
        assert!(capabilities.deferral_allowed);
        assert!(!capabilities.write_only_attributes_allowed);
        assert!(capabilities.store_planned_private);
        assert!(capabilities.computed_blocks_allowed);

        // PlanResourceChange.Request: type_name "t" (1), client_capabilities (7) holding
        // computed_blocks_allowed, planned_private b"pp" (9).
        let request = pb::plan_resource_change::Request::decode(
            &[
                0x0a, 0x01, b't', 0x3a, 0x02, 0x20, 0x01, 0x4a, 0x02, b'p', b'p',
            ][..],
        )
        .expect("a plan request");
        assert_eq!(request.type_name, "t");
        assert_eq!(request.planned_private, b"pp");
        let capabilities = request.client_capabilities.expect("capabilities");
        assert!(capabilities.computed_blocks_allowed && !capabilities.store_planned_private);
    }
}
