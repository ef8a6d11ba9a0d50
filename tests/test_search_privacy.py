"""Review fixes for issue 13 search: the legacy import indexes what it writes; PII masked in one pass (snippets,
anonymised summaries and terms); similar cases use only the current effective agreement."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from cases.actions.historical import HistoricalAgreement, HistoricalCase, HistoricalTerm, do_import_historical_cases
from cases.enums import AgreementForm
from cases.models import Case
from search.highlight import highlight
from search.index import anonymise
from search.query import search_cases
from search.similar import similar_cases
from tests.world import TZ, case_data


def _historical(world, n: int, facts: str) -> HistoricalCase:
    accepted = datetime(2025, 3, 2 + n, 10, 0, tzinfo=TZ)
    outcome = accepted + timedelta(days=5)
    return HistoricalCase(
        committee=world.village_a,
        data=case_data(None, brief_facts=facts),
        registered_at=accepted - timedelta(hours=2),
        accepted_at=accepted,
        presiding=world.mediator_a.mediator,
        agreement=HistoricalAgreement(
            form=AgreementForm.WRITTEN,
            facts="双方因排水沟堵塞发生争执，经调解达成协议。",
            responsibilities="被申请人负主要责任",
            terms=[
                HistoricalTerm(
                    obligor=1,
                    obligee=0,
                    content="被申请人疏通排水沟并赔偿损失",
                    manner="现金",
                    deadline=outcome.date(),
                    amount=Decimal("2400"),
                    place="村委会",
                )
            ],  # fmt: skip
        ),
        outcome_at=outcome,
        performed_at=outcome + timedelta(hours=1),
        performance_note="当场付清",
        closed_at=outcome + timedelta(days=1),
        closing_summary="协议已履行完毕，结案",
        note=f"第{n}行",
    )


def test_historical_import_is_searchable_and_similar(world):
    facts = "双方因宅前排水沟堵塞问题发生争执，申请人房屋受雨水浸泡，蘑菇棚倒塌（第{}件）。"
    made = do_import_historical_cases(
        [_historical(world, n, facts.format(n)) for n in (1, 2)], world.county_admin, source_note="批次T"
    )
    ids = {m.case_id for m in made}
    found = search_cases(world.mediator_a, "蘑菇棚")
    assert ids <= {h.case.pk for h in found.hits}
    current = Case.objects.get(pk=next(iter(ids)))
    offered = {s.case_id for s in similar_cases(world.mediator_a, current)}
    assert ids - {current.pk} <= offered


# --- one masking pass for snippets and anonymised summaries ------------------------------------------------------


class _P:
    def __init__(self, name: str, order: int):
        self.name, self.order, self.pk, self.address = name, order, order, ""
        self.legal_representative = self.guardian_name = ""


PHONES = ["138-1234-5678", "138 1234 5678", "+8613812345678", "13812345678", "0715-8888 8888"]
IDS = ["42120219800517001X", "421202 19800517 001X", "4212 0219 8005 1700 1x"]
CARDS = ["6217002870012345678", "6217 0028 7001 2345 678", "6217-0028-7001-2345", "6217002870012345"]


@pytest.mark.parametrize("phone", PHONES)
def test_phones_are_masked_and_never_marked(phone):
    html = str(highlight(f"电话{phone}，拖欠工资", ["工资", "5678", "8888"], window=None))
    assert phone not in html and "<mark>工资</mark>" in html
    assert "<mark>5678</mark>" not in html and "<mark>8888</mark>" not in html
    if phone.startswith(("1", "+")):
        assert "138****5678" in html
    assert anonymise(f"电话{phone}欠款", []) == "电话（电话略）欠款"


@pytest.mark.parametrize("number", IDS)
def test_id_numbers_also_in_groups_are_masked(number):
    html = str(highlight(f"身份证{number}，拖欠工资", ["工资", "001"], window=None))
    assert number not in html and "（证件号略）" in html and "<mark>001</mark>" not in html
    assert anonymise(f"身份证{number}。", []) == "身份证（证件号略）。"


@pytest.mark.parametrize("number", CARDS)
def test_bank_cards_grouped_or_not_are_masked(number):
    html = str(highlight(f"转账至卡号{number}，拖欠工资", ["工资", "5678", "2345"], window=None))
    assert number not in html and "（卡号略）" in html and "<mark>2345</mark>" not in html
    assert anonymise(f"转账至{number}。", []) == "转账至（卡号略）。"


def test_a_partys_given_name_alone_is_masked_like_the_full_name():
    html = str(highlight("张建国称，建国的工资被拖欠", ["工资"], names=["张建国"], window=None))
    assert "建国" not in html and html.count("张某") == 2
    out = anonymise("张建国的儿子称，建国欠工资", [_P("张建国", 1)])
    assert out == "当事人甲的儿子称，当事人甲欠工资"
    # a 2-character name does not mask its single given character
    assert anonymise("张三说三天内还", [_P("张三", 1)]) == "当事人甲说三天内还"


def test_the_reviewers_strings_do_not_come_back():
    text = "张建国的儿子称，建国欠工资，卡号6217002870012345678，电话138 1234 5678，+8613812345678"
    out = anonymise(text, [_P("张建国", 1)])
    for secret in ("张建国", "建国", "6217002870012345678", "138 1234 5678", "8613812345678"):
        assert secret not in out
    html = str(highlight(text, ["工资", "5678"], names=["张建国"], window=None))
    for secret in ("建国", "6217002870012345678", "138 1234 5678", "8613812345678", "<mark>5678</mark>"):
        assert secret not in html


# --- similar cases: only the agreement in force ------------------------------------------------------------------


def test_similar_cases_use_only_the_current_effective_agreement(world):
    from cases.enums import AgreementStatus
    from cases.models import Agreement, AgreementTerm
    from search.index import reindex

    facts = "双方因宅前排水沟堵塞问题发生争执，申请人房屋受雨水浸泡，蘑菇棚倒塌（第{}件）。"
    made = do_import_historical_cases(
        [_historical(world, n, facts.format(n)) for n in (1, 2)], world.county_admin, source_note="批次T"
    )
    old_case, current = (Case.objects.get(pk=m.case_id) for m in made)
    live = old_case.agreements.get()
    assert live.status == AgreementStatus.EFFECTIVE
    term = live.terms.get()
    for status in (AgreementStatus.CHANGED, AgreementStatus.REVOKED, AgreementStatus.INVALIDATED_BY_COURT):
        gone = Agreement.objects.create(
            case=old_case, form=live.form, status=status, facts="旧协议", drafted_by=world.county_admin,
            drafted_at=live.drafted_at + timedelta(days=1), effective_at=live.effective_at + timedelta(days=1),
        )  # fmt: skip
        AgreementTerm.objects.create(
            agreement=gone, obligor=term.obligor, obligee=term.obligee, content="旧条款赔偿九万九", manner="转账",
            amount=Decimal("99999"), deadline=term.deadline,
        )  # fmt: skip
    reindex(Case.objects.filter(pk=old_case.pk))
    (item,) = [s for s in similar_cases(world.mediator_a, current) if s.case_id == old_case.pk]
    assert item.amount_total == "2,400.00"
    assert item.terms and not any("旧条款" in t for t in item.terms)
    from search.models import SearchDoc

    doc = SearchDoc.objects.get(case_id=old_case.pk)
    assert "旧条款" not in doc.summary and "99999" not in doc.summary
