//! Reading this process's memory figures from `/proc/self/status`, for the examples that
//! measure memory (`soak`, `hostile_figures`).

/// A field of `/proc/self/status` in KiB (`VmRSS`, `VmHWM`), or 0 where there is none.
pub fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
