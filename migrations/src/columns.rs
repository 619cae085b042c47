//! Column and key builders shared by the migrations, so each table definition says only what
//! is particular to it.

use sea_orm_migration::prelude::*;

/// A 64-bit auto-incrementing primary key.
pub fn id<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

/// An optional reference to another row's id.
pub fn reference<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column).big_integer().null().to_owned()
}

/// A mandatory reference to another row's id.
pub fn required_reference<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column).big_integer().not_null().to_owned()
}

/// Text that is never NULL, empty when not given.
pub fn text<T: IntoIden>(column: T, length: u32) -> ColumnDef {
    ColumnDef::new(column)
        .string_len(length)
        .not_null()
        .default("")
        .to_owned()
}

/// A mandatory point in time.
pub fn timestamp<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

/// A foreign key from one table's column to another's.
pub fn fk(
    from_table: impl IntoIden + 'static,
    from: impl IntoIden + 'static,
    to_table: impl IntoIden + 'static,
    to: impl IntoIden + 'static,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from)
        .to(to_table, to)
        .to_owned()
}

/// Adds columns to an existing table.
pub async fn add_columns(
    manager: &SchemaManager<'_>,
    table: impl IntoIden + Clone + 'static,
    columns: Vec<ColumnDef>,
) -> Result<(), DbErr> {
    alter_one_by_one(manager, table, columns, |alter, mut column| {
        alter.add_column(&mut column);
    })
    .await
}

/// Drops columns of an existing table.
pub async fn drop_columns(
    manager: &SchemaManager<'_>,
    table: impl IntoIden + Clone + 'static,
    columns: Vec<DynIden>,
) -> Result<(), DbErr> {
    alter_one_by_one(manager, table, columns, |alter, column| {
        alter.drop_column(column);
    })
    .await
}

/// One ALTER TABLE per change, as SQLite wants.
async fn alter_one_by_one<T>(
    manager: &SchemaManager<'_>,
    table: impl IntoIden + Clone + 'static,
    changes: Vec<T>,
    change: impl Fn(&mut TableAlterStatement, T),
) -> Result<(), DbErr> {
    for item in changes {
        let mut alter = Table::alter();
        alter.table(table.clone());
        change(&mut alter, item);
        manager.alter_table(alter).await?;
    }
    Ok(())
}

/// Drops tables if they exist, in the order given (dependent tables first).
pub async fn drop_tables(manager: &SchemaManager<'_>, tables: Vec<DynIden>) -> Result<(), DbErr> {
    for table in tables {
        manager
            .drop_table(Table::drop().table(table).if_exists().to_owned())
            .await?;
    }
    Ok(())
}

/// Creates an index over `columns`, in order.
pub async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden + 'static,
    columns: Vec<DynIden>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut statement = Index::create().name(name).table(table).to_owned();
    for column in columns {
        statement.col(column);
    }
    if unique {
        statement.unique();
    }
    manager.create_index(statement).await
}

/// The columns of an index, as one list.
pub fn cols<const N: usize>(columns: [DynIden; N]) -> Vec<DynIden> {
    columns.into()
}
