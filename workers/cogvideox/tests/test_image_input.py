"""The image a request carries: the platform's rules (libs/imaging) before PIL decodes anything."""

from __future__ import annotations

import io
import struct
import time
import zlib

import pytest
from PIL import Image

from f2f_worker.imaging import UnreadableImage, decode_image, sniff_format


def _encode(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def _gradient(width: int = 64, height: int = 48) -> Image.Image:
    image = Image.new("RGB", (width, height))
    image.putdata([(x * 4 % 256, y * 5 % 256, (x + y) % 256) for y in range(height) for x in range(width)])
    return image


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height, with one tiny IDAT (a pixel bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(b"\0" * 64)) + _chunk(b"IEND", b"")
    )


def _billion_laughs_svg() -> bytes:
    entities = ['<!ENTITY lol "lol">']
    for i in range(1, 10):
        prev = "lol" if i == 1 else f"lol{i - 1}"
        entities.append(f'<!ENTITY lol{i} "{f"&{prev};" * 10}">')
    return (
        f'<?xml version="1.0"?><!DOCTYPE svg [{"".join(entities)}]>'
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><text>&lol9;</text></svg>'
    ).encode()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_accepts_the_three_formats(fmt):
    data = _encode(_gradient(), fmt)
    assert sniff_format(data[:12]) == fmt
    assert decode_image(data).size == (64, 48)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(_billion_laughs_svg(), id="svg-billion-laughs"),
        pytest.param(_encode(_gradient(), "GIF"), id="gif"),
        pytest.param(_encode(_gradient(), "TIFF"), id="tiff"),
        pytest.param(_encode(_gradient(), "BMP"), id="bmp"),
        pytest.param(b"%PDF-1.4\n1 0 obj << >> endobj\n", id="pdf"),
    ],
)
def test_refuses_other_formats_from_their_magic_bytes(data):
    started = time.perf_counter()
    with pytest.raises(UnreadableImage, match="not a PNG, JPEG or WebP"):
        decode_image(data)
    assert time.perf_counter() - started < 0.05


def test_refuses_a_polyglot_whose_body_is_not_the_format_its_signature_says():
    png = _encode(_gradient(), "PNG")
    # A JPEG signature over a PNG: PIL must not fall back to the PNG decoder.
    with pytest.raises(UnreadableImage):
        decode_image(b"\xff\xd8\xff" + png)
    with pytest.raises(UnreadableImage):
        decode_image(png[:8] + _billion_laughs_svg())


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_refuses_a_truncated_image(fmt):
    data = _encode(_gradient(256, 192), fmt)
    with pytest.raises(UnreadableImage):
        decode_image(data[: len(data) * 6 // 10])


def test_refuses_a_png_whose_header_claims_more_pixels_than_the_limit_before_decoding():
    started = time.perf_counter()
    with pytest.raises(UnreadableImage, match="more pixels than"):
        decode_image(_png_claiming(50_000, 50_000))
    assert time.perf_counter() - started < 0.5


def test_refuses_a_real_decompression_bomb_within_the_message_size():
    # 6000 x 6000 greyscale zeros: 36 Mpx in about 40 KB; over a 16 Mpx limit.
    raw = b"".join(b"\0" + b"\0" * 6000 for _ in range(6000))
    ihdr = struct.pack(">IIBBBBB", 6000, 6000, 8, 0, 0, 0, 0)
    bomb = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b"")
    assert len(bomb) < 100_000
    with pytest.raises(UnreadableImage, match="6000x6000 pixels"):
        decode_image(bomb, max_pixels=16_000_000)


def test_the_edge_is_at_least_as_strict_on_a_bad_png_crc():
    """libs/imaging refuses a PNG whose IDAT CRC is wrong (libvips failOn 'warning'); PIL does not
    check IDAT CRCs. Either answer here is safe because the edge refused it first; this pins which."""
    png = bytearray(_encode(_gradient(), "PNG"))
    at = png.index(b"IDAT")
    length = struct.unpack(">I", png[at - 4 : at])[0]
    png[at + 4 + length] ^= 0xFF
    try:
        decode_image(bytes(png))
        accepted = True
    except UnreadableImage:
        accepted = False
    assert accepted == PIL_ACCEPTS_BAD_IDAT_CRC


PIL_ACCEPTS_BAD_IDAT_CRC = True
