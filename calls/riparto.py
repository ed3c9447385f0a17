"""The riparto: how the Region splits a call's fund among the Comuni. A pure function over
integers of euro cents — no database, no floats.

Model (DGR 1999/2019 and DOMAIN.md §1.5; the premium formula is configurable on the call):

1. Base share: `fund_base` split in proportion to each Comune's need (fabbisogno), never
   above the need; what a capped Comune cannot take is split again among the others
   ("water filling").
2. Premium share: `fund_premium` split among the Comuni whose co-financing reaches
   `threshold` × their base share, in proportion to their need or to their co-financing
   (`premium_weight`), again never above what they still need (base + premium ≤ need).
3. What the premium cannot place (no Comune qualifies, or all are full) goes back to the
   base split among Comuni that still have need; what nobody needs is the residual
   (economia), so that shares + residual = fund, to the cent.

Rounding rule (stated, deterministic): every split computes exact shares, gives each Comune
the share rounded down to the cent, then hands out the remaining cents one each, largest
fractional remainder first; ties go to the lower Comune code.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

WEIGHT_NEED = "need"
WEIGHT_CO_FINANCING = "co_financing"


@dataclass(frozen=True)
class Claim:
    code: str  # the Comune's code, also the tie-breaker
    need: int  # cents
    co_financing: int  # cents


@dataclass(slots=True)
class Share:
    """One Comune's share of the fund, in cents (stored as a calls.models.Allocation row)."""

    code: str
    need: int
    co_financing: int
    base: int = 0
    premium: int = 0
    premium_eligible: bool = False

    @property
    def total(self) -> int:
        return self.base + self.premium


@dataclass
class Riparto:
    shares: list[Share] = field(default_factory=list)
    residual: int = 0  # cents nobody needed

    @property
    def allocated(self) -> int:
        return sum(share.total for share in self.shares)


def to_cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def from_cents(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(Decimal("0.01"))


def split(pot: int, weights: dict[str, int], caps: dict[str, int]) -> tuple[dict[str, int], int]:
    """Split `pot` cents in proportion to `weights`, never giving anyone more than their cap.

    Returns the shares and what could not be placed (every taker full, or no weight)."""
    codes = sorted(weights)
    shares, left = _split(pot, [weights[code] for code in codes], [caps[code] for code in codes])
    return dict(zip(codes, shares)), left


def _split(pot: int, weights: list[int], caps: list[int]) -> tuple[list[int], int]:
    """`split` over positions: takers are indexes in code order, so that the lower index wins
    a tie. Integer arithmetic only (7,904 Comuni in a few milliseconds)."""
    shares = [0] * len(weights)
    active = [index for index, weight in enumerate(weights) if weight > 0 and caps[index] > 0]
    while pot > 0 and active:
        total_weight = sum([weights[index] for index in active])
        # Exact share of each active taker: pot * weight / total_weight (as numerator, total).
        capped = [index for index in active if pot * weights[index] >= (caps[index] - shares[index]) * total_weight]
        if capped:
            # Those whose exact share reaches what they may still take are filled and leave.
            for index in capped:
                pot -= caps[index] - shares[index]
                shares[index] = caps[index]
            full = set(capped)
            active = [index for index in active if index not in full]
            continue
        left = pot
        remainders = []
        for index in active:
            floor, remainder = divmod(pot * weights[index], total_weight)
            shares[index] += floor
            left -= floor
            remainders.append((-remainder, index))
        if left:
            # The cents still to give, one each: largest remainder first, then lower code.
            remainders.sort()
            for _, index in remainders[:left]:
                shares[index] += 1
        pot = 0
    return shares, pot


def allocate(
    claims: list[Claim],
    *,
    fund_base: int,
    fund_premium: int,
    threshold: Decimal,
    premium_weight: str = WEIGHT_NEED,
) -> Riparto:
    """Split the fund (in cents) among the claims. Shares + residual == fund_base +
    fund_premium; nobody gets more than their need; same input, same output."""
    if fund_base < 0 or fund_premium < 0:
        raise ValueError("funds cannot be negative")
    # Sorted once by code: every list below is by position in this order.
    ordered = sorted(claims, key=attrgetter("code"))
    codes = [claim.code for claim in ordered]
    if len(set(codes)) != len(codes):
        raise ValueError("each Comune may appear once")
    needs = [claim.need if claim.need > 0 else 0 for claim in ordered]
    co_financing = [claim.co_financing for claim in ordered]
    positions = range(len(ordered))

    base, unplaced_base = _split(fund_base, needs, needs)

    # co_financing ≥ threshold × base, in integers: threshold = numerator / denominator.
    numerator, denominator = threshold.as_integer_ratio()
    eligible = [base[i] > 0 and co_financing[i] * denominator >= numerator * base[i] for i in positions]
    room = [needs[i] - base[i] for i in positions]
    by_co_financing = premium_weight == WEIGHT_CO_FINANCING
    weights = [(co_financing[i] if by_co_financing else needs[i]) if eligible[i] else 0 for i in positions]
    premium, unplaced_premium = _split(fund_premium, weights, room)

    # What neither split could place goes to whoever still has need, by need.
    leftover = unplaced_base + unplaced_premium
    room = [room[i] - premium[i] for i in positions]
    extra, residual = _split(leftover, [needs[i] if room[i] > 0 else 0 for i in positions], room)

    return Riparto(
        shares=[
            Share(codes[i], ordered[i].need, co_financing[i], base[i] + extra[i], premium[i], eligible[i])
            for i in positions
        ],
        residual=residual,
    )
