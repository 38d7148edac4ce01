"""The reports as they come out of a real browser's printer (chromium, headless): a parent report
of a demo pupil is at most two A4 sides — every pupil of one class, the pupil on personal
programmes only, the new arrival and a Year 6 pupil, each with a teacher's comment on the whole
and on every subject and a focus in every subject — and the school report prints on A4 with no
table wider than the page. Skipped, with the reason, where chromium is not installed (CI installs
it: .ci/run)."""

from __future__ import annotations

import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from passport_tui.reports import class_parent_report, parent_report, school_report
from passport_tui.reports.parent import subject_name
from passport_tui.service import Service
from passport_tui.store import Store
from tests.conftest import fixed_clock
from tests.test_demo_reports import arrival, pmld_pupil

pytestmark = pytest.mark.slow

CHROMIUM = next(
    (p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (apt-get install chromium): the reports cannot be printed here",
)

A4 = (595.0, 842.0)  # points
# the width a table may take on A4: 210 mm less the @page margins (14 mm each side), in CSS px
PRINTABLE_PX = round((210 - 2 * 14) / 25.4 * 96)

COMMENT = (
    "{first} has settled well this term and works hard in every lesson. {first} listens carefully, "
    "asks good questions and is kind to others. At home, reading together for ten minutes a day "
    "and talking about the story would help {first} most."
)
SUBJECT_COMMENT = (
    "{first} has made steady progress in {subject} this term and tries hard with new work; "
    "the next step is to practise a little every day so it becomes secure."
)


def _chromium(*args: str, user_dir: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            f"--user-data-dir={user_dir}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def print_pdf(html: Path) -> bytes:
    """``html`` printed to PDF by chromium (no header or footer: the page is the report's)."""
    pdf = html.with_suffix(".pdf")
    done = _chromium(
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        html.as_uri(),
        user_dir=html.with_suffix(".profile"),
    )
    assert pdf.exists(), done.stderr[-2000:]
    return pdf.read_bytes()


def pages(pdf: bytes) -> int:
    """The number of pages: the ``/Type /Page`` objects (not ``/Pages``, the tree)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def page_sizes(pdf: bytes) -> set[tuple[float, float]]:
    return {
        (round(float(w)), round(float(h)))
        for w, h in re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    }


def admin(store: Store) -> str:
    """A login that may do everything in this database (anyone, until staff are set)."""
    return next((login for login, _name, role, _classes in store.staff() if role == "admin"), "demo")


@pytest.fixture(scope="module")
def demo_print(demo_file: Path, tmp_path_factory) -> tuple[Service, Path]:
    """The demo school, with Mrs Hughes (a name set: comments are signed with it) commenting on
    every pupil of class 2H, the PMLD pupil and a Year 6 pupil, and a focus in every subject."""
    folder = tmp_path_factory.mktemp("print")
    path = folder / "demo.db"
    shutil.copy(demo_file, path)
    with Store.open(path) as store:
        login = admin(store)
    with Service(Store.open(path), user=login, clock=fixed_clock) as boss:
        boss.add_staff("ms.hughes", "Mrs Helen Hughes", "admin")
    svc = Service(Store.open(path), user="ms.hughes", clock=fixed_clock)
    yield svc, folder
    svc.close()


def chosen(svc: Service) -> list:
    """Every pupil of class 2H (the new arrival's class), the PMLD pupil and the Year 6 pupil who
    follows the most subjects."""
    year6 = max(
        (p for p in svc.pupils("6P") if svc.year_group(p) == 6),
        key=lambda p: len(svc.pathway(p.upn).curricula),
    )
    pupils = [*svc.pupils("2H"), pmld_pupil(svc), year6]
    assert arrival(svc).upn in {p.upn for p in pupils}
    return pupils


def comment_on_everything(svc: Service, pupils: list) -> None:
    for p in pupils:
        first = p.first_name
        svc.add_teacher_comment(p.upn, COMMENT.format(first=first))
        passport = svc.passport(p.upn)
        for cp in passport.curricula:
            subject = subject_name(cp.curriculum)
            svc.add_teacher_comment(
                p.upn, SUBJECT_COMMENT.format(first=first, subject=subject), curriculum_id=cp.curriculum.id
            )
            if cp.standing.next:
                svc.pin_focus(
                    p.upn,
                    cp.standing.next[0],
                    curriculum_id=cp.curriculum.id,
                    provision="Ten minutes a day with a teaching assistant, in a small group.",
                )


@needs_chromium
def test_every_parent_report_prints_on_two_a4_sides_at_most(demo_print: tuple[Service, Path]) -> None:
    svc, folder = demo_print
    pupils = chosen(svc)
    assert len(pupils) >= 20
    comment_on_everything(svc, pupils)
    files = []
    for p in pupils:
        html = parent_report(svc, [p.upn], "html")
        assert "Mrs Helen Hughes" in html and "ms.hughes" not in html  # signed with the name
        assert "@page { size: A4;" in html and "break-inside: avoid" in html
        f = folder / f"parent-{p.upn}.html"
        f.write_text(html, encoding="utf-8")
        files.append(f)
    # three of them together, each starting on a new side: the page count can say "too many"
    together = folder / "three.html"
    three = class_parent_report(svc, "2H", "html")
    cut = [m.end() for m in re.finditer(r"</article>", three)][2]
    together.write_text(three[:cut] + "\n</main>\n</body>\n</html>\n", encoding="utf-8")
    with ThreadPoolExecutor(max_workers=3) as pool:
        printed = dict(zip(files + [together], pool.map(print_pdf, files + [together]), strict=True))
    assert pages(printed.pop(together)) >= 3
    counts = {f.stem: pages(pdf) for f, pdf in printed.items()}
    too_long = {name: n for name, n in counts.items() if n > 2}
    assert not too_long, too_long
    assert all(n >= 1 for n in counts.values())
    for pdf in printed.values():
        assert page_sizes(pdf) == {A4}


TABLES_FIT = """
<script>
window.addEventListener("load", () => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("table")]
    .filter((t) => t.getBoundingClientRect().right > width + 0.5 || t.scrollWidth > t.clientWidth + 0.5)
    .map((t) => (t.caption ? t.caption.textContent : "a table") + " " + t.scrollWidth);
  document.body.setAttribute("data-tables", document.querySelectorAll("table").length);
  document.body.setAttribute("data-wide", wide.join("; ") || "none");
});
</script>
"""


@needs_chromium
def test_the_school_report_prints_on_a4_with_no_table_off_the_page(
    demo_print: tuple[Service, Path],
) -> None:
    svc, folder = demo_print
    html = school_report(svc)
    assert "@page { size: A4;" in html and re.search(r"table \{[^}]*max-width: 100%", html)
    report = folder / "school.html"
    report.write_text(html, encoding="utf-8")
    pdf = print_pdf(report)
    assert page_sizes(pdf) == {A4} and 1 <= pages(pdf) <= 8
    # laid out as wide as the printed page's text (A4 less its margins): every table fits in it
    probe = folder / "school-probe.html"
    probe.write_text(
        html.replace("<main>", '<main style="max-width: none; padding: 0">').replace(
            "</body>", TABLES_FIT + "</body>"
        ),
        encoding="utf-8",
    )
    done = _chromium(
        f"--window-size={PRINTABLE_PX},1123",
        "--virtual-time-budget=2000",
        "--dump-dom",
        probe.as_uri(),
        user_dir=folder / "probe.profile",
    )
    body = re.search(r"<body[^>]*>", done.stdout)
    assert body, done.stderr[-2000:]
    tables = re.search(r'data-tables="(\d+)"', body.group(0))
    assert tables and int(tables.group(1)) >= 5, body.group(0)
    assert 'data-wide="none"' in body.group(0), body.group(0)
