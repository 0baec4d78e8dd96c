from django.urls import path

from councils import account_views

app_name = "account"

urlpatterns = [
    path("", account_views.AccountView.as_view(), name="detail"),
    path("your-data.zip", account_views.AccountDataView.as_view(), name="data"),
]
