"""The pure rules of user group screening: names, spam, missing details, places and overlap."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, settings_from_mapping
from bot.program.errors import InvalidInput
from bot.program.groups import validate_request
from bot.program.groups.screening import (
    GENERAL_IT,
    NO_LOCATION,
    SPAM,
    Existing,
    Place,
    Request,
    Rules,
    contains_term,
    find_overlap,
    fold,
    haversine_km,
    matches_place,
    normalise_title,
    parse_coordinates,
    screen,
)

RULES = Rules(
    "OpenStack",
    blocklist=("casino", "payday loan", "カジノ"),
    general_it_terms=("general IT", "programming", "tech meetup"),
)


@pytest.mark.parametrize(
    ("name", "city", "region", "country", "title"),
    [
        ("Stackers of Auckland", "Auckland", "", "New Zealand", "OpenStack Auckland {Stackers}"),
        ("OpenStack Auckland", "Auckland", "", "", "OpenStack Auckland"),
        ("Auckland OpenStack User Group", "Auckland", "", "New Zealand", "OpenStack Auckland"),
        ("Cloud Kiwis", "Auckland", "", "", "OpenStack Auckland {Cloud Kiwis}"),
        ("OpenStack Auckland {Stackers}", "Auckland", "", "", "OpenStack Auckland {Stackers}"),  # idempotent
        ("{Stackers} meetup", "Auckland", "", "", "OpenStack Auckland {Stackers}"),
        ("Open Stack Zürich Users", "Zurich", "", "", "OpenStack Zurich"),  # accents, spacing
        ("Stackers de Zürich", "Zürich", "", "Schweiz", "OpenStack Zürich {Stackers}"),
        ("OPENSTACK SÃO PAULO", "São Paulo", "SP", "Brasil", "OpenStack São Paulo"),
        ("Friends of OpenStack in Auckland", "Auckland", "", "", "OpenStack Auckland {Friends}"),
        ("Bay Area Stackers", "", "Bay Area", "USA", "OpenStack Bay Area {Stackers}"),
        ("Straße Stackers", "Strasse", "", "", "OpenStack Strasse {Stackers}"),  # ß folds to ss
        ("東京 OpenStack ユーザー会", "東京", "", "日本", "OpenStack 東京"),
        ("OpenStack 北京 Stackers", "北京", "", "", "OpenStack 北京 {Stackers}"),
        ("Stackers — Auckland", "auckland", "", "", "OpenStack Auckland {Stackers}"),
        ("OpenStack", "", "", "", "OpenStack"),
        ("Stackers", "", "", "", "OpenStack {Stackers}"),
        (
            "Stackers of Takapuna and the North Shore",
            "Takapuna",
            "",
            "",
            "OpenStack Takapuna {Stackers of the North Shore}",
        ),
    ],
)
def test_titles_follow_the_naming_rule(name: str, city: str, region: str, country: str, title: str) -> None:
    assert normalise_title(name, "OpenStack", city, region, country).title == title


def test_pet_name_and_place_are_reported_and_long_pet_names_are_cut() -> None:
    t = normalise_title("Stackers of Auckland", "OpenStack", "Auckland")
    assert (t.place, t.pet_name) == ("Auckland", "Stackers")
    long = normalise_title("The " + "Very " * 30 + "Long Name", "OpenStack", "Oslo")
    assert (
        len(long.pet_name) <= 40 and long.pet_name.endswith("…") and long.title.startswith("OpenStack Oslo {")
    )
    # The community's name appears once, however the requester spelled it.
    assert normalise_title("openstack OPENSTACK Oslo", "OpenStack", "Oslo").title == "OpenStack Oslo"


def test_folding_and_terms() -> None:
    assert fold("  Zürich\tSTRASSE ") == "zurich strasse"
    assert fold("Straße") == "strasse"
    assert fold("ガ") == "ガ"  # marks of other scripts stay
    assert contains_term("Join our CASINO night", "casino")
    assert not contains_term("Casinos are fun", "casino")  # whole words for Latin script
    assert contains_term("最高のカジノです", "カジノ")  # substrings where words have no spaces
    assert contains_term("Best  Payday   loan", "payday loan")


def test_spam_is_flagged_with_the_reason() -> None:
    s = screen(Request("Casino Nights", "Auckland", description="Best casino codes"), RULES)
    assert s.spam is not None and s.spam.code == SPAM and "“casino”" in s.spam.reason
    links = " ".join(f"https://spam{i}.example" for i in range(12))
    assert screen(Request("OpenStack Oslo", "Oslo", description=links), RULES).spam is not None
    assert screen(Request("カジノ Tokyo", "東京"), RULES).spam is not None
    assert screen(Request("Stackers", "Auckland", description="OpenStack operators"), RULES).spam is None


def test_not_a_user_group_is_flagged_but_not_spam() -> None:
    s = screen(Request("Tech Meetup", "Oslo", description="General IT and programming talks"), RULES)
    assert [f.code for f in s.flags] == [GENERAL_IT] and s.spam is None
    assert "never mentions OpenStack" in s.flags[0].reason
    # The same words in an OpenStack group are fine.
    ok = screen(Request("Stackers", "Oslo", description="OpenStack and programming"), RULES)
    assert ok.flags == ()
    nowhere = screen(Request("OpenStack Stackers", country="Norway", description="OpenStack"), RULES)
    assert [f.code for f in nowhere.flags] == [NO_LOCATION]
    relaxed = Rules("OpenStack", require_location=False)
    assert screen(Request("OpenStack Stackers", description="OpenStack"), relaxed).flags == ()


def test_easy_missing_information_is_listed() -> None:
    s = screen(Request("OpenStack Oslo", "Oslo", description="short"), RULES)
    assert s.missing == (
        "the country",
        "a website, or a meetup or social media page",
        "a description of what the group does and who it is for (a few sentences)",
    )
    full = Request(
        "OpenStack Oslo",
        "Oslo",
        "",
        "Norway",
        "https://oslo.example",
        "",
        "OpenStack operators meet monthly " * 3,
    )
    assert screen(full, RULES).missing == ()


def test_haversine_and_coordinates() -> None:
    assert haversine_km(0, 0, 0, 0) == 0
    # Auckland to Wellington is about 490 km; London to Paris about 344 km.
    assert 480 < haversine_km(-36.8485, 174.7633, -41.2865, 174.7762) < 500
    assert 340 < haversine_km(51.5074, -0.1278, 48.8566, 2.3522) < 348
    assert 20010 < haversine_km(0, 0, 0, 180) < 20020  # half way round
    assert parse_coordinates("-36.85, 174.76") == (-36.85, 174.76)
    assert parse_coordinates("  48.1 11.6 ") == (48.1, 11.6)
    assert parse_coordinates("") is None
    for bad in ("north", "91, 0", "0, 181", "1,2,3"):
        with pytest.raises(ValueError):
            parse_coordinates(bad)


AUCKLAND = Existing(
    1, "OpenStack Auckland", Place("Auckland", "Auckland Region", "New Zealand", -36.8485, 174.7633)
)
BAY = Existing(2, "OpenStack Bay Area", Place("", "Bay Area", "USA"))


def test_overlap_same_city_by_distance_and_same_region_without_a_city() -> None:
    same = find_overlap(Place("auckland", "", "new zealand"), [AUCKLAND, BAY], 50)
    assert same is not None and same.group_id == 1 and same.reason == "same city (Auckland)"
    near = find_overlap(Place("Takapuna", "", "", -36.79, 174.77), [AUCKLAND], 50)
    assert near is not None and near.reason.endswith("km apart") and near.distance_km is not None
    assert find_overlap(Place("Takapuna", "", "", -36.79, 174.77), [AUCKLAND], 5) is None
    region = find_overlap(Place("San José", "Bay Area", "usa"), [AUCKLAND, BAY], 50)
    assert region is not None and region.group_id == 2 and "same region" in region.reason
    # A city of the same name in another country is another place.
    assert find_overlap(Place("Auckland", "", "Scotland"), [AUCKLAND], 50) is None
    assert find_overlap(Place("Wellington", "", "New Zealand", -41.29, 174.78), [AUCKLAND], 50) is None
    # Same city wins over a nearer group found by distance.
    both = find_overlap(
        Place("Auckland", "", "", -36.85, 174.76),
        [Existing(3, "Near", Place("X", "", "", -36.85, 174.76)), AUCKLAND],
        50,
    )
    assert both is not None and both.group_id == 1


def test_places_match_free_text() -> None:
    assert matches_place(AUCKLAND.place, "auckland")
    assert matches_place(AUCKLAND.place, "New Zealand")
    assert not matches_place(AUCKLAND.place, "land")
    assert not matches_place(AUCKLAND.place, "")


def test_request_form_validation_names_each_field() -> None:
    ok = validate_request(
        {
            "name": " Stackers\u0000 ",
            "description": "OpenStack",
            "organisers_forum": "@frank, jane_doe frank",
        },
        ["U0DAN", "U0DAN", "not-a-user"],
    )
    assert ok.values["name"] == "Stackers" and ok.forum_organisers == ["frank", "jane_doe"]
    assert ok.slack_organisers == ["U0DAN"]
    with pytest.raises(InvalidInput) as err:
        validate_request({"name": "", "website": "ftp://x", "coordinates": "1", "description": "d" * 3001})
    assert set(err.value.fields) == {"name", "website", "coordinates", "description"}
    many = ", ".join(f"user{i}" for i in range(11))
    with pytest.raises(InvalidInput) as err:
        validate_request({"name": "x", "description": "y", "organisers_forum": many})
    assert "At most 10" in err.value.fields["organisers_forum"]


def test_groups_config_is_checked() -> None:
    s = settings_from_mapping({"groups": {"community": "Kubernetes", "overlap_km": 10}}, env={})
    assert s.groups.community == "Kubernetes" and len(s.groups.handover) == 8
    for bad, where in (
        ({"recognition_template": "Hi {{ leader "}, "groups.recognition_template"),
        ({"community_managers": ["bob"]}, "groups.community_managers"),
        ({"handover": [{"key": "a", "title": "A"}, {"key": "a", "title": "B"}]}, "groups"),
        ({"handover": [{"key": "a", "title": "A", "completes": ["nobody"]}]}, "groups.handover.completes"),
        ({"what_is_a_user_group_url": "example.org"}, "groups.what_is_a_user_group_url"),
    ):
        with pytest.raises(ConfigError, match=where):
            settings_from_mapping({"groups": bad}, env={})
