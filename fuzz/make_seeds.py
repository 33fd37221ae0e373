#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into fuzz/seeds/<target>/ from the shipped
examples (examples/*.json) and policies (policies/*/). Run from anywhere:
`python3 fuzz/make_seeds.py`. The seeds are committed; libFuzzer's growing corpus goes to
fuzz/corpus/ (ignored by git)."""

import hashlib
import json
import pathlib
import shutil

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent
SEEDS = FUZZ / "seeds"
SCRIPTS = ["score.rhai", "promote.rhai", "visits.rhai", "actions.rhai", "labels.rhai"]
HEADER = b"\x00\x00\x00"  # flags 0, as_of = 2026-11-23


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    path = SEEDS / target / hashlib.sha1(data).hexdigest()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def main():
    shutil.rmtree(SEEDS, ignore_errors=True)
    examples = sorted((ROOT / "examples").glob("*.json"))
    records = []
    for path in examples:
        batch = json.loads(path.read_text())
        records.extend(batch)
        # Small batches (four records) keep executions fast.
        for start in range(0, len(batch), 4):
            chunk = batch[start:start + 4]
            lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in chunk)
            write("batch", HEADER + lines.encode())
            if start == 0:
                write("batch", b"\x01\x00\x00" + json.dumps(chunk, indent=1).encode())
                write("plan", b"\x00" + lines.encode() + b"\x00" + b'{"month":"2026-12"}')
    for record in records:
        text = json.dumps(record, ensure_ascii=False)
        write("customer_json", HEADER + text.encode())
    for record in records[:8]:
        write("customer_json", b"\x01\x00\x00" + json.dumps(record).encode())
    write("batch", HEADER + b'{"id":"a"}\nnot json\n[1]\n{"id":"b","grade":"Z"}\n')

    for request in [
        '{"month":"2026-12"}',
        '{"month":"2026-12","owner":"rep-07","visits_per_day":4,"calls_per_week":18}',
        '{"month":"2027-02","non_working_days":["2027-02-10","2027-02-11"],'
        '"working_days":["saturday","2027-02-14"]}',
        '{"month":"2026-12","visits_per_day":0,"calls_per_week":0}',
    ]:
        write("plan", b"\x01" + b"\x00" + request.encode())

    for policy in sorted((ROOT / "policies").iterdir()):
        if not (policy / "policy.toml").is_file():
            continue
        # Another policy's manifest or script with the default's other files mostly fails
        # to load (another vocabulary), which exercises the checks.
        manifest = (policy / "policy.toml").read_text()
        write("policy", b"\x00" + manifest.encode() + b"\x00")
        for index, name in enumerate(SCRIPTS):
            script = policy / name
            if script.is_file():
                write("policy", bytes([index]) + b"\x00" + script.read_bytes())

    first = json.dumps(records[0])
    lines = "\n".join(json.dumps(r) for r in records[:5])
    write(
        "c_abi",
        b"\x00" + first.encode() + b"\x002026-11-23\x00" + lines.encode() + b"\x00"
        + lines.encode() + b'\x00{"month":"2026-12"}\x00dir',
    )
    write("c_abi", b"\x7f")
    write("c_abi", b"\x80" + first.encode() + b"\x00\xff\xfe\x00[]\x00\x00{}")


if __name__ == "__main__":
    main()
