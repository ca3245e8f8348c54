"""Linkage study: does SPBE progress go with lower stunting and poverty?

The study regresses regional outcomes on an SPBE measure with controls for the economy and
region kind, reports the estimate with its uncertainty (province-clustered errors with a
small-cluster correction and a wild cluster bootstrap), checks it across specifications, and
positions each region against the model's expectation. It measures *association*; nothing in
the design supports a causal reading, and every output says so.

Modules: :mod:`.specs` (specifications as data), :mod:`.data` (samples), :mod:`.estimators`
(numpy OLS, robust and clustered variances, wild bootstrap, within transformation),
:mod:`.results` (fit, tables, text), :mod:`.region` (region view), :mod:`.simulate`
(synthetic validation data and replication studies).

Examples
--------
>>> from living_lab import linkage
>>> res = linkage.fit("stunting_prevalence_pct", bootstrap=0)
>>> view = linkage.region_view("3211", "stunting_prevalence_pct")
>>> view.status
'ok'
"""

from living_lab.linkage.data import (
    AnalysisFrame,
    NotEnoughDataError,
    PanelCheck,
    analysis_frame,
    panel_check,
    panel_frame,
)
from living_lab.linkage.region import (
    RegionView,
    find_peers,
    positions,
    region_view,
)
from living_lab.linkage.results import (
    DesignChoice,
    LinkageResult,
    choose_design,
    default_specs,
    fit,
    fit_cached,
    inference_table,
    main_results,
    robustness_table,
)
from living_lab.linkage.specs import (
    LinkageSpec,
    designs_of,
    main_spec,
    panel_rule,
    robustness_specs,
)

__all__ = [
    "AnalysisFrame",
    "DesignChoice",
    "LinkageResult",
    "LinkageSpec",
    "NotEnoughDataError",
    "PanelCheck",
    "RegionView",
    "analysis_frame",
    "choose_design",
    "default_specs",
    "designs_of",
    "find_peers",
    "fit",
    "fit_cached",
    "inference_table",
    "main_results",
    "main_spec",
    "panel_check",
    "panel_frame",
    "panel_rule",
    "positions",
    "region_view",
    "robustness_specs",
    "robustness_table",
]
