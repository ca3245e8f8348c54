"""The linkage study's results: computed once, stored as tidy tables, loadable from Python.

The study (``notebooks/linkage_study.ipynb``) estimates whether SPBE goes with lower stunting
and poverty. Its numbers do not depend on the report's language or cohort (the models use every
region with data), only on the confidence floor, the bootstrap draws, the seed, the synthetic
replications, the data and the library. :func:`compute` computes them; :func:`save` writes them
as a results folder (one CSV per table and ``meta.json`` with the schema, the input hash and the
library version; see :mod:`living_lab.results.store`); :func:`load` reads one back, checking
every file. :func:`study` is what the notebook calls: the stored results when the folder holds
those of the same inputs, else computed here (and stored when a folder is given).

``living-lab reports`` stores them in ``<out>/results/linkage-study/`` when it runs the study.
A researcher opens them without running a notebook::

    from living_lab.results import linkage
    res = linkage.load("reports/results/linkage-study")
    res.models[["outcome", "design", "coef", "ci_low", "ci_high", "n"]]
    res.robustness_table("stunting_prevalence_pct", "cross_section")

Tables (plain numbers and keys; labels in a language are added by the report):

* ``models``: one row per main model (``outcome``, ``design``, the SPBE coefficient ``coef``
  with ``se``, ``ci_low``, ``ci_high``, ``p`` (CR1, t(G-1)), the wild cluster bootstrap's
  ``wild_ci_low``, ``wild_ci_high``, ``wild_p`` and their Monte Carlo errors, ``n``,
  ``n_clusters``, ``r2``, ``level``) and its sentences in each report language
  (``<field>_<lang>``, e.g. ``summary_id``: ``summary``, ``spec_text``, ``caveat``, ``dropped``,
  ``spbe_text``, ``years_text`` as text, ``notes`` and ``sources`` as lists; worded by
  :class:`~living_lab.linkage.results.LinkageResult`, the one definition of that text).
* ``designs``: per outcome, the design of its main model and why (``message_<lang>``).
* ``robustness``: the main estimate across specifications per model (rows as
  :func:`living_lab.linkage.results.robustness_table`, keyed by ``key``).
* ``influence``: the estimate without each province (cross-section and change models).
* ``inference``: the main model's coefficient under each uncertainty method (``method`` key).
* ``positions``: every bundled region's place in the cross-section and change models (actual,
  expected, prediction interval, residual and its rank, ``position``; without figures the
  reason as ``note_<lang>``), ``coverage``: the intervals' coverage by fifth of the expected
  value, ``scatter``: the models' regions (SPBE, outcome) for the scatter plot, ``peers``: each
  region's nearest comparable regions (``peer_code``, up to :data:`MAX_PEERS`).
* ``validation``: the method check on SYNTHETIC data (bias, coverage per estimator; empty when
  no replications were asked for). These rows describe the methods, not Indonesia.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from living_lab import __version__, datasets
from living_lab.linkage import influence, intervals, region, simulate
from living_lab.linkage.results import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    LinkageResult,
    choose_design,
    default_specs,
    fit,
    inference_table,
    robustness_label,
    robustness_table,
    source_text,
)
from living_lab.linkage.specs import robustness_specs
from living_lab.results import store as resultstore
from living_lab.results.context import library_fingerprint
from living_lab.tables import load_regions
from living_lab.text import LANGS, Lang

#: Bump when the meaning of a :class:`LinkageStudyResults` field changes.
SCHEMA = 2
#: Folder of the study's results inside a batch's ``results/`` folder.
FOLDER = "linkage-study"
#: Methods of the inference table, in its row order (labels: ``linkage.method.<key>``).
INFERENCE_METHODS = ("hc1", "hc3", "cluster", "wild_rademacher", "wild_webb")
#: Comparable regions stored per region (the most the notebook's ``n_peers`` allows).
MAX_PEERS = 20
#: Draws of the wild bootstrap inside each synthetic replication.
VALIDATION_DRAWS = 199
_TEXT_COLUMNS = ("label", "spbe", "years")


@dataclass(frozen=True)
class LinkageStudyResults:
    """Every number of the linkage study for one set of inputs (see the module docstring)."""

    schema: int
    key: str
    created: str
    data_version: str
    min_confidence: str
    bootstrap: int
    seed: int
    validation_replications: int
    models: pd.DataFrame = field(repr=False)
    robustness: pd.DataFrame = field(repr=False)
    influence: pd.DataFrame = field(repr=False)
    inference: pd.DataFrame = field(repr=False)
    validation: pd.DataFrame = field(repr=False)
    designs: pd.DataFrame = field(repr=False)
    positions: pd.DataFrame = field(repr=False)
    coverage: pd.DataFrame = field(repr=False)
    scatter: pd.DataFrame = field(repr=False)
    peers: pd.DataFrame = field(repr=False)

    def robustness_table(self, outcome: str, design: str) -> pd.DataFrame:
        """The robustness rows of one main model, in their order (without labels)."""
        sel = (self.robustness["outcome"] == outcome) & (self.robustness["design"] == design)
        return (
            self.robustness[sel.to_numpy()]
            .drop(columns=["outcome", "design"])
            .reset_index(drop=True)
        )

    def rows(self, table: str, outcome: str, design: str) -> pd.DataFrame:
        """The rows of ``table`` (``positions``, ``coverage``, ``scatter``, ``peers``) of one model, in
        their stored order, without the model's keys."""
        df = getattr(self, table)
        sel = (df["outcome"] == outcome) & (df["design"] == design)
        return df[sel.to_numpy()].drop(columns=["outcome", "design"]).reset_index(drop=True)

    def influence_table(self, outcome: str, design: str) -> pd.DataFrame:
        """The leave-one-province-out rows of one model, largest shift first, with the full
        sample's estimate in ``attrs`` (as :func:`~living_lab.linkage.influence.
        leave_one_province_out` returns them)."""
        sel = (self.influence["outcome"] == outcome) & (self.influence["design"] == design)
        out = self.influence[sel.to_numpy()].drop(columns=["outcome", "design"])
        out = out.reset_index(drop=True)
        model = self.models[
            ((self.models["outcome"] == outcome) & (self.models["design"] == design)).to_numpy()
        ].iloc[0]
        out.attrs.update(
            coef=float(model["coef"]),
            ci_low=float(model["ci_low"]),
            ci_high=float(model["ci_high"]),
            outcome=outcome,
            design=design,
            level=float(model["level"]),
        )
        return out


