"""The year's report of the proposals ledger: figures on a fixed dataset equal the hand-computed values; the demo
year equals the Xianning 2021 report (10 items, 主办 2, 会办 8, 100% on time, 100% satisfied, A 2, B 8, C 0, all
published); the .xlsx and the PDF read back; the public page shows only what was published."""

import subprocess
import tempfile
from datetime import date
from decimal import Decimal
from io import BytesIO
from types import SimpleNamespace

import pytest
from django.test import Client
from openpyxl import load_workbook

from ledgers.actions import proposals as P
from ledgers.demo import demo_year, seed_proposals
from ledgers.models_proposals import HandlingRole, Proposal, ProposalKind
from ledgers.proposal_report import annual_figures
from tests.ledgers_world import BODY, build_bureau, moment, rate, register, reply


@pytest.fixture
def b(world):
    return build_bureau(world)


@pytest.fixture
def dataset(b):
    """Six items of 2021, one of them returned (see the figures in the test below)."""
    d = date
    one = register(b, "1", assigned_on=d(2021, 3, 15))
    Proposal.objects.filter(pk=one.pk).update(key_supervised=True)
    P.do_record_contact(one, b.staff, on=d(2021, 3, 25), stage="BEFORE", mode="FACE", at=moment(d(2021, 3, 25)))
    one = reply(b, one, on=d(2021, 6, 10), klass="A")
    rate(b, one, on=d(2021, 6, 20))
    P.do_publish(one, b.office, published=True, at=moment(d(2021, 6, 21)))

    two = register(b, "2", assigned_on=d(2021, 3, 15))
    P.do_record_contact(two, b.staff, on=d(2021, 3, 26), stage="BEFORE", mode="PHONE", at=moment(d(2021, 3, 26)))
    P.do_extend(two, b.office, reason="涉及面广，难度大", approved_by="区政府督查室", at=moment(d(2021, 6, 1)))
    two = reply(b, Proposal.objects.get(pk=two.pk), on=d(2021, 8, 16), klass="B")
    rate(b, two, on=d(2021, 8, 30), attitude="BASIC", result="BASIC")

    three = register(b, "3", assigned_on=d(2021, 3, 15), role=HandlingRole.CO)
    P.do_record_contact(three, b.staff, on=d(2021, 4, 2), stage="DURING", mode="MEETING", at=moment(d(2021, 4, 2)))
    three = reply(b, three, on=d(2021, 5, 20), klass="B")  # due 2021-05-17: late
    three = rate(b, three, on=d(2021, 6, 1), result="UNSATISFIED", comments="问题未解决")
    three = reply(b, three, on=d(2021, 6, 20), klass="A")
    rate(b, three, on=d(2021, 6, 30))

    four = register(b, "4", assigned_on=d(2021, 3, 15), role=HandlingRole.CO, kind=ProposalKind.NPC_SUGGESTION)
    four = reply(b, four, on=d(2021, 5, 10), klass="C")
    rate(b, four, on=d(2021, 5, 25), attitude="UNSATISFIED", result="UNSATISFIED", comments="未采纳建议")

    register(b, "5", assigned_on=d(2021, 3, 15))  # still being handled

    six = register(b, "6", assigned_on=d(2021, 3, 15))
    P.do_return(six, b.office, reason="不属于本局职责", consent_by="区政府督查室", returned_on=d(2021, 3, 18))
    return b


