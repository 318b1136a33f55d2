"""How an action's input names a person or a prison of the register, for the schemas of every
app (and so for the API, the forms and the imports derived from them)."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from motherline.core.inputs import max_length_of
from motherline.people.models import Woman
from motherline.places.models import Prison

# A woman's or a child's reference (W-..., C-...).
Reference = Annotated[str, StringConstraints(max_length=max_length_of(Woman, "reference"))]
WomanName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length_of(Woman, "name")),
]
PrisonCode = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=max_length_of(Prison, "code")
    ),
]
