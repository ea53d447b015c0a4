"""The whole stack on one machine: moto's server as the embedded AWS, template.yaml's
resources provisioned into it, the HTTP API on localhost, event sources with Lambda's
semantics, schedules, sent email as files, and demo data.

Every function runs in this process with the environment template.yaml gives it, and
boto3 pointed at the embedded AWS through ``AWS_ENDPOINT_URL``.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import boto3
from moto.server import ThreadedMotoServer
from werkzeug.serving import BaseWSGIServer
from werkzeug.wrappers import Request, Response

from hoa_local import ROOT, ses_refusals
from hoa_local.api_docs import api_docs
from hoa_local.apigw import Router
from hoa_local.console import DEFAULT_CONSOLE_PORT, LocalConsole
from hoa_local.consumers import SqsConsumer, sqs_sources
from hoa_local.cors import GatewayCors
from hoa_local.http_api import LocalHttpApi, serve
from hoa_local.lambdas import Functions
from hoa_local.localauth import LocalTokens
from hoa_local.mail import MailFolder
from hoa_local.moto_fixes import keep_whole_simple_emails, make_dynamodb_requests_atomic
from hoa_local.provision import provision
from hoa_local.schedules import InputRefused, ScheduleRunner
from hoa_local.ses_events import PATH as SES_PATH
from hoa_local.ses_events import SesNotifications
from hoa_local.streams import StreamConsumer
from hoa_local.stripe_fake import TEST_API_KEY, TEST_WEBHOOK_SECRET, FakeStripe
from hoa_local.template import Stack

if TYPE_CHECKING:
    from hoa_local.seed import DemoData

log = logging.getLogger("hoa_local")

READY_PREFIX = "HOA_LOCAL_READY "
STATE_FILE = "runtime.json"
# The code Lambda would find on its path: the function packages (task root) and the layer (/opt/python).
CODE_PATHS = (ROOT / "functions", ROOT / "layers" / "hoa_billing")
_ADDRESS = re.compile(r"^[^@\s]+@([A-Za-z0-9.-]+\.[A-Za-z]{2,})$")
DEMO_MAIL_DOMAIN = "example.com"
# moto accepts any credentials; these keep boto3 from looking for real ones.
FAKE_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


class Worker(Protocol):
    """Something the runtime runs on its own thread until ``stop`` is set."""

    name: str

    def run(self, stop: threading.Event) -> None: ...


@dataclass
class RuntimeOptions:
    host: str = "127.0.0.1"
    port: int = 3000
    state_dir: Path = ROOT / ".local"
    seed: bool = True
    run_schedules: bool = False
    stack_name: str = "hoa-local"
    function_log_level: str = "WARNING"
    console_port: int = DEFAULT_CONSOLE_PORT
    ach_settle_seconds: float = 0


@dataclass
class RuntimeState:
    """What the CLI needs to talk to a running local runtime (``<state_dir>/runtime.json``)."""

    url: str
    aws_endpoint: str
    region: str
    stack_name: str
    issuer: str
    audience: str
    secret: str
    mail_dir: str
    property_id: str | None = None
    resident_id: str | None = None
    console_url: str | None = None
    pid: int = field(default_factory=os.getpid)

    def client(self, service: str) -> Any:
        """A boto3 client for the runtime's embedded AWS."""
        return boto3.client(service, endpoint_url=self.aws_endpoint, region_name=self.region, **FAKE_CREDENTIALS)

    def tokens(self) -> LocalTokens:
        return LocalTokens(issuer=self.issuer, audience=self.audience, secret=self.secret)

    @classmethod
    def load(cls, state_dir: Path) -> RuntimeState:
        return cls(**json.loads((state_dir / STATE_FILE).read_text(encoding="utf-8")))


def _json(status: int, body: Any) -> Response:
    return Response(json.dumps(body, default=str), status=status, content_type="application/json")


