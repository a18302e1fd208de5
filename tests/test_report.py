"""The HTML report, opened in a real headless Chromium (installed by `make setup`)."""
import re
import shutil
import subprocess
import sys

import pytest

from pipelines.core.config import PROJECT_ROOT
from tests.conftest import DAY

ARTEFACTS = PROJECT_ROOT / "build" / "test-artifacts"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--no-first-run"]


def chromium(*args, timeout=120):
    browser = shutil.which("chromium")
    assert browser, "chromium is not installed: `make setup` installs the Debian package"
    return subprocess.run([browser, *CHROMIUM_FLAGS, *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def report(e2e, tmp_path_factory):
    cfg, _, _ = e2e
    out = tmp_path_factory.mktemp("report") / "report.html"
    proc = subprocess.run([sys.executable, "-m", "pipelines.orchestration.cli", "report", "--date", str(DAY),
                           "--data-root", str(cfg.paths.data_root), "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out


def test_the_report_loads_in_a_browser_and_its_plots_render(report):
    dom = chromium("--virtual-time-budget=5000", "--dump-dom", report.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    body = re.search(r"<body[^>]*>", dom.stdout).group(0)
    assert 'data-images-ok="3/3"' in body, body          # histogram, sub-scores, style mix drawn
    assert "data-errors" not in body, body                # no script error on load
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTEFACTS / f"report-{DAY}.png"
    shot.unlink(missing_ok=True)
    taken = chromium("--window-size=1200,2400", f"--screenshot={shot}", report.as_uri())
    assert taken.returncode == 0 and shot.stat().st_size > 50_000, taken.stderr[-2000:]


def test_the_report_says_what_the_tables_hold(report, spark, e2e):
    cfg, _, first = e2e
    page = report.read_text()
    assert f"{first.results['scores'].rows_out:,} profiles scored" in page
    assert "Data quality: all checks passed" in page
    assert "Great Expectations Data Docs" in page
    for section in ("Top movers up", "Topic leaders (fields)", "Style mix", "Run timings"):
        assert f"<h2>{section}" in page
    leaders = re.search(r"Topic leaders \(fields\)</h2><table>(.*?)</table>", page, re.S).group(1)
    assert leaders.count("<tr>") > 1, "the sample has topic leaders"
    timings = re.search(r"Run timings</h2><table>(.*?)</table>", page, re.S).group(1)
    assert "<td>scores</td>" in timings and "<td>window</td>" in timings


def test_the_page_template_escapes_what_the_tables_hold(tmp_path):
    """Values reach the page escaped (autoescape); the plots stay data URIs, the check script runs."""
    from pipelines.serving.report import render_html
    hostile = "p1<script>alert(1)</script>"
    facts = {"date": str(DAY), "histogram": [], "sample": [], "up": [], "down": [], "topics": [], "dq": [], "runs": [], "validity": [],
             "summary": {"profiles": 1234, "p50": 50.04, "p90": 90.0, "p99": 99.0, "mean": 51.0, "with_change": 0},
             "top": [{"profile_id": hostile, "score": 99.5, "percentile": 100.0, "style": None}],
             "styles": [{"style": "a & b", "n": 1}]}
    docs = tmp_path / "docs index.html"
    docs.write_text("docs")
    page = render_html(facts, {"histogram": "iVBORw0K+/=="}, docs)
    assert hostile not in page and "p1&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<td>a &amp; b</td>" in page and "1,234 profiles scored; median 50.0" in page
    assert "src='data:image/png;base64,iVBORw0K+/=='" in page
    assert f"href='{docs.as_uri()}'" in page and "%20" in docs.as_uri()
    assert page.count("<script>") == 1 and "imgs.filter(i => i.complete" in page
    assert "Data quality: no validation recorded for this date" in page
