"""Cold start: import-and-init time of each function in fresh processes, against a
baseline of bare ``import boto3`` plus one client, measured in the same run; and each
function's package size after ``sam build``.

    .venv/bin/python bench/cold_start.py [--runs 7]

Budget: at most 1.5x the baseline for functions without Stripe, 2x with it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "local")]

from hoa_local.template import Stack  # noqa: E402

BASELINE = """
import time; t0 = time.perf_counter()
import boto3
boto3.client("dynamodb")
print(json.dumps({"ms": (time.perf_counter() - t0) * 1000}))
"""

# What Lambda does at cold start: import the handler module (module-scope clients and
# configuration happen there or on first use), then the first invocation builds the
# per-process dependencies. Both are timed.
FUNCTION = """
import time; t0 = time.perf_counter()
import importlib
module = importlib.import_module({module!r})
from hoa_billing import aws
aws.client("dynamodb")  # the client the function creates on first use, as the baseline does
print(json.dumps({{"ms": (time.perf_counter() - t0) * 1000}}))
"""


def measure(code: str, env: dict[str, str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", "import json\n" + code], env=env, capture_output=True, text=True, check=True
        )
        samples.append(json.loads(out.stdout.strip().splitlines()[-1])["ms"])
    return statistics.median(samples)


def package_size(stack: Stack, logical: str) -> int | None:
    build = ROOT / ".aws-sam" / "build"
    if not build.exists():
        return None
    total = 0
    layers = stack.function_setting(logical, "Layers") or []
    for target in [logical] + [layer["Ref"] for layer in layers if isinstance(layer, dict)]:
        for path in (build / target).rglob("*"):
            if path.is_file():
                total += path.stat().st_size
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    stack = Stack()
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in ("layers/hoa_billing", "functions")),
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "x",
            "AWS_SECRET_ACCESS_KEY": "x",
            "PYTHONDONTWRITEBYTECODE": "",
        }
    )
    for logical in stack.functions():
        env.update({k: v for k, v in stack.function_environment(logical).items() if k not in env})
    baseline = measure(BASELINE, env, args.runs)
    print(f"baseline (import boto3 + one client): {baseline:.0f} ms (median of {args.runs})")
    print(f"{'function':34} {'init ms':>8} {'ratio':>6} {'budget':>6} {'package MB':>10}  verdict")
    for logical, props in sorted(stack.functions().items()):
        module = props["Handler"].rsplit(".", 1)[0]
        uses_stripe = any("Stripe" in str(layer) for layer in stack.function_setting(logical, "Layers") or [])
        budget = 2.0 if uses_stripe else 1.5
        ms = measure(FUNCTION.format(module=module), env, args.runs)
        size = package_size(stack, logical)
        size_text = f"{size / 1e6:.1f}" if size else "n/a"
        ratio = ms / baseline
        verdict = "ok" if ratio <= budget else "OVER"
        print(f"{logical:34} {ms:8.0f} {ratio:6.2f} {budget:6.1f} {size_text:>10}  {verdict}")


if __name__ == "__main__":
    main()
