"""The gRPC layer over a real socket with a real client and a pipeline double (no model)."""

from __future__ import annotations

import io
import math
import threading
import time

import grpc
import numpy as np
import pytest
from PIL import Image

from conftest import FakePipeline, make_request, png_bytes, split_stream
from f2f_worker.proto import SERVICE_NAME


def decode_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image


def test_streams_every_step_then_every_frame_then_one_summary(start_server):
    fake = FakePipeline()
    h = start_server(fake)
    messages = h.generate(make_request(num_frames=49, num_inference_steps=7, seed=7))
    progress, frames, summaries, order = split_stream(messages)

    assert order == ["progress"] * 7 + ["frame"] * 49 + ["summary"]
    assert [(p.step, p.total_steps) for p in progress] == [(k, 7) for k in range(1, 8)]
    elapsed = [p.elapsed_seconds for p in progress]
    assert elapsed == sorted(elapsed) and elapsed[0] > 0
    assert [f.index for f in frames] == list(range(49))
    for f in frames:
        assert (f.width, f.height) == (720, 480)
        assert decode_png(f.png).size == (720, 480)
    (summary,) = summaries
    assert summary.is_model is True
    assert summary.seed == 7
    assert summary.frame_count == 49
    assert summary.model_id == "THUDM/CogVideoX-5b-I2V"
    assert summary.model_revision == "test-revision"
    assert summary.generator == "cogvideox-5b-i2v"
    assert summary.compute_seconds > 0
    assert summary.peak_memory_bytes == 123_456_789
    assert fake.calls == [
        dict(prompt="The dog sits down slowly.", num_frames=49, steps=7, guidance=6.0, seed=7, size=(720, 480))
    ]


def test_letterboxes_the_source_to_the_frame_size_without_stretching(start_server):
    fake = FakePipeline()
    h = start_server(fake)
    h.generate(make_request(image=png_bytes(300, 300, (250, 0, 0)), num_frames=9, num_inference_steps=1))
    (image,) = fake.images
    assert image.size == (720, 480)
    pixels = np.asarray(image)
    # A square source becomes 480x480 in the middle, 120 px of black on each side (paper 5.1).
    assert (pixels[:, :119] == 0).all() and (pixels[:, 601:] == 0).all()
    assert (pixels[:, 125:595, 0] > 240).all() and (pixels[:, 125:595, 1:] < 10).all()


def test_an_image_of_the_frame_size_is_passed_unchanged(start_server):
    fake = FakePipeline()
    h = start_server(fake)
    h.generate(make_request(image=png_bytes(720, 480, (10, 20, 30)), num_frames=9, num_inference_steps=1))
    assert (np.asarray(fake.images[0]) == np.array([10, 20, 30], dtype=np.uint8)).all()


def test_a_second_concurrent_call_is_refused_with_resource_exhausted_at_once(start_server):
    fake = FakePipeline(step_delay=0.05)
    h = start_server(fake)
    first = h.stub.Generate(make_request(num_inference_steps=20), timeout=30)
    results = {}
    reader = threading.Thread(target=lambda: results.setdefault("first", list(first)))
    reader.start()
    assert fake.started.wait(5)

    t0 = time.monotonic()
    with pytest.raises(grpc.RpcError) as refused:
        h.generate(make_request(request_id="edit-2/0"), timeout=10)
    assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "busy" in refused.value.details()
    assert time.monotonic() - t0 < 1.0

    reader.join(30)
    _, frames, summaries, _ = split_stream(results["first"])
    assert len(frames) == 49 and len(summaries) == 1
    # The slot is free again as soon as the first stream has ended.
    _, frames, summaries, _ = split_stream(h.generate(make_request(num_inference_steps=2)))
    assert len(frames) == 49 and len(summaries) == 1


def test_client_cancel_stops_the_denoising_loop_and_frees_the_slot(start_server):
    fake = FakePipeline(step_delay=0.02)
    h = start_server(fake)
    call = h.stub.Generate(make_request(num_inference_steps=500), timeout=60)
    first = next(call)
    assert first.progress.step == 1
    call.cancel()
    assert fake.stopped.wait(5), "the pipeline never saw should_stop()"
    assert h.server.servicer.wait_idle(5)
    with pytest.raises(grpc.RpcError) as cancelled:
        list(call)
    assert cancelled.value.code() == grpc.StatusCode.CANCELLED
    # It stopped within a few steps of the cancel, not after 500.
    assert len(fake.calls) == 1
    _, frames, summaries, _ = split_stream(h.generate(make_request(num_inference_steps=2)))
    assert len(frames) == 49 and summaries[0].is_model


