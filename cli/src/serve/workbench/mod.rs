//! The policy workbench (issue 18): the page at `/`, its assets built into the binary
//! (`assets/`, the editor bundle made by `scripts/workbench-bundle.sh` from `frontend/`),
//! the example portfolios it offers, and the policy files it reads and saves (`files`).
//! Nothing is fetched at run time.

pub mod files;

/// One asset: its name under `/workbench/`, media type and bytes.
pub struct Asset {
    /// The name, e.g. `app.js`.
    pub name: &'static str,
    /// The `Content-Type`.
    pub media: &'static str,
    /// The bytes.
    pub body: &'static str,
}

/// The page.
pub const INDEX_HTML: &str = include_str!("assets/index.html");

/// The assets the page loads.
pub const ASSETS: [Asset; 3] = [
    Asset {
        name: "app.js",
        media: "text/javascript; charset=utf-8",
        body: include_str!("assets/app.js"),
    },
    Asset {
        name: "style.css",
        media: "text/css; charset=utf-8",
        body: include_str!("assets/style.css"),
    },
    Asset {
        name: "editor.bundle.js",
        media: "text/javascript; charset=utf-8",
        body: include_str!("assets/editor.bundle.js"),
    },
];

/// The example portfolios of the repository (`examples/*.json`), offered in Try, Compare
/// and Plan.
pub const EXAMPLES: [(&str, &str); 4] = [
    (
        "customers.json",
        include_str!("../../../../examples/customers.json"),
    ),
    (
        "distributor.json",
        include_str!("../../../../examples/distributor.json"),
    ),
    (
        "key-accounts.json",
        include_str!("../../../../examples/key-accounts.json"),
    ),
    (
        "otc-pharma.json",
        include_str!("../../../../examples/otc-pharma.json"),
    ),
];
