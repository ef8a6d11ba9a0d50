"""Identity numbers and credit codes: validation, masking, encryption at rest, and minors at registration."""

from datetime import date, datetime

import pytest
from django.db import connection

from cases import actions as A
from cases import identity as I
from cases.enums import PartySide, PartyType
from cases.models import Case, Party
from tests.world import TZ, case_data

TODAY = date(2026, 3, 2)
# The worked example of GB 11643-1999 (check digit X), and a number built by the product's own helper.
STANDARD_EXAMPLE = "11010519491231002X"
BUILT = I.make_valid_id_number("421202", date(1980, 5, 17), 1)
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def with_check_digit(body17: str) -> str:
    """Independent GB 11643 check digit (ISO 7064 MOD 11-2), to build numbers the helper cannot (e.g. Feb 30)."""
    total = sum(int(c) * w for c, w in zip(body17, WEIGHTS, strict=True))
    return body17 + "10X98765432"[total % 11]


# --- resident ID numbers ----------------------------------------------------------------------------------------


def test_check_digit_helper_agrees_with_the_standard_example():
    assert with_check_digit(STANDARD_EXAMPLE[:17]) == STANDARD_EXAMPLE
    assert with_check_digit(BUILT[:17]) == BUILT


@pytest.mark.parametrize(
    "number",
    [
        STANDARD_EXAMPLE,
        BUILT,
        I.make_valid_id_number("421221", date(2008, 2, 29), 123),
        I.make_valid_id_number("110105", date(1900, 1, 1), 999),
        I.make_valid_id_number("421202", TODAY, 2),  # born today
    ],
)
def test_valid_numbers(number):
    assert I.id_number_error(number, TODAY) is None


def test_lowercase_x_is_accepted_and_normalised():
    lower = STANDARD_EXAMPLE.lower()
    assert I.id_number_error(lower, TODAY) is None
    assert I.normalise_id_number(f" {lower[:6]} {lower[6:]} ") == STANDARD_EXAMPLE
    assert I.hash_id_number(lower) == I.hash_id_number(STANDARD_EXAMPLE)
    assert I.mask_id_number(lower) == "110***********002X"
    party = Party()
    party.set_id_number(lower)
    assert party.full_id_number() == STANDARD_EXAMPLE and party.id_number_masked == "110***********002X"


def test_wrong_check_digit():
    for wrong in "0123456789X":
        if wrong != BUILT[-1]:
            assert I.id_number_error(BUILT[:17] + wrong, TODAY) == "身份证号码校验位不正确，请核对"
    swapped = BUILT[:15] + BUILT[16] + BUILT[15] + BUILT[17]  # two sequence digits transposed
    assert swapped != BUILT
    assert I.id_number_error(swapped, TODAY) == "身份证号码校验位不正确，请核对"


@pytest.mark.parametrize(
    "birth",
    [
        "19800230",  # 30 February
        "19810229",  # 29 February of a common year
        "19801301",  # month 13
        "19800000",
        "18991231",  # before 1900
        "20260303",  # tomorrow
        "20270101",  # next year
    ],
)
def test_invalid_birth_dates(birth):
    number = with_check_digit(f"421202{birth}001")
    assert I.id_number_error(number, TODAY) == "身份证号码中的出生日期无效"


@pytest.mark.parametrize(
    "number",
    [
        BUILT[:17],  # 17 digits
        BUILT + "1",  # 19 digits
        "",
        "4212021980051700X7",  # X not at the end
        "A21202198005170017",  # letters elsewhere
        "42120219800517001Y",
        "4212021980-0517001",
        "42120219800517001.",
    ],
)
def test_wrong_format(number):
    assert I.id_number_error(number, TODAY) == "身份证号码应为18位，前17位为数字，最后一位为数字或X"


def test_full_width_digits_are_normalised():
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in BUILT)
    assert I.normalise_id_number(full_width) == BUILT
    assert I.id_number_error(full_width, TODAY) is None


def test_birth_date_gender_and_age_come_from_the_number():
    assert I.birth_date_from_id(BUILT) == date(1980, 5, 17)
    assert I.gender_from_id(BUILT) == "M"  # 17th digit 1: odd
    assert I.gender_from_id(STANDARD_EXAMPLE) == "F"  # 17th digit 2: even
    minor = I.make_valid_id_number("421202", date(2008, 3, 3), 4)
    assert I.age_on(minor, date(2026, 3, 2)) == 17
    assert I.age_on(minor, date(2026, 3, 3)) == 18