def test_an_exceeded_deadline_stops_the_job(start_server):
    fake = FakePipeline(step_delay=0.05)
    h = start_server(fake)
    t0 = time.monotonic()
    with pytest.raises(grpc.RpcError) as late:
        h.generate(make_request(num_inference_steps=200), timeout=0.5)
    assert late.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert fake.stopped.wait(5)
    assert h.server.servicer.wait_idle(5)
    assert time.monotonic() - t0 < 3.0  # 200 steps would take 10 s
    _, frames, _, _ = split_stream(h.generate(make_request(num_inference_steps=1)))
    assert len(frames) == 49


def test_a_failing_pipeline_is_internal_and_frees_the_slot(start_server):
    fake = FakePipeline(fail=True)
    h = start_server(fake)
    with pytest.raises(grpc.RpcError) as failed:
        h.generate(make_request())
    assert failed.value.code() == grpc.StatusCode.INTERNAL
    assert "RuntimeError" in failed.value.details()
    assert h.server.servicer.wait_idle(5)
    fake.fail = False
    assert len(split_stream(h.generate(make_request(num_inference_steps=1)))[1]) == 49


BAD_REQUESTS = [
    ("empty prompt", dict(prompt=""), "prompt is empty"),
    ("blank prompt", dict(prompt="   \n\t"), "prompt is empty"),
    ("prompt over 2000", dict(prompt="x" * 2001), "prompt is longer than 2000 characters"),
    ("no frames", dict(num_frames=0), "num_frames must be within 2..257"),
    ("one frame", dict(num_frames=1), "num_frames must be within 2..257"),
    ("too many frames", dict(num_frames=258), "num_frames must be within 2..257"),
    ("frames not 8k+1", dict(num_frames=48), "num_frames must be 8k+1 within 9..49"),
    ("frames 8k+1 over 49", dict(num_frames=57), "num_frames must be 8k+1 within 9..49"),
    ("zero steps", dict(num_inference_steps=0), "num_inference_steps must be within 1..500"),
    ("too many steps", dict(num_inference_steps=501), "num_inference_steps must be within 1..500"),
    ("negative guidance", dict(guidance_scale=-0.5), "guidance_scale must be within 0..50"),
    ("guidance over 50", dict(guidance_scale=50.5), "guidance_scale must be within 0..50"),
    ("guidance NaN", dict(guidance_scale=math.nan), "guidance_scale must be within 0..50"),
    ("width 0", dict(width=0), "width must be a multiple of 8 within 64..2048"),
    ("width not multiple of 8", dict(width=724), "width must be a multiple of 8 within 64..2048"),
    ("height too large", dict(height=4096), "height must be a multiple of 8 within 64..2048"),
    ("not 720x480", dict(width=480, height=480), "width x height must be 720x480"),
    ("another model", dict(model="Lightricks/LTX-Video"), 'this server runs "THUDM/CogVideoX-5b-I2V", not'),
    ("empty image", dict(image=b""), "image is empty"),
    ("corrupt image", dict(image=b"\x89PNG\r\n\x1a\nnot really a png"), "image is not a readable image"),
    ("truncated image", dict(image=png_bytes()[:60]), "image is not a readable image"),
    ("an SVG", dict(image=b'<svg xmlns="http://www.w3.org/2000/svg"/>'), "image is not a PNG, JPEG or WebP image"),
]


@pytest.mark.parametrize("name,overrides,expected", BAD_REQUESTS, ids=[b[0] for b in BAD_REQUESTS])
def test_bad_arguments_are_invalid_argument(start_server, name, overrides, expected):
    fake = FakePipeline()
    h = start_server(fake)
    with pytest.raises(grpc.RpcError) as bad:
        h.generate(make_request(**overrides), timeout=10)
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT, name
    assert expected in bad.value.details()
    assert fake.calls == []


