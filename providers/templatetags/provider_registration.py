"""The way in for providers: "Register your organisation", wherever someone who does not yet act for
an organisation looks for it (the home page, sign in, opportunities). Nobody already in an
organisation is offered it there; they register another from their portal."""

from django import template

register = template.Library()


def acts_for_an_organisation(user) -> bool:
    return bool(user and user.is_authenticated and user.organisation_memberships.exists())


@register.inclusion_tag("providers/_register_organisation.html", takes_context=True)
def register_organisation(context, style: str = "inset"):
    """`style` "inset" (a link in an inset, beside other content) or "button" (the page's main way in)."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    return {
        "show": not acts_for_an_organisation(user),
        "style": style,
        "signed_in": bool(user and user.is_authenticated),
    }
