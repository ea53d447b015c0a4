"""Cold start: import-and-init time of each function in fresh processes, against a
baseline of bare ``import boto3`` plus one client, measured in the same run; and each
function's package size after ``sam build``.

    .venv/bin/python bench/cold_start.py [--runs 7]

Budget: at most 1.5x the baseline for functions without Stripe, 2x with it.

The machine is shared and its load drifts, so samples are taken in rounds: each round
runs the baseline, the framework floor and every function once, in that order, and a
function's ratio is the median over rounds of (its time / that round's baseline).

The framework floors are what a function here pays before a line of this project runs:
for an API function, boto3 and one client, Powertools' Logger and HTTP event handler, and
the OpenAPI-validation parameter module that pulls in pydantic; for a queue function,
boto3 and one client, Powertools' Logger and batch utilities, and pydantic.
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


def timed(*statements: str) -> str:
    """A program that prints how long ``statements`` take in a fresh interpreter."""
    lines = ["import time; t0 = time.perf_counter()", *statements]
    lines.append("print(json.dumps({'ms': (time.perf_counter() - t0) * 1000}))")
    return "\n".join(lines) + "\n"


BOTO3 = ("import boto3", 'boto3.client("dynamodb")')
BASELINE = timed(*BOTO3)
FLOOR = timed(
    *BOTO3,
    "from aws_lambda_powertools import Logger",
    "from aws_lambda_powertools.event_handler import APIGatewayHttpResolver",
    "from aws_lambda_powertools.event_handler.openapi.params import Query",
)
QUEUE_FLOOR = timed(
    *BOTO3,
    "from aws_lambda_powertools import Logger",
    "from aws_lambda_powertools.utilities.batch import BatchProcessor",
    "from pydantic import BaseModel",
)


# What Lambda does at cold start: import the handler module (module-scope clients and
# configuration happen there or on first use), then the first invocation builds the
# per-process dependencies. Both are timed.
def function_code(module: str) -> str:
    return timed(
        "import importlib",
        f"module = importlib.import_module({module!r})",
        "from hoa_billing.data import aws",
        'aws.client("dynamodb")  # the client the function creates on first use, as the baseline does',
    )


def sample(code: str, env: dict[str, str]) -> float:
    out = subprocess.run(
        [sys.executable, "-c", "import json\n" + code], env=env, capture_output=True, text=True, check=True
    )
    ms: float = json.loads(out.stdout.strip().splitlines()[-1])["ms"]
    return ms


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
    functions = sorted(stack.functions().items())
    codes = {"baseline": BASELINE, "framework floor": FLOOR, "queue floor": QUEUE_FLOOR}
    codes.update({logical: function_code(props["Handler"].rsplit(".", 1)[0]) for logical, props in functions})
    times: dict[str, list[float]] = {name: [] for name in codes}
    ratios: dict[str, list[float]] = {name: [] for name in codes}
    for _ in range(args.runs):
        for name, code in codes.items():
            times[name].append(sample(code, env))
            ratios[name].append(times[name][-1] / times["baseline"][-1])

    baseline = statistics.median(times["baseline"])
    print(f"baseline (import boto3 + one client): {baseline:.0f} ms (median of {args.runs} rounds)")
    print(f"{'function':34} {'init ms':>8} {'ratio':>6} {'budget':>6} {'package MB':>10}  verdict")
    for name in ("framework floor", "queue floor"):
        floor = statistics.median(ratios[name])
        print(f"{'(' + name + ')':34} {statistics.median(times[name]):8.0f} {floor:6.2f}")
    for logical, _props in functions:
        uses_stripe = any("Stripe" in str(layer) for layer in stack.function_setting(logical, "Layers") or [])
        budget = 2.0 if uses_stripe else 1.5
        ratio = statistics.median(ratios[logical])
        size = package_size(stack, logical)
        size_text = f"{size / 1e6:.1f}" if size else "n/a"
        verdict = "ok" if ratio <= budget else "OVER"
        ms = statistics.median(times[logical])
        print(f"{logical:34} {ms:8.0f} {ratio:6.2f} {budget:6.1f} {size_text:>10}  {verdict}")


if __name__ == "__main__":
    main()
