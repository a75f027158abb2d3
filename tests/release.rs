//! The release, installed the way a user installs a published provider: `scripts/release.sh`
//! builds the Registry's artifacts (zip, manifest, SHA256SUMS and its signature, a packed
//! filesystem mirror for Terraform and OpenTofu), and a real Terraform installs the provider
//! from that mirror with `terraform init`, locks it with `terraform providers lock`, and plans
//! against the in-process simulator with the lock file read-only. Every hash is computed here,
//! never taken from the script or from Terraform.
//!
//! The release is built once per run of this test binary, with the `release-test` profile
//! (Cargo.toml): the same cargo-zigbuild target, `x86_64-unknown-linux-gnu.2.17`, and the
//! same packing as `release`, but without LTO and optimisation. A full `release` build takes
//! about 10 minutes on the 2-core CI machine (measured: 10m21s wall, 4m51s user), the
//! `release-test` build about 4 minutes (4m15s wall, 2m14s user, while other builds shared the
//! machine), and the whole CI must stay under 15 minutes.
//!
//! Terraform has no network here: `HTTPS_PROXY` points at a closed loopback port, so any
//! attempt to reach a registry fails the command instead of silently succeeding.

#[path = "support/read.rs"]
mod read_support;
mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use base64::Engine as _;
use rds_simulator::{Engine, Faults, Query};
use read_support::{INSTANCE_ID, arguments, blocking, dataset, provider_block, scenario, start};
use serde_json::Value;
use sha2::{Digest, Sha256};
use support::Workdir;

const PROVIDER: &str = "terraform-provider-rds";
const VERSION: &str = env!("CARGO_PKG_VERSION");
const PLATFORM: &str = "linux_amd64";
const MIRROR_HOSTS: [&str; 2] = ["registry.terraform.io", "registry.opentofu.org"];
/// The newest glibc symbol version the linux_amd64 binary may need (manylinux2014).
const GLIBC_FLOOR: (u32, u32) = (2, 17);
/// Where Terraform would go for anything not in the mirror: a closed loopback port.
const NO_NETWORK_PROXY: &str = "http://127.0.0.1:9";

/// The release this test binary built, and the public key that signed it.
struct Release {
    dist: PathBuf,
    /// The throwaway signing key's public half, as a keyring for `gpgv`.
    public_keyring: PathBuf,
}

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn scratch() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("release-test")
}

fn artifact(name_suffix: &str) -> String {
    format!("{PROVIDER}_{VERSION}_{name_suffix}")
}

fn zip_name() -> String {
    artifact(&format!("{PLATFORM}.zip"))
}

/// Runs `command`, panicking with both streams unless it succeeds.
#[track_caller]
fn run_ok(command: &mut Command, what: &str) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("cannot run {what}: {error}"));
    assert!(
        output.status.success(),
        "{what} failed ({})\n--- stdout ---\n{}\n--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// `gpg` with a private home, never asking anything.
fn gpg(home: &Path) -> Command {
    let mut command = Command::new("gpg");
    command.env("GNUPGHOME", home).arg("--batch");
    command
}

/// `scripts/release.sh` into `dist`, signed when `gpg_home` holds the key `fingerprint`.
fn run_release_script(dist: &Path, signing: Option<(&Path, &str)>) {
    let mut command = Command::new("bash");
    // Without the variables `cargo test` gives this process (LD_LIBRARY_PATH, CARGO_PKG_*,
    // ...): build scripts (*ring*'s C build) see them, and the nested cargo would rebuild
    // whenever the script is run by hand in between.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        let from_cargo_test = name == "LD_LIBRARY_PATH"
            || (name.starts_with("CARGO_") && name != "CARGO_HOME" && name != "CARGO_TARGET_DIR");
        if from_cargo_test {
            command.env_remove(name.as_ref());
        }
    }
    command
        .arg(repository().join("scripts/release.sh"))
        .env("RELEASE_PROFILE", "release-test")
        .env("DIST_DIR", dist)
        .env_remove("GPG_FINGERPRINT");
    if let Some((home, fingerprint)) = signing {
        command
            .env("GNUPGHOME", home)
            .env("GPG_FINGERPRINT", fingerprint);
    }
    run_ok(&mut command, "scripts/release.sh");
}

