#!/usr/bin/env python3
"""Renders a terminal capture with ANSI colours (`tmux capture-pane -e -p`) as an SVG.

    tools/ansi2svg.py [--cols N] [--rows N] [--title TEXT] < capture.ansi > screen.svg

Standard library only. Every character sits in a fixed cell (runs of one style are drawn as
one <text> stretched to their exact cell width), so box drawing and block elements line up
whatever monospace font the viewer picks. Understands the SGR codes tmux emits: reset,
bold, dim, italic, underline, reverse, the 16 colours, 256 colours and 24-bit colour.
"""

import argparse
import html
import re
import sys

CELL_W, CELL_H, FONT = 8.4, 17.0, 14.0
FG, BG = "#d0d0d0", "#1c1c1c"
# A common dark theme for the 16 ANSI colours.
BASE16 = [
    "#1c1c1c", "#d75f5f", "#87af5f", "#d7af5f", "#5f87d7", "#af87d7", "#5fafaf", "#d0d0d0",
    "#767676", "#ff8787", "#afd787", "#ffd787", "#87afff", "#d7afff", "#87d7d7", "#ffffff",
]


def xterm256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (v, v, v)


class Style:
    def __init__(self):
        self.fg = self.bg = None
        self.bold = self.dim = self.italic = self.underline = self.reverse = False

    def key(self):
        return (self.fg, self.bg, self.bold, self.dim, self.italic, self.underline, self.reverse)

    def copy(self):
        s = Style()
        (s.fg, s.bg, s.bold, s.dim, s.italic, s.underline, s.reverse) = self.key()
        return s

    def apply(self, params):
        ps = [int(p) if p else 0 for p in params.split(";")] if params else [0]
        i = 0
        while i < len(ps):
            p = ps[i]
            if p == 0:
                self.__init__()
            elif p == 1:
                self.bold = True
            elif p == 2:
                self.dim = True
            elif p == 3:
                self.italic = True
            elif p == 4:
                self.underline = True
            elif p == 7:
                self.reverse = True
            elif p == 22:
                self.bold = self.dim = False
            elif p == 23:
                self.italic = False
            elif p == 24:
                self.underline = False
            elif p == 27:
                self.reverse = False
            elif 30 <= p <= 37:
                self.fg = BASE16[p - 30]
            elif 90 <= p <= 97:
                self.fg = BASE16[p - 90 + 8]
            elif 40 <= p <= 47:
                self.bg = BASE16[p - 40]
            elif 100 <= p <= 107:
                self.bg = BASE16[p - 100 + 8]
            elif p == 39:
                self.fg = None
            elif p == 49:
                self.bg = None
            elif p in (38, 48) and i + 1 < len(ps):
                if ps[i + 1] == 5 and i + 2 < len(ps):
                    colour, i = xterm256(ps[i + 2]), i + 2
                elif ps[i + 1] == 2 and i + 4 < len(ps):
                    colour, i = "#%02x%02x%02x" % tuple(ps[i + 2 : i + 5]), i + 4
                else:
                    colour = None
                if p == 38:
                    self.fg = colour
                else:
                    self.bg = colour
            i += 1

    def colours(self):
        fg, bg = self.fg or FG, self.bg
        if self.reverse:
            fg, bg = (bg or BG), fg
        return fg, bg


LOWER = "▁▂▃▄▅▆▇█"
LEFT = "▉▊▋▌▍▎▏"
SGR = re.compile(r"\x1b\[([0-9;]*)m")
OTHER = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|\][^\x07]*\x07|[()][A-Z0-9])")


def parse(text, cols, rows):
    """Rows of (char, style) cells."""
    grid = []
    for line in text.split("\n")[:rows]:
        style, cells, pos = Style(), [], 0
        while pos < len(line):
            m = SGR.match(line, pos)
            if m:
                style = style.copy()
                style.apply(m.group(1))
                pos = m.end()
                continue
            m = OTHER.match(line, pos)
            if m:
                pos = m.end()
                continue
            if line[pos] != "\r":
                cells.append((line[pos], style))
            pos += 1
        grid.append(cells[:cols])
    while len(grid) < rows:
        grid.append([])
    return grid


