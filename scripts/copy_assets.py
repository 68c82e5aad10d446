"""Build static_vendor/ from the front-end packages installed by `npm ci` (pinned in package-lock.json), which
Django serves. Nothing here is committed: npm brings it. Only what the pages use is shipped (issue 15, a phone on
a weak link):

- Bootstrap's CSS (no Bootstrap JS: the few behaviours the pages need are in static/js/hongling.js);
- ECharts as one bundle of the chart types and components the page scripts draw (scripts/assets/echarts.js, built
  with esbuild, a pinned devDependency), loaded only by the pages that draw charts;
- bootstrap-icons cut down to the glyphs the templates and the Python code name (a subset of the woff2 font made
  with fontTools, and a stylesheet with a rule for those glyphs only).
"""

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
OUT = ROOT / "static_vendor" / "vendor"

FILES = {
    "bootstrap/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "bootstrap/dist/css/bootstrap.min.css.map": "bootstrap/bootstrap.min.css.map",
}
ECHARTS_ENTRY = ROOT / "scripts" / "assets" / "echarts.js"
ECHARTS_OUT = "echarts/echarts.hongling.min.js"
ICONS = NODE / "bootstrap-icons" / "font"
ICONS_CSS = "bootstrap-icons/bootstrap-icons.min.css"
ICONS_FONT = "bootstrap-icons/fonts/bootstrap-icons.woff2"
# Where icon names are written: `bi-NAME` classes in templates and scripts, and names given as Python strings
# (menu entries, tiles and cards: icon="shield-check"). Folders that are not the project's own are left out.
NOT_OURS = {".venv", "node_modules", "static_vendor", "staticfiles", "data", "test-results", ".git"}


def build_echarts():
    """One IIFE bundle that sets window.echarts, minified, from the entry that lists what the pages draw."""
    esbuild = NODE / ".bin" / "esbuild"
    if not esbuild.exists():
        sys.exit("esbuild missing (a devDependency: run `npm ci` first)")
    target = OUT / ECHARTS_OUT
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            str(esbuild),
            str(ECHARTS_ENTRY),
            "--bundle",
            "--minify",
            "--format=iife",
            "--global-name=echarts",
            "--target=es2017",
            '--define:process.env.NODE_ENV="production"',
            "--legal-comments=eof",
            "--log-level=warning",
            f"--outfile={target}",
        ],
        check=True,
        cwd=ROOT,
    )
    return target


def project_files(suffixes):
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in NOT_OURS and not d.startswith(".")]
        for name in files:
            if Path(name).suffix in suffixes:
                yield Path(folder) / name


def icons_used(known):
    """Glyph names the project uses: every `bi-NAME` of templates and scripts, and every Python string literal that
    is a glyph name (a few ordinary words that happen to be glyph names cost some bytes, never a missing icon)."""
    used = set()
    for path in project_files({".html", ".js", ".css"}):
        used |= set(re.findall(r"\bbi-([a-z0-9]+(?:-[a-z0-9]+)*)", path.read_text(errors="ignore")))
    for path in project_files({".py"}):
        used |= set(re.findall(r"[\"']([a-z0-9]+(?:-[a-z0-9]+)*)[\"']", path.read_text(errors="ignore")))
    return sorted(used & known)


def build_icons():
    """The woff2 font with only the used glyphs, and its stylesheet (the package's base rules and one rule per
    glyph shipped)."""
    from fontTools import subset

    logging.getLogger("fontTools").setLevel(logging.ERROR)

    codepoints = json.loads((ICONS / "bootstrap-icons.json").read_text())
    names = icons_used(set(codepoints))
    font = OUT / ICONS_FONT
    font.parent.mkdir(parents=True, exist_ok=True)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = []
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    options.notdef_outline = False
    loaded = subset.load_font(str(ICONS / "fonts" / "bootstrap-icons.woff2"), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[codepoints[n] for n in names])
    subsetter.subset(loaded)
    subset.save_font(loaded, str(font), options)

    css = (ICONS / "bootstrap-icons.min.css").read_text()
    base = css[: css.index(".bi-")]  # the @font-face and the rule every .bi shares
    base = re.sub(r"src:[^;}]*", 'src:url("fonts/bootstrap-icons.woff2") format("woff2")', base, count=1)
    glyphs = "".join(f'.bi-{n}::before{{content:"\\{codepoints[n]:x}"}}' for n in names)
    (OUT / ICONS_CSS).write_text(base + glyphs + "\n")
    return names, font


def sync(built, out):
    """Put the files of `built` into `out`, writing only those that differ and removing the ones no longer built
    (e.g. the whole ECharts of an earlier version), so an unchanged build leaves every file and its time as it was.
    Returns whether anything changed."""
    changed = False
    wanted = {p.relative_to(built) for p in built.rglob("*") if p.is_file()}
    for rel in sorted(wanted):
        target = out / rel
        data = (built / rel).read_bytes()
        if not target.exists() or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            changed = True
    if out.exists():
        for path in sorted(out.rglob("*"), reverse=True):
            if path.is_file() and path.relative_to(out) not in wanted:
                path.unlink()
                changed = True
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return changed


def main():
    global OUT
    missing = [src for src in FILES if not (NODE / src).exists()]
    if missing:
        sys.exit("front-end packages missing (run `npm ci` first): " + ", ".join(missing))
    out = OUT
    with tempfile.TemporaryDirectory() as tmp:
        OUT = Path(tmp)
        for src, dst in FILES.items():
            target = OUT / dst
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(NODE / src, target)
        charts = build_echarts().stat().st_size
        names, font = build_icons()
        font = font.stat().st_size
        changed = sync(OUT, out)
        OUT = out
    # `make` recollects the static files only when this changes (Makefile: static_vendor/.changed)
    stamp = OUT.parent / ".changed"
    if changed or not stamp.exists():
        stamp.touch()
    print(
        f"front-end files in {OUT.relative_to(ROOT)} ({'changed' if changed else 'unchanged'}): Bootstrap CSS, "
        f"ECharts bundle {charts // 1024} KB, {len(names)} icons ({font // 1024} KB font)"
    )


if __name__ == "__main__":
    main()