def test_every_problem_is_reported_at_once(start_server):
    h = start_server(FakePipeline())
    with pytest.raises(grpc.RpcError) as bad:
        h.generate(make_request(prompt="", num_inference_steps=0, image=b""), timeout=10)
    assert bad.value.details().count(";") == 2


@pytest.mark.parametrize("model", ["", "THUDM/CogVideoX-5b-I2V", "cogvideox-5b-i2v", "zai-org/CogVideoX-5b-I2V"])
def test_the_model_the_server_runs_is_accepted_by_its_names(start_server, model):
    h = start_server(FakePipeline(), model_aliases=("zai-org/CogVideoX-5b-I2V",))
    messages = h.generate(make_request(model=model, num_frames=9, num_inference_steps=1))
    assert split_stream(messages)[2][0].frame_count == 9


def test_other_sizes_and_lengths_only_when_configured(start_server):
    h = start_server(FakePipeline(), allow_any_size=True, max_num_frames=81)
    messages = h.generate(make_request(width=96, height=64, num_frames=81, num_inference_steps=1))
    _, frames, summaries, _ = split_stream(messages)
    assert len(frames) == 81 and (frames[0].width, frames[0].height) == (96, 64)
    assert decode_png(frames[0].png).size == (96, 64)
    with pytest.raises(grpc.RpcError) as bad:
        h.generate(make_request(width=72, height=64), timeout=10)
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "multiples of 16" in bad.value.details()


def test_drain_lets_the_running_job_finish_refuses_new_calls_and_goes_not_serving(start_server):
    fake = FakePipeline(step_delay=0.05)
    h = start_server(fake)
    assert h.health_status("") == "SERVING" and h.health_status() == "SERVING"
    running = h.stub.Generate(make_request(num_inference_steps=30), timeout=30)
    results = {}
    reader = threading.Thread(target=lambda: results.setdefault("running", list(running)))
    reader.start()
    assert fake.started.wait(5)

    drained = {}
    drainer = threading.Thread(target=lambda: drained.setdefault("clean", h.server.drain(timeout_s=20)))
    drainer.start()
    deadline = time.monotonic() + 5
    while h.health_status() != "NOT_SERVING":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert h.health_status("") == "NOT_SERVING"
    with pytest.raises(grpc.RpcError) as refused:
        h.generate(make_request(request_id="late"), timeout=5)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "draining" in refused.value.details()

    reader.join(30)
    drainer.join(30)
    progress, frames, summaries, _ = split_stream(results["running"])
    assert len(progress) == 30 and len(frames) == 49 and summaries[0].is_model
    assert drained["clean"] is True
    assert len(fake.calls) == 1


def test_drain_timeout_stops_the_job_and_tells_the_caller_to_go_elsewhere(start_server):
    fake = FakePipeline(step_delay=0.05)
    h = start_server(fake)
    running = h.stub.Generate(make_request(num_inference_steps=500), timeout=60)
    assert next(running).progress.step == 1
    assert h.server.drain(timeout_s=0.3) is False
    assert fake.stopped.is_set()
    with pytest.raises(grpc.RpcError) as stopped:
        list(running)
    assert stopped.value.code() == grpc.StatusCode.UNAVAILABLE


def test_health_is_not_serving_until_the_pipeline_is_loaded(start_server):
    h = start_server(pipeline=None)
    assert h.health_status("") == "NOT_SERVING"
    assert h.health_status(SERVICE_NAME) == "NOT_SERVING"
    with pytest.raises(grpc.RpcError) as loading:
        h.generate(make_request(), timeout=5)
    assert loading.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "loading" in loading.value.details()

    h.server.set_pipeline(FakePipeline())
    assert h.health_status("") == "SERVING"
    assert h.health_status(SERVICE_NAME) == "SERVING"
    assert len(split_stream(h.generate(make_request(num_inference_steps=1)))[1]) == 49


def test_large_images_within_the_message_limit_are_accepted(start_server):
    fake = FakePipeline()
    h = start_server(fake)
    noise = np.random.default_rng(0).integers(0, 256, size=(1600, 2400, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noise).save(buffer, format="PNG", compress_level=0)
    assert len(buffer.getvalue()) > 4 * 1024 * 1024  # over gRPC's default 4 MiB
    h.generate(make_request(image=buffer.getvalue(), num_frames=9, num_inference_steps=1))
    assert fake.images[0].size == (720, 480)
