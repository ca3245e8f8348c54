"""Alt text of the linkage study's figures states the estimate, not the figure's title.

The study is run on the West Java cohort (the real data, as the notebook does); each figure's alt
text must carry the model's estimate sentence (scatter) or the range of the coefficient across
specifications (robustness), in the page's language.
"""

from __future__ import annotations

import pytest
from _language_scan import offences
from IPython.display import Image

from living_lab import fmt
from living_lab.linkage import default_specs, fit
from living_lab.report.linkage_params import check_study_params
from living_lab.report.linkage_sections import LinkageStudy
from living_lab.results import linkage as linkage_results


@pytest.mark.slow  # fits the study's models and robustness tables (seconds)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_linkage_figures_state_the_estimate(lang):
    stored = linkage_results.study(validation_replications=0)
    params = check_study_params(cohort="jawa-barat", lang=lang, validation_replications=0)
    study = LinkageStudy.run(params, stored)
    scatter = [i.alt for i in study.scatter() if isinstance(i, Image)]
    robust = [i.alt for i in study.robustness_section() if isinstance(i, Image)]
    assert scatter and robust
    fits = [fit(s, bootstrap=stored.bootstrap, seed=stored.seed) for s in default_specs()]
    shown = [r for r in fits if r.spec.design != "twfe"]
    for alt, r in zip(scatter, shown, strict=True):
        assert r.summary(lang) in alt and f"n = {r.n}" in alt
    for alt, r in zip(robust, fits, strict=True):
        coef = study.robustness[(r.spec.outcome, r.spec.design)]["coef"].dropna()
        assert fmt.num(coef.max(), lang, 2, signed=True) in alt
    for alt in scatter + robust:
        assert not offences(alt, lang), alt
