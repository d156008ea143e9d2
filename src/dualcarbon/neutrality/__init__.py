"""Carbon-neutrality assessment (ISO 14068-1, PAS 2060, the Chinese guides): a pure core.

``assess`` takes the inventory summary, the project's settings, credits, forest stands and the
evidence the project folder holds, and returns a typed ``Assessment``; it never opens a file.
"""

from dualcarbon.neutrality.assess import Assessment, assess

__all__ = ["Assessment", "assess"]
