"""The benchmark method (issue 15): percentiles and spread, the fill-version rebuild decision, the interleaving of
page and baseline, the quiet check, the marks in the output, and a figure for every list route."""

import pytest

from bench import harness
from bench.harness import Figure, Fill, Measured, Stats


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))  # 1..100
    assert harness.percentile(values, 50) == 50
    assert harness.p95(values) == 95
    assert harness.percentile(values, 100) == 100
    assert harness.p95([7]) == 7
    # 20 samples: the p95 is the 19th value, not the maximum
    assert harness.p95(list(range(20))) == 18
    with pytest.raises(ValueError):
        harness.p95([])


def test_stats_of_timings():
    s = Stats.of([5.0, 1.0, 3.0, 2.0, 4.0, None])
    assert (s.n, s.p50, s.p95, s.min, s.max) == (5, 3.0, 5.0, 1.0, 5.0)


def test_spread_is_relative_to_the_median():
    assert harness.spread([100, 110, 90]) == pytest.approx(0.2)
    assert harness.spread([50]) == 0.0
    assert harness.spread([70, 71, 91, 115]) == pytest.approx(45 / 81)


def test_fill_plan_decides_build_rebuild_extend_reuse():
    current = {"demo": 1, "hazards.million": 2, "frontline.diaries": 1}
    assert harness.fill_plan(None, current, has_data=False)[0] == "build"
    # a database built before fill versions existed: its data came from unversioned code
    action, reasons = harness.fill_plan(None, current, has_data=True)
    assert action == "rebuild" and "no fill versions" in reasons[0]
    # a changed version
    action, reasons = harness.fill_plan({"demo": 1, "hazards.million": 1, "frontline.diaries": 1}, current, True)
    assert action == "rebuild" and reasons == ["hazards.million v1 → v2"]
    # a fill that went away left its rows behind
    recorded = {**current, "old.fill": 3}
    action, reasons = harness.fill_plan(recorded, current, True)
    assert action == "rebuild" and "old.fill" in reasons[0]
    # a new fill is added to what is there
    action, reasons = harness.fill_plan({"demo": 1, "hazards.million": 2}, current, True)
    assert action == "extend" and reasons == ["frontline.diaries v1 is new"]
    assert harness.fill_plan(dict(current), current, True) == ("reuse", [])


def test_interleaved_puts_each_page_next_to_a_baseline_of_the_same_client():
    a, b = object(), object()
    order = list(harness.interleaved([(a, "/x/"), (b, "/y/")], 4, "/base/"))
    assert [(kind, url) for kind, _c, url in order] == [
        ("page", "/x/"), ("baseline", "/base/"),
        ("baseline", "/base/"), ("page", "/y/"),
        ("page", "/x/"), ("baseline", "/base/"),
        ("baseline", "/base/"), ("page", "/y/"),
    ]  # fmt: skip
    clients = [c for _k, c, _u in order]
    assert clients == [a, a, b, b, a, a, b, b]


def test_bench_sample_times_page_and_baseline_alternately():
    bench = object.__new__(harness.Bench)
    bench.requests = 6
    calls = []
    bench.get_ms = lambda client, url: calls.append(url) or (10.0 if url == "/page/" else 1.0)
    page, base = bench.sample([("c", "/page/")])
    assert calls[:2] == ["/page/", harness.Bench.BASELINE_URL]  # warm-up of both
    measured = calls[2:]
    assert len(measured) == 12 and measured.count("/page/") == 6
    assert measured[:4] == ["/page/", "/__bench__/select1/", "/__bench__/select1/", "/page/"]
    assert page == [10.0] * 6 and base == [1.0] * 6
    m = bench.measure([("c", "/page/")])
    assert (m.value, m.baseline, m.stats.n, m.baseline_stats.n) == (10.0, 1.0, 6, 6)


