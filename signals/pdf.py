"""PDF documents made from our own HTML pages by xhtml2pdf: a meeting's record, the report.

The page holds what its reader may read (a meeting's record names no signal they may not
see), and so does the PDF.
"""

from io import BytesIO

from xhtml2pdf import pisa


def pdf_from_html(html: str) -> bytes:
    """The HTML page as a PDF document (our own page: a failure here is a bug)."""
    out = BytesIO()
    # capacity=-1: keep the page in memory; past 100 KB (a report with charts) xhtml2pdf would
    # spill it to a temporary file that it never closes.
    result = pisa.CreatePDF(src=html, dest=out, encoding="utf-8", capacity=-1)
    if result.err:
        raise RuntimeError(f"xhtml2pdf reported {result.err} error(s) on our own page")
    return out.getvalue()
