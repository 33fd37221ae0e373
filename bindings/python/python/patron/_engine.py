"""``patron.Engine``: the native engine with Python values in and out (dicts, dates, Arrow)."""

from __future__ import annotations

import datetime
import json
import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Union

from . import _patron
from ._errors import PatronError, error_for

Customer = Union[Mapping[str, Any], str, bytes]
AsOf = Union[str, datetime.date, None]
PathLike = Union[str, "os.PathLike[str]"]


def _as_of(as_of: AsOf) -> Optional[str]:
    """``YYYY-MM-DD`` for the library; ``None`` means today (the machine's local date)."""
    if as_of is None or isinstance(as_of, str):
        return as_of
    if isinstance(as_of, datetime.datetime):
        return as_of.date().isoformat()
    if isinstance(as_of, datetime.date):
        return as_of.isoformat()
    raise TypeError(f"as_of must be a date or a YYYY-MM-DD string, not {type(as_of).__name__}")


def _json_text(customer: Any) -> str:
    """One record as JSON text: a str or bytes is taken as JSON text, anything else is
    serialised with ``json.dumps``."""
    if isinstance(customer, bytes):
        customer = customer.decode("utf-8")
    if isinstance(customer, str):
        return customer
    return json.dumps(customer, ensure_ascii=False, separators=(",", ":"))


def _json_line(customer: Any) -> str:
    """One record as one line of JSON Lines. Line breaks in JSON text are whitespace (a raw
    line break inside a string is invalid JSON either way), so they become spaces; a blank
    record becomes ``null`` so that it keeps its place and fails as invalid input."""
    text = _json_text(customer).replace("\r", " ").replace("\n", " ")
    return text if text.strip() else "null"


def _json_lines(customers: Iterable[Any]) -> str:
    if isinstance(customers, (str, bytes, Mapping)):
        raise TypeError("expected an iterable of customers (dicts or JSON texts), not one record")
    return "\n".join(_json_line(c) for c in customers)


def _plan_request(month: str, owner: Optional[str], request: Mapping[str, Any]) -> Dict[str, Any]:
    """The library's plan request as a dict: dates become ``YYYY-MM-DD``."""
    body: Dict[str, Any] = {"month": month}
    if owner is not None:
        body["owner"] = owner
    for key, value in request.items():
        if isinstance(value, datetime.date):
            value = _as_of(value)
        elif isinstance(value, (list, tuple)):
            value = [_as_of(v) if isinstance(v, datetime.date) else v for v in value]
        body[key] = value
    return body


def _unsliced(data: Any) -> Any:
    """``data``, or for Arrow data whose columns start at a slice offset (``table.slice(…)``)
    the same rows copied to start at none: arrow-rs (59) panics importing a sliced struct
    inside a struct over the C data interface (such as a record's
    ``portfolio.owner_grade_counts``; apache/arrow-rs#6151 and #7750 are of that kind).

    A ``pyarrow.Table`` or ``RecordBatch`` is checked as it is; a ``RecordBatchReader`` is
    read through a reader that checks each batch as it comes; anything else that speaks the
    Arrow PyCapsule interface (a Polars DataFrame, another library's stream or array) is
    first imported by pyarrow, which reads offsets correctly, without a copy. Data that is
    not sliced passes without a copy. Without pyarrow, ``data`` passes as it is."""
    try:
        import pyarrow as pa
    except ImportError:
        return data
    if isinstance(data, pa.Table):
        sliced = any(chunk.offset for column in data.columns for chunk in column.chunks)
    elif isinstance(data, pa.RecordBatch):
        sliced = any(column.offset for column in data.columns)
    elif isinstance(data, pa.RecordBatchReader):
        return pa.RecordBatchReader.from_batches(data.schema, (_unsliced(batch) for batch in data))
    elif hasattr(data, "__arrow_c_stream__"):
        return _unsliced(pa.RecordBatchReader.from_stream(data))
    elif hasattr(data, "__arrow_c_array__"):
        return _unsliced(pa.record_batch(data))
    else:
        return data
    if not sliced:
        return data
    return data.take(pa.array(range(data.num_rows), type=pa.int64()))


def customer_schema() -> Any:
    """The ``pyarrow.Schema`` of the records :meth:`Engine.evaluate_arrow` reads best (any
    column may be missing; Spark's, Parquet's, pandas' and Polars' types are read too)."""
    return _patron.customer_schema()


def evaluation_schema() -> Any:
    """The ``pyarrow.Schema`` of :meth:`Engine.evaluate_arrow`'s output."""
    return _patron.evaluation_schema()


