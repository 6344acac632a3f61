"""symcnn: exact, symbolic parameter, memory and operation counts for convolutional networks.

>>> import symcnn
>>> symcnn.parse("conv3-64 x2, pool2, fc-10").analyze().at("32x32x3").totals["params"]
202570
"""

from .analysis import Analysis
from .errors import SymcnnError
from .network import Network
from .syntax import parse
from .zoo import load

__all__ = ["parse", "load", "Network", "Analysis", "SymcnnError"]
