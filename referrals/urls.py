"""Included by console/urls.py at referrals/ in namespace console (issue 11): the referral pages of liaisons,
receivers and supervisors (referrals.views). h-joint's urls_dupes shares the prefix with paths under duplicates/
and joint/; h-board's urls_board is at referrals/board/."""

from django.urls import path

from referrals import views

urlpatterns = [
    path("", views.referral_list, name="referrals"),
    path("new/", views.referral_new, name="referral_new"),
    path("<int:pk>/", views.referral_detail, name="referral"),
    path("<int:pk>/accept/", views.referral_accept, name="referral_accept"),
    path("<int:pk>/decline/", views.referral_decline, name="referral_decline"),
    path("<int:pk>/contact/", views.referral_contact, name="referral_contact"),
    path("<int:pk>/reply/", views.referral_reply, name="referral_reply"),
    path("<int:pk>/report/", views.referral_report, name="referral_report"),
    path("<int:pk>/withdraw/", views.referral_withdraw, name="referral_withdraw"),
    path("<int:pk>/attach/", views.referral_attach, name="referral_attach"),
    path("<int:pk>/agreement.pdf", views.referral_agreement, name="referral_agreement"),
    path("files/<int:pk>/", views.referral_file, name="referral_file"),
]
