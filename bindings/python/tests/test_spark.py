"""patron.spark on PySpark in local mode: 20,000 generated customers give, row for row, what
`patron eval` gives on the same file — for the default policy and for otc-pharma, whose ABC
needs the portfolio facts across partitions — and 8 partitions give what 1 gives."""

from __future__ import annotations

import json
import math
import subprocess

import pytest

import patron
import patron.spark
from conftest import AS_OF, ROOT, cli, cli_eval, generate

COUNT = 20000
OTC = ROOT / "policies" / "otc-pharma"


@pytest.fixture(scope="module")
def customers(tmp_path_factory):
    return generate(COUNT, tmp_path_factory.mktemp("spark") / "customers.jsonl")


@pytest.fixture(scope="module")
def otc_customers(customers):
    """The same customers on otc-pharma's scale (A, B, C): D, E and F become C."""
    path = customers.with_name("otc-customers.jsonl")
    with customers.open() as source, path.open("w") as out:
        for line in source:
            record = json.loads(line)
            if record.get("grade") in ("D", "E", "F"):
                record["grade"] = "C"
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def read(spark, path, partitions):
    """The file as a DataFrame of exactly `partitions` partitions, rows in file order (one
    partition: the file's splits joined in order with coalesce)."""
    size = path.stat().st_size
    spark.conf.set("spark.sql.files.openCostInBytes", "0")
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(math.ceil(size / max(partitions, 8))))
    df = spark.read.json(str(path))
    if partitions == 1:
        df = df.coalesce(1)
    assert df.rdd.getNumPartitions() == partitions
    return df


def evaluations(df, policy):
    rows = patron.spark.evaluate(df, AS_OF, policy=policy).select(
        "customer_id", "error_message", "evaluation"
    ).collect()
    return [(r.customer_id, r.error_message, r.evaluation) for r in rows]


@pytest.fixture(scope="module")
def otc_eight(spark, otc_customers):
    return evaluations(read(spark, otc_customers, 8), OTC)


@pytest.mark.spark
@pytest.mark.parametrize("policy", [None, OTC], ids=["default", "otc-pharma"])
def test_spark_gives_what_patron_eval_gives(spark, customers, otc_customers, otc_eight, policy):
    if policy == OTC:
        ours, theirs = otc_eight, cli_eval(otc_customers, policy)
    else:
        ours, theirs = evaluations(read(spark, customers, 8), policy), cli_eval(customers, policy)
    assert len(ours) == len(theirs) == COUNT
    mismatches = []
    first = None
    for (customer_id, error, evaluation), cli_item in zip(ours, theirs):
        assert error is None, error
        mine = json.loads(evaluation)
        if mine != cli_item:
            mismatches.append(customer_id)
            if first is None:
                # The fields that differ, both ways, so that a rare mismatch shows its cause.
                first = {
                    key: {"spark": mine.get(key), "patron eval": cli_item.get(key)}
                    for key in sorted(set(mine) | set(cli_item))
                    if mine.get(key) != cli_item.get(key)
                }
    assert not mismatches, (
        f"{len(mismatches)} rows differ, e.g. {mismatches[:5]}; the first: {json.dumps(first)}"
    )


@pytest.mark.spark
def test_eight_partitions_give_what_one_gives(spark, otc_customers, otc_eight):
    assert evaluations(read(spark, otc_customers, 1), OTC) == otc_eight


@pytest.mark.spark
def test_spark_plan_gives_each_owners_plan(spark):
    path = ROOT / "examples" / "customers.json"
    df = spark.read.json(str(path), multiLine=True)
    plans = {r.owner: r for r in patron.spark.plan(df, "2026-12").collect()}
    owners = sorted({c["owner"] for c in json.loads(path.read_text()) if c.get("owner")})
    assert sorted(plans) == owners
    for owner in owners:
        assert plans[owner].error_code is None, plans[owner].error_message
        run = subprocess.run(
            [str(cli()), "plan", str(path), "--month", "2026-12", "--owner", owner, "--format", "json"],
            capture_output=True, text=True, check=True,
        )
        assert json.loads(plans[owner].plan) == json.loads(run.stdout)
    only = patron.spark.plan(df, "2026-12", owner=owners[0]).collect()
    assert [r.owner for r in only] == [owners[0]]


@pytest.mark.spark
def test_the_output_schema_and_error_rows(spark):
    df = spark.createDataFrame([("a", "A"), (None, "B"), ("c", "Q")], "id string, grade string")
    rows = patron.spark.evaluate(df, AS_OF).collect()
    assert [r.customer_id for r in rows] == ["a", None, "c"]
    assert rows[0].error_code is None and rows[0].grade_to
    assert rows[1].error_code == "invalid_input"
    assert rows[2].error_code == "invalid_input" and "Q" in rows[2].error_message


def test_a_policy_that_arrives_changed_is_refused():
    files, digest = patron.spark.policy_files(OTC)
    assert patron.spark._engine(files, digest).info()["hash"] == digest
    changed = dict(files, **{"score.rhai": files["score.rhai"] + "\n// changed in transit\n"})
    with pytest.raises(patron.PolicyError) as refused:
        patron.spark._engine(changed, "sha256:" + "0" * 64)
    assert "driver" in refused.value.message
