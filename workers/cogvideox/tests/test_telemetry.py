"""The worker's traces and metrics: a real server and client, spans into an in-memory exporter."""

from __future__ import annotations

import urllib.request

import grpc
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from prometheus_client import REGISTRY

from conftest import FakePipeline, make_request
from f2f_worker import telemetry

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_SPAN_ID = "00f067aa0ba902b7"

exporter = InMemorySpanExporter()


@pytest.fixture(scope="module", autouse=True)
def tracing():
    # The process's tracer provider can be set once: every test of this module shares it.
    assert telemetry.setup_tracing({}, exporter=exporter)
    yield


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_generation_continues_the_callers_trace_with_a_span_per_phase(start_server):
    exporter.clear()
    h = start_server(FakePipeline())
    metadata = (("traceparent", f"00-{TRACE_ID}-{PARENT_SPAN_ID}-01"),)
    list(h.stub.Generate(make_request(num_frames=9, num_inference_steps=4), metadata=metadata, timeout=30))
    spans = exporter.get_finished_spans()
    (generate,) = [s for s in spans if s.name == telemetry.GENERATE_SPAN]
    assert format(generate.context.trace_id, "032x") == TRACE_ID
    assert format(generate.parent.span_id, "016x") == PARENT_SPAN_ID
    assert generate.kind == SpanKind.SERVER
    assert generate.attributes["f2f.outcome"] == "ok"
    phases = sorted(
        (s for s in spans if s.parent and s.parent.span_id == generate.context.span_id), key=lambda s: s.start_time
    )
    assert [s.name for s in phases] == ["prepare", "denoise", "decode", "encode_png"]
    for earlier, later in zip(phases, phases[1:], strict=False):
        assert earlier.end_time <= later.start_time + 1_000_000  # each phase follows the previous one
    denoise = phases[1]
    assert [e.attributes["step"] for e in denoise.events] == [1, 2, 3, 4]


def test_metrics_count_phases_steps_and_outcomes_and_are_served_on_metrics(start_server):
    before = {
        "denoise": sample("f2f_worker_phase_duration_seconds_count", phase="denoise"),
        "steps": sample("f2f_worker_denoising_steps_total"),
        "ok": sample("f2f_worker_generations_total", outcome="ok"),
    }
    h = start_server(FakePipeline())
    h.generate(make_request(num_frames=9, num_inference_steps=3))
    assert sample("f2f_worker_phase_duration_seconds_count", phase="denoise") == before["denoise"] + 1
    assert sample("f2f_worker_denoising_steps_total") == before["steps"] + 3
    assert sample("f2f_worker_generations_total", outcome="ok") == before["ok"] + 1
    assert sample("f2f_worker_generations_in_progress") == 0
    port = telemetry.start_metrics_server("127.0.0.1", 0)
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    for name in (
        "f2f_worker_phase_duration_seconds_bucket",
        "f2f_worker_generations_total",
        "f2f_worker_denoising_steps_total",
    ):
        assert name in text


def test_a_failed_generation_is_an_error_span_and_counted(start_server):
    exporter.clear()
    before = sample("f2f_worker_generations_total", outcome="aborted")
    h = start_server(FakePipeline(fail=True))
    with pytest.raises(grpc.RpcError):
        h.generate(make_request(num_frames=9, num_inference_steps=2))
    (generate,) = [s for s in exporter.get_finished_spans() if s.name == telemetry.GENERATE_SPAN]
    assert generate.status.is_ok is False
    assert sample("f2f_worker_generations_total", outcome="aborted") == before + 1


@pytest.mark.parametrize(
    ("env", "enabled"),
    [
        ({}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, True),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_SDK_DISABLED": "true"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_TRACES_EXPORTER": "none"}, False),
    ],
)
def test_tracing_follows_the_standard_otel_variables(env, enabled):
    assert telemetry.tracing_enabled(env) is enabled
