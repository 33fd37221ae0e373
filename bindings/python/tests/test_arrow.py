"""evaluate_arrow: Arrow in (pyarrow, Polars, pandas), Arrow out, the same evaluations as the
JSON path and the CLI; nulls, empty lists, error rows in place."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

import patron
from conftest import AS_OF, EXAMPLES, POLICIES, cli_eval
from test_engine import records, without_lines

COLUMNS = [
    "customer_id", "score_total", "grade_from", "grade_to", "grade_changed", "stage_from",
    "stage_to", "calls_per_week", "visits_per_month", "next_call_due", "next_visit_due",
    "overdue", "days_overdue", "actions", "error_code", "error_message", "evaluation",
]


def table_of(path):
    """Records as an Arrow table, dates as text (as JSON has them), the shape pyarrow infers."""
    rows = records(path)
    for row in rows:
        if isinstance(row.get("attributes"), dict):
            row["attributes"] = json.dumps(row["attributes"], ensure_ascii=False)
    # pa.array infers one struct type across all rows (from_pylist would take the first's keys).
    return pa.Table.from_struct_array(pa.array(rows))


def test_the_output_has_the_evaluation_columns():
    out = patron.Engine().evaluate_arrow(table_of(EXAMPLES[0]), AS_OF)
    assert isinstance(out, pa.Table)
    assert out.column_names == COLUMNS
    assert out.schema.equals(patron.evaluation_schema())
    assert out.schema.field("next_call_due").type == pa.date32()
    assert out.schema.field("actions").type.value_type.names == ["kind", "due", "reason"]


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_evaluate_arrow_gives_what_patron_eval_gives(example, policy):
    out = patron.Engine(policy).evaluate_arrow(table_of(example), AS_OF)
    theirs = cli_eval(example, policy)
    assert out.num_rows == len(theirs)
    for row, cli_item in zip(out.to_pylist(), theirs):
        if "error" in cli_item:
            # The same error; its place is the row here and the file's line there.
            assert row["error_code"] == cli_item["error"]["kind"]
            assert without_lines(row["error_message"]) == without_lines(cli_item["error"]["message"])
            continue
        assert row["error_code"] is None
        evaluation = json.loads(row["evaluation"])
        assert evaluation == cli_item
        assert row["customer_id"] == cli_item["customer_id"]
        assert row["score_total"] == cli_item["score"]["total"]
        assert row["grade_to"] == cli_item["grade"]["to"]
        assert row["stage_to"] == cli_item["stage"]["to"]
        assert row["calls_per_week"] == cli_item["visits"]["calls_per_week"]
        assert row["overdue"] == cli_item["visits"]["overdue"]
        assert [a["kind"] for a in row["actions"]] == [a["kind"] for a in cli_item["actions"]]
        assert [a["due"].isoformat() for a in row["actions"]] == [a["due"] for a in cli_item["actions"]]


def test_nulls_empty_lists_and_error_rows_keep_their_places():
    table = pa.table(
        {
            "id": ["a", None, "c", "d"],
            "grade": ["A", "B", None, "Q"],
            "purchases": pa.array(
                [[], None, [{"at": "2026-11-01", "amount": 100.0}], []],
                type=pa.list_(pa.struct([("at", pa.string()), ("amount", pa.float64())])),
            ),
        }
    )
    out = patron.Engine().evaluate_arrow(table, AS_OF).to_pylist()
    assert [r["customer_id"] for r in out] == ["a", None, "c", "d"]
    assert out[0]["error_code"] is None and out[2]["error_code"] is None
    assert out[1]["error_code"] == "invalid_input" and "id" in out[1]["error_message"]
    assert out[3]["error_code"] == "invalid_input" and "Q" in out[3]["error_message"]
    assert out[1]["evaluation"] is None and out[1]["actions"] is None
    json_path = patron.Engine().evaluate_many(
        [{"id": "a", "grade": "A", "purchases": []}, {"grade": "B"},
         {"id": "c", "purchases": [{"at": "2026-11-01", "amount": 100.0}]}, {"id": "d", "grade": "Q"}],
        as_of=AS_OF,
    )
    assert json.loads(out[0]["evaluation"]) == json_path[0]
    assert json.loads(out[2]["evaluation"]) == json_path[2]


def test_batches_tables_readers_polars_and_pandas_give_the_same():
    table = table_of(EXAMPLES[0])
    engine = patron.Engine()
    expected = engine.evaluate_arrow(table, AS_OF)
    batches = table.to_batches(max_chunksize=3)
    assert len(batches) > 1
    assert engine.evaluate_arrow(batches, AS_OF).equals(expected)  # one portfolio
    assert engine.evaluate_arrow(pa.Table.from_batches(batches), AS_OF).equals(expected)
    assert engine.evaluate_arrow(pa.RecordBatchReader.from_batches(table.schema, batches), AS_OF).equals(expected)
    import polars as pl

    assert engine.evaluate_arrow(pl.from_arrow(table), AS_OF)["evaluation"].equals(expected["evaluation"])
    simple = pa.table({"id": ["x", "y"], "grade": ["A", None], "region": ["same_city", None]})
    from_pandas = engine.evaluate_arrow(simple.to_pandas(), AS_OF)
    assert from_pandas.equals(engine.evaluate_arrow(simple, AS_OF))
    back = from_pandas.to_pandas()
    assert list(back["customer_id"]) == ["x", "y"]


def test_a_slice_with_a_struct_in_a_struct_gives_what_its_rows_give():
    """A sliced table or batch (its columns at an offset) is read as the rows it shows, also
    when a column is a struct inside a struct (a record's ``portfolio`` with its
    ``owner_grade_counts``), which arrow-rs could not import at an offset."""
    rows = [
        {
            "id": f"C-{k}",
            "grade": "B",
            "portfolio": {
                "size": 6, "revenue_rank": k + 1, "revenue_share": 0.1, "revenue_cum_share": 0.1 * (k + 1),
                "collected_rank": k + 1, "collected_share": 0.1, "collected_cum_share": 0.1 * (k + 1),
                "recency_quintile": 1 + k % 5, "frequency_quintile": 3, "monetary_quintile": 5 - k % 5,
                "owner_customers": 6, "owner_grade_counts": {"A": k, "B": 6 - k},
            },
        }
        for k in range(6)
    ]
    table = pa.Table.from_struct_array(pa.array(rows))
    engine = patron.Engine()
    for start, length in [(1, 3), (2, 4), (5, 1)]:
        part = table.slice(start, length)
        copy = pa.Table.from_pylist(part.to_pylist(), schema=table.schema)
        expected = engine.evaluate_arrow(copy, AS_OF)
        assert expected["customer_id"].to_pylist() == [f"C-{k}" for k in range(start, start + length)]
        assert expected["error_code"].null_count == length  # every row evaluated
        assert engine.evaluate_arrow(part, AS_OF).equals(expected)
        assert engine.evaluate_arrow(table.to_batches()[0].slice(start, length), AS_OF).equals(expected)
        assert engine.plan_arrow(part, "2026-12") == engine.plan_arrow(copy, "2026-12")
        # The same rows as a reader of sliced batches, and through another producer's
        # PyCapsule stream (the reader's, not a pyarrow type as such).
        reader = pa.RecordBatchReader.from_batches(table.schema, [table.to_batches()[0].slice(start, length)])
        assert engine.evaluate_arrow(reader, AS_OF).equals(expected)
        assert engine.evaluate_arrow(_Capsules(part), AS_OF).equals(expected)
        assert engine.evaluate_arrow(_Capsules(part.to_batches()[0]), AS_OF).equals(expected)


class _Capsules:
    """An Arrow producer that is not a pyarrow type: only the PyCapsule methods of the
    table or batch it wraps (as Polars, DuckDB or nanoarrow data present themselves)."""

    def __init__(self, data):
        if isinstance(data, pa.RecordBatch):
            self.__arrow_c_array__ = data.__arrow_c_array__
        else:
            self.__arrow_c_stream__ = data.__arrow_c_stream__


def test_an_empty_table_gives_an_empty_table():
    out = patron.Engine().evaluate_arrow(pa.table({"id": pa.array([], pa.string())}), AS_OF)
    assert out.num_rows == 0 and out.column_names == COLUMNS
    with pytest.raises(ValueError):
        patron.Engine().evaluate_arrow([], AS_OF)
