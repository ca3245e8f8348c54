"""Region and cohort reports: parameterised notebooks each run in a fresh forked kernel, rendered to HTML.

Modules (kept import-light: notebooks import ``living_lab.results.context`` in every kernel)::

    params      validate report parameters (command line, YAML file) before any kernel starts
    runner      plan a batch, build the cohort context once, execute, write outputs, manifest
    pool        executes notebooks the way papermill does, one fresh kernel per notebook
    forkserver  imports the libraries once and forks a fresh IPython kernel per notebook
    executors   where the pool runs: local worker processes or a Dask cluster
    manifest    manifest.json (per-report status, parameters, input hash) and atomic writes
    context     cohort-wide analysis shared by all reports of a batch
    render      executed notebook -> self-contained HTML
    index_page  index.html of a report folder
"""
