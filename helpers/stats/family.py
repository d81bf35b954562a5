"""The comparisons of one notebook, tested as one family.

Each comparison takes the test that fits what its two sides share:

- two recipes trained **over random seeds** that share nothing but the test images (the source
  recipe and ours differ in batch size, optimiser, augmentation draws and length: after the first
  step their trainings have nothing in common): Welch's t-test on the seeds' accuracies;
- two trainings that **share** something seed by seed - the source recipe and its equal-epochs
  control share their first epochs exactly, heads on one frozen backbone share its features:
  the paired t-test on the per-seed differences;
- **one pair of models** on the same test images: McNemar's test.

Every difference gets the bootstrap's 95 % interval over random seeds and test images together
(``stats.bootstrap``; McNemar's: Newcombe's interval), and Holm's correction runs over the whole
family, so that the chance of calling any of the notebook's differences real by luck stays 5 %.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from . import bootstrap
from .significance import LEVEL, Comparison, holm, mcnemar, paired, welch

KEPT = "kept"  # the right answers of the kept epoch (``experiments.results``)


def answers_by_seed(correct: Mapping[tuple, Mapping[str, np.ndarray]], model: str, recipe: str
                    ) -> dict[int, np.ndarray]:
    """The right answers of ``model`` by ``recipe`` at its kept epoch, by random seed."""
    return {seed: epochs[KEPT] for (m, r, seed), epochs in sorted(correct.items(), key=str)
            if m == model and r == recipe}


def shared_images(*answers: np.ndarray) -> list[np.ndarray]:
    """Answers to the same test images, served in a fixed order: all of them, or in a rehearsal
    (whose passes stop after a few batches, of different sizes for different recipes) the images
    every side saw."""
    length = min(len(one) for one in answers)
    return [one[:length] for one in answers]


def _images(shared: np.ndarray, answers: tuple[np.ndarray, ...]) -> str:
    """"10,000 test images", or where a side saw more (a rehearsal's cut passes) "the 768 test
    images both saw"."""
    if all(len(one) == len(shared) for one in answers):
        return f"{len(shared):,} test images"
    return f"the {len(shared):,} test images both saw"


@dataclass
class Family:
    """A notebook's tested comparisons (``correct``: a results file's right answers)."""

    correct: Mapping[tuple, Mapping[str, np.ndarray]]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def over_seeds(self, model: str, first: str, second: str, shared: str = "",
                   second_model: str | None = None) -> None:
        """Recipe ``first`` of ``model`` against ``second`` (of ``second_model``, default the
        same model) over their random seeds: Welch's t-test, or where the two trainings
        share something seed by seed (``shared`` says what) the paired t-test."""
        one = answers_by_seed(self.correct, model, first)
        two = answers_by_seed(self.correct, second_model or model, second)
        if shared:
            seeds = sorted(set(one) & set(two))
            one, two = {s: one[s] for s in seeds}, {s: two[s] for s in seeds}
        seen = dict(zip([*one, *(("second", s) for s in two)],
                        shared_images(*one.values(), *two.values())))  # means on the same images
        one, two = {s: seen[s] for s in one}, {s: seen["second", s] for s in two}
        if min(len(one), len(two)) < 2:
            return  # one run a side: no spread to test against (McNemar's test is there for it)
        accuracy = [[float(np.mean(a)) for a in side.values()] for side in (one, two)]
        result = paired(*accuracy) if shared else welch(*accuracy)
        interval = bootstrap.difference_interval(list(one.values()), list(two.values()),
                                                 paired=bool(shared))
        test = (f"paired t-test over {len(one)} random seeds (they share {shared})" if shared
                else f"Welch's t-test, {len(one)} and {len(two)} random seeds")
        self._add(model, first, second, second_model, test,
                  Comparison(interval.value, interval.low, interval.high, result.p_value,
                             result.test))

    def on_images(self, model: str, first: str, second: str, seed: int,
                  second_model: str | None = None) -> None:
        """``first`` against ``second`` as trained with random seed ``seed``, image by image on
        the shared test images: McNemar's test."""
        answers = (self.correct[(model, first, seed)][KEPT],
                   self.correct[(second_model or model, second, seed)][KEPT])
        one, two = shared_images(*answers)
        self._add(model, first, second, second_model,
                  f"McNemar's test, random seed {seed}, {_images(one, answers)}",
                  mcnemar(one, two))

    def on_answers(self, model: str, first: str, second: str, one: np.ndarray,
                   two: np.ndarray) -> None:
        """Two sets of answers to the same test images (which each got right), named by what they
        are: McNemar's test (a mapping's superclasses against another's, ...)."""
        shared = shared_images(one, two)
        self._add(model, first, second, None, f"McNemar's test, {_images(shared[0], (one, two))}",
                  mcnemar(*shared))

    def pairwise(self, study: str, groups: Mapping[str, list[float]], metric: str) -> None:
        """Every pair of a study's groups (name -> one figure per random seed, such as a
        configuration's validation accuracies): Welch's t-test and its interval (the seeds alone:
        these figures keep no right answers to resample)."""
        names = list(groups)
        for index, first in enumerate(names):
            for second in names[index + 1:]:
                if min(len(groups[first]), len(groups[second])) >= 2:
                    self._add(study, first, second, None,
                              f"Welch's t-test on {metric}, {len(groups[first])} and "
                              f"{len(groups[second])} random seeds",
                              welch(groups[first], groups[second]))

    def _add(self, model: str, first: str, second: str, second_model: str | None, test: str,
             result: Comparison) -> None:
        self.rows.append({"model": model, "first": first, "second": second,
                          "second model": second_model or model, "test": test,
                          "difference": result.difference, "95% low": result.low,
                          "95% high": result.high, "p-value": result.p_value})

    def frame(self) -> pd.DataFrame:
        """Every comparison with Holm's p-value over the family and the verdict (a difference
        when Holm's p-value is below 5 %)."""
        frame = pd.DataFrame(self.rows)
        if frame.empty:
            return frame
        adjusted = holm(frame["p-value"].tolist())
        return frame.assign(**{"Holm p-value": adjusted,
                               "real": [bool(p < LEVEL) for p in adjusted]})
