"""People in minutes: a user added with an e-mail address and roles on one page, refusals
beside their fields with nothing typed lost, and the "invite" action's set-password e-mail
in the user's language (issue 24)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from cities.models import CityCoordinator
from notices.models import Profile
from tests.helpers.forms import add_inline_rows, field_errors, page_form, read_admin_form

pytestmark = pytest.mark.django_db

ADD_USER = "/admin/auth/user/add/"


def new_user_form(officer, **changes):
    form = page_form(officer, ADD_USER, read_admin_form)
    form.update(
        username=["coordinator-milan"],
        email=["milan@example.org"],
        first_name=["Giulia"],
        usable_password=["false"],
    )
    form.update({key: [value] for key, value in changes.items()})
    return form


def test_a_coordinator_of_two_cities_is_added_with_an_address_on_one_page(officer, setup_world):
    form = new_user_form(officer)
    add_inline_rows(
        form,
        "coordinated_cities",
        [{"city": str(setup_world.cities.milan.pk)}, {"city": str(setup_world.cities.turin.pk)}],
    )

    response = officer.post(ADD_USER, form)

    assert response.status_code == 302, response.content.decode()[:3000]
    user = get_user_model().objects.get(username="coordinator-milan")
    assert user.email == "milan@example.org"
    assert not user.has_usable_password()
    assert sorted(
        CityCoordinator.objects.filter(user=user).values_list("city__slug", flat=True)
    ) == ["milan", "turin"]


def test_the_new_user_page_asks_for_the_address(officer, setup_world):
    form = new_user_form(officer, email="")
    response = officer.post(ADD_USER, form)
    assert response.status_code == 200
    assert field_errors(response.content.decode(), "email") == ["This field is required."]


def test_a_city_chosen_twice_is_refused_beside_it_and_nothing_typed_is_lost(officer, setup_world):
    milan = str(setup_world.cities.milan.pk)
    form = new_user_form(officer)
    add_inline_rows(form, "coordinated_cities", [{"city": milan}, {"city": milan}])

    response = officer.post(ADD_USER, form)

    html = response.content.decode()
    assert response.status_code == 200
    assert field_errors(html, "city") == [
        "“Milan” is already chosen in another row: keep one of the two."
    ]
    assert "Please correct the duplicate" not in html
    assert 'value="coordinator-milan"' in html and 'value="milan@example.org"' in html
    assert 'value="Giulia"' in html
    assert not get_user_model().objects.filter(username="coordinator-milan").exists()


def test_invite_sends_the_set_password_email_in_the_users_language(officer, setup_world):
    User = get_user_model()
    swedish = User.objects.create_user("vanersborg", email="v@example.org")
    Profile.objects.create(user=swedish, language="sv")
    nobody = User.objects.create_user("no-address")

    response = officer.post(
        "/admin/auth/user/",
        {"action": "invite", "_selected_action": [swedish.pk, nobody.pk]},
        follow=True,
    )

    assert response.status_code == 200
    (sent,) = mail.outbox
    assert sent.to == ["v@example.org"]
    assert sent.subject == "Ditt konto på ICC-portalen: välj ett lösenord"
    assert "/accounts/reset/" in sent.body
    html = response.content.decode()
    assert "Sent to vanersborg" in html and "Not sent to no-address" in html


def test_the_user_page_holds_the_users_language(officer, setup_world):
    user = get_user_model().objects.create_user("someone", email="s@example.org")
    html = officer.get(f"/admin/auth/user/{user.pk}/change/").content.decode()
    assert 'name="notice_profile-0-language"' in html


PASSWORD = "a-long-Passphrase-2026"


def test_a_refusal_elsewhere_keeps_both_passwords_typed(officer, setup_world):
    milan = str(setup_world.cities.milan.pk)
    form = new_user_form(officer, usable_password="true", password1=PASSWORD, password2=PASSWORD)
    add_inline_rows(form, "coordinated_cities", [{"city": milan}, {"city": milan}])

    html = officer.post(ADD_USER, form).content.decode()

    assert field_errors(html, "city") == [
        "“Milan” is already chosen in another row: keep one of the two."
    ]
    for name in ("password1", "password2"):
        assert re.search(rf'<input type="password" name="{name}"[^>]* value="{PASSWORD}"', html)
    form["coordinated_cities-1-city"] = [str(setup_world.cities.turin.pk)]
    form.update(password1=[PASSWORD], password2=[PASSWORD])
    assert officer.post(ADD_USER, form).status_code == 302
    assert get_user_model().objects.get(username="coordinator-milan").check_password(PASSWORD)


def test_a_refused_password_is_typed_again(officer, setup_world):
    form = new_user_form(
        officer, usable_password="true", password1=PASSWORD, password2=PASSWORD + "x"
    )

    html = officer.post(ADD_USER, form).content.decode()

    assert field_errors(html, "password2") == ["The two password fields didn’t match."]
    assert PASSWORD not in html
    assert 'value="coordinator-milan"' in html
