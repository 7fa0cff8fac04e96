"""`python -m f2f_worker`: validate the configuration, listen (health NOT_SERVING), load the model,
serve (SERVING); on SIGTERM/SIGINT drain and exit 0. Exit codes: 0 after a drain, 78 for bad
configuration (including DEVICE=cuda without a GPU), 1 when the model fails to load or the port
cannot be bound."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

from .config import EX_CONFIG, ConfigError, load_config


def main() -> int:
    try:
        config = load_config()
    except ConfigError as error:
        print(str(error), file=sys.stderr, flush=True)
        return EX_CONFIG

    from .logs import Log, setup_logging

    setup_logging(config.log_level)
    log = Log("f2f_worker")
    log.info("starting", **config.summary())

    from . import telemetry
    from .pipeline import CogVideoXPipeline
    from .server import WorkerServer

    tracing = telemetry.setup_tracing(os.environ)
    metrics_port = telemetry.start_metrics_server(config.host, config.metrics_port) if config.metrics_port else None
    log.info("telemetry", tracing=tracing, metricsPort=metrics_port)

    stop = threading.Event()

    def on_signal(signum: int, _frame) -> None:
        if stop.is_set():
            log.info("already shutting down", signal=signal.Signals(signum).name)
        else:
            log.info("shutting down", signal=signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    server = WorkerServer(config, log.child(component="server"))
    try:
        server.start()
    except Exception as error:  # noqa: BLE001
        log.error("cannot listen", error=str(error))
        return 1

    # The model loads in a thread so that health answers NOT_SERVING and signals are handled meanwhile.
    loaded: dict[str, object] = {}
    done = threading.Event()

    def load() -> None:
        try:
            loaded["pipeline"] = CogVideoXPipeline.load(
                config.model_dir,
                device=config.device,
                dtype=config.dtype,
                vae_tiling=config.vae_tiling,
                vae_slicing=config.vae_slicing,
                log=log.child(component="pipeline"),
            )
        except BaseException as error:  # noqa: BLE001 - reported below
            loaded["error"] = error
        finally:
            done.set()

    started = time.monotonic()
    threading.Thread(target=load, name="load-model", daemon=True).start()
    while not done.wait(0.2):
        if stop.is_set():
            log.info("stopped while the model was loading")
            server.stop()
            return 0
    error = loaded.get("error")
    if error is not None:
        code = EX_CONFIG if isinstance(error, ConfigError) else 1
        log.error("the model failed to load", error=f"{type(error).__name__}: {error}", exitCode=code)
        server.stop()
        return code
    log.info("model ready", loadSeconds=round(time.monotonic() - started, 3))
    server.set_pipeline(loaded["pipeline"])  # type: ignore[arg-type]

    while not stop.wait(1.0):
        pass
    server.drain(config.drain_timeout_s)
    telemetry.shutdown_tracing()
    log.info("exiting", exitCode=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
