"""Motherline: a register of women in prison and the children who live with them."""

__version__ = "0.1.0"
