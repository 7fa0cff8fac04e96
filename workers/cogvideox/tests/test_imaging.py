"""Letterboxing as libs/imaging does it (paper 5.1), decoding, PNG encoding."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from f2f_worker.imaging import UnreadableImage, content_box, decode_image, encode_png, letterbox


@pytest.mark.parametrize(
    "source,box",
    [
        ((512, 512), (120, 0, 480, 480)),  # square: 480x480 with 120 px on each side
        ((1440, 960), (0, 0, 720, 480)),  # 3:2 already
        ((1920, 1080), (0, 37, 720, 405)),  # wider than 3:2: 720 wide, bars above and below
        ((480, 720), (200, 0, 320, 480)),  # portrait
        ((10, 1000), (357, 0, 5, 480)),
    ],
)
def test_content_box_matches_libs_imaging(source, box):
    assert content_box(*source, 720, 480) == box


def test_letterbox_pads_with_black_and_never_stretches():
    source = Image.new("RGB", (200, 100), (0, 0, 255))
    out = letterbox(source, 720, 480)
    assert out.size == (720, 480)
    pixels = np.asarray(out)
    # 2:1 source -> 720x360, 60 px bars above and below
    assert (pixels[:59] == 0).all() and (pixels[421:] == 0).all()
    assert (pixels[70:410, :, 2] > 240).all()


def test_letterbox_keeps_an_image_of_the_right_size():
    source = Image.new("RGB", (720, 480), (1, 2, 3))
    assert letterbox(source, 720, 480) is source


def test_decode_applies_exif_orientation_and_drops_alpha():
    image = Image.new("RGBA", (40, 20), (255, 0, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", exif=exif)
    decoded = decode_image(buffer.getvalue())
    assert decoded.size == (20, 40) and decoded.mode == "RGB"

    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    assert decode_image(buffer.getvalue()).mode == "RGB"


def test_webp_is_readable():
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (9, 9, 9)).save(buffer, format="WEBP")
    assert decode_image(buffer.getvalue()).size == (32, 32)


@pytest.mark.parametrize("data", [b"", b"GIF89a", b"hello world", b"\xff\xd8\xff\xe0" + b"\x00" * 50])
def test_unreadable_images_are_refused(data):
    with pytest.raises(UnreadableImage):
        decode_image(data)


def test_encode_png_round_trips():
    source = Image.new("RGB", (64, 48), (12, 34, 56))
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(encode_png(source)))), np.asarray(source))
