"""How sure a figure is: the bootstrap over random seeds and test images together.

A figure of this project is a mean over a few random seeds of an accuracy on one test set. Two
things make it uncertain: another random seed would train another model, and another test set
would score each model differently. The test set is shared by every seed (and every recipe), so
its error does not shrink with more seeds. Each resample therefore draws the seeds with
replacement, then the test images with replacement - one draw of images for every seed and every
recipe in the resample, as they share one test set - and recomputes the figure. The 95 % interval
is the middle 95 % of :data:`RESAMPLES` recomputed figures. With one random seed, only the images
are resampled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

RESAMPLES = 2000
LEVEL = 0.95
CHUNK = 250  # resamples drawn at once (memory: seeds x CHUNK x images)


@dataclass(frozen=True)
class Interval:
    """A figure and its 95 % bootstrap interval."""

    value: float
    low: float
    high: float


def _per_seed(correct: np.ndarray, images: np.ndarray) -> np.ndarray:
    """Each seed's accuracy on each resample's images: seeds x resamples."""
    return correct[:, images].mean(axis=-1)


def _percentiles(values: np.ndarray) -> tuple[float, float]:
    tail = 100 * (1 - LEVEL) / 2
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def resampled_differences(first: Sequence[np.ndarray], second: Sequence[np.ndarray] | None,
                          paired: bool = False, resamples: int = RESAMPLES, seed: int = 0
                          ) -> np.ndarray:
    """The recomputed figure of every resample: the mean accuracy over ``first``'s seeds (one
    array of right answers per seed, all on the same test images), minus that of ``second``'s
    where it is given. ``paired``: the two share their seeds (seed i of each trained from the
    same start), so a resample draws the same seeds for both; else each its own."""
    rng = np.random.default_rng(seed)
    length = min(len(answers) for answers in [*first, *(second or [])])  # a rehearsal's cut passes
    one = np.asarray([answers[:length] for answers in first], dtype=np.float32)
    two = None if second is None else np.asarray([answers[:length] for answers in second],
                                                 dtype=np.float32)
    if paired and (two is None or len(two) != len(one)):
        raise ValueError("a paired resample needs the same random seeds on both sides")
    count, values = one.shape[1], []
    for start in range(0, resamples, CHUNK):
        size = min(CHUNK, resamples - start)
        images = rng.integers(0, count, (size, count))
        draw = rng.integers(0, len(one), (size, len(one)))
        value = np.take_along_axis(_per_seed(one, images).T, draw, axis=1).mean(axis=1)
        if two is not None:
            other = draw if paired else rng.integers(0, len(two), (size, len(two)))
            value -= np.take_along_axis(_per_seed(two, images).T, other, axis=1).mean(axis=1)
        values.append(value)
    return np.concatenate(values)


def mean_interval(correct: Sequence[np.ndarray], resamples: int = RESAMPLES) -> Interval:
    """The mean accuracy over the seeds' right answers and its 95 % interval."""
    mean = float(np.mean([np.mean(answers) for answers in correct]))
    return Interval(mean, *_percentiles(resampled_differences(correct, None,
                                                              resamples=resamples)))


def difference_interval(first: Sequence[np.ndarray], second: Sequence[np.ndarray],
                        paired: bool = False, resamples: int = RESAMPLES) -> Interval:
    """``first``'s mean accuracy minus ``second``'s and its 95 % interval (see
    :func:`resampled_differences`)."""
    difference = float(np.mean([np.mean(a) for a in first]) - np.mean([np.mean(b) for b in second]))
    return Interval(difference, *_percentiles(resampled_differences(first, second, paired,
                                                                    resamples)))


def goal_verdict(interval: Interval, goal: float | None) -> str:
    """"met" when the whole interval reaches ``goal``, "missed" when it stays below it,
    "undecided" when it holds the goal; "" without a goal."""
    if goal is None or np.isnan(goal):
        return ""
    if interval.low >= goal:
        return "met"
    return "missed" if interval.high < goal else "undecided"
