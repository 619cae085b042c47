//! The addresses of the site's built files. A release build names them by their content and
//! lists the hashes in Leptos's hash file beside the server binary (see `xtask/src/site.rs`).

use leptos::config::LeptosOptions;

/// The address of the site's stylesheet, `/{pkg}/{name}.css` or, in a release build,
/// `/{pkg}/{name}.{hash}.css`.
pub fn stylesheet_href(options: &LeptosOptions) -> String {
    let hash = options
        .hash_files
        .then(|| built_file_hash(options, "css"))
        .flatten();
    let name = &options.output_name;
    let pkg = &options.site_pkg_dir;
    match hash {
        Some(hash) => format!("/{pkg}/{name}.{hash}.css"),
        None => format!("/{pkg}/{name}.css"),
    }
}

/// Whether the build named its files by their content: it then left the hash file beside the
/// server binary, where Leptos reads it.
pub fn hash_file_present(options: &LeptosOptions) -> bool {
    hash_file(options).is_some_and(|path| path.is_file())
}

fn hash_file(options: &LeptosOptions) -> Option<std::path::PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.join(options.hash_file.as_ref()))
}

/// The hash of one kind of file (`css`, `js`, `wasm`) in the hash file.
fn built_file_hash(options: &LeptosOptions, kind: &str) -> Option<String> {
    let contents = std::fs::read_to_string(hash_file(options)?).ok()?;
    contents.lines().find_map(|line| {
        let (file, hash) = line.split_once(':')?;
        (file.trim() == kind).then(|| hash.trim().to_owned())
    })
}
