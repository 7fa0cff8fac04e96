"""Configuration from the environment, validated once at start.

Every problem is collected and reported together; `python -m f2f_worker` prints them and exits with
EX_CONFIG (78), as the TypeScript services do.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

EX_CONFIG = 78

DEFAULT_MODEL_ID = "THUDM/CogVideoX-5b-I2V"
DEFAULT_GENERATOR_NAME = "cogvideox-5b-i2v"
# The resolution CogVideoX-5B-I2V was trained at; its learned positional embeddings allow no other.
NATIVE_WIDTH = 720
NATIVE_HEIGHT = 480
MIB = 1024 * 1024

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
LOG_LEVELS = ("debug", "info", "warn", "error")


class ConfigError(Exception):
    def __init__(self, issues: list[str]):
        self.issues = issues
        super().__init__("cogvideox-worker: invalid configuration:\n  - " + "\n  - ".join(issues))


@dataclass(frozen=True)
class Config:
    model_dir: Path | None
    host: str = "0.0.0.0"
    port: int = 50051
    device: str = "cuda"
    dtype: str = "bfloat16"
    vae_tiling: bool = True
    vae_slicing: bool = True
    model_id: str = DEFAULT_MODEL_ID
    model_revision: str = "unspecified"
    generator_name: str = DEFAULT_GENERATOR_NAME
    # Other names a request's `model` may use for this model (MODEL_ID and the generator name always work).
    model_aliases: tuple[str, ...] = ()
    max_message_bytes: int = 32 * MIB
    drain_timeout_s: float = 300.0
    max_num_frames: int = 49
    allow_any_size: bool = False
    log_level: str = "info"
    # /metrics (Prometheus) on this port; 0 turns it off.
    metrics_port: int = 9400

    def summary(self) -> dict[str, object]:
        """What the start-up log line reports (nothing secret lives here)."""
        return {
            "modelDir": str(self.model_dir) if self.model_dir else None,
            "host": self.host,
            "port": self.port,
            "device": self.device,
            "dtype": self.dtype,
            "vaeTiling": self.vae_tiling,
            "vaeSlicing": self.vae_slicing,
            "modelId": self.model_id,
            "modelRevision": self.model_revision,
            "generator": self.generator_name,
            "modelAliases": list(self.model_aliases),
            "maxMessageBytes": self.max_message_bytes,
            "drainTimeoutS": self.drain_timeout_s,
            "maxNumFrames": self.max_num_frames,
            "allowAnySize": self.allow_any_size,
            "metricsPort": self.metrics_port,
        }


def load_config(env: Mapping[str, str] | None = None, *, require_model_dir: bool = True) -> Config:
    """Reads and validates the worker's configuration; raises ConfigError listing every problem.

    require_model_dir=False is for servers whose pipeline is not loaded from MODEL_DIR (test doubles).
    """
    env = os.environ if env is None else env
    issues: list[str] = []

    def get(name: str) -> str | None:
        value = env.get(name)
        return None if value is None or value.strip() == "" else value.strip()

    def integer(name: str, default: int, lo: int, hi: int) -> int:
        raw = get(name)
        if raw is None:
            return default
        try:
            value = int(raw, 10)
        except ValueError:
            issues.append(f"{name} must be an integer, got {raw!r}")
            return default
        if not lo <= value <= hi:
            issues.append(f"{name} must be within {lo}..{hi}, got {value}")
        return value

    def number(name: str, default: float, lo: float, hi: float) -> float:
        raw = get(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            issues.append(f"{name} must be a number, got {raw!r}")
            return default
        if not lo <= value <= hi:  # also rejects NaN
            issues.append(f"{name} must be within {lo:g}..{hi:g}, got {raw}")
        return value

    def boolean(name: str, default: bool) -> bool:
        raw = get(name)
        if raw is None:
            return default
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        issues.append(f"{name} must be a boolean (true/false/1/0/yes/no/on/off), got {raw!r}")
        return default

    def choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
        raw = get(name)
        if raw is None:
            return default
        if raw.lower() not in allowed:
            issues.append(f"{name} must be one of {'|'.join(allowed)}, got {raw!r}")
            return default
        return raw.lower()

    model_dir: Path | None = None
    raw_dir = get("MODEL_DIR")
    if raw_dir is None:
        if require_model_dir:
            issues.append(
                "MODEL_DIR is required: a local directory holding the CogVideoX-5B-I2V weights in diffusers "
                "layout (model_index.json, transformer/, vae/, text_encoder/, tokenizer/, scheduler/)"
            )
    else:
        model_dir = Path(raw_dir)
        if require_model_dir:
            if not model_dir.is_dir():
                issues.append(f"MODEL_DIR {raw_dir!r} is not a directory")
            elif not (model_dir / "model_index.json").is_file():
                issues.append(f"MODEL_DIR {raw_dir!r} holds no model_index.json (not a diffusers pipeline directory)")

    model_id = get("MODEL_ID") or DEFAULT_MODEL_ID
    if len(model_id) > 200:
        issues.append("MODEL_ID must be at most 200 characters")
    generator_name = get("GENERATOR_NAME") or (DEFAULT_GENERATOR_NAME if model_id == DEFAULT_MODEL_ID else model_id)

    aliases = tuple(a.strip() for a in (get("MODEL_ALIASES") or "").split(",") if a.strip())

    config = Config(
        model_dir=model_dir,
        host=get("HOST") or "0.0.0.0",
        port=integer("PORT", 50051, 0, 65535),
        device=choice("DEVICE", "cuda", ("cuda", "cpu")),
        dtype=choice("DTYPE", "bfloat16", ("bfloat16", "float16", "float32")),
        vae_tiling=boolean("VAE_TILING", True),
        vae_slicing=boolean("VAE_SLICING", True),
        model_id=model_id,
        model_revision=get("MODEL_REVISION") or "unspecified",
        generator_name=generator_name,
        model_aliases=aliases,
        max_message_bytes=integer("MAX_MESSAGE_BYTES", 32 * MIB, MIB, 1024 * MIB),
        drain_timeout_s=number("DRAIN_TIMEOUT_S", 300.0, 0.0, 86_400.0),
        max_num_frames=integer("MAX_NUM_FRAMES", 49, 9, 257),
        allow_any_size=boolean("ALLOW_ANY_SIZE", False),
        log_level=choice("LOG_LEVEL", "info", LOG_LEVELS),
        metrics_port=integer("METRICS_PORT", 9400, 0, 65535),
    )
    if (config.max_num_frames - 1) % 8 != 0:
        issues.append(f"MAX_NUM_FRAMES must be 8k+1 (9, 17, ..., 49, ...), got {config.max_num_frames}")
    if issues:
        raise ConfigError(issues)
    return config


def accepted_model_names(config: Config) -> frozenset[str]:
    """What a request's `model` may say (empty always works): MODEL_ID, the generator name, MODEL_ALIASES."""
    return frozenset({config.model_id, config.generator_name, *config.model_aliases})
