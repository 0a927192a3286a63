"""Input schemas of knowledge articles: publishing one, and the filters of the list."""

from typing import Any

from marshmallow import fields, post_load, validate

from signals import codes
from signals.privacy import refuse_bsn
from signals.validation import (
    FIELD_MESSAGES,
    InputSchema,
    WholeNumber,
    choice_field,
    text_field,
)
from signals.workflow.schemas import ActionSchema
from signals.workflow.signal_lists import ID_CURSOR, CursorField

TITLE_MAX = 200
SUMMARY_MIN = 20
SUMMARY_MAX = 4000
DONE_MAX = 4000
# After trimming, at least SUMMARY_MIN characters and never a NUL (as the OpenAPI pattern).
SUMMARY_PATTERN = (
    "^\\s*[^\\s\\u0000][^\\u0000]{%d,}[^\\s\\u0000]\\s*$" % (SUMMARY_MIN - 2)  # noqa: UP031
)


class PublishSchema(ActionSchema):
    """Publish as a knowledge article (or update it): the owner's own words, no resident's.

    ``title`` defaults to the title of the signal or kwestie. Only codes are copied from it;
    the situation, the resident's experience, the rationale and the reporter never are.
    """

    title = text_field(max_length=TITLE_MAX, required=False, single_line=True)
    summary = fields.String(
        required=True,
        validate=[
            validate.Length(
                min=SUMMARY_MIN,
                error=f"Schrijf ten minste {SUMMARY_MIN} tekens: wat is het mechanisme, en wat "
                "is ervan te leren?",
            ),
            validate.Length(max=SUMMARY_MAX, error=f"Maximaal {SUMMARY_MAX} tekens."),
            refuse_bsn,
        ],
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht tekst."},
        metadata={
            "pattern": SUMMARY_PATTERN,
            "description": "Het mechanisme en wat ervan te leren is, in uw eigen woorden; "
            "geen gegevens van een inwoner",
        },
    )
    what_was_done = text_field(max_length=DONE_MAX, required=False)

    @post_load
    def _one_line_title(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        if data.get("title"):
            data["title"] = " ".join(data["title"].split())
        return data


MAATWERK_FILTER: dict[str, str] = {
    "applied": "Maatwerk toegepast",
    "not_applied": "Geen maatwerk toegepast",
}
DEFAULT_LIMIT = 25
MAX_LIMIT = 100


class KnowledgeFilters(InputSchema):
    """The filters and the page of the list of knowledge articles (``GET /api/v1/knowledge``)."""

    empty_means_absent = False  # query parameters: "?level=" is a mistake, not "no filter"

    regulation = choice_field(codes.REGULATIONS, required=False)
    level = choice_field(codes.LEVELS, required=False)
    outcome = choice_field(codes.OUTCOMES, required=False)
    maatwerk = choice_field(MAATWERK_FILTER, required=False)
    cursor = CursorField(
        ID_CURSOR,
        metadata={
            "description": "De `next_cursor` van de vorige pagina: de lijst gaat verder met "
            "oudere artikelen"
        },
    )
    limit = WholeNumber(
        validate=validate.Range(
            min=1, max=MAX_LIMIT, error=f"Kies een aantal van 1 tot en met {MAX_LIMIT}."
        ),
        error_messages={**FIELD_MESSAGES, "invalid": "Verwacht een getal."},
    )


class KnowledgeFilterForm(KnowledgeFilters):
    """The same filters from the web page's form: an empty choice is no filter."""

    empty_means_absent = True
