from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "providers"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from councils.sessions import mark_access_changed
        from providers.models import OrganisationMember

        def roles_changed(sender, instance, raw=False, **kwargs):
            # A provider role given, changed or taken away: the person's sessions get a new key.
            if not raw:
                mark_access_changed([instance.user_id])

        post_save.connect(roles_changed, sender=OrganisationMember, dispatch_uid="sessions_member_saved")
        post_delete.connect(roles_changed, sender=OrganisationMember, dispatch_uid="sessions_member_deleted")

        # Erasure holds and subject access sections (councils.erasure, councils.subject_access).
        from providers import records

        records.register()
