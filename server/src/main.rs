use clap::Parser;
use leptos::prelude::get_configuration;
use simdesk_domain::sso::{OidcSettings, SsoRuntime};
use simdesk_domain::{db, demo};
use simdesk_server::config::{Cli, Command, CxmlCommand, MailCommand};
use simdesk_server::{
    expire_sessions, prepare_sqlite_path, router, shutdown, workers, AppState, HttpSettings,
};
use std::net::SocketAddr;
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;
use tracing_subscriber::EnvFilter;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn init_tracing() {
    let filter =
        EnvFilter::try_from_env("SIMDESK_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if std::env::var("SIMDESK_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    init_tracing();
    let cli = Cli::parse();
    // Support tools need no database.
    if let Command::Cxml(CxmlCommand::Check { file }) = &cli.command {
        let outcome = simdesk_server::cxml_check::run(file, &mut std::io::stdout());
        return ExitCode::from(outcome.exit_code());
    }
    if let Command::Mail(MailCommand::Receive { tenant, file }) = &cli.command {
        let outcome = simdesk_server::mail_receive::run(
            &cli.database.database_url,
            tenant,
            file,
            &cli.pages.policy(),
            &mut std::io::stdout(),
        )
        .await;
        return ExitCode::from(outcome.exit_code());
    }
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("simdesk: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let url = cli.database.database_url;
    prepare_sqlite_path(&url).map_err(|e| format!("cannot create the database directory: {e}"))?;
    let database = db::connect_with(&url, cli.database.database_connections)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    db::migrate(&database)
        .await
        .map_err(|e| format!("migration failed: {e}"))?;
    match cli.command {
        Command::Migrate => {
            println!("database is up to date");
            Ok(())
        }
        Command::SeedDemo => {
            let seeded = demo::seed(&database).await.map_err(|e| e.to_string())?;
            println!(
                "{}",
                if seeded {
                    "demo data loaded"
                } else {
                    "demo data already present"
                }
            );
            Ok(())
        }
        Command::Cxml(_) | Command::Mail(_) => Ok(()),
        Command::CreateAdmin(args) => {
            let id =
                demo::create_platform_operator(&database, &args.email, &args.name, &args.password)
                    .await
                    .map_err(|e| e.to_string())?;
            println!("platform operator {} ready (user {id})", args.email);
            Ok(())
        }
        Command::ApiToken(args) => {
            let scopes: Vec<&str> = args.scopes.split(',').map(str::trim).collect();
            let input = simdesk_types::ApiTokenInput {
                name: args.name,
                read: scopes.contains(&"read"),
                orders_write: scopes.contains(&"orders:write"),
                catalog_write: scopes.contains(&"catalog:write"),
                expires_in_days: args.days.to_string(),
            };
            let made = simdesk_domain::api_tokens::create_as(&database, &args.email, input)
                .await
                .map_err(|e| e.to_string())?;
            println!("{}", made.secret);
            Ok(())
        }
        Command::Serve(args) => {
            let configuration =
                get_configuration(None).map_err(|e| format!("bad Leptos configuration: {e}"))?;
            let mut options = configuration.leptos_options;
            // A release build names its files by their content and leaves the hash file beside
            // the binary; LEPTOS_HASH_FILES still decides where it is set.
            if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
                options.hash_files = app::assets::hash_file_present(&options);
            }
            let addr: SocketAddr = args.addr.unwrap_or(options.site_addr);
            options.site_addr = addr;
            if args.demo {
                demo::seed(&database).await.map_err(|e| e.to_string())?;
            }
            let sealing_key = args.secrets.load()?;
            let settings = HttpSettings {
                sign_in_per_minute: args.sign_in_per_minute,
                api_requests_per_minute: args.api_requests_per_minute,
                webhooks: simdesk_domain::webhooks::WebhookSettings {
                    allow_private_targets: args.webhooks_allow_private_targets,
                    ..Default::default()
                },
                session_idle_minutes: args.session_idle_minutes,
                sealing_key,
                sso: SsoRuntime {
                    oidc: OidcSettings {
                        timeout: std::time::Duration::from_secs(args.oidc_timeout_seconds.max(1)),
                        clock_skew: chrono::Duration::seconds(args.oidc_clock_skew_seconds.max(0)),
                        ..OidcSettings::default()
                    },
                    public_url: args.public_url.clone(),
                },
                metrics_token: args.metrics_token.clone(),
                mailbox: simdesk_domain::mailbox::ReaderSettings {
                    poll: std::time::Duration::from_secs(args.mail.mailbox_poll_seconds.max(1)),
                    pages: cli.pages.policy(),
                    ..Default::default()
                },
            };
            let state = AppState::new(options, database.clone(), &settings);
            let draining = state.draining.clone();
            let call_log = state.api_calls.clone();
            let app = router(state, &settings);
            let portal_url = args
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://localhost:{}", addr.port()));
            let mail_settings = simdesk_domain::mail::MailSettings::default();
            let mailer =
                workers::Mailer::from_args(&args.mail, &portal_url, mail_settings.timeout)?;
            tracing::info!("e-mail goes to {}", mailer.describe());
            // Order confirmations and ship notices for procurement systems, and e-mail.
            let stop_workers = CancellationToken::new();
            let workers = workers::spawn(
                &database,
                &settings.sealing_key,
                mailer,
                workers::WorkerSettings {
                    mail_period: std::time::Duration::from_secs(args.mail.mail_poll_seconds.max(1)),
                    alarm_period: std::time::Duration::from_secs(args.alarm_sweep_seconds.max(1)),
                    mailboxes: settings.mailbox.clone(),
                    webhooks: settings.webhooks.clone(),
                },
                &stop_workers,
            );
            tokio::spawn(expire_sessions(
                database,
                std::time::Duration::from_secs(3600),
            ));
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            let url = format!("http://localhost:{}", addr.port());
            if args.demo {
                print_demo_logins(&url);
            }
            tracing::info!(%addr, "simdesk listening; open {url}");
            let drain = std::time::Duration::from_secs(args.drain_seconds);
            let stop = stop_workers.clone();
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async move {
                shutdown::signal().await;
                draining.start();
                stop.cancel();
                tracing::info!(
                    seconds = drain.as_secs(),
                    "shutting down: /readyz answers 503 while the load balancer takes note"
                );
                tokio::time::sleep(drain).await;
                tracing::info!("no new connections; finishing the requests in flight");
            })
            .await
            .map_err(|e| format!("server error: {e}"))?;
            let grace = std::time::Duration::from_secs(args.shutdown_grace_seconds);
            let finished = async {
                call_log.finish().await;
                for worker in workers {
                    let _ = worker.await;
                }
            };
            if tokio::time::timeout(grace, finished).await.is_err() {
                tracing::warn!(
                    "workers still busy after {} s; leaving them",
                    grace.as_secs()
                );
            }
            tracing::info!("stopped");
            Ok(())
        }
    }
}

fn print_demo_logins(url: &str) {
    println!("\n  simdesk is running: open {url}\n");
    println!(
        "  Demo sign-ins (password for all: {}):",
        demo::DEMO_PASSWORD
    );
    for login in demo::logins() {
        println!(
            "    {:<36} {:<24} {}",
            login.email,
            login.role.label(),
            login.scope
        );
    }
    println!();
}
