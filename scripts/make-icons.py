#!/usr/bin/env python3
"""Draws Tiaojie's app icons (a speech bubble with three dots on teal) as PNG,
ICO and SVG, with no dependencies beyond the standard library.

    python3 scripts/make-icons.py      # writes public/icons/* and public/favicon.ico
"""
import os
import struct
import zlib

TEAL = (15, 107, 92)
WHITE = (255, 255, 255)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "public")

# Shapes in unit coordinates (0..1), centred in the maskable safe zone.
BUBBLE = (0.25, 0.28, 0.75, 0.64, 0.09)  # x0, y0, x1, y1, corner radius
TAIL = ((0.33, 0.62), (0.47, 0.62), (0.31, 0.76))
DOTS = [(0.37, 0.46), (0.50, 0.46), (0.63, 0.46)]
DOT_R = 0.045


def in_round_rect(x, y, x0, y0, x1, y1, r):
    if x < x0 or x > x1 or y < y0 or y > y1:
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def in_triangle(x, y, a, b, c):
    def side(p, q):
        return (x - q[0]) * (p[1] - q[1]) - (p[0] - q[0]) * (y - q[1])

    d1, d2, d3 = side(a, b), side(b, c), side(c, a)
    neg = d1 < 0 or d2 < 0 or d3 < 0
    pos = d1 > 0 or d2 > 0 or d3 > 0
    return not (neg and pos)


def colour_at(x, y, rounded):
    """RGBA of one sample point."""
    if rounded and not in_round_rect(x, y, 0, 0, 1, 1, 0.22):
        return (0, 0, 0, 0)
    white = in_round_rect(x, y, *BUBBLE) or in_triangle(x, y, *TAIL)
    if white and any((x - dx) ** 2 + (y - dy) ** 2 <= DOT_R**2 for dx, dy in DOTS):
        white = False
    return (*(WHITE if white else TEAL), 255)


def render(size, rounded, ss=4):
    rows = []
    for py in range(size):
        row = bytearray([0])  # filter type 0
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(ss):
                for sx in range(ss):
                    c = colour_at((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size, rounded)
                    for i in range(3):
                        acc[i] += c[i] * c[3]
                    acc[3] += c[3]
            n = ss * ss
            alpha = acc[3] / n
            if acc[3]:
                row += bytes(round(acc[i] / acc[3]) for i in range(3))
            else:
                row += b"\0\0\0"
            row.append(round(alpha))
        rows.append(bytes(row))
    return png(size, b"".join(rows))


def png(size, raw):
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def ico(png_bytes, size):
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(png_bytes), 22)
    return header + entry + png_bytes


def svg():
    x0, y0, x1, y1, r = (v * 512 for v in BUBBLE)
    tail = " ".join(f"{x * 512:.0f},{y * 512:.0f}" for x, y in TAIL)
    dots = "".join(
        f'<circle cx="{dx * 512:.0f}" cy="{dy * 512:.0f}" r="{DOT_R * 512:.0f}" fill="#0f6b5c"/>' for dx, dy in DOTS
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">'
        '<rect width="512" height="512" rx="113" fill="#0f6b5c"/>'
        f'<rect x="{x0:.0f}" y="{y0:.0f}" width="{x1 - x0:.0f}" height="{y1 - y0:.0f}" rx="{r:.0f}" fill="#fff"/>'
        f'<polygon points="{tail}" fill="#fff"/>{dots}</svg>\n'
    )


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    print(f"{path}: {len(data)} bytes")


if __name__ == "__main__":
    icons = os.path.join(ROOT, "icons")
    os.makedirs(icons, exist_ok=True)
    write(os.path.join(icons, "icon-192.png"), render(192, rounded=True))
    write(os.path.join(icons, "icon-512.png"), render(512, rounded=True, ss=2))
    write(os.path.join(icons, "maskable-512.png"), render(512, rounded=False, ss=2))
    write(os.path.join(icons, "apple-touch-icon.png"), render(180, rounded=False))
    write(os.path.join(ROOT, "favicon.ico"), ico(render(32, rounded=True), 32))
    write(os.path.join(icons, "icon.svg"), svg().encode())