/// Builds the release once: makes a throwaway RSA key (no passphrase) in a temporary
/// GNUPGHOME, runs the script with it, keeps the public key and deletes the private one.
fn release() -> &'static Release {
    static RELEASE: OnceLock<Release> = OnceLock::new();
    RELEASE.get_or_init(|| {
        let root = scratch();
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).expect("create the release scratch directory");
        // A short path: gpg-agent's socket lives there.
        let home = tempfile::Builder::new()
            .prefix("gnupg-")
            .tempdir_in(std::env::temp_dir())
            .expect("create GNUPGHOME");
        let parameters = home.path().join("key-parameters");
        fs::write(
            &parameters,
            "%no-protection\nKey-Type: RSA\nKey-Length: 2048\nKey-Usage: sign\n\
             Name-Real: terraform-provider-rds release test\n\
             Name-Email: release-test@example.invalid\nExpire-Date: 0\n%commit\n",
        )
        .expect("write the key parameters");
        run_ok(
            gpg(home.path()).arg("--gen-key").arg(&parameters),
            "gpg --gen-key",
        );
        let listing = run_ok(
            gpg(home.path()).args(["--with-colons", "--list-secret-keys"]),
            "gpg --list-secret-keys",
        );
        let listing = String::from_utf8_lossy(&listing.stdout);
        let fingerprint = listing
            .lines()
            .find_map(|line| line.strip_prefix("fpr:"))
            .and_then(|rest| rest.split(':').find(|field| !field.is_empty()))
            .unwrap_or_else(|| panic!("no fingerprint in gpg's listing:\n{listing}"))
            .to_owned();

        let dist = root.join("dist");
        run_release_script(&dist, Some((home.path(), &fingerprint)));

        let public_keyring = root.join("release-key.gpg");
        run_ok(
            gpg(home.path())
                .arg("--output")
                .arg(&public_keyring)
                .args(["--export", &fingerprint]),
            "gpg --export",
        );
        // The agent gpg started must not outlive its home.
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", home.path())
            .args(["--kill", "all"])
            .status();
        Release {
            dist,
            public_keyring,
        }
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The files of a release directory (not directories), by name.
fn files_in(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("read {}: {error}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_file())
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&path).expect("read an artifact"))
        })
        .collect()
}

/// `(name, unix mode, date_time)` of each entry of a zip, read by Python's zipfile (a reader
/// independent of the packer's writer options).
fn zip_entries(zip: &Path) -> Vec<(String, u32, String)> {
    let output = run_ok(
        Command::new("python3")
            .arg("-c")
            .arg(
                "import sys, zipfile\n\
             for i in zipfile.ZipFile(sys.argv[1]).infolist():\n\
             \x20   print(i.filename, i.external_attr >> 16, i.date_time)",
            )
            .arg(zip),
        "python3 zipfile listing",
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let mut parts = line.splitn(3, ' ');
            let name = parts.next().unwrap().to_owned();
            let mode = parts.next().unwrap().parse().expect("a numeric mode");
            (name, mode, parts.next().unwrap().to_owned())
        })
        .collect()
}

/// Unpacks `zip` into a new directory under `into`.
fn unpack(zip: &Path, into: &Path) -> PathBuf {
    let dir = into.join("unpacked");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create the unpack directory");
    run_ok(
        Command::new("python3")
            .args(["-m", "zipfile", "-e"])
            .arg(zip)
            .arg(&dir),
        "python3 -m zipfile -e",
    );
    dir
}

