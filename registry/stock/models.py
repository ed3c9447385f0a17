"""The property register (banca dati patrimoniale): buildings and units of public housing,
their change history, import jobs and yearly snapshots.

Each owner (an ARCA or a Comune) keeps its own stock; the unit id is the owner's PUSH code
followed by the owner's own id (`072006-3122`). Who sees which rows is decided by
registry.access on the `owner` of a building or unit.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.files import private_storage
from core.records import RecordValidation
from registry.models.entities import Entity, EntityKind


def _cadastral_categories():
    groups = {"A": 11, "B": 8, "C": 7, "D": 10, "E": 9}
    return [
        (f"{group}/{number}", f"{group}/{number}") for group, count in groups.items() for number in range(1, count + 1)
    ]


CADASTRAL_CATEGORY_CHOICES = _cadastral_categories()


class EnergyClass(models.TextChoices):
    A4 = "A4", "A4"
    A3 = "A3", "A3"
    A2 = "A2", "A2"
    A1 = "A1", "A1"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"
    E = "E", "E"
    F = "F", "F"
    G = "G", "G"
    NOT_CLASSIFIED = "NC", _("not classified")


class UnitUse(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential")
    NON_RESIDENTIAL = "non_residential", _("Non-residential")


class OccupancyStatus(models.TextChoices):
    LET = "let", _("Let")
    VACANT_READY = "vacant_ready", _("Vacant, ready to assign")
    VACANT_NEEDS_WORKS = "vacant_needs_works", _("Vacant, needs works")
    UNDER_RENOVATION = "under_renovation", _("Under renovation")
    OCCUPIED_WITHOUT_TITLE = "occupied_without_title", _("Occupied without title")
    RESERVED_EMERGENCY = "reserved_emergency", _("Reserved for housing emergencies")
    FOR_SALE = "for_sale", _("For sale")
    SOLD = "sold", _("Sold")
    NON_RESIDENTIAL = "non_residential", _("Non-residential")


class IncomeBand(models.TextChoices):
    """Income area of the tenant household for the ERP rent (L.R. Puglia 10/2014)."""

    PROTECTION = "protection", _("Protection area")
    ACCESS = "access", _("Access area")
    PERMANENCE = "permanence", _("Permanence area")
    OVER_LIMIT = "over_limit", _("Over the limit (loss of entitlement)")


postcode_validator = RegexValidator(r"^\d{5}$", _("A CAP has 5 digits."))
YEAR_VALIDATORS = [MinValueValidator(1800), MaxValueValidator(2100)]


class Building(RecordValidation, models.Model):
    """A building (fabbricato) of public housing, as its owner identifies it. What each
    field accepts is registry.stock.spec.BUILDING_SPEC, checked by `full_clean()` (admin
    forms) as by the importer."""

    record_spec = "registry.stock.spec.BUILDING_SPEC"

    owner = models.ForeignKey(Entity, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_buildings")
    local_id = models.CharField(_("owner's building code"), max_length=40)
    manager = models.ForeignKey(
        Entity,
        verbose_name=_("managing entity"),
        on_delete=models.PROTECT,
        related_name="managed_buildings",
        help_text=_("Who manages the building, when not the owner (an ARCA often manages Comune-owned stock)."),
    )
    comune = models.ForeignKey(
        Entity,
        verbose_name=_("Comune"),
        on_delete=models.PROTECT,
        related_name="buildings_in_territory",
        limit_choices_to={"kind": EntityKind.COMUNE},
    )
    street = models.CharField(_("street"), max_length=150)
    street_number = models.CharField(_("street number"), max_length=20, blank=True)
    postcode = models.CharField(_("CAP"), max_length=5, blank=True, validators=[postcode_validator])
    neighbourhood = models.CharField(_("neighbourhood"), max_length=100, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    cadastral_section = models.CharField(_("cadastral section"), max_length=10, blank=True)
    cadastral_sheet = models.CharField(_("cadastral sheet (foglio)"), max_length=10, blank=True)
    cadastral_parcel = models.CharField(_("cadastral parcel (particella)"), max_length=20, blank=True)
    year_built = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True, validators=YEAR_VALIDATORS)
    last_renovation_year = models.PositiveSmallIntegerField(
        _("year of last renovation"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    has_lift = models.BooleanField(_("lift"), null=True, blank=True)
    declared_units = models.PositiveSmallIntegerField(_("number of units"), null=True, blank=True)
    financing_programme = models.CharField(_("financing programme"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["owner__code", "local_id"]
        constraints = [models.UniqueConstraint(fields=["owner", "local_id"], name="building_unique_per_owner")]
        indexes = [models.Index(fields=["comune"]), models.Index(fields=["manager"])]

    def __str__(self):
        address = f"{self.street} {self.street_number}".strip()
        return f"{address} ({self.local_id})"


class Unit(RecordValidation, models.Model):
    """A housing unit (alloggio) or other real-estate unit of a building.

    Household data (size, income band) describes the tenant household without names. What
    each field accepts is registry.stock.spec.UNIT_SPEC, checked by `full_clean()` (admin
    forms) as by the importer."""

    record_spec = "registry.stock.spec.UNIT_SPEC"

    push_id = models.CharField(_("PUSH unit id"), max_length=60, unique=True, editable=False)
    # Indexed through the (owner, local_id) unique constraint; no separate index needed.
    owner = models.ForeignKey(
        Entity, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_units", db_index=False
    )
    local_id = models.CharField(_("owner's unit id"), max_length=40)
    building = models.ForeignKey(Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="units")
    staircase = models.CharField(_("staircase"), max_length=10, blank=True)
    floor = models.CharField(_("floor"), max_length=10, blank=True)
    internal_number = models.CharField(_("internal number"), max_length=10, blank=True)
    cadastral_sheet = models.CharField(_("cadastral sheet (foglio)"), max_length=10, blank=True)
    cadastral_parcel = models.CharField(_("cadastral parcel (particella)"), max_length=20, blank=True)
    cadastral_subunit = models.CharField(_("cadastral sub-unit (subalterno)"), max_length=10, blank=True)
    cadastral_category = models.CharField(
        _("cadastral category"), max_length=4, choices=CADASTRAL_CATEGORY_CHOICES, blank=True
    )
    cadastral_class = models.CharField(_("cadastral class"), max_length=4, blank=True)
    rooms = models.DecimalField(_("rooms (vani)"), max_digits=4, decimal_places=1, null=True, blank=True)
    usable_area = models.DecimalField(_("usable area (m²)"), max_digits=7, decimal_places=2, null=True, blank=True)
    conventional_area = models.DecimalField(
        _("conventional area (m²)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("L. 392/1978 art. 13."),
    )
    energy_class = models.CharField(_("energy class"), max_length=2, choices=EnergyClass.choices, blank=True)
    accessible = models.BooleanField(_("accessible"), default=False)
    use = models.CharField(_("use"), max_length=20, choices=UnitUse.choices, default=UnitUse.RESIDENTIAL)
    status = models.CharField(_("occupancy status"), max_length=30, choices=OccupancyStatus.choices)
    monthly_rent = models.DecimalField(_("monthly rent (€)"), max_digits=9, decimal_places=2, null=True, blank=True)
    household_size = models.PositiveSmallIntegerField(_("household size"), null=True, blank=True)
    income_band = models.CharField(_("household income band"), max_length=20, choices=IncomeBand.choices, blank=True)
    last_update = models.DateField(_("last update by the owner"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["push_id"]
        constraints = [models.UniqueConstraint(fields=["owner", "local_id"], name="unit_unique_per_owner")]
        indexes = [
            models.Index(fields=["owner", "status"]),
            # The lists' filters at a million units (docs/PERFORMANCE.md, "Lists at a million
            # units"): the natural order of the admin list (registry.stock.selectors
            # .natural_unit_order, same expressions) and the occupancy status, which regional
            # lists filter, sort (then by id) and count exactly when few.
            models.Index(
                models.functions.Left("push_id", 6),
                models.functions.Length("push_id"),
                "push_id",
                name="unit_natural_order",
            ),
            models.Index(fields=["status", "id"], name="unit_status"),
        ]

    def __str__(self):
        return self.push_id

    def save(self, *args, **kwargs):
        # The id is derived, never typed: owner code + owner's own id.
        self.push_id = self.make_push_id(self.owner.code, self.local_id)
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)

    @staticmethod
    def make_push_id(owner_code: str, local_id: str) -> str:
        return f"{owner_code}-{local_id}"


class ChangeSource(models.TextChoices):
    ADMIN = "admin", _("Admin screen")
    IMPORT = "import", _("File import")
    API = "api", _("API")
    SYSTEM = "system", _("System")


class PropertyChange(models.Model):
    """One change to a building or unit: who, when, from where, and which fields went from
    what to what (`changes` = {field: [old, new]}; on creation old values are null)."""

    # The history is append-only and written in bulk (one row per unit an import creates
    # or changes): its references carry no database constraint, whose per-row check would
    # cost as much as the write itself. Django still cascades deletions. Indexed by the
    # (building|unit, -changed_at) indexes below, which serve the history views.
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="changes",
        db_index=False,
        db_constraint=False,
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="changes",
        db_index=False,
        db_constraint=False,
    )
    created = models.BooleanField(_("created"), default=False)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
    )
    source = models.CharField(_("source"), max_length=10, choices=ChangeSource.choices)
    import_job = models.ForeignKey(
        "ImportJob",
        verbose_name=_("import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    changes = models.JSONField(_("changes"), default=dict)

    class Meta:
        verbose_name = _("change to the register")
        verbose_name_plural = _("changes to the register")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["unit", "-changed_at"]), models.Index(fields=["building", "-changed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(building__isnull=False) | models.Q(unit__isnull=False),
                name="property_change_has_a_subject",
            )
        ]

    def __str__(self):
        return f"{self.get_source_display()} {timezone.localtime(self.changed_at):%d/%m/%Y %H:%M}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    VALIDATING = "validating", _("Checking the file")
    INVALID = "invalid", _("Errors found – nothing written")
    WRITING = "writing", _("Writing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


def import_file_path(instance, filename):
    return (
        f"imports/{timezone.now():%Y/%m}/{instance.owner.code}-{timezone.now():%Y%m%d%H%M%S%f}.{instance.file_format}"
    )


class ImportJob(models.Model):
    """A spreadsheet of units (with their buildings) uploaded by an owner, checked and then
    written in the background. Nothing is written while any row is invalid, unless the
    officer asks, after reading the report, to import only the valid rows."""

    owner = models.ForeignKey(Entity, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="import_jobs")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    file = models.FileField(_("file"), storage=private_storage, upload_to=import_file_path, max_length=200)
    file_format = models.CharField(_("format"), max_length=4)
    original_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    only_valid_rows = models.BooleanField(_("import only the valid rows"), default=False)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_units = models.PositiveIntegerField(_("units created"), default=0)
    updated_units = models.PositiveIntegerField(_("units updated"), default=0)
    unchanged_units = models.PositiveIntegerField(_("units unchanged"), default=0)
    created_buildings = models.PositiveIntegerField(_("buildings created"), default=0)
    updated_buildings = models.PositiveIntegerField(_("buildings updated"), default=0)
    failure = models.TextField(_("failure"), blank=True)

    class Meta:
        verbose_name = _("import of units")
        verbose_name_plural = _("imports of units")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_name} ({self.owner.code}, {timezone.localtime(self.created_at):%d/%m/%Y %H:%M})"

    @property
    def is_finished(self):
        return self.status in {ImportStatus.INVALID, ImportStatus.DONE, ImportStatus.FAILED}

    @property
    def progress_percent(self):
        if not self.total_rows:
            return 0 if not self.is_finished else 100
        return min(100, round(100 * self.processed_rows / self.total_rows))


class StockSnapshot(models.Model):
    """The stock as it stood at a reference date ("stock at 31 December YYYY"), kept
    unchanged: counts and areas per owner, Comune, status, use, energy class and accessibility."""

    reference_date = models.DateField(_("reference date"), unique=True)
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("taken by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    unit_count = models.PositiveIntegerField(_("units"))
    building_count = models.PositiveIntegerField(_("buildings"))

    class Meta:
        verbose_name = _("stock snapshot")
        verbose_name_plural = _("stock snapshots")
        ordering = ["-reference_date"]
        permissions = [("take_stocksnapshot", _("Can take a snapshot of the stock"))]

    def __str__(self):
        return _("Stock at %(date)s") % {"date": self.reference_date.strftime("%d/%m/%Y")}

    def save(self, *args, **kwargs):
        if self.pk and StockSnapshot.objects.filter(pk=self.pk).exists():
            raise ValueError("A stock snapshot is never changed once taken.")
        super().save(*args, **kwargs)


class SnapshotCell(models.Model):
    """One cell of a snapshot: how many units, and how many square metres, had these
    characteristics on the reference date."""

    snapshot = models.ForeignKey(StockSnapshot, on_delete=models.CASCADE, related_name="cells")
    owner = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    comune = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=30, choices=OccupancyStatus.choices)
    use = models.CharField(max_length=20, choices=UnitUse.choices)
    energy_class = models.CharField(max_length=2, blank=True)
    accessible = models.BooleanField()
    units = models.PositiveIntegerField()
    conventional_area = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        indexes = [models.Index(fields=["snapshot", "owner"]), models.Index(fields=["snapshot", "comune"])]

    def __str__(self):
        return f"{self.snapshot} · {self.owner_id} · {self.comune_id} · {self.status}: {self.units}"
