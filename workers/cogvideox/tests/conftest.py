"""Shared test helpers: a pipeline double, a real server on a free port, a real client."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from PIL import Image

from f2f_worker.config import MIB, Config
from f2f_worker.logs import Log, setup_logging
from f2f_worker.pipeline import Cancelled
from f2f_worker.proto import SERVICE_NAME, pb, pb_grpc
from f2f_worker.server import WorkerServer

setup_logging("warn")

TEST_CONFIG = Config(
    model_dir=None,
    host="127.0.0.1",
    port=0,
    device="cpu",
    dtype="float32",
    model_id="THUDM/CogVideoX-5b-I2V",
    model_revision="test-revision",
    generator_name="cogvideox-5b-i2v",
    max_message_bytes=32 * MIB,
    drain_timeout_s=10.0,
)


def png_bytes(width: int = 320, height: int = 240, color=(40, 160, 90)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def make_request(**overrides) -> pb.GenerateRequest:
    fields = dict(
        request_id="edit-1/0",
        image=png_bytes(),
        prompt="The dog sits down slowly.",
        num_frames=49,
        num_inference_steps=5,
        guidance_scale=6.0,
        fps=8,
        seed=42,
        width=720,
        height=480,
        model="",
    )
    fields.update(overrides)
    return pb.GenerateRequest(**fields)


class FakePipeline:
    """A Pipeline double: sleeps per step, honours should_stop like the real one, renders flat frames."""

    def __init__(self, step_delay: float = 0.01, fail: bool = False):
        self.step_delay = step_delay
        self.fail = fail
        self.started = threading.Event()
        self.stopped = threading.Event()
        self.finished = threading.Event()
        self.calls: list[dict] = []
        self.images: list[Image.Image] = []
        self._compute = 0.0

    def generate(self, image, prompt, num_frames, steps, guidance, seed, width, height, on_step, should_stop):
        t0 = time.monotonic()
        self.calls.append(
            dict(prompt=prompt, num_frames=num_frames, steps=steps, guidance=guidance, seed=seed, size=(width, height))
        )
        self.images.append(image.copy())
        self.started.set()
        try:
            if self.fail:
                raise RuntimeError("the device caught fire")
            for step in range(1, steps + 1):
                time.sleep(self.step_delay)
                on_step(step, steps)
                if should_stop():
                    self.stopped.set()
                    raise Cancelled(f"stopped after step {step}")
            frames = [Image.new("RGB", (width, height), (seed % 256, (i * 5) % 256, 128)) for i in range(num_frames)]
            self._compute = time.monotonic() - t0
            return frames
        finally:
            self.finished.set()

    def peak_memory_bytes(self) -> int:
        return 123_456_789

    def last_compute_seconds(self) -> float:
        return self._compute


class Harness:
    """A started WorkerServer with a connected client."""

    def __init__(self, server: WorkerServer):
        self.server = server
        self.channel = grpc.insecure_channel(
            f"127.0.0.1:{server.port}",
            options=[
                ("grpc.max_receive_message_length", 32 * MIB),
                ("grpc.max_send_message_length", 32 * MIB),
            ],
        )
        grpc.channel_ready_future(self.channel).result(timeout=10)
        self.stub = pb_grpc.VideoGeneratorStub(self.channel)
        self.health = health_pb2_grpc.HealthStub(self.channel)

    def health_status(self, service: str = SERVICE_NAME) -> str:
        response = self.health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
        return health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)

    def generate(self, request: pb.GenerateRequest, timeout: float | None = 60) -> list[pb.GenerateResponse]:
        return list(self.stub.Generate(request, timeout=timeout))

    def close(self) -> None:
        self.channel.close()
        self.server.stop()


@pytest.fixture
def start_server() -> Iterator:
    """start_server(pipeline=None, **config_overrides) -> Harness; stopped at teardown."""
    harnesses: list[Harness] = []

    def start(pipeline=None, **overrides) -> Harness:
        config = replace(TEST_CONFIG, **overrides)
        server = WorkerServer(config, Log("f2f_worker.test"), pipeline=None)
        server.start()
        if pipeline is not None:
            server.set_pipeline(pipeline)
        harness = Harness(server)
        harnesses.append(harness)
        return harness

    yield start
    for harness in harnesses:
        harness.close()


def split_stream(messages: list[pb.GenerateResponse]):
    """(progress, frames, summaries, order) of a Generate stream; order is the event kinds in sequence."""
    order = [m.WhichOneof("event") for m in messages]
    return (
        [m.progress for m in messages if m.HasField("progress")],
        [m.frame for m in messages if m.HasField("frame")],
        [m.summary for m in messages if m.HasField("summary")],
        order,
    )