/// Terraform's "h1:" hash of an unpacked provider package (dirhash Hash1): for every file,
/// sorted by its slash-separated path, the line "HEX-SHA256  PATH\n"; then the SHA-256 of all
/// the lines, base64-encoded.
fn h1_hash(dir: &Path) -> String {
    fn collect(base: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
        for entry in fs::read_dir(dir).expect("read an unpacked directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                collect(base, &path, files);
            } else {
                let relative = path.strip_prefix(base).unwrap().to_string_lossy();
                files.push((relative.replace('\\', "/"), path.clone()));
            }
        }
    }
    let mut files = Vec::new();
    collect(dir, dir, &mut files);
    files.sort();
    let summary: String = files
        .iter()
        .map(|(name, path)| format!("{}  {name}\n", sha256_hex(&fs::read(path).unwrap())))
        .collect();
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(summary.as_bytes()))
    )
}

/// Terraform's "zh:" hash of a provider package: the SHA-256 of the zip, in hex.
fn zh_hash(zip: &Path) -> String {
    format!("zh:{}", sha256_hex(&fs::read(zip).expect("read the zip")))
}

/// The `hashes` of the one provider block of a `.terraform.lock.hcl`, and its version.
fn locked(lock: &str) -> (String, Vec<String>) {
    let block = lock
        .split("provider \"registry.terraform.io/tfrds/rds\" {")
        .nth(1)
        .unwrap_or_else(|| panic!("no block for registry.terraform.io/tfrds/rds in:\n{lock}"));
    let version = block
        .lines()
        .find_map(|line| line.trim().strip_prefix("version"))
        .map(|rest| rest.trim().trim_start_matches('=').trim().trim_matches('"'))
        .unwrap_or_else(|| panic!("no version in:\n{lock}"))
        .to_owned();
    let hashes = block
        .split("hashes = [")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .unwrap_or_else(|| panic!("no hashes in:\n{lock}"))
        .split(',')
        .map(|item| item.trim().trim_matches('"').to_owned())
        .filter(|item| !item.is_empty())
        .collect();
    (version, hashes)
}

/// A CLI config whose only installation method is the release's packed mirror.
fn mirror_cli_config(dist: &Path) -> String {
    let path = Value::String(dist.join("mirror").to_string_lossy().into_owned());
    format!("provider_installation {{\n  filesystem_mirror {{\n    path = {path}\n  }}\n}}\n")
}

/// A workdir where Terraform installs providers from the release's mirror only and reaches
/// no network.
fn mirror_workdir(main_tf: &str) -> Workdir {
    let mut workdir = Workdir::new(main_tf);
    let config = workdir.path().join("mirror.tfrc");
    fs::write(&config, mirror_cli_config(&release().dist)).expect("write the CLI config");
    workdir
        .env("TF_CLI_CONFIG_FILE", &config)
        .env("HTTPS_PROXY", NO_NETWORK_PROXY)
        .env("HTTP_PROXY", NO_NETWORK_PROXY)
        .env("NO_PROXY", "127.0.0.1");
    workdir
}

/// The configuration of these tests: the provider pinned to this release, the backup ids of
/// the tests' instance as an output.
fn configuration(provider_block: &str) -> String {
    let arguments = arguments("auto", "");
    format!(
        r#"
terraform {{
  required_providers {{
    rds = {{
      source  = "tfrds/rds"
      version = "{VERSION}"
    }}
  }}
}}
{provider_block}
data "rds_offsite_backups" "all" {{
{arguments}
}}

output "ids" {{
  value = data.rds_offsite_backups.all.backups[*].id
}}
"#
    )
}

/// The h1 hash of this release's linux_amd64 package, computed here from the zip.
fn expected_h1() -> String {
    let dir = tempfile::tempdir_in(scratch()).expect("a directory to unpack into");
    h1_hash(&unpack(&release().dist.join(zip_name()), dir.path()))
}

