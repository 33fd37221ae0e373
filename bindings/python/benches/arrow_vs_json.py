"""Rows per second of Engine.evaluate_arrow against the JSON Lines path, on the same customers.

    python benches/gen_customers.py 100000 -o target/customers-100k.jsonl
    target/pyenv/bin/python bindings/python/benches/arrow_vs_json.py target/customers-100k.jsonl

* JSON Lines: ``Engine.evaluate_many`` on the file's lines (JSON text in, dicts out), and the
  native call alone (JSON text in, one JSON array text out, no Python parsing);
* Arrow: ``Engine.evaluate_arrow`` on the same customers read once into a pyarrow Table (with
  ``pyarrow.json``); the reading is not timed, as a lake hands over Parquet or Arrow.

Each is run ``--runs`` times (default 3) after one warm-up; the best run is reported.
"""

from __future__ import annotations

import argparse
import time

import pyarrow.json as pajson

import patron

AS_OF = "2026-11-23"


def best(runs, work):
    work()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("customers", help="JSON Lines (benches/gen_customers.py)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--policy")
    args = parser.parse_args()
    engine = patron.Engine(args.policy)
    with open(args.customers, encoding="utf-8") as f:
        text = f.read()
    lines = text.splitlines()
    table = pajson.read_json(args.customers)
    rows = table.num_rows
    assert rows == len(lines)
    figures = {
        "evaluate_many (JSON text in, dicts out)": best(args.runs, lambda: engine.evaluate_many(lines, AS_OF)),
        "native JSON Lines call (text in, text out)": best(
            args.runs, lambda: engine._native.evaluate_many(text, AS_OF, False)
        ),
        "evaluate_arrow (Arrow in, Arrow out)": best(args.runs, lambda: engine.evaluate_arrow(table, AS_OF)),
    }
    print(f"{rows} customers, policy {engine.info()['name']}:")
    for name, seconds in figures.items():
        print(f"  {name:45} {seconds:7.3f} s  {rows / seconds:10,.0f} rows/s")


if __name__ == "__main__":
    main()
