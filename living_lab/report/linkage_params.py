"""Parameters of ``notebooks/linkage_study.ipynb``, checked before anything is computed.

papermill injects parameters without checking them, so the notebook's second cell calls
:func:`check_study_params`, which refuses unknown names, wrong types and unknown values with one
line saying what was expected.

Examples
--------
>>> p = check_study_params(lang="en", cohort="jawa-barat", min_confidence="medium")
>>> p.lang, len(p.cohort.regions), p.bootstrap
('en', 27, 9999)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from living_lab.cohorts import Cohort, load_cohort
from living_lab.errors import ParameterError
from living_lab.results.linkage import DEFAULT_DRAWS, DEFAULT_SEED
from living_lab.text import LANGS, Lang

#: ``high`` is refused: only individually confirmed figures would remain (30 stunting and
#: 3 poverty values), too few for any model.
StudyConfidence = Literal["medium", "low"]


@dataclass(frozen=True)
class StudyParams:
    """Validated parameters of the linkage study notebook."""

    lang: Lang
    cohort: Cohort
    min_confidence: StudyConfidence
    bootstrap: int
    seed: int
    n_peers: int
    validation_replications: int


_DEFAULTS: dict[str, Any] = {
    "lang": "id",
    "cohort": "all",
    "min_confidence": "medium",
    "bootstrap": DEFAULT_DRAWS,
    "seed": DEFAULT_SEED,
    "n_peers": 5,
    "validation_replications": 200,
}


def _int(name: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ParameterError(f"{name}: {value!r}; expected a whole number from {lo} to {hi}")
    return int(value)


def check_study_params(**params: Any) -> StudyParams:
    """Check the notebook parameters and resolve the cohort.

    Parameters (all optional; defaults in brackets)
    ----------------------------------------------
    lang : ``id`` or ``en`` [id].
    cohort : a cohort name of ``params/cohorts`` or ``all`` [all]: the regions whose positions
        are tabulated; the model itself is always estimated on every region with data.
    min_confidence : ``medium`` or ``low`` [medium]: lowest confidence of the figures used.
    bootstrap : wild cluster bootstrap draws, 99-99999 [9999].
    seed : random seed of the bootstrap and the validation simulation [20250314].
    n_peers : comparable regions per region, 0-20 [5].
    validation_replications : replications of the synthetic validation, 0 (skip) to 5000 [200].
    """
    unknown = set(params) - set(_DEFAULTS)
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {sorted(unknown)}; expected some of {sorted(_DEFAULTS)}"
        )
    p = {**_DEFAULTS, **params}
    if p["lang"] not in LANGS:
        raise ParameterError(f"lang: {p['lang']!r}; expected one of {list(LANGS)}")
    allowed = get_args(StudyConfidence)
    if p["min_confidence"] not in allowed:
        raise ParameterError(
            f"min_confidence: {p['min_confidence']!r}; expected one of {list(allowed)} "
            "('high' keeps only individually confirmed figures: too few regions for a model)"
        )
    if not isinstance(p["cohort"], str) or not p["cohort"].strip():
        raise ParameterError(f"cohort: {p['cohort']!r}; expected a cohort name such as 'all'")
    return StudyParams(
        lang=p["lang"],
        cohort=load_cohort(p["cohort"].strip()),
        min_confidence=p["min_confidence"],
        bootstrap=_int("bootstrap", p["bootstrap"], 99, 99_999),
        seed=_int("seed", p["seed"], 0, 2**32 - 1),
        n_peers=_int("n_peers", p["n_peers"], 0, 20),
        validation_replications=_int(
            "validation_replications", p["validation_replications"], 0, 5000
        ),
    )