#[test]
fn sha256sums_cover_the_zips_and_the_manifest_and_verify() {
    let dist = &release().dist;
    let files = files_in(dist);
    let sums = String::from_utf8(files[&artifact("SHA256SUMS")].clone()).expect("ASCII sums");
    let mut listed = Vec::new();
    for line in sums.lines() {
        let (hex, name) = line
            .split_once("  ")
            .unwrap_or_else(|| panic!("not a `sha256sum` line: {line:?}"));
        let contents = files
            .get(name)
            .unwrap_or_else(|| panic!("SHA256SUMS lists {name}, which is not in dist/"));
        assert_eq!(hex, sha256_hex(contents), "the SHA-256 of {name}");
        listed.push(name.to_owned());
    }
    let mut expected: Vec<String> = files
        .keys()
        .filter(|name| name.ends_with(".zip") || name.ends_with("_manifest.json"))
        .cloned()
        .collect();
    expected.sort();
    assert_eq!(
        listed, expected,
        "SHA256SUMS lists every zip and the manifest, sorted"
    );
    assert!(listed.contains(&zip_name()), "{listed:?}");
    assert!(listed.contains(&artifact("manifest.json")), "{listed:?}");
    assert_eq!(
        files[&artifact("manifest.json")],
        fs::read(repository().join("terraform-registry-manifest.json")).unwrap(),
        "the manifest is the repository's terraform-registry-manifest.json"
    );
    let manifest: Value = serde_json::from_slice(&files[&artifact("manifest.json")]).unwrap();
    assert_eq!(manifest["metadata"]["protocol_versions"][0], "6.0");
}

#[test]
fn the_signature_verifies_with_the_release_key_and_fails_on_other_sums() {
    let release = release();
    let sums = release.dist.join(artifact("SHA256SUMS"));
    let signature = release.dist.join(artifact("SHA256SUMS.sig"));
    let signature_bytes = fs::read(&signature).expect("SHA256SUMS.sig exists");
    // A binary (not ASCII-armored) OpenPGP signature packet.
    assert!(
        !signature_bytes.starts_with(b"-----BEGIN"),
        "the signature is binary"
    );
    let verify = |file: &Path| {
        Command::new("gpgv")
            .arg("--keyring")
            .arg(&release.public_keyring)
            .arg(&signature)
            .arg(file)
            .output()
            .expect("run gpgv")
    };
    let good = verify(&sums);
    assert!(
        good.status.success(),
        "gpgv rejects the release's SHA256SUMS: {}",
        String::from_utf8_lossy(&good.stderr)
    );
    let tampered = scratch().join("tampered-SHA256SUMS");
    let mut bytes = fs::read(&sums).unwrap();
    bytes[0] = if bytes[0] == b'0' { b'1' } else { b'0' };
    fs::write(&tampered, bytes).unwrap();
    assert!(
        !verify(&tampered).status.success(),
        "gpgv accepts a changed SHA256SUMS"
    );
}

#[test]
fn the_zip_holds_only_the_versioned_executable_and_the_mirror_holds_the_same_zip() {
    let dist = &release().dist;
    let entries = zip_entries(&dist.join(zip_name()));
    assert_eq!(
        entries,
        [(
            format!("{PROVIDER}_v{VERSION}"),
            0o100755,
            "(1980, 1, 1, 0, 0, 0)".to_owned()
        )],
        "one executable entry with a fixed time"
    );
    let zip = fs::read(dist.join(zip_name())).unwrap();
    for host in MIRROR_HOSTS {
        let mirrored = dist
            .join("mirror")
            .join(host)
            .join("tfrds/rds")
            .join(zip_name());
        assert_eq!(
            fs::read(&mirrored).unwrap_or_else(|e| panic!("{}: {e}", mirrored.display())),
            zip,
            "{host}"
        );
    }
}

