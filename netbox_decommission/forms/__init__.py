from .bulk_edit import *
from .bulk_import import *
from .disposition import *
from .documents import *
from .ewaste import *
from .filtersets import *
from .model_forms import *
from .workflow import *
