"""Prints one page with the built layer alone, the way the letters do (embedded Fira Sans,
vector QR squares), so a pruning that went too far fails the build rather than the first
letter. Run by the Makefile: python -I -S -B smoke.py ARTIFACTS_DIR/python"""

import sys
from importlib.resources import files

sys.path.insert(0, sys.argv[1])

import segno
from fpdf import FPDF

fonts = files("fontpkg_fira_sans").joinpath("files")
pdf = FPDF(unit="mm", format="letter")
pdf.add_font("Fira", "", str(fonts.joinpath("FiraSans-Regular.ttf")))
pdf.add_font("Fira", "B", str(fonts.joinpath("FiraSans-Bold.ttf")))
pdf.add_page()
pdf.set_font("Fira", "B", 12)
pdf.cell(text="Zoë Ångström · Łukasz Wójcik · Дмитрий · Αλέξανδρος")
code = segno.make("https://portal.example/invoices/inv_1", error="m", micro=False)
with pdf.new_path() as path:
    path.style.fill_color = "#000000"
    for y, row in enumerate(code.matrix_iter(scale=1, border=0)):
        for x, dark in enumerate(row):
            if dark:
                path.rectangle(20 + x, 40 + y, 1, 1)
document = bytes(pdf.output())

assert document.startswith(b"%PDF-"), "not a PDF"
assert not [name for name in sys.modules if name.split(".")[0] == "PIL"], "Pillow was loaded"
print(f"letters layer: printed a page ({len(document):,} bytes) with nothing but the layer")
