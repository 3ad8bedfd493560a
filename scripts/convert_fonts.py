"""Convert the Fandol fonts (CFF OpenType) into TrueType outlines that ReportLab can embed.

    python scripts/convert_fonts.py DIR [--out resources/fonts]

DIR is where `FandolFang-Regular.otf` and `FandolSong-Bold.otf` are, e.g. after

    apt-get download texlive-lang-chinese && dpkg -x texlive-lang-chinese_*.deb /tmp/tl
    DIR=/tmp/tl/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol

(Debian 12 ships Fandol v0.3 of 2015-07-18 in texlive-lang-chinese 2022.20230122-1.)

ReportLab embeds only glyf outlines, so the cubic CFF outlines become quadratic ones (the
fontTools `Snippets/otf2ttf.py` recipe: cu2qu within 1 font unit).  To keep the installer small,
only glyphs the character map reaches are kept (vertical forms and other glyphs reached only
through OpenType features are unused: ReportLab applies no features), the layout tables are
dropped, and `post` keeps no glyph names (format 3).  The result is deterministic: the same input
gives the same bytes.

The fonts are GPL-3 with the GPL font exception: the modification is stated in the font's own
version and description strings (GPL-3 §5a), and `resources/fonts/README.md` names the source."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTFont, newTable

FONTS = ("FandolFang-Regular", "FandolSong-Bold")
MAX_ERR = 1.0  # font units (of 1000 per em): invisible at any print size
DROPPED = ("GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG")
NOTE = "converted to TrueType outlines (cu2qu, 1 unit) by civaffairs scripts/convert_fonts.py"


def _reachable_subset(font: TTFont) -> None:
    """Keep the glyphs the Unicode character map reaches (and .notdef); drop layout tables."""
    options = Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_bounds = True
    options.drop_tables += list(DROPPED)
    options.glyph_names = False
    subsetter = Subsetter(options)
    subsetter.populate(unicodes=font.getBestCmap().keys())
    subsetter.subset(font)


def _to_quadratic(font: TTFont) -> None:
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    del font["CFF "]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():  # left side bearing = xMin in TrueType
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones",):
        setattr(maxp, attr, 1)
    for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.compile(font)
    post = font["post"]
    post.formatType = 3.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = glyph_order
    head = font["head"]
    head.glyphDataFormat = 0
    font.sfntVersion = "\000\001\000\000"


def _note_modification(font: TTFont) -> None:
    name = font["name"]
    for record in list(name.names):
        if record.nameID == 5:  # version
            record.string = f"{record.toUnicode()}; {NOTE}"
    name.setName(f"Fandol font, {NOTE}.", 10, 3, 1, 0x409)  # description


def convert(source: Path, target: Path) -> None:
    font = TTFont(str(source), recalcTimestamp=False)
    if font.sfntVersion != "OTTO" or "CFF " not in font:
        raise SystemExit(f"{source}: not a CFF OpenType font")
    _reachable_subset(font)
    _to_quadratic(font)
    _note_modification(font)
    font.save(str(target))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="folder holding the Fandol .otf files")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "resources" / "fonts")
    args = parser.parse_args()
    for stem in FONTS:
        source = args.source / f"{stem}.otf"
        target = args.out / f"{stem}.ttf"
        convert(source, target)
        print(f"{target}: {target.stat().st_size / 2**20:.1f} MiB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
