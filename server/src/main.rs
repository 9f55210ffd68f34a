//! `spine`: the one binary. Parses the command line, sets up logging, runs the command, and turns
//! any failure into one readable line and a non-zero exit.
// The console's largest pages (analytics, the customer page) nest deeper view types than
// rustc's default query depth allows when the release profile lays them out in this binary.
#![recursion_limit = "256"]

mod cli;
mod commands;
mod config;
mod http;
mod logging;
mod mail;
mod metrics;
mod scheduler;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than the system allocator: a batch normalized on rayon's threads frees the
/// raw records another thread allocated, which glibc's per-thread arenas keep instead of
/// reusing (a million-record dedupe peaked 10% higher); mimalloc also returns freed pages.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    logging::init(&cli.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("spine: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line, causes joined: "cannot open the database: ... : connection refused".
            eprintln!("spine: {}", format!("{e:#}").replace('\n', " "));
            if e.downcast_ref::<commands::Refused>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