#[test]
fn the_release_is_reproducible() {
    let first = files_in(&release().dist);
    let again = scratch().join("dist-again");
    run_release_script(&again, None);
    let second = files_in(&again);
    for name in [
        zip_name(),
        artifact("manifest.json"),
        artifact("SHA256SUMS"),
    ] {
        assert_eq!(
            sha256_hex(&first[&name]),
            sha256_hex(&second[&name]),
            "{name} differs between two runs"
        );
    }
    assert!(
        !second.contains_key(&artifact("SHA256SUMS.sig")),
        "no signature without GPG_FINGERPRINT"
    );
}

/// The highest `GLIBC_x.y` version named in `objdump -T` output (the dynamic symbols' version
/// needs). objdump comes with binutils, which every C compiler on Linux needs to link, and a
/// C compiler is a prerequisite of the build.
fn highest_glibc_version(objdump: &str) -> Option<(u32, u32)> {
    objdump
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter_map(|word| word.strip_prefix("GLIBC_"))
        .filter_map(|version| {
            let mut parts = version.split('.').map(|p| p.parse::<u32>().ok());
            Some((parts.next()??, parts.next().flatten().unwrap_or(0)))
        })
        .max()
}

#[test]
fn glibc_versions_are_parsed_from_objdump_lines() {
    let sample = "0000000000000000      DF *UND*\t0000000000000000 (GLIBC_2.3.2) pthread_cond_wait\n\
                  0000000000000000      DF *UND*\t0000000000000000  GLIBC_2.17  clock_gettime\n\
                  0000000000000000      DF *UND*\t0000000000000000  GLIBC_2.2.5 malloc\n";
    assert_eq!(highest_glibc_version(sample), Some((2, 17)));
    assert_eq!(
        highest_glibc_version("GLIBC_2.34 x\nGLIBC_2.9 y"),
        Some((2, 34))
    );
    assert_eq!(highest_glibc_version("no versions"), None);
}

