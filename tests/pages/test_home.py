"""The home page (lesson map) in both languages."""

from components.i18n import load_catalog
from components.lessons import CLASS_MINUTES, LESSONS
from tests.pages.conftest import all_text, run_page

CATALOGS = {lang: load_catalog(lang) for lang in ("en", "zh")}


def test_home_shows_a_card_per_lesson_in_each_language(lang):
    app = run_page("pages/home.py", lang)
    text = all_text(app)
    catalog = CATALOGS[lang]
    assert catalog["home.title"] in app.title[0].value
    for lesson in LESSONS:
        assert catalog[f"lesson.{lesson.key}.title"] in text
        assert catalog[f"lesson.{lesson.key}.summary"] in text
    links = app.get("page_link")
    assert len(links) == len(LESSONS)
    assert all(link.proto.label == catalog["home.open_lesson"] for link in links)


def test_class_plan_fills_exactly_one_period(lang):
    app = run_page("pages/home.py", lang)
    minutes = CATALOGS[lang]["home.minutes"]
    rows = [m.value for m in app.markdown if m.value.startswith("- `")]
    assert rows[0].startswith("- " + minutes.format(start=0, end=5))
    starts_and_ends = [r.split("`")[1] for r in rows]
    assert rows[-1].startswith("- `") and f"–{CLASS_MINUTES}" in rows[-1]
    assert CATALOGS[lang]["plan.wrap_up"] in rows[-1]
    # Consecutive rows: each starts where the previous one ended.
    bounds = [tuple(int(n) for n in s.split()[0].split("–")) for s in starts_and_ends]
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))


def test_language_follows_the_url_and_the_switch():
    app = run_page("pages/home.py", "zh")
    assert "神经网络游乐场" in app.title[0].value
    switch = app.sidebar.get("button_group")[0]
    switch.set_value("en").run()
    assert "Neural Playground" in app.title[0].value
    assert app.query_params["lang"] == "en"
