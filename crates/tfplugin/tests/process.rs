//! The example toy provider run as a process, the way Terraform runs a plugin: environment in,
//! one handshake line on stdout, gRPC over the announced socket, exit on Shutdown/SIGTERM.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use common::*;
use tfplugin::cty::{Type, Value};
use tfplugin::proto::plugin::Empty;
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::server::handshake::{MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE};

fn toy_provider_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_tfplugin-toy-provider"))
}

/// The toy provider with a clean environment (no inherited Terraform variables).
fn toy_provider(socket_dir: &Path) -> Command {
    let mut command = Command::new(toy_provider_binary());
    command
        .env_clear()
        .env("PLUGIN_UNIX_SOCKET_DIR", socket_dir)
        .env("TF_LOG", "DEBUG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn as_terraform<'a>(command: &'a mut Command, client: Option<&ClientIdentity>) -> &'a mut Command {
    command
        .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6");
    match client {
        Some(client) => command.env("PLUGIN_CLIENT_CERT", &client.certificate_pem),
        None => command.env("TF_DISABLE_PLUGIN_TLS", "1"),
    }
}

/// The parsed handshake line.
struct Handshake {
    socket: PathBuf,
    certificate_der: Option<Vec<u8>>,
}

fn read_handshake(stdout: &mut BufReader<ChildStdout>) -> (String, Handshake) {
    let mut line = String::new();
    stdout.read_line(&mut line).expect("read handshake line");
    let line = line.trim_end_matches('\n').to_owned();
    let fields: Vec<&str> = line.split('|').collect();
    assert_eq!(fields.len(), 6, "handshake line {line:?}");
    assert_eq!(&fields[..3], ["1", "6", "unix"], "{line:?}");
    assert_eq!(fields[4], "grpc");
    let certificate_der = (!fields[5].is_empty()).then(|| {
        STANDARD_NO_PAD
            .decode(fields[5])
            .expect("certificate is base64 without padding")
    });
    (
        line.clone(),
        Handshake {
            socket: PathBuf::from(fields[3]),
            certificate_der,
        },
    )
}

fn wait_for_exit(mut child: Child) -> (std::process::ExitStatus, String) {
    let status = child.wait().expect("wait");
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    (status, stderr)
}

/// Like [`wait_for_exit`], but a process still running after `limit` is killed and the test
/// fails (instead of hanging).
fn wait_for_exit_within(
    mut child: Child,
    limit: std::time::Duration,
) -> (std::process::ExitStatus, String) {
    let deadline = std::time::Instant::now() + limit;
    while child.try_wait().expect("try_wait").is_none() {
        if std::time::Instant::now() >= deadline {
            let _ = child.kill();
            let (_, stderr) = wait_for_exit(child);
            panic!("the provider did not exit within {limit:?}; stderr: {stderr}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    wait_for_exit(child)
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .expect("kill");
    assert!(status.success());
}

#[test]
fn run_by_hand_it_explains_itself_and_exits_1() {
    let dir = tempfile::tempdir().expect("dir");
    let output = toy_provider(dir.path()).output().expect("run");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "nothing on stdout");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("This binary is a plugin. These are not meant to be executed directly."),
        "{stderr}"
    );
    // The provider's own hint (ServeOptions::run_by_hand_hint) follows go-plugin's words.
    assert!(
        stderr.ends_with(
            "load any plugins automatically\n\nThe toy provider serves tfplugin's tests.\n"
        ),
        "{stderr}"
    );
}

#[test]
fn without_protocol_6_it_exits_1() {
    let dir = tempfile::tempdir().expect("dir");
    let output = toy_provider(dir.path())
        .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "4,5")
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("protocol version 6"));
}

