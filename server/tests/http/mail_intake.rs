//! `simdesk mail receive`, as a mail server pipes a message into it: what its exit status
//! tells the mail server (kept, try again later, no such mailbox), and that a message piped
//! twice is one order.

use std::io::Write;
use std::process::{Command, Stdio};

use simdesk_domain::demo;
use simdesk_domain::testing;

fn receive(database_url: &str, tenant: &str, message: &[u8]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_simdesk"))
        .args(["mail", "receive", "--tenant", tenant])
        .env("DATABASE_URL", database_url)
        .env("SIMDESK_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start simdesk");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(message)
        .expect("pipe the message");
    let out = child.wait_with_output().expect("simdesk ends");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).trim().to_owned(),
    )
}

const MESSAGE: &[u8] = b"From: Paul Purchaser <purchaser@hafenlogistik.example>\r\n\
    To: orders@nordwind.example\r\nSubject: Order HL-9\r\nMessage-ID: <pipe-1@hafenlogistik.example>\r\n\r\n\
    Please deliver 40 x NORDWIND-IOT-4FF\r\n40 x NORDWIND-IOT-4FF\r\n";

#[tokio::test]
async fn a_piped_message_is_kept_once_and_the_exit_status_tells_the_mail_server() {
    let t = testing::fresh().await;
    demo::seed(&t.db).await.expect("demo data");

    let (code, said) = receive(&t.url, "nordwind", MESSAGE);
    assert_eq!(code, 0, "{said}");
    assert!(said.starts_with("kept as e-mail order"), "{said}");
    assert!(said.contains("draft purchase order"), "{said}");

    // A mail server that retries after a lost answer makes nothing new.
    let (code, said) = receive(&t.url, "nordwind", MESSAGE);
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("nothing new was made"), "{said}");

    // Unreadable mail is kept too: the mail server must not bounce it back and forth.
    let (code, said) = receive(&t.url, "nordwind", b"\x00\x01\x02");
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("cannot be read"), "{said}");

    // EX_NOUSER: the mail server bounces it to the sender.
    let (code, said) = receive(&t.url, "no-such-tenant", MESSAGE);
    assert_eq!(code, 67, "{said}");

    // EX_TEMPFAIL: the database is away; the mail server keeps the message and tries again.
    let (code, said) = receive("postgres://simdesk@127.0.0.1:1/none", "nordwind", MESSAGE);
    assert_eq!(code, 75, "{said}");
}
