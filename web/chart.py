"""Bar chart of coverage over time as inline SVG, drawn on the server (no JavaScript, strict CSP).

Only SVG presentation attributes (x, y, width, height, ...) and classes from static/style.css;
no style attributes. Every text is escaped. Time runs right to left with the reading
direction (oldest period at the right), as the month histogram of the sidebar does.
"""
from __future__ import annotations

from html import escape

from markupsafe import Markup

from web.formatting import counted, number

WIDTH = 720
# start: the right edge (y labels); end: room for half of the last date label
PAD_TOP, PAD_BOTTOM, PAD_START, PAD_END = 12, 26, 56, 36
MAX_X_LABELS = 8


def _nice(peak: float, share: bool) -> float:
    if peak <= 0:
        return 1.0
    if share:
        for step in (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0):
            if peak <= step:
                return step
        return 1.0
    mag = 10 ** (len(str(int(peak))) - 1)
    for m in (1, 2, 2.5, 5, 10):
        if peak <= m * mag:
            return m * mag
    return peak


def _fmt(value: float, share: bool) -> str:
    return f"{value * 100:.1f}٪" if share else number(int(round(value)))


def render(chart, height: int = 240, small: bool = False, chart_id: str = "trend") -> Markup:
    share = chart.state.scale == "share"
    n, k = len(chart.periods), max(1, len(chart.series))
    plot_w = WIDTH - PAD_START - PAD_END
    plot_h = height - PAD_TOP - PAD_BOTTOM
    slot = plot_w / max(n, 1)
    bar_w = max(slot * 0.8 / k, 0.5)
    top = _nice(max((v for s in chart.series for v in s.values()), default=0.0), share)
    names = " و".join(f"«{s.query}»" for s in chart.series)
    title = f"عدد المقالات في كل {_interval_word(chart.interval)}: {names}"
    peak_desc = "؛ ".join(
        f"«{s.query}»: {counted(s.total, 'article')}" + (f"، الذروة {_fmt(max(s.values()), share)} في "
                                                     f"{chart.periods[s.values().index(max(s.values()))].label(chart.interval)}"
                                                     if s.values() and max(s.values()) > 0 else "")
        for s in chart.series)
    desc = f"من {chart.periods[0].label(chart.interval)} إلى {chart.periods[-1].label(chart.interval)}. {peak_desc}"
    out = [f'<svg class="chart{" small" if small else ""}" viewBox="0 0 {WIDTH} {height}" role="img" '
           f'aria-labelledby="{chart_id}-title {chart_id}-desc" preserveAspectRatio="xMidYMid meet" '
           f'xmlns="http://www.w3.org/2000/svg">',
           f'<title id="{chart_id}-title">{escape(title)}</title>',
           f'<desc id="{chart_id}-desc">{escape(desc)}</desc>']
    base_y = PAD_TOP + plot_h
    right = WIDTH - PAD_START
    # grid and y labels (at the right: the start side of a right-to-left page)
    # The small chart names only its top (its 0 would collide with the first date label).
    for frac in ((0.0, 1.0) if small else (0.0, 0.5, 1.0)):
        y = base_y - frac * plot_h
        out.append(f'<line class="grid" x1="{PAD_END}" x2="{right:.1f}" y1="{y:.1f}" y2="{y:.1f}"/>')
        if frac or not small:
            zero = "" if frac else " zero"  # left out on a phone, where the first date label takes its place
            out.append(f'<text class="tick y{zero}" x="{right + 4:.1f}" y="{y + 4:.1f}">'
                       f'{escape(_fmt(top * frac, share))}</text>')
    every = max(1, -(-n // (3 if small else MAX_X_LABELS)))
    for i, p in enumerate(chart.periods):
        x0 = right - (i + 1) * slot  # oldest at the right
        if i % every == 0:
            # Every other date label is left out on a phone (CSS), where they would overlap.
            alt = " alt" if (i // every) % 2 else ""
            out.append(f'<text class="tick x{alt}" x="{x0 + slot / 2:.1f}" y="{height - 8}" text-anchor="middle">'
                       f'{escape(_short(p, chart.interval))}</text>')
        for j, s in enumerate(chart.series):
            v = s.values()[i]
            h = 0.0 if top <= 0 else plot_h * v / top
            x = x0 + slot * 0.1 + (k - 1 - j) * bar_w
            label = f"{p.label(chart.interval)} — «{s.query}»: {_fmt(v, share)}"
            if share:
                label += f" ({counted(s.counts[i], 'article')})"
            rect = (f'<rect class="col s{j}" x="{x:.1f}" y="{base_y - h:.1f}" width="{bar_w:.1f}" '
                    f'height="{max(h, 0.0):.1f}"><title>{escape(label)}</title></rect>')
            if s.counts[i]:
                out.append(f'<a href="{escape(chart.period_url(j, p))}" aria-label="{escape(label)}">{rect}</a>')
            else:
                out.append(rect)
    out.append(f'<line class="axis" x1="{PAD_END}" x2="{right:.1f}" y1="{base_y:.1f}" y2="{base_y:.1f}"/>')
    out.append("</svg>")
    return Markup("".join(out))


def _interval_word(interval: str) -> str:
    return {"day": "يوم", "week": "أسبوع", "month": "شهر"}.get(interval, interval)


def _short(period, interval: str) -> str:
    from web.formatting import short_month

    if interval == "month":
        return f"{short_month(period.key)} {period.key[2:4]}"
    return f"{period.start.day} {short_month(period.start.isoformat()[:7])}"
