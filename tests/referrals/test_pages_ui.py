"""The referral pages in a real browser at 1366 and 390 px (issue 11 §1–3): the liaison's list, new referral (and
its errors), a referral's page pending, succeeded and failed; the receiver's list, answer pages and the case page's
移送信息 block; the supervisor's read-only list. Nothing scrolls sideways at the phone width; screenshots land in
test-output/screens/h-pages/<viewport>/."""

import pytest
from django.core.management import call_command

from referrals import services
from tests.browser import SCREENSHOTS
from tests.referrals.factories import PASSWORD, build_referral_world, make_referral
from tests.referrals.pages_helpers import accepted, failed, succeeded

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_rworld(transactional_db):
    from workdays import calendar

    call_command("load_holidays", verbosity=0)
    calendar.clear_cache()
    yield build_referral_world()
    calendar.clear_cache()


def test_referral_pages_at_both_widths(live_rworld, session):
    s, page, w = session, session.page, live_rworld
    s.dir = SCREENSHOTS.parent / "screens" / "h-pages" / s.viewport
    s.dir.mkdir(parents=True, exist_ok=True)
    pending = make_referral(w.court, designated_committee_id=w.hub.pk)
    weituo = make_referral(w.court, referral_type="WEITUO", procedure="SIMPLE", dispute_type="")
    done = succeeded(w, w.court)
    lost = failed(w, w.court)
    police = accepted(w, w.police)
    ended = accepted(w, w.court)
    services.record_contact(ended, w.hub_director, "UNREACHABLE", "三次电话联系均未接通")

    s.login("r_court_liaison", PASSWORD)
    s.goto("/console/referrals/?status=all")
    assert page.locator("#referral-list tbody tr").count() == 5
    s.shot("liaison-list")
    s.goto("/console/referrals/new/")
    s.shot("liaison-new")
    page.select_option("#id_referral_type", "WEITUO")
    page.fill("#id_external_no", "（2026）赣0502民初88号")
    page.fill("#id_parties-0-name", "刘一")
    s.submit()
    assert "委托调解须注明普通程序或简易程序" in page.inner_text("main")
    assert page.input_value("#id_external_no") == "（2026）赣0502民初88号"
    s.shot("liaison-new-errors")
    s.goto(f"/console/referrals/{pending.pk}/")
    assert page.locator("#withdraw-form").count() == 1
    s.shot("liaison-pending")
    s.goto(f"/console/referrals/{done.pk}/")
    assert "已加盖" in page.inner_text("#referral-outcome")
    s.shot("liaison-succeeded")
    s.goto(f"/console/referrals/{lost.pk}/")
    s.shot("liaison-failed")
    s.logout()

    s.login("r_police_liaison", PASSWORD)
    s.goto("/console/referrals/new/")
    assert "警情编号" in page.inner_text("main")
    s.shot("police-new")
    s.logout()

    s.login("r_hub_director", PASSWORD)
    s.goto("/console/referrals/")
    s.shot("receiver-list")
    s.goto(f"/console/referrals/{weituo.pk}/")
    s.shot("receiver-pending")
    s.goto(f"/console/referrals/{weituo.pk}/accept/")
    assert page.locator("#id_dispute_type").count() == 1
    s.shot("receiver-accept")
    s.goto(f"/console/referrals/{pending.pk}/decline/")
    s.submit()
    assert "请选择拒绝理由" in page.inner_text("main")
    s.shot("receiver-decline-errors")
    s.goto(f"/console/referrals/{police.pk}/contact/")
    s.shot("receiver-contact")
    s.goto(f"/console/referrals/{police.pk}/reply/")
    s.shot("receiver-reply")
    s.goto(f"/console/referrals/{ended.pk}/report/")
    s.shot("receiver-report")
    s.goto(f"/cases/{police.case_id}/")
    assert "移送信息" in page.inner_text("#case-referrals")
    s.shot("case-page-block")
    s.logout()

    s.login("r_county_admin", PASSWORD)
    s.goto("/console/referrals/?status=all")
    s.shot("supervisor-list")
    s.goto(f"/console/referrals/{police.pk}/")
    assert page.locator("#referral-actions").count() == 0
    s.shot("supervisor-referral")
    assert s.overflows == []
