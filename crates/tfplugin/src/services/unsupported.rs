//! The answer to every `tfplugin6.Provider` RPC about something a data-source-only provider
//! does not have (managed resources, ephemeral resources, list resources, functions, state
//! stores, actions): one line each in a table, [`unsupported_rpcs!`], instead of one
//! hand-written method each.
//!
//! Each such RPC answers `OK` with a single error diagnostic (see
//! `ProviderService::unsupported`) inside the RPC's own reply shape, so Terraform shows the user
//! a sentence rather than a gRPC `Unimplemented` status.

use crate::proto::tfplugin6 as pb;

/// Generates, inside `impl ProviderRpc for ProviderService`, one method per line of the form
///
/// ```text
/// RpcName: method(module::Request.name_field) -> module::Response;
/// RpcName: method(module::Request.name_field) -> module::Response => build;
/// RpcName: method(module::Request.name_field) -> stream(StreamType, module::Event) => build;
/// RpcName: method(stream module::RequestChunk) -> module::Response;
/// ```
///
/// grouped under the kind of thing the provider lacks (`"managed resources" { ... }`). Each
/// method logs the RPC like the served ones (`observe`) and answers with the diagnostic of
/// `ProviderService::unsupported_proto`: in the reply's `diagnostics` field, or through
/// `build(diagnostics)` when the reply has another shape. A client-streaming request names no
/// type. A server-streaming reply is a stream of exactly one message.
///
/// The methods are written out in the form `#[async_trait]` gives the generated trait's
/// methods (a boxed `Send` future borrowing `self`), because `#[tonic::async_trait]` on the
/// impl rewrites only the `async fn`s it sees, not those a macro produces later. The names
/// they use (`pb`, `Reply`, `observe`, `Future`, and tonic's `Request`, `Response`, `Status`
/// and `Streaming`) are those in scope where the table is, in `services/provider.rs`.
macro_rules! unsupported_rpcs {
    ($($kinds:literal {
        $($rpc:ident: $method:ident $request:tt
            -> $($reply:ident)::+ $(($stream:ident, $item:ident::$event:ident))?
            $(=> $build:path)?;)*
    })*) => {
        $($(
            unsupported_rpcs!(@rpc $kinds, $rpc, $method $request
                -> $($reply)::+ $(($stream, $item::$event))? $(=> $build)?);
        )*)*
    };

    // A server-streaming reply: a stream of one message, built by `$build`.
    (@rpc $kinds:literal, $rpc:ident, $method:ident ($module:ident::$request:ident.$field:ident)
        -> stream ($stream:ident, $item:ident::$event:ident) => $build:path) => {
        type $stream = ::tokio_stream::Once<Result<pb::$item::$event, Status>>;

        unsupported_rpcs!(@method $kinds, $rpc, $method,
            request: pb::$module::$request, name: |request| request.into_inner().$field,
            reply: Self::$stream, |diagnostics| ::tokio_stream::once(Ok($build(diagnostics))));
    };

    // A unary reply built by `$build`.
    (@rpc $kinds:literal, $rpc:ident, $method:ident ($module:ident::$request:ident.$field:ident)
        -> $reply_module:ident::$reply:ident => $build:path) => {
        unsupported_rpcs!(@method $kinds, $rpc, $method,
            request: pb::$module::$request, name: |request| request.into_inner().$field,
            reply: pb::$reply_module::$reply, |diagnostics| $build(diagnostics));
    };

    // A unary reply with the diagnostics in its `diagnostics` field (assigned rather than
    // written as `{ diagnostics, ..Default::default() }`, which would be a needless update for
    // the replies that have no other field).
    (@rpc $kinds:literal, $rpc:ident, $method:ident ($module:ident::$request:ident.$field:ident)
        -> $reply_module:ident::$reply:ident) => {
        unsupported_rpcs!(@method $kinds, $rpc, $method,
            request: pb::$module::$request, name: |request| request.into_inner().$field,
            reply: pb::$reply_module::$reply,
            |diagnostics| {
                let mut reply = pb::$reply_module::$reply::default();
                reply.diagnostics = diagnostics;
                reply
            });
    };

    // A client-streaming request, which names no type; a unary reply as above.
    (@rpc $kinds:literal, $rpc:ident, $method:ident (stream $module:ident::$chunk:ident)
        -> $reply_module:ident::$reply:ident) => {
        unsupported_rpcs!(@method $kinds, $rpc, $method,
            request: Streaming<pb::$module::$chunk>, name: |_request| String::new(),
            reply: pb::$reply_module::$reply,
            |diagnostics| {
                let mut reply = pb::$reply_module::$reply::default();
                reply.diagnostics = diagnostics;
                reply
            });
    };

    // The method itself: `$name` takes the type name out of the request, `$answer` wraps the
    // diagnostics into the reply.
    (@method $kinds:literal, $rpc:ident, $method:ident,
        request: $request:ty, name: |$req:ident| $name:expr,
        reply: $reply:ty, |$diagnostics:ident| $answer:expr) => {
        fn $method<'life0, 'async_trait>(
            &'life0 self,
            $req: Request<$request>,
        ) -> ::std::pin::Pin<Box<dyn Future<Output = Reply<$reply>> + Send + 'async_trait>>
        where
            'life0: 'async_trait,
            Self: 'async_trait,
        {
            Box::pin(async move {
                let name: String = $name;
                observe(stringify!($rpc), &name, async {
                    let $diagnostics = self.unsupported_proto($kinds, &name);
                    Ok(Response::new($answer))
                })
                .await
            })
        }
    };
}

