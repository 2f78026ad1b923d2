"""aandacht — an attention monitor for CRM data.

Load a CRM's relations, users and events, count contact moments per relation over a period for
one employee, a department or everyone, and see which customers get too little attention.

>>> import aandacht
>>> ds = aandacht.load("data_samples")
>>> res = aandacht.calculate(ds, aandacht.Selection(as_of="2026-10-31"))
>>> list(res.columns[:4])
['relation_id', 'name', 'total', 'dgn']
"""

from .engine import calculate, timeline
from .errors import AandachtError, DataError, MappingError, Problem, SelectionError
from .load import Dataset, from_frames, load
from .rules import default_rules, load_rules
from .selection import Selection, read_selection_file
from .service import DataService, Session

__all__ = [
    "DataService",
    "Session",
    "AandachtError",
    "DataError",
    "Dataset",
    "MappingError",
    "Problem",
    "Selection",
    "SelectionError",
    "calculate",
    "default_rules",
    "from_frames",
    "load",
    "load_rules",
    "read_selection_file",
    "timeline",
]
__version__ = "0.1.0"
