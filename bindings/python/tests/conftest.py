"""Shared fixtures: the repository, the CLI to compare with, and one SparkSession."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
AS_OF = "2026-11-23"
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
POLICIES = sorted(p for p in (ROOT / "policies").iterdir() if (p / "policy.toml").is_file())


def cli() -> Path:
    path = Path(os.environ.get("PATRON_CLI", ROOT / "target" / "debug" / "patron"))
    if not path.is_file():
        pytest.fail(f"the CLI {path} is missing: build it (cargo build -p patron-cli) or set PATRON_CLI")
    return path


def cli_eval(path: Path, policy: Path | None = None, as_of: str = AS_OF) -> list:
    """`patron eval FILE --format jsonl`: one dict per record (errors as their items)."""
    args = [str(cli()), "eval", str(path), "--as-of", as_of, "--format", "jsonl"]
    if policy is not None:
        args += ["--policy", str(policy)]
    run = subprocess.run(args, capture_output=True, text=True)
    if run.returncode not in (0, 1) or not run.stdout:
        pytest.fail(f"{' '.join(args)} failed ({run.returncode}): {run.stderr}")
    return [json.loads(line) for line in run.stdout.splitlines() if line.strip()]


def generate(count: int, out: Path, seed: int = 19) -> Path:
    """`count` customers as JSON Lines from the repository's generator (deterministic)."""
    subprocess.run(
        [sys.executable, str(ROOT / "benches" / "gen_customers.py"), str(count), "--seed", str(seed), "-o", str(out)],
        check=True,
    )
    return out


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("patron-tests")
        .config("spark.driver.memory", "1g")
        .config("spark.executor.memory", "1g")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
