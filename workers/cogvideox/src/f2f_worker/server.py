"""The gRPC VideoGenerator servicer and the server around it (health, one job at a time, drain).

A Generate call is checked (draining, loading, arguments, busy), then its job runs the model in a
worker thread; progress, frames and the summary pass through a queue to the streaming RPC. The job
holds the process's only generation slot until the model has let go of the device, and stops at
the next denoising step when the call ends early (client cancel, deadline) or a drain times out.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from PIL import Image

from . import telemetry
from .config import NATIVE_HEIGHT, NATIVE_WIDTH, Config, accepted_model_names
from .imaging import UnreadableImage, decode_image, encode_png, letterbox
from .logs import Log
from .pipeline import Cancelled, Pipeline
from .proto import SERVICE_NAME, pb, pb_grpc

MAX_PROMPT_CHARS = 2000
HEALTH_SERVICES = ("", SERVICE_NAME)


class InvalidArgument(ValueError):
    pass


def validate_request(req: pb.GenerateRequest, config: Config) -> Image.Image:
    """Checks every field as services/preview-generator's validateRequest does, plus what CogVideoX
    needs; returns the decoded image. Raises InvalidArgument listing every problem."""
    problems: list[str] = []
    if not req.prompt.strip():
        problems.append("prompt is empty")
    if len(req.prompt) > MAX_PROMPT_CHARS:
        problems.append(f"prompt is longer than {MAX_PROMPT_CHARS} characters")
    n = req.num_frames
    if n < 2 or n > 257:
        problems.append("num_frames must be within 2..257")
    elif n < 9 or n > config.max_num_frames or (n - 1) % 8 != 0:
        problems.append(
            f"num_frames must be 8k+1 within 9..{config.max_num_frames} for CogVideoX "
            f"(49 for CogVideoX-5B-I2V), got {n}"
        )
    if req.num_inference_steps < 1 or req.num_inference_steps > 500:
        problems.append("num_inference_steps must be within 1..500")
    if not (0 <= req.guidance_scale <= 50):  # also false for NaN
        problems.append("guidance_scale must be within 0..50")
    sizes_ok = True
    for name, v in (("width", req.width), ("height", req.height)):
        if v < 64 or v > 2048 or v % 8 != 0:
            problems.append(f"{name} must be a multiple of 8 within 64..2048")
            sizes_ok = False
    if sizes_ok:
        if not config.allow_any_size and (req.width, req.height) != (NATIVE_WIDTH, NATIVE_HEIGHT):
            problems.append(
                f"width x height must be {NATIVE_WIDTH}x{NATIVE_HEIGHT}, the size CogVideoX-5B-I2V generates "
                f"(got {req.width}x{req.height}; ALLOW_ANY_SIZE=true lifts this for other models)"
            )
        elif req.width % 16 or req.height % 16:
            problems.append("width and height must be multiples of 16 (8x VAE downsampling, then 2x2 patches)")
    if req.model and req.model not in accepted_model_names(config):
        problems.append(f'this server runs "{config.model_id}", not "{req.model}"')
    image = None
    try:
        image = decode_image(req.image)
    except UnreadableImage as error:
        problems.append(str(error))
    if problems:
        raise InvalidArgument("; ".join(problems))
    assert image is not None
    return image


_DONE = object()


@dataclass
class _Failed:
    error: BaseException


@dataclass
class _Stopped:
    reason: str
    by_server: bool  # a drain that timed out, not the call's own end (cancel, deadline)


@dataclass
class Job:
    request: pb.GenerateRequest
    image: Image.Image
    log: Log
    context: Any = None
    # The trace context of the Generate span: the phases' spans are its children (telemetry.py).
    trace_context: Any = None
    messages: queue.Queue[Any] = field(default_factory=queue.Queue)
    stop_reason: str | None = None
    stopped_by_server: bool = False
    _stop: threading.Event = field(default_factory=threading.Event)
    _stop_lock: threading.Lock = field(default_factory=threading.Lock)

    def stop(self, reason: str, by_server: bool = False) -> None:
        """Asks the job to stop at its next denoising step; the first reason given is kept."""
        with self._stop_lock:
            if not self._stop.is_set():
                self.stop_reason = reason
                self.stopped_by_server = by_server
                self._stop.set()

    def should_stop(self) -> bool:
        if self._stop.is_set():
            return True
        ctx = self.context
        if ctx is not None:
            if not ctx.is_active():
                self.stop("the call ended (client cancelled or deadline exceeded)")
                return True
            remaining = ctx.time_remaining()
            if remaining is not None and remaining <= 0:
                self.stop("deadline exceeded")
                return True
        return False


class VideoGeneratorServicer(pb_grpc.VideoGeneratorServicer):
    def __init__(self, config: Config, log: Log, pipeline: Pipeline | None = None):
        self._config = config
        self._log = log
        self._pipeline = pipeline
        self._cv = threading.Condition()
        self._job: Job | None = None
        self._active_calls = 0
        self._draining = False

    # -- state ---------------------------------------------------------------------------------
    def set_pipeline(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline

    @property
    def busy(self) -> bool:
        with self._cv:
            return self._job is not None

    def begin_drain(self) -> None:
        with self._cv:
            self._draining = True

    def wait_idle(self, timeout: float) -> bool:
        """Waits until no job runs and no call streams; True when that happened within timeout."""
        deadline = time.monotonic() + timeout
        with self._cv:
            while self._job is not None or self._active_calls > 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cv.wait(remaining)
            return True

    def stop_current(self, reason: str) -> None:
        with self._cv:
            if self._job is not None:
                self._job.stop(reason, by_server=True)

    # -- the RPC -------------------------------------------------------------------------------
    def Generate(self, request: pb.GenerateRequest, context: grpc.ServicerContext) -> Iterator[pb.GenerateResponse]:
        """One generation as a SERVER span of the caller's trace (traceparent in the metadata)."""
        parent = telemetry.context_from_metadata(context.invocation_metadata())
        span, trace_context = telemetry.start_generate_span(
            parent,
            {"rpc.system": "grpc", "f2f.request_id": request.request_id, "f2f.steps": request.num_inference_steps},
        )
        outcome = "failed"
        try:
            yield from self._generate(request, context, trace_context)
            outcome = "ok" if context.is_active() else "cancelled"
        except BaseException:
            outcome = "aborted"
            raise
        finally:
            telemetry.end_generate_span(span, outcome)

    def _generate(
        self, request: pb.GenerateRequest, context: grpc.ServicerContext, trace_context: Any
    ) -> Iterator[pb.GenerateResponse]:
        log = self._log.child(
            requestId=request.request_id, seed=request.seed, traceId=telemetry.trace_id_of(trace_context)
        )
        if self._draining:
            context.abort(grpc.StatusCode.UNAVAILABLE, "draining: the worker is shutting down, try another server")
        pipeline = self._pipeline
        if pipeline is None:
            context.abort(grpc.StatusCode.UNAVAILABLE, "the model is still loading, try again or another server")
        try:
            image = validate_request(request, self._config)
        except InvalidArgument as error:
            log.info("invalid request", problems=str(error))
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(error))
        job = Job(request=request, image=image, log=log, context=context, trace_context=trace_context)
        with self._cv:
            if self._draining:
                refusal = (grpc.StatusCode.UNAVAILABLE, "draining: the worker is shutting down, try another server")
            elif self._job is not None:
                refusal = (grpc.StatusCode.RESOURCE_EXHAUSTED, "busy: 1 generation running, try another server")
            else:
                refusal = None
                self._job = job
                self._active_calls += 1
        if refusal is not None:
            log.info("refused", code=refusal[0].name)
            context.abort(*refusal)

        try:
            # Fires when the call ends for any reason; stops the job at its next denoising step.
            if not context.add_callback(lambda: job.stop("the call ended (client cancelled or deadline exceeded)")):
                job.stop("the call had already ended")
            thread = threading.Thread(
                target=self._run, args=(job, pipeline), name=f"generate-{request.request_id or 'anon'}", daemon=True
            )
            try:
                thread.start()
            except BaseException:
                with self._cv:  # the job never ran: free its slot
                    self._job = None
                    self._cv.notify_all()
                raise
            while True:
                try:
                    item = job.messages.get(timeout=0.25)
                except queue.Empty:
                    if not context.is_active():
                        job.stop("the call ended (client cancelled or deadline exceeded)")
                        return
                    continue
                if item is _DONE:
                    return
                if isinstance(item, _Stopped):
                    if not context.is_active():
                        return  # the caller is gone (cancelled, or gRPC already sent DEADLINE_EXCEEDED)
                    if item.by_server:  # a drain that timed out: the caller should go to another worker
                        context.abort(grpc.StatusCode.UNAVAILABLE, f"generation stopped: {item.reason}")
                    remaining = context.time_remaining()
                    if remaining is not None and remaining <= 0:
                        context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, "deadline exceeded during generation")
                    context.abort(grpc.StatusCode.CANCELLED, f"generation stopped: {item.reason}")
                if isinstance(item, _Failed):
                    context.abort(grpc.StatusCode.INTERNAL, f"generation failed: {type(item.error).__name__}")
                yield item
        finally:
            job.stop("the call ended")  # no-op once the job finished
            with self._cv:
                self._active_calls -= 1
                self._cv.notify_all()

    def _run(self, job: Job, pipeline: Pipeline) -> None:
        req = job.request
        log = job.log
        started = time.monotonic()
        outcome: Any = _DONE
        out: list[pb.GenerateResponse] = []
        phases = telemetry.Phases(job.trace_context)
        telemetry.IN_PROGRESS.inc()
        try:
            with phases.phase("prepare"):
                image = letterbox(job.image, req.width, req.height)
            log.info(
                "generating",
                frames=req.num_frames,
                steps=req.num_inference_steps,
                guidance=req.guidance_scale,
                size=f"{req.width}x{req.height}",
                fps=req.fps,
                sourceSize=f"{job.image.width}x{job.image.height}",
            )

            def on_step(step: int, total: int) -> None:
                elapsed = time.monotonic() - started
                job.messages.put(
                    pb.GenerateResponse(progress=pb.Progress(step=step, total_steps=total, elapsed_seconds=elapsed))
                )
                if step == total or step % 10 == 0:
                    log.debug("denoising", step=step, totalSteps=total, elapsedSeconds=round(elapsed, 3))
                phases.step(step, total)

            # denoise ends at the last step, where decode (the VAE) begins: Phases.step.
            phases.begin("denoise", steps=req.num_inference_steps)
            frames = pipeline.generate(
                image=image,
                prompt=req.prompt,
                num_frames=req.num_frames,
                steps=req.num_inference_steps,
                guidance=float(req.guidance_scale),
                seed=req.seed,
                width=req.width,
                height=req.height,
                on_step=on_step,
                should_stop=job.should_stop,
            )
            phases.end("decode")
            if len(frames) != req.num_frames:
                raise RuntimeError(f"the pipeline returned {len(frames)} frames, {req.num_frames} were asked for")
            phases.begin("encode_png", frames=len(frames))
            for index, frame in enumerate(frames):
                if job.should_stop():
                    raise Cancelled(f"stopped while encoding frame {index}")
                if frame.size != (req.width, req.height):
                    raise RuntimeError(f"frame {index} is {frame.width}x{frame.height}, not {req.width}x{req.height}")
                out.append(
                    pb.GenerateResponse(
                        frame=pb.Frame(index=index, png=encode_png(frame), width=req.width, height=req.height)
                    )
                )
            phases.end("encode_png")
            compute = pipeline.last_compute_seconds()
            peak = pipeline.peak_memory_bytes()
            out.append(
                pb.GenerateResponse(
                    summary=pb.Summary(
                        seed=req.seed,
                        model_id=self._config.model_id,
                        model_revision=self._config.model_revision,
                        frame_count=len(frames),
                        compute_seconds=compute,
                        peak_memory_bytes=max(0, int(peak)),
                        generator=self._config.generator_name,
                        is_model=True,
                    )
                )
            )
            log.info(
                "generated",
                frames=len(frames),
                computeSeconds=round(compute, 3),
                totalSeconds=round(time.monotonic() - started, 3),
                peakMemoryBytes=int(peak),
            )
        except Cancelled as stopped:
            outcome = _Stopped(job.stop_reason or str(stopped), job.stopped_by_server)
            log.info("generation stopped", reason=outcome.reason, detail=str(stopped))
        except Exception as error:  # noqa: BLE001 - reported to the caller as INTERNAL
            outcome = _Failed(error)
            log.error("generation failed", exc_info=True)
        finally:
            phases.close()
            telemetry.IN_PROGRESS.dec()
            # Queue what the call streams, then free the slot, and only then end the stream: a caller
            # that saw the end of the stream can always start its next generation here.
            for message in out if outcome is _DONE else ():
                job.messages.put(message)
            with self._cv:
                if self._job is job:
                    self._job = None
                self._cv.notify_all()
            job.messages.put(outcome)


