"""Frame2Frame's CogVideoX image-to-video worker: the gRPC VideoGenerator on the GPU node pool."""

__version__ = "0.1.0"
SERVICE_NAME = "cogvideox-worker"