def study_key(
    *, min_confidence: str, bootstrap: int, seed: int, validation_replications: int
) -> str:
    """Hash of everything the study's numbers depend on (inputs, data version, library code).

    >>> study_key(min_confidence="medium", bootstrap=9999, seed=1, validation_replications=0)[:8]
    'linkage-'
    """
    h = hashlib.sha256(
        "|".join(
            [
                str(SCHEMA),
                str(min_confidence),
                str(int(bootstrap)),
                str(int(seed)),
                str(int(validation_replications)),
                datasets.data_version(),
                library_fingerprint(),
            ]
        ).encode()
    )
    return f"linkage-{h.hexdigest()[:16]}"


def compute(
    *,
    min_confidence: str = "medium",
    bootstrap: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    validation_replications: int = 200,
) -> LinkageStudyResults:
    """Fit the study's main models, their robustness and influence tables, the inference
    comparison and the synthetic method check (a few seconds with the defaults).

    Parameters are those of the notebook (checked there by
    :func:`living_lab.report.linkage_params.check_study_params`).
    """
    conf = min_confidence
    specs = default_specs(min_confidence=conf)  # type: ignore[arg-type]
    fits = [fit(s, bootstrap=bootstrap, seed=seed) for s in specs]
    models = pd.DataFrame([_model_row(r) for r in fits])
    robustness = []
    lopo = []
    placed: dict[str, list[pd.DataFrame]] = {
        "positions": [],
        "coverage": [],
        "scatter": [],
        "peers": [],
    }
    for r in fits:
        s = r.spec
        table = robustness_table(
            s.outcome,  # type: ignore[arg-type]
            s.design,  # type: ignore[arg-type]
            lang="en",
            min_confidence=conf,  # type: ignore[arg-type]
            bootstrap=bootstrap,
            seed=seed,
        )
        table = table.drop(columns=[c for c in _TEXT_COLUMNS if c in table.columns])
        labels = {
            spec.key: spec
            for spec in robustness_specs(s.outcome, s.design, min_confidence=conf)  # type: ignore[arg-type]
        }
        for lang in LANGS:
            table[f"label_{lang}"] = [
                robustness_label(labels[str(k).split(":", 1)[0]], lang) for k in table["key"]
            ]
        robustness.append(table.assign(outcome=s.outcome, design=s.design))
        if s.design != "twfe":
            lopo.append(
                influence.leave_one_province_out(r).assign(outcome=s.outcome, design=s.design)
            )
            for name, df in _placed(r).items():
                placed[name].append(df.assign(outcome=s.outcome, design=s.design))
    tab = inference_table(fits[0].spec, lang="en", bootstrap=bootstrap, seed=seed)
    tab["method"] = list(INFERENCE_METHODS)
    if validation_replications:
        validation = simulate.simulation_study(
            replications=validation_replications,
            seed=seed,
            bootstrap=VALIDATION_DRAWS,
            **simulate.DATA_REGIME,  # type: ignore[arg-type]
        )
    else:
        validation = pd.DataFrame()
    designs = pd.DataFrame(
        [
            {
                "outcome": d.outcome,
                "design": d.design,
                **{f"message_{lang}": d.message(lang) for lang in LANGS},
            }
            for d in (
                choose_design(o, min_confidence=conf)  # type: ignore[arg-type]
                for o in ("stunting_prevalence_pct", "poverty_rate_pct")
            )
        ]
    )
    return LinkageStudyResults(
        schema=SCHEMA,
        key=study_key(
            min_confidence=conf,
            bootstrap=bootstrap,
            seed=seed,
            validation_replications=validation_replications,
        ),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        data_version=datasets.data_version(),
        min_confidence=str(conf),
        bootstrap=int(bootstrap),
        seed=int(seed),
        validation_replications=int(validation_replications),
        models=models,
        robustness=_numeric(_stack(robustness), ("n", "n_clusters", "n_added", "n_removed")),
        influence=_stack(lopo),
        inference=tab,
        validation=validation,
        designs=designs,
        positions=_stack(placed["positions"]),
        coverage=_stack(placed["coverage"]),
        scatter=_stack(placed["scatter"]),
        peers=_stack(placed["peers"]),
    )


