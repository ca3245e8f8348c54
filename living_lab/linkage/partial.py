"""The adjusted relation as a picture: added-variable (partial regression) coordinates.

A scatter of the raw outcome against SPBE shows the uncontrolled association (stunting: -4.78
per index point), while the model's adjusted estimate (-0.61, interval including zero) is what
the text reports; the picture would tell a different story from the words. By the
Frisch-Waugh-Lovell theorem, regressing the outcome and SPBE each on the model's other
regressors (controls and province effects) and plotting residual against residual gives a cloud
whose least-squares slope *is* the model's coefficient. :func:`added_variable` returns those
coordinates, shifted back by the sample means so the axes keep their units and range, and the
line with the band of the model's confidence interval for the slope.

Examples
--------
>>> from living_lab.linkage.results import fit_cached
>>> from living_lab.linkage.specs import main_spec
>>> res = fit_cached(main_spec("stunting_prevalence_pct"))
>>> points, line = added_variable(res)
>>> import numpy as np
>>> xc, yc = points["x"] - points["x"].mean(), points["y"] - points["y"].mean()
>>> bool(np.isclose((xc * yc).sum() / (xc**2).sum(), res.coef))
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from living_lab.errors import ParameterError
from living_lab.linkage.results import LinkageResult


def added_variable(res: LinkageResult, n_line: int = 40) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Partial-regression coordinates of every sample region and the adjusted line.

    Returns
    -------
    points : ``region_code, x, y``: SPBE and outcome net of the other regressors, plus their
        sample means.
    line : ``x, fit, lo, hi``: the line through the means with the model's slope, and the lines
        with the ends of its confidence interval (the band shows the slope's uncertainty).
    """
    if res.spec.design == "twfe":
        raise ParameterError("res: the added-variable view is for cross-section or change models")
    des = res.design
    j = des.names.index("spbe")
    others = np.delete(des.X, j, axis=1)
    x, y = des.X[:, j], des.y

    def net(v: np.ndarray) -> np.ndarray:
        beta, *_ = np.linalg.lstsq(others, v, rcond=None)
        return v - others @ beta

    x_mean, y_mean = float(np.mean(x)), float(np.mean(y))
    px, py = net(x) + x_mean, net(y) + y_mean
    points = pd.DataFrame(
        {"region_code": res.sample.frame["region_code"].astype(str).to_numpy(), "x": px, "y": py}
    )
    xs = np.linspace(px.min(), px.max(), n_line)
    ends = np.vstack([y_mean + b * (xs - x_mean) for b in (res.ci_low, res.ci_high)])
    line = pd.DataFrame(
        {
            "x": xs,
            "fit": y_mean + res.coef * (xs - x_mean),
            "lo": ends.min(axis=0),
            "hi": ends.max(axis=0),
        }
    )
    return points, line
