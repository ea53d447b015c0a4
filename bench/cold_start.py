"""Cold start: import-and-init time of each function in fresh processes, against a
baseline of bare ``import boto3`` plus one client, measured in the same run; and each
function's package size after ``sam build``.

    .venv/bin/python bench/cold_start.py [--runs 7]

Budget: at most 1.5x the baseline for functions without Stripe, 2x with it.

What is timed is what a cold start does before the first request's own work: import the
handler module, build the function's dependencies (the composition root's builders the
handler calls), and make one DynamoDB client. Two clocks: wall time, and the process's
CPU time. The machine is shared and its load drifts: wall time then counts the waiting
for a CPU too (ratios swing by +-0.3 between runs with a load of 5 on 2 cores), whereas CPU
time counts the work, which is what a cold start on Lambda spends its time on. The
verdict is on the CPU ratio; the wall ratio is printed beside it.

Samples are taken in rounds: each round runs the baseline, the framework floor and every
function once, in that order, and a function's ratio is the median over rounds of (its
time / that round's baseline).

With SnapStart (``ApiSnapStart=PublishedVersions``) an API function's import and build
happen once, before the snapshot; its cold starts are restores, which this machine
cannot measure (AWS reports them as Restore Duration).

The framework floors are what a function here pays before a line of this project runs:
for an API function, boto3 and one client, Powertools' Logger and HTTP event handler, and
the OpenAPI-validation parameter module that pulls in pydantic; for a queue function,
boto3 and one client, Powertools' Logger and batch utilities, and pydantic.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "local")]

from hoa_local.template import Stack  # noqa: E402


def timed(*statements: str) -> str:
    """A program that prints how long ``statements`` take in a fresh interpreter, in wall
    time and in the process's CPU time."""
    lines = ["import time; t0, c0 = time.perf_counter(), time.process_time()", *statements]
    lines.append(
        "print(json.dumps({'ms': (time.perf_counter() - t0) * 1000, 'cpu': (time.process_time() - c0) * 1000}))"
    )
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
def function_code(module: str, builders: list[str]) -> str:
    return timed(
        "import importlib",
        f"module = importlib.import_module({module!r})",
        "from hoa_billing import compose",
        *(f"compose.{builder}()  # what the handler builds on its first invocation" for builder in builders),
        "from hoa_billing.data import aws",
        'aws.client("dynamodb")  # the client the function creates on first use, as the baseline does',
    )


def builders_of(module: str) -> list[str]:
    """The composition root's builders a handler module calls."""
    source = (ROOT / "functions" / Path(*module.split(".")).with_suffix(".py")).read_text(encoding="utf-8")
    return sorted(set(re.findall(r"compose\.(\w+)\b(?!\s*=)", source)) - {"reset"})


def sample(code: str, env: dict[str, str]) -> tuple[float, float]:
    """(wall ms, CPU ms) of one fresh interpreter running ``code``."""
    out = subprocess.run([sys.executable, "-c", "import json\n" + code], env=env, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"a cold start failed:\n{out.stderr}")
    found = json.loads(out.stdout.strip().splitlines()[-1])
    return float(found["ms"]), float(found["cpu"])


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
    # The parameters a deployment supplies: the functions validate their settings on first use.
    parameters = {"SenderEmail": "billing@example.com", "PortalBaseUrl": "https://portal.example.com"}
    stack = Stack(parameters=parameters)
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
    for name, value in list(env.items()):
        if name.endswith("_QUEUE_URL") and not value.startswith("https://"):
            env[name] = f"https://sqs.us-east-1.amazonaws.com/123456789012/{value}"  # as SQS names them
    functions = sorted(stack.functions().items())
    codes = {"baseline": BASELINE, "framework floor": FLOOR, "queue floor": QUEUE_FLOOR}
    for logical, props in functions:
        module = props["Handler"].rsplit(".", 1)[0]
        codes[logical] = function_code(module, builders_of(module))
    walls: dict[str, list[float]] = {name: [] for name in codes}
    cpus: dict[str, list[float]] = {name: [] for name in codes}
    wall_ratios: dict[str, list[float]] = {name: [] for name in codes}
    cpu_ratios: dict[str, list[float]] = {name: [] for name in codes}
    for _ in range(args.runs):
        for name, code in codes.items():
            wall, cpu = sample(code, env)
            walls[name].append(wall)
            cpus[name].append(cpu)
            wall_ratios[name].append(wall / walls["baseline"][-1])
            cpu_ratios[name].append(cpu / cpus["baseline"][-1])

    median = statistics.median
    print(
        f"baseline (import boto3 + one client): {median(cpus['baseline']):.0f} ms CPU, "
        f"{median(walls['baseline']):.0f} ms wall (medians of {args.runs} rounds)"
    )
    print(
        f"{'function':34} {'CPU ms':>7} {'ratio':>6} {'own':>5} {'wall ms':>8} {'ratio':>6} {'budget':>6} {'MB':>5}"
        "  verdict"
    )
    for name in ("framework floor", "queue floor"):
        print(
            f"{'(' + name + ')':34} {median(cpus[name]):7.0f} {median(cpu_ratios[name]):6.2f} "
            f"{median(walls[name]):8.0f} {median(wall_ratios[name]):6.2f}"
        )
    for logical, _props in functions:
        uses_stripe = any("Stripe" in str(layer) for layer in stack.function_setting(logical, "Layers") or [])
        budget = 2.0 if uses_stripe else 1.5
        ratio = median(cpu_ratios[logical])
        size = package_size(stack, logical)
        size_text = f"{size / 1e6:.1f}" if size else "n/a"
        verdict = "ok" if ratio <= budget else "OVER"
        snap = " (SnapStart option)" if stack.functions()[logical].get("SnapStart") else ""
        # What this project adds above the floor its function stands on, x the baseline.
        floor = "framework floor" if snap else "queue floor"
        own = ratio - median(cpu_ratios[floor])
        print(
            f"{logical:34} {median(cpus[logical]):7.0f} {ratio:6.2f} {own:+5.2f} {median(walls[logical]):8.0f} "
            f"{median(wall_ratios[logical]):6.2f} {budget:6.1f} {size_text:>5}  {verdict}{snap}"
        )


if __name__ == "__main__":
    main()