class LocalRuntime:
    def __init__(self, options: RuntimeOptions) -> None:
        self.options = options
        self.tokens = LocalTokens()
        # The web console binds its port first: its URL is the portal (Pay Now links, Stripe's
        # return URLs) and the origin CORS allows (see hoa_local.console).
        self.console = LocalConsole(options.host, options.console_port, ach_settle_seconds=options.ach_settle_seconds)
        self.stack = Stack(
            name=options.stack_name,
            parameters={
                "JwtIssuer": self.tokens.issuer,
                "JwtAudience": self.tokens.audience,
                "SenderEmail": f"billing@{DEMO_MAIL_DOMAIN}",
                **self.console.stack_parameters(),
            },
        )
        self.stripe = FakeStripe()
        self.stripe_started = False
        self.stop_event = threading.Event()
        self.threads: list[threading.Thread] = []
        self.workers: list[Worker] = []
        self.moto: ThreadedMotoServer | None = None
        self.http: BaseWSGIServer | None = None
        self.demo: DemoData | None = None
        self.mail_dir = options.state_dir / "mail"
        self.functions = Functions(self.stack)
        self.schedules = ScheduleRunner(self.stack, self.functions.invoke)
        self.sqs_consumers: list[SqsConsumer] = []
        self.state: RuntimeState | None = None

    def router_routes(self) -> list[Any]:
        return self.stack.routes()

    # -- start ---------------------------------------------------------------------------

    def start(self) -> RuntimeState:
        endpoint = self._start_embedded_aws()
        self._set_process_environment(endpoint)
        provision(self.stack, boto3.client)
        self._set_function_environment()
        self._start_stripe()
        self._verify_sender_identities()
        if self.options.seed:
            self.demo = self._seed()
        self._start_http_api()
        self.console.start(self._api_url())
        self._start_workers()
        self.state = self._write_state(endpoint)
        return self.state

    def _start_embedded_aws(self) -> str:
        make_dynamodb_requests_atomic()  # the server runs in this process: patch it here
        keep_whole_simple_emails()
        ses_refusals.install()
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.moto.start()
        host, port = self.moto.get_host_and_port()
        return f"http://{host}:{port}"

    def _set_process_environment(self, endpoint: str) -> None:
        for path in CODE_PATHS:
            if str(path) not in sys.path:
                sys.path.insert(0, str(path))
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": endpoint,
                "AWS_ACCESS_KEY_ID": FAKE_CREDENTIALS["aws_access_key_id"],
                "AWS_SECRET_ACCESS_KEY": FAKE_CREDENTIALS["aws_secret_access_key"],
                "AWS_SESSION_TOKEN": "testing",
                "AWS_DEFAULT_REGION": self.stack.region,
                "AWS_REGION": self.stack.region,
                "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_METRICS_DISABLED": "true",
            }
        )

    def _set_function_environment(self) -> None:
        """Every function's variables from template.yaml, in this one process."""
        merged: dict[str, str] = {}
        for logical in self.stack.functions():
            for key, value in self.stack.function_environment(logical).items():
                if merged.get(key, value) != value:
                    log.warning("%s differs between functions (%s); the last one wins locally", key, logical)
                merged[key] = value
        os.environ.update(merged)
        os.environ["POWERTOOLS_LOG_LEVEL"] = self.options.function_log_level

    def _start_stripe(self) -> None:
        """The fake Stripe API for checkout, and the Stripe secrets where the functions
        read them (SSM), holding the local test values."""
        self.stripe.start()
        self.stripe_started = True
        os.environ["STRIPE_API_BASE"] = self.stripe.url
        ssm = boto3.client("ssm")
        for parameter, value in (
            ("StripeApiKeyParameter", TEST_API_KEY),
            ("StripeWebhookSecretParameter", TEST_WEBHOOK_SECRET),
        ):
            ssm.put_parameter(Name=self.stack.parameter(parameter), Value=value, Type="SecureString", Overwrite=True)

    def _verify_sender_identities(self) -> None:
        """SES sends only from verified identities: verify the domains of the sender
        addresses functions are configured with, and the demo's mail domain."""
        domains = {DEMO_MAIL_DOMAIN}
        for value in os.environ.values():
            found = _ADDRESS.match(value)
            if found:
                domains.add(found.group(1).lower())
        ses = boto3.client("ses")
        for domain in sorted(domains):
            ses.verify_domain_identity(Domain=domain)

    def _seed(self) -> DemoData:
        # Imported once the function code is on the path, as Lambda's runtime would.
        from hoa_billing import compose
        from hoa_local.seed import seed_demo

        return seed_demo(compose.invoices(), compose.directory())

    def _start_http_api(self) -> None:
        app = LocalHttpApi(Router(self.stack), self.functions, self.tokens)
        app.add_local_route("GET", "/_local/health", lambda request, rest: _json(200, {"status": "ok"}))
        app.add_local_route("GET", "/_local/schedules", self._list_schedules)
        app.add_local_route("POST", "/_local/schedules/", self._trigger_schedule)
        app.add_local_route("GET", "/_local/event-sources", self._list_event_sources)
        app.add_local_route("POST", "/_local/event-sources/", self._set_event_source)
        app.add_local_route("POST", SES_PATH, SesNotifications(self.stack, self.functions.invoke).view)
        app.add_local_route("GET", ses_refusals.PATH, ses_refusals.view)
        app.add_local_route("POST", ses_refusals.PATH, ses_refusals.view)
        app.add_local_route("GET", "/docs", api_docs)
        app.cors = GatewayCors.from_stack(self.stack)
        self.console.install(app, self)
        self.http = serve(app, self.options.host, self.options.port)
        self._spawn("http", lambda stop: self.http.serve_forever(poll_interval=0.2))  # type: ignore[union-attr]

    def _list_schedules(self, request: Request, rest: str) -> Response:
        return _json(200, {"schedules": [asdict(source) for source in self.schedules.sources]})

    def _trigger_schedule(self, request: Request, name: str) -> Response:
        """Run a schedule now; a JSON body ``{"input": {...}}`` overrides keys of its Input."""
        body = request.get_json(silent=True) if request.data else None
        overrides = body.get("input") if isinstance(body, dict) else None
        if overrides is not None and not isinstance(overrides, dict):
            return _json(400, {"message": 'the body is {"input": {KEY: VALUE, ...}}'})
        try:
            result = self.schedules.trigger(name, overrides)
        except KeyError as unknown:
            return _json(404, {"message": str(unknown.args[0])})
        except InputRefused as refused:
            return _json(400, {"message": str(refused)})
        except Exception as failed:
            log.exception("schedule %s raised", name)
            return _json(500, {"message": f"the function raised {type(failed).__name__}: {failed}"})
        return _json(200, {"schedule": name, "result": result})

    def _list_event_sources(self, request: Request, rest: str) -> Response:
        sources = [
            {"function": c.source.function, "queue": c.source.queue, "enabled": c.enabled.is_set()}
            for c in self.sqs_consumers
        ]
        return _json(200, {"event_sources": sources})

    def _set_event_source(self, request: Request, function: str) -> Response:
        """Pause or resume a function's SQS event source, as Lambda's
        ``UpdateEventSourceMapping --enabled/--no-enabled`` does: ``{"enabled": false}``."""
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("enabled"), bool):
            return _json(400, {"message": 'the body is {"enabled": true|false}'})
        found = [c for c in self.sqs_consumers if c.source.function == function.strip("/")]
        if not found:
            return _json(404, {"message": f"{function} has no SQS event source"})
        for consumer in found:
            if body["enabled"]:
                consumer.enabled.set()
            else:
                consumer.enabled.clear()
        return _json(200, {"function": function.strip("/"), "enabled": body["enabled"]})

    def _start_workers(self) -> None:
        sqs = boto3.client("sqs")
        for source in sqs_sources(self.stack):
            if source.enabled:
                consumer = SqsConsumer(self.stack, source, sqs, partial(self.functions.invoke, source.function))
                self.sqs_consumers.append(consumer)
                self.workers.append(consumer)
        self.start_stream_consumers()
        self.workers.append(MailFolder(self.mail_dir, self.stack.account, self.stack.region))
        if self.options.run_schedules:
            self.workers.append(self.schedules)
        for worker in self.workers:
            self._spawn(worker.name, worker.run)

    def start_stream_consumers(self) -> None:
        """DynamoDB-stream event sources (``Type: DynamoDB`` in template.yaml), each run by
        ``hoa_local.streams.StreamConsumer`` with Lambda's semantics."""
        streams, sqs = boto3.client("dynamodbstreams"), boto3.client("sqs")
        for function, event_name, _ in self.stack.events_of("DynamoDB"):
            invoke = functools.partial(self.functions.invoke, function)
            self.workers.append(StreamConsumer(self.stack, function, event_name, streams, sqs, invoke))

    def _spawn(self, name: str, target: Callable[[threading.Event], None]) -> None:
        thread = threading.Thread(target=target, args=(self.stop_event,), name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _api_url(self) -> str:
        assert self.http is not None
        host, port = self.http.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        return f"http://{host}:{port}"

    def _write_state(self, endpoint: str) -> RuntimeState:
        state = RuntimeState(
            url=self._api_url(),
            aws_endpoint=endpoint,
            region=self.stack.region,
            stack_name=self.stack.name,
            issuer=self.tokens.issuer,
            audience=self.tokens.audience,
            secret=self.tokens.secret,
            mail_dir=str(self.mail_dir.resolve()),
            property_id=self.demo.property_id if self.demo else None,
            resident_id=self.demo.residents_with_email[0] if self.demo else None,
            console_url=self.console.url,
        )
        path = self.options.state_dir / STATE_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(json.dumps(asdict(state), indent=2), encoding="utf-8")
        return state

    # -- stop ----------------------------------------------------------------------------

    def stop(self) -> None:
        self.stop_event.set()
        if self.http is not None:
            self.http.shutdown()
            self.http.server_close()
        for thread in self.threads:
            thread.join(timeout=10)
            if thread.is_alive():
                log.warning("thread %s did not stop within 10 s", thread.name)
        self.console.stop()
        if self.stripe_started:
            self.stripe.stop()
        if self.moto is not None:
            self.moto.stop()
        state_file = self.options.state_dir / STATE_FILE
        if self.state is not None and state_file.exists():
            state_file.unlink()
