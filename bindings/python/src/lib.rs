//! `patron._patron`, the native module of the `patron` Python package: the [`Engine`] class.
//! The Python layer (`python/patron/`) turns dicts into JSON and back and raises the
//! package's exceptions; this module holds the engine and releases the GIL while the library
//! works. Its calls into the library are all in [`library`].

// `patron::Error` is large (~136 bytes) but only on the cold path; the library allows it too.
#![allow(clippy::result_large_err)]

mod library;

use std::path::PathBuf;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use pyo3_arrow::input::AnyRecordBatch;
use pyo3_arrow::{PySchema, PyTable};

/// Reads every batch of an Arrow input (a table, a batch, a stream: anything with the Arrow
/// PyCapsule interface) and joins them into one batch, since one call is one portfolio.
/// Reading holds the GIL (a stream may be produced by Python code); joining does not.
fn one_batch(py: Python<'_>, data: AnyRecordBatch) -> PyResult<RecordBatch> {
    let table = data.into_table()?;
    let (batches, schema) = table.into_inner();
    if batches.len() == 1 {
        return Ok(batches.into_iter().next().expect("one batch"));
    }
    py.detach(|| arrow_select::concat::concat_batches(&schema, &batches))
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
}

/// A record batch as a `pyarrow.Table`, handed over through the Arrow C data interface.
fn to_pyarrow(py: Python<'_>, batch: RecordBatch) -> PyResult<Py<PyAny>> {
    let schema: SchemaRef = batch.schema();
    Ok(PyTable::try_new(vec![batch], schema)?
        .into_pyarrow(py)?
        .unbind())
}

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

    /// Evaluates Arrow data (one portfolio) into a `pyarrow.Table` of the evaluation schema.
    #[pyo3(signature = (data, as_of=None, explain=false))]
    fn evaluate_arrow(
        &self,
        py: Python<'_>,
        data: AnyRecordBatch,
        as_of: Option<&str>,
        explain: bool,
    ) -> PyResult<Py<PyAny>> {
        let batch = one_batch(py, data)?;
        let out = py
            .detach(|| library::evaluate_arrow(&self.inner, &batch, as_of, explain))
            .map_err(|e| to_py_err(py, e))?;
        to_pyarrow(py, out)
    }

    /// A month plan of Arrow data's customers; the request as a JSON object, JSON out.
    fn plan_arrow(&self, py: Python<'_>, data: AnyRecordBatch, request: &str) -> PyResult<String> {
        let batch = one_batch(py, data)?;
        py.detach(|| library::plan_arrow(&self.inner, &batch, request))
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

/// What a portfolio computed elsewhere needs of each row of Arrow data, as a `pyarrow.Table`
/// (`readable`, `revenue_365`, `collected_365`, `purchases_365`, `days_since_purchase`).
#[pyfunction]
#[pyo3(signature = (data, as_of=None))]
fn portfolio_inputs(
    py: Python<'_>,
    data: AnyRecordBatch,
    as_of: Option<&str>,
) -> PyResult<Py<PyAny>> {
    let batch = one_batch(py, data)?;
    let out = py
        .detach(|| library::portfolio_inputs(&batch, as_of))
        .map_err(|e| to_py_err(py, e))?;
    to_pyarrow(py, out)
}

/// The schema `Engine.evaluate_arrow` writes, as a `pyarrow.Schema`.
#[pyfunction]
fn evaluation_schema(py: Python<'_>) -> PyResult<Py<PyAny>> {
    Ok(PySchema::new(library::evaluation_schema())
        .into_pyarrow(py)?
        .unbind())
}

/// The schema of the records the Arrow path reads best, as a `pyarrow.Schema`.
#[pyfunction]
fn customer_schema(py: Python<'_>) -> PyResult<Py<PyAny>> {
    Ok(PySchema::new(library::customer_schema())
        .into_pyarrow(py)?
        .unbind())
}

/// The native module.
#[pymodule]
fn _patron(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<Engine>()?;
    module.add_function(wrap_pyfunction!(portfolio_inputs, module)?)?;
    module.add_function(wrap_pyfunction!(evaluation_schema, module)?)?;
    module.add_function(wrap_pyfunction!(customer_schema, module)?)?;
    module.add("VERSION", patron::VERSION)?;
    Ok(())
}
