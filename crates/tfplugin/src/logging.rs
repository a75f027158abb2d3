//! hclog-compatible logging on stderr.
//!
//! Terraform reads a plugin's stderr and treats every line that is go-hclog JSON as a log
//! entry of the plugin, shown according to `TF_LOG`/`TF_LOG_PROVIDER`. A line is recognised
//! only with the exact keys `@level`, `@message`, `@module` and a `@timestamp` of the layout
//! `2006-01-02T15:04:05.000000Z07:00`; anything else is shown as plain text. This module turns
//! every `tracing` event into one such line. Event and span fields become extra keys, except
//! fields whose names suggest a secret ([`SensitiveFields`]: generic rules plus names the
//! provider supplies): their values are replaced by a placeholder.

use std::io::Write;
use std::sync::OnceLock;

use serde_json::{Map, Value as Json};
use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

/// What is written instead of the value of a field that may hold a secret.
pub const REDACTED: &str = "[redacted]";

/// Words that mark a field as secret wherever they appear in its (normalised) name, also as
/// part of a longer word: `client_secret`, `db_password`, `security_token`, `credentials`,
/// `set_cookie`, `session_id`, `x_apikey`.
const SECRET_WORD_PARTS: &[&str] = &[
    "secret",
    "password",
    "passwd",
    "passphrase",
    "token",
    "authorization",
    "credential",
    "apikey",
    "cookie",
    "session",
    "signature",
];

/// Sequences of whole words that mark a field as secret: `private_key`, `rsa_private_key`,
/// `api_key_value`, but not `key` on its own (`cache_key`, `key_id`, `primary_key`).
const SECRET_WORD_SEQUENCES: &[&str] = &["private_key", "api_key"];

/// Libraries whose debug/trace output is about HTTP/2 frames and TLS records, not about the
/// provider: they log at most at INFO even when the user asks for TRACE.
const TRANSPORT_TARGETS: &[&str] = &[
    "h2",
    "hyper",
    "hyper_util",
    "tonic",
    "tower",
    "rustls",
    "tokio_rustls",
    "tokio_util",
];

/// The timestamp layout hclog writes and Terraform requires (Go's
/// `2006-01-02T15:04:05.000000Z07:00`, always in UTC here).
const TIMESTAMP_FORMAT: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// hclog's `@module` of this process's lines, set by [`init`].
static MODULE: OnceLock<String> = OnceLock::new();

/// The `@module` of this process's log lines: `provider.<binary name>` once [`init`] ran,
/// `provider` before.
pub fn module() -> &'static str {
    MODULE.get().map_or("provider", String::as_str)
}

/// Installs the hclog JSON subscriber on stderr, at the level Terraform's environment asks for,
/// redacting the values of `sensitive` fields.
/// Idempotent: later calls (and calls after another global subscriber was set) do nothing.
pub fn init(binary_name: &str, sensitive: SensitiveFields) {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let module = MODULE.get_or_init(|| format!("provider.{binary_name}"));
        let level = level_from_env(|name| std::env::var(name).ok());
        let layer = HclogLayer::new(module.clone(), std::io::stderr).redacting(sensitive);
        let subscriber = tracing_subscriber::registry().with(layer.with_filter(filter_for(level)));
        // Another subscriber may already be installed (e.g. by a test harness): keep it.
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
}

/// The level Terraform's environment asks for: `TF_LOG_PROVIDER`, else `TF_LOG`. Unset means
/// INFO (Terraform filters the lines itself); an unrecognised value means TRACE, as Terraform
/// itself treats one.
pub fn level_from_env(lookup: impl Fn(&str) -> Option<String>) -> LevelFilter {
    let setting = ["TF_LOG_PROVIDER", "TF_LOG"]
        .into_iter()
        .filter_map(&lookup)
        .map(|value| value.trim().to_ascii_uppercase())
        .find(|value| !value.is_empty());
    match setting.as_deref() {
        None => LevelFilter::INFO,
        Some("OFF") => LevelFilter::OFF,
        Some("ERROR") => LevelFilter::ERROR,
        Some("WARN") => LevelFilter::WARN,
        Some("INFO") => LevelFilter::INFO,
        Some("DEBUG") => LevelFilter::DEBUG,
        Some(_) => LevelFilter::TRACE, // TRACE, JSON, or anything unrecognised
    }
}

