#!/usr/bin/env python3
"""Draws the app icon: a red tile with the two lines a cadre writes each day, the second
one ticked. Writes app/public/icon.svg and the PNGs the web app manifest names (any and
maskable, 192 and 512 px). The PNGs are committed; run this again after changing the design
(needs Pillow: pip install pillow)."""
from pathlib import Path

from PIL import Image, ImageDraw

RED = (179, 38, 30)
WHITE = (255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "app" / "public"

# Geometry on a 512-unit square; everything sits inside the maskable safe zone (the
# central circle of radius 204).
LINES = [(136, 184, 376, 228), (136, 284, 272, 328)]  # x0, y0, x1, y1, round caps
TICK = [(318, 318), (346, 346), (392, 282)]
TICK_WIDTH = 30


def svg() -> str:
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">',
        '<rect width="512" height="512" rx="96" fill="#b3261e"/>',
    ]
    for x0, y0, x1, y1 in LINES:
        h = y1 - y0
        parts.append(
            f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{h}" rx="{h // 2}" fill="#fff"/>'
        )
    pts = " ".join(f"{x},{y}" for x, y in TICK)
    parts.append(
        f'<polyline points="{pts}" fill="none" stroke="#fff" stroke-width="{TICK_WIDTH}" '
        'stroke-linecap="round" stroke-linejoin="round"/>'
    )
    parts.append("</svg>")
    return "".join(parts) + "\n"


def png(size: int, maskable: bool) -> Image.Image:
    scale = 4  # draw large, then shrink, for smooth edges
    s = size * scale / 512
    img = Image.new("RGBA", (size * scale, size * scale), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    full = size * scale - 1
    if maskable:
        d.rectangle((0, 0, full, full), fill=RED)
    else:
        d.rounded_rectangle((0, 0, full, full), radius=96 * s, fill=RED)
    for x0, y0, x1, y1 in LINES:
        d.rounded_rectangle((x0 * s, y0 * s, x1 * s, y1 * s), radius=(y1 - y0) * s / 2, fill=WHITE)
    pts = [(x * s, y * s) for x, y in TICK]
    w = round(TICK_WIDTH * s)
    d.line(pts, fill=WHITE, width=w, joint="curve")
    r = w / 2
    for x, y in (pts[0], pts[-1]):
        d.ellipse((x - r, y - r, x + r, y + r), fill=WHITE)
    return img.resize((size, size), Image.LANCZOS)


def main() -> None:
    (OUT / "icon.svg").write_text(svg())
    for size in (192, 512):
        png(size, False).save(OUT / f"icon-{size}.png", optimize=True)
        png(size, True).save(OUT / f"icon-maskable-{size}.png", optimize=True)
    png(180, True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
