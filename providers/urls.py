from django.urls import path

from providers import invitation_views, views

app_name = "providers"

ORGANISATION = "organisations/<int:pk>/"
OFFICER = "council/<slug:council_slug>/"
OFFICER_ORGANISATION = OFFICER + "organisations/<int:pk>/"

urlpatterns = [
    # The provider portal: the signed-in person's own organisations.
    path("", views.PortalView.as_view(), name="portal"),
    # Public: registration, email verification and accepting an invitation.
    path("register/", views.RegisterView.as_view(), name="register"),
    path("register/check-your-email/", views.RegisterDoneView.as_view(), name="register_done"),
    path("register/new-link/", views.ResendVerificationView.as_view(), name="resend_verification"),
    path("verify/<str:uidb64>/<str:token>/", views.VerifyEmailView.as_view(), name="verify_email"),
    # The link in an invitation email: only the person it was sent to, signed in, can answer it.
    path("invitations/<str:token>/", invitation_views.InvitationView.as_view(), name="invitation"),
    # One organisation, for the people who act for it.
    path(ORGANISATION, views.OrganisationView.as_view(), name="organisation"),
    path(ORGANISATION + "edit/", views.OrganisationEditView.as_view(), name="organisation_edit"),
    path(ORGANISATION + "people/invite/", views.PersonInviteView.as_view(), name="person_invite"),
    path(
        ORGANISATION + "invitations/<int:invitation_pk>/withdraw/",
        invitation_views.InvitationWithdrawView.as_view(),
        name="invitation_withdraw",
    ),
    path(ORGANISATION + "leave/", invitation_views.LeaveView.as_view(), name="leave"),
    path(ORGANISATION + "people/<int:member_pk>/role/", views.PersonRoleView.as_view(), name="person_role"),
    path(ORGANISATION + "people/<int:member_pk>/remove/", views.PersonRemoveView.as_view(), name="person_remove"),
    path(ORGANISATION + "documents/new/", views.DocumentAddView.as_view(), name="document_add"),
    path(ORGANISATION + "documents/<int:document_pk>/", views.DocumentDownloadView.as_view(), name="document_download"),
    path(
        ORGANISATION + "documents/<int:document_pk>/remove/", views.DocumentRemoveView.as_view(), name="document_remove"
    ),
    # Council officers: the provider directory, verification and the approved suppliers list.
    path(OFFICER, views.DirectoryView.as_view(), name="directory"),
    path(OFFICER + "staff-memberships/", invitation_views.StaffMembershipsView.as_view(), name="staff_memberships"),
    path(OFFICER + "approved-suppliers/", views.ApprovedSuppliersView.as_view(), name="approved_suppliers"),
    path(OFFICER_ORGANISATION, views.OfficerOrganisationView.as_view(), name="officer_organisation"),
    path(OFFICER_ORGANISATION + "verify/", views.OrganisationVerifyView.as_view(), name="verify_organisation"),
    path(OFFICER_ORGANISATION + "approve/", views.SupplierListChangeView.as_view(adding=True), name="approve_supplier"),
    path(
        OFFICER_ORGANISATION + "remove-approval/",
        views.SupplierListChangeView.as_view(adding=False),
        name="remove_supplier",
    ),
    path(
        OFFICER_ORGANISATION + "documents/<int:document_pk>/",
        views.OfficerDocumentDownloadView.as_view(),
        name="officer_document_download",
    ),
]
