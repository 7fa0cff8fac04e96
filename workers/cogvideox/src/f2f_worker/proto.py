"""The generated stubs of frame2frame.video.v1 (scripts/gen_stubs.sh writes them into generated/).

protoc's Python output imports its modules by their proto path (`frame2frame.video.v1...`), so the
generated folder goes on sys.path once, here, and the rest of the worker imports from this module.
"""

from __future__ import annotations

import sys
from pathlib import Path

GENERATED_DIR = Path(__file__).resolve().parent / "generated"

if not (GENERATED_DIR / "frame2frame" / "video" / "v1" / "video_generator_pb2.py").is_file():
    raise ImportError(
        f"gRPC stubs not found in {GENERATED_DIR}: run workers/cogvideox/scripts/setup.sh "
        "(or scripts/gen_stubs.sh) to generate them from proto/"
    )
if str(GENERATED_DIR) not in sys.path:
    sys.path.insert(0, str(GENERATED_DIR))

from frame2frame.video.v1 import video_generator_pb2 as pb  # noqa: E402
from frame2frame.video.v1 import video_generator_pb2_grpc as pb_grpc  # noqa: E402

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["VideoGenerator"].full_name  # frame2frame.video.v1.VideoGenerator

__all__ = ["pb", "pb_grpc", "SERVICE_NAME", "GENERATED_DIR"]
