//! The site's settings, read from `[[workspace.metadata.leptos]]` through `cargo metadata`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

/// The subset of cargo-leptos's settings this build uses, with its names.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct SiteSettings {
    /// The output name: `pkg/{name}.js`, `.wasm` and `.css`.
    pub name: String,
    pub bin_package: String,
    pub lib_package: String,
    pub bin_target: String,
    site_root: PathBuf,
    pub site_pkg_dir: String,
    pub tailwind_input_file: PathBuf,
    pub assets_dir: PathBuf,
    #[serde(default)]
    pub bin_features: Vec<String>,
    #[serde(default = "yes")]
    pub bin_default_features: bool,
    #[serde(default)]
    pub lib_features: Vec<String>,
    #[serde(default = "yes")]
    pub lib_default_features: bool,
    #[serde(default = "release")]
    pub lib_profile_release: String,
}

fn yes() -> bool {
    true
}

fn release() -> String {
    "release".to_owned()
}

#[derive(Deserialize)]
struct Metadata {
    metadata: Option<WorkspaceMetadata>,
}

#[derive(Deserialize)]
struct WorkspaceMetadata {
    #[serde(default)]
    leptos: Vec<SiteSettings>,
}

impl SiteSettings {
    pub fn load(workspace: &Path) -> Result<Self> {
        let output = Command::new(crate::cargo_binary())
            .current_dir(workspace)
            .args(["metadata", "--no-deps", "--format-version", "1"])
            .output()
            .context("cannot run cargo metadata")?;
        if !output.status.success() {
            bail!(
                "cargo metadata failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let metadata: Metadata =
            serde_json::from_slice(&output.stdout).context("cannot read cargo metadata")?;
        let mut sites = metadata.metadata.map(|m| m.leptos).unwrap_or_default();
        let settings = match sites.len() {
            1 => sites.remove(0),
            n => bail!("expected one [[workspace.metadata.leptos]] in Cargo.toml, found {n}"),
        };
        settings.check_cargo_env()?;
        Ok(settings)
    }

    /// `.cargo/config.toml` gives every cargo command the site's name (see there); it must be
    /// the name this build writes the files under.
    fn check_cargo_env(&self) -> Result<()> {
        for (key, expected) in [
            ("LEPTOS_OUTPUT_NAME", &self.name),
            ("LEPTOS_SITE_PKG_DIR", &self.site_pkg_dir),
        ] {
            match std::env::var(key) {
                Ok(value) if value != *expected => bail!(
                    "{key} is {value:?}, but Cargo.toml's [[workspace.metadata.leptos]] says \
                     {expected:?}: make .cargo/config.toml and Cargo.toml agree"
                ),
                _ => {}
            }
        }
        Ok(())
    }

    /// Where the site is written; `LEPTOS_SITE_ROOT` overrides it, as it does for cargo-leptos
    /// and for the server.
    pub fn site_root(&self) -> PathBuf {
        std::env::var_os("LEPTOS_SITE_ROOT").map_or_else(|| self.site_root.clone(), PathBuf::from)
    }

    /// The environment the server is compiled and run with. `LEPTOS_OUTPUT_NAME` is read at
    /// compile time (it also makes Leptos look for `{name}.wasm` rather than `{name}_bg.wasm`).
    pub fn server_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("LEPTOS_OUTPUT_NAME", self.name.clone()),
            ("LEPTOS_SITE_ROOT", self.site_root().display().to_string()),
            ("LEPTOS_SITE_PKG_DIR", self.site_pkg_dir.clone()),
        ]
    }

    pub fn feature_args(&self, cargo: &mut Command, features: &[String], default_features: bool) {
        if !default_features {
            cargo.arg("--no-default-features");
        }
        if !features.is_empty() {
            cargo.args(["--features", &features.join(",")]);
        }
    }
}
