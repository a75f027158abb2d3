"""Packs built provider binaries into a release directory in the Terraform Registry's layout.

Called by scripts/release.sh (which builds the binaries) as

    release_pack.py DIST_DIR VERSION MANIFEST OS_ARCH=BINARY [OS_ARCH=BINARY ...]

and writes into DIST_DIR:

- terraform-provider-rds_VERSION_OS_ARCH.zip, one file inside: terraform-provider-rds_vVERSION
  (.exe on Windows), mode 0755;
- terraform-provider-rds_VERSION_manifest.json, a copy of MANIFEST;
- terraform-provider-rds_VERSION_SHA256SUMS: "HEX  NAME" lines of the zips and the manifest,
  sorted by name (the format `sha256sum -c` reads and the Registry expects);
- mirror/HOST/tfrds/rds/terraform-provider-rds_VERSION_OS_ARCH.zip for HOST
  registry.terraform.io and registry.opentofu.org: a packed filesystem mirror
  (`provider_installation { filesystem_mirror { path = ".../mirror" } }`,
  `terraform providers lock -fs-mirror=.../mirror`);
- network-mirror/HOST/tfrds/rds/{index.json,VERSION.json} and the zips beside them, for both
  hosts: the provider network mirror protocol, ready to be served as static files over HTTPS
  (`provider_installation { network_mirror { url = "https://.../" } }`). VERSION.json lists
  each zip's h1: (Terraform's hash of the unpacked files) and zh: (SHA-256 of the zip) hashes,
  which `terraform init` then records in the lock file.

The zips are reproducible: the same binary gives the same bytes, whatever the build time or
the umask, because every entry has a fixed time, fixed attributes and a fixed order. Only the
standard library is used: a fresh machine has Python but maybe no `zip`.
"""

import base64
import hashlib
import json
import shutil
import sys
import zipfile
from pathlib import Path

PROVIDER = "terraform-provider-rds"
NAMESPACE = "tfrds"
TYPE = "rds"
MIRROR_HOSTS = ("registry.terraform.io", "registry.opentofu.org")
# The earliest time a zip entry can hold; the same for every build.
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# Unix mode 0755 of a regular file in the high 16 bits of external_attr.
EXECUTABLE_ATTRIBUTES = (0o100755 << 16)
# create_system 3: the attributes are Unix ones, so unzip (and Terraform) restore the mode.
UNIX = 3


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def h1_of_single_file_package(entry_name, binary):
    """Terraform's h1: hash (dirhash Hash1) of a package holding one file: the SHA-256 of the
    line "HEX  NAME\\n", base64-encoded."""
    summary = f"{sha256_of(binary)}  {entry_name}\n".encode()
    return "h1:" + base64.b64encode(hashlib.sha256(summary).digest()).decode()


def write_json(path, value):
    path.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def write_zip(zip_path, entry_name, binary):
    info = zipfile.ZipInfo(entry_name, date_time=FIXED_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = UNIX
    info.external_attr = EXECUTABLE_ATTRIBUTES
    partial = zip_path.with_name(zip_path.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        with open(binary, "rb") as source, archive.open(info, "w") as target:
            shutil.copyfileobj(source, target, 1 << 20)
    partial.replace(zip_path)


def main(argv):
    if len(argv) < 5:
        sys.exit("usage: release_pack.py DIST_DIR VERSION MANIFEST OS_ARCH=BINARY...")
    dist = Path(argv[1])
    version = argv[2]
    manifest = Path(argv[3])
    builds = []
    for pair in argv[4:]:
        os_arch, separator, binary = pair.partition("=")
        if not separator or not os_arch or not binary:
            sys.exit(f"release_pack.py: expected OS_ARCH=BINARY, got {pair!r}")
        builds.append((os_arch, Path(binary)))

    dist.mkdir(parents=True, exist_ok=True)
    released = []
    archives = {}
    for os_arch, binary in sorted(builds):
        suffix = ".exe" if os_arch.startswith("windows_") else ""
        zip_name = f"{PROVIDER}_{version}_{os_arch}.zip"
        entry_name = f"{PROVIDER}_v{version}{suffix}"
        write_zip(dist / zip_name, entry_name, binary)
        released.append(zip_name)
        archives[os_arch] = {
            "url": zip_name,
            "hashes": [
                h1_of_single_file_package(entry_name, binary),
                "zh:" + sha256_of(dist / zip_name),
            ],
        }
        for layout in ("mirror", "network-mirror"):
            for host in MIRROR_HOSTS:
                mirror_dir = dist / layout / host / NAMESPACE / TYPE
                mirror_dir.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(dist / zip_name, mirror_dir / zip_name)
    for host in MIRROR_HOSTS:
        mirror_dir = dist / "network-mirror" / host / NAMESPACE / TYPE
        write_json(mirror_dir / "index.json", {"versions": {version: {}}})
        write_json(mirror_dir / f"{version}.json", {"archives": archives})

    manifest_name = f"{PROVIDER}_{version}_manifest.json"
    shutil.copyfile(manifest, dist / manifest_name)
    released.append(manifest_name)

    sums = "".join(f"{sha256_of(dist / name)}  {name}\n" for name in sorted(released))
    (dist / f"{PROVIDER}_{version}_SHA256SUMS").write_text(sums, encoding="ascii")
    for name in sorted(released):
        print(f"  {dist / name}")


if __name__ == "__main__":
    main(sys.argv)
