//! The built front end as browsers get it: the stored brotli or gzip copy, cached for good when
//! the build named the files by their content; pages compressed as they go out.

use crate::support::*;
use leptos::prelude::LeptosOptions;
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, VARY};
use reqwest::StatusCode;
use simdesk_server::HttpSettings;

const CSS: &str = "body { color: teal; }\n";

/// A site folder as a release build leaves it: a content-named file and its two copies.
fn release_site() -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("simdesk.0123abcd.css"), CSS).unwrap();
    // Distinct bodies, so a test sees which copy was sent.
    std::fs::write(pkg.join("simdesk.0123abcd.css.br"), b"brotli copy").unwrap();
    std::fs::write(pkg.join("simdesk.0123abcd.css.gz"), b"gzip copy").unwrap();
    site
}

fn options(site: &tempfile::TempDir, hash_files: bool) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("simdesk")
        .site_root(site.path().to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .hash_files(hash_files)
        .build()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn built_files_are_sent_as_stored_copies_and_kept_for_good() {
    let site = release_site();
    let server = start_with_site(HttpSettings::default(), options(&site, true)).await;
    let url = server.url("/pkg/simdesk.0123abcd.css");

    for (accepted, encoding, body) in [
        ("br, gzip", Some("br"), "brotli copy"),
        ("gzip", Some("gzip"), "gzip copy"),
        ("identity", None, CSS),
    ] {
        let response = server
            .client
            .get(&url)
            .header(ACCEPT_ENCODING, accepted)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{accepted}");
        let headers = response.headers().clone();
        assert_eq!(
            headers.get(CONTENT_ENCODING).map(|v| v.to_str().unwrap()),
            encoding,
            "{accepted}"
        );
        assert_eq!(
            headers[CACHE_CONTROL], "public, max-age=31536000, immutable",
            "{accepted}"
        );
        assert!(
            headers.get_all(VARY).iter().any(|v| v
                .to_str()
                .unwrap()
                .to_ascii_lowercase()
                .contains("accept-encoding")),
            "{accepted}: {headers:?}"
        );
        assert_eq!(response.text().await.unwrap(), body, "{accepted}");
    }

    let missing = server
        .client
        .get(server.url("/pkg/simdesk.ffffffff.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_of_a_build_without_hashes_are_checked_again_each_time() {
    let site = release_site();
    std::fs::write(site.path().join("pkg/simdesk.css"), CSS).unwrap();
    let server = start_with_site(HttpSettings::default(), options(&site, false)).await;
    let response = server
        .client
        .get(server.url("/pkg/simdesk.css"))
        .header(ACCEPT_ENCODING, "br")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CACHE_CONTROL], "no-cache");
    // No stored copy: a debug build's files go out as they are.
    assert!(response.headers().get(CONTENT_ENCODING).is_none());
    assert_eq!(response.text().await.unwrap(), CSS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_compressed_for_browsers_that_take_it() {
    let server = start().await;
    for (accepted, encoding) in [
        ("br", Some("br")),
        ("gzip", Some("gzip")),
        ("identity", None),
    ] {
        let response = server
            .client
            .get(server.url("/sign-in"))
            .header(ACCEPT_ENCODING, accepted)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{accepted}");
        assert_eq!(
            response
                .headers()
                .get(CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap()),
            encoding,
            "{accepted}"
        );
        let body = response.bytes().await.unwrap();
        if encoding.is_none() {
            let page = String::from_utf8(body.to_vec()).unwrap();
            assert!(page.contains("<!DOCTYPE html>"), "{page}");
            assert!(page.contains(r#"href="/pkg/simdesk.css""#), "{page}");
        } else {
            assert!(
                !body.starts_with(b"<!DOCTYPE"),
                "{accepted}: sent uncompressed"
            );
        }
    }
}
