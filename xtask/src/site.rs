//! The site the server serves: `{site-root}/{site-pkg-dir}/{name}.js`, `.wasm` and `.css`, and the
//! static files of `assets-dir` at the site's root.
//!
//! A release names the three by their content (`{name}.{hash}.js`, listed in `hash.txt` beside
//! the server binary, where Leptos looks for it) so browsers may keep them for good, and stores
//! a brotli and a gzip copy of every static file, so the server never compresses them per request.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

use crate::settings::SiteSettings;
use crate::{cargo_binary, run, Profile};

const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// The WebAssembly features rustc's `wasm32-unknown-unknown` target uses by default, which
/// wasm-opt must be allowed to keep.
const WASM_FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];
/// Static files worth storing compressed; images other than SVG are compressed already.
const COMPRESSIBLE: [&str; 7] = ["js", "wasm", "css", "svg", "html", "json", "txt"];

pub fn build(workspace: &Path, settings: &SiteSettings, profile: Profile) -> Result<()> {
    let target_dir = target_dir(workspace);
    let site_root = workspace.join(settings.site_root());
    let staging = target_dir
        .join("xtask")
        .join(profile.server_dir())
        .join("pkg");
    recreate_dir(&staging)?;

    let wasm = build_wasm(workspace, &target_dir, settings, profile)?;
    bind_wasm(workspace, &wasm, &staging, settings, profile)?;
    build_css(workspace, &staging, settings, profile)?;
    copy_assets(&workspace.join(&settings.assets_dir), &site_root)?;

    let hash_file = target_dir.join(profile.server_dir()).join("hash.txt");
    if profile == Profile::Release {
        let hashes = name_by_content(&staging, &settings.name)?;
        fs::create_dir_all(target_dir.join(profile.server_dir()))?;
        fs::write(&hash_file, hashes)
            .with_context(|| format!("cannot write {}", hash_file.display()))?;
        precompress(&staging)?;
        precompress_top_level(&site_root)?;
    } else if hash_file.exists() {
        fs::remove_file(&hash_file)?;
    }

    // Swapped in whole, so the folder never mixes two builds' files.
    let pkg = site_root.join(&settings.site_pkg_dir);
    if pkg.exists() {
        fs::remove_dir_all(&pkg).with_context(|| format!("cannot remove {}", pkg.display()))?;
    }
    fs::create_dir_all(&site_root)?;
    fs::rename(&staging, &pkg)
        .with_context(|| format!("cannot move the site to {}", pkg.display()))?;
    eprintln!("xtask: site written to {}", pkg.display());
    Ok(())
}

fn target_dir(workspace: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace.join("target"), PathBuf::from)
}

fn recreate_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        fs::remove_dir_all(dir).with_context(|| format!("cannot remove {}", dir.display()))?;
    }
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
}

fn build_wasm(
    workspace: &Path,
    target_dir: &Path,
    settings: &SiteSettings,
    profile: Profile,
) -> Result<PathBuf> {
    let mut cargo = Command::new(cargo_binary());
    cargo.current_dir(workspace).args([
        "build",
        "--package",
        &settings.lib_package,
        "--lib",
        "--target",
        WASM_TARGET,
    ]);
    let profile_dir = match profile {
        Profile::Debug => "debug".to_owned(),
        Profile::Release => {
            cargo.args(["--profile", &settings.lib_profile_release]);
            settings.lib_profile_release.clone()
        }
    };
    settings.feature_args(
        &mut cargo,
        &settings.lib_features,
        settings.lib_default_features,
    );
    cargo.envs(settings.server_env());
    run("cargo build (WASM front end)", &mut cargo)?;
    Ok(target_dir
        .join(WASM_TARGET)
        .join(profile_dir)
        .join(format!("{}.wasm", settings.lib_package.replace('-', "_"))))
}

/// A tool that `npm install` put in the workspace (wasm-opt, tailwindcss), else one on PATH.
fn node_tool(workspace: &Path, name: &str) -> Command {
    let installed = workspace.join("node_modules").join(".bin").join(name);
    Command::new(if installed.is_file() {
        installed
    } else {
        PathBuf::from(name)
    })
}

