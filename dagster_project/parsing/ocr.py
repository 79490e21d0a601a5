"""OCR for PDF pages without a text layer (scanned reports), behind the optional `ocr` extra.

RapidOCR (`rapidocr_onnxruntime`, Apache-2.0) ships its detection and recognition models inside its
wheel, so `pip install -e .[ocr]` is all it needs: nothing is downloaded at run time. A page is
rendered with PDFium at OCR_DPI and each recognised text box becomes glyphs with boxes in PDF points
(top-left origin), one per character spread evenly over the box, so pdf.py builds lines, grids and
tokens from them exactly as from a text layer; the tokens say read_by='ocr'.

Without the extra, `available()` is False and pdf.py records pages without text (`pdf_scanned`).
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache

OCR_DPI = 200  # enough for 10.5 pt CJK table text; 300 doubles the cost for no gain on the seeds


def available() -> bool:
    return importlib.util.find_spec("rapidocr_onnxruntime") is not None


@lru_cache(maxsize=1)
def _engine():
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def page_reader():
    """A callable (pypdfium2 page, page height in points) -> list[pdf.Glyph]; the engine loads on
    first use, so a PDF with a text layer never pays for it."""
    return read_page


# RapidOCR drops a recognised box whose confidence is below its text_score (0.5 by default). A lone
# digit in a table cell ('0', the commonest value) is read right but with low confidence (0.5–0.75
# on 200 dpi renderings of the real reports), so at 0.5 whole columns of zeros went missing. Every OCR
# value is flagged read_by='ocr' and goes through the same arithmetic checks as any other.
TEXT_SCORE = 0.3


def read_page(page, height: float):
    import unicodedata

    import numpy as np

    from .pdf import Glyph

    scale = OCR_DPI / 72.0
    bitmap = page.render(scale=scale, grayscale=False)
    image = np.asarray(bitmap.to_pil().convert("RGB"))
    bitmap.close()
    # no angle classifier (a rendered page is upright); per-character boxes, so pdf.py's word gaps
    # and grid cells see where each character really is
    result, _elapsed = _engine()(image, use_cls=False, text_score=TEXT_SCORE, return_word_box=True)
    glyphs: list[Glyph] = []
    for item in result or []:
        box, text = item[0], item[1]
        char_boxes = item[3] if len(item) > 3 else None
        # the recogniser's alphabet has full-width twins of digits and punctuation ('４', '（'):
        # NFKC maps them to what the text layer of a PDF would carry
        text = unicodedata.normalize("NFKC", text)
        chars = [ch for ch in text if not ch.isspace()]
        if not chars:
            continue
        if char_boxes and len(char_boxes) == len(chars):
            for ch, cb in zip(chars, char_boxes):
                xs = [p[0] / scale for p in cb]
                ys = [p[1] / scale for p in cb]
                glyphs.append(Glyph(ch, min(xs), min(ys), max(xs), max(ys)))
            continue
        xs = [p[0] / scale for p in box]
        ys = [p[1] / scale for p in box]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        step = (x1 - x0) / len(chars)
        for k, ch in enumerate(chars):
            glyphs.append(Glyph(ch, x0 + k * step, y0, x0 + (k + 1) * step, y1))
    return glyphs
