"""Timer handlers of the referral clocks (referrals.clocks), registered with cases.timers.handler. Each runs in the
scan's transaction as the system and returns a short result for the timer row. h-core (the dispatch clock is
h-hub's, in referrals/timers_hub.py)."""

from datetime import datetime

from django.utils import timezone

from cases.models import Timer, TimerKind
from cases.timers import handler
from referrals.enums import ReferralEventKind, ReferralStatus
from referrals.models import Referral


def _referral(timer: Timer) -> Referral | None:
    if timer.target_type != "referrals.Referral":
        return None
    return Referral.objects.select_related("institution", "receiver", "case").filter(pk=timer.target_id).first()


def _cn(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@handler(TimerKind.REFERRAL_ACCEPT_DUE)
def accept_due(timer: Timer, now: datetime) -> str:
    from notifications.enums import NoticeKind
    from referrals import services

    referral = _referral(timer)
    if referral is None or referral.status != ReferralStatus.PENDING or referral.accept_by != timer.deadline:
        return "已答复，无需处理"
    if timer.rule == "ACCEPT:remind":
        services._notify_staff(
            referral,
            NoticeKind.REFERRAL_CLOCK,
            f"{referral.institution.name}移送的纠纷{referral.reference}今日（{_cn(referral.accept_by)}）答复期限届满，"
            "请及时接收或说明理由拒绝，逾期将自动退回",
            now,
            sms=f"移送纠纷{referral.reference}今日答复期限届满，请登录调解平台接收或拒绝，逾期将自动退回。",
        )
        return "已提醒接收单位"
    services.return_unanswered(referral, now)
    return "逾期未答复，已自动退回"


@handler(TimerKind.REFERRAL_CONTACT_DUE)
def contact_due(timer: Timer, now: datetime) -> str:
    from notifications.enums import NoticeKind
    from referrals import services

    referral = _referral(timer)
    if (
        referral is None
        or referral.status != ReferralStatus.ACCEPTED
        or referral.contact_result
        or referral.contact_by != timer.deadline
    ):
        return "已登记联系结果，无需提醒"
    label = referral.case.case_no if referral.case_id else referral.reference
    if timer.rule == "CONTACT:overdue":
        text = (
            f"案件{label}已超过联系对方当事人的期限（{_cn(referral.contact_by)}），请登记联系结果；"
            "无法联系或对方拒绝的，依法终止调解"
        )
    else:
        text = f"案件{label}今日（{_cn(referral.contact_by)}）为联系对方当事人的最后期限，请登记联系结果"
    services._notify_staff(
        referral,
        NoticeKind.REFERRAL_CLOCK,
        text,
        now,
        sms=f"案件{label}联系对方当事人的期限已到，请登录调解平台登记联系结果。",
    )
    return "已提醒调解员"


@handler(TimerKind.REFERRAL_MEDIATION_DUE)
def mediation_due(timer: Timer, now: datetime) -> str:
    from notifications.enums import NoticeKind
    from referrals import clocks, services

    referral = _referral(timer)
    if (
        referral is None
        or referral.status != ReferralStatus.ACCEPTED
        or referral.paused_since is not None
        or referral.mediation_due != timer.deadline
    ):
        return "期限已变更或调解已结束"
    if services.awaits_report(referral):
        return "调解已终止，待报送报告"
    days = (referral.mediation_due - clocks.local_date(now)).days
    label = referral.case.case_no if referral.case_id else referral.reference
    when = "今日届满" if days <= 0 else f"还有{days}日届满"
    services._notify_staff(
        referral,
        NoticeKind.REFERRAL_CLOCK,
        f"案件{label}的法院调解期限（{_cn(referral.mediation_due)}）{when}；需延长的，须经各方当事人同意",
        now,
        sms=f"案件{label}的法院调解期限{when}，请登录调解平台查看。",
    )
    return f"已提醒（{when}）"


@handler(TimerKind.REFERRAL_CHANNEL_DUE)
def channel_due(timer: Timer, now: datetime) -> str:
    from notifications.enums import NoticeKind
    from referrals import clocks, services

    referral = _referral(timer)
    if (
        referral is None
        or not referral.is_open
        or referral.replied_at is not None
        or referral.channel_due is None
        or clocks.local_date(referral.channel_due) != timer.deadline
    ):
        return "已反馈，无需提醒"
    due = timezone.localtime(referral.channel_due)
    if timer.rule == "CHANNEL:remind":
        services._notify_staff(
            referral,
            NoticeKind.REFERRAL_CLOCK,
            f"{referral.institution.name}移送的纠纷{referral.reference}须在{due:%Y年%m月%d日%H:%M}前向移送机构反馈办理情况",
            now,
            sms=f"移送纠纷{referral.reference}的反馈期限将至，请登录调解平台向移送机构反馈。",
        )
        return "已提醒反馈"
    services._event(
        referral,
        ReferralEventKind.OVERDUE,
        now,
        note=f"未在{due:%Y年%m月%d日%H:%M}前向{referral.institution.name}反馈办理情况",
        data={"clock": "channel", "due": referral.channel_due.isoformat()},
    )
    services._notify_staff(
        referral,
        NoticeKind.REFERRAL_CLOCK,
        f"{referral.institution.name}移送的纠纷{referral.reference}已超过反馈期限（{due:%Y年%m月%d日%H:%M}），请立即反馈",
        now,
        sms=f"移送纠纷{referral.reference}已超过反馈期限，请立即登录调解平台向移送机构反馈。",
    )
    return "反馈逾期，已提醒"
