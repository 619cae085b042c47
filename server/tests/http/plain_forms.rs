//! Forms posted without JavaScript: the server function answers with a redirect back to the
//! page, which names what happened, and the page says it.

use crate::support::*;
use reqwest::header::{ACCEPT, CONTENT_TYPE, COOKIE, REFERER};
use reqwest::StatusCode;

/// Posts `form` to the server function `function` as a browser without JavaScript does, from
/// the page `from`, and returns where the answer sends the browser.
async fn post_plain(
    server: &TestServer,
    function: &str,
    form: &str,
    from: &str,
    cookie: &str,
) -> String {
    let response = server
        .client
        .post(server.url(&format!("/api/{function}")))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ACCEPT, "text/html,application/xhtml+xml")
        .header(REFERER, server.url(from))
        .header(COOKIE, cookie)
        .body(form.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::FOUND,
        "{function} from {from}"
    );
    location(&response)
}

/// The staff page's form for a new user, as the page sent it.
fn create_user_form(page: &str) -> &str {
    page.split(r#"data-testid="create-user-form""#)
        .nth(1)
        .and_then(|rest| rest.split("</form>").next())
        .expect("the create-user form")
}

#[tokio::test]
async fn a_success_is_named_in_the_address_and_the_page_says_it() {
    let server = start().await;
    let cookie = server.sign_in("purchaser@bergbahn.example").await;

    // An earlier post's outcome is replaced, the page's own query kept.
    let back = post_plain(
        &server,
        "save_mail_preferences",
        "",
        "/account/notifications?tab=1&__done=%2Fapi%2Fforget_browsers",
        &cookie,
    )
    .await;
    assert_eq!(
        back,
        "/account/notifications?tab=1&__done=%2Fapi%2Fsave_mail_preferences"
    );

    let page = server.get(&back, Some(&cookie)).await.text().await.unwrap();
    assert!(page.contains("E-mail preferences saved."), "{page}");
    // Without the mark, the page shows no outcome.
    let page = server
        .get("/account/notifications", Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("E-mail preferences saved."));
}

#[tokio::test]
async fn a_failure_keeps_its_error_and_no_earlier_success() {
    let server = start().await;
    let cookie = server.sign_in("admin@nordwind.example").await;
    let back = post_plain(
        &server,
        "change_role",
        "user_id=abc&role=viewer",
        "/users?__done=%2Fapi%2Fchange_role",
        &cookie,
    )
    .await;
    assert!(
        back.starts_with("/users?__path=%2Fapi%2Fchange_role&__err="),
        "{back}"
    );
    assert!(!back.contains("__done"), "{back}");
    let page = server.get(&back, Some(&cookie)).await.text().await.unwrap();
    assert!(!page.contains("Role changed."), "{page}");
}

#[tokio::test]
async fn a_refused_form_comes_back_as_it_was_typed_once_and_without_its_password() {
    let server = start().await;
    let cookie = server.sign_in("admin@nordwind.example").await;
    let back = post_plain(
        &server,
        "create_user",
        "email=admin%40nordwind.example&display_name=Nina+%22New%22&role=sp_agent&initial_password=secret+words+12",
        "/users",
        &cookie,
    )
    .await;
    assert!(
        back.starts_with("/users?__path=%2Fapi%2Fcreate_user&__err="),
        "{back}"
    );

    let page = server.get(&back, Some(&cookie)).await.text().await.unwrap();
    let form = create_user_form(&page);
    assert!(form.contains(r#"value="admin@nordwind.example""#), "{form}");
    assert!(form.contains(r#"value="Nina &quot;New&quot;""#), "{form}");
    assert!(
        form.contains(r#"<option value="sp_agent" selected="">"#),
        "{form}"
    );
    assert!(!page.contains("secret words 12"));
    // The refusal is still shown, and the fields are given back once.
    assert!(page.contains("already"), "{page}");
    let again = server.get(&back, Some(&cookie)).await.text().await.unwrap();
    assert!(!again.contains("Nina &quot;New&quot;"));
}

#[tokio::test]
async fn what_a_server_function_answered_is_shown_on_the_page_it_returns_to_once() {
    let server = start().await;
    let cookie = server.sign_in("admin@nordwind.example").await;
    let back = post_plain(
        &server,
        "create_user",
        "email=plain.form%40nordwind.example&display_name=Plain+Form&role=sp_agent&initial_password=",
        "/users",
        &cookie,
    )
    .await;
    assert_eq!(back, "/users?__done=%2Fapi%2Fcreate_user");
    let page = server.get(&back, Some(&cookie)).await.text().await.unwrap();
    assert!(page.contains("plain.form@nordwind.example"), "{page}");
    let created = "created";
    let notice = create_user_form(&page);
    assert!(notice.contains(created), "{notice}");
    // Shown once: the page loaded again says nothing of it.
    let again = server.get(&back, Some(&cookie)).await.text().await.unwrap();
    let form = create_user_form(&again);
    assert!(!form.contains(created), "{form}");
}
