"""The QR code to the pay page, as vector squares: sharp at any printer resolution."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fpdf import FPDF

# Four light modules on every side, as the QR standard asks; scanners need them.
QUIET_ZONE_MODULES = 4


@dataclass(frozen=True)
class QrRuns:
    """Dark modules of a QR symbol as horizontal runs ``(row, first column, length)``."""

    size: int
    runs: tuple[tuple[int, int, int], ...]


def qr_runs(url: str) -> QrRuns:
    # Imported on first use: functions that never print a letter do not load segno.
    import segno

    # Level M survives a crease or a smudge; segno raises the level further when the
    # version allows it at no cost in size (boost_error).
    code = segno.make(url, error="m", micro=False, boost_error=True)
    runs: list[tuple[int, int, int]] = []
    size = 0
    for row_index, modules in enumerate(code.matrix_iter(scale=1, border=0)):
        row = tuple(modules)
        size = len(row)
        start: int | None = None
        for column, module in enumerate((*row, 0)):
            if module and start is None:
                start = column
            elif not module and start is not None:
                runs.append((row_index, start, column - start))
                start = None
    return QrRuns(size=size, runs=tuple(runs))


def quiet_side(code: QrRuns, symbol_width: float) -> float:
    """The side of the white square: the symbol and its quiet zone."""
    return symbol_width * (code.size + 2 * QUIET_ZONE_MODULES) / code.size


def draw_qr(pdf: FPDF, code: QrRuns, x: float, y: float, symbol_width: float) -> None:
    """Draw ``code`` with its quiet zone in a white square whose top-left corner is
    (x, y); the dark modules span ``symbol_width``.

    All modules are one filled path, so no hairline seams show between adjacent squares."""
    from fpdf.drawing import PaintedPath

    module = symbol_width / code.size
    side = quiet_side(code, symbol_width)
    pdf.set_fill_color(255)
    pdf.rect(x, y, side, side, style="F")
    origin_x = x + QUIET_ZONE_MODULES * module
    origin_y = y + QUIET_ZONE_MODULES * module
    path = PaintedPath()
    path.style.fill_color = "#000000"
    path.style.stroke_color = None
    for row, column, length in code.runs:
        path.rectangle(origin_x + column * module, origin_y + row * module, length * module, module)
    # The path was built here and is not touched again: no defensive copy (fpdf2 would
    # deep-copy some 600 rectangles per letter).
    with pdf.drawing_context() as context:
        context.add_item(path, clone=False)
