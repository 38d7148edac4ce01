"""Regenerate the README's screenshots from the app itself, on the demo school at a fixed date.

uv run python docs/make_screenshots.py
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from passport_tui.service import Service
from passport_tui.service.demo import build_demo
from passport_tui.store import Store
from passport_tui.tui.app import make_app

OUT = Path(__file__).parent / "screenshots"
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)

SHOTS = {
    "class-grid": ("4O", ["down", "right"]),
    "pupil-passport": ("6P", ["down", "down", "down", "down", "down", "down", "down", "enter"]),
    "curriculum-tree": ("4O", ["t", "slash", *"fractions", "enter"]),
    "override": ("6P", ["down"] * 2 + ["right"] * 2 + ["a"]),
    "tracking": ("4O", ["T"]),
    "groups": ("4O", ["T", "tab", "right"]),
}


async def settle(pilot) -> None:
    """Let the app finish what a key started: its screens read in workers."""
    for _ in range(50):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in pilot.app.workers):
            return


async def shoot(path: Path, name: str, class_name: str, keys: list[str]) -> None:
    with Service(Store.open(path), user="ms.hughes", clock=lambda: NOW) as svc:
        app = make_app(svc, ascii_only=False, class_name=class_name)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            for key in keys:
                await pilot.press(key)
                await settle(pilot)
            await pilot.pause(0.3)
            app.save_screenshot(filename=f"{name}.svg", path=str(OUT))


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        with Service(Store.open(db), user="demo", clock=lambda: NOW) as svc:
            build_demo(svc)
        for name, (class_name, keys) in SHOTS.items():
            await shoot(db, name, class_name, keys)
            print(f"wrote {OUT / name}.svg")


if __name__ == "__main__":
    asyncio.run(main())
