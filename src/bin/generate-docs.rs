//! `cargo run --bin generate-docs`: writes the Registry documentation under `docs/` from the
//! schemas, `src/docs/templates/` and `examples/`. With `--check` it writes nothing and exits
//! with status 1 when a committed page differs (for CI; `tests/docs_up_to_date.rs` does the
//! same inside `cargo test`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use terraform_provider_rds::docs;

/// Generate the provider's Registry documentation (docs/).
#[derive(Parser)]
#[command(name = "generate-docs", version, about, long_about = None)]
struct Cli {
    /// Write nothing; list the pages that are missing, differ or are stale, and exit with
    /// status 1 if there is any.
    #[arg(long)]
    check: bool,

    /// The repository root holding docs/ (default: this crate's directory).
    #[arg(long, value_name = "DIR", default_value = env!("CARGO_MANIFEST_DIR"))]
    root: PathBuf,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = if cli.check {
        docs::drift(&cli.root)
    } else {
        docs::write(&cli.root)
    };
    let changes = match result {
        Ok(changes) => changes,
        Err(err) => {
            eprintln!("generate-docs: {}: {err}", cli.root.display());
            return ExitCode::from(2);
        }
    };
    if cli.check {
        if changes.is_empty() {
            println!("docs/ is up to date");
            return ExitCode::SUCCESS;
        }
        eprintln!("docs/ is out of date; run `cargo run --bin generate-docs`:");
        for change in &changes {
            eprintln!("  {change}");
        }
        return ExitCode::FAILURE;
    }
    if changes.is_empty() {
        println!("docs/ was already up to date");
    }
    for change in &changes {
        let done = match change {
            docs::Drift::Missing(_) => "created",
            docs::Drift::Differs(_) => "updated",
            docs::Drift::NotGenerated(_) => "removed",
        };
        println!("{done} {}", change.path());
    }
    ExitCode::SUCCESS
}
