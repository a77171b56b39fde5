"""core.localized: the one way a public text is read in the reader's language."""

from types import SimpleNamespace

from django.template import Context, Template
from django.utils import translation

from core.localized import localized, localized_text


def _challenge(**fields):
    return SimpleNamespace(**{"title": "Antrean daring", "title_en": "", **fields})


def _render(source: str, **context) -> str:
    return Template("{% load localized %}" + source).render(Context(context))


def test_english_reader_gets_the_english_twin():
    with translation.override("en"):
        value = localized(_challenge(title_en="Online queueing"), "title")
    assert (str(value), value.is_fallback, value.lang) == ("Online queueing", False, "en")


def test_without_english_the_indonesian_text_is_marked_as_a_fallback():
    with translation.override("en"):
        value = localized(_challenge(), "title")
        html = _render('{% localized c "title" %}', c=_challenge())
    assert (str(value), value.is_fallback, value.lang) == ("Antrean daring", True, "id")
    assert html == '<span lang="id">Antrean daring</span> <span class="lang-note">(Bahasa Indonesia)</span>'


def test_the_indonesian_reader_never_gets_the_english_text():
    challenge = _challenge(title_en="Online queueing")
    with translation.override("id"):
        assert _render('{% localized c "title" %}', c=challenge) == "Antrean daring"
        assert localized_text(challenge, "title") == "Antrean daring"


def test_empty_markup_and_whitespace_count_as_no_english():
    page = SimpleNamespace(eligibility="<p>Startup dan UMKM.</p>", eligibility_en="<p> </p>")
    with translation.override("en"):
        assert localized(page, "eligibility").is_fallback
        assert localized(_challenge(title_en="   "), "title").is_fallback


def test_text_is_escaped_in_both_forms():
    challenge = _challenge(title="<b>Pasar</b>", title_en="")
    with translation.override("en"):
        assert "<b>" not in _render('{% localized c "title" %}', c=challenge)
    with translation.override("id"):
        assert _render('{% localized c "title" %}', c=challenge) == "&lt;b&gt;Pasar&lt;/b&gt;"


def test_a_block_reads_its_parts_for_its_own_markup():
    template = (
        '{% localized c "title" as t %}<div{{ t.lang_attr }}>{{ t.text }}</div>{{ t.note }}'
        '|{{ c|localized_text:"title" }}'
    )
    with translation.override("en"):
        assert _render(template, c=_challenge()) == (
            '<div lang="id">Antrean daring</div>'
            '<span class="lang-note">(Bahasa Indonesia)</span>|Antrean daring'
        )
        assert _render(template, c=_challenge(title_en="Online queueing")) == (
            "<div>Online queueing</div>|Online queueing"
        )
