"""The city's subsidy rule: 30 % of a project's investment when it is strictly more than
500,000 yuan and carried out with a university or a quality research/consulting institution."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from qoffice.domain.money import round_half_up
from qoffice.domain.vocab import SUBSIDY_PARTNER_TYPES
from qoffice.i18n import _

THRESHOLD_YUAN = 500_000
RATE = Decimal("0.30")


@dataclass(frozen=True)
class SubsidyDecision:
    amount_yuan: int  # 0 when the project does not qualify
    reason: str | None  # translated; None when it qualifies

    @property
    def qualifies(self) -> bool:
        return self.reason is None


def decide(investment_yuan: int | None, partner_type: str | None) -> SubsidyDecision:
    if partner_type is None or partner_type == "":
        return SubsidyDecision(0, _("No partner institution"))
    if partner_type not in SUBSIDY_PARTNER_TYPES:
        return SubsidyDecision(0, _("Partner type does not qualify for the subsidy"))
    if investment_yuan is None:
        return SubsidyDecision(0, _("No investment given"))
    if investment_yuan <= THRESHOLD_YUAN:
        return SubsidyDecision(0, _("Investment is not more than 500,000 yuan"))
    amount = round_half_up(Decimal(investment_yuan) * RATE)
    return SubsidyDecision(int(amount), None)
