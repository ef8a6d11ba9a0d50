"""What a party reads about their case: each step's notice written for a citizen (data/notice_rules.json
"party_texts"), not the staff wording of the action ("新登记纠纷待审查：…").

A step's staff notice is written by the action (cases.actions.*, through notify_case); the parties of the case get
the party text of the step the case has just gone through (its latest event) instead, in-app and by SMS. The texts
are filled in from system data (case number, committee, time limit, status, the legal advice of a closing); the
one placeholder that may carry what a user typed, {detail} (the action's own notice, e.g. the court's reason), is
left out of the SMS, which goes out under the 【人民调解】 sender.
"""

from typing import Any

from django.core.exceptions import ImproperlyConfigured

PLACEHOLDERS = ("label", "case_no", "committee", "due", "status", "advice", "detail")
EXTRA_STEPS = ("register_transfer",)  # a case received from another committee (register event with transferred_from)
LOGIN_HINT = "详情请登录调解平台查看。"


def check_party_texts(block: dict[str, Any], path: str) -> None:
    """Refuse unknown steps and placeholders: a typo would send a party the fallback, or a KeyError mid-action."""
    from cases.enums import CaseAction

    steps = block.get("steps", {})
    unknown = set(steps) - set(CaseAction.values) - set(EXTRA_STEPS)
    if unknown:
        raise ImproperlyConfigured(f"{path}: party_texts for unknown steps {sorted(unknown)}")
    dummy = dict.fromkeys(PLACEHOLDERS, "x")
    for step, text in [*steps.items(), ("default", block.get("default", ""))]:
        try:
            text.format(**dummy)
        except (KeyError, IndexError, ValueError) as exc:
            raise ImproperlyConfigured(f"{path}: party text of {step!r} has a bad placeholder ({exc})") from None
    if not block.get("default"):
        raise ImproperlyConfigured(f"{path}: party_texts needs a default text")


def party_texts() -> dict[str, Any]:
    from notifications import rules

    return rules.rules().get("party_texts", {})


def latest_event(case) -> tuple[str, dict]:
    """The step the case has just gone through and its data: its latest event (written just before the notice, in
    the same transaction), register_transfer for a case received from another committee."""
    from cases.models import CaseEvent

    event = CaseEvent.objects.filter(case=case).order_by("-pk").values("action", "data").first()
    if event is None:
        return "", {}
    data = event["data"] or {}
    if event["action"] == "register" and data.get("transferred_from"):
        return "register_transfer", data
    return event["action"], data


def step_of(case) -> str:
    return latest_event(case)[0]


def has_party_text(step: str) -> bool:
    return step in party_texts().get("steps", {})


def party_text(case, step: str | None = None, *, detail: str = "", data: dict | None = None) -> str:
    """The citizen's wording of `step` (default: the case's latest step) for this case. `detail` is the action's
    own notice (for the steps whose text shows it: a court's ruling); pass "" for an SMS."""
    block = party_texts()
    if step is None:
        step, data = latest_event(case)
    data = data or {}
    template = block.get("steps", {}).get(step) or block.get("default") or "您的调解案件{label}有新进展。"
    due = case.time_limit_due
    values = {
        "label": case.case_no or case.registration_no,
        "case_no": case.case_no or case.registration_no,
        "committee": case.committee.name,
        "due": f"{due.year}年{due.month}月{due.day}日" if due else "调解期限内",
        "status": case.get_status_display(),
        "advice": f"{data['advice']}。" if isinstance(data.get("advice"), str) and data["advice"] else "",
        "detail": f"{detail.rstrip('。')}。" if detail else "",
    }
    return template.format(**values)


def party_sms(text: str) -> str:
    return text if "登录" in text else f"{text}{LOGIN_HINT}"
