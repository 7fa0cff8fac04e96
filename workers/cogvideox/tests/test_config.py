"""Configuration: defaults, validation, and refusing to start (exit 78) on bad configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from f2f_worker.config import EX_CONFIG, ConfigError, load_config

WORKER_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    (tmp_path / "model_index.json").write_text("{}")
    return tmp_path


def test_defaults(model_dir):
    config = load_config({"MODEL_DIR": str(model_dir)})
    assert config.model_dir == model_dir
    assert config.port == 50051 and config.host == "0.0.0.0"
    assert config.device == "cuda" and config.dtype == "bfloat16"
    assert config.vae_tiling is True and config.vae_slicing is True
    assert config.max_message_bytes == 32 * 1024 * 1024
    assert config.max_num_frames == 49 and config.allow_any_size is False
    assert config.model_id == "THUDM/CogVideoX-5b-I2V" and config.generator_name == "cogvideox-5b-i2v"
    assert config.drain_timeout_s == 300.0


def test_values_from_the_environment(model_dir):
    config = load_config(
        {
            "MODEL_DIR": str(model_dir),
            "PORT": "6000",
            "HOST": "127.0.0.1",
            "DEVICE": "CPU",
            "DTYPE": "float32",
            "VAE_TILING": "false",
            "VAE_SLICING": "0",
            "MODEL_ID": "zai-org/CogVideoX-5b-I2V",
            "MODEL_REVISION": "a3f2b1c",
            "MAX_MESSAGE_BYTES": str(64 * 1024 * 1024),
            "DRAIN_TIMEOUT_S": "12.5",
            "MAX_NUM_FRAMES": "81",
            "ALLOW_ANY_SIZE": "yes",
            "MODEL_ALIASES": " cogvideox-5b-i2v, THUDM/CogVideoX-5b-I2V ,",
        }
    )
    assert config.model_aliases == ("cogvideox-5b-i2v", "THUDM/CogVideoX-5b-I2V")
    assert (config.port, config.host, config.device, config.dtype) == (6000, "127.0.0.1", "cpu", "float32")
    assert (config.vae_tiling, config.vae_slicing) == (False, False)
    assert config.model_revision == "a3f2b1c"
    assert config.generator_name == "zai-org/CogVideoX-5b-I2V"  # another model id names the generator
    assert config.max_message_bytes == 64 * 1024 * 1024
    assert config.drain_timeout_s == 12.5 and config.max_num_frames == 81 and config.allow_any_size


def test_every_problem_is_listed(tmp_path):
    with pytest.raises(ConfigError) as error:
        load_config(
            {
                "MODEL_DIR": str(tmp_path / "missing"),
                "PORT": "70000",
                "DEVICE": "tpu",
                "DTYPE": "int8",
                "VAE_TILING": "maybe",
                "MAX_MESSAGE_BYTES": "lots",
                "DRAIN_TIMEOUT_S": "-1",
                "MAX_NUM_FRAMES": "50",
            }
        )
    issues = "\n".join(error.value.issues)
    for expected in (
        "is not a directory",
        "PORT must be within 0..65535",
        "DEVICE must be one of cuda|cpu",
        "DTYPE must be one of bfloat16|float16|float32",
        "VAE_TILING must be a boolean",
        "MAX_MESSAGE_BYTES must be an integer",
        "DRAIN_TIMEOUT_S must be within 0..86400",
        "MAX_NUM_FRAMES must be 8k+1",
    ):
        assert expected in issues
    assert len(error.value.issues) == 8


def test_model_dir_is_required_and_must_hold_a_pipeline(tmp_path):
    with pytest.raises(ConfigError, match="MODEL_DIR is required"):
        load_config({})
    with pytest.raises(ConfigError, match="holds no model_index.json"):
        load_config({"MODEL_DIR": str(tmp_path)})
    assert load_config({}, require_model_dir=False).model_dir is None


def run_worker(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("MODEL_DIR", "PORT", "DEVICE", "DTYPE")}
    return subprocess.run(
        [sys.executable, "-m", "f2f_worker"],
        cwd=WORKER_DIR,
        env={**clean, "PYTHONPATH": str(WORKER_DIR / "src"), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_worker_refuses_to_start_on_bad_configuration_with_exit_78(tmp_path):
    result = run_worker({"MODEL_DIR": str(tmp_path / "nowhere"), "DTYPE": "fp8"})
    assert result.returncode == EX_CONFIG == 78
    assert "invalid configuration" in result.stderr
    assert "MODEL_DIR" in result.stderr and "DTYPE must be one of" in result.stderr


def test_the_worker_refuses_cuda_without_a_gpu_with_exit_78(model_dir):
    pytest.importorskip("torch")
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    result = run_worker({"MODEL_DIR": str(model_dir), "DEVICE": "cuda", "PORT": "0"})
    assert result.returncode == 78, result.stdout + result.stderr
    assert "torch sees no CUDA device" in result.stdout
