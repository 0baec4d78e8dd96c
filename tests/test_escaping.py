"""Text one person writes and another reads is shown as text: on the provider's bid question page
(the officer's question, guidance and criterion title), in a receipt email, and in the assessment
summary PDF (ReportLab's Paragraph reads markup, so the summary escapes what it is given)."""

from __future__ import annotations

import base64
import re
import zlib

import pytest
from django.urls import reverse

from commissioning.award import documents
from commissioning.award.tests.test_award_summaries import prepare, summary_of
from commissioning.models import OpportunityQuestion
from commissioning.tests.bid_factories import open_opportunity, start_bid, submitted_bid

pytestmark = pytest.mark.django_db

BOLD = "<b>x</b>"
LINK = '<a href="https://evil.example/">click</a>'
HOSTILE = f"{BOLD} {LINK}"


def assert_escaped(html: str) -> None:
    assert BOLD not in html
    assert '<a href="https://evil.example' not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "&lt;a href=&quot;https://evil.example/&quot;&gt;click&lt;/a&gt;" in html


def test_officer_written_question_text_is_escaped_on_the_providers_bid_page(council, client, people):
    opportunity = open_opportunity(council, questions=1)
    question = OpportunityQuestion.objects.get(opportunity=opportunity)
    question.text = f"Question {HOSTILE}"
    question.guidance = f"Guidance {HOSTILE}"
    question.save()
    question.criterion.title = f"Criterion {HOSTILE}"
    question.criterion.save()
    bid = start_bid(opportunity, people["provider_admin"])
    client.force_login(people["provider_admin"])
    page = client.get(reverse("bids:section", kwargs={"pk": bid.pk, "section": "questions"}))
    assert page.status_code == 200
    html = page.content.decode()
    assert_escaped(html)
    # Each of the three is there, as text.
    assert html.count("&lt;b&gt;x&lt;/b&gt;") >= 3
    assert "1. Question &lt;b&gt;x&lt;/b&gt;" in html
    assert "Judged against ‘Criterion &lt;b&gt;x&lt;/b&gt;" in html
    assert "Guidance &lt;b&gt;x&lt;/b&gt;" in html


def test_the_receipt_email_escapes_the_opportunity_title(
    council, people, mailoutbox, django_capture_on_commit_callbacks
):
    opportunity = open_opportunity(council, questions=1, title=f"Youth work {HOSTILE}")
    user = people["provider_admin"]
    with django_capture_on_commit_callbacks(execute=True):
        submitted_bid(opportunity, user)
    [receipt] = [m for m in mailoutbox if m.alternatives]
    assert_escaped(receipt.alternatives[0][0])
    assert HOSTILE in receipt.body  # plain text says exactly what was typed


def _pdf_text(pdf: bytes) -> str:
    """The lines a ReportLab PDF draws (Helvetica: the strings are literal), its content streams
    decoded (ASCII85, then Flate) and each text object's strings joined; then the raw objects."""
    lines, objects = [], []
    for before, stream in re.findall(rb"(.*?)stream\r?\n(.*?)endstream", pdf, re.S):
        objects.append(before.decode("latin-1"))
        content = zlib.decompress(base64.a85decode(stream.strip().removesuffix(b"~>"))).decode("latin-1")
        for block in re.findall(r"BT(.*?)ET", content, re.S):
            lines.append("".join(re.findall(r"\(((?:\\.|[^\\)])*)\)\s*Tj", block)))
    return "\n".join(lines + objects)


@pytest.fixture
def prepared(council, people):
    """The assessment summaries' award, prepared in this test's own council."""
    return prepare({"council": council, "people": people})["prepared"]


def test_the_assessment_summary_pdf_prints_markup_as_text(prepared):
    content = summary_of(prepared, 1).content
    content["to"]["organisation"] = f"Org {HOSTILE}"
    content["criteria"][0]["title"] = f"Criterion {HOSTILE}"
    content["criteria"][0]["explanation"] = f"Explanation {BOLD}"
    content["reasons"] = [f"Reason {BOLD}"]
    drawn = _pdf_text(documents.summary_pdf(content))
    assert 'Org <b>x</b> <a href="https://evil.example/">click</a>' in drawn
    assert "Explanation <b>x</b>" in drawn
    assert "Reason <b>x</b>" in drawn
    assert "/URI" not in drawn  # no link was made from the provider's text
