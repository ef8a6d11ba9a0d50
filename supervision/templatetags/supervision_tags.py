from django import template

register = template.Library()


@register.simple_tag
def row_flags(row, rules) -> dict[str, bool]:
    """Which of a notice row's figures the bureau points out (drop, late, numbers, short, written)."""
    return row.flags(rules)


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key, key)


@register.simple_tag
def case_supervisions(case, user):
    """The 督办 / 催办 records of a case with their history, for the staff case page (committee and supervisors;
    parties and courts do not see the supervision of a committee). None when there is nothing to show."""
    from django.db.models import Prefetch

    from accounts.models import COMMITTEE_ROLES, SUPERVISOR_ROLES
    from supervision.models_duban import SupervisionEvent

    if user.role not in COMMITTEE_ROLES | SUPERVISOR_ROLES:
        return None
    history = SupervisionEvent.objects.select_related("actor")
    records = list(
        case.supervisions.select_related("issued_by", "escalated_from")
        .prefetch_related(Prefetch("events", queryset=history))
        .order_by("-issued_at", "-id")
    )
    return records or None


@register.simple_tag
def workbench_duban(user):
    """The 督办事项 waiting for this user's reply: the director's for every case of the committee, a mediator's for
    the cases they preside over. None for anyone else."""
    from accounts.models import Role
    from cases.scoping import cases_visible_to
    from supervision.models_duban import Supervision, SupervisionStatus

    cases = cases_visible_to(user)
    if user.role == Role.MEDIATOR:
        mediator = getattr(user, "mediator", None)
        if mediator is None:
            return None
        cases = cases.filter(presiding_mediator=mediator)
    elif user.role != Role.DIRECTOR:
        return None
    pending = Supervision.objects.filter(case__in=cases, status=SupervisionStatus.PENDING)
    # issue 11: the 督办 of referrals the director's committee holds and has not accepted yet (no case)
    from supervision.referral_duban import pending_for_director

    referral_pending = pending_for_director(user)
    return {
        "count": pending.count() + referral_pending.count(),
        "items": list(pending.select_related("case", "issued_by").order_by("reply_deadline", "issued_at")[:10]),
        "referral_items": list(
            referral_pending.select_related("referral__institution", "issued_by").order_by("reply_deadline")[:10]
        ),
    }