def test_quiet_check_stops_when_stable_and_says_when_it_gives_up():
    values = iter([100, 140, 101, 99, 100, 500])
    m, verdict = harness.quiet_rounds(lambda: Measured(next(values)), rounds=6, tolerance=0.1)
    assert verdict.startswith("stable") and m.value in (99, 100, 101)
    assert next(values) == 500  # it stopped after the fifth round (101, 99, 100 lie within 10 %)

    noisy = iter([100, 200, 100, 200, 100])
    m, verdict = harness.quiet_rounds(lambda: Measured(next(noisy)), rounds=5, tolerance=0.1)
    assert verdict.startswith("NOT STABLE after 5 rounds")


def test_busy_mark_from_load_per_core():
    assert harness.busy_note(1.0, 2) == ""
    assert harness.busy_note(None, 2) == ""
    assert harness.busy_note(6.5, 2) == "BUSY: load 6.5 on 2 cores"


def test_output_line_shows_samples_baseline_and_rolled_back():
    fig = Figure(name="x_p95", fn=None, target=100)
    m = Measured(40.0, baseline=2.0, baseline_name="select1", stats=Stats(200, 30.0, 40.0, 25.0, 90.0),
                 baseline_stats=Stats(200, 1.5, 2.0, 1.0, 9.0), rolled_back=True, busy="BUSY: load 5.0 on 2 cores")  # fmt: skip
    line = harness.format_line(fig, m)
    assert "p50 30.0 p95 40.0 (25.0–90.0) n=200" in line
    assert "vs select1 [p50 1.5 p95 2.0 (1.0–9.0) n=200] ×20.0" in line
    assert "ROLLED BACK" in line and "BUSY" in line and " ok " in line


def test_run_marks_figures_that_used_a_rolled_back_transaction(monkeypatch):
    class FakeBench:
        size = "small"
        cache = {}
        rolled = False

    def writes(b):
        b.rolled = True  # what Bench.rolled_back() sets
        return 1.0

    monkeypatch.setattr(harness, "_registry", {})
    harness.figure("writes")(writes)
    harness.figure("reads")(lambda b: 2.0)
    out = []
    results = harness.run(FakeBench(), emit=out.append)
    assert {f.name: m.rolled_back for f, m in results} == {"writes": True, "reads": False}
    assert "rolled back: writes" in out[-1] or any("rolled back: writes" in line for line in out)


def test_fill_registry_keeps_versions(monkeypatch):
    monkeypatch.setattr(harness, "_fills", {})

    @harness.fill("b.second", version=3, order=20)
    def second(b):
        return "two"

    @harness.fill("a.first", order=10)
    def first(b):
        return "one"

    assert [(f.name, f.version) for f in harness.fills()] == [("a.first", 1), ("b.second", 3)]
    assert isinstance(harness.fills()[0], Fill)


@pytest.mark.django_db
def test_fill_records_are_kept_in_the_bench_database():
    from bench import run

    run.ensure_fill_table()
    assert run.recorded_fills() == {}
    run.record_fill("hazards.million", 2, 1.234, "3000 hazards")
    run.record_fill("hazards.million", 3, 2.0, "again")  # a rebuilt fill replaces its row
    ((version, _built, seconds, note),) = run.recorded_fills().values()
    assert (version, seconds, note) == (3, 2.0, "again")


def _list_routes():
    from django.urls import URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern), p

    from bench import figures_pages

    routes = set()
    for route, pattern in walk(get_resolver("hongling.urls").url_patterns):
        if "<" in route or "{" in route or any(word in route for word in figures_pages.NOT_LISTS):
            continue
        name = pattern.name or ""
        if name.startswith(("create_", "save_", "post_", "send_", "submit_")):  # the API's POST routes
            continue
        routes.add("/" + route)
    return routes - set(figures_pages.REDIRECTS)


def test_every_list_route_has_a_figure():
    from bench import figures_pages

    missing = sorted(_list_routes() - figures_pages.covered_paths())
    assert not missing, f"list pages without a benchmark figure: {missing}"
    assert {"/vanguard/", "/api/hazards", "/manage/audit/"} <= figures_pages.covered_paths()
