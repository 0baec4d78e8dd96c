"""The technical admin (`/admin/`): for the system administrator only, and blind to sealed content.

- Only an active superuser may use it. Officers work in the app's own pages, which apply the
  councils' walls; `is_staff` and model permissions open nothing here (`has_permission`).
- Every ModelAdmin registered on the site, the project's and third-party apps' alike, gets
  `DeclaredLookupsOnly` mixed in (`register`): a changelist filters only on what its admin declares
  (`list_filter`, `date_hierarchy`), so nobody can test a field's text one guess at a time with
  `?field__startswith=`; anything else is refused with a 400 whatever the data holds.
- Private files (`PrivateFileField`) are shown by their stored name, never with a URL: they are
  served only through the app's permission-checked views.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.filters import SimpleListFilter
from django.contrib.admin.widgets import url_params_from_lookup_dict
from django.db.models.constants import LOOKUP_SEP
from django.forms import FileInput
from django.utils.html import format_html

from councils.uploads import PrivateFileField

# What a declared filter may add after its field path: the comparisons Django's own list filters and
# date hierarchy use. Never a text search (`contains`, `startswith`, `regex`, ...).
FILTER_SUFFIXES = frozenset(
    {"exact", "iexact", "isnull", "isempty", "in", "gt", "gte", "lt", "lte", "year", "month", "day", "id", "pk"}
)
STORED_SUFFIX = "_stored_name"


class StoredNameFileInput(FileInput):
    """A file input that names the stored file and links to nothing (Django's asks for its URL)."""

    def render(self, name, value, attrs=None, renderer=None):
        upload = super().render(name, None, attrs, renderer)
        if not value:
            return upload
        return format_html('<p class="file-upload">Stored as {}<br>Replace: {}</p>', value.name, upload)


def _stored_name_display(field):
    def display(obj):
        value = getattr(obj, field.name)
        return value.name if value else "—"

    display.short_description = field.verbose_name
    return display


class DeclaredLookupsOnly:
    """A changelist filters on its admin's declared filters only, and private files show no URL."""

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        self.private_files = [f.name for f in model._meta.fields if isinstance(f, PrivateFileField)]
        for name in self.private_files:
            # Read-only display goes through `display_for_field`, which links to the file's URL.
            setattr(self, name + STORED_SUFFIX, _stored_name_display(model._meta.get_field(name)))
        # After Django has merged its defaults (the admin's own file widget links to the URL).
        self.formfield_overrides.setdefault(PrivateFileField, {})["widget"] = StoredNameFileInput

    def declared_lookups(self, request) -> set[str]:
        declared = {self.date_hierarchy} if self.date_hierarchy else set()
        for item in self.get_list_filter(request):
            if isinstance(item, type) and issubclass(item, SimpleListFilter):
                declared.add(item.parameter_name)
            elif isinstance(item, (list, tuple)):
                declared.add(item[0])
            else:
                declared.add(item)
        return declared

    def lookup_allowed(self, lookup, value, request=None):
        # Raw-id popups pass a foreign key's `limit_choices_to` as lookups: those the model declares.
        for fk_lookup in self.model._meta.related_fkey_lookups:
            if callable(fk_lookup):
                fk_lookup = fk_lookup()
            if (lookup, value) in url_params_from_lookup_dict(fk_lookup).items():
                return True
        for path in self.declared_lookups(request):
            if lookup == path:
                return True
            suffixes = lookup[len(path) + len(LOOKUP_SEP) :].split(LOOKUP_SEP)
            if lookup.startswith(path + LOOKUP_SEP) and set(suffixes) <= FILTER_SUFFIXES:
                return True
        return False

    def _shown(self, names):
        return [name + STORED_SUFFIX if name in self.private_files else name for name in names]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.private_files or not self._is_read_only(request, obj):
            return fieldsets
        return [(title, {**options, "fields": self._shown_nested(options["fields"])}) for title, options in fieldsets]

    def _shown_nested(self, fields):
        return [
            tuple(self._shown(item)) if isinstance(item, (list, tuple)) else self._shown([item])[0] for item in fields
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.private_files:
            return readonly
        if self._is_read_only(request, obj):
            return self._shown(readonly) + [n + STORED_SUFFIX for n in self.private_files if n not in readonly]
        return readonly

    def get_list_display(self, request):
        return self._shown(super().get_list_display(request))

    def get_list_select_related(self, request):
        """The foreign keys the list shows, one join each, when the admin names none.

        Django's default (`list_select_related = False` with a foreign key in `list_display`) is a bare
        `select_related()`, which follows every non-null foreign key, and theirs, all the way down: from
        a performance assessment through its agreement, commission, bid, opportunity... PostgreSQL then
        plans a join of dozens of tables with its genetic optimiser, and a list of a few hundred rows
        can take minutes."""
        declared = super().get_list_select_related(request)
        if declared is not False:
            return declared
        shown = set(self.get_list_display(request))
        return [
            field.name
            for field in self.model._meta.concrete_fields
            if field.is_relation and field.many_to_one and field.name in shown
        ]

    def _is_read_only(self, request, obj) -> bool:
        # Django shows every field read-only to someone without change permission, and any field
        # in `readonly_fields`: both go through `display_for_field`, which would ask for a URL.
        if not self.has_change_permission(request, obj):
            return True
        return any(name in super().get_readonly_fields(request, obj) for name in self.private_files)


class CommissionerAdminSite(admin.AdminSite):
    site_header = "Commissioner: system administration"
    site_title = "Commissioner administration"
    index_title = "System administration"

    def has_permission(self, request):
        # The system administrator only. Officers, whatever `is_staff` and model permissions they
        # hold, use the app's pages, which apply the councils' walls and the bids' seal.
        return request.user.is_active and request.user.is_superuser

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, DeclaredLookupsOnly):
            admin_class = type(admin_class.__name__, (DeclaredLookupsOnly, admin_class), {})
        return super().register(model_or_iterable, admin_class, **options)
