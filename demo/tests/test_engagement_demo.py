"""The demo's early engagement: one consultation open on Kirkby Moor's drafts, with a provider's
comment answered and a member of the public's not yet; the public site lists it."""

from django.urls import reverse

from commissioning.models import Consultation, EngagementKind


def test_one_consultation_is_open_with_two_comments_one_answered(demo_data, client):
    consultation = Consultation.objects.get()
    assert consultation.is_open
    comments = list(consultation.comments.all())
    assert len(comments) == 2
    assert [comment.is_answered for comment in comments] == [True, False]
    assert consultation.engagement.kind == EngagementKind.CONSULTATION
    page = client.get(reverse("opportunities:consultations")).content.decode()
    assert consultation.title in page