def _placed(r: LinkageResult) -> dict[str, pd.DataFrame]:
    """Where every region stands in a cross-section or change model: its position (all
    bundled regions, with the reason in each language where the model has no figure for it),
    the intervals' coverage by fifth of the expected value, and the points of the scatter
    plot (the model's regions, in the sample's order) and each region's :data:`MAX_PEERS`
    nearest comparable regions (``rank`` 1 is the nearest; fewer are the first ones). Peers
    are regions of the model, so their names, SPBE and outcome are those of the positions
    and scatter tables (not stored twice)."""
    codes = list(load_regions()["region_code"].astype(str))
    by_lang = {lang: region.positions(codes, r.spec.outcome, r, lang=lang) for lang in LANGS}  # type: ignore[arg-type]
    pos = by_lang[LANGS[0]].drop(columns=["note"])
    for lang in LANGS:
        pos[f"note_{lang}"] = by_lang[lang]["note"].astype(str)
    pos["residual_rank"] = pd.to_numeric(pos["residual_rank"]).astype(float)
    frame = r.sample.frame
    scatter = pd.DataFrame(
        {
            "region_code": frame["region_code"].astype(str).to_numpy(),
            "spbe": frame["spbe"].to_numpy(dtype=float),
            "y": frame["y"].to_numpy(dtype=float),
        }
    )
    peers = []
    for code in codes:
        near = region.peer_codes(r, code, n_peers=MAX_PEERS)
        peers.append(
            pd.DataFrame(
                {"region_code": code, "rank": np.arange(1, len(near) + 1), "peer_code": near}
            )
        )
    return {
        "peers": pd.concat(peers, ignore_index=True),
        "positions": pos,
        "coverage": intervals.coverage_by_fitted(r.loo()),
        "scatter": scatter,
    }