#[tokio::test]
async fn terraform_style_session_with_auto_mtls_ends_with_shutdown() {
    let dir = tempfile::tempdir().expect("dir");
    let client = ClientIdentity::generate();
    let mut child = as_terraform(&mut toy_provider(dir.path()), Some(&client))
        .spawn()
        .expect("spawn");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let (_, handshake) = read_handshake(&mut stdout);
    assert!(handshake.socket.starts_with(dir.path()));
    let certificate = handshake
        .certificate_der
        .expect("AutoMTLS announces a certificate");

    let channel = tls_channel(&handshake.socket, &client, &certificate)
        .await
        .expect("connect");
    assert_eq!(
        health_status(channel.clone()).await.expect("health"),
        SERVING
    );
    let schema = provider_client(channel.clone())
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .expect("schema")
        .into_inner();
    assert!(schema.data_source_schemas.contains_key("toy_echo"));

    controller_client(channel)
        .shutdown(Empty {})
        .await
        .expect("Shutdown");
    let (status, stderr) = tokio::task::spawn_blocking(move || wait_for_exit(child))
        .await
        .expect("join");
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert!(!handshake.socket.exists(), "socket removed on exit");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).expect("stdout");
    assert!(
        rest.is_empty(),
        "nothing but the handshake on stdout: {rest:?}"
    );
    // Logs are hclog JSON lines on stderr.
    let log_line = stderr
        .lines()
        .find(|line| line.starts_with('{'))
        .expect("a log line");
    let json: serde_json::Value = serde_json::from_str(log_line).expect("JSON log line");
    assert_eq!(json["@module"], "provider.terraform-provider-toy");
}

#[tokio::test]
async fn sigint_is_ignored_and_sigterm_stops_it() {
    let dir = tempfile::tempdir().expect("dir");
    let mut child = as_terraform(&mut toy_provider(dir.path()), None)
        .spawn()
        .expect("spawn");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let (line, handshake) = read_handshake(&mut stdout);
    assert!(
        line.ends_with("|grpc|"),
        "plaintext has an empty certificate field: {line}"
    );

    signal(&child, "INT");
    // Still serving after Ctrl-C: Terraform, not the signal, stops providers.
    let channel = plain_channel(&handshake.socket).await.expect("connect");
    assert_eq!(
        health_status(channel).await.expect("health after SIGINT"),
        SERVING
    );

    signal(&child, "TERM");
    let (status, stderr) = tokio::task::spawn_blocking(move || wait_for_exit(child))
        .await
        .expect("join");
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_socket_directory_removed(&handshake.socket);
}

fn assert_socket_directory_removed(socket: &Path) {
    let directory = socket.parent().expect("the socket has a directory");
    assert!(
        !directory.exists(),
        "socket directory {} left behind",
        directory.display()
    );
}

/// Closing the terminal (SIGHUP) or SIGQUIT stops the provider like SIGTERM: gracefully, with
/// the socket directory removed.
#[tokio::test]
async fn sighup_and_sigquit_stop_it_gracefully() {
    for name in ["HUP", "QUIT"] {
        let dir = tempfile::tempdir().expect("dir");
        let mut child = as_terraform(&mut toy_provider(dir.path()), None)
            .spawn()
            .expect("spawn");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let (_, handshake) = read_handshake(&mut stdout);
        let channel = plain_channel(&handshake.socket).await.expect("connect");
        assert_eq!(health_status(channel).await.expect("health"), SERVING);

        signal(&child, name);
        let (status, stderr) = tokio::task::spawn_blocking(move || {
            wait_for_exit_within(child, std::time::Duration::from_secs(10))
        })
        .await
        .expect("join");
        assert_eq!(status.code(), Some(0), "SIG{name}; stderr: {stderr}");
        assert_socket_directory_removed(&handshake.socket);
    }
}

