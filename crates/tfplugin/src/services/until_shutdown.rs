//! A response stream that sends nothing and ends when the server shuts down.

use std::pin::Pin;

use futures::{Stream, StreamExt, stream};
use tokio_util::sync::CancellationToken;

pub(crate) type IdleStream<T> = Pin<Box<dyn Stream<Item = Result<T, tonic::Status>> + Send>>;

/// Long-lived streams must end on shutdown: a graceful HTTP/2 shutdown waits for every open
/// stream, so a stream that never ends would keep the process alive.
pub(crate) fn idle_until_shutdown<T: Send + 'static>(shutdown: CancellationToken) -> IdleStream<T> {
    Box::pin(
        stream::once(async move { shutdown.cancelled_owned().await })
            .filter_map(|()| async { None }),
    )
}
