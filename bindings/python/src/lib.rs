//! `patron._patron`, the native module of the `patron` Python package: the [`Engine`] class.
//! The Python layer (`python/patron/`) turns dicts into JSON and back and raises the
//! package's exceptions; this module holds the engine and releases the GIL while the library
//! works. Its calls into the library are all in [`library`].

mod library;

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::PyTuple;

/// Raises the package's exception for a library error: `patron._errors.from_native` picks
/// the `PatronError` subclass of the error's kind.
fn to_py_err(py: Python<'_>, error: patron::Error) -> PyErr {
    let record = error.record().cloned().unwrap_or_default();
    let build = || -> PyResult<PyErr> {
        let errors = py.import("patron._errors")?;
        let args = PyTuple::new(
            py,
            [
                error.code().as_i32().into_pyobject(py)?.into_any(),
                code_name(error.code()).into_pyobject(py)?.into_any(),
                error.to_string().into_pyobject(py)?.into_any(),
                record.customer_id.into_pyobject(py)?.into_any(),
                record.line.into_pyobject(py)?.into_any(),
            ],
        )?;
        let exception = errors.getattr("from_native")?.call1(args)?;
        Ok(PyErr::from_value(exception))
    };
    build().unwrap_or_else(|e| e)
}

/// The name of an error code, as the library's JSON spells it (`invalid_input`, …).
fn code_name(code: patron::ErrorCode) -> String {
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{code:?}"))
}

/// A patron engine: one policy, swappable with `reload`. Thread-safe; every method releases
/// the GIL while the library works.
#[pyclass(frozen, module = "patron._patron")]
struct Engine {
    inner: patron::Engine,
}

#[pymethods]
impl Engine {
    /// An engine serving the policy in `policy_dir`, or the embedded default when `None`.
    #[new]
    #[pyo3(signature = (policy_dir=None))]
    fn new(py: Python<'_>, policy_dir: Option<PathBuf>) -> PyResult<Engine> {
        py.detach(|| library::new_engine(policy_dir.as_deref()))
            .map(|inner| Engine { inner })
            .map_err(|e| to_py_err(py, e))
    }

    /// An engine serving the policy made of `files`, a list of (name, text) pairs.
    #[staticmethod]
    fn from_files(py: Python<'_>, files: Vec<(String, String)>) -> PyResult<Engine> {
        py.detach(|| library::engine_from_files(files))
            .map(|inner| Engine { inner })
            .map_err(|e| to_py_err(py, e))
    }

    /// The files of the policy serving now, a list of (name, text) pairs sorted by name.
    fn policy_files(&self, py: Python<'_>) -> Vec<(String, String)> {
        py.detach(|| library::policy_files(&self.inner))
    }

    /// Evaluates one customer (JSON text); the evaluation as JSON text.
    #[pyo3(signature = (customer, as_of=None, explain=false))]
    fn evaluate(
        &self,
        py: Python<'_>,
        customer: &str,
        as_of: Option<&str>,
        explain: bool,
    ) -> PyResult<String> {
        py.detach(|| library::evaluate(&self.inner, customer, as_of, explain))
            .map_err(|e| to_py_err(py, e))
    }

    /// Evaluates customers given as JSON Lines, as one portfolio; a JSON array with one item
    /// per line: the evaluation, or the record's error in its place.
    #[pyo3(signature = (json_lines, as_of=None, explain=false))]
    fn evaluate_many(
        &self,
        py: Python<'_>,
        json_lines: &str,
        as_of: Option<&str>,
        explain: bool,
    ) -> PyResult<String> {
        py.detach(|| library::evaluate_many(&self.inner, json_lines, as_of, explain))
            .map_err(|e| to_py_err(py, e))
    }

    /// A month plan: customers as JSON Lines and the request as a JSON object; JSON out.
    fn plan(&self, py: Python<'_>, json_lines: &str, request: &str) -> PyResult<String> {
        py.detach(|| library::plan(&self.inner, json_lines, request))
            .map_err(|e| to_py_err(py, e))
    }

    /// The policy serving now, as JSON.
    fn info(&self, py: Python<'_>) -> PyResult<String> {
        py.detach(|| library::info(&self.inner))
            .map_err(|e| to_py_err(py, e))
    }

    /// Loads, checks and tests the policy in `policy_dir`, then swaps it in; its stamp as
    /// JSON. On failure the current policy keeps serving.
    fn reload(&self, py: Python<'_>, policy_dir: PathBuf) -> PyResult<String> {
        py.detach(|| library::reload(&self.inner, &policy_dir))
            .map_err(|e| to_py_err(py, e))
    }
}

/// The native module.
#[pymodule]
fn _patron(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<Engine>()?;
    module.add("VERSION", patron::VERSION)?;
    Ok(())
}
