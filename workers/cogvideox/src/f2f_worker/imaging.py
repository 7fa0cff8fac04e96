"""Decoding, letterboxing and PNG encoding, matching libs/imaging (paper 5.1's pre-processing)."""

from __future__ import annotations

import io
import math
import warnings

from PIL import Image, ImageOps

# Guards against decompression bombs in requests (32 MiB messages could carry one): 64 Mpx.
MAX_PIXELS = 64 * 1024 * 1024
# PIL's own bomb check agrees (a warning above it, made an error below; an error above twice it).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# The formats the platform accepts (libs/imaging sniff.ts): PIL opens nothing else.
ACCEPTED_FORMATS = ("PNG", "JPEG", "WEBP")


class UnreadableImage(ValueError):
    pass


def sniff_format(head: bytes) -> str | None:
    """The PIL format the magic bytes say (PNG, JPEG or WEBP), or None: checked before any decoder."""
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if head[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def decode_image(data: bytes, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Decodes PNG/JPEG/WebP bytes, applies the EXIF orientation, drops alpha; RGB out.

    The same rules as the platform's edge (libs/imaging): the magic bytes first (an SVG, GIF,
    TIFF... never reaches a decoder), then the pixel count from the header, then a full decode that
    refuses truncated data (PIL's LOAD_TRUNCATED_IMAGES stays off)."""
    if not data:
        raise UnreadableImage("image is empty")
    expected = sniff_format(data[:12])
    if expected is None:
        raise UnreadableImage("image is not a PNG, JPEG or WebP image (its first bytes say otherwise)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[expected]) as probe:
                if probe.width * probe.height > max_pixels:
                    raise UnreadableImage(f"image has {probe.width}x{probe.height} pixels, more than {max_pixels}")
                probe.load()
                image = ImageOps.exif_transpose(probe)
                if image.mode != "RGB":
                    image = image.convert("RGB")
                else:
                    image = image.copy()
    except UnreadableImage:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise UnreadableImage(f"image has more pixels than {MAX_PIXELS}: {error}") from error
    except Exception as error:  # PIL raises many types for corrupt input
        raise UnreadableImage("image is not a readable image") from error
    return image


def content_box(src_w: int, src_h: int, width: int, height: int) -> tuple[int, int, int, int]:
    """(left, top, w, h) of the source inside a width x height frame: fit inside, centred (as libs/imaging)."""
    scale = min(width / src_w, height / src_h)
    w = min(width, max(1, _round_half_up(src_w * scale)))
    h = min(height, max(1, _round_half_up(src_h * scale)))
    return (width - w) // 2, (height - h) // 2, w, h


def letterbox(image: Image.Image, width: int, height: int) -> Image.Image:
    """Fits the image inside width x height without stretching, padding with black; unchanged if it fits exactly."""
    image = image.convert("RGB") if image.mode != "RGB" else image
    if image.size == (width, height):
        return image
    left, top, w, h = content_box(image.width, image.height, width, height)
    canvas = Image.new("RGB", (width, height), (0, 0, 0))
    canvas.paste(image.resize((w, h), Image.Resampling.LANCZOS), (left, top))
    return canvas


def encode_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()


def _round_half_up(x: float) -> int:  # JavaScript's Math.round
    return math.floor(x + 0.5)