def test_the_figures_of_a_fixed_dataset_equal_the_hand_computed_ones(dataset):
    f = annual_figures(dataset.county, 2021)
    assert (f.total, f.lead, f.co, f.npc, f.cppcc, f.key_supervised, f.returned) == (5, 3, 2, 1, 4, 1, 1)
    assert (f.replied, f.reply_rate) == (4, Decimal("80.0"))
    assert (f.on_time, f.on_time_rate) == (3, Decimal("60.0"))  # 1, 2 (extended to 6 months), 4; not 3 (late)
    assert (f.met, f.meeting_rate) == (2, Decimal("40.0"))  # 1 (当面), 3 (座谈会); 2 was a phone call
    assert (f.attitude.satisfied, f.attitude.basic, f.attitude.unsatisfied) == (2, 1, 1)
    assert f.attitude.rate == Decimal("75.0") and f.result.rate == Decimal("75.0")
    assert f.first_time_rate == Decimal("50.0")  # 3 and 4 were first rated 不满意
    assert [(c.code, c.count, c.share) for c in f.classes] == [
        ("A", 2, Decimal("50.0")),
        ("B", 1, Decimal("25.0")),
        ("C", 1, Decimal("25.0")),
    ]
    assert (f.extended, f.rehandled, f.follow_up_open, f.closed, f.published) == (1, 2, 1, 2, 1)
    assert "按时办结率为60%" in f.sentence()


def _seed(world):
    city = SimpleNamespace(city=world.city_admin.division, accounts={"city": world.city_admin})
    from django.utils import timezone

    return seed_proposals(city, timezone.now())


def test_the_demo_year_is_the_xianning_report(world):
    counts = _seed(world)
    f = annual_figures(world.city_admin.division, counts["year"])
    assert (f.total, f.lead, f.co) == (10, 2, 8)
    assert f.on_time_rate == Decimal("100.0") and f.reply_rate == Decimal("100.0")
    assert f.attitude.rate == Decimal("100.0") and f.result.rate == Decimal("100.0")
    assert [(c.code, c.count) for c in f.classes] == [("A", 2), ("B", 8), ("C", 0)]
    assert f.published == 10 and f.returned == 0
    assert f.meeting_rate == Decimal("80.0") and (f.result.satisfied, f.result.basic) == (8, 2)
    assert (f.follow_up_open, f.closed, f.key_supervised) == (5, 5, 1)
    assert "共计10件，其中主办2件，会办8件。按时办结率为100%，办理态度满意率100%" in f.sentence()
    assert "A类2件，B类8件，C类0件" in f.sentence()
    # Seeding again adds nothing.
    _seed(world)
    assert Proposal.objects.filter(year=counts["year"]).count() == 10


def test_the_workbook_and_the_pdf_read_back(dataset):
    client = Client()
    client.force_login(dataset.office)
    query = f"?bureau={dataset.county.pk}&year=2021"
    xlsx = client.get("/ledgers/proposals/report/xlsx/" + query)
    assert xlsx.status_code == 200
    wb = load_workbook(BytesIO(xlsx.content))
    rows = {r[0]: r[1] for r in wb["办理情况"].iter_rows(min_row=5, values_only=True) if r and r[0]}
    assert rows["办理建议提案总数"] == "5件" and rows["其中：主办件"] == "3件" and rows["　　　会办件"] == "2件"
    assert rows["按时办结率"] == "60%" and rows["见面率"] == "40%" and rows["办理态度满意率"] == "75%"
    assert rows["A类（所提问题已经解决或基本解决）"] == "2件，占50%"
    details = list(wb["办理明细"].iter_rows(min_row=2, values_only=True))
    assert len(details) == 5 and {r[2] for r in details} == {"1", "2", "3", "4", "5"}
    pdf = client.get("/ledgers/proposals/report/pdf/" + query)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf.content)
        fh.flush()
        text = subprocess.run(["pdftotext", fh.name, "-"], capture_output=True, check=True, text=True).stdout
    flat = "".join(text.split())
    assert "咸安区司法局2021年建议提案办理情况" in flat
    assert "共计5件，其中主办3件，会办2件" in flat and "按时办结率为60%" in flat
    assert "办理结果满意率" in flat and "75%" in flat


