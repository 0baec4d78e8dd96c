from django.urls import path

from councils import account_views as views

app_name = "account"

urlpatterns = [
    path("", views.AccountView.as_view(), name="account"),
    path("your-data.zip", views.AccountDataView.as_view(), name="data"),
    path("two-factor/set-up/", views.TwoFactorSetupView.as_view(), name="two_factor_setup"),
    path("two-factor/code/", views.TwoFactorVerifyView.as_view(), name="two_factor_verify"),
    path("two-factor/recovery-codes/", views.RecoveryCodesView.as_view(), name="recovery_codes"),
    path("two-factor/turn-off/", views.TwoFactorTurnOffView.as_view(), name="two_factor_turn_off"),
    path("sign-out-everywhere/", views.SignOutEverywhereView.as_view(), name="sign_out_everywhere"),
]
