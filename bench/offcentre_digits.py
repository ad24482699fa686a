#!/usr/bin/env python3
"""Writes an off-centre, non-square variant of a folder of square grayscale digit PNGs (issue 12).

Each image (sorted by path, so the result does not depend on the file system's order) is placed on a
black canvas twice its side long: wide (2s x s) or tall (s x 2s), and at an offset along the long
axis from 0 to s, both drawn from one random.Random(seed). Labels (the class folders) are kept.
Standard library only (zlib and struct), as the dev box has no PIL: reads and writes 8-bit
grayscale, non-interlaced PNGs, which the bundled digits are.

    bench/offcentre_digits.py samples/digits OUT [--seed 12]
"""
import argparse
import os
import random
import struct
import zlib


def read_gray_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert (depth, colour, interlace) == (8, 0, 0), f"{path}: only 8-bit grayscale, non-interlaced"
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    rows, previous = [], bytearray(width)
    for y in range(height):
        line = raw[y * (width + 1):(y + 1) * (width + 1)]
        kind, row = line[0], bytearray(line[1:])
        for x in range(width):
            a = row[x - 1] if x else 0
            b = previous[x]
            c = previous[x - 1] if x else 0
            if kind == 1:
                row[x] = (row[x] + a) & 255
            elif kind == 2:
                row[x] = (row[x] + b) & 255
            elif kind == 3:
                row[x] = (row[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[x] = (row[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(row)
        previous = row
    return width, height, rows


def write_gray_png(path, width, height, rows):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(row) for row in rows)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("output")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    paths = sorted(os.path.join(d, f) for d, _, files in os.walk(args.source) for f in files if f.endswith(".png"))
    for path in paths:
        w, h, rows = read_gray_png(path)
        assert w == h, f"{path} is not square"
        wide = rng.random() < 0.5
        offset = rng.randint(0, w)
        cw, ch = (2 * w, h) if wide else (w, 2 * h)
        canvas = [bytearray(cw) for _ in range(ch)]
        for y in range(h):
            for x in range(w):
                canvas[y + (0 if wide else offset)][x + (offset if wide else 0)] = rows[y][x]
        target = os.path.join(args.output, os.path.relpath(path, args.source))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        write_gray_png(target, cw, ch, canvas)
    print(f"{len(paths)} images written to {args.output} (seed {args.seed})")


if __name__ == "__main__":
    main()
