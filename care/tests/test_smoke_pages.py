"""Every page answers for the secretary; the main loop works from the pages."""
import pytest

from care.models import Entry, EntryStatus

pytestmark = pytest.mark.django_db

PAGES = ["/care/", "/care/suggestions/", "/care/register/", "/care/screenings/", "/care/screenings/new/", "/care/talks/", "/care/talks/new/", "/care/coverage/"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_open_for_the_secretary(care, login, url):
    assert login(care.secretary).get(url).status_code == 200


def test_the_committee_sees_the_mine_and_edits_the_catalogue(care, login):
    client = login(care.committee_user)
    page = client.get("/care/").content.decode()
    assert "综采一区党支部" in page and "掘进一区党支部" in page
    assert client.get("/care/settings/").status_code == 200
    assert login(care.secretary).get("/care/settings/").status_code == 404