class Engine:
    """A patron engine serving one policy: the directory ``policy_dir``, or the embedded
    default policy when ``None``. Thread-safe; the GIL is released while the library works.

    Errors raise :class:`patron.PatronError` subclasses (``code``, ``kind``, ``message``).
    """

    __slots__ = ("_native",)

    def __init__(self, policy_dir: Optional[PathLike] = None) -> None:
        self._native = _patron.Engine(None if policy_dir is None else os.fspath(policy_dir))

    @classmethod
    def from_files(cls, files: Mapping[str, str]) -> "Engine":
        """An engine serving the policy made of ``files`` (name relative to the policy
        directory → text), e.g. another engine's :meth:`policy_files`."""
        engine = cls.__new__(cls)
        engine._native = _patron.Engine.from_files(sorted(files.items()))
        return engine

    def policy_files(self) -> Dict[str, str]:
        """The files of the policy serving now: name → text."""
        return dict(self._native.policy_files())

    def evaluate(self, customer: Customer, as_of: AsOf = None, explain: bool = False) -> Dict[str, Any]:
        """Evaluates one customer (a dict, or JSON text) on ``as_of`` (today when ``None``);
        the evaluation as a dict. A record that brings no ``portfolio`` facts has none."""
        text = self._native.evaluate(_json_text(customer), _as_of(as_of), explain)
        return json.loads(text)

    def evaluate_many(
        self, customers: Iterable[Customer], as_of: AsOf = None, explain: bool = False
    ) -> List[Union[Dict[str, Any], PatronError]]:
        """Evaluates customers (dicts or JSON texts) as one portfolio (ranks, shares and
        quintiles across them). One item per customer, in order: its evaluation, or — in its
        place, not raised — the :class:`PatronError` of that record, whose ``index`` is its
        0-based place (``line`` = index + 1) and ``customer_id`` its id when it had one."""
        text = self._native.evaluate_many(_json_lines(customers), _as_of(as_of), explain)
        results: List[Union[Dict[str, Any], PatronError]] = []
        for item in json.loads(text):
            if "error" in item and "line" in item and "grade" not in item:
                error = item["error"]
                results.append(
                    error_for(
                        error["code"],
                        error["kind"],
                        error["message"],
                        item.get("customer_id"),
                        item["line"],
                        item["line"] - 1,
                    )
                )
            else:
                results.append(item)
        return results

    def plan(
        self,
        customers: Iterable[Customer],
        month: str,
        owner: Optional[str] = None,
        **request: Any,
    ) -> Dict[str, Any]:
        """The month plan (``YYYY-MM``) of ``customers``, of one ``owner``'s when given. The
        other keyword arguments are the library's plan request fields as they are
        (``visits_per_day``, ``calls_per_day``, ``min_calls_per_week``,
        ``non_working_days``, ``working_days``, ...). A record that cannot be read fails
        the plan with its error."""
        body = _plan_request(month, owner, request)
        text = self._native.plan(_json_lines(customers), json.dumps(body))
        return json.loads(text)

    def evaluate_arrow(self, data: Any, as_of: AsOf = None, explain: bool = False) -> Any:
        """Evaluates Arrow data as one portfolio; a ``pyarrow.Table`` with one row per input
        row, in order: ``customer_id``, ``score_total``, ``grade_from``, ``grade_to``,
        ``grade_changed``, ``stage_from``, ``stage_to``, ``calls_per_week``,
        ``visits_per_month``, ``next_call_due``, ``next_visit_due``, ``overdue``,
        ``days_overdue``, ``actions`` (list of ``{kind, due, reason}``), ``error_code``,
        ``error_message`` (a row that could not be read or evaluated) and ``evaluation``
        (the full evaluation as JSON text).

        ``data`` is anything that speaks the Arrow PyCapsule interface — a ``pyarrow.Table``,
        ``RecordBatch`` or ``RecordBatchReader``, a Polars DataFrame, a pandas DataFrame
        (through pyarrow) — or a list of ``pyarrow.RecordBatch``. Columns follow
        :func:`customer_schema` (nested lists of structs as Spark and Parquet write them);
        the batches pass to Rust without copying, through the Arrow C data interface (a
        sliced table, batch or reader's batch is copied first, see ``_unsliced``)."""
        if isinstance(data, (list, tuple)):
            import pyarrow as pa

            if not data:
                raise ValueError("evaluate_arrow needs at least one record batch (or a table)")
            data = pa.Table.from_batches(list(data))
        elif not (hasattr(data, "__arrow_c_stream__") or hasattr(data, "__arrow_c_array__")):
            import pyarrow as pa

            data = pa.table(data)
        return self._native.evaluate_arrow(_unsliced(data), _as_of(as_of), explain)

    def plan_arrow(self, data: Any, month: str, owner: Optional[str] = None, **request: Any) -> Dict[str, Any]:
        """:meth:`plan` for Arrow data (as :meth:`evaluate_arrow` takes it)."""
        body = _plan_request(month, owner, request)
        if isinstance(data, (list, tuple)):
            import pyarrow as pa

            data = pa.Table.from_batches(list(data))
        return json.loads(self._native.plan_arrow(_unsliced(data), json.dumps(body)))

    def info(self) -> Dict[str, Any]:
        """The policy serving now: name, version, ``hash``, grades, stages, limits, params,
        files, tiers, rules and entries (``patron info``'s document)."""
        return json.loads(self._native.info())

    def reload(self, policy_dir: PathLike) -> Dict[str, Any]:
        """Loads, checks and tests the policy in ``policy_dir``, then swaps it in; its
        name, version and hash. On failure (a :class:`PolicyError`) the current policy
        keeps serving."""
        return json.loads(self._native.reload(os.fspath(policy_dir)))

    def __repr__(self) -> str:
        info = self.info()
        return f"patron.Engine({info['name']} {info['version']}, {info['hash'][:19]}…)"
