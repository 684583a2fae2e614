"""skills-match: match people and places to digital skills courses, and measure unmet demand."""

__version__ = "0.1.0"
