"""Calls (bandi) of the rent-support fund (L. 431/98 art. 11) and of the arrears fund
(morosità incolpevole): the call with its parameters, the Comuni's submissions with their
applicants or cases and attachments, and the riparto of the fund.

Every threshold, cap and percentage is a field of the call; the rules that use them are
plain functions (calls/contribution.py, calls/riparto.py) and services (calls/services.py).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.files import private_storage
from registry.models import Entity, EntityKind

from .contribution import BandRule

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class CallType(models.TextChoices):
    RENT_SUPPORT = "rent_support", _("Rent support (L. 431/98 art. 11)")
    ARREARS = "arrears", _("Tenants in arrears through no fault of their own")


class CallState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    UNDER_REVIEW = "under_review", _("Under review")
    ALLOCATED = "allocated", _("Allocated")
    ARCHIVED = "archived", _("Archived")


class PremiumWeight(models.TextChoices):
    NEED = "need", _("In proportion to need")
    CO_FINANCING = "co_financing", _("In proportion to co-financing")


# The parameters of a call: the bands, the arrears fund's limits and the fund. Read by the
# API, and locked once the Comuni have started their submissions (calls/call_lifecycle.py).
CALL_PARAMETERS = (
    "band_a_max_income",
    "band_a_min_incidence",
    "band_a_cap",
    "band_b_max_income",
    "band_b_min_incidence",
    "band_b_cap",
    "covid_band",
    "covid_max_isee",
    "covid_min_income_loss",
    "covid_min_incidence",
    "covid_cap",
    "arrears_max_amount",
    "arrears_max_ise",
    "arrears_max_isee",
    "fund_base",
    "fund_premium",
    "premium_threshold",
    "premium_weight",
)


class Call(models.Model):
    """A call for one year of a fund, published by the Region."""

    call_type = models.CharField(_("type"), max_length=20, choices=CallType.choices)
    year = models.PositiveSmallIntegerField(_("year of reference (annualità)"), validators=[MinValueValidator(2000)])
    title = models.CharField(_("title"), max_length=200)
    legal_act = models.CharField(_("legal act"), max_length=200, help_text=_("E.g. DGR n. 1999 del 4/11/2019."))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(
        _("closes at"), help_text=_("Submissions are refused from this moment (Europe/Rome).")
    )
    state = models.CharField(_("state"), max_length=20, choices=CallState.choices, default=CallState.DRAFT)

    # Bands of the rent-support fund (DM 7/6/1999): income limits, minimum rent share, caps.
    band_a_max_income = models.DecimalField(_("band A: maximum income (€)"), default=Decimal("13192.92"), **MONEY)
    band_a_min_incidence = models.DecimalField(
        _("band A: minimum rent/income (%)"), max_digits=5, decimal_places=2, default=Decimal("14"), validators=PERCENT
    )
    band_a_cap = models.DecimalField(_("band A: maximum contribution (€)"), default=Decimal("3098.74"), **MONEY)
    band_b_max_income = models.DecimalField(_("band B: maximum income (€)"), default=Decimal("15250.00"), **MONEY)
    band_b_min_incidence = models.DecimalField(
        _("band B: minimum rent/income (%)"), max_digits=5, decimal_places=2, default=Decimal("24"), validators=PERCENT
    )
    band_b_cap = models.DecimalField(_("band B: maximum contribution (€)"), default=Decimal("2324.06"), **MONEY)
    covid_band = models.BooleanField(_("extra COVID band"), default=False)
    covid_max_isee = models.DecimalField(_("COVID band: maximum ISEE (€)"), default=Decimal("35000.00"), **MONEY)
    covid_min_income_loss = models.DecimalField(
        _("COVID band: minimum income loss (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("25"),
        validators=PERCENT,
    )
    covid_min_incidence = models.DecimalField(
        _("COVID band: minimum rent/income (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("24"),
        validators=PERCENT,
    )
    covid_cap = models.DecimalField(_("COVID band: maximum contribution (€)"), default=Decimal("2324.06"), **MONEY)

    # Arrears fund (DM 30/3/2016): limits per case.
    arrears_max_amount = models.DecimalField(
        _("arrears: maximum per household (€)"), default=Decimal("12000.00"), **MONEY
    )
    arrears_max_ise = models.DecimalField(_("arrears: maximum ISE (€)"), default=Decimal("35000.00"), **MONEY)
    arrears_max_isee = models.DecimalField(_("arrears: maximum ISEE (€)"), default=Decimal("26000.00"), **MONEY)

    # The fund and its split (DGR 1999/2019: base share and co-financing premium).
    fund_base = models.DecimalField(_("fund: base share (€)"), default=Decimal("0"), **MONEY)
    fund_premium = models.DecimalField(_("fund: co-financing premium (€)"), default=Decimal("0"), **MONEY)
    premium_threshold = models.DecimalField(
        _("premium: minimum co-financing (% of the base share)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
        validators=PERCENT,
    )
    premium_weight = models.CharField(
        _("premium split"), max_length=20, choices=PremiumWeight.choices, default=PremiumWeight.NEED
    )
    required_attachments = models.TextField(
        _("required attachments"),
        blank=True,
        help_text=_("One per line, e.g. “Determina di approvazione della graduatoria”."),
    )
    riparto_computed_at = models.DateTimeField(_("riparto computed at"), null=True, blank=True, editable=False)
    riparto_residual = models.DecimalField(
        _("riparto: unallocated (€)"), null=True, blank=True, editable=False, **MONEY
    )
    riparto_published_at = models.DateTimeField(_("riparto published at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-year", "call_type"]
        constraints = [
            models.UniqueConstraint(fields=["call_type", "year"], name="call_one_per_type_and_year"),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_opening"
            ),
        ]
        permissions = [
            ("review_submission", _("Can review submissions of the Comuni")),
            ("run_riparto", _("Can compute and publish the riparto")),
        ]

    def __str__(self):
        return self.title

    @property
    def is_arrears(self) -> bool:
        """A call of the arrears fund (cases, not households; no bands)."""
        return self.call_type == CallType.ARREARS

    @property
    def fund_total(self) -> Decimal:
        return self.fund_base + self.fund_premium

    @property
    def attachment_names(self) -> list[str]:
        return [line.strip() for line in self.required_attachments.splitlines() if line.strip()]

    def bands(self) -> list[BandRule]:
        hundred = Decimal(100)
        bands = [
            BandRule("A", self.band_a_max_income, self.band_a_min_incidence / hundred, self.band_a_cap),
            BandRule("B", self.band_b_max_income, self.band_b_min_incidence / hundred, self.band_b_cap),
        ]
        if self.covid_band:
            bands.append(
                BandRule(
                    "COVID",
                    None,
                    self.covid_min_incidence / hundred,
                    self.covid_cap,
                    max_isee=self.covid_max_isee,
                    min_income_loss=self.covid_min_income_loss / hundred,
                )
            )
        return bands


class DeadlineExtension(models.Model):
    """A later deadline granted by the Region to one Comune."""

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="extensions")
    comune = models.ForeignKey(Entity, verbose_name=_("Comune"), on_delete=models.PROTECT, related_name="+")
    closes_at = models.DateTimeField(_("new deadline"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        ordering = ["-granted_at"]

    def __str__(self):
        return f"{self.call} · {self.comune} · {self.closes_at:%d/%m/%Y %H:%M}"


class SubmissionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    INTEGRATION_REQUESTED = "integration_requested", _("Integration requested")
    INTEGRATED = "integrated", _("Integrated")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Submission(models.Model):
    """What one Comune sends for one call: its applicants (or cases), need, co-financing
    and attachments. Frozen once submitted, until the Region asks for an integration."""

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="submissions")
    comune = models.ForeignKey(
        Entity,
        verbose_name=_("Comune"),
        on_delete=models.PROTECT,
        related_name="call_submissions",
        limit_choices_to={"kind": EntityKind.COMUNE},
    )
    state = models.CharField(_("state"), max_length=30, choices=SubmissionState.choices, default=SubmissionState.DRAFT)
    co_financing = models.DecimalField(_("co-financing (€)"), default=Decimal("0"), **MONEY)
    applicants_file = models.FileField(
        _("applicants file"), storage=private_storage, upload_to="calls/applicants/", blank=True
    )
    applicants_file_sha256 = models.CharField(max_length=64, blank=True)
    applicant_count = models.PositiveIntegerField(_("applicants"), default=0)
    eligible_count = models.PositiveIntegerField(_("eligible"), default=0)
    eligible_a = models.PositiveIntegerField(_("eligible in band A"), default=0)
    eligible_b = models.PositiveIntegerField(_("eligible in band B"), default=0)
    eligible_covid = models.PositiveIntegerField(_("eligible in the COVID band"), default=0)
    need_a = models.DecimalField(_("need, band A (€)"), default=Decimal("0"), **MONEY)
    need_b = models.DecimalField(_("need, band B (€)"), default=Decimal("0"), **MONEY)
    need_covid = models.DecimalField(_("need, COVID band (€)"), default=Decimal("0"), **MONEY)
    need = models.DecimalField(_("need (fabbisogno, €)"), default=Decimal("0"), **MONEY)
    # The latest sending, copied from the protocol register (ProtocolEntry) in the same
    # transaction, for lists and search; the register is the record.
    protocol_number = models.CharField(_("protocol number"), max_length=20, unique=True, null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    integration_message = models.TextField(_("integration requested"), blank=True)
    integration_deadline = models.DateTimeField(_("integration deadline"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for rejection"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["call", "comune__name"]
        constraints = [models.UniqueConstraint(fields=["call", "comune"], name="submission_one_per_comune_and_call")]

    def __str__(self):
        return f"{self.call} · {self.comune}"

    @property
    def is_editable(self) -> bool:
        return self.state in (SubmissionState.DRAFT, SubmissionState.INTEGRATION_REQUESTED)


class Applicant(models.Model):
    """One household on a Comune's list of the rent-support call. The codice fiscale is kept
    only as a keyed hash: it finds the same person listed by two Comuni, and nothing more."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="applicants")
    row_number = models.PositiveIntegerField(_("row"))
    fiscal_code_hash = models.CharField(_("pseudonymised codice fiscale"), max_length=64, db_index=True)
    household_size = models.PositiveSmallIntegerField(_("household size"))
    over_65 = models.BooleanField(_("over 65"), default=False)
    disabled = models.BooleanField(_("disabled members"), default=False)
    minors = models.BooleanField(_("minors"), default=False)
    income = models.DecimalField(_("annual income (€)"), **MONEY)
    isee = models.DecimalField(_("ISEE (€)"), null=True, blank=True, **MONEY)
    income_loss = models.DecimalField(_("income loss (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    annual_rent = models.DecimalField(_("annual rent (€)"), **MONEY)
    months = models.PositiveSmallIntegerField(
        _("months of lease"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    lease_registration = models.CharField(_("lease registration"), max_length=60)
    incidence = models.DecimalField(_("rent/income (%)"), max_digits=9, decimal_places=2, null=True)
    band = models.CharField(_("band"), max_length=5, blank=True)
    contribution = models.DecimalField(_("contribution (€)"), **MONEY)
    reason = models.CharField(_("reason for exclusion"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        ordering = ["submission", "row_number"]

    def __str__(self):
        return f"{self.submission} · {self.row_number}"

    @property
    def eligible(self):
        return bool(self.band)


class ArrearsCause(models.TextChoices):
    """Causes of income loss of DM 30/3/2016 art. 2."""

    DISMISSAL = "dismissal", _("Dismissal")
    REDUCED_HOURS = "reduced_hours", _("Reduced working hours")
    REDUNDANCY_FUND = "redundancy_fund", _("Wage guarantee fund (cassa integrazione)")
    CONTRACT_NOT_RENEWED = "contract_not_renewed", _("Fixed-term contract not renewed")
    SELF_EMPLOYMENT_ENDED = "self_employment_ended", _("End of self-employment")
    ILLNESS_OR_DEATH = "illness_or_death", _("Serious illness, injury or death of a household member")


class ArrearsCase(models.Model):
    """One household of the arrears fund (morosità incolpevole)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="arrears_cases")
    row_number = models.PositiveIntegerField(_("row"))
    fiscal_code_hash = models.CharField(_("pseudonymised codice fiscale"), max_length=64, db_index=True)
    eviction_notice_date = models.DateField(_("date of the eviction notice"))
    arrears_amount = models.DecimalField(_("arrears (€)"), **MONEY)
    cause = models.CharField(_("cause of income loss"), max_length=30, choices=ArrearsCause.choices)
    ise = models.DecimalField(_("ISE (€)"), null=True, blank=True, **MONEY)
    isee = models.DecimalField(_("ISEE (€)"), null=True, blank=True, **MONEY)
    requested_amount = models.DecimalField(_("requested (€)"), **MONEY)
    granted_amount = models.DecimalField(_("counted (€)"), **MONEY)

    class Meta:
        verbose_name = _("arrears case")
        verbose_name_plural = _("arrears cases")
        ordering = ["submission", "row_number"]

    def __str__(self):
        return f"{self.submission} · {self.row_number}"


class UploadStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be checked")
    CHECKING = "checking", _("Being checked")
    WRITING = "writing", _("Being written")
    DONE = "done", _("Uploaded and computed")
    INVALID = "invalid", _("Refused: nothing was changed")
    FAILED = "failed", _("Failed")


def applicant_upload_path(instance, filename):
    submission = instance.submission
    return f"calls/applicants/{submission.call_id}/{submission.comune.code}/{timezone.now():%Y%m%d%H%M%S%f}.enc"


class ApplicantUpload(models.Model):
    """One upload of a Comune's list: checked, then written over the submission's list if
    every row is valid (in the background when the file is large).

    The file holds codici fiscali in clear, so it is kept only encrypted (calls/sealed.py),
    and only while it matters: a refused file is deleted once checked, a draft's list when
    a newer one replaces it; a list that was sent stays, as the receipt fingerprints it.
    The report keeps row, column and message, with codici fiscali masked."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    file = models.FileField(
        _("file (encrypted)"), storage=private_storage, upload_to=applicant_upload_path, max_length=200, blank=True
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    status = models.CharField(_("status"), max_length=10, choices=UploadStatus.choices, default=UploadStatus.PENDING)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    problem_count = models.PositiveIntegerField(_("problems"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    refusal_code = models.CharField(max_length=30, blank=True)
    # The exception's class only: messages may quote the file's content.
    failure = models.CharField(_("failure"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("upload of a list")
        verbose_name_plural = _("uploads of lists")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.original_name} ({timezone.localtime(self.created_at):%d/%m/%Y %H:%M})"

    @property
    def is_finished(self) -> bool:
        return self.status in {UploadStatus.DONE, UploadStatus.INVALID, UploadStatus.FAILED}

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.is_finished else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


def attachment_path(instance, filename):
    return f"calls/attachments/{instance.submission.call_id}/{instance.submission.comune.code}/{timezone.now():%Y%m%d%H%M%S%f}.pdf"


class Attachment(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("document"), max_length=200)
    file = models.FileField(_("file"), storage=private_storage, upload_to=attachment_path, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["submission", "name", "-uploaded_at"]

    def __str__(self):
        return self.name


class ProtocolCounter(models.Model):
    """The last protocol number given in a year. Numbers are taken inside the submitting
    transaction with the row locked, so they are gapless and never repeated."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class ProtocolKind(models.TextChoices):
    SUBMISSION_SENT = "submission_sent", _("Submission sent")
    INTEGRATION_SENT = "integration_sent", _("Integration sent")
    CIRCULAR = "circular", _("Circular")
    SALE_PLAN = "sale_plan", _("Sale plan sent")


class ProtocolEntryImmutable(Exception):
    """A protocol entry was about to be changed or deleted."""


class ProtocolEntryQuerySet(models.QuerySet):
    """Bulk changes and deletions are refused like the model's own: only attach_receipt()
    writes to an existing entry."""

    def update(self, **kwargs):
        raise ProtocolEntryImmutable("Protocol entries cannot change.")

    def delete(self):
        raise ProtocolEntryImmutable("Protocol entries cannot be deleted.")

    def attach_receipt(self, pk: int, *, name: str, sha256: str) -> bool:
        """Record the entry's receipt if it has none yet: True if this call recorded it.
        One conditional UPDATE, so two workers rendering the same receipt record one."""
        rows = models.QuerySet.update(self.filter(pk=pk, receipt_sha256=""), receipt_pdf=name, receipt_sha256=sha256)
        return rows == 1


class ProtocolEntry(models.Model):
    """One entry of the protocol register: a number and a time given once, to one sending
    (the first one and every integration), never changed or deleted.

    `content` is what the receipt states, frozen when the entry is registered; the receipt
    PDF is rendered from it afterwards, in the background (calls/tasks.py), and attached
    once (attach_receipt): until then the entry has no receipt. The database refuses any
    other change and every deletion (migration 0005, on PostgreSQL), beside save() and delete() here."""

    number = models.CharField(_("protocol number"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    registered_at = models.DateTimeField(_("registered at"))
    kind = models.CharField(_("kind"), max_length=20, choices=ProtocolKind.choices)
    submission = models.ForeignKey(
        Submission,
        verbose_name=_("submission"),
        on_delete=models.PROTECT,
        related_name="protocol_entries",
        null=True,
        blank=True,
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    content = models.JSONField(_("content of the receipt"), default=dict, blank=True)
    receipt_pdf = models.FileField(
        _("receipt"), storage=private_storage, upload_to="calls/receipts/", max_length=200, blank=True
    )
    receipt_sha256 = models.CharField(_("SHA-256 of the receipt"), max_length=64, blank=True)

    objects = ProtocolEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("protocol entry")
        verbose_name_plural = _("protocol register")
        ordering = ["year", "sequence"]
        constraints = [models.UniqueConstraint(fields=["year", "sequence"], name="protocol_entry_one_per_number")]

    def __str__(self):
        return self.number

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ProtocolEntryImmutable(f"Protocol entry {self.number} is registered and cannot change.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ProtocolEntryImmutable(f"Protocol entry {self.number} cannot be deleted.")

    @property
    def file_name(self) -> str:
        return f"ricevuta-{self.number.replace('/', '-')}.pdf"


class Allocation(models.Model):
    """One Comune's line of a call's riparto."""

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="allocations")
    comune = models.ForeignKey(Entity, verbose_name=_("Comune"), on_delete=models.PROTECT, related_name="+")
    need = models.DecimalField(_("need (€)"), **MONEY)
    co_financing = models.DecimalField(_("co-financing (€)"), **MONEY)
    premium_eligible = models.BooleanField(_("premium"))
    base = models.DecimalField(_("base share (€)"), **MONEY)
    premium = models.DecimalField(_("premium share (€)"), **MONEY)
    total = models.DecimalField(_("total (€)"), **MONEY)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["call", "comune__name"]
        constraints = [models.UniqueConstraint(fields=["call", "comune"], name="allocation_one_per_comune")]

    def __str__(self):
        return f"{self.call} · {self.comune}: {self.total}"
