"""The Python package behind the Peer Coaching & Mentoring course notebooks.

Import submodules directly (``widgets.content``, ``widgets.store`` ...); this package
imports nothing heavy on its own so a trainee kernel stays light.
"""

__version__ = "0.1.0"
