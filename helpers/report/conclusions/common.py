"""What every notebook's findings share: how sure the figures are, the tested comparisons in
words, the device in words."""

from __future__ import annotations

from typing import Any

from ...stats import bootstrap
from ...stats.family import Family
from .. import sentences

HOW_SURE = ("How sure: the interval of an accuracy, or of a difference between recipes, is a "
            "bootstrap over random seeds and test images together "
            f"({bootstrap.RESAMPLES:,} resamples; one random seed: the test images alone); one "
            "pair of models compared image by image takes Newcombe's interval, and a study's "
            "validation figures Welch's t-interval over their random seeds. Every difference "
            "is tested by the test that fits what its two trainings share, with Holm's "
            "correction over the notebook's family of tests, and the test decides what is "
            "significant: the intervals are not corrected for the family, and a bootstrap "
            "over few random seeds, which cannot draw a seed it has not seen, runs narrow.")


def tested(family: Family) -> list[str]:
    """The family's comparisons in words, and what to make of tests that disagree."""
    return sentences.family_sentences(family.frame())


def device_words(device: Any) -> str:
    """"the CPU", "the GPU", "the Apple GPU"."""
    return {"cuda": "the GPU", "mps": "the Apple GPU"}.get(getattr(device, "type", device),
                                                          "the CPU")
