"""ETag and Last-Modified on every read of the API, and 304 while they are current.

Every list, detail, progress and CSV response carries a strong ETag (different for
the JSON and the CSV of one resource) and Last-Modified; If-None-Match compares weakly
(``W/"…"`` matches), If-Modified-Since is honoured once the second of the newest change
has settled, and a validator changes when anything the response shows changes for that
reader.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db.models import F
from django.utils.http import http_date, parse_http_date

from changelog.models import Change
from kpis.models import KPI, Measurement
from kpis.reporting import review
from tests.cities.factories import SteeringCommitteeMemberFactory
from tests.helpers.api import client_for

pytestmark = pytest.mark.django_db

READS = [
    "/api/v1/programmes/",
    "/api/v1/programmes/icc/",
    "/api/v1/consortia/",
    "/api/v1/consortia/sern/",
    "/api/v1/cities/",
    "/api/v1/cities/ravenna/",
    "/api/v1/solutions/",
    "/api/v1/activities/",
    "/api/v1/kpis/",
    "/api/v1/measurements/",
    "/api/v1/measurements/?format=csv",
    "/api/v1/progress/?consortium=sern",
    "/api/v1/progress/?consortium=sern&format=csv",
    "/api/v1/changes/",
]


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def settle_changes() -> None:
    """The data last changed a minute ago, not in the second the demo was loaded: a date
    revalidates only once every change of its second has committed (a same-second write
    is tested in test_same_second_writes.py)."""
    Change.objects.update(recorded_at=F("recorded_at") - datetime.timedelta(minutes=1))


@pytest.mark.parametrize("path", READS)
def test_every_read_has_validators_and_answers_304_while_they_hold(anonymous, sern, path):
    settle_changes()
    response = anonymous.get(path)
    assert response.status_code == 200
    assert body_of(response)  # read it all: a streamed CSV holds a database cursor open
    etag, modified = response["ETag"], response["Last-Modified"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert parse_http_date(modified) <= parse_http_date(http_date())

    same = anonymous.get(path, HTTP_IF_NONE_MATCH=etag)
    weak = anonymous.get(path, HTTP_IF_NONE_MATCH=f'"other", W/{etag}')
    since = anonymous.get(path, HTTP_IF_MODIFIED_SINCE=modified)
    for answer in (same, weak, since):
        assert answer.status_code == 304
        assert answer.content == b""
        assert answer["ETag"] == etag and answer["Last-Modified"] == modified
    other = anonymous.get(path, HTTP_IF_NONE_MATCH='"other"')
    assert other.status_code == 200 and body_of(other)


def test_a_detail_of_every_kind_has_validators(anonymous, sern):
    solution = anonymous.get("/api/v1/solutions/").json()["results"][0]["id"]
    activity = anonymous.get("/api/v1/activities/").json()["results"][0]["id"]
    kpi = anonymous.get("/api/v1/kpis/").json()["results"][0]["id"]
    figure = Measurement.objects.first().pk
    for path in (
        f"/api/v1/solutions/{solution}/",
        f"/api/v1/activities/{activity}/",
        f"/api/v1/kpis/{kpi}/",
        f"/api/v1/measurements/{figure}/",
        f"/api/v1/measurements/{figure}/?format=csv",
    ):
        response = anonymous.get(path)
        assert response.status_code == 200 and response["ETag"], path
        assert anonymous.get(path, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_json_and_csv_of_one_resource_have_different_etags(anonymous, sern):
    figure = Measurement.objects.first().pk
    for path in ("/api/v1/measurements/", f"/api/v1/measurements/{figure}/", "/api/v1/progress/"):
        query = {"consortium": "sern"} if "progress" in path else {}
        as_json = anonymous.get(path, query)["ETag"]
        csv_response = anonymous.get(path, {**query, "format": "csv"})
        as_csv = csv_response["ETag"]
        by_accept = anonymous.get(path, query, HTTP_ACCEPT="text/csv")
        assert by_accept["Content-Type"].startswith("text/csv")
        assert body_of(csv_response) == body_of(by_accept)
        assert as_json != as_csv
        again = anonymous.get(path, query, HTTP_IF_NONE_MATCH=as_csv)
        assert again.status_code == 200 and body_of(again)
        # One address, two media types by Accept alone: the CSV's ETag is not the JSON's,
        # so a client holding the CSV is never told its JSON copy is current.
        assert by_accept["ETag"] != as_json
        crossed = anonymous.get(path, query, HTTP_IF_NONE_MATCH=by_accept["ETag"])
        assert crossed.status_code == 200 and crossed["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("path", ["/api/v1/kpis/", "/api/v1/progress/?consortium=sern"])
def test_indented_json_is_other_bytes_with_its_own_etag_and_kept_answer(anonymous, sern, path):
    # One cache, two readers in sequence: plain JSON first, then indented. A strong ETag
    # promises the same bytes, and a kept answer is found by its ETag, so the indented
    # read must neither match the plain one's tag nor be served the plain bytes.
    plain = anonymous.get(path, HTTP_ACCEPT="application/json")
    indented = anonymous.get(path, HTTP_ACCEPT="application/json; indent=4")
    assert plain.content.startswith(b'{"') and b"\n    " not in plain.content
    assert indented.content.startswith(b'{\n    "')
    assert indented.json() == plain.json()
    assert indented["ETag"] != plain["ETag"]
    crossed = anonymous.get(
        path, HTTP_ACCEPT="application/json; indent=4", HTTP_IF_NONE_MATCH=plain["ETag"]
    )
    assert crossed.status_code == 200 and crossed.content == indented.content
    again = anonymous.get(
        path, HTTP_ACCEPT="application/json; indent=4", HTTP_IF_NONE_MATCH=indented["ETag"]
    )
    assert again.status_code == 304
    assert anonymous.get(path, HTTP_ACCEPT="application/json").content == plain.content


def test_one_media_type_written_with_or_without_spaces_has_one_etag(anonymous, sern):
    tight, spaced = (
        anonymous.get("/api/v1/kpis/", HTTP_ACCEPT=accept)
        for accept in ("application/json;indent=4", "application/json; indent=4")
    )
    assert tight.content == spaced.content
    assert tight["ETag"] == spaced["ETag"]


def test_a_changed_figure_changes_the_validators_of_what_shows_it(anonymous, sern, ravenna):
    paths = ["/api/v1/measurements/", "/api/v1/progress/?consortium=sern"]
    before = {path: anonymous.get(path)["ETag"] for path in paths}
    figure = Measurement.objects.get(kpi__code="2.2", city=ravenna, stage="final")
    figure.value = Decimal(18)
    figure.version += 1
    figure.save()
    for path in paths:
        response = anonymous.get(path, HTTP_IF_NONE_MATCH=before[path])
        assert response.status_code == 200
        assert response["ETag"] != before[path]


def test_a_changed_target_changes_the_progress_validator(anonymous, sern):
    path = "/api/v1/progress/?consortium=sern"
    etag = anonymous.get(path)["ETag"]
    kpi = KPI.objects.get(solution__consortium=sern, code="2.4")
    kpi.target_value = Decimal(3)
    kpi.save()
    assert anonymous.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_readers_never_share_a_validator(sern, sern_partner, sern_steering, anonymous):
    path = "/api/v1/measurements/"
    tags = {
        client_for(sern_partner).get(path)["ETag"],
        client_for(sern_steering).get(path)["ETag"],
        anonymous.get(path)["ETag"],
    }
    assert len(tags) == 3
    partner_tag = client_for(sern_partner).get(path)["ETag"]
    assert client_for(sern_steering).get(path, HTTP_IF_NONE_MATCH=partner_tag).status_code == 200


def test_a_new_role_changes_the_readers_validators(sern, sern_partner, ravenna, sern_steering):
    review.reopen_stage(
        user=sern_steering, consortium=sern, city=ravenna, stage="final", comment="Check"
    )
    client = client_for(sern_partner)
    etag = client.get("/api/v1/measurements/")["ETag"]
    SteeringCommitteeMemberFactory(user=sern_partner, consortium=sern)  # now sees drafts
    response = client.get("/api/v1/measurements/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["count"] == 84


def test_a_figures_read_etag_works_in_if_match(ravenna_client, sern, ravenna):
    kpi = KPI.objects.get(solution__consortium=sern, code="2.2")
    draft = Measurement.objects.create(
        kpi=kpi, city=ravenna, stage="baseline", status="reported", value=Decimal(1)
    )
    etag = ravenna_client.get(f"/api/v1/measurements/{draft.pk}/")["ETag"]
    assert etag.startswith(f'"measurement-{draft.pk}-v1-')
    changed = ravenna_client.patch(
        f"/api/v1/measurements/{draft.pk}/", {"value": "2"}, format="json", HTTP_IF_MATCH=etag
    )
    assert changed.status_code == 200, changed.content
    stale = ravenna_client.patch(
        f"/api/v1/measurements/{draft.pk}/", {"value": "3"}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412


def test_a_made_up_etag_never_answers_304(anonymous, sern):
    figure = Measurement.objects.first()
    path = f"/api/v1/measurements/{figure.pk}/"
    real = anonymous.get(path)["ETag"]
    forged = f'"measurement-{figure.pk}-v{figure.version}-{"0" * 24}"'
    other_version = real.replace(f"-v{figure.version}-", f"-v{figure.version + 1}-")
    for tag in (forged, other_version, '"measurement-1-v1"'):
        assert anonymous.get(path, HTTP_IF_NONE_MATCH=tag).status_code == 200


def test_an_old_if_modified_since_gets_the_page(anonymous, sern):
    response = anonymous.get(
        "/api/v1/kpis/", HTTP_IF_MODIFIED_SINCE="Sat, 01 Jan 2000 00:00:00 GMT"
    )
    assert response.status_code == 200


def test_if_none_match_wins_over_if_modified_since(anonymous, sern):
    response = anonymous.get("/api/v1/kpis/")
    answer = anonymous.get(
        "/api/v1/kpis/",
        HTTP_IF_NONE_MATCH='"other"',
        HTTP_IF_MODIFIED_SINCE=response["Last-Modified"],
    )
    assert answer.status_code == 200


def test_the_browsable_api_gets_no_validators(anonymous, sern):
    response = anonymous.get("/api/v1/kpis/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and not response.has_header("ETag")


def test_a_condition_never_hides_a_bad_request_or_a_missing_resource(anonymous, sern):
    modified = anonymous.get("/api/v1/kpis/")["Last-Modified"]
    bad = anonymous.get("/api/v1/kpis/?page=-3", HTTP_IF_MODIFIED_SINCE=modified)
    missing = anonymous.get("/api/v1/kpis/987654/", HTTP_IF_MODIFIED_SINCE=modified)
    star = anonymous.get("/api/v1/kpis/987654/", HTTP_IF_NONE_MATCH="*")
    assert (bad.status_code, missing.status_code, star.status_code) == (400, 404, 404)
    assert anonymous.get("/api/v1/kpis/", HTTP_IF_NONE_MATCH="*").status_code == 200


def test_a_date_in_the_future_is_ignored(anonymous, sern):
    response = anonymous.get(
        "/api/v1/kpis/", HTTP_IF_MODIFIED_SINCE="Sun, 16 Apr 6406 13:30:58 GMT"
    )
    assert response.status_code == 200


def test_the_browsable_api_counts_a_list_it_has_no_validators_for(anonymous, sern):
    """The count of a measurements list is kept by data version: a read without validators
    (the browsable API) reads that version itself, and counts as the JSON does."""
    counted = anonymous.get("/api/v1/measurements/?stage=final").json()["count"]
    page = anonymous.get("/api/v1/measurements/?stage=final", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert f"&quot;count&quot;: {counted}," in page.content.decode()


def test_a_kept_list_links_to_the_host_it_was_asked_on(anonymous, sern, settings):
    """Kept answers are the bytes sent, links included: one host's copy is never another's."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "mirror.example"]
    url = "/api/v1/measurements/?stage=final&page_size=5"
    here = anonymous.get(url).json()["next"]
    there = anonymous.get(url, HTTP_HOST="mirror.example").json()["next"]
    assert here.startswith("http://testserver/api/v1/measurements/")
    assert there.startswith("http://mirror.example/api/v1/measurements/")