/// `level` for everything, but at most INFO for the transport libraries.
pub fn filter_for(level: LevelFilter) -> Targets {
    TRANSPORT_TARGETS
        .iter()
        .fold(Targets::new().with_default(level), |targets, target| {
            targets.with_target(*target, level.min(LevelFilter::INFO))
        })
}

/// Which fields may carry a secret and are never written: the generic rules (any name
/// containing one of `SECRET_WORD_PARTS`, or the whole words of `SECRET_WORD_SEQUENCES`;
/// the [`Default`]) plus the names a provider adds for its own credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SensitiveFields {
    /// Whole-word sequences, generic and the provider's, normalised and split into words.
    sequences: Vec<Vec<String>>,
}

impl Default for SensitiveFields {
    fn default() -> Self {
        Self::with_names(std::iter::empty::<&str>())
    }
}

impl SensitiveFields {
    /// The generic rules plus `names`. Each name marks a field as secret wherever its words
    /// appear as whole words of the field's normalised name: `sk` redacts `sk`, `SK`,
    /// `vendor_sk` and `sk_value` but not `task` or `skip`.
    pub fn with_names<I>(names: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let provided: Vec<String> = names
            .into_iter()
            .map(|name| normalise(name.as_ref()))
            .collect();
        let sequences = SECRET_WORD_SEQUENCES
            .iter()
            .copied()
            .chain(provided.iter().map(String::as_str))
            .map(|name| words(name).map(str::to_owned).collect::<Vec<_>>())
            .filter(|sequence| !sequence.is_empty())
            .collect();
        Self { sequences }
    }

    /// Whether a field of this name may carry a secret and must never be written. The name is
    /// normalised first (lowercase, `-`, `.` and spaces as `_`).
    pub fn is_secret(&self, name: &str) -> bool {
        let normalised = normalise(name);
        if SECRET_WORD_PARTS
            .iter()
            .any(|part| normalised.contains(part))
        {
            return true;
        }
        let words: Vec<&str> = words(&normalised).collect();
        self.sequences.iter().any(|sequence| {
            words.windows(sequence.len()).any(|window| {
                window
                    .iter()
                    .copied()
                    .eq(sequence.iter().map(String::as_str))
            })
        })
    }
}

/// Lowercase, with `-`, `.` and spaces as `_`.
fn normalise(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '-' | '.' | ' ' => '_',
            other => other.to_ascii_lowercase(),
        })
        .collect()
}

/// The non-empty `_`-separated words of a normalised name.
fn words(normalised: &str) -> impl Iterator<Item = &str> {
    normalised.split('_').filter(|word| !word.is_empty())
}

/// A `tracing` layer writing each event as one hclog JSON line to `writer`.
pub struct HclogLayer<W> {
    module: String,
    writer: W,
    sensitive: SensitiveFields,
}

impl<W> HclogLayer<W>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    /// `module` is hclog's `@module`, e.g. `provider.terraform-provider-rds`. Fields are
    /// redacted by the generic rules of [`SensitiveFields::default`].
    pub fn new(module: impl Into<String>, writer: W) -> Self {
        Self {
            module: module.into(),
            writer,
            sensitive: SensitiveFields::default(),
        }
    }

    /// The same layer, redacting the values of `sensitive` fields.
    #[must_use]
    pub fn redacting(self, sensitive: SensitiveFields) -> Self {
        Self { sensitive, ..self }
    }
}

/// The fields of one span, kept in the span's extensions so events inside it carry them.
struct SpanFields(Map<String, Json>);