def test_the_public_page_shows_the_published_items_only(dataset):
    client = Client()  # anonymous
    listing = client.get(f"/ledgers/public/{dataset.county.pk}/proposals/?year=2021")
    assert listing.status_code == 200
    html = listing.content.decode()
    one = Proposal.objects.get(number="1")
    assert one.title in html and Proposal.objects.get(number="2").title not in html
    assert "张某某" not in html  # the proposers are not shown
    detail = client.get(f"/ledgers/public/{dataset.county.pk}/proposals/{one.pk}/")
    assert detail.status_code == 200 and BODY in detail.content.decode() and "办理结果：A类" in detail.content.decode()
    two = Proposal.objects.get(number="2")
    assert client.get(f"/ledgers/public/{dataset.county.pk}/proposals/{two.pk}/").status_code == 404
    assert client.get(f"/ledgers/public/{dataset.other_county.pk}/proposals/{one.pk}/").status_code == 404
    assert client.get("/ledgers/public/421202001/proposals/").status_code == 404  # a township is no bureau


def test_demo_year():
    from datetime import datetime

    assert demo_year(datetime(2026, 12, 4)) == 2026
    assert demo_year(datetime(2026, 6, 1)) == 2025


@pytest.mark.parametrize("who", ["city_admin", "county_admin"])
def test_a_summary_reader_gets_the_figures_but_no_item(dataset, who):
    """The city administrator (the counties' summaries) and a county administrator without a ledger role may read
    the county's report; the workbook's item sheet and the PDF's list of lead items are left empty for them."""
    client = Client()
    client.force_login(getattr(dataset.world, who))
    query = f"?bureau={dataset.county.pk}&year=2021"
    xlsx = client.get("/ledgers/proposals/report/xlsx/" + query)
    assert xlsx.status_code == 200
    wb = load_workbook(BytesIO(xlsx.content))
    rows = {r[0]: r[1] for r in wb["办理情况"].iter_rows(min_row=5, values_only=True) if r and r[0]}
    assert rows["办理建议提案总数"] == "5件"
    details = [r for r in wb["办理明细"].iter_rows(min_row=2, values_only=True) if any(r)]
    assert len(details) == 1 and details[0][0] == "（明细仅向本局办公室和局领导提供）"
    pdf = client.get("/ledgers/proposals/report/pdf/" + query)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf.content)
        fh.flush()
        text = subprocess.run(["pdftotext", fh.name, "-"], capture_output=True, check=True, text=True).stdout
    flat = "".join(text.split())
    assert "按时办结率为60%" in flat and "第1号" not in flat and "第5号" not in flat
    # the bureau's office does get the list
    client.force_login(dataset.office)
    pdf = client.get("/ledgers/proposals/report/pdf/" + query)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf.content)
        fh.flush()
        text = subprocess.run(["pdftotext", fh.name, "-"], capture_output=True, check=True, text=True).stdout
    assert "第1号" in "".join(text.split())


def test_an_extension_granted_after_the_draft_counts_for_the_reply(b):
    """延期 while the reply is drafted or approved: the reply sent in month 5 is on time against the 6 months."""
    d = date
    item = register(b, "7", assigned_on=d(2021, 3, 15))
    P.do_draft_reply(item, b.staff, body=BODY, result_class="B", at=moment(d(2021, 6, 1)))
    P.do_approve_reply(item, b.leader, at=moment(d(2021, 6, 2)))
    P.do_extend(item, b.office, reason="涉及面广，难度大", approved_by="区政府督查室", at=moment(d(2021, 6, 3)))
    assert item.replies.get(round=0).due_on == d(2021, 9, 15)
    P.do_send_reply(item, b.office, doc_no="咸安司函〔2021〕7号", sent_on=d(2021, 8, 10), at=moment(d(2021, 8, 10)))
    item = Proposal.objects.get(pk=item.pk)
    assert item.on_time is True and item.replies.get(round=0).on_time is True
    assert annual_figures(b.county, 2021).rows()  # the report still renders