def render(grid, cols, rows, title):
    w, h = cols * CELL_W, rows * CELL_H
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" '
        f'viewBox="0 0 {w:.1f} {h:.1f}" font-family="DejaVu Sans Mono, Menlo, Consolas, '
        f'Liberation Mono, monospace" font-size="{FONT}">',
        f"<title>{html.escape(title)}</title>",
        f'<rect width="100%" height="100%" fill="{BG}"/>',
    ]
    for y, cells in enumerate(grid):
        # Backgrounds first, merged into runs.
        x = 0
        while x < len(cells):
            bg = cells[x][1].colours()[1]
            end = x
            while end < len(cells) and cells[end][1].colours()[1] == bg:
                end += 1
            if bg:
                out.append(
                    f'<rect x="{x * CELL_W:.1f}" y="{y * CELL_H:.1f}" '
                    f'width="{(end - x) * CELL_W:.1f}" height="{CELL_H:.1f}" fill="{bg}"/>'
                )
            x = end
        # Block elements (sparklines, bars) as exact rectangles: fonts draw them unevenly.
        # Lower blocks ▁..█ fill k/8 of the cell from the bottom; left blocks ▏..▉ fill k/8
        # of its width from the left.
        cells = list(cells)
        for x, (ch, style) in enumerate(cells):
            rect = None
            if ch in LOWER:
                k = LOWER.index(ch) + 1
                hh = CELL_H * k / 8
                rect = (x * CELL_W, y * CELL_H + CELL_H - hh, CELL_W + 0.4, hh)  # overlap: no seams
            elif ch in LEFT:
                k = 7 - LEFT.index(ch)
                rect = (x * CELL_W, y * CELL_H, CELL_W * k / 8, CELL_H)
            if rect:
                out.append(
                    '<rect x="%.1f" y="%.1f" width="%.2f" height="%.2f" fill="%s"/>'
                    % (rect + (style.colours()[0],))
                )
                cells[x] = (" ", style)
        # Text runs of one style; blanks are skipped.
        x = 0
        while x < len(cells):
            style = cells[x][1]
            end = x
            while end < len(cells) and cells[end][1].key() == style.key():
                end += 1
            run = "".join(c for c, _ in cells[x:end])
            stripped = run.rstrip(" ")
            lead = len(stripped) - len(stripped.lstrip(" "))
            body = stripped.lstrip(" ")
            if body:
                fg = style.colours()[0]
                attrs = [f'fill="{fg}"']
                if style.bold:
                    attrs.append('font-weight="bold"')
                if style.dim:
                    attrs.append('fill-opacity="0.6"')
                if style.italic:
                    attrs.append('font-style="italic"')
                if style.underline:
                    attrs.append('text-decoration="underline"')
                x0 = (x + lead) * CELL_W
                out.append(
                    f'<text x="{x0:.1f}" y="{y * CELL_H + CELL_H * 0.78:.1f}" '
                    f'textLength="{len(body) * CELL_W:.1f}" lengthAdjust="spacingAndGlyphs" '
                    f'xml:space="preserve" {" ".join(attrs)}>{html.escape(body)}</text>'
                )
            x = end
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cols", type=int, default=0, help="width in cells (default: longest line)")
    ap.add_argument("--rows", type=int, default=0, help="height in cells (default: line count)")
    ap.add_argument("--title", default="terminal")
    a = ap.parse_args()
    text = sys.stdin.read()
    if text.endswith("\n"):
        text = text[:-1]
    plain = [OTHER.sub("", SGR.sub("", line)) for line in text.split("\n")]
    cols = a.cols or max((len(p) for p in plain), default=80)
    rows = a.rows or len(plain)
    sys.stdout.write(render(parse(text, cols, rows), cols, rows, a.title))


if __name__ == "__main__":
    main()