impl<S, W> Layer<S> for HclogLayer<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut visitor = JsonFields::new(&self.sensitive);
        attrs.record(&mut visitor);
        span.extensions_mut().insert(SpanFields(visitor.fields));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        if let Some(SpanFields(fields)) = extensions.get_mut::<SpanFields>() {
            let mut visitor = JsonFields {
                fields: std::mem::take(fields),
                message: None,
                sensitive: &self.sensitive,
            };
            values.record(&mut visitor);
            *fields = visitor.fields;
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut line = Map::new();
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(SpanFields(fields)) = span.extensions().get::<SpanFields>() {
                    line.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
        }
        let mut visitor = JsonFields::new(&self.sensitive);
        event.record(&mut visitor);
        line.extend(visitor.fields);
        let line = hclog_line(
            *event.metadata().level(),
            &visitor.message.unwrap_or_default(),
            &self.module,
            line,
        );
        // One write per line, so concurrent events never interleave within a line. A closed
        // stderr is not worth crashing over.
        let _ = self.writer.make_writer().write_all(line.as_bytes());
    }
}

/// One hclog JSON line (newline included): `fields` plus `@level`, `@message`, `@module` and
/// `@timestamp` (now). The caller is responsible for redacting `fields`.
pub fn hclog_line(
    level: Level,
    message: &str,
    module: &str,
    mut fields: Map<String, Json>,
) -> String {
    fields.insert("@level".into(), Json::from(level_name(level)));
    fields.insert("@message".into(), Json::from(message));
    fields.insert("@module".into(), Json::from(module));
    fields.insert(
        "@timestamp".into(),
        Json::from(format_timestamp(OffsetDateTime::now_utc())),
    );
    let mut line = Json::Object(fields).to_string();
    line.push('\n');
    line
}

/// hclog's level names.
fn level_name(level: Level) -> &'static str {
    match level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// `time` in hclog's layout, converted to UTC (written with the `Z` suffix).
pub fn format_timestamp(time: OffsetDateTime) -> String {
    time.to_offset(time::UtcOffset::UTC)
        .format(TIMESTAMP_FORMAT)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000000Z".to_owned())
}

/// Collects fields as JSON values; `message` is kept apart as hclog's `@message`, and the
/// values of `sensitive` fields are replaced by [`REDACTED`].
struct JsonFields<'a> {
    fields: Map<String, Json>,
    message: Option<String>,
    sensitive: &'a SensitiveFields,
}

impl<'a> JsonFields<'a> {
    fn new(sensitive: &'a SensitiveFields) -> Self {
        Self {
            fields: Map::new(),
            message: None,
            sensitive,
        }
    }

    fn insert(&mut self, field: &Field, value: Json) {
        let name = field.name();
        if name == "message" {
            self.message = Some(match value {
                Json::String(text) => text,
                other => other.to_string(),
            });
        } else if self.sensitive.is_secret(name) {
            self.fields.insert(name.to_owned(), Json::from(REDACTED));
        } else {
            self.fields.insert(name.to_owned(), value);
        }
    }
}