fn bind_wasm(
    workspace: &Path,
    wasm: &Path,
    out_dir: &Path,
    settings: &SiteSettings,
    profile: Profile,
) -> Result<()> {
    run(
        "wasm-bindgen",
        Command::new("wasm-bindgen")
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--out-name",
                &settings.name,
            ])
            .arg("--out-dir")
            .arg(out_dir)
            .arg(wasm),
    )?;
    // Leptos, built with LEPTOS_OUTPUT_NAME, loads `{name}.wasm`.
    let bound = out_dir.join(format!("{}_bg.wasm", settings.name));
    let served = out_dir.join(format!("{}.wasm", settings.name));
    fs::rename(&bound, &served).with_context(|| format!("cannot rename {}", bound.display()))?;
    if profile == Profile::Release {
        run(
            "wasm-opt",
            node_tool(workspace, "wasm-opt")
                .arg("-Oz")
                .args(WASM_FEATURES)
                .arg(&served)
                .arg("-o")
                .arg(&served),
        )?;
    }
    Ok(())
}

fn build_css(
    workspace: &Path,
    out_dir: &Path,
    settings: &SiteSettings,
    profile: Profile,
) -> Result<()> {
    let mut tailwind = node_tool(workspace, "tailwindcss");
    // The CLI resolves `tailwindcss` from the workspace's node_modules.
    tailwind
        .current_dir(workspace)
        .arg("--input")
        .arg(&settings.tailwind_input_file)
        .arg("--output")
        .arg(out_dir.join(format!("{}.css", settings.name)));
    if profile == Profile::Release {
        tailwind.arg("--minify");
    }
    run("tailwindcss", &mut tailwind)
}

fn copy_assets(from: &Path, to: &Path) -> Result<()> {
    if !from.exists() {
        return Ok(());
    }
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))? {
        let entry = entry?;
        let destination = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_assets(&entry.path(), &destination)?;
        } else {
            fs::copy(entry.path(), &destination)
                .with_context(|| format!("cannot copy {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Renames `{name}.js`, `.wasm` and `.css` to `{name}.{hash}.{ext}` and returns the lines of
/// Leptos's hash file (`js: {hash}` …).
fn name_by_content(dir: &Path, name: &str) -> Result<String> {
    let mut lines = String::new();
    for extension in ["js", "wasm", "css"] {
        let file = dir.join(format!("{name}.{extension}"));
        let contents =
            fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
        let digest = Sha256::digest(&contents);
        let hash: String = digest[..8]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        fs::rename(&file, dir.join(format!("{name}.{hash}.{extension}")))?;
        lines.push_str(&format!("{extension}: {hash}\n"));
    }
    Ok(lines)
}

/// Stores `{file}.br` and `{file}.gz` beside every compressible file below `dir`.
fn precompress(dir: &Path) -> Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            precompress(&path)?;
        } else if is_compressible(&path) {
            compress_file(&path)?;
        }
    }
    Ok(())
}

/// The site root's own files (the copied assets), leaving the pkg folder to `precompress`.
fn precompress_top_level(dir: &Path) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() && is_compressible(&path) {
            compress_file(&path)?;
        }
    }
    Ok(())
}

fn is_compressible(path: &Path) -> bool {
    path.extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(|extension| COMPRESSIBLE.contains(&extension))
}

fn compress_file(path: &Path) -> Result<()> {
    let contents = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let with_suffix = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };

    let mut brotli_file = fs::File::create(with_suffix(".br"))?;
    {
        // Quality 11 and a 4 MiB window: the smallest files, paid for once per release.
        let mut writer = brotli::CompressorWriter::new(&mut brotli_file, 64 * 1024, 11, 22);
        writer.write_all(&contents)?;
        writer.flush()?;
    }

    let gzip_file = fs::File::create(with_suffix(".gz"))?;
    let mut encoder = flate2::write::GzEncoder::new(gzip_file, flate2::Compression::best());
    encoder.write_all(&contents)?;
    encoder.finish()?;
    Ok(())
}
