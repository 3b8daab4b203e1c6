"""PNG images for the tests, made with Pillow (which the thumbnailer uses too)."""

import io

from PIL import Image


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "orange").save(out, format="PNG")
    return out.getvalue()


def size_of(image: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(image)).size
