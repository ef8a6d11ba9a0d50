"""The year's figures of the suggestions and proposals ledger (issue 16 §3) — those of the Xianning report: counts
of 主办 and 会办 items, reply rate and on-time rate, 见面率, satisfaction (attitude and result separately, 满意 plus
基本满意, from each item's latest rating), result-class shares. Computed from the rows, for any bureau and year.

Definitions (shown under the figures on screen and in the PDF):
- the items of a year are those the bureau registered for that year, less those returned as wrongly assigned;
- 答复率 = items with a sent reply (or 会办 opinion) / items; 按时办结率 = items whose first reply went out by its
  deadline (3 months, 6 with an approved extension; 2 months for a 会办 opinion) / items;
- 见面率 = items with at least one face-to-face contact (当面、座谈会、实地调研) / items;
- 满意率 = items rated 满意 or 基本满意 / items rated (latest rating of each item), for attitude and result;
- class shares = items of each class / items replied (class of the latest reply).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet

from ledgers.models_proposals import (
    FACE_TO_FACE,
    HandlingRole,
    Proposal,
    ProposalFeedback,
    ProposalStatus,
    Rating,
)
from ledgers.proposal_config import rules_for
from registry.models import Division

DEFINITIONS = [
    "统计范围：本局当年登记办理的建议、提案，不含因交办有误已退回的件。",
    "答复率＝已发出答复（会办件为会办意见）的件数÷办理总数；按时办结率＝首次答复在期限内发出的件数÷办理总数"
    "（主办件3个月，经批准延期的6个月；会办件2个月）。",
    "见面率＝与提出人当面沟通（当面见面、座谈会、实地调研）至少一次的件数÷办理总数。",
    "满意率＝评价为满意或基本满意的件数÷已评价件数（按每件最近一次评价），办理态度和办理结果分别统计；"
    "初次答复满意率按每件第一次评价。",
    "办理结果占比＝各类件数÷已答复件数（按最近一次答复的类别）。",
]


def rate(part: int, whole: int) -> Decimal | None:
    """A percentage with one decimal (None when there is nothing to divide by)."""
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def pct(value: Decimal | None) -> str:
    """100.0 → "100%", 66.7 → "66.7%", None → "—"."""
    if value is None:
        return "—"
    return f"{value.normalize():f}%" if value == value.to_integral() else f"{value}%"


@dataclass
class ClassShare:
    code: str
    label: str
    meaning: str
    count: int
    share: Decimal | None


@dataclass
class RatingCounts:
    satisfied: int = 0
    basic: int = 0
    unsatisfied: int = 0

    @property
    def rated(self) -> int:
        return self.satisfied + self.basic + self.unsatisfied

    @property
    def rate(self) -> Decimal | None:
        return rate(self.satisfied + self.basic, self.rated)

    def add(self, value: str) -> None:
        if value == Rating.SATISFIED:
            self.satisfied += 1
        elif value == Rating.BASIC:
            self.basic += 1
        elif value == Rating.UNSATISFIED:
            self.unsatisfied += 1


@dataclass
class AnnualFigures:
    bureau: Division
    year: int
    total: int = 0
    lead: int = 0
    co: int = 0
    npc: int = 0
    cppcc: int = 0
    key_supervised: int = 0
    replied: int = 0
    on_time: int = 0
    met: int = 0
    extended: int = 0
    rehandled: int = 0
    follow_up_open: int = 0
    closed: int = 0
    published: int = 0
    returned: int = 0
    attitude: RatingCounts = field(default_factory=RatingCounts)
    result: RatingCounts = field(default_factory=RatingCounts)
    first_rating_satisfied: int = 0
    first_rated: int = 0
    classes: list[ClassShare] = field(default_factory=list)

    @property
    def reply_rate(self) -> Decimal | None:
        return rate(self.replied, self.total)

    @property
    def on_time_rate(self) -> Decimal | None:
        return rate(self.on_time, self.total)

    @property
    def meeting_rate(self) -> Decimal | None:
        return rate(self.met, self.total)

    @property
    def first_time_rate(self) -> Decimal | None:
        return rate(self.first_rating_satisfied, self.first_rated)

    @property
    def published_rate(self) -> Decimal | None:
        return rate(self.published, self.total)

    @property
    def pcts(self) -> dict[str, str]:
        """The rates as shown ("100%", "66.7%", "—"), for templates."""
        return {
            "reply": pct(self.reply_rate),
            "on_time": pct(self.on_time_rate),
            "meeting": pct(self.meeting_rate),
            "attitude": pct(self.attitude.rate),
            "result": pct(self.result.rate),
            "first_time": pct(self.first_time_rate),
        }

    def class_count(self, code: str) -> int:
        return next((c.count for c in self.classes if c.code == code), 0)

    def sentence(self) -> str:
        """The report's summary sentence, in the words of the Xianning report."""
        classes = "，".join(f"{c.label}{c.count}件" for c in self.classes)
        return (
            f"{self.year}年我局办理建议、提案共计{self.total}件，其中主办{self.lead}件，会办{self.co}件。"
            f"按时办结率为{pct(self.on_time_rate)}，办理态度满意率{pct(self.attitude.rate)}，"
            f"办理结果满意率{pct(self.result.rate)}，见面率{pct(self.meeting_rate)}。办理结果：{classes}。"
            f"已在门户网站公开{self.published}件。"
        )

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) of every figure, in the order of the screen, the workbook and the PDF."""
        rows = [
            ("办理建议提案总数", f"{self.total}件"),
            ("其中：主办件", f"{self.lead}件"),
            ("　　　会办件", f"{self.co}件"),
            ("其中：人大代表建议", f"{self.npc}件"),
            ("　　　政协委员提案", f"{self.cppcc}件"),
            ("重点督办件", f"{self.key_supervised}件"),
            ("已答复（含会办意见）", f"{self.replied}件"),
            ("答复率", pct(self.reply_rate)),
            ("按时办结", f"{self.on_time}件"),
            ("按时办结率", pct(self.on_time_rate)),
            ("经批准延期", f"{self.extended}件"),
            ("见面沟通", f"{self.met}件"),
            ("见面率", pct(self.meeting_rate)),
            ("已评价", f"{self.attitude.rated}件"),
            (
                "办理态度：满意／基本满意／不满意",
                f"{self.attitude.satisfied}／{self.attitude.basic}／{self.attitude.unsatisfied}件",
            ),
            ("办理态度满意率", pct(self.attitude.rate)),
            (
                "办理结果：满意／基本满意／不满意",
                f"{self.result.satisfied}／{self.result.basic}／{self.result.unsatisfied}件",
            ),
            ("办理结果满意率", pct(self.result.rate)),
            ("初次答复满意率", pct(self.first_time_rate)),
            ("重新办理", f"{self.rehandled}件"),
        ]
        rows += [(f"{c.label}（{c.meaning}）", f"{c.count}件，占{pct(c.share)}") for c in self.classes]
        rows += [
            ("跟踪办理中", f"{self.follow_up_open}件"),
            ("已办结", f"{self.closed}件"),
            ("已在门户网站公开", f"{self.published}件"),
            ("退回（交办有误）", f"{self.returned}件"),
        ]
        return rows


def year_items(bureau: Division, year: int) -> QuerySet[Proposal]:
    return Proposal.objects.filter(bureau=bureau, year=year)


def annual_figures(bureau: Division, year: int) -> AnnualFigures:
    figures = AnnualFigures(bureau=bureau, year=year)
    every = year_items(bureau, year)
    figures.returned = every.filter(status=ProposalStatus.RETURNED).count()
    items = list(every.exclude(status=ProposalStatus.RETURNED))
    ids = [p.pk for p in items]
    met = set(
        Proposal.objects.filter(pk__in=ids, contacts__mode__in=FACE_TO_FACE).values_list("pk", flat=True).distinct()
    )
    ratings: dict[int, list[ProposalFeedback]] = {}
    for fb in ProposalFeedback.objects.filter(proposal_id__in=ids).order_by("received_on", "id"):
        ratings.setdefault(fb.proposal_id, []).append(fb)
    counts: dict[str, int] = {}
    for p in items:
        figures.total += 1
        figures.lead += p.handling_role == HandlingRole.LEAD
        figures.co += p.handling_role == HandlingRole.CO
        figures.npc += p.kind == "NPC"
        figures.cppcc += p.kind == "CPPCC"
        figures.key_supervised += p.key_supervised
        figures.replied += p.first_replied_on is not None
        figures.on_time += bool(p.on_time)
        figures.met += p.pk in met
        figures.extended += p.extended
        figures.rehandled += p.rehandle_round > 0
        figures.follow_up_open += p.status == ProposalStatus.FOLLOW_UP
        figures.closed += p.status == ProposalStatus.CLOSED
        figures.published += p.published
        if p.result_class:
            counts[p.result_class] = counts.get(p.result_class, 0) + 1
        if p.pk in ratings:
            latest, first = ratings[p.pk][-1], ratings[p.pk][0]
            figures.attitude.add(latest.attitude)
            figures.result.add(latest.result)
            figures.first_rated += 1
            figures.first_rating_satisfied += not first.unsatisfied
    rules = rules_for(bureau.pk)
    figures.classes = [
        ClassShare(c.code, c.label, c.meaning, counts.get(c.code, 0), rate(counts.get(c.code, 0), figures.replied))
        for c in rules.classes
    ]
    return figures


__all__ = ["DEFINITIONS", "AnnualFigures", "annual_figures", "pct", "rate", "year_items"]
