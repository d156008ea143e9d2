"""Power generation units under China's national ETS: accounting, allowances and compliance (DESIGN.md,
"Power units under the China ETS").

``model`` (the typed records and frame schemas), ``units`` (reading units.csv and generation.csv),
``rules`` (the accounting guideline's versioned rule data in ``guideline/``), ``accounting`` (pure: the
guideline's emissions per unit and month), ``checks`` (what a verifier flags), ``tables`` (the
guideline's tables as XLSX), ``allocation`` (allowances and compliance under the plans in ``plans/``).
docs/ets.md describes every parameter with its source and status.
"""
