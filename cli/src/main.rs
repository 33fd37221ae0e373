//! `patron`: the command line for policy authors and operators — evaluate customers with a
//! policy, run a policy's own tests, and show what a policy is.
//!
//! Exit codes: 0 success; 1 some records (or test cases) failed (the others are still reported);
//! 2 wrong usage; 3 the input could not be read or split into records; 4 the policy failed
//! to load.

mod check_cmd;
mod diff_cmd;
mod eval;
mod input;
mod output;
mod plan_cmd;
mod policy_cmd;
mod serve;
mod test_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Exit code: some records failed.
pub const EXIT_RECORD_ERRORS: u8 = 1;
/// Exit code: the input could not be read or split into records.
pub const EXIT_INPUT: u8 = 3;
/// Exit code: the policy failed to load.
pub const EXIT_POLICY: u8 = 4;

#[derive(Parser)]
#[command(
    name = "patron",
    version,
    about = "Customer grading, stages and visit cadence by policy"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate customers (a JSON array or JSON Lines) with a policy.
    Eval(eval::EvalArgs),
    /// Check a policy: every problem with file:line:column; exit 1 when there are errors.
    Check(check_cmd::CheckArgs),
    /// Compare two policies on the same customers: grade and stage transitions, score
    /// shift, workload.
    Diff(diff_cmd::DiffArgs),
    /// Plan a month of calls and visits for a rep (table, JSON, CSV, iCalendar, HTML).
    Plan(plan_cmd::PlanArgs),
    /// Run a policy's own test cases (DIR/tests/*.json); exit 1 when any fails.
    Test(test_cmd::TestArgs),
    /// Serve decisions over HTTP: evaluate, plan, diff, reload (see README, "patron serve").
    Serve(serve::ServeArgs),
    /// Show a policy: name, version, hash, grades, stages, parameters.
    Policy {
        #[command(subcommand)]
        command: policy_cmd::PolicyCommand,
    },
}

/// Output formats of `patron eval`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable table (the default on a terminal).
    Table,
    /// One JSON array (the default when the output is not a terminal).
    Json,
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
}

/// A failure that ends the command with a specific exit code.
pub struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    /// A failure with `code` and `message`.
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
        }
    }
}

/// The policy named by `--policy`, or the embedded default.
pub fn load_engine(policy: Option<&PathBuf>) -> Result<patron::Engine, Failure> {
    let engine = match policy {
        Some(dir) => patron::Engine::from_dir(dir),
        None => patron::Engine::with_default_policy(),
    };
    engine.map_err(|e| Failure::new(EXIT_POLICY, e.to_string()))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Eval(args) => eval::run(args),
        Command::Check(args) => check_cmd::run(args),
        Command::Diff(args) => diff_cmd::run(args),
        Command::Plan(args) => plan_cmd::run(args),
        Command::Test(args) => test_cmd::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Policy { command } => policy_cmd::run(command),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("patron: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}
