"""Challenges: the public list and page, and the public Q&A."""

from django.urls import path

from marketplace.challenges.views import challenges as challenge_views
from marketplace.challenges.views import questions as question_views

urlpatterns = [
    path("challenges/", challenge_views.challenge_list, name="challenge_list"),
    path("challenges/<slug:slug>/questions/", question_views.question_ask, name="question_ask"),
    path("workspace/questions/<int:pk>/", question_views.question_manage, name="question_manage"),
    path("workspace/questions/<int:pk>/merge/", question_views.question_merge, name="question_merge"),
    path("workspace/questions/<int:pk>/pin/", question_views.question_pin, name="question_pin"),
]
