"""patron on Spark: evaluate a DataFrame of customers, partition by partition, with the same
policies and results as the library.

* The **portfolio facts** (revenue and collected-revenue rank and cumulative share, RFM
  quintiles, owner counts by grade) are computed by Spark itself, with window functions over
  the whole DataFrame and a group-by per owner, exactly as the library defines them
  (``src/model/portfolio.rs``: ranks highest first with ties by id, shares summed in input
  order, quintiles ``5 - (first place of the value's tie group * 5 // n)``). The per-record
  measures they rank (``revenue_365``, ``collected_365``, ``purchases_365``,
  ``days_since_purchase``) are derived by the library (:func:`patron._patron.portfolio_inputs`),
  so no rule is written twice.
* They are joined onto each record as its ``portfolio`` struct (a record that brings its own
  keeps it), and ``mapInArrow`` evaluates each partition with
  :meth:`patron.Engine.evaluate_arrow`: one engine per executor process, cached by the
  policy's content hash.
* The policy travels to the executors as its files (name → text, in the task's closure); an
  executor builds its engine from them and checks that its hash is the driver's.
"""

from __future__ import annotations

import datetime
import json
import threading
from typing import TYPE_CHECKING, Any, Dict, Iterator, Mapping, Optional, Tuple, Union

from . import _patron
from ._engine import Engine, _as_of, _plan_request
from ._errors import PolicyError

if TYPE_CHECKING:  # pragma: no cover
    import os

    import pyarrow
    from pyspark.sql import DataFrame

Policy = Union[None, str, "os.PathLike[str]", Mapping[str, str], Engine]

__all__ = ["evaluate", "plan", "policy_files", "portfolio"]

_POS = "__patron_pos"
_ENGINES: Dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def policy_files(policy: Policy = None) -> Tuple[Dict[str, str], str]:
    """The files (name → text) and content hash of ``policy``: ``None`` for the embedded
    default, a policy directory, a dict of files, or an :class:`Engine` (its policy now)."""
    if isinstance(policy, Engine):
        engine = policy
    elif isinstance(policy, Mapping):
        engine = Engine.from_files(policy)
    else:
        engine = Engine(policy)
    return engine.policy_files(), engine.info()["hash"]


def _engine(files: Mapping[str, str], expected_hash: str) -> Engine:
    """This process's engine for the policy ``files`` (built once per process and policy);
    fails when the files that arrived do not hash to the driver's hash."""
    with _ENGINES_LOCK:
        engine = _ENGINES.get(expected_hash)
        if engine is None:
            engine = Engine.from_files(files)
            arrived = engine.info()["hash"]
            if arrived != expected_hash:
                raise PolicyError(
                    f"the policy arrived with hash {arrived}, but the driver sent {expected_hash}"
                )
            _ENGINES[expected_hash] = engine
        return engine


def _today_or(as_of: Any) -> str:
    """The evaluation date for every executor: fixed on the driver (today when ``None``)."""
    text = _as_of(as_of)
    return text if text is not None else datetime.date.today().isoformat()


def _spark_schema(arrow_schema: "pyarrow.Schema") -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(arrow_schema)


def _inputs_partition(as_of: str, key_columns: Tuple[str, ...]):
    """mapInArrow: each row's position and keys, and the measures the library derives."""

    def run(batches: Iterator["pyarrow.RecordBatch"]) -> Iterator["pyarrow.RecordBatch"]:
        import pyarrow as pa

        for batch in batches:
            facts = _patron.portfolio_inputs(batch, as_of)
            columns = [batch.column(_POS)]
            names = [_POS]
            for name in key_columns:
                column = batch.column(name)
                if not pa.types.is_string(column.type):
                    column = column.cast(pa.string())
                columns.append(column)
                names.append(name)
            for name in facts.column_names:
                columns.append(facts.column(name).combine_chunks())
                names.append(name)
            yield pa.RecordBatch.from_arrays(columns, names=names)

    return run


