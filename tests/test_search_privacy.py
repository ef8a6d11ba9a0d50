"""Review fixes for issue 13 search: the legacy import indexes what it writes; PII masked in one pass (snippets,
anonymised summaries and terms); similar cases use only the current effective agreement."""

from datetime import datetime, timedelta
from decimal import Decimal

from cases.actions.historical import HistoricalAgreement, HistoricalCase, HistoricalTerm, do_import_historical_cases
from cases.enums import AgreementForm
from cases.models import Case
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
