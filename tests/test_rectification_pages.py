"""The rectification ledger's pages (issue 16 §4–5): who sees what (404 otherwise), the city's summaries of the
counties, actions through the item page, evidence downloads, the monthly meeting's agenda, and the progress notice
as a PDF (read back with pdftotext) and as a public page."""

import subprocess
from datetime import date

import pytest
from django.urls import reverse

from ledgers.rectification import actions as A
from ledgers.rectification.meetings import agenda, do_record_meeting
from ledgers.rectification.models import Evidence, ItemStatus, ProgressNotice
from ledgers.rectification.notice import do_issue_notice
from tests.rectification_people import at, build, inspection, item_data, listed_item
from tests.test_rectification_flow import accepted, in_progress, photo, requested


@pytest.fixture
def r(world):
    return build(world)


def get(client, user, name, *args, query=""):
    client.force_login(user)
    return client.get(reverse(f"rectification:{name}", args=args) + query)


def test_who_sees_an_item(r, client):
    item = listed_item(r)
    for persona in ("office", "leader", "reviewer", "other_reviewer", "staff"):
        assert get(client, r.persona(persona), "item", item.pk).status_code == 200, persona
    for persona in ("other_staff", "city_office", "other_county_office", "county_admin", "outsider"):
        assert get(client, r.persona(persona), "item", item.pk).status_code == 404, persona
        assert get(client, r.persona(persona), "inspection", item.inspection_id).status_code == 404, persona
    client.logout()
    assert client.get(reverse("rectification:item", args=[item.pk])).status_code == 302  # to the login page


def test_a_department_sees_its_own_items_only(r, client):
    insp = inspection(r)
    mine = A.do_add_item(r.office, insp, item_data(r, problem="本科室的问题"), at=at(2026, 1, 26))
    theirs = A.do_add_item(r.office, insp, item_data(r, problem="别的科室的问题", department=r.other_dept))
    page = get(client, r.staff, "inspection", insp.pk).content.decode()
    assert "本科室的问题" in page and "别的科室的问题" not in page and "仅显示本科室的事项" in page
    assert get(client, r.staff, "item", theirs.pk).status_code == 404
    whole = get(client, r.leader, "inspection", insp.pk).content.decode()
    assert "本科室的问题" in whole and "别的科室的问题" in whole
    assert get(client, r.staff, "meetings", insp.pk).status_code == 404
    assert mine.pk


def test_the_city_sees_the_counties_summaries_not_their_items(r, client):
    item = accepted(r, listed_item(r))
    A.do_close_item(r.office, item, at=at(2026, 3, 4))
    listed_item(r, insp=item.inspection, problem="尚未启动的问题")
    page = get(client, r.city_office, "home").content.decode()
    assert "各地整改进展汇总" in page and "咸安区" in page
    row = page.split("咸安区", 1)[1].split("</tr>", 1)[0]
    assert [c.split(">")[-1] for c in row.split("</td>")[:-1]][1:6] == ["1", "2", "1", "0", "1"]
    assert "尚未启动的问题" not in page
    assert get(client, r.city_office, "item", item.pk).status_code == 404
    other = get(client, r.other_county_office, "home").content.decode()
    assert "咸安区" not in other
    assert get(client, r.outsider, "home").status_code == 404


