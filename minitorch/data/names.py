"""First names from the 1990 US Census: 5 163 lower-case names, shipped with minitorch.

The file ``names.txt`` (46 KB) sits next to this module, so nothing is downloaded. Its source,
licence (public domain) and format are described in ``NAMES.md`` beside it. A small word list is
the classic data for character-level models (lesson 15's recurrent nets, lesson 16's tiny GPT):
every name is a short sequence of letters, and a model that has learnt them makes up new ones.

    >>> names = load_names()
    >>> len(names), names[:3]
    (5163, ['aaron', 'abbey', 'abbie'])
    >>> len(load_names("female")), len(load_names("male"))
    (4275, 1219)
"""

from __future__ import annotations

from importlib import resources

__all__ = ["load_names"]

_SEXES = {None: ("f", "m"), "female": ("f",), "male": ("m",)}


def load_names(sex: str | None = None) -> list[str]:
    """The first names, alphabetically sorted, as a new list of lower-case ASCII strings (``a-z`` only).

    Args:
        sex: ``None`` (default) for all 5 163 distinct names; ``"female"`` for the 4 275 names of the
            Census's female list, ``"male"`` for the 1 219 of its male list (331 names, e.g.
            ``"aaron"``, are on both).

    Raises:
        ValueError: ``sex`` is not None, ``"female"`` or ``"male"``.
    """
    if sex not in _SEXES:
        raise ValueError(f"load_names: sex must be None, 'female' or 'male', got {sex!r}")
    wanted = _SEXES[sex]
    # importlib.resources: works from an installed wheel or zip as well as a source checkout.
    text = resources.files(__package__).joinpath("names.txt").read_text(encoding="ascii")
    names = []
    for line in text.splitlines():
        name, lists = line.split("\t")
        if any(s in lists for s in wanted):
            names.append(name)
    return names
