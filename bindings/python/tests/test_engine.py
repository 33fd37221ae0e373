"""The Engine with dicts and JSON text: round trips, errors, plan, info and reload."""

from __future__ import annotations

import datetime
import json
import re

import pytest

import patron
from conftest import AS_OF, EXAMPLES, POLICIES, ROOT, cli, cli_eval


def records(path):
    text = path.read_text()
    return json.loads(text) if text.lstrip().startswith("[") else [json.loads(l) for l in text.splitlines() if l.strip()]


def without_lines(message):
    """An error message without its line: JSON Lines number records by line, a pretty-printed
    JSON array file by the line a record starts on, and Arrow by row."""
    return re.sub(r"line \d+", "line N", message)


def test_evaluate_takes_a_dict_or_json_text_and_gives_a_dict():
    engine = patron.Engine()
    customer = {"id": "C-7", "grade": "A", "grade_since": "2026-01-10", "region": "same_city",
                "interactions": [{"at": "2026-11-18", "kind": "call"}]}
    from_dict = engine.evaluate(customer, as_of=AS_OF)
    from_text = engine.evaluate(json.dumps(customer), as_of=datetime.date(2026, 11, 23))
    assert from_dict == from_text
    assert from_dict["customer_id"] == "C-7"
    assert from_dict["visits"]["calls_per_week"] == 2.0
    assert from_dict["visits"]["overdue"] is True
    assert "trace" not in from_dict or from_dict["trace"] is None
    explained = engine.evaluate(customer, as_of=AS_OF, explain=True)
    assert explained["trace"]


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_evaluate_many_gives_what_patron_eval_gives(example, policy):
    engine = patron.Engine(policy)
    ours = engine.evaluate_many(records(example), as_of=AS_OF)
    theirs = cli_eval(example, policy)
    assert len(ours) == len(theirs)
    for mine, cli_item in zip(ours, theirs):
        if isinstance(mine, patron.PatronError):
            assert (mine.code, mine.kind) == (cli_item["error"]["code"], cli_item["error"]["kind"])
            assert without_lines(mine.message) == without_lines(cli_item["error"]["message"])
        else:
            assert mine == cli_item


def test_evaluate_many_puts_errors_in_place_with_the_records_place():
    engine = patron.Engine()
    results = engine.evaluate_many(
        [{"id": "ok-1"}, "{not json", {"id": 5}, "", {"id": "ok-2", "grade": "Z"}, '{"id":\n"ok-3"}'],
        as_of=AS_OF,
    )
    assert [type(r) for r in results] == [
        dict, patron.InvalidJsonError, patron.InvalidInputError, patron.InvalidInputError,
        patron.InvalidInputError, dict,
    ]
    bad_json, wrong_type, blank, unknown_grade = results[1:5]
    assert (bad_json.index, bad_json.line, bad_json.code, bad_json.kind) == (1, 2, 3, "invalid_json")
    assert (wrong_type.index, wrong_type.customer_id, wrong_type.code) == (2, "5", 4)
    assert "`id`" in wrong_type.message
    assert blank.index == 3
    assert (unknown_grade.index, unknown_grade.customer_id) == (4, "ok-2")
    assert "Z" in unknown_grade.message
    assert results[5]["customer_id"] == "ok-3"
    assert all(isinstance(e, patron.PatronError) for e in results[1:5])


def test_errors_raise_with_code_kind_and_message():
    engine = patron.Engine()
    with pytest.raises(patron.InvalidJsonError) as bad_json:
        engine.evaluate("{", as_of=AS_OF)
    assert (bad_json.value.code, bad_json.value.kind) == (3, "invalid_json")
    with pytest.raises(patron.InvalidInputError) as missing:
        engine.evaluate({"grade": "A"}, as_of=AS_OF)
    assert missing.value.code == 4 and "id" in missing.value.message
    with pytest.raises(patron.InvalidInputError) as bad_date:
        engine.evaluate({"id": "x"}, as_of="2026-13-45")
    assert "as_of" in bad_date.value.message
    with pytest.raises(patron.PolicyError) as no_policy:
        patron.Engine(ROOT / "no-such-policy")
    assert no_policy.value.code == 5 and no_policy.value.kind == "policy"
    assert isinstance(no_policy.value, patron.PatronError)


def test_info_reload_and_policy_files():
    engine = patron.Engine()
    info = engine.info()
    assert info["name"] == "default" and info["hash"].startswith("sha256:")
    stamp = engine.reload(ROOT / "policies" / "otc-pharma")
    assert stamp["name"] == "otc-pharma"
    assert engine.info()["hash"] == stamp["hash"] == patron.Engine(ROOT / "policies" / "otc-pharma").info()["hash"]
    with pytest.raises(patron.PolicyError):
        engine.reload(ROOT / "no-such-policy")
    assert engine.info()["hash"] == stamp["hash"]  # the current policy keeps serving
    copy = patron.Engine.from_files(engine.policy_files())
    assert copy.info()["hash"] == stamp["hash"]
    files = engine.policy_files()
    files["score.rhai"] += "\n// changed\n"
    assert patron.Engine.from_files(files).info()["hash"] != stamp["hash"]


def test_plan_mirrors_the_librarys_request():
    import subprocess

    engine = patron.Engine()
    customers = records(ROOT / "examples" / "customers.json")
    owner = next(c["owner"] for c in customers if c.get("owner"))
    plan = engine.plan(customers, "2026-12", owner=owner, visits_per_day=3)
    assert plan["entries"]
    assert all(e.get("customer_id") is None or any(c["id"] == e["customer_id"] and c.get("owner") == owner for c in customers)
               for e in plan["entries"])
    run = subprocess.run(
        [str(cli()), "plan", str(ROOT / "examples" / "customers.json"), "--month", "2026-12",
         "--owner", owner, "--visits-per-day", "3", "--format", "json"],
        capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == plan
    with pytest.raises(patron.InvalidInputError) as bad_month:
        engine.plan(customers, "2026-13")
    assert "month" in bad_month.value.message
