#!/usr/bin/python3
"""Writes tests/Pipeline.Tests/Fixtures/Decoding/cmyk-16x8.jpg, a CMYK JPEG that ImageSharp 2.x
cannot write itself: left half pure cyan (C=255), right half pure yellow (Y=255), no black.
Pillow stores CMYK JPEGs Adobe-style (inverted samples, APP14 marker), as Photoshop does.
Regenerate: /usr/bin/python3 scripts/make_cmyk_jpeg_fixture.py (needs Pillow)."""
from pathlib import Path
from PIL import Image

out = Path(__file__).resolve().parent.parent / "tests/Pipeline.Tests/Fixtures/Decoding/cmyk-16x8.jpg"
image = Image.new("CMYK", (16, 8))
for y in range(8):
    for x in range(16):
        image.putpixel((x, y), (255, 0, 0, 0) if x < 8 else (0, 0, 255, 0))
image.save(out, quality=100, subsampling=0)
check = Image.open(out)
print(out, check.mode, check.size, check.convert("RGB").getpixel((3, 4)), check.convert("RGB").getpixel((12, 4)))
