"""The search box's one field, for the web page and the API alike."""

from signals.validation import InputSchema, text_field

QUERY_MAX = 200  # characters


class SearchQuery(InputSchema):
    """``q``: a reference (``KM-2026-000123``, ``Kwestie 12``) or words."""

    empty_means_absent = False

    q = text_field(max_length=QUERY_MAX, single_line=True)
