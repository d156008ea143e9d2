"""dualcarbon (双碳): carbon accounting and carbon-neutrality platform."""

__version__ = "0.1.0"
