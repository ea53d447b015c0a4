"""Reads template.yaml so tests and the local runtime build exactly what it declares."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from hoa_local import TEMPLATE


class TemplateError(ValueError):
    pass


@lru_cache(maxsize=4)
def load(path: Path = TEMPLATE) -> dict[str, Any]:
    """The template as cfn-lint reads it: short-form tags (``!Ref``, ``!Sub``,
    ``!GetAtt A.B``) become their long forms (``{"Ref": ...}``, ``{"Fn::GetAtt": [A, B]}``)."""
    # Imported here, not above: importing cfnlint loads the whole linter (seconds), which
    # commands that never read the template should not pay for.
    from cfnlint.decode import decode

    template, problems = decode(str(path))
    if template is None:
        raise TemplateError(f"{path} could not be read: " + "; ".join(str(problem) for problem in problems))
    return template


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str
    event_name: str
    handler: str
    authorized: bool

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method != self.method:
            return None
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.path)
        found = re.fullmatch(pattern, path)
        return found.groupdict() if found else None


@dataclass
class Stack:
    """The template, with physical names for its resources and values for its parameters."""

    name: str = "hoa-local"
    region: str = "us-east-1"
    account: str = "123456789012"
    parameters: dict[str, str] = field(default_factory=dict)
    template: dict[str, Any] = field(default_factory=load)
    # What Ref / GetAtt of a provisioned resource gives: {"InvoicesTable": {"Ref": ..., "Arn": ...}}
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        return {
            logical: body.get("Properties", {})
            for logical, body in self.template["Resources"].items()
            if body["Type"] == kind
        }

    def physical_name(self, logical: str) -> str:
        return f"{self.name}-{logical}"

    def parameter(self, name: str) -> str:
        if name in self.parameters:
            return self.parameters[name]
        return str(self.template["Parameters"][name].get("Default", ""))

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self._ref(arg)
            if key == "Fn::GetAtt":
                logical, attribute = arg
                return self.attributes[logical][attribute]
            if key == "Fn::Sub":
                return re.sub(r"\$\{([\w.:]+)\}", lambda m: self._sub(m.group(1)), arg)
            if key == "Fn::FindInMap":
                mapping, top, second = (str(self.resolve(v)) for v in arg)
                return self.template["Mappings"][mapping][top][second]
            if key == "Fn::Split":
                delimiter, source = arg
                return str(self.resolve(source)).split(delimiter)
            if key == "Fn::If":
                condition, when_true, when_false = arg
                return self.resolve(when_true if self.condition(condition) else when_false)
            if key == "Fn::Equals":
                left, right = (self.resolve(v) for v in arg)
                return str(left) == str(right)
            if key == "Fn::Not":
                return not self.resolve(arg[0])
            if key == "Fn::And":
                return all(self.resolve(v) for v in arg)
            if key == "Fn::Or":
                return any(self.resolve(v) for v in arg)
            if key == "Condition":
                return self.condition(arg)
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def condition(self, name: str) -> bool:
        return bool(self.resolve(self.template.get("Conditions", {})[name]))

    def _ref(self, name: str) -> str:
        pseudo = {"AWS::Region": self.region, "AWS::AccountId": self.account, "AWS::StackName": self.name}
        if name in pseudo:
            return pseudo[name]
        if name in self.template.get("Parameters", {}):
            return self.parameter(name)
        return self.attributes.get(name, {}).get("Ref", self.physical_name(name))

    def _sub(self, expression: str) -> str:
        if "." in expression and not expression.startswith("AWS::"):
            logical, attribute = expression.split(".", 1)
            return self.attributes[logical][attribute]
        return self._ref(expression)

    # -- functions ------------------------------------------------------------------

    def functions(self) -> dict[str, dict[str, Any]]:
        return self.resources("AWS::Serverless::Function")

    def function_environment(self, logical: str) -> dict[str, str]:
        globals_env = self.template.get("Globals", {}).get("Function", {}).get("Environment", {})
        own_env = self.functions()[logical].get("Environment", {})
        merged = {**globals_env.get("Variables", {}), **own_env.get("Variables", {})}
        return {key: str(self.resolve(value)) for key, value in merged.items()}

    def function_setting(self, logical: str, setting: str) -> Any:
        own = self.functions()[logical].get(setting)
        if own is not None:
            return own
        return self.template.get("Globals", {}).get("Function", {}).get(setting)

    def routes(self) -> list[Route]:
        routes = []
        for logical, props in self.functions().items():
            for event_name, event in (props.get("Events") or {}).items():
                if event["Type"] != "HttpApi":
                    continue
                details = event["Properties"]
                auth = details.get("Auth", {}).get("Authorizer")
                routes.append(
                    Route(
                        method=details["Method"].upper(),
                        path=details["Path"],
                        function=logical,
                        event_name=event_name,
                        handler=props["Handler"],
                        authorized=auth != "NONE",
                    )
                )
        # Literal segments win over parameters ("/invoices/summary" before "/invoices/{id}").
        return sorted(routes, key=lambda r: (r.path.count("{"), -len(r.path)))

    def events_of(self, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
        """(function logical id, event name, properties) for every event of ``kind``."""
        return [
            (logical, name, event.get("Properties", {}))
            for logical, props in self.functions().items()
            for name, event in (props.get("Events") or {}).items()
            if event["Type"] == kind
        ]