def test_actions_through_the_item_page(r, client):
    item = listed_item(r)
    client.force_login(r.staff)
    url = reverse("rectification:item", args=[item.pk])
    page = client.get(url).content.decode()
    assert "报送整改进展" in page and "验收通过" not in page
    f, _checked = photo()[0]
    f.seek(0)
    response = client.post(url, {"action": "report", "report-text": "已召开党组会议。", "report-files": [f]})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_PROGRESS
    ev = Evidence.objects.get()
    # Refused from the page: the staff may not accept; nothing changes.
    response = client.post(url, {"action": "accept"}, follow=True)
    assert "只有指定的验收人可以“验收通过”" in response.content.decode()
    response = client.post(url, {"action": "request", "request-summary": "太短"})
    assert response.status_code == 400 and "不少于10个字" in response.content.decode()
    # Evidence: the department and the bureau's roles download it; others get a 404.
    download = client.get(reverse("rectification:evidence", args=[ev.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert get(client, r.other_staff, "evidence", ev.pk).status_code == 404
    assert get(client, r.city_office, "evidence", ev.pk).status_code == 404


def test_the_meeting_lists_open_items_with_progress_since_the_last_meeting(r, client):
    insp = inspection(r)
    one = listed_item(r, insp=insp, problem="第一个问题的描述")
    two = listed_item(r, insp=insp, problem="第二个问题的描述")
    done = accepted(r, listed_item(r, insp=insp, problem="已销号的问题"))
    A.do_close_item(r.office, done, at=at(2026, 3, 4))
    A.do_report_progress(r.staff, one, text="二月份的进展。", at=at(2026, 2, 10))
    first = do_record_meeting(
        r.leader,
        insp,
        held_on=date(2026, 2, 27),
        title="二月整改推进会",
        chair="周局长",
        attendees="班子成员、各科室负责人",
        decisions="听取汇报，进度滞后的事项本月拿出措施。",
        item_decisions={two.pk: "尚未启动，责任科室一周内启动。"},
        at=at(2026, 2, 27, 16),
    )
    A.do_report_progress(r.staff, one, text="三月份的进展。", at=at(2026, 3, 10))
    prev, lines = agenda(insp, date(2026, 3, 31))
    assert prev == first
    assert [line["pk"] for line in lines] == [one.pk, two.pk]
    assert [[rep["text"] for rep in line["reports"]] for line in lines] == [["三月份的进展。"], []]
    assert [[rep["text"] for rep in line["reports"]] for line in first.agenda["lines"]] == [["二月份的进展。"], []]
    with pytest.raises(Exception, match="只能对未销号的事项"):
        do_record_meeting(
            r.office,
            insp,
            held_on=date(2026, 3, 4),
            title="三月整改推进会",
            chair="周局长",
            attendees="班子成员",
            decisions="听取汇报，研究解决问题。",
            item_decisions={done.pk: "已销号的事项不再研究"},
            at=at(2026, 3, 31),
        )
    # The meeting's page shows what was on the table then, even after the items moved on.
    accepted(r, two)
    page = get(client, r.leader, "meeting", first.pk).content.decode()
    assert "二月份的进展" in page and "三月份的进展" not in page and "尚未启动，责任科室一周内启动" in page
    assert "已销号的问题" not in page and "已验收" not in page
    item_page = get(client, r.staff, "item", two.pk).content.decode()
    assert "调度会研究意见" in item_page and "尚未启动，责任科室一周内启动" in item_page


def _notice(r):
    insp = inspection(r)
    closed = accepted(r, listed_item(r, insp=insp, problem="落实第一议题制度不到位"))
    A.do_close_item(r.office, closed, at=at(2026, 3, 4))
    in_progress(r, listed_item(r, insp=insp, problem="政治轮训不严不实"))
    requested(r, listed_item(r, insp=insp, problem="日常管理宽松软"))
    listed_item(r, insp=insp, problem="人民调解工作开展不扎实", long_term=True)
    return do_issue_notice(r.office, insp, intro="现将整改进展情况通报如下。", at=at(2026, 3, 10))


def test_the_notice_figures_pdf_and_public_page(r, client, tmp_path):
    notice = _notice(r)
    f = notice.snapshot["figures"]
    assert (f["total"], f["done"], f["under_way"], f["not_started"], f["long_term"]) == (4, 1, 2, 1, 1)
    response = get(client, r.office, "notice_pdf", notice.pk)
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "notice.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    flat = "".join(text.split())
    assert "关于区委第二巡察组常规巡察反馈意见整改进展情况的通报" in flat
    assert "中共咸安区司法局党组" in flat
    assert "列出问题4个" in flat and "已完成整改（销号）1个，正在整改2个，尚未启动1个" in flat
    for heading in ("一、已完成整改（已销号）（1个）", "二、正在整改（2个）", "三、尚未启动（1个）"):
        assert heading in flat, heading
    assert "针对“落实第一议题制度不到位”问题" in flat and "〔长期整改任务〕" in flat
    assert "周局长" not in flat and "罗科长" not in flat  # no names of leaders or staff
    client.logout()
    public = client.get(reverse("rectification:public_notice", args=[notice.pk]))
    page = public.content.decode()
    assert public.status_code == 200 and "已完成整改（销号）<strong>1</strong>个" in page
    assert "政治轮训不严不实" in page and "周局长" not in page
    assert client.get(reverse("rectification:public_pdf", args=[notice.pk])).status_code == 200
    listing = client.get(reverse("rectification:public_notices")).content.decode()
    assert reverse("rectification:public_notice", args=[notice.pk]) in listing
    hidden = do_issue_notice(r.office, notice.inspection, published=False, at=at(2026, 3, 11))
    assert client.get(reverse("rectification:public_notice", args=[hidden.pk])).status_code == 404
    assert (
        reverse("rectification:public_notice", args=[hidden.pk])
        not in client.get(reverse("rectification:public_notices")).content.decode()
    )
    assert get(client, r.staff, "notice", notice.pk).status_code == 404
    assert get(client, r.leader, "notice", notice.pk).status_code == 200
    assert ProgressNotice.objects.count() == 2


# ----------------------------------------------------------------------------------- every URL × every persona
WHOLE = {"office", "leader", "reviewer", "other_reviewer"}
SEES_ITEM = WHOLE | {"staff"}
EVERYONE = {"office", "leader", "reviewer", "other_reviewer", "staff", "other_staff", "city_office"}
EVERYONE |= {"other_county_office", "county_admin", "outsider"}
# url name -> (the object its pk is, the personas who get a 200; everyone else a 404)
URLS = {
    "home": (None, EVERYONE - {"outsider"}),
    "inspection_new": (None, {"office", "city_office", "other_county_office"}),
    "inspection": ("inspection", SEES_ITEM),
    "item_new": ("inspection", {"office"}),
    "import": ("inspection", {"office"}),
    "import_template": ("inspection", {"office"}),
    "meetings": ("inspection", WHOLE),
    "meeting_new": ("inspection", {"office", "leader"}),
    "notice_new": ("inspection", {"office"}),
    "item": ("item", SEES_ITEM),
    "evidence": ("evidence", SEES_ITEM),
    "meeting": ("meeting", WHOLE),
    "notice": ("notice", WHOLE),
    "notice_pdf": ("notice", WHOLE),
    "public_notices": (None, EVERYONE),
    "public_notice": ("notice", EVERYONE),
    "public_pdf": ("notice", EVERYONE),
}


def test_the_table_covers_every_url():
    from ledgers.rectification.urls import urlpatterns

    assert {p.name for p in urlpatterns} == set(URLS)


def test_every_url_for_every_persona(r, client):
    from tests.rectification_people import PERSONAS

    item = listed_item(r)
    in_progress(r, item)
    objects = {
        "inspection": item.inspection,
        "item": item,
        "evidence": Evidence.objects.get(),
        "meeting": do_record_meeting(
            r.leader,
            item.inspection,
            held_on=date(2026, 2, 27),
            title="二月整改推进会",
            chair="周局长",
            attendees="班子成员",
            decisions="听取汇报，现场研究解决问题。",
            at=at(2026, 2, 27, 16),
        ),
        "notice": do_issue_notice(r.office, item.inspection, at=at(2026, 3, 1)),
    }
    wrong = []
    for name, (kind, allowed) in URLS.items():
        url = reverse(f"rectification:{name}", args=[objects[kind].pk] if kind else [])
        for persona in PERSONAS:
            client.force_login(r.persona(persona))
            status = client.get(url).status_code
            if status != (200 if persona in allowed else 404):
                wrong.append(f"{name} {persona}: {status}")
        client.logout()
        anonymous = client.get(url).status_code
        if anonymous != (200 if name.startswith("public") else 302):
            wrong.append(f"{name} anonymous: {anonymous}")
    assert not wrong, wrong
