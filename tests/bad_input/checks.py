"""What a refused submission must look like (Chinese errors next to the fields, nothing changed, input kept), and
the garbage the tests send: random and huge strings, impossible dates, numbers that are not amounts.
"""

import random
import re

from django import forms
from django.utils import timezone
from django.utils.html import escape

CJK = re.compile(r"[\u4e00-\u9fff]")
# Django's own English messages, in case a translation or a custom message is missing.
ENGLISH = re.compile(
    r"This field|Enter a |Select a valid|Ensure this|is missing or has been tampered|Please submit|"
    r"is required|valid date|valid number|not one of the available|Forbidden|Server Error"
)
# What a browser sends for a form left empty: the CSRF token and nothing else. (A POST with no data at all is
# treated like a GET by the `request.POST or None` idiom: the blank form again, see test_literally_empty_post.)
EMPTY = {"csrfmiddlewaretoken": "not-checked-by-the-test-client"}
ERROR_BLOCKS = re.compile(r'<(?:div|ul) class="(?:errorlist|alert alert-danger)[^"]*"[^>]*>(.*?)</(?:div|ul)>', re.S)


def error_texts(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", " ", block).strip() for block in ERROR_BLOCKS.findall(html)]


def today():
    return timezone.localdate()


def is_text(field: forms.Field) -> bool:
    return isinstance(field, forms.CharField)


BAD_DATES = ["2026-02-30", "abc", "2026-13-01", "0000-00-00", "2026-02-30T10:00"]
BAD_NUMBERS = ["-100", "abc", "NaN", "sNaN", "Infinity", "1e999", "12,5"]
# Valid as values but at the edge of what the machine holds (issue 10 point 4): a day after 9999-12-31 and
# 0001-01-01 in UTC do not exist; ids and page numbers beyond a 64-bit integer overflowed in the database.
BOUNDARY_DATES = ["9999-12-31", "0001-01-01"]
BOUNDARY_DATETIMES = ["9999-12-31T23:59", "0001-01-01T00:00"]
HUGE_INTEGERS = ["1000000000000000000", "9223372036854775808", "99999999999999999999", "1" + "0" * 400]


def typed_text(data: dict, fields: dict[str, forms.Field]) -> dict:
    """The free-text values of a submission: these must come back in the re-rendered form."""
    return {k: v for k, v in data.items() if k in fields and is_text(fields[k]) and isinstance(v, str) and v.strip()}


def assert_refused(response, typed: dict, unchanged, why: str) -> str:
    assert response.status_code == 200, (why, response.status_code, response.get("Location"))
    html = response.content.decode()
    errors = error_texts(html)
    assert errors, f"{why}: no error shown"
    assert any(CJK.search(e) for e in errors), (why, errors)
    for e in errors:
        assert not ENGLISH.search(e), (why, e)
    assert "This field is required" not in html
    unchanged()
    for name, value in typed.items():
        assert escape(value) in html, f"{why}: {name} not re-rendered"
    return html


def random_text(rng: random.Random, n: int = 14) -> str:
    alphabet = "甲乙丙丁戊己庚辛壬癸αβγxyzQWE0123456789<>&\"'%#;/\\！？～😀"
    return "".join(rng.choice(alphabet) for _ in range(n))


def garbage(fields: dict[str, forms.Field], make) -> dict:
    data = {}
    for name in fields:
        data[name] = make(name)
    return data
