"""The directory's text rules: words, tags, search_text and the documented scoring."""

from __future__ import annotations

import pytest

from bot.program.directory.profiles import validate_profile
from bot.program.directory.search import score, search_text, tags, words
from bot.program.errors import InvalidInput


def test_words_are_case_and_accent_insensitive_and_unique() -> None:
    assert words("Zürich, ZURICH; São-Paulo  C++ node_js") == ["zurich", "sao", "paulo", "c", "node", "js"]
    assert words("") == []


def test_tags_split_on_commas_and_drop_duplicates() -> None:
    assert tags(" Kubernetes , go,, kubernetes\nCommunity   events; GO ") == [
        "Kubernetes",
        "go",
        "Community events",
    ]


def test_search_text_prefixes_each_word_with_its_field() -> None:
    text = search_text(
        {
            "expertise": "Kubernetes, Go",
            "interests": "Hiking",
            "city": "Berlin",
            "country": "Germany",
            "bio": "Hi",
        }
    )
    assert text == " e:kubernetes e:go i:hiking l:berlin l:germany b:hi "
    assert search_text({}) == ""


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (["kubernetes"], 3),  # expertise
        (["hiking"], 2),  # interests
        (["berlin"], 2),  # location
        (["talks"], 1),  # bio / help
        (["go"], 3),  # a whole word
        (["ta", "hi"], 1 + 2),  # each query word adds up
        (["kube", "berlin"], 3 + 2),  # prefixes count
        (["rust"], 0),
    ],
)
def test_score_weights(query: list[str], expected: int) -> None:
    text = search_text(
        {
            "expertise": "Kubernetes, Go",
            "interests": "Hiking",
            "city": "Berlin",
            "country": "Germany",
            "bio": "talks",
        }
    )
    assert score(text, query)[0] == expected


def test_profile_validation_names_each_bad_field() -> None:
    with pytest.raises(InvalidInput) as err:
        validate_profile({"expertise": "", "contact": "x" * 301, "timezone": "Mars/Olympus"})
    assert set(err.value.fields) == {"expertise", "contact", "timezone"}
    ok = validate_profile({"expertise": "Go,go , Rust", "contact": "DM", "timezone": "america/new_york"})
    assert ok["expertise"] == "Go, Rust" and ok["timezone"] == "America/New_York"
    with pytest.raises(InvalidInput) as err:
        validate_profile({"expertise": "x" * 61, "contact": "DM"})
    assert "under 60" in err.value.fields["expertise"]