/// A panic in provider code that the server catches is a diagnostic and an hclog error line,
/// never a `panic: ` line (Terraform would report "plugin crashed!" and treat every later
/// stderr line of this instance as part of the crash).
#[tokio::test]
async fn a_caught_panic_is_a_diagnostic_and_not_a_crash() {
    let dir = tempfile::tempdir().expect("dir");
    let mut child = as_terraform(&mut toy_provider(dir.path()), None)
        .env("RUST_BACKTRACE", "0")
        .spawn()
        .expect("spawn");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let (_, handshake) = read_handshake(&mut stdout);
    let channel = plain_channel(&handshake.socket).await.expect("connect");
    let echo_type = Type::object([("input", Type::String), ("output", Type::String)]);
    let read = |input: &str| pb::read_data_source::Request {
        type_name: "toy_echo".to_owned(),
        config: Some(pb::DynamicValue {
            msgpack: tfplugin::cty::msgpack::encode(
                &Value::object([("input", Value::from(input)), ("output", Value::Null)]),
                &echo_type,
            )
            .expect("encode"),
            json: Vec::new(),
        }),
        ..Default::default()
    };
    let mut provider = provider_client(channel.clone());
    let configured = provider
        .configure_provider(pb::configure_provider::Request {
            config: Some(pb::DynamicValue {
                msgpack: tfplugin::cty::msgpack::encode(
                    &Value::object([("greeting", Value::Null)]),
                    &Type::object([("greeting", Type::String)]),
                )
                .expect("encode"),
                json: Vec::new(),
            }),
            ..Default::default()
        })
        .await
        .expect("ConfigureProvider")
        .into_inner();
    assert!(
        configured.diagnostics.is_empty(),
        "{:?}",
        configured.diagnostics
    );
    let response = provider
        .read_data_source(read("panic"))
        .await
        .expect("the RPC answers")
        .into_inner();
    assert!(response.state.is_none());
    assert_eq!(response.diagnostics.len(), 1, "{:?}", response.diagnostics);
    assert!(
        response.diagnostics[0]
            .detail
            .contains("provider bug: the provider panicked during the data source read: toy provider panics on purpose"),
        "{:?}",
        response.diagnostics[0]
    );
    // Still serving.
    let echoed = provider
        .read_data_source(read("hello"))
        .await
        .expect("a read after the panic")
        .into_inner();
    assert!(echoed.diagnostics.is_empty(), "{:?}", echoed.diagnostics);

    controller_client(channel)
        .shutdown(Empty {})
        .await
        .expect("Shutdown");
    let (status, stderr) = tokio::task::spawn_blocking(move || wait_for_exit(child))
        .await
        .expect("join");
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert!(
        !stderr.lines().any(|line| line.starts_with("panic: ")),
        "no crash line on stderr: {stderr}"
    );
    assert!(
        !stderr.contains("panicked at"),
        "no default Rust panic report: {stderr}"
    );
    let report = stderr
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|json| {
            json["@message"].as_str().is_some_and(|m| {
                m.starts_with("provider bug: panic: toy provider panics on purpose at ")
            })
        })
        .unwrap_or_else(|| panic!("an hclog line reports the panic: {stderr}"));
    assert_eq!(report["@level"], "error");
    assert!(
        report["@message"]
            .as_str()
            .is_some_and(|m| m.contains("toy_provider.rs:")),
        "{report}"
    );
    assert!(
        report["backtrace"].as_str().is_some_and(|b| !b.is_empty()),
        "a backtrace even with RUST_BACKTRACE=0: {report}"
    );
}

#[tokio::test]
async fn debug_mode_prints_reattach_instructions_and_stops_on_ctrl_c() {
    let dir = tempfile::tempdir().expect("dir");
    let mut child = toy_provider(dir.path())
        .arg("--debug")
        .spawn()
        .expect("spawn");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let reattach = loop {
        let mut line = String::new();
        assert_ne!(
            stdout.read_line(&mut line).expect("read"),
            0,
            "no TF_REATTACH_PROVIDERS line"
        );
        if let Some(value) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS='") {
            break value.trim_end_matches('\'').to_owned();
        }
    };
    let json: serde_json::Value = serde_json::from_str(&reattach).expect("reattach JSON");
    let entry = &json["registry.terraform.io/example/toy"];
    assert_eq!(entry["Protocol"], "grpc");
    assert_eq!(entry["ProtocolVersion"], 6);
    assert_eq!(entry["Test"], true);
    assert_eq!(entry["Pid"], child.id());
    assert_eq!(entry["Addr"]["Network"], "unix");
    let socket = PathBuf::from(entry["Addr"]["String"].as_str().expect("socket path"));

    let channel = plain_channel(&socket)
        .await
        .expect("plaintext in debug mode");
    assert_eq!(health_status(channel).await.expect("health"), SERVING);

    signal(&child, "INT");
    let (status, stderr) = tokio::task::spawn_blocking(move || wait_for_exit(child))
        .await
        .expect("join");
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
}

