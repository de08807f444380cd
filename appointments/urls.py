from __future__ import annotations

from django.urls import path

from appointments import link_views, views

app_name = "appointments"

urlpatterns = [
    path("", views.appointment_list, name="list"),
    path("book/", views.book, name="book"),
    path("book/confirm/", views.book_confirm, name="book_confirm"),
    path("<int:pk>/", views.appointment_detail, name="detail"),
    path("<int:pk>/cancel/", views.appointment_cancel, name="cancel"),
    path("<int:pk>/reschedule/", views.appointment_reschedule, name="reschedule"),
    path("<int:pk>/calendar.ics", views.appointment_calendar, name="calendar"),
    path("waitlist/join/", views.waitlist_join, name="waitlist_join"),
    path("waitlist/<int:pk>/leave/", views.waitlist_leave, name="waitlist_leave"),
    path("r/<str:token>/", link_views.reminder_link, name="reminder_link"),
    path("w/<str:token>/", link_views.waitlist_offer, name="waitlist_offer"),
]