#[test]
fn the_linux_amd64_binary_needs_glibc_2_17_at_most_and_starts() {
    let dir = tempfile::tempdir_in(scratch()).expect("a directory to unpack into");
    let unpacked = unpack(&release().dist.join(zip_name()), dir.path());
    let binary = unpacked.join(format!("{PROVIDER}_v{VERSION}"));
    let objdump = Command::new("objdump")
        .arg("-T")
        .arg(&binary)
        .output()
        .expect("objdump (binutils, installed with the C compiler) runs");
    assert!(objdump.status.success(), "objdump -T failed");
    let highest = highest_glibc_version(&String::from_utf8_lossy(&objdump.stdout))
        .expect("the binary links glibc with versioned symbols");
    assert!(
        highest <= GLIBC_FLOOR,
        "the release binary needs GLIBC_{}.{}, newer than {}.{}",
        highest.0,
        highest.1,
        GLIBC_FLOOR.0,
        GLIBC_FLOOR.1
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&binary, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let version = run_ok(Command::new(&binary).arg("--version"), "--version");
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("{PROVIDER} {VERSION}")
    );
    // Run by hand with no arguments: go-plugin's words, then where to look next.
    let by_hand = Command::new(&binary)
        .env_clear()
        .output()
        .expect("run the binary by hand");
    assert_eq!(by_hand.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&by_hand.stderr);
    assert!(stderr.starts_with("This binary is a plugin."), "{stderr}");
    assert!(
        stderr.contains(&format!("Run `{PROVIDER} --help`")),
        "no pointer to --help: {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn terraform_init_from_the_mirror_locks_our_hashes_and_a_readonly_lock_plans() {
    let simulator = start(scenario(dataset(Engine::MySql, 5, 2), Faults::default())).await;
    let main_tf = configuration(&provider_block(&simulator, ""));
    let expected_h1 = blocking(expected_h1);
    let expected_zh = zh_hash(&release().dist.join(zip_name()));

    // 1. `terraform init` installs from the packed mirror and writes the lock file.
    let first = mirror_workdir(&main_tf);
    blocking(|| first.run(&["init", "-input=false"])).assert_success();
    let lock = fs::read_to_string(first.path().join(".terraform.lock.hcl")).expect("a lock file");
    let (version, hashes) = locked(&lock);
    assert_eq!(version, VERSION);
    // A filesystem mirror gives Terraform only the package itself, so it records the h1 hash
    // of what it unpacked; zh hashes come from a registry's or a network mirror's SHA256SUMS.
    assert_eq!(hashes, std::slice::from_ref(&expected_h1), "{lock}");
    for hash in &hashes {
        if hash.starts_with("zh:") {
            assert_eq!(hash, &expected_zh, "{lock}");
        }
    }
    let installed = first
        .path()
        .join(".terraform/providers/registry.terraform.io/tfrds/rds")
        .join(VERSION)
        .join(PLATFORM)
        .join(format!("{PROVIDER}_v{VERSION}"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&installed)
            .unwrap_or_else(|e| panic!("{}: {e}", installed.display()))
            .permissions()
            .mode();
        assert_eq!(mode & 0o111, 0o111, "Terraform unpacked an executable");
    }

    // 2. A fresh directory with that lock, which Terraform may not change.
    let second = mirror_workdir(&main_tf);
    second.write(".terraform.lock.hcl", &lock);
    blocking(|| second.run(&["init", "-input=false", "-lockfile=readonly"])).assert_success();
    blocking(|| second.run(&["plan", "-input=false", "-out=tfplan"])).assert_success();
    let shown = blocking(|| second.run(&["show", "-json", "tfplan"]));
    shown.assert_success();
    let plan: Value = serde_json::from_str(&shown.stdout).expect("plan JSON");
    let expected: Vec<Value> = simulator
        .dataset()
        .query(&Query::new(INSTANCE_ID, "auto"))
        .iter()
        .map(|backup| Value::String(backup.id.clone()))
        .collect();
    assert_eq!(expected.len(), 5, "the generated data");
    assert_eq!(
        plan["planned_values"]["outputs"]["ids"]["value"],
        Value::Array(expected),
        "the plan read the simulator's backups"
    );
    assert_eq!(
        fs::read_to_string(second.path().join(".terraform.lock.hcl")).unwrap(),
        lock,
        "the read-only lock is unchanged"
    );

    // 3. A package whose hash differs from the lock (a rebuilt binary with the same version)
    // is refused: the reason the README sends developers to dev_overrides.
    let third = mirror_workdir(&main_tf);
    let other_hash = format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode([7u8; 32])
    );
    third.write(
        ".terraform.lock.hcl",
        &lock.replace(&expected_h1, &other_hash),
    );
    let refused = blocking(|| third.run(&["init", "-input=false", "-lockfile=readonly"]));
    refused.assert_failure();
    assert!(
        refused.combined().contains("checksum"),
        "{}",
        refused.combined()
    );
}

#[test]
fn terraform_providers_lock_from_the_mirror_needs_no_network() {
    let workdir = mirror_workdir(&configuration(&read_support::provider_block_for(
        "http://127.0.0.1:9",
        read_support::SECRET_KEY,
        "",
    )));
    let mirror = release().dist.join("mirror");
    let mirror_flag = format!("-fs-mirror={}", mirror.display());
    workdir
        .run(&[
            "providers",
            "lock",
            &mirror_flag,
            &format!("-platform={PLATFORM}"),
        ])
        .assert_success();
    let lock = fs::read_to_string(workdir.path().join(".terraform.lock.hcl")).expect("a lock");
    let (version, hashes) = locked(&lock);
    assert_eq!(version, VERSION);
    assert_eq!(hashes, [expected_h1()], "{lock}");
}

/// A static HTTPS server (Python's http.server) for `dir` on 127.0.0.1, with a self-signed
/// certificate that Terraform trusts through `SSL_CERT_FILE`; killed on drop.
struct HttpsServer {
    child: std::process::Child,
    port: u16,
    certificate: PathBuf,
    _files: tempfile::TempDir,
}

