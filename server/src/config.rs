//! Command line and environment configuration.

use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args, Parser, Subcommand};
use std::net::SocketAddr;

#[derive(Debug, Parser)]
#[command(
    name = "simdesk",
    version,
    about = "SIM ordering portal for service providers and their enterprise customers"
)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone)]
pub struct DatabaseArgs {
    /// `sqlite://PATH?mode=rwc` (embedded, the default) or `postgres://USER@HOST/DB`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/simdesk.db?mode=rwc",
        global = true
    )]
    pub database_url: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the portal.
    Serve(ServeArgs),
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Load the demo tenants, accounts and users (does nothing if they exist).
    SeedDemo,
    /// Create a platform operator, or reset an existing one's password.
    CreateAdmin(CreateAdminArgs),
}

#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// Address to listen on; cargo-leptos sets LEPTOS_SITE_ADDR in development.
    #[arg(long, env = "SIMDESK_ADDR")]
    pub addr: Option<SocketAddr>,
    /// Seed the demo data and print its sign-ins at start-up.
    #[arg(long, env = "SIMDESK_DEMO", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub demo: bool,
    /// Sign-in attempts allowed per client address and minute.
    #[arg(long, env = "SIMDESK_SIGN_IN_PER_MINUTE", default_value_t = 20)]
    pub sign_in_per_minute: u32,
    /// Minutes of inactivity after which a session ends.
    #[arg(long, env = "SIMDESK_SESSION_IDLE_MINUTES", default_value_t = 480)]
    pub session_idle_minutes: i64,
}

#[derive(Debug, Args, Clone)]
pub struct CreateAdminArgs {
    #[arg(long)]
    pub email: String,
    #[arg(long, default_value = "Platform Operator")]
    pub name: String,
    /// The password; read from SIMDESK_ADMIN_PASSWORD so it stays out of shell history.
    #[arg(long, env = "SIMDESK_ADMIN_PASSWORD", hide_env_values = true)]
    pub password: String,
}
