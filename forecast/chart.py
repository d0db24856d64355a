"""A server-rendered SVG chart of a series: the low-high band and the central line (no script, no inline style:
presentation attributes only, so the CSP stays as it is; readable in black and white: the band is hatched grey)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from app.formatting import number

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 12, 40


def _nice_max(value: int) -> int:
    if value <= 0:
        return 10
    step = 10 ** (len(str(value)) - 1)
    return ((value + step - 1) // step) * step


def band_chart(points: Sequence[tuple[str, int, int, int]], title: str) -> Markup:
    """``points``: (quarter, low, central, high). Returns the ``<svg>`` with a title for screen readers."""
    if not points:
        return Markup("")
    top = _nice_max(max(p[3] for p in points))
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(len(points) - 1, 1)

    def x(i: int) -> float:
        return round(LEFT + i * step, 1)

    def y(v: int) -> float:
        return round(TOP + inner_h - inner_h * v / top, 1)

    upper = [f"{x(i)},{y(p[3])}" for i, p in enumerate(points)]
    lower = [f"{x(i)},{y(p[1])}" for i, p in reversed(list(enumerate(points)))]
    central = " ".join(f"{x(i)},{y(p[2])}" for i, p in enumerate(points))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="forecast-chart" '
        f'aria-labelledby="chart-title"><title id="chart-title">{escape(title)}</title>',
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#dbe4f0"/><line x1="0" y1="0" x2="0" y2="6" stroke="#8da2bf" '
        'stroke-width="1"/></pattern></defs>',
    ]
    for k in range(5):
        v = top * k // 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(v)}" y2="{y(v)}" stroke="#ccc" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y(v) + 4}" text-anchor="end" font-size="11">{escape(number(v))}</text>'
        )
    parts.append(f'<polygon class="band" points="{" ".join(upper + lower)}" fill="url(#hatch)" stroke="none"/>')
    parts.append(f'<polyline class="central" points="{central}" fill="none" stroke="#123a6b" stroke-width="2.5"/>')
    for i, p in enumerate(points):
        if i % 4 == 0:
            parts.append(
                f'<text x="{x(i)}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="11">{escape(p[0])}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text from the data passed through escape()
