"""Intervention programmes: the funding lines that pay for building interventions on the
property register, their interventions and the progress the beneficiaries report."""