# --- unified social credit codes --------------------------------------------------------------------------------


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_check_char(body17: str) -> str:
    """Independent GB 32100 check character: weights 3^i mod 31, check = 31 − (sum mod 31)."""
    total = sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(body17))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def wrong_check(code: str) -> str:
    return code[:17] + next(c for c in USCC_ALPHABET if c != code[17])


def test_credit_codes():
    valid = I.make_valid_credit_code("91421202MA49XY0Q0")
    assert len(valid) == 18 and valid[17] == credit_check_char(valid[:17])
    assert I.credit_code_error(valid) is None
    assert I.credit_code_error(valid.lower()) is None
    assert I.credit_code_error("91350100M000100Y43") is None  # the sample code quoted with GB 32100
    assert credit_check_char("91350100M000100Y4") == "3"
    assert I.credit_code_error(wrong_check(valid)) == "统一社会信用代码校验位不正确，请核对"
    fmt = "统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）"
    assert I.credit_code_error(valid[:17]) == fmt
    assert I.credit_code_error(valid + "0") == fmt
    assert I.credit_code_error("91421202MA49IY0Q0" + "0") == fmt  # I is not in the alphabet
    assert I.credit_code_error("91421202MO49XY0Q00") == fmt  # O is not either
    assert I.credit_code_error("") == fmt


# --- masking and encryption -------------------------------------------------------------------------------------


def test_masking_keeps_the_first_three_and_last_four():
    number = I.make_valid_id_number("421202", date(1980, 5, 17), 123)
    assert I.mask_id_number(number) == "421***********" + number[-4:]
    assert len(I.mask_id_number(number)) == 18
    assert I.mask_id_number("1234") == "****"


def test_encryption_round_trip():
    token = I.encrypt_id_number(BUILT)
    assert BUILT not in token and BUILT[6:14] not in token
    assert I.decrypt_id_number(token) == BUILT
    assert I.encrypt_id_number(BUILT) != token  # Fernet tokens are randomised
    assert I.decrypt_id_number("") == ""
    for bad in ("not-a-token", token[:-4] + "AAAA"):  # garbage; tampered
        with pytest.raises(I.DecryptionError):
            I.decrypt_id_number(bad)


def register(world, parties: list[A.PartyData], at: datetime | None = None) -> Case:
    data = case_data(None)
    data.parties = parties
    return A.do_register_case(world.mediator_a, world.village_a, data, at=at or datetime(2026, 3, 2, 9, tzinfo=TZ))


def person(side: str, name: str, id_number: str = "", **kw) -> A.PartyData:
    return A.PartyData(side=side, name=name, id_number=id_number, phone="13900000003", **kw)


def test_database_holds_only_ciphertext_mask_and_hash(world):
    other = I.make_valid_id_number("421202", date(1975, 1, 9), 8)
    first = register(world, [person(PartySide.APPLICANT, "张三", BUILT), person(PartySide.RESPONDENT, "李四", other)])
    second = register(world, [person(PartySide.APPLICANT, "张三", BUILT.lower()), person(PartySide.RESPONDENT, "王五")])
    applicant = first.parties.get(name="张三")
    assert applicant.id_number_masked == "421***********" + BUILT[-4:]
    assert BUILT not in applicant.id_number_encrypted
    assert applicant.full_id_number() == BUILT
    assert applicant.birth_date == date(1980, 5, 17) and applicant.gender == "M"
    # Equal numbers hash equally (duplicate lookup without decrypting); different numbers do not.
    again = second.parties.get(name="张三")
    assert again.id_number_hash == applicant.id_number_hash == I.hash_id_number(BUILT)
    assert first.parties.get(name="李四").id_number_hash != applicant.id_number_hash
    assert second.parties.get(name="王五").id_number_hash == ""
    # Read the raw rows: no column of any party holds a full number or its birth-date digits with the region.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Party._meta.db_table}")
        cells = [str(cell) for row in cursor.fetchall() for cell in row]
    for number in (BUILT, other):
        assert not any(number in cell or number[:14] in cell for cell in cells)


