"""Traces (OpenTelemetry) and metrics (Prometheus) of the worker.

Tracing follows the standard OTEL_* variables, as the TypeScript services do: on when
OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set and OTEL_SDK_DISABLED is not `true`;
spans go over OTLP/HTTP (protobuf). Off, only the API's no-op is used (nothing is recorded). Each
Generate call is a SERVER span continuing the caller's trace (traceparent in the call's metadata),
with one child span per phase: prepare, denoise (an event per step), decode (the VAE), encode_png.

Metrics are served on METRICS_PORT (/metrics): phase durations, generations by outcome, the one
in progress, denoising steps.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from prometheus_client import Counter, Gauge, Histogram, start_http_server

SERVICE_NAME_DEFAULT = "cogvideox-worker"
GENERATE_SPAN = "frame2frame.video.v1.VideoGenerator/Generate"

PHASE_SECONDS = Histogram(
    "f2f_worker_phase_duration_seconds",
    "Time of each phase of a generation (prepare, denoise, decode, encode_png).",
    ["phase"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200),
)
GENERATIONS = Counter("f2f_worker_generations", "Generations run by this worker, by outcome.", ["outcome"])
IN_PROGRESS = Gauge("f2f_worker_generations_in_progress", "Generations running on this worker (0 or 1).")
STEPS = Counter("f2f_worker_denoising_steps", "Denoising steps run by this worker.")

_provider: Any = None


def tracing_enabled(env: Mapping[str, str]) -> bool:
    if env.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    exporter = env.get("OTEL_TRACES_EXPORTER")
    if exporter is not None and exporter != "otlp":
        return False
    return bool(env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_ENDPOINT"))


def setup_tracing(env: Mapping[str, str], service_name: str = SERVICE_NAME_DEFAULT, exporter: Any = None) -> bool:
    """Installs the SDK's tracer provider when the OTEL_* variables ask for it (or an exporter is given)."""
    global _provider
    if _provider is not None:
        return True
    if exporter is None and not tracing_enabled(env):
        return False
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": env.get("OTEL_SERVICE_NAME") or service_name}))
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(), schedule_delay_millis=500))
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _provider = provider
    return True


def shutdown_tracing() -> None:
    """Flushes the last spans (at exit)."""
    if _provider is not None:
        _provider.shutdown()


def start_metrics_server(host: str, port: int) -> int:
    """Serves /metrics; returns the bound port."""
    server, _thread = start_http_server(port, addr=host)
    return server.server_port


def tracer() -> trace.Tracer:
    return trace.get_tracer("f2f_worker")


def context_from_metadata(metadata: Iterable[tuple[str, Any]] | None) -> Context:
    """The caller's trace context from gRPC metadata (traceparent, tracestate)."""
    carrier = {k: v for k, v in (metadata or ()) if isinstance(v, str)}
    return propagate.extract(carrier)


def trace_id_of(ctx: Context) -> str | None:
    """The 32-hex trace id a context names (tracing on or off), for the log lines of a generation."""
    span_context = trace.get_current_span(ctx).get_span_context()
    return format(span_context.trace_id, "032x") if span_context.is_valid else None


def start_generate_span(parent: Context, attributes: Mapping[str, Any]) -> tuple[Span, Context]:
    span = tracer().start_span(GENERATE_SPAN, context=parent, kind=SpanKind.SERVER, attributes=dict(attributes))
    return span, trace.set_span_in_context(span, parent)


def end_generate_span(span: Span, outcome: str) -> None:
    GENERATIONS.labels(outcome=outcome).inc()
    if outcome != "ok":
        span.set_status(Status(StatusCode.ERROR, outcome))
    span.set_attribute("f2f.outcome", outcome)
    span.end()


class Phases:
    """The phases of one generation: a span each (children of the Generate span) and a histogram."""

    def __init__(self, parent: Context):
        self._parent = parent
        self._open: dict[str, tuple[Span, float]] = {}

    def begin(self, name: str, **attributes: Any) -> Span:
        span = tracer().start_span(name, context=self._parent, attributes=attributes)
        self._open[name] = (span, time.monotonic())
        return span

    def end(self, name: str) -> None:
        entry = self._open.pop(name, None)
        if entry is not None:
            span, started = entry
            PHASE_SECONDS.labels(phase=name).observe(time.monotonic() - started)
            span.end()

    def step(self, step: int, total: int) -> None:
        """A denoising step done: an event on the denoise span; the last one ends it and starts decode."""
        STEPS.inc()
        entry = self._open.get("denoise")
        if entry is not None:
            entry[0].add_event("step", {"step": step, "total": total})
        if step == total:
            self.end("denoise")
            self.begin("decode")

    @contextmanager
    def phase(self, name: str, **attributes: Any) -> Iterator[Span]:
        span = self.begin(name, **attributes)
        try:
            yield span
        finally:
            self.end(name)

    def close(self) -> None:
        """Ends what is still open (a failure or a stop in the middle of a phase)."""
        for name in list(self._open):
            self.end(name)
