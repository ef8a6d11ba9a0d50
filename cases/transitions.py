"""The single transition table of the case lifecycle (mediation-domain.md §4.2) and of judicial confirmation (§4.3).

Each row says: this action, from this status, leads to that status, and may be taken by users standing in one of
these relations to the case. Self-loops (records, extensions, signatures) are rows whose target equals the source.
`cases.actions` applies rows; `cases.permissions.available_actions` reads them. Nothing else decides a transition.
"""

from dataclasses import dataclass
from enum import StrEnum

from cases.enums import OPEN_STATES, CaseAction, JCStatus
from cases.enums import CaseStatus as S


class Rel(StrEnum):
    """How a user stands towards a case (computed in cases.permissions.relations)."""

    MEMBER = "MEMBER"  # any mediator or director of the case's committee
    DIRECTOR = "DIRECTOR"  # the committee's director
    MEDIATOR = "MEDIATOR"  # presiding or co-mediator assigned to the case
    PARTY = "PARTY"  # a party to the case with a portal account
    COURT = "COURT"  # liaison of the referring court or of the court asked for judicial confirmation
    COUNTY = "COUNTY"  # county bureau administrator of the case's county
    SUPERVISOR = "SUPERVISOR"  # 司法所 officer, county or city bureau administrator whose division covers the case
    PRESIDING = "PRESIDING"  # the presiding mediator (not a co-mediator)
    SYSTEM = "SYSTEM"  # timers and consequences of other actions


@dataclass(frozen=True)
class Row:
    action: str
    source: S
    target: S
    rels: frozenset[Rel]


def _rows(action: str, sources: list[S] | set[S], target: S | None, *rels: Rel) -> list[Row]:
    """target None means "stays where it is" (a recorded step that does not change the status)."""
    return [Row(action, s, target or s, frozenset(rels)) for s in sources]


MEDIATING = [S.IN_MEDIATION, S.REMEDIATION]
AFTER_AGREEMENT = [S.AGREEMENT_REACHED, S.PERFORMING, S.NON_PERFORMANCE, S.PERFORMED, S.CLOSED]
D, M, MB, P, C, CO, SY = Rel.DIRECTOR, Rel.MEDIATOR, Rel.MEMBER, Rel.PARTY, Rel.COURT, Rel.COUNTY, Rel.SYSTEM

