"""The admin in Italian and Swedish, the libraries' words too: django-axes' and the token
app's sections of the index, and the city picker's JavaScript strings (issue 24)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "language, expected",
    [
        ("it", ["Blocchi degli accessi", "Tentativi di accesso", "Token dell&#x27;API"]),
        ("sv", ["Inloggningsspärrar", "Inloggningsförsök", "API-token"]),
    ],
)
def test_the_admin_index_names_the_libraries_sections_in_the_language(officer, language, expected):
    officer.cookies["django_language"] = language
    html = officer.get("/admin/").content.decode()
    for words in expected:
        assert words in html
    for english in ("Access attempts", "Access failures", "Auth Token", ">Axes<"):
        assert english not in html


def test_the_city_pickers_words_are_italian(officer):
    officer.cookies["django_language"] = "it"
    catalogue = officer.get("/admin/jsi18n/").content.decode()
    assert "Scegli tutti: %s" in catalogue
    assert "Rimuovi %s selezionandoli" in catalogue


def test_every_admin_page_gets_the_stylesheet_that_fits_it_to_1280_px(officer):
    assert "css/admin-fit.css" in officer.get("/admin/").content.decode()


def test_the_new_user_page_is_italian(officer):
    officer.cookies["django_language"] = "it"
    html = officer.get("/admin/auth/user/add/").content.decode()
    for english in ("After you’ve created a user", "Password-based authentication", "Enabled"):
        assert english not in html
    assert "Accesso con password" in html and "Indirizzo e-mail" in html


def test_a_users_page_names_permissions_and_the_password_in_italian(officer, setup_world):
    from tests.cities.factories import UserFactory

    user = UserFactory(username="someone")
    officer.cookies["django_language"] = "it"
    html = officer.get(f"/admin/auth/user/{user.pk}/change/").content.decode()
    assert "Può aggiungere: città" in html
    for english in ("Can add city", "Raw passwords are not stored", "Reset password"):
        assert english not in html
