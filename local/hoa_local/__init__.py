"""Runs the stack described by template.yaml without AWS: provisioning into moto,
API Gateway events and routing, Lambda-style consumers, and the local runtime."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
EVENTS = ROOT / "events"
