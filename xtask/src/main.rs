//! The project's build, `cargo xtask build [--release]`: the WASM front end (cargo for
//! `wasm32-unknown-unknown`, then the wasm-bindgen CLI and, for a release, wasm-opt), the CSS
//! (Tailwind's CLI), the static files, and the server binary. Every name and path comes from
//! `[[workspace.metadata.leptos]]` in the workspace's Cargo.toml, the one definition of the site
//! that `cargo leptos watch` reads too.
//!
//! Why not cargo-leptos itself: compiling it takes longer on a new machine than building the
//! whole portal, and the run and test commands need only these few steps.

mod settings;
mod site;

use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};

use crate::settings::SiteSettings;

#[derive(Parser)]
#[command(about = "simdesk's build tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Builds the site (WASM, JavaScript, CSS, static files) and the server binary.
    Build {
        /// Optimised, as for production: the WASM through wasm-opt, minified CSS, file names
        /// with content hashes and precompressed copies (brotli, gzip) of every static file.
        #[arg(long)]
        release: bool,
    },
    /// Prints the environment the server is built and run with (`KEY=value` lines), so that
    /// `cargo test` and scripts compile with exactly the build's values.
    Env,
}

fn main() -> std::process::ExitCode {
    match run_task(Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run_task(cli: Cli) -> Result<()> {
    let workspace = workspace_root()?;
    let settings = SiteSettings::load(&workspace)?;
    match cli.task {
        Task::Build { release } => {
            let profile = Profile::new(release);
            site::build(&workspace, &settings, profile)?;
            build_server(&workspace, &settings, profile)
        }
        Task::Env => {
            for (key, value) in settings.server_env() {
                println!("{key}={value}");
            }
            Ok(())
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    Debug,
    Release,
}

impl Profile {
    fn new(release: bool) -> Self {
        if release {
            Profile::Release
        } else {
            Profile::Debug
        }
    }

    /// The folder under `target/` that cargo writes the server binary to.
    pub fn server_dir(self) -> &'static str {
        match self {
            Profile::Debug => "debug",
            Profile::Release => "release",
        }
    }
}

fn build_server(
    workspace: &std::path::Path,
    settings: &SiteSettings,
    profile: Profile,
) -> Result<()> {
    let mut cargo = Command::new(cargo_binary());
    cargo.current_dir(workspace).args([
        "build",
        "--package",
        &settings.bin_package,
        "--bin",
        &settings.bin_target,
    ]);
    if profile == Profile::Release {
        cargo.arg("--release");
    }
    settings.feature_args(
        &mut cargo,
        &settings.bin_features,
        settings.bin_default_features,
    );
    cargo.envs(settings.server_env());
    run("cargo build (server)", &mut cargo)
}

/// Runs a step, failing with its name when it does not succeed.
pub fn run(step: &str, command: &mut Command) -> Result<()> {
    eprintln!("xtask: {step}");
    let status = command
        .status()
        .with_context(|| format!("{step}: cannot start {:?}", command.get_program()))?;
    if !status.success() {
        bail!("{step} failed ({status})");
    }
    Ok(())
}

/// The cargo that runs this task, so nested builds use the same toolchain.
pub fn cargo_binary() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

fn workspace_root() -> Result<PathBuf> {
    // xtask/ sits directly in the workspace.
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .context("xtask is not inside the workspace")
}
