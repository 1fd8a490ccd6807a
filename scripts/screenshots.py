"""Take the README's screenshots of the public pages: the seeded program of the browser tests
(tests/browser/site.py) served by the real bot, photographed by Debian's headless chromium.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--phone]

Writes program.png, ambassadors.png, groups.png and events.png at desktop size (1280×800, the
top of each page), and with --phone ambassadors-phone.png at 375×812. Needs what the browser tests
need (bash scripts/test.sh installs it)."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM  # noqa: E402
from tests.browser.site import running_site  # noqa: E402

SHOTS = {
    "program": "/program",
    "ambassadors": "/program/ambassadors",
    "groups": "/program/groups",
    "events": "/program/events",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--phone", action="store_true", help="also the directory at phone width")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, running_site(Path(tmp)) as site, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        sizes = [("", 1280, 800)] + ([("-phone", 375, 812)] if args.phone else [])
        for suffix, width, height in sizes:
            context = browser.new_context(
                viewport={"width": width, "height": height},
                device_scale_factor=1,
                timezone_id="Europe/London",
                locale="en-GB",
            )
            page = context.new_page()
            for name, path in SHOTS.items():
                if suffix and name != "ambassadors":
                    continue
                page.goto(site.url + path, wait_until="load")
                target = args.out / f"{name}{suffix}.png"
                page.screenshot(path=str(target))
                print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
            context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
