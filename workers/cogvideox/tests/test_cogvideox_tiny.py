"""The diffusers path itself: a tiny random CogVideoX image-to-video pipeline, saved to disk, loaded by
the worker's own loader (CogVideoXPipeline.load), run on the CPU in float32 through the real gRPC
server and, at the end, through `python -m f2f_worker` as a process (health, generate, SIGTERM)."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import grpc
import numpy as np
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from PIL import Image

from conftest import make_request, png_bytes, split_stream
from f2f_worker.logs import Log
from f2f_worker.proto import SERVICE_NAME, pb_grpc
from tiny_model import TINY_HEIGHT, TINY_WIDTH, save_tiny_pipeline

pytestmark = pytest.mark.model
WORKER_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory) -> Path:
    return save_tiny_pipeline(tmp_path_factory.mktemp("tiny-cogvideox-i2v"))


@pytest.fixture(scope="module")
def tiny_pipeline(tiny_model_dir):
    from f2f_worker.pipeline import CogVideoXPipeline

    return CogVideoXPipeline.load(
        tiny_model_dir, device="cpu", dtype="float32", vae_tiling=True, vae_slicing=True, log=Log("test.pipeline")
    )


@pytest.fixture
def tiny_server(start_server, tiny_pipeline, tiny_model_dir):
    return start_server(
        tiny_pipeline,
        model_dir=tiny_model_dir,
        allow_any_size=True,
        model_id="test/tiny-cogvideox-i2v",
        generator_name="test/tiny-cogvideox-i2v",
        model_revision="random-init",
    )


def tiny_request(**overrides):
    fields = dict(
        model="test/tiny-cogvideox-i2v",
        image=png_bytes(160, 120, (200, 60, 30)),
        prompt="A photo of a dog sitting.",
        num_frames=9,
        num_inference_steps=4,
        guidance_scale=6.0,
        width=TINY_WIDTH,
        height=TINY_HEIGHT,
        seed=1234,
    )
    fields.update(overrides)
    return make_request(**fields)


def frames_as_arrays(messages) -> list[np.ndarray]:
    return [np.asarray(Image.open(io.BytesIO(f.png)).convert("RGB")) for f in split_stream(messages)[1]]


def test_the_loader_builds_the_ddim_v_prediction_pipeline(tiny_pipeline):
    from diffusers import CogVideoXDDIMScheduler, CogVideoXImageToVideoPipeline

    from f2f_worker.pipeline import Pipeline

    assert isinstance(tiny_pipeline, Pipeline)
    pipe = tiny_pipeline.diffusers_pipeline
    assert isinstance(pipe, CogVideoXImageToVideoPipeline)
    assert isinstance(pipe.scheduler, CogVideoXDDIMScheduler)
    assert pipe.scheduler.config.prediction_type == "v_prediction"
    assert pipe.vae.use_tiling and pipe.vae.use_slicing
    assert pipe.transformer.dtype.is_floating_point and str(pipe.device) == "cpu"


def test_generates_through_grpc_with_progress_for_every_step(tiny_server):
    t0 = time.monotonic()
    messages = tiny_server.generate(tiny_request(num_inference_steps=4))
    seconds = time.monotonic() - t0
    progress, frames, summaries, order = split_stream(messages)
    assert order == ["progress"] * 4 + ["frame"] * 9 + ["summary"]
    assert [(p.step, p.total_steps) for p in progress] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert [f.index for f in frames] == list(range(9))
    for f in frames:
        assert (f.width, f.height) == (TINY_WIDTH, TINY_HEIGHT)
        assert Image.open(io.BytesIO(f.png)).size == (TINY_WIDTH, TINY_HEIGHT)
    (summary,) = summaries
    assert summary.is_model and summary.frame_count == 9 and summary.seed == 1234
    assert summary.model_id == "test/tiny-cogvideox-i2v" and summary.model_revision == "random-init"
    assert 0 < summary.compute_seconds <= seconds
    assert summary.peak_memory_bytes > 50 * 1024 * 1024  # the process's peak RSS on the CPU
    arrays = frames_as_arrays(messages)
    assert any(a.std() > 1 for a in arrays), "frames are flat: the VAE decoded nothing"


def test_the_same_seed_gives_the_same_video_and_another_seed_another(tiny_server):
    first = frames_as_arrays(tiny_server.generate(tiny_request(seed=7)))
    again = frames_as_arrays(tiny_server.generate(tiny_request(seed=7)))
    other = frames_as_arrays(tiny_server.generate(tiny_request(seed=8)))
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert any(not np.array_equal(a, c) for a, c in zip(first, other, strict=True))


def test_cancelling_mid_denoising_stops_the_loop_without_decoding(tiny_server, tiny_pipeline, monkeypatch):
    pipe = tiny_pipeline.diffusers_pipeline
    decodes = []
    original_decode = pipe.decode_latents
    monkeypatch.setattr(pipe, "decode_latents", lambda latents: decodes.append(1) or original_decode(latents))

    call = tiny_server.stub.Generate(tiny_request(num_inference_steps=500), timeout=120)
    seen = []
    t0 = time.monotonic()
    for message in call:
        seen.append(message.progress.step)
        if message.progress.step == 3:
            call.cancel()
            break
    assert tiny_server.server.servicer.wait_idle(30)
    stopped_after = time.monotonic() - t0
    assert seen == [1, 2, 3]
    assert pipe.interrupt is True  # the worker set diffusers' own interrupt flag ...
    assert decodes == []  # ... and left before diffusers decoded the half-denoised latents
    assert stopped_after < 5  # 500 steps take ~10 s here
    # The slot is free and the pipeline works again (diffusers resets _interrupt on each call).
    progress, frames, _, _ = split_stream(tiny_server.generate(tiny_request(num_inference_steps=2)))
    assert len(progress) == 2 and len(frames) == 9 and decodes == [1]
    assert pipe.interrupt is False


def test_a_deadline_stops_the_real_denoising_loop(tiny_server):
    t0 = time.monotonic()
    with pytest.raises(grpc.RpcError) as late:
        tiny_server.generate(tiny_request(num_inference_steps=500), timeout=1.0)
    assert late.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert tiny_server.server.servicer.wait_idle(10)
    assert time.monotonic() - t0 < 4  # 500 steps take ~10 s here


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_worker_process_loads_serves_and_drains_on_sigterm(tiny_model_dir):
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(WORKER_DIR / "src"),
        "MODEL_DIR": str(tiny_model_dir),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DEVICE": "cpu",
        "DTYPE": "float32",
        "ALLOW_ANY_SIZE": "true",
        "MODEL_ID": "test/tiny-cogvideox-i2v",
        "DRAIN_TIMEOUT_S": "60",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "f2f_worker"],
        cwd=WORKER_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []  # read as it comes, so a full pipe never blocks the worker
    drain_stdout = threading.Thread(target=lambda: output.extend(proc.stdout), daemon=True)
    drain_stdout.start()
    try:
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        health = health_pb2_grpc.HealthStub(channel)
        stub = pb_grpc.VideoGeneratorStub(channel)
        statuses = []
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, "".join(output)
            assert time.monotonic() < deadline, "the worker never became SERVING"
            try:
                status = health.Check(health_pb2.HealthCheckRequest(service=SERVICE_NAME), timeout=1).status
                statuses.append(health_pb2.HealthCheckResponse.ServingStatus.Name(status))
                if statuses[-1] == "SERVING":
                    break
            except grpc.RpcError:
                pass  # not listening yet
            time.sleep(0.05)
        assert statuses[0] == "NOT_SERVING"  # while the model loads (imports + load take seconds)

        results = {}
        call = stub.Generate(tiny_request(num_inference_steps=500), timeout=120)
        first = next(call)
        assert first.progress.step == 1
        reader = threading.Thread(target=lambda: results.setdefault("rest", list(call)))
        reader.start()
        proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while health.Check(health_pb2.HealthCheckRequest(service=""), timeout=2).status != (
            health_pb2.HealthCheckResponse.NOT_SERVING
        ):
            assert time.monotonic() < deadline
            time.sleep(0.02)
        with pytest.raises(grpc.RpcError) as refused:
            list(stub.Generate(tiny_request(request_id="late"), timeout=10))
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        reader.join(120)
        progress, frames, summaries, _ = split_stream([first, *results["rest"]])
        assert len(progress) == 500 and len(frames) == 9 and summaries[0].is_model
        assert proc.wait(60) == 0
        channel.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    drain_stdout.join(10)
    log = [line for line in output if line.strip()]
    assert log, "the worker logged nothing"
    entries = [json.loads(line) for line in log]  # every line is a JSON object
    messages = [e["msg"] for e in entries]
    for expected in ("starting", "listening", "pipeline loaded", "serving", "shutting down", "draining", "drained"):
        assert expected in messages, messages
    assert entries[-1]["msg"] == "exiting" and entries[-1]["exitCode"] == 0
