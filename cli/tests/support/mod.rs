//! Starting the real `patron serve` on an ephemeral loopback port, and a blocking HTTP
//! client, for the server's integration tests.

#![allow(dead_code)] // each test file uses a part

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A running server; killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// `127.0.0.1:PORT`.
    pub address: String,
    stderr: mpsc::Receiver<String>,
}

/// How a server that did not start ended.
pub struct Refused {
    pub code: Option<i32>,
    pub stderr: String,
}

/// The `patron` binary: the one cargo built for the tests, or (for the examples that
/// include this module) the one beside the example's own directory.
pub fn patron_binary() -> PathBuf {
    if let Some(path) = option_env!("CARGO_BIN_EXE_patron") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("the running program");
    exe.parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("patron"))
        .expect("target/PROFILE/patron")
}

fn command(args: &[&str]) -> Command {
    let mut command = Command::new(patron_binary());
    command
        .arg("serve")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

impl Server {
    /// Starts `patron serve --listen 127.0.0.1:0 ARGS` and waits for `listening on`.
    pub fn start(args: &[&str]) -> Server {
        match Server::try_start(args) {
            Ok(server) => server,
            Err(refused) => panic!(
                "the server did not start (exit {:?}): {}",
                refused.code, refused.stderr
            ),
        }
    }

    /// [`start`](Server::start), or how it ended when it did not start.
    pub fn try_start(args: &[&str]) -> Result<Server, Refused> {
        let mut all = vec!["--listen", "127.0.0.1:0"];
        if args.contains(&"--listen") {
            all.clear();
        }
        all.extend_from_slice(args);
        let mut child = command(&all).spawn().expect("patron runs");
        let stdout = child.stdout.take().expect("stdout piped");
        let stderr = child.stderr.take().expect("stderr piped");
        let (err_tx, err_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = err_tx.send(line);
            }
        });
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            // Keep reading so that the server never blocks on a full pipe.
            for _ in lines {}
        });
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => {
                let address = line
                    .strip_prefix("listening on http://")
                    .unwrap_or_else(|| panic!("unexpected first line: {line}"))
                    .to_string();
                Ok(Server {
                    child,
                    base: format!("http://{address}"),
                    address,
                    stderr: err_rx,
                })
            }
            Err(_) => {
                let status = child.wait().expect("the server ends");
                let mut stderr = String::new();
                while let Ok(line) = err_rx.recv_timeout(Duration::from_millis(500)) {
                    stderr.push_str(&line);
                    stderr.push('\n');
                }
                Err(Refused {
                    code: status.code(),
                    stderr,
                })
            }
        }
    }

    /// `BASE + path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a signal (`TERM`, `INT`).
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Waits for the process to end, at most `limit`.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// What the server wrote on stderr so far.
    pub fn stderr(&self) -> String {
        let mut text = String::new();
        while let Ok(line) = self.stderr.try_recv() {
            text.push_str(&line);
            text.push('\n');
        }
        text
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An answer: status, headers we look at, body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub retry_after: Option<String>,
    pub authenticate: Option<String>,
    pub body: String,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Asserts the error shape and returns `(code, kind)`.
    pub fn error(&self) -> (i64, String) {
        let json = self.json();
        let error = &json["error"];
        let code = error["code"]
            .as_i64()
            .unwrap_or_else(|| panic!("no code: {json}"));
        let kind = error["kind"]
            .as_str()
            .unwrap_or_else(|| panic!("no kind: {json}"));
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{json}"
        );
        assert_eq!(json.as_object().unwrap().len(), 1, "{json}");
        assert_eq!(error.as_object().unwrap().len(), 3, "{json}");
        (code, kind.to_string())
    }
}

/// A client that returns every status as an answer.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

fn answer(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    let mut response = response.expect("the request is answered");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let content_type = header("content-type").unwrap_or_default();
    let retry_after = header("retry-after");
    let authenticate = header("www-authenticate");
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(1 << 30)
        .read_to_string()
        .expect("a body");
    Answer {
        status,
        content_type,
        retry_after,
        authenticate,
        body,
    }
}

/// `GET url`, with optional extra headers.
pub fn get(url: &str, headers: &[(&str, &str)]) -> Answer {
    let mut request = agent().get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    answer(request.call())
}

/// `POST url` with `body` as `content_type`, with optional extra headers.
pub fn post(url: &str, content_type: &str, body: &str, headers: &[(&str, &str)]) -> Answer {
    let mut request = agent().post(url).header("Content-Type", content_type);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    answer(request.send(body))
}

/// `POST url` with a JSON body.
pub fn post_json(url: &str, body: &str) -> Answer {
    post(url, "application/json", body, &[])
}

/// The example customers (a JSON array) as text.
pub fn example_customers() -> String {
    std::fs::read_to_string(root().join("examples/customers.json")).unwrap()
}

/// A JSON array as JSON Lines.
pub fn to_jsonl(array: &str) -> String {
    let items: Vec<serde_json::Value> = serde_json::from_str(array).unwrap();
    items
        .iter()
        .map(|item| format!("{}\n", serde_json::to_string(item).unwrap()))
        .collect()
}

/// Copies the policy directory `from` (files and `tests/`) to a new temporary directory.
pub fn copy_policy(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(from, dir.path());
    dir
}

/// Copies the files of `from` into `to`, recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The value of the first metric line starting with `prefix` (name and labels).
pub fn metric(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|line| {
            line.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('{') || rest.starts_with(' '))
        })
        .filter(|line| {
            labels
                .iter()
                .all(|(k, v)| line.contains(&format!("{k}=\"{v}\"")))
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .reduce(|a, b| a + b)
}

/// Reads everything a reader gives, ignoring errors at the end.
pub fn read_all(mut reader: impl Read) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        match reader.read(&mut buffer) {
            Ok(0) | Err(_) => return out,
            Ok(n) => out.extend_from_slice(&buffer[..n]),
        }
    }
}

/// The policy the workbench tests edit: a copy of `policies/default` frozen in
/// `cli/tests/fixtures/workbench-policy/`, so that those tests do not move with the default
/// policy (they change its cadence row for B).
pub fn workbench_policy() -> PathBuf {
    root().join("cli/tests/fixtures/workbench-policy")
}