def test_a_figure_read_twice_keeps_its_own_version_in_its_etag(ravenna_client, sern, ravenna):
    """Details are not kept (their ETag carries the figure's version, set as it answers)."""
    kpi = KPI.objects.get(solution__consortium=sern, code="2.2")
    draft = Measurement.objects.create(
        kpi=kpi, city=ravenna, stage="baseline", status="reported", value=Decimal(7)
    )
    first, again = (ravenna_client.get(f"/api/v1/measurements/{draft.pk}/") for _ in range(2))
    assert first["ETag"] == again["ETag"]
    assert again["ETag"].startswith(f'"measurement-{draft.pk}-v1-')
    assert again.json()["value"] == first.json()["value"] == "7"


def test_a_kept_list_links_with_the_scheme_it_was_asked_with(anonymous, sern):
    """One list asked over http and then over https (a proxy's two doors): each answer
    links with its own scheme, though the two share one cache."""
    url = "/api/v1/measurements/?stage=final&page_size=5"
    plain_next = anonymous.get(url).json()["next"]
    secure_next = anonymous.get(url, secure=True).json()["next"]
    assert plain_next.startswith("http://testserver/")
    assert secure_next.startswith("https://testserver/")


def test_a_head_read_has_validators_and_answers_304(anonymous, sern):
    settle_changes()
    response = anonymous.head("/api/v1/kpis/")
    assert response.status_code == 200 and response.content == b""
    assert response["ETag"] == anonymous.get("/api/v1/kpis/")["ETag"]
    again = anonymous.head("/api/v1/kpis/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again["ETag"] == response["ETag"]


def test_every_tag_of_a_list_is_compared(anonymous, sern):
    """A list with no spaces after its commas, and a tag with a prefix this view never
    gives before the current one: neither stops the comparison."""
    etag = anonymous.get("/api/v1/kpis/")["ETag"]
    foreign = f'"measurement-1-v1-{"0" * 24}"'
    for header in (f'"other",{etag}', f"{foreign}, {etag}", f"{foreign},W/{etag}"):
        answer = anonymous.get("/api/v1/kpis/", HTTP_IF_NONE_MATCH=header)
        assert answer.status_code == 304, header
        assert answer["ETag"] == etag


def test_a_figures_304_carries_its_prefixed_etag(anonymous, sern):
    figure = Measurement.objects.first()
    path = f"/api/v1/measurements/{figure.pk}/"
    response = anonymous.get(path)
    etag = response["ETag"]
    assert etag.startswith(f'"measurement-{figure.pk}-v{figure.version}-')
    answer = anonymous.get(path, HTTP_IF_NONE_MATCH=etag)
    assert answer.status_code == 304
    assert answer["ETag"] == etag
    assert answer["Last-Modified"] == response["Last-Modified"]


def test_a_date_in_the_newest_changes_own_second_gets_the_page(anonymous, sern):
    """Last-Modified (settled) is the end of the newest change's second: a date at the
    start of that second may miss a change of it, so it is never a 304."""
    settle_changes()
    modified = parse_http_date(anonymous.get("/api/v1/kpis/")["Last-Modified"])
    same_second = anonymous.get("/api/v1/kpis/", HTTP_IF_MODIFIED_SINCE=http_date(modified - 1))
    assert same_second.status_code == 200 and same_second.json()["results"]
    assert (
        anonymous.get("/api/v1/kpis/", HTTP_IF_MODIFIED_SINCE=http_date(modified)).status_code
        == 304
    )


def test_a_date_of_this_very_second_is_not_in_the_future(anonymous, sern, monkeypatch):
    from icc_portal.api import conditional

    settle_changes()
    modified = parse_http_date(anonymous.get("/api/v1/kpis/")["Last-Modified"])
    monkeypatch.setattr(conditional, "now", lambda: float(modified + 30))
    since = http_date(modified + 30)
    assert anonymous.get("/api/v1/kpis/", HTTP_IF_MODIFIED_SINCE=since).status_code == 304


def test_a_figures_last_modified_is_that_of_when_its_version_was_read(
    ravenna_client, sern, ravenna, monkeypatch
):
    """The figure's ETag is made as the view answers, but its Last-Modified says what was
    known when the data version was read: a second not yet settled then stays unsettled,
    however long the view took."""
    from changelog import versions
    from icc_portal.api import conditional

    kpi = KPI.objects.get(solution__consortium=sern, code="2.2")
    draft = Measurement.objects.create(
        kpi=kpi, city=ravenna, stage="baseline", status="reported", value=Decimal(4)
    )
    second = int(versions.newest_version().changed_at.timestamp())
    clock = iter([second + 0.5])  # the version's read; any later reading is long after
    monkeypatch.setattr(conditional, "now", lambda: next(clock, second + 60.0))
    response = ravenna_client.get(f"/api/v1/measurements/{draft.pk}/")
    assert response.status_code == 200
    assert response["ETag"].startswith(f'"measurement-{draft.pk}-v1-')
    assert parse_http_date(response["Last-Modified"]) == second


def test_a_read_refused_in_its_checks_is_answered_with_its_error(anonymous, sern):
    """Authentication fails before the validators are computed: the 401 is still answered."""
    response = anonymous.get("/api/v1/kpis/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401
    assert "detail" in response.json()
    assert not response.has_header("ETag")


def test_a_kept_list_never_keeps_an_error(anonymous, sern):
    """A list whose answers are kept, asked badly twice: the second is the same 400."""
    for _ in range(2):
        response = anonymous.get("/api/v1/measurements/?page=-3")
        assert response.status_code == 400
        assert not response.has_header("ETag")


def test_letting_go_of_an_unsent_body_closes_it():
    from django.http import StreamingHttpResponse

    from icc_portal.api.conditional import _let_go

    closed = []
    response = StreamingHttpResponse(iter([b"a"]))
    response._resource_closers.append(lambda: closed.append(True))
    _let_go(response)
    assert closed == [True]


def test_a_figure_of_another_programme_keeps_one_consortiums_and_programmes_etags(anonymous, sern):
    """A read of one consortium (progress) or one programme is at that data's version: a
    figure of a consortium elsewhere moves the figures across consortia, not these."""
    from tests.cities.factories import ConsortiumFactory

    elsewhere = ConsortiumFactory(slug="elsewhere")
    scoped = ["/api/v1/progress/?consortium=sern", f"/api/v1/programmes/{sern.programme.slug}/"]
    before = {path: anonymous.get(path)["ETag"] for path in [*scoped, "/api/v1/measurements/"]}
    Change.objects.create(reason=Change.Reason.CREATED, consortium_id=elsewhere.pk)
    for path in scoped:
        answer = anonymous.get(path, HTTP_IF_NONE_MATCH=before[path])
        assert answer.status_code == 304, path
        assert answer["ETag"] == before[path]
    across = "/api/v1/measurements/"
    assert anonymous.get(across, HTTP_IF_NONE_MATCH=before[across]).status_code == 200


# ----------------------------------------------------------------- stable across releases


def test_an_etag_is_the_same_in_every_process_and_release_for_the_same_read(settings):
    """A partner's stored ETags stay good across a restart or a deploy that changes no
    data: the ETag depends on the secret, the version, the reader, the language, the
    request and the media type only. Pinned to a value, so a change of the recipe (which
    makes every client download everything once more) is made on purpose, here."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from django.utils import translation

    from changelog.stamp import Stamp
    from icc_portal.api.conditional import validators_for

    settings.SECRET_KEY = "a-fixed-secret-for-this-test-only-0123456789-abcdefghijklmnop"
    request = RequestFactory().get("/api/v1/kpis/?consortium=sern")
    request.user = AnonymousUser()
    request.data_version_read_at = 0.0
    version = Stamp(41, datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.UTC))

    def etag(media: str, prefix: str = "", language: str = "en") -> str:
        request.accepted_media_type = media
        with translation.override(language):
            return validators_for(request, version, prefix).etag

    assert etag("application/json") == '"' + PINNED["json"] + '"'
    assert etag("Application/JSON") == etag("application/json")
    assert etag("application/json; indent=4") == '"' + PINNED["indented"] + '"'
    assert etag("text/csv") == '"' + PINNED["csv"] + '"'
    assert etag("application/json", prefix="m7-") == '"m7-' + PINNED["prefixed"] + '"'
    assert etag("application/json", language="it") == '"' + PINNED["italian"] + '"'
    assert len(set(PINNED.values())) == len(PINNED)


PINNED = {
    "json": "c804ebf2dab03fc5f6650615",
    "indented": "1db072b27fef0696ae130c11",
    "csv": "c0c5499bd80334971f5c5488",
    "prefixed": "1f44a4d608a5f5711615d1f0",
    "italian": "54aa05aa85316c1f53d5b659",
}


def test_the_validators_go_out_in_their_usual_spelling(anonymous, sern):
    """Header names are case-insensitive, but some clients and proxies are not: the
    validators are sent as RFC 9110 spells them, ``ETag`` and ``Last-Modified``."""
    settle_changes()
    sent = anonymous.get("/api/v1/kpis/").serialize_headers()
    assert b"\r\nETag: " in b"\r\n" + sent
    assert b"\r\nLast-Modified: " in b"\r\n" + sent
    # A 304 sends them alike.
    etag = anonymous.get("/api/v1/kpis/")["ETag"]
    again = anonymous.get("/api/v1/kpis/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert b"\r\nETag: " in b"\r\n" + again.serialize_headers()


def test_a_kept_answer_is_let_go_once_it_has_gone_unread_for_the_timeout(
    anonymous, sern, monkeypatch
):
    """A kept list answer can never be stale (its key holds the version), so its timeout
    only bounds memory: ``VERSIONED_CACHE_TIMEOUT`` seconds, not forever and not the
    cache's five-minute default."""
    import time

    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from changelog import kept

    if "LocMemCache" not in type(caches["default"]).__name__:
        pytest.skip("the clock is moved for the in-process cache only")
    started, ahead = time.time(), [0.0]
    monkeypatch.setattr(time, "time", lambda *_: started + ahead[0])
    path = "/api/v1/measurements/?page_size=5"
    first = anonymous.get(path)
    assert first.status_code == 200

    def queries_of_a_read() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert anonymous.get(path).content == first.content
        return len(queries)

    ahead[0] = kept.TIMEOUT - 60
    assert queries_of_a_read() == 1  # the version only: answered as kept
    ahead[0] = 2 * kept.TIMEOUT  # read again above, so unread since for the timeout and more
    assert queries_of_a_read() > 1  # built again
