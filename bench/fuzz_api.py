"""The long API fuzz run: Schemathesis against the local runtime, many cases per operation.

    .venv/bin/python bench/fuzz_api.py [--max-examples 500] [--seed N] [--workers 1]

Starts the runtime on a free port with demo data, fuzzes every operation of
docs/openapi.json (see tests/fuzz/), prints Schemathesis' report and then a summary:
operations, test cases, failures, responses by status. Exits non-zero on any finding.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "local"), str(ROOT / "layers" / "hoa_billing")]

from tests.fuzz.api_fuzz import run  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=500, help="generated cases per operation")
    parser.add_argument("--seed", type=int, default=20260501)
    parser.add_argument("--workers", default="1", help="Schemathesis workers (1-64 or auto)")
    parser.add_argument("--keep", action="store_true", help="keep the state directory (report, ids, statuses)")
    args = parser.parse_args(argv)
    state_dir = Path(tempfile.mkdtemp(prefix="hoa-fuzz-"))
    started = time.monotonic()
    result = run(
        state_dir, max_examples=args.max_examples, seed=args.seed, extra_args=("--workers", args.workers), echo=True
    )
    summary = result.summary() | {"max_examples": args.max_examples, "seed": args.seed}
    summary["wall_time_s"] = round(time.monotonic() - started, 1)
    print("\nResponses by operation and status:")
    for operation, counts in sorted(result.statuses.items()):
        print(f"  {operation:<70} " + " ".join(f"{code}:{n}" for code, n in sorted(counts.items())))
    print("\nSummary:")
    print(json.dumps(summary, indent=2))
    if args.keep:
        print(f"state kept in {state_dir}")
    else:
        shutil.rmtree(state_dir, ignore_errors=True)
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