pub(crate) use unsupported_rpcs;

/// ListResource's one event (its field is `diagnostic`, singular).
pub(crate) fn list_event(diagnostics: Vec<pb::Diagnostic>) -> pb::list_resource::Event {
    pb::list_resource::Event {
        diagnostic: diagnostics,
        ..Default::default()
    }
}

/// ReadStateBytes' one chunk: no bytes, only the diagnostics.
pub(crate) fn state_chunk(diagnostics: Vec<pb::Diagnostic>) -> pb::read_state_bytes::Response {
    pb::read_state_bytes::Response {
        diagnostics,
        ..Default::default()
    }
}

/// InvokeAction's one event: the action completed with the diagnostics.
pub(crate) fn invoke_completed(diagnostics: Vec<pb::Diagnostic>) -> pb::invoke_action::Event {
    pb::invoke_action::Event {
        r#type: Some(pb::invoke_action::event::Type::Completed(
            pb::invoke_action::event::Completed { diagnostics },
        )),
    }
}

/// CallFunction reports a function error, not diagnostics: the text is the diagnostic's
/// detail.
pub(crate) fn function_error(diagnostics: Vec<pb::Diagnostic>) -> pb::call_function::Response {
    pb::call_function::Response {
        result: None,
        error: diagnostics
            .into_iter()
            .next()
            .map(|diagnostic| pb::FunctionError {
                text: diagnostic.detail,
                function_argument: None,
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostic(detail: &str) -> pb::Diagnostic {
        pb::Diagnostic {
            detail: detail.to_owned(),
            ..Default::default()
        }
    }

    #[test]
    fn replies_carry_the_diagnostics_in_their_own_shape() {
        assert_eq!(
            list_event(vec![diagnostic("no")]).diagnostic,
            [diagnostic("no")]
        );
        let chunk = state_chunk(vec![diagnostic("no")]);
        assert_eq!(chunk.diagnostics, [diagnostic("no")]);
        assert!(chunk.bytes.is_empty());

        match invoke_completed(vec![diagnostic("no")]).r#type {
            Some(pb::invoke_action::event::Type::Completed(completed)) => {
                assert_eq!(completed.diagnostics, [diagnostic("no")]);
            }
            other => panic!("expected a completed event, got {other:?}"),
        }

        let function = function_error(vec![diagnostic("no functions")]);
        assert!(function.result.is_none());
        assert_eq!(function.error.expect("an error").text, "no functions");
    }
}
