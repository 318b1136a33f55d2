"""Seeded synthetic data for demos, tests and benchmarks: women, their custodies,
pregnancies and children, consistent with the jurisdiction pack's rules."""

from motherline.synthetic.generator import GenerationReport, generate
from motherline.synthetic.organisations import ensure_demo_users
from motherline.synthetic.presets import PRESETS

__all__ = ["PRESETS", "GenerationReport", "ensure_demo_users", "generate"]
