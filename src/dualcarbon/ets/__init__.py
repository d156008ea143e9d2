"""Power generation units under China's national ETS: accounting, allowances and compliance."""
