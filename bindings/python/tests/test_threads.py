"""The GIL is released while Rust works: another Python thread makes progress during a long
batch (counted while the batch's call is under way, not timed)."""

from __future__ import annotations

import threading
import time

import patron
from conftest import AS_OF, generate


def test_a_thread_runs_python_while_a_batch_evaluates(tmp_path):
    engine = patron.Engine()
    lines = generate(20000, tmp_path / "customers.jsonl").read_text().splitlines()
    in_call = threading.Event()
    done = threading.Event()
    results = []

    def batch():
        # The generator's last step runs just before the call into Rust.
        def customers():
            yield from lines
            in_call.set()

        results.extend(engine.evaluate_many(customers(), as_of=AS_OF))
        done.set()

    worker = threading.Thread(target=batch)
    worker.start()
    in_call.wait()
    # Holding the GIL, the call would let this loop run only in the moment between the
    # generator's end and the call itself (a switch interval, a few steps): it runs
    # hundreds of steps only if the GIL is released while Rust evaluates.
    steps_during_call = 0
    while not done.is_set():
        time.sleep(0)
        if not done.is_set():
            steps_during_call += 1
    worker.join()
    assert len(results) == 20000
    assert steps_during_call >= 200, steps_during_call


def test_threads_share_one_engine():
    engine = patron.Engine()
    outcomes = {}

    def run(i):
        outcomes[i] = engine.evaluate({"id": f"C-{i}", "grade": "B"}, as_of=AS_OF)["customer_id"]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes == {i: f"C-{i}" for i in range(8)}
