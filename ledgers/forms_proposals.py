"""The proposals ledger's forms: each validates its input (messages in Chinese, next to the field) and `run()`
calls the matching do_* action; an ActionRefused comes back as a form error."""

from django import forms
from django.utils import timezone

from accounts.models import User
from cases.forms import DATE
from ledgers.actions import proposals as P
from ledgers.models import LedgerRole, LedgerRoleKind
from ledgers.models_proposals import ContactMode, ContactStage, HandlingRole, Proposal, ProposalKind, Rating
from ledgers.proposal_config import rules_for
from ledgers.scoping import departments_of
from registry.models import Division
from registry.org_forms import style

TEXT = {"rows": 4}


class RegisterForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=ProposalKind.choices)
    session = forms.CharField(label="会议届次", max_length=60, help_text="如：市政协九届四次会议、市五届人大一次会议")
    number = forms.CharField(label="编号", max_length=20)
    title = forms.CharField(label="标题", max_length=200)
    proposers = forms.CharField(label="提出人", max_length=200, help_text="代表或委员姓名，多人用顿号分隔")
    content = forms.CharField(label="主要内容", widget=forms.Textarea(attrs=TEXT))
    assigning_body = forms.CharField(label="交办单位", max_length=100, help_text="如：市政府督查室")
    assigned_on = forms.DateField(label="交办日期", widget=DATE)
    handling_role = forms.ChoiceField(label="承办方式", choices=HandlingRole.choices)
    lead_unit = forms.CharField(label="主办单位", max_length=100, required=False, help_text="会办件填写")
    other_units = forms.CharField(label="其他会办单位", max_length=300, required=False)
    key_supervised = forms.BooleanField(label="重点督办", required=False)

    def __init__(self, *args, bureau: Division, actor: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.bureau, self.actor = bureau, actor
        self.fields["assigned_on"].initial = timezone.localdate()
        style(self)

    def run(self) -> Proposal:
        return P.do_register(self.bureau, self.actor, P.ProposalData(**self.cleaned_data))


class ItemForm(forms.Form):
    action = ""
    submit_label = "提交"

    def __init__(self, *args, item: Proposal, actor: User, **kwargs) -> None:
        # Several panels share a page: each form's ids carry its action (id_feedback_attitude).
        kwargs.setdefault("auto_id", f"id_{self.action}_%s")
        super().__init__(*args, **kwargs)
        self.item, self.actor = item, actor
        self.setup()
        style(self)

    def setup(self) -> None:
        pass


class AssignForm(ItemForm):
    action, submit_label = "assign", "分办"
    leader = forms.ModelChoiceField(label="责任领导", queryset=User.objects.none(), empty_label="请选择")
    department = forms.ModelChoiceField(label="承办科室", queryset=None, empty_label="请选择")

    def setup(self) -> None:
        leaders = LedgerRole.objects.filter(
            bureau_id=self.item.bureau_id, kind=LedgerRoleKind.LEADER, ended_at__isnull=True
        ).values("user_id")
        self.fields["leader"].queryset = User.objects.filter(pk__in=leaders, is_active=True).order_by("id")
        self.fields["leader"].label_from_instance = lambda u: u.display_name
        self.fields["department"].queryset = departments_of(self.item.bureau_id).filter(is_office=False)
        self.fields["leader"].initial = self.item.leader_id
        self.fields["department"].initial = self.item.department_id

    def run(self):
        d = self.cleaned_data
        return P.do_assign(self.item, self.actor, leader=d["leader"], department=d["department"])


class ContactForm(ItemForm):
    action, submit_label = "contact", "记录沟通"
    on = forms.DateField(label="日期", widget=DATE)
    stage = forms.ChoiceField(label="阶段", choices=ContactStage.choices)
    mode = forms.ChoiceField(label="方式", choices=ContactMode.choices)
    participants = forms.CharField(label="参加人员", max_length=200, required=False)
    note = forms.CharField(label="沟通情况", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def setup(self) -> None:
        self.fields["on"].initial = timezone.localdate()

    def run(self):
        return P.do_record_contact(self.item, self.actor, **self.cleaned_data)


class DraftForm(ItemForm):
    action, submit_label = "draft", "保存答复稿并送审"
    title = forms.CharField(label="标题", max_length=200, required=False)
    addressee = forms.CharField(label="主送", max_length=100, required=False)
    result_class = forms.ChoiceField(label="办理结果")
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 8}))

    def setup(self) -> None:
        rules = rules_for(self.item.bureau_id)
        self.fields["result_class"].choices = [("", "请选择"), *rules.class_choices()]
        draft = self.item.replies.filter(round=self.item.rehandle_round, status="DRAFT").first()
        self.fields["title"].initial = draft.title if draft else P.default_title(self.item)
        self.fields["addressee"].initial = draft.addressee if draft else P.default_addressee(self.item)
        if draft:
            self.fields["body"].initial, self.fields["result_class"].initial = draft.body, draft.result_class

    def run(self):
        return P.do_draft_reply(self.item, self.actor, **self.cleaned_data)


