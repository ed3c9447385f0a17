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

WEIGHT_NEED = "need"
WEIGHT_CO_FINANCING = "co_financing"


@dataclass(frozen=True)
class Claim:
    code: str  # the Comune's code, also the tie-breaker
    need: int  # cents
    co_financing: int  # cents


@dataclass
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
    shares = dict.fromkeys(weights, 0)
    active = {code for code, weight in weights.items() if weight > 0 and caps[code] > 0}
    while pot > 0 and active:
        total_weight = sum(weights[code] for code in active)
        # Exact share of each active taker: pot * weight / total_weight (as numerator, total).
        capped = [code for code in active if pot * weights[code] >= (caps[code] - shares[code]) * total_weight]
        if capped:
            # Those whose exact share reaches what they may still take are filled and leave.
            for code in capped:
                pot -= caps[code] - shares[code]
                shares[code] = caps[code]
                active.discard(code)
            continue
        floors = {code: pot * weights[code] // total_weight for code in active}
        remainders = {code: pot * weights[code] % total_weight for code in active}
        given = sum(floors.values())
        for code in active:
            shares[code] += floors[code]
        left = pot - given
        for code in sorted(active, key=lambda code: (-remainders[code], code))[:left]:
            shares[code] += 1
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
    codes = [claim.code for claim in claims]
    if len(set(codes)) != len(codes):
        raise ValueError("each Comune may appear once")
    by_code = {claim.code: claim for claim in sorted(claims, key=lambda claim: claim.code)}
    needs = {code: max(claim.need, 0) for code, claim in by_code.items()}

    base, unplaced_base = split(fund_base, needs, needs)

    # co_financing ≥ threshold × base, in integers: threshold = numerator / denominator.
    numerator, denominator = threshold.as_integer_ratio()
    eligible = {
        code
        for code, claim in by_code.items()
        if base[code] > 0 and claim.co_financing * denominator >= numerator * base[code]
    }
    room = {code: needs[code] - base[code] for code in by_code}
    weights = {
        code: (by_code[code].co_financing if premium_weight == WEIGHT_CO_FINANCING else needs[code])
        if code in eligible
        else 0
        for code in by_code
    }
    premium, unplaced_premium = split(fund_premium, weights, room)

    # What neither split could place goes to whoever still has need, by need.
    leftover = unplaced_base + unplaced_premium
    room = {code: needs[code] - base[code] - premium[code] for code in by_code}
    extra, residual = split(leftover, {code: needs[code] if room[code] > 0 else 0 for code in by_code}, room)

    result = Riparto(residual=residual)
    for code, claim in by_code.items():
        result.shares.append(
            Share(
                code=code,
                need=claim.need,
                co_financing=claim.co_financing,
                base=base[code] + extra[code],
                premium=premium[code],
                premium_eligible=code in eligible,
            )
        )
    return result
