"""A meeting's record for the archive as a PDF, made from the record's HTML page by xhtml2pdf.

The page holds what its reader may read (signals they may not see are not named), and so
does the PDF.
"""

from io import BytesIO

from xhtml2pdf import pisa


def pdf_from_html(html: str) -> bytes:
    """The HTML page as a PDF document (our own page: a failure here is a bug)."""
    out = BytesIO()
    result = pisa.CreatePDF(src=html, dest=out, encoding="utf-8")
    if result.err:
        raise RuntimeError(f"xhtml2pdf reported {result.err} error(s) on the meeting record")
    return out.getvalue()
