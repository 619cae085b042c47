//! `simdesk serve` on its way down after SIGTERM: `/readyz` goes unready first while requests
//! are still served, then the process ends by itself with success.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use simdesk_domain::secret::SecretKey;
use simdesk_domain::testing;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn status(client: &reqwest::Client, url: &str) -> Option<(u16, String)> {
    let response = client.get(url).send().await.ok()?;
    let code = response.status().as_u16();
    Some((code, response.text().await.unwrap_or_default()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_turns_readiness_off_first_then_the_server_ends_cleanly() {
    let t = testing::fresh().await;
    let mail = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_simdesk"))
        .arg("serve")
        .env("DATABASE_URL", &t.url)
        .env("SIMDESK_ADDR", format!("127.0.0.1:{port}"))
        .env("SIMDESK_SECRET_KEY", SecretKey::generate().to_base64())
        .env("SIMDESK_MAIL_FOLDER", mail.path())
        .env("SIMDESK_DRAIN_SECONDS", "3")
        .env("SIMDESK_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start simdesk");
    let client = reqwest::Client::new();
    let started = Instant::now();
    while status(&client, &format!("{base}/readyz"))
        .await
        .map(|s| s.0)
        != Some(200)
    {
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "the server never got ready"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the server ended at start"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success());
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Draining: unready for the load balancer, yet still answering.
    assert_eq!(
        status(&client, &format!("{base}/readyz")).await,
        Some((503, "shutting down".to_owned()))
    );
    assert_eq!(
        status(&client, &format!("{base}/healthz"))
            .await
            .map(|s| s.0),
        Some(200)
    );

    let waiting = Instant::now();
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            waiting.elapsed() < Duration::from_secs(40),
            "the server did not end after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(exit.success(), "{exit:?}");
    assert!(
        waiting.elapsed() >= Duration::from_secs(2),
        "the listener stayed open for the drain period"
    );
    assert!(status(&client, &format!("{base}/healthz")).await.is_none());
}