const STATIC_HTTPS_SERVER: &str = "\
import functools, http.server, ssl, sys
root, certificate, key = sys.argv[1:4]
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=root)
server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(certificate, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
";

impl HttpsServer {
    fn serve(dir: &Path) -> HttpsServer {
        use std::io::BufRead;
        let files = tempfile::tempdir().expect("a directory for the certificate");
        let generated = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()])
            .expect("a self-signed certificate");
        let certificate = files.path().join("cert.pem");
        let key = files.path().join("key.pem");
        fs::write(&certificate, generated.cert.pem()).unwrap();
        fs::write(&key, generated.signing_key.serialize_pem()).unwrap();
        let mut child = Command::new("python3")
            .args(["-c", STATIC_HTTPS_SERVER])
            .arg(dir)
            .arg(&certificate)
            .arg(&key)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start python3's http.server");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("the server's port");
        let port = line.trim().parse().unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("the HTTPS server did not print its port: {line:?}")
        });
        HttpsServer {
            child,
            port,
            certificate,
            _files: files,
        }
    }
}

impl Drop for HttpsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The network-mirror layout of the release, served over HTTPS, installs with `terraform
/// init`. Its VERSION.json lists the h1 and zh hashes computed here; Terraform 1.15.5 records in
/// the lock only the h1 of what it unpacked (measured: the mirror's zh is not recorded).
#[tokio::test(flavor = "multi_thread")]
async fn terraform_init_from_the_network_mirror_locks_h1_and_zh() {
    let dist = &release().dist;
    let network_mirror = dist.join("network-mirror");
    for host in MIRROR_HOSTS {
        let index: Value = serde_json::from_slice(
            &fs::read(network_mirror.join(host).join("tfrds/rds/index.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(
            index,
            serde_json::json!({"versions": {VERSION: {}}}),
            "{host}"
        );
        let zip = network_mirror.join(host).join("tfrds/rds").join(zip_name());
        assert_eq!(
            fs::read(&zip).unwrap(),
            fs::read(dist.join(zip_name())).unwrap()
        );
        let listing: Value = serde_json::from_slice(
            &fs::read(
                network_mirror
                    .join(host)
                    .join(format!("tfrds/rds/{VERSION}.json")),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(
            listing,
            serde_json::json!({"archives": {PLATFORM: {
                "url": zip_name(),
                "hashes": [blocking(expected_h1), zh_hash(&dist.join(zip_name()))],
            }}}),
            "{host}"
        );
    }
    let simulator = start(scenario(dataset(Engine::MySql, 3, 0), Faults::default())).await;
    let server = blocking(|| HttpsServer::serve(&network_mirror));
    let mut workdir = Workdir::new(&configuration(&provider_block(&simulator, "")));
    let config = workdir.path().join("network-mirror.tfrc");
    fs::write(
        &config,
        format!(
            "provider_installation {{\n  network_mirror {{\n    url = \"https://127.0.0.1:{}/\"\n  }}\n}}\n",
            server.port
        ),
    )
    .unwrap();
    workdir
        .env("TF_CLI_CONFIG_FILE", &config)
        .env("SSL_CERT_FILE", &server.certificate)
        .env("HTTPS_PROXY", NO_NETWORK_PROXY)
        .env("HTTP_PROXY", NO_NETWORK_PROXY)
        .env("NO_PROXY", "127.0.0.1");
    blocking(|| workdir.run(&["init", "-input=false"])).assert_success();
    let lock = fs::read_to_string(workdir.path().join(".terraform.lock.hcl")).expect("a lock");
    let (version, hashes) = locked(&lock);
    assert_eq!(version, VERSION);
    assert_eq!(hashes, [blocking(expected_h1)], "{lock}");
    let plan = blocking(|| workdir.run(&["plan", "-input=false"]));
    plan.assert_success();
    assert!(plan.stdout.contains("ids = ["), "{}", plan.stdout);
}