/// The plugin's exit once the process that started it is gone: Terraform killed (SIGKILL, so
/// it could not stop its plugins) must not leave the plugin running. A shell stands in for
/// Terraform: it starts the plugin, reports its pid and waits; the test kills the shell.
/// This test process becomes a child subreaper, so the orphaned plugin is re-parented to it
/// and its exit status can be read (under pid 1 it would just vanish).
#[test]
fn the_plugin_exits_when_the_process_that_started_it_is_killed() {
    rustix::process::set_child_subreaper(Some(rustix::process::getpid()))
        .expect("become a child subreaper");
    let dir = tempfile::tempdir().expect("dir");
    let mut parent = Command::new("sh");
    parent
        .arg("-c")
        .arg(r#""$0" & echo "plugin pid $!"; wait"#)
        .arg(toy_provider_binary())
        .env_clear()
        .env("PLUGIN_UNIX_SOCKET_DIR", dir.path())
        .env("TF_LOG", "DEBUG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    as_terraform(&mut parent, None);
    let mut parent = parent.spawn().expect("spawn the stand-in for Terraform");
    let mut stdout = BufReader::new(parent.stdout.take().expect("stdout"));
    let (mut plugin_pid, mut socket) = (None, None);
    while plugin_pid.is_none() || socket.is_none() {
        let mut line = String::new();
        assert_ne!(
            stdout.read_line(&mut line).expect("read"),
            0,
            "output ended early"
        );
        if let Some(pid) = line.trim().strip_prefix("plugin pid ") {
            plugin_pid = Some(pid.parse::<i32>().expect("pid"));
        } else {
            let fields: Vec<&str> = line.trim().split('|').collect();
            assert_eq!(fields.len(), 6, "handshake line {line:?}");
            socket = Some(PathBuf::from(fields[3]));
        }
    }
    let plugin = rustix::process::Pid::from_raw(plugin_pid.expect("pid")).expect("non-zero");
    let socket = socket.expect("socket");
    assert!(socket.exists());

    parent.kill().expect("SIGKILL the parent");
    parent.wait().expect("reap the parent");

    // Generous bound so the test cannot hang; the plugin normally leaves within a second.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        match rustix::process::waitpid(Some(plugin), rustix::process::WaitOptions::NOHANG) {
            Ok(Some((_, status))) => break status,
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Ok(None) => {
                let _ = rustix::process::kill_process(plugin, rustix::process::Signal::KILL);
                panic!("the plugin still runs 10 s after its parent was killed");
            }
            Err(error) => panic!("waitpid: {error}"),
        }
    };
    assert_eq!(
        status.exit_status(),
        Some(0),
        "a graceful exit, like on SIGTERM: {status:?}"
    );
    assert_socket_directory_removed(&socket);
    let mut rest = String::new();
    stdout
        .read_to_string(&mut rest)
        .expect("the pipe reaches EOF once both processes are gone");
}

/// A plugin killed with SIGKILL cannot remove its socket directory; the next plugin started
/// in the same place removes it, and nothing else.
#[tokio::test]
async fn a_killed_plugins_socket_directory_is_removed_by_the_next_plugin() {
    let dir = tempfile::tempdir().expect("dir");
    let mut killed = as_terraform(&mut toy_provider(dir.path()), None)
        .spawn()
        .expect("spawn");
    let mut stdout = BufReader::new(killed.stdout.take().expect("stdout"));
    let (_, first) = read_handshake(&mut stdout);
    killed.kill().expect("SIGKILL");
    killed.wait().expect("reap");
    let leftover = first.socket.parent().expect("directory").to_path_buf();
    assert!(first.socket.exists(), "SIGKILL leaves the socket behind");
    // Not ours: another program's directory, and one of ours whose owner still runs.
    let foreign = dir.path().join("tfplugin-not-ours");
    std::fs::create_dir(&foreign).expect("mkdir");
    let alive_owner = dir
        .path()
        .join(format!("tfplugin-{}-abc123", std::process::id()));
    std::fs::create_dir(&alive_owner).expect("mkdir");

    let mut next = as_terraform(&mut toy_provider(dir.path()), None)
        .spawn()
        .expect("spawn");
    let mut stdout = BufReader::new(next.stdout.take().expect("stdout"));
    let (_, second) = read_handshake(&mut stdout);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while leftover.exists() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(!leftover.exists(), "the stale directory is removed");
    assert!(second.socket.exists(), "the new plugin's own socket stays");
    assert!(
        foreign.exists() && alive_owner.exists(),
        "only stale directories of ours go"
    );

    signal(&next, "TERM");
    let (status, stderr) = tokio::task::spawn_blocking(move || wait_for_exit(next))
        .await
        .expect("join");
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
}