def _model_row(r: LinkageResult) -> dict[str, object]:
    w = r.wild
    nan = float("nan")
    return {
        "outcome": r.spec.outcome,
        "design": r.spec.design,
        "coef": r.coef,
        "se": r.se,
        "ci_low": r.ci_low,
        "ci_high": r.ci_high,
        "p": r.p,
        "wild_ci_low": w.ci_low if w else nan,
        "wild_ci_high": w.ci_high if w else nan,
        "wild_p": w.p if w else nan,
        "wild_mc_se_low": w.mc_se_low if w else nan,
        "wild_mc_se_high": w.mc_se_high if w else nan,
        "wild_draws": w.draws if w else 0,
        "n": r.n,
        "n_clusters": r.n_clusters if r.n_clusters is not None else -1,
        "r2": r.r2,
        "level": r.level,
        "se_type": r.se_type,
        "spbe_measure": robustness_specs(r.spec.outcome, r.spec.design)[0].spbe_measure,  # type: ignore[arg-type]
        "spbe_form": r.spec.spbe_form,
        "synthetic": r.synthetic,
        **{k: v for lang in LANGS for k, v in _model_text(r, lang).items()},
    }


def _model_text(r: LinkageResult, lang: Lang) -> dict[str, object]:
    """The model's sentences in ``lang`` (columns ``<field>_<lang>``)."""
    text: dict[str, object] = {
        "summary": r.summary(lang),
        "spec_text": r.spec_text(lang),
        "notes": list(r.notes(lang)),
        "caveat": r.caveat(lang),
        "dropped": r.dropped_text(lang),
        "sources": [source_text(s, lang) for s in r.sources],
        "spbe_text": r.spbe_text(lang),
        "outcome_text": r.outcome_text(lang),
        "years_text": r.years_text(lang),
    }
    return {f"{k}_{lang}": v for k, v in text.items()}


def _stack(tables: list[pd.DataFrame]) -> pd.DataFrame:
    if not tables:
        return pd.DataFrame(columns=["outcome", "design"])
    out = pd.concat(tables, ignore_index=True)
    out.attrs = {}
    first = ["outcome", "design"]
    return out[first + [c for c in out.columns if c not in first]]


def _numeric(df: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Counts as floats (NaN where a row could not be estimated), so the CSV round trip is exact."""
    df = df.copy()
    for c in columns:
        if c in df.columns:
            df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    if "note" in df.columns:
        df["note"] = df["note"].fillna("").astype(str)
    return df


def save(res: LinkageStudyResults, folder: str | Path) -> Path:
    """Write ``res`` as a results folder (replaced as a whole; never half-written)."""
    path = Path(folder)
    resultstore.write(
        res, path, key=res.key, extra={"library_version": __version__, "schema": str(SCHEMA)}
    )
    return path


def load(folder: str | Path, *, key: str | None = None) -> LinkageStudyResults:
    """Read a results folder written by :func:`save`, checking every file.

    Raises
    ------
    living_lab.results.store.ResultsError
        The folder is missing, damaged, foreign, of another schema, or (with ``key``) holds
        the results of other inputs.
    """
    res = resultstore.read(Path(folder), LinkageStudyResults, key=key)
    if res.schema != SCHEMA:
        raise resultstore.ResultsError(
            f"holds linkage results of schema {res.schema}, this library writes schema {SCHEMA}",
            file=Path(folder),
        )
    return res


def study(
    *,
    min_confidence: str = "medium",
    bootstrap: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    validation_replications: int = 200,
    folder: str | Path = "",
) -> LinkageStudyResults:
    """The study's results for these inputs: read from ``folder`` when it holds exactly them
    (same inputs, data and library), else computed here and, when ``folder`` is given, stored
    there (a damaged or outdated folder is replaced, never used)."""
    args = {
        "min_confidence": min_confidence,
        "bootstrap": bootstrap,
        "seed": seed,
        "validation_replications": validation_replications,
    }
    if folder:
        with contextlib.suppress(resultstore.ResultsError):
            return load(folder, key=study_key(**args))  # type: ignore[arg-type]
    res = compute(**args)  # type: ignore[arg-type]
    if folder:
        save(res, folder)
    return res


def folder_of(context_path: str | Path) -> Path | None:
    """Where a batch keeps the study's results: beside its cohort results folder
    ``context_path`` (``<out>/results/<cohort>-<year>``); ``None`` without one."""
    return Path(context_path).parent / FOLDER if str(context_path) else None