TABLE: list[Row] = [
    # 2, 3, 4: intake decisions
    *_rows("accept", [S.INTAKE], S.ACCEPTED, D),
    *_rows("refuse", [S.INTAKE], S.NOT_ACCEPTED, D),
    *_rows("transfer", [S.INTAKE, S.ACCEPTED], S.TRANSFERRED_OUT, D),
    # 5: assignment starts the mediation proper
    *_rows("assign", [S.ACCEPTED], S.IN_MEDIATION, D),
    *_rows("recuse", [S.IN_MEDIATION, S.PAUSED, S.REMEDIATION], None, D),
    # 6, 7: records and the time limit
    *_rows("record_investigation", MEDIATING, None, M),
    *_rows("record_session", MEDIATING, None, M),
    *_rows("extend", [*MEDIATING, S.PAUSED], None, M),
    *_rows("pause", MEDIATING, S.PAUSED, M),
    *_rows("resume", [S.PAUSED], S.IN_MEDIATION, M),
    # 8: agreement. A written agreement becomes effective by the SYSTEM row once all signatures and the seal exist.
    *_rows("draft_agreement", MEDIATING, None, M),
    # A party signs online only as themselves (cases.actions.do_sign_agreement checks whose party it is).
    *_rows("sign_agreement", MEDIATING, None, M, P),
    *_rows("seal_agreement", MEDIATING, None, D),
    *_rows("agreement_effective", MEDIATING, S.AGREEMENT_REACHED, SY),
    *_rows("oral_agreement", MEDIATING, S.AGREEMENT_REACHED, M),
    # 9 and the voluntariness rule
    *_rows("terminate", [*MEDIATING, S.PAUSED], S.TERMINATED, M, D),
    # Recorded only by the case's own mediators or the director (not any member), or by the party themself.
    *_rows("party_refusal", [S.INTAKE], S.NOT_ACCEPTED, M, D, P),
    *_rows("party_refusal", [S.ACCEPTED, S.IN_MEDIATION, S.PAUSED, S.REMEDIATION], S.TERMINATED, M, D, P),
    # 10–16: performance
    *_rows("immediate_performance", [S.AGREEMENT_REACHED], S.PERFORMED, M),
    *_rows("performance_tracking", [S.AGREEMENT_REACHED], S.PERFORMING, SY),
    *_rows("record_payment", [S.PERFORMING, S.NON_PERFORMANCE], None, M),
    *_rows("record_follow_up", [S.AGREEMENT_REACHED, S.PERFORMING, S.NON_PERFORMANCE, S.PERFORMED, S.CLOSED], None, M),
    *_rows("confirm_performed", [S.PERFORMING, S.NON_PERFORMANCE], S.PERFORMED, M),
    *_rows("report_non_performance", [S.PERFORMING], S.NON_PERFORMANCE, M),
    *_rows("urge_performance", [S.NON_PERFORMANCE], S.PERFORMING, M),
    *_rows("remediate", [S.AGREEMENT_REACHED, S.PERFORMING, S.NON_PERFORMANCE], S.REMEDIATION, M),
    # 15, 17, 18, 19: closing, archiving, disposal
    *_rows("close", [S.PERFORMED, S.TERMINATED, S.NON_PERFORMANCE], S.CLOSED, M, D),
    *_rows("archive", [S.CLOSED], S.ARCHIVED, M, D),
    *_rows("dispose", [S.ARCHIVED], S.DISPOSED, CO),
    # §4.3: judicial confirmation runs in parallel; the case status does not move.
    *_rows("jc_apply", AFTER_AGREEMENT, None, M, P),
    *_rows("jc_court_accept", [*AFTER_AGREEMENT, S.ARCHIVED], None, C, M),
    *_rows("jc_court_refuse", [*AFTER_AGREEMENT, S.ARCHIVED], None, C, M),
    *_rows("jc_decide", [*AFTER_AGREEMENT, S.ARCHIVED], None, C, M),
    # --- the law's remaining gaps (issue 8, "The law") ---
    # Accepted but not yet assigned: the director may end the case (the court took the matter, the parties cannot
    # be reached) or extend its time limit (with every party's consent, as during mediation).
    *_rows("terminate", [S.ACCEPTED], S.TERMINATED, D),
    *_rows("extend", [S.ACCEPTED], None, D),
    # A guardian's consent to mediation for a minor or a party without full capacity, before assignment.
    *_rows("guardian_consent", [S.INTAKE, S.ACCEPTED], None, D),
    # An oral agreement put in writing (书面化), signed by the parties, so that they can ask for judicial confirmation.
    *_rows("put_oral_in_writing", AFTER_AGREEMENT, None, M),
    # issue 8, timers (cases.actions.system): the deadline monitor marks a case over its limit (a self-loop while
    # the clock runs) and, where the jurisdiction's rules say so, terminates it after the grace period.
    *_rows("mark_overdue", [S.ACCEPTED, S.IN_MEDIATION, S.REMEDIATION], None, SY),
    *_rows("auto_terminate", MEDIATING, S.TERMINATED, SY),
    # The joint judicial-confirmation request made online (portal): a party asks the other side to apply jointly.
    # Answering (consent → jc_apply, decline) and withdrawing a waiting request are checked against these rows and
    # need none of their own (see LABELS); neither the case status nor the JC status moves.
    *_rows("jc_request", AFTER_AGREEMENT, None, P),
    # issue 8 §3, supervision (督办/催办/反馈/升级, cases.actions.supervision): records that change no status. A
    # supervisor presses any case still open; the committee answers, and the system escalates, until it is disposed.
    *_rows("supervise", sorted(OPEN_STATES), None, Rel.SUPERVISOR),
    *_rows("urge", sorted(OPEN_STATES), None, Rel.SUPERVISOR),
    *_rows("supervision_reply", [s for s in S if s != S.DISPOSED], None, D, Rel.PRESIDING),
    # The system escalates only while the case is open: a closed or archived case is not pressed any further.
    *_rows("supervision_escalate", sorted(OPEN_STATES), None, SY),
    # issue 9 §3: the committee's staff file scans of paper documents (signed notices, ID copies, the signed
    # agreement, receipts) in the dossier from intake on, after closing and archiving too, until it is destroyed.
    # Withdrawing a scan filed by mistake is an event of these rows (withdraw_scan has none of its own).
    *_rows("attach_scan", [s for s in S if s != S.DISPOSED and s != S.MERGED], None, MB),
    # --- issue 11: referrals and the 矛调中心 (referrals.services, referrals.hub, referrals.duplicates) ---
    # A referral accepted into an existing case, or a referral's report to its institution: recorded on the case by
    # the system as a consequence of the referral's own event (the referral service checks who may act).
    *_rows("referral_accepted", [S.INTAKE, S.ACCEPTED], None, SY),
    *_rows("referral_linked", sorted(OPEN_STATES), None, SY),
    *_rows("referral_report", [s for s in S if s not in (S.DISPOSED, S.MERGED)], None, SY),
    # A case still in intake at a 矛调中心 is dispatched to a committee (or transferred up or down); the receiver's
    # answer and the move up after the deadline are the system's, checked by referrals.hub against the dispatch.
    *_rows("dispatch", [S.INTAKE], None, MB, Rel.SUPERVISOR),
    *_rows("dispatch_accepted", [S.INTAKE], None, SY),
    *_rows("dispatch_returned", [S.INTAKE], None, SY),
    *_rows("dispatch_escalated", [S.INTAKE], None, SY),
    # One dispute, one case: a duplicate still in intake is merged into the case that goes on.
    *_rows("merge", [S.INTAKE], S.MERGED, D, Rel.SUPERVISOR),
    # Joint mediation: mediators of other bodies and invited participants (judge, lawyer, officer, expert).
    # (Not before assignment: joint mediation needs its one presiding mediator, and the assignment sets the case's
    # mediators anew.)
    *_rows("joint_mediator", [*MEDIATING, S.PAUSED], None, D, Rel.PRESIDING),
    *_rows("invite_participant", [S.ACCEPTED, *MEDIATING, S.PAUSED], None, M, D),
    # --- issue 13: 重新分类 (cases.actions.reclassify). The type decides which statistics count the case: while it is
    # open its director and its mediators correct it; once closed the county bureau too (its review of the dossiers
    # and the monthly figures); once archived only the county bureau (the dossier is sealed for the committee).
    *_rows("reclassify", sorted(OPEN_STATES), None, D, M),
    *_rows("reclassify", [S.CLOSED], None, D, M, CO),
    *_rows("reclassify", [S.ARCHIVED], None, CO),
]