class ApproveForm(ItemForm):
    action, submit_label = "approve", "审签同意"

    def run(self):
        return P.do_approve_reply(self.item, self.actor)


class SendBackForm(ItemForm):
    action, submit_label = "send_back", "退回修改"
    note = forms.CharField(label="修改意见", widget=forms.Textarea(attrs={"rows": 2}))

    def run(self):
        return P.do_send_back_draft(self.item, self.actor, note=self.cleaned_data["note"])


class SendForm(ItemForm):
    action, submit_label = "send", "编号发出"
    doc_no = forms.CharField(label="文号", max_length=60)
    sent_on = forms.DateField(label="发出日期", widget=DATE)

    def setup(self) -> None:
        from supervision.notice_header import short_name

        prefix = rules_for(self.item.bureau_id).docno_prefix.format(short=short_name(self.item.bureau.name))
        self.fields["doc_no"].initial = f"{prefix}〔{timezone.localdate().year}〕"
        self.fields["sent_on"].initial = timezone.localdate()

    def run(self):
        return P.do_send_reply(self.item, self.actor, **self.cleaned_data)


class ExtendForm(ItemForm):
    action, submit_label = "extend", "登记延期"
    approved_by = forms.CharField(label="同意延期的单位", max_length=100)
    reason = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 2}))

    def setup(self) -> None:
        self.fields["approved_by"].initial = self.item.assigning_body

    def run(self):
        return P.do_extend(self.item, self.actor, **self.cleaned_data)


class ReturnForm(ItemForm):
    action, submit_label = "return", "退回交办单位"
    consent_by = forms.CharField(label="同意退回的单位", max_length=100)
    reason = forms.CharField(label="退回理由", widget=forms.Textarea(attrs={"rows": 2}))

    def setup(self) -> None:
        self.fields["consent_by"].initial = self.item.assigning_body

    def run(self):
        return P.do_return(self.item, self.actor, **self.cleaned_data)


class FeedbackForm(ItemForm):
    action, submit_label = "feedback", "登记评价"
    received_on = forms.DateField(label="收到征询意见表日期", widget=DATE)
    attitude = forms.ChoiceField(label="办理态度", choices=Rating.choices)
    result = forms.ChoiceField(label="办理结果", choices=Rating.choices)
    comments = forms.CharField(label="提出人意见", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def setup(self) -> None:
        self.fields["received_on"].initial = timezone.localdate()

    def run(self):
        return P.do_record_feedback(self.item, self.actor, **self.cleaned_data)


class FollowUpForm(ItemForm):
    action, submit_label = "follow_up", "登记进展"
    on = forms.DateField(label="日期", widget=DATE)
    progress = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 2}))
    solved = forms.BooleanField(label="问题已解决", required=False)

    def setup(self) -> None:
        self.fields["on"].initial = timezone.localdate()

    def run(self):
        return P.do_record_follow_up(self.item, self.actor, **self.cleaned_data)


class PublishForm(ItemForm):
    action = "publish"

    def setup(self) -> None:
        self.submit_label = "撤回公开" if self.item.published else "公开"

    def run(self):
        return P.do_publish(self.item, self.actor, published=not self.item.published)


class UrgeForm(ItemForm):
    action, submit_label = "urge", "督办"
    note = forms.CharField(label="督办意见", widget=forms.Textarea(attrs={"rows": 2}))

    def run(self):
        return P.do_urge(self.item, self.actor, note=self.cleaned_data["note"])


FORMS: dict[str, type[ItemForm]] = {
    f.action: f
    for f in (
        AssignForm,
        ContactForm,
        DraftForm,
        ApproveForm,
        SendBackForm,
        SendForm,
        ExtendForm,
        ReturnForm,
        FeedbackForm,
        FollowUpForm,
        PublishForm,
        UrgeForm,
    )
}
# What each panel is called on the item page.
TITLES = {
    "assign": "分办（责任领导、承办科室）",
    "contact": "沟通联系（办前面商、见面）",
    "draft": "起草答复",
    "approve": "审签",
    "send_back": "退回修改",
    "send": "发出答复",
    "extend": "延期（须经交办单位同意）",
    "return": "退回（交办有误）",
    "feedback": "提出人评价（征询意见表）",
    "follow_up": "跟踪办理",
    "publish": "公开",
    "urge": "督办",
}
