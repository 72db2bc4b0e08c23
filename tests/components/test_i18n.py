"""Both catalogs are complete, consistent and used: every key the code asks for
exists in both languages with the same placeholders."""

import re
import string
from pathlib import Path

import pytest

from components.i18n import language_from_locale, load_catalog

ROOT = Path(__file__).resolve().parents[2]
EN = load_catalog("en")
ZH = load_catalog("zh")
SOURCES = [p for d in ("app.py", "pages", "components") for p in
           ([ROOT / d] if d.endswith(".py") else sorted((ROOT / d).glob("*.py")))]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_same_keys_in_both_languages():
    assert sorted(EN) == sorted(ZH)


@pytest.mark.parametrize("key", sorted(EN))
def test_same_placeholders_and_no_empty_strings(key):
    assert EN[key].strip() and ZH[key].strip()
    assert placeholders(EN[key]) == placeholders(ZH[key])


def test_chinese_is_translated():
    # Names such as "ReLU" or "Softmax" are the same in both; prose must not be.
    same = [k for k in EN if EN[k] == ZH[k] and len(EN[k]) > 12]
    assert not same, same


def test_every_literal_key_used_in_code_exists():
    literal = re.compile(r"""\bt\(\s*["']([a-z0-9_.]+)["']""")
    used = {key for path in SOURCES for key in literal.findall(path.read_text())}
    assert used, "the scan found no keys: the pattern is wrong"
    assert not used - set(EN), sorted(used - set(EN))


def test_documents_terms_are_used_in_chinese():
    text = "".join(ZH.values())
    terms = ("激活函数", "导数", "梯度消失", "阶跃函数", "隐藏层", "多分类", "二分类")
    for term in terms:
        assert term in text, term


@pytest.mark.parametrize("locale, lang", [
    ("zh-CN", "zh"), ("zh-TW", "zh"), ("zh", "zh"), ("en-US", "en"), ("fr-FR", "en"),
    (None, "en"), ("", "en"),
])
def test_browser_locale_maps_to_a_catalog(locale, lang):
    assert language_from_locale(locale) == lang


def test_every_image_refusal_is_translated_in_both_languages():
    from core.imaging import MESSAGES

    for code, english in MESSAGES.items():
        for catalog in (EN, ZH):
            text = catalog[f"image_error.{code}"]
            assert placeholders(text) <= placeholders(english), code


def test_every_convolution_error_code_is_translated():
    source = (ROOT / "core" / "convolution.py").read_text("utf-8")
    codes = set(re.findall(r'ConvolutionError\(\s*"(\w+)"', source))
    assert codes
    for code in codes:
        assert f"conv_error.{code}" in EN and f"conv_error.{code}" in ZH, code
