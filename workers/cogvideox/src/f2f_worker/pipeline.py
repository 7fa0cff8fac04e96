"""The model behind the VideoGenerator service.

`Pipeline` is what the gRPC layer needs from a model; `CogVideoXPipeline` implements it with diffusers'
CogVideoXImageToVideoPipeline, loaded once from a local directory (never from a hub).
"""

from __future__ import annotations

import os
import resource
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from PIL import Image

from .config import ConfigError
from .logs import Log

OnStep = Callable[[int, int], None]
ShouldStop = Callable[[], bool]


class Cancelled(Exception):
    """The job was stopped through should_stop() (client cancel, deadline, drain timeout)."""


@runtime_checkable
class Pipeline(Protocol):
    def generate(
        self,
        image: Image.Image,
        prompt: str,
        num_frames: int,
        steps: int,
        guidance: float,
        seed: int,
        width: int,
        height: int,
        on_step: OnStep,
        should_stop: ShouldStop,
    ) -> list[Image.Image]:
        """Generates num_frames frames of width x height from an image already letterboxed to that size.

        Calls on_step(k, steps) after every denoising step k (1-based) and polls should_stop(); raises
        Cancelled when it returned True (never returns partial output)."""
        ...

    def peak_memory_bytes(self) -> int:
        """Peak device memory of the last generation (GPU), or the process's peak RSS on CPU."""
        ...

    def last_compute_seconds(self) -> float:
        """Wall time of the last generate() call."""
        ...


def process_peak_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)  # Linux reports KiB


class CogVideoXPipeline:
    """CogVideoX image-to-video through diffusers: weights loaded once, kept on the device.

    Sampler: CogVideoXDDIMScheduler (the paper's DDIM with v-prediction), built from the scheduler
    config saved with the weights, so its prediction type and timestep spacing are the model's own.
    """

    def __init__(self, pipe, device: str, dtype_name: str, log: Log):
        self._pipe = pipe
        self._device = device
        self._dtype_name = dtype_name
        self._log = log
        self._lock = threading.Lock()  # one generation at a time per pipeline
        self._peak = 0
        self._compute = 0.0

    @classmethod
    def load(
        cls,
        model_dir: str | os.PathLike[str],
        device: str = "cuda",
        dtype: str = "bfloat16",
        vae_tiling: bool = True,
        vae_slicing: bool = True,
        log: Log | None = None,
    ) -> CogVideoXPipeline:
        """Loads the pipeline from a local diffusers directory (local files only) onto the device.

        Raises ConfigError for a device that is not there, and diffusers' OSError/ValueError for a
        directory that does not hold the pipeline."""
        log = log or Log("f2f_worker.pipeline")
        # Nothing may be downloaded at run time: no hub, no telemetry.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        import diffusers.utils.logging as diffusers_logging
        import torch
        import transformers.utils.logging as transformers_logging
        from diffusers import CogVideoXDDIMScheduler, CogVideoXImageToVideoPipeline

        diffusers_logging.disable_progress_bar()  # tqdm on stderr would break the JSON log
        transformers_logging.disable_progress_bar()

        if device == "cuda" and not torch.cuda.is_available():
            raise ConfigError(["DEVICE=cuda but torch sees no CUDA device (set DEVICE=cpu to run on the CPU)"])
        torch_dtype = {"bfloat16": torch.bfloat16, "float16": torch.float16, "float32": torch.float32}[dtype]
        path = Path(model_dir)
        started = time.monotonic()
        log.info("loading pipeline", modelDir=str(path), device=device, dtype=dtype)
        # `dtype`, not `torch_dtype`: the pinned diffusers deprecates the latter.
        pipe = CogVideoXImageToVideoPipeline.from_pretrained(str(path), dtype=torch_dtype, local_files_only=True)
        scheduler_config = dict(pipe.scheduler.config)
        if not isinstance(pipe.scheduler, CogVideoXDDIMScheduler):
            log.warning("using CogVideoXDDIMScheduler instead", saved=type(pipe.scheduler).__name__)
        pipe.scheduler = CogVideoXDDIMScheduler.from_config(scheduler_config)
        if pipe.scheduler.config.prediction_type != "v_prediction":
            log.warning("scheduler is not v-prediction", predictionType=pipe.scheduler.config.prediction_type)
        pipe.to(device)
        if vae_tiling:
            pipe.vae.enable_tiling()
        if vae_slicing:
            pipe.vae.enable_slicing()
        pipe.set_progress_bar_config(disable=True)  # progress goes to the client and the JSON log
        log.info(
            "pipeline loaded",
            seconds=round(time.monotonic() - started, 3),
            scheduler=type(pipe.scheduler).__name__,
            predictionType=pipe.scheduler.config.prediction_type,
            timestepSpacing=pipe.scheduler.config.get("timestep_spacing"),
            vaeTiling=vae_tiling,
            vaeSlicing=vae_slicing,
        )
        return cls(pipe, device, dtype, log)

    @property
    def diffusers_pipeline(self):
        return self._pipe

    def generate(
        self,
        image: Image.Image,
        prompt: str,
        num_frames: int,
        steps: int,
        guidance: float,
        seed: int,
        width: int,
        height: int,
        on_step: OnStep,
        should_stop: ShouldStop,
    ) -> list[Image.Image]:
        import torch

        if image.size != (width, height):
            raise ValueError(f"image is {image.width}x{image.height}, expected {width}x{height} (letterbox it first)")
        if not self._lock.acquire(blocking=False):
            raise RuntimeError("CogVideoXPipeline.generate is already running")
        pipe = self._pipe
        cuda = self._device == "cuda"
        try:
            if cuda:
                torch.cuda.reset_peak_memory_stats()
            started = time.monotonic()
            generator = torch.Generator(device=self._device).manual_seed(seed)

            def on_step_end(p, step_index: int, timestep, callback_kwargs):
                on_step(step_index + 1, steps)
                if should_stop():
                    # diffusers (0.42) only `continue`s the remaining steps when `_interrupt` is set and
                    # then still VAE-decodes the half-denoised latents and returns them. Setting the flag
                    # keeps its own bookkeeping right; raising leaves the loop now, before the decode.
                    p._interrupt = True
                    raise Cancelled(f"stopped after denoising step {step_index + 1} of {steps}")
                return {}

            if should_stop():
                raise Cancelled("stopped before the first denoising step")
            with torch.inference_mode():
                output = pipe(
                    image=image,
                    prompt=prompt,
                    height=height,
                    width=width,
                    num_frames=num_frames,
                    num_inference_steps=steps,
                    guidance_scale=guidance,
                    generator=generator,
                    # The text length the transformer was built for (226 for CogVideoX-5B-I2V).
                    max_sequence_length=pipe.transformer.config.max_text_seq_length,
                    output_type="pil",
                    callback_on_step_end=on_step_end,
                    return_dict=True,
                )
            if getattr(pipe, "_interrupt", False):
                raise Cancelled("the denoising loop was interrupted")
            frames = list(output.frames[0])
            self._compute = time.monotonic() - started
            self._peak = int(torch.cuda.max_memory_allocated()) if cuda else process_peak_rss_bytes()
            if should_stop():  # stopped during the VAE decode: the caller is gone
                raise Cancelled("stopped after decoding")
            return frames
        finally:
            self._lock.release()

    def peak_memory_bytes(self) -> int:
        return self._peak

    def last_compute_seconds(self) -> float:
        return self._compute
