//! A ReadDataSource answer larger than the gRPC message limit would reach Terraform as a bare
//! `OUT_OF_RANGE` transport error that names neither the data source nor the cause. Checked
//! here on the encoded answer, it becomes an error diagnostic saying both.

use prost::Message;

use crate::convert::diagnostic_to_proto;
use crate::diag::Diagnostic;
use crate::proto::tfplugin6 as pb;

/// Returns `response` unchanged when its encoding fits in `limit` bytes; else drops its state
/// (keeping the diagnostics) and adds an error naming `type_name` and both sizes.
pub(crate) fn fit_read_data_source(
    mut response: pb::read_data_source::Response,
    type_name: &str,
    limit: usize,
) -> pb::read_data_source::Response {
    let size = response.encoded_len();
    if size <= limit {
        return response;
    }
    response.state = None;
    response
        .diagnostics
        .push(diagnostic_to_proto(Diagnostic::error(
            "Data source state too large",
            format!(
                "The state of data source {type_name} encodes to {size} bytes, more than the \
             {limit} bytes ({} MiB) that one plugin protocol message may carry, so Terraform \
             could not receive it. Narrow what the data source reads.",
                limit / (1024 * 1024)
            ),
        )));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(state_bytes: usize) -> pb::read_data_source::Response {
        pb::read_data_source::Response {
            state: Some(pb::DynamicValue {
                msgpack: vec![0xc0; state_bytes],
                json: Vec::new(),
            }),
            diagnostics: vec![diagnostic_to_proto(Diagnostic::warning("kept", "kept"))],
            deferred: None,
        }
    }

    #[test]
    fn answers_within_the_limit_are_unchanged() {
        let fitting = response(100);
        let limit = fitting.encoded_len();
        assert_eq!(fit_read_data_source(fitting.clone(), "t_x", limit), fitting);
    }

    #[test]
    fn answers_over_the_limit_lose_their_state_and_say_why() {
        let over = response(2000);
        let size = over.encoded_len();
        let fitted = fit_read_data_source(over, "t_x", 1024 * 1024 + 1000);
        assert_eq!(fitted.state, Some(response(2000).state.expect("state")));
        let fitted = fit_read_data_source(response(2000), "t_x", size - 1);
        assert_eq!(fitted.state, None);
        assert_eq!(fitted.diagnostics.len(), 2, "the warning is kept");
        let error = &fitted.diagnostics[1];
        assert_eq!(error.severity, pb::diagnostic::Severity::Error as i32);
        assert_eq!(error.summary, "Data source state too large");
        assert!(error.detail.contains("data source t_x"), "{}", error.detail);
        assert!(
            error.detail.contains(&format!("{size} bytes")),
            "{}",
            error.detail
        );
        assert!(fitted.encoded_len() < size);
    }
}