class WorkerServer:
    """The grpc.Server with the VideoGenerator and the standard health service."""

    def __init__(self, config: Config, log: Log, pipeline: Pipeline | None = None, max_workers: int = 16):
        self.config = config
        self.log = log
        self.servicer = VideoGeneratorServicer(config, log.child(component="servicer"), pipeline)
        self.health = health.HealthServicer(experimental_non_blocking=True)
        for name in HEALTH_SERVICES:
            self.health.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
        options = [
            ("grpc.max_receive_message_length", config.max_message_bytes),
            ("grpc.max_send_message_length", config.max_message_bytes),
            ("grpc.so_reuseport", 0),
        ]
        self.server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="grpc"), options=options
        )
        pb_grpc.add_VideoGeneratorServicer_to_server(self.servicer, self.server)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        self.port: int | None = None
        self._stopped = threading.Event()

    def start(self) -> int:
        """Listens (health answers NOT_SERVING until set_pipeline); returns the bound port."""
        address = f"{self.config.host}:{self.config.port}"
        port = self.server.add_insecure_port(address)
        if port == 0:
            raise RuntimeError(f"cannot listen on {address}")
        self.server.start()
        self.port = port
        self.log.info("listening", address=f"{self.config.host}:{port}", health="NOT_SERVING")
        return port

    def set_pipeline(self, pipeline: Pipeline) -> None:
        """The model is ready: serve Generate and report SERVING."""
        self.servicer.set_pipeline(pipeline)
        for name in HEALTH_SERVICES:
            self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        self.log.info("serving", health="SERVING")

    def drain(self, timeout_s: float | None = None) -> bool:
        """SIGTERM: NOT_SERVING, new calls UNAVAILABLE, the running job may finish within timeout_s
        (then it is stopped), then the server stops. True when nothing had to be stopped."""
        timeout_s = self.config.drain_timeout_s if timeout_s is None else timeout_s
        self.servicer.begin_drain()
        self.health.enter_graceful_shutdown()  # every service NOT_SERVING, for good
        self.log.info("draining", timeoutSeconds=timeout_s, busy=self.servicer.busy)
        clean = self.servicer.wait_idle(timeout_s)
        if not clean:
            self.log.warning("drain timeout: stopping the running generation", timeoutSeconds=timeout_s)
            self.servicer.stop_current(f"the worker is shutting down (drain timeout {timeout_s:g} s)")
            if not self.servicer.wait_idle(30.0):
                self.log.error("the running generation did not stop within 30 s; exiting anyway")
        self.stop(grace=2.0)
        self.log.info("drained", clean=clean)
        return clean

    def stop(self, grace: float | None = 0.0) -> None:
        if not self._stopped.is_set():
            self._stopped.set()
            self.servicer.begin_drain()
            self.servicer.stop_current("the worker is stopping")
            self.server.stop(grace).wait()
