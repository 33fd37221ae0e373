//! `patron serve`'s options, and the rules checked before it starts: an address beyond
//! loopback needs a token, and a token must be a real one.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use crate::{Failure, EXIT_INPUT};

/// The shortest token accepted, in characters.
pub const MIN_TOKEN_CHARS: usize = 16;

/// Arguments of `patron serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Policy directory; the embedded default policy when absent (then `reload`, `--watch`
    /// and candidate directories are unavailable).
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// Address and port to listen on (port 0: any free port). An address beyond loopback
    /// requires `--token-file`.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// A file holding the bearer token every request but /healthz, /readyz and
    /// /openapi.json must send (`Authorization: Bearer TOKEN`); at least 16 characters.
    /// A request without the token still gets the policy workbench at / read-only.
    #[arg(long)]
    pub token_file: Option<PathBuf>,
    /// Reload the policy when its files change, with the same checks as
    /// `POST /v1/policy/reload`.
    #[arg(long)]
    pub watch: bool,
    /// Largest JSON request body, in bytes.
    #[arg(long, default_value_t = 32 << 20)]
    pub max_body_bytes: u64,
    /// Largest `application/x-ndjson` request body, in bytes (it is streamed, not held in
    /// memory).
    #[arg(long, default_value_t = 4 << 30)]
    pub max_stream_bytes: u64,
    /// Time budget of a request, in milliseconds: past it the answer is 503 with
    /// `Retry-After`, and the work stops.
    #[arg(long, default_value_t = 10_000)]
    pub budget_ms: u64,
    /// Time budget of an `application/x-ndjson` stream, in milliseconds.
    #[arg(long, default_value_t = 600_000)]
    pub stream_budget_ms: u64,
    /// Requests evaluated at once; more wait (within their budget). Default: twice the
    /// cores.
    #[arg(long)]
    pub max_concurrent: Option<usize>,
    /// How long a stream waits for a client to take its next chunk of output before it is
    /// cut, in milliseconds (a client that stops reading does not hold a worker).
    #[arg(long, default_value_t = 10_000)]
    pub stall_ms: u64,
}

/// The checked configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The policy directory, when not the embedded default.
    pub policy_dir: Option<PathBuf>,
    /// Where to listen (every address the name resolves to).
    pub listen: Vec<SocketAddr>,
    /// The bearer token, when required.
    pub token: Option<String>,
    /// Reload on file changes.
    pub watch: bool,
    /// Largest JSON body.
    pub max_body_bytes: u64,
    /// Largest NDJSON body.
    pub max_stream_bytes: u64,
    /// Budget of a request.
    pub budget: Duration,
    /// Budget of a stream.
    pub stream_budget: Duration,
    /// Requests evaluated at once.
    pub max_concurrent: usize,
    /// How long a stream waits for its client to take output.
    pub stall: Duration,
}

fn usage(message: impl Into<String>) -> Failure {
    Failure::new(2, message)
}

impl Config {
    /// Checks `args`: the address resolves, the token file (if any) holds a token, an
    /// address beyond loopback has one, `--watch` has a policy directory.
    pub fn from_args(args: ServeArgs) -> Result<Config, Failure> {
        let listen = resolve(&args.listen)?;
        let token = args.token_file.as_deref().map(read_token).transpose()?;
        if token.is_none() {
            if let Some(open) = listen.iter().find(|a| !a.ip().is_loopback()) {
                return Err(usage(format!(
                    "--listen {} ({open}) is beyond loopback: refusing to start without a token \
                     (--token-file FILE); every request would be unauthenticated",
                    args.listen
                )));
            }
        }
        if args.watch && args.policy.is_none() {
            return Err(usage(
                "--watch needs --policy DIR (the embedded default policy has no files to watch)",
            ));
        }
        if args.budget_ms == 0 || args.stream_budget_ms == 0 {
            return Err(usage(
                "--budget-ms and --stream-budget-ms must be at least 1",
            ));
        }
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Config {
            policy_dir: args.policy,
            listen,
            token,
            watch: args.watch,
            max_body_bytes: args.max_body_bytes,
            max_stream_bytes: args.max_stream_bytes,
            budget: Duration::from_millis(args.budget_ms),
            stream_budget: Duration::from_millis(args.stream_budget_ms),
            max_concurrent: args.max_concurrent.unwrap_or(2 * cores).max(1),
            stall: Duration::from_millis(args.stall_ms.max(1)),
        })
    }
}

/// Every address `listen` names (`HOST:PORT`, a literal or a name such as `localhost`).
fn resolve(listen: &str) -> Result<Vec<SocketAddr>, Failure> {
    use std::net::ToSocketAddrs;
    let addresses: Vec<SocketAddr> = listen
        .to_socket_addrs()
        .map_err(|e| usage(format!("--listen {listen}: {e} (expected HOST:PORT)")))?
        .collect();
    if addresses.is_empty() {
        return Err(usage(format!("--listen {listen}: no address")));
    }
    Ok(addresses)
}

/// The token in `path`: its text without the surrounding whitespace.
fn read_token(path: &Path) -> Result<String, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::new(
            EXIT_INPUT,
            format!("--token-file {}: cannot read: {e}", path.display()),
        )
    })?;
    let token = text.trim();
    if token.chars().count() < MIN_TOKEN_CHARS {
        return Err(usage(format!(
            "--token-file {}: the token is {} character(s); at least {MIN_TOKEN_CHARS} are required",
            path.display(),
            token.chars().count()
        )));
    }
    if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(usage(format!(
            "--token-file {}: the token has whitespace or control characters inside; \
             it must fit in one `Authorization: Bearer` header",
            path.display()
        )));
    }
    Ok(token.to_string())
}
