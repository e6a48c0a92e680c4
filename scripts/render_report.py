"""Screenshot an exohunt report.html with headless Chromium, to check that it renders offline.

Usage::

    python scripts/render_report.py REPORT_DIR/report.html --out report.png [--width 1280]
        [--height 4000] [--max-kb 400]

Needs Chromium (Debian: ``apt-get install -y chromium``). Networking is switched off, so an
image or style that is not embedded in the page shows up missing in the screenshot. The PNG is
re-quantised to a palette image (Pillow, which matplotlib already depends on) so that it stays
under ``--max-kb`` for the README.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars")


def find_chromium() -> str:
    """Path of a Chromium executable, or exit with a one-line hint."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    sys.exit("render_report: no Chromium found; install it (Debian: apt-get install -y chromium)")


def screenshot(html: Path, out: Path, width: int = 1280, height: int = 4000) -> Path:
    """Render ``html`` (a local file) to the PNG ``out`` and return ``out``."""
    html = html.resolve()
    if not html.is_file():
        sys.exit(f"render_report: {html}: not found; expected a report.html")
    out = out.resolve()
    with tempfile.TemporaryDirectory() as profile:
        command = [find_chromium(), *FLAGS, f"--user-data-dir={profile}",
                   f"--screenshot={out}", f"--window-size={width},{height}",
                   "--proxy-server=127.0.0.1:9", html.as_uri()]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0 or not out.is_file():
        sys.exit(f"render_report: Chromium failed ({result.returncode}): {result.stderr[-500:]}")
    return out


def trim_bottom(image, margin: int = 24):
    """Cut the blank window below the end of the page (keeping ``margin`` pixels)."""
    import numpy as np

    pixels = np.asarray(image.convert("L"))
    used = np.flatnonzero((pixels < 250).any(axis=1))
    if used.size == 0:
        return image
    return image.crop((0, 0, image.width, min(image.height, int(used[-1]) + margin)))


def shrink(png: Path, max_kb: int, colors: int = 128) -> int:
    """Trim, then re-quantise ``png`` to a palette image until it is under ``max_kb``; returns
    its size in bytes."""
    from PIL import Image

    image = trim_bottom(Image.open(png).convert("RGB"))
    while True:
        image.quantize(colors=colors, method=Image.Quantize.MEDIANCUT).save(png, optimize=True)
        size = png.stat().st_size
        if size <= max_kb * 1024 or colors <= 16:
            return size
        colors //= 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="the report.html to render")
    parser.add_argument("--out", type=Path, default=Path("report.png"), help="screenshot PNG")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=4000)
    parser.add_argument("--max-kb", type=int, default=400, help="size limit of the PNG")
    args = parser.parse_args(argv)
    out = screenshot(args.html, args.out, args.width, args.height)
    size = shrink(out, args.max_kb)
    print(f"{out}: {size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