def portfolio(df: "DataFrame", as_of: Any) -> "DataFrame":
    """The portfolio facts of every readable record of ``df`` on ``as_of``, computed with
    Spark: a DataFrame of ``__patron_pos`` (the record's place, from
    ``monotonically_increasing_id`` on ``df``'s rows in order) and ``portfolio``, the struct
    the library reads. ``df`` must already carry the ``__patron_pos`` column."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    as_of = _today_or(as_of)
    keys = tuple(c for c in ("id", "owner", "grade") if c in df.columns)
    fields = [T.StructField(_POS, T.LongType(), False)]
    fields += [T.StructField(k, T.StringType(), True) for k in keys]
    fields += [
        T.StructField("readable", T.BooleanType(), False),
        T.StructField("revenue_365", T.DoubleType(), True),
        T.StructField("collected_365", T.DoubleType(), True),
        T.StructField("purchases_365", T.LongType(), True),
        T.StructField("days_since_purchase", T.LongType(), True),
    ]
    inputs = df.mapInArrow(_inputs_partition(as_of, keys), T.StructType(fields))
    rows = inputs.filter(F.col("readable"))
    ident = F.col("id") if "id" in keys else F.lit(None).cast("string")
    owner = F.col("owner") if "owner" in keys else F.lit(None).cast("string")
    grade = F.coalesce(F.col("grade"), F.lit("(none)")) if "grade" in keys else F.lit("(none)")
    rows = rows.select(
        _POS,
        ident.alias("_id"),
        owner.alias("_owner"),
        grade.alias("_grade"),
        "revenue_365",
        "collected_365",
        "purchases_365",
        # RFM measures as the library ranks them: recency = -(days since the last purchase),
        # never bought = -infinity; frequency = purchases in the last 365 days.
        F.when(F.col("days_since_purchase").isNull(), F.lit(float("-inf")))
        .otherwise(-F.col("days_since_purchase").cast("double"))
        .alias("_recency"),
        F.col("purchases_365").cast("double").alias("_frequency"),
    )

    unbounded, current = Window.unboundedPreceding, Window.currentRow
    whole = Window.partitionBy()
    # Totals summed in input order, as the library sums them (bit for bit).
    in_order = Window.orderBy(_POS).rowsBetween(unbounded, current)
    in_order_all = Window.orderBy(_POS).rowsBetween(unbounded, Window.unboundedFollowing)
    rows = (
        rows.withColumn("_size", F.count(F.lit(1)).over(whole))
        .withColumn("_rev_running_in", F.sum("revenue_365").over(in_order))
        .withColumn("_col_running_in", F.sum("collected_365").over(in_order))
        .withColumn("_rev_total", F.last("_rev_running_in").over(in_order_all))
        .withColumn("_col_total", F.last("_col_running_in").over(in_order_all))
    )
    # Ranks: highest first, ties by id (then by place, as the library's stable sort).
    for measure, prefix in (("revenue_365", "_rev"), ("collected_365", "_col")):
        ranked = Window.orderBy(F.desc(measure), F.asc("_id"), F.asc(_POS))
        rows = rows.withColumn(f"{prefix}_rank", F.row_number().over(ranked)).withColumn(
            f"{prefix}_running", F.sum(measure).over(ranked.rowsBetween(unbounded, current))
        )
    # Quintiles: 5 for the top fifth; equal values share the better quintile.
    rows = _quintiles(rows)

    def share(part: str, total: str) -> Any:
        return F.when(F.col(total) > 0, F.col(part) / F.col(total)).otherwise(F.lit(0.0))

    counts = (
        rows.filter(F.col("_owner").isNotNull())
        .groupBy("_owner", "_grade")
        .count()
        .groupBy("_owner")
        .agg(
            F.sum("count").alias("_owner_customers"),
            F.map_from_entries(F.collect_list(F.struct("_grade", "count"))).alias("_counts"),
        )
    )
    rows = rows.join(F.broadcast(counts), on="_owner", how="left")
    empty = F.map_from_arrays(F.array().cast("array<string>"), F.array().cast("array<bigint>"))
    return rows.select(
        _POS,
        F.struct(
            F.col("_size").cast("bigint").alias("size"),
            F.col("_rev_rank").cast("bigint").alias("revenue_rank"),
            share("revenue_365", "_rev_total").alias("revenue_share"),
            share("_rev_running", "_rev_total").alias("revenue_cum_share"),
            F.col("_col_rank").cast("bigint").alias("collected_rank"),
            share("collected_365", "_col_total").alias("collected_share"),
            share("_col_running", "_col_total").alias("collected_cum_share"),
            F.col("_q_recency").cast("bigint").alias("recency_quintile"),
            F.col("_q_frequency").cast("bigint").alias("frequency_quintile"),
            F.col("_q_monetary").cast("bigint").alias("monetary_quintile"),
            F.coalesce(F.col("_owner_customers"), F.lit(0)).cast("bigint").alias("owner_customers"),
            F.coalesce(F.col("_counts"), empty).alias("owner_grade_counts"),
        ).alias("portfolio"),
    )


def _quintiles(rows: "DataFrame") -> "DataFrame":
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    for measure, name in (
        ("_recency", "_q_recency"),
        ("_frequency", "_q_frequency"),
        ("revenue_365", "_q_monetary"),
    ):
        rows = rows.withColumn(f"{name}_r", F.rank().over(Window.orderBy(F.desc(measure))))
        rows = rows.withColumn(name, F.lit(5) - F.expr(f"((`{name}_r` - 1) * 5) div `_size`"))
    return rows


def _with_portfolio(df: "DataFrame", as_of: str) -> Tuple["DataFrame", int]:
    """``df`` with its place (``__patron_pos``) and ``portfolio`` (the record's own where it
    brings one), range-partitioned by place into as many partitions as ``df`` had."""
    from pyspark.sql import functions as F

    partitions = max(df.rdd.getNumPartitions(), 1)
    based = df.withColumn(_POS, F.monotonically_increasing_id())
    facts = portfolio(based, as_of)
    if "portfolio" in df.columns:
        based = based.withColumnRenamed("portfolio", "__patron_own_portfolio")
    joined = based.join(facts, on=_POS, how="left")
    if "portfolio" in df.columns:
        computed = facts.schema["portfolio"].dataType
        joined = joined.withColumn(
            "portfolio",
            F.coalesce(F.col("__patron_own_portfolio").cast(computed), F.col("portfolio")),
        ).drop("__patron_own_portfolio")
    return joined.repartitionByRange(partitions, _POS).sortWithinPartitions(_POS), partitions


def _evaluate_partition(files: Mapping[str, str], digest: str, as_of: str, explain: bool):
    def run(batches: Iterator["pyarrow.RecordBatch"]) -> Iterator["pyarrow.RecordBatch"]:
        engine = _engine(files, digest)
        for batch in batches:
            if batch.num_rows:
                yield from engine.evaluate_arrow(batch, as_of, explain).to_batches()

    return run


def evaluate(df: "DataFrame", as_of: Any, policy: Policy = None, explain: bool = False) -> "DataFrame":
    """Evaluates every customer of ``df`` (columns as :func:`patron.customer_schema`, as
    Spark reads them from Parquet or JSON Lines) on ``as_of`` with ``policy`` (``None`` for
    the embedded default, a policy directory, a dict of files, or an :class:`Engine`).

    Returns a DataFrame with :meth:`patron.Engine.evaluate_arrow`'s columns, one row per
    input row, in input order within and across partitions (as many as ``df`` had). The
    portfolio facts are computed across the whole DataFrame; a row that could not be read or
    evaluated carries ``error_code`` and ``error_message``."""
    as_of = _today_or(as_of)
    files, digest = policy_files(policy)
    prepared, _ = _with_portfolio(df, as_of)
    schema = _spark_schema(_patron.evaluation_schema())
    return prepared.mapInArrow(_evaluate_partition(files, digest, as_of, explain), schema)


def _plan_group(files: Mapping[str, str], digest: str, request: Mapping[str, Any]):
    def run(table: "pyarrow.Table") -> "pyarrow.Table":
        import pyarrow as pa

        from ._errors import PatronError

        owner = table.column("owner")[0].as_py()
        body = dict(request, owner=owner)
        engine = _engine(files, digest)
        try:
            plan_json, code, message = json.dumps(engine.plan_arrow(table, **body)), None, None
        except PatronError as error:
            plan_json, code, message = None, error.kind, error.message
        return pa.table(
            {
                "owner": [owner],
                "plan": [plan_json],
                "error_code": [code],
                "error_message": [message],
            },
            schema=pa.schema([(name, pa.string()) for name in ("owner", "plan", "error_code", "error_message")]),
        )

    return run


def plan(df: "DataFrame", month: str, owner: Optional[str] = None, policy: Policy = None, **request: Any) -> "DataFrame":
    """Each owner's month plan (``YYYY-MM``) of the customers of ``df``, or only ``owner``'s:
    a DataFrame of ``owner``, ``plan`` (the library's plan as JSON text), ``error_code`` and
    ``error_message`` (a plan that failed, e.g. on a record that cannot be read). The
    evaluations behind the plans use the portfolio facts of the whole DataFrame as of the
    month's first day; records without an owner are in no plan. ``request`` takes the
    library's other plan request fields (``visits_per_day``, ``calls_per_day``, ...)."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    body = _plan_request(month, None, request)
    body.pop("owner", None)
    first_day = f"{month}-01"
    files, digest = policy_files(policy)
    prepared, _ = _with_portfolio(df, first_day)
    prepared = prepared.drop(_POS).filter(F.col("owner").isNotNull())
    if owner is not None:
        prepared = prepared.filter(F.col("owner") == owner)
    schema = T.StructType(
        [
            T.StructField("owner", T.StringType(), True),
            T.StructField("plan", T.StringType(), True),
            T.StructField("error_code", T.StringType(), True),
            T.StructField("error_message", T.StringType(), True),
        ]
    )
    return prepared.groupBy("owner").applyInArrow(_plan_group(files, digest, body), schema)
