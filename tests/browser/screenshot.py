"""Screenshot an HTML report in headless Chromium (the README's picture is made with it).

    python tests/browser/screenshot.py report.html docs/html-report.png --start '#paths' --height 1300
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from devtools_pipe import Browser, find_browser


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("report", help="the HTML report to open")
    parser.add_argument("output", help="the PNG to write")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=None, help="pixels to keep (default: the whole page)")
    parser.add_argument("--start", default=None, help="CSS selector of the element the picture starts at")
    args = parser.parse_args(argv)
    executable = find_browser()
    if executable is None:
        print("screenshot: no Chromium found; run tests/browser/install_chromium.sh", file=sys.stderr)
        return 2
    with Browser(executable, width=args.width) as browser:
        browser.open("file://" + os.path.abspath(args.report))
        top = 0.0
        if args.start:
            top = float(browser.evaluate(
                f"document.querySelector({args.start!r}).getBoundingClientRect().top + window.scrollY"))
        browser.screenshot(args.output, top=top, height=args.height)
        problems = browser.problems()
    for problem in problems:
        print(f"screenshot: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