# --- minors at registration -------------------------------------------------------------------------------------


def test_minor_requires_a_guardian_at_registration(world):
    minor_id = I.make_valid_id_number("421202", date(2012, 6, 1), 5)
    parties = [person(PartySide.APPLICANT, "张三", BUILT), person(PartySide.RESPONDENT, "李小四", minor_id)]
    before = Case.objects.count()
    with pytest.raises(A.ActionRefused) as info:
        register(world, parties)
    assert info.value.message == "第2位当事人为未成年人，须填写法定代理人（监护人）"
    assert Case.objects.count() == before and not Party.objects.exists()
    parties[1].guardian_name = "李四"
    case = register(world, parties)
    assert case.parties.get(name="李小四").guardian_name == "李四"


def test_eighteenth_birthday_ends_minority(world):
    turns_18 = I.make_valid_id_number("421202", date(2008, 3, 2), 6)
    parties = [person(PartySide.APPLICANT, "张三", BUILT), person(PartySide.RESPONDENT, "李四", turns_18)]
    with pytest.raises(A.ActionRefused, match="未成年人"):
        register(world, parties, at=datetime(2026, 3, 1, 23, 0, tzinfo=TZ))
    assert register(world, parties, at=datetime(2026, 3, 2, 9, tzinfo=TZ)).parties.count() == 2


def test_minor_known_by_birth_date_requires_a_guardian(world):
    parties = [
        person(PartySide.APPLICANT, "张三", BUILT),
        person(PartySide.RESPONDENT, "李小四", birth_date=date(2012, 6, 1)),
    ]
    with pytest.raises(A.ActionRefused, match="未成年人"):
        register(world, parties)


def test_registration_validates_numbers_and_codes(world):
    def refused(parties: list[A.PartyData], message: str) -> None:
        with pytest.raises(A.ActionRefused) as info:
            register(world, parties)
        assert info.value.message == message

    respondent = person(PartySide.RESPONDENT, "李四")
    refused([person(PartySide.APPLICANT, "张三"), respondent], "第1位当事人（申请人）须填写身份证号码")
    refused(
        [person(PartySide.APPLICANT, "张三", BUILT[:17] + "0"), respondent],
        "第1位当事人：身份证号码校验位不正确，请核对",
    )
    refused(
        [
            person(PartySide.APPLICANT, "张三", BUILT),
            person(PartySide.RESPONDENT, "李四", with_check_digit("421202" + "20300101" + "001")),
        ],
        "第2位当事人：身份证号码中的出生日期无效",
    )
    company = A.PartyData(
        side=PartySide.APPLICANT, name="咸宁某建筑公司", party_type=PartyType.LEGAL_PERSON, legal_representative="周总"
    )
    refused([company, respondent], "第1位当事人（申请人）须填写统一社会信用代码")
    company.credit_code = wrong_check(I.make_valid_credit_code("91421202MA49XY0Q0"))
    refused([company, respondent], "第1位当事人：统一社会信用代码校验位不正确，请核对")
    company.credit_code = I.make_valid_credit_code("91421202MA49XY0Q0").lower()
    case = register(world, [company, respondent])
    assert case.parties.get(name="咸宁某建筑公司").credit_code == company.credit_code.upper()
    assert Case.objects.count() == 1


def test_a_number_the_key_cannot_decrypt_is_logged_and_shown_as_undecryptable(world, client, caplog, settings):
    """Issue 10 point 10: a wrong key used to decrypt silently to "", which reads as "no number recorded"."""
    case = register(world, [person(PartySide.APPLICANT, "张三", BUILT), person(PartySide.RESPONDENT, "李四")])
    applicant = case.parties.get(name="张三")
    settings.FIELD_ENCRYPTION_KEY = "a-different-key-than-the-one-that-encrypted"
    with caplog.at_level("ERROR", logger="tiaojie.identity"):
        assert applicant.full_id_number() == I.UNDECRYPTABLE == "无法解密"
    assert any("cannot be decrypted" in r.getMessage() for r in caplog.records)
    assert applicant.id_number_encrypted not in caplog.text
    client.force_login(world.director_a)
    response = client.post(f"/cases/{case.pk}/parties/{applicant.pk}/id-number/")
    assert response.status_code == 200 and "无法解密" in response.content.decode()