impl Visit for JsonFields<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.insert(field, Json::from(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.insert(field, Json::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.insert(field, Json::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.insert(field, Json::from(value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.insert(field, Json::from(value));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.insert(field, Json::from(value.to_string()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.insert(field, Json::from(format!("{value:?}")));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A `MakeWriter` collecting everything written, for inspection.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::Error::other("poisoned"))?
                .extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;
        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    fn capture(level: LevelFilter, emit: impl FnOnce()) -> Vec<Map<String, Json>> {
        let out = Captured::default();
        let layer = HclogLayer::new("provider.terraform-provider-test", out.clone());
        let subscriber = tracing_subscriber::registry().with(layer.with_filter(filter_for(level)));
        tracing::subscriber::with_default(subscriber, emit);
        let text = String::from_utf8(out.0.lock().expect("lock").clone()).expect("utf-8");
        assert!(
            text.is_empty() || text.ends_with('\n'),
            "every line ends with a newline"
        );
        text.lines()
            .map(|line| match serde_json::from_str(line) {
                Ok(Json::Object(map)) => map,
                other => panic!("not a JSON object line: {line:?} ({other:?})"),
            })
            .collect()
    }

    #[test]
    fn event_becomes_one_hclog_json_line() {
        let lines = capture(LevelFilter::TRACE, || {
            tracing::debug!(
                tf_rpc = "ReadDataSource",
                count = 3_u64,
                ok = true,
                "read {} items",
                3
            );
        });
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert_eq!(line["@level"], "debug");
        assert_eq!(line["@message"], "read 3 items");
        assert_eq!(line["@module"], "provider.terraform-provider-test");
        assert_eq!(line["tf_rpc"], "ReadDataSource");
        assert_eq!(line["count"], 3);
        assert_eq!(line["ok"], true);
        let timestamp = line["@timestamp"].as_str().expect("timestamp is a string");
        assert_eq!(
            timestamp.len(),
            "2006-01-02T15:04:05.000000Z".len(),
            "{timestamp}"
        );
        assert!(timestamp.ends_with('Z'));
    }

    #[test]
    fn levels_use_hclog_names() {
        let lines = capture(LevelFilter::TRACE, || {
            tracing::trace!("t");
            tracing::debug!("d");
            tracing::info!("i");
            tracing::warn!("w");
            tracing::error!("e");
        });
        let levels: Vec<&str> = lines
            .iter()
            .map(|l| l["@level"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(levels, ["trace", "debug", "info", "warn", "error"]);
    }

    #[test]
    fn timestamp_has_go_layout_with_six_fraction_digits() {
        let time = time::macros::datetime!(2026-11-28 19:53:20.123_456_789 +02:00);
        assert_eq!(format_timestamp(time), "2026-11-28T17:53:20.123456Z");
        let whole_second = time::macros::datetime!(2026-01-02 03:04:05 UTC);
        assert_eq!(
            format_timestamp(whole_second),
            "2026-01-02T03:04:05.000000Z"
        );
    }

    #[test]
    fn secret_fields_are_redacted_in_events_and_spans() {
        let lines = capture(LevelFilter::TRACE, || {
            let span = tracing::info_span!("request", security_token = "tok-123", region = "ap-1");
            let _entered = span.enter();
            tracing::info!(
                secret_key = "sk-456",
                Authorization = "Bearer abc",
                password = "pw",
                user = "alice",
                "signed"
            );
        });
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        let raw = serde_json::to_string(line).expect("serialize");
        for secret in ["tok-123", "sk-456", "Bearer abc", "\"pw\""] {
            assert!(!raw.contains(secret), "{secret} leaked: {raw}");
        }
        assert_eq!(line["security_token"], REDACTED);
        assert_eq!(line["secret_key"], REDACTED);
        assert_eq!(line["Authorization"], REDACTED);
        assert_eq!(line["password"], REDACTED);
        assert_eq!(line["user"], "alice");
        assert_eq!(line["region"], "ap-1");
    }

    #[test]
    fn secret_names_are_normalised_and_matched_by_explicit_lists() {
        let secret = [
            "secret",
            "secret_key",
            "SECRET-KEY",
            "client_secret",
            "db_password",
            "passwd",
            "ssh_passphrase",
            "security_token",
            "X-Auth-Token",
            "Authorization",
            "credentials",
            "private_key",
            "rsa-private-key",
            "private_key_pem",
            "api_key",
            "API-Key",
            "apikey",
            "x_apikey",
            "cookie",
            "Set-Cookie",
            "session",
            "session_id",
            "signature",
            "request.signature",
        ];
        let generic = SensitiveFields::default();
        for name in secret {
            assert!(generic.is_secret(name), "{name} must be redacted");
        }
        let visible = [
            "access_key",
            "Access-Key",
            "access_key_id",
            "ak",
            "key",
            "cache_key",
            "key_id",
            "primary_key",
            "monkey",
            "task",
            "disk",
            "risk_level",
            "skip",
            "region",
            "tf_rpc",
            "elapsed_us",
            "backtrace",
        ];
        for name in visible {
            assert!(!generic.is_secret(name), "{name} must stay visible");
        }
    }

    #[test]
    fn provider_supplied_names_are_redacted_as_whole_words() {
        let fields = SensitiveFields::with_names(["pin", "Master-Key", ""]);
        for name in [
            "pin",
            "PIN",
            "card_pin",
            "pin-code",
            "master_key",
            "db.master.key",
            "password",
        ] {
            assert!(fields.is_secret(name), "{name} must be redacted");
        }
        for name in [
            "ping",
            "spinner",
            "pinned",
            "master",
            "key",
            "master_keys",
            "region",
        ] {
            assert!(!fields.is_secret(name), "{name} must stay visible");
        }
        assert!(
            !SensitiveFields::default().is_secret("card_pin"),
            "a provider's names are its own"
        );
    }

    #[test]
    fn the_layer_redacts_the_names_it_is_given() {
        let out = Captured::default();
        let layer = HclogLayer::new("provider.terraform-provider-test", out.clone())
            .redacting(SensitiveFields::with_names(["pin"]));
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("card", card_pin = "1234");
            let _entered = span.enter();
            tracing::info!(pin = "5678", card = "visa", "paid");
        });
        let text = String::from_utf8(out.0.lock().expect("lock").clone()).expect("utf-8");
        let line: Map<String, Json> = serde_json::from_str(text.trim_end()).expect("one line");
        assert_eq!(line["card_pin"], REDACTED);
        assert_eq!(line["pin"], REDACTED);
        assert_eq!(line["card"], "visa");
        assert!(!text.contains("1234") && !text.contains("5678"), "{text}");
    }

    #[test]
    fn span_fields_are_carried_by_inner_events() {
        let lines = capture(LevelFilter::TRACE, || {
            let span = tracing::debug_span!(
                "rpc",
                tf_rpc = "GetProviderSchema",
                elapsed_ms = tracing::field::Empty
            );
            let _entered = span.enter();
            span.record("elapsed_ms", 1.5);
            tracing::debug!("done");
        });
        assert_eq!(lines[0]["tf_rpc"], "GetProviderSchema");
        assert_eq!(lines[0]["elapsed_ms"], 1.5);
    }

    #[test]
    fn filter_respects_level_and_quiets_transport_libraries() {
        let lines = capture(LevelFilter::INFO, || {
            tracing::debug!("hidden");
            tracing::info!("shown");
        });
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0]["@message"], "shown");

        let lines = capture(LevelFilter::TRACE, || {
            tracing::debug!(target: "h2::codec", "frame");
            tracing::info!(target: "h2::codec", "connection info");
            tracing::trace!(target: "terraform_provider_rds", "provider trace");
        });
        let messages: Vec<&str> = lines
            .iter()
            .map(|l| l["@message"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(messages, ["connection info", "provider trace"]);
    }

    #[test]
    fn level_comes_from_tf_log_provider_then_tf_log() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(level_from_env(env(&[])), LevelFilter::INFO);
        assert_eq!(
            level_from_env(env(&[("TF_LOG", "debug")])),
            LevelFilter::DEBUG
        );
        assert_eq!(
            level_from_env(env(&[("TF_LOG", "JSON")])),
            LevelFilter::TRACE
        );
        assert_eq!(level_from_env(env(&[("TF_LOG", "off")])), LevelFilter::OFF);
        assert_eq!(
            level_from_env(env(&[("TF_LOG", "WARN"), ("TF_LOG_PROVIDER", "ERROR")])),
            LevelFilter::ERROR
        );
        assert_eq!(
            level_from_env(env(&[("TF_LOG", "INFO"), ("TF_LOG_PROVIDER", "")])),
            LevelFilter::INFO
        );
        assert_eq!(
            level_from_env(env(&[("TF_LOG", "verbose")])),
            LevelFilter::TRACE
        );
    }
}