# The judicial-confirmation sub-machine: action → (allowed JC states before, JC state after; None = by decision).
JC_TABLE: dict[str, tuple[set[JCStatus], JCStatus | None]] = {
    "jc_apply": ({JCStatus.NOT_APPLIED, JCStatus.WITHDRAWN, JCStatus.NOT_ACCEPTED}, JCStatus.APPLIED),
    "jc_court_accept": ({JCStatus.APPLIED}, JCStatus.ACCEPTED),
    "jc_court_refuse": ({JCStatus.APPLIED}, JCStatus.NOT_ACCEPTED),
    "jc_decide": ({JCStatus.ACCEPTED}, None),
}

# The label of every action, derived from the one enumeration of event names (cases.enums.CaseAction). Events that
# change no status (party_joined, party_consent) have no row of their own: they are checked against the
# party_refusal rows (the states in which a party may state their will about the mediation). A new action is a new
# CaseAction member (tests/test_case_action_enum.py fails for a TABLE row or label without one).
LABELS: dict[str, str] = {str(a.value): str(a.label) for a in CaseAction}

ACTIONS: list[str] = list(dict.fromkeys(r.action for r in TABLE))


def rows_for(action: str, source: S) -> list[Row]:
    return [r for r in TABLE if r.action == action and r.source == source]


def find_row(action: str, source: str) -> Row | None:
    rows = rows_for(action, S(source))
    return rows[0] if rows else None


def sources_of(action: str) -> set[S]:
    return {r.source for r in TABLE if r.action == action}
