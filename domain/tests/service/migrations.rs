//! Schema changes roll back: the migrations since the second factor undo their changes and
//! apply again, on either database.

use simdesk_domain::testing;
use simdesk_migrations::Migrator;
use simdesk_migrations::MigratorTrait;

#[tokio::test]
async fn the_latest_migrations_roll_back_and_apply_again() {
    let t = testing::fresh().await;
    let since_second_factor = Migrator::migrations().len() as u32 - 11;
    Migrator::down(&t.db, Some(since_second_factor))
        .await
        .expect("roll back");
    Migrator::up(&t.db, None).await.expect("apply again");
}
